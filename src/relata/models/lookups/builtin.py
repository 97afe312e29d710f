"""Django's built-in lookups, registered on every field: exact, comparisons, patterns, in, range, isnull.

Each builds relata's condition node; the SQL dialect spells it. `YearLookup`
is the base Django offers for year comparisons written by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from relata.models import fields as f
from relata.models.lookups.base import Lookup
from relata.sql import nodes as n


class BuiltinLookup(Lookup):
    """A lookup written `lhs <operator> rhs`; Django's `as_sql()` for subclasses that change one part."""

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs_sql, params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} {self.get_rhs_op(connection, rhs_sql)}", params + rhs_params

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        operator = connection.operators.get(self.sql_name)
        if operator is None:
            raise NotImplementedError(
                f"{type(self).__name__} has no SQL operator for '{self.sql_name}' on {connection.vendor}: "
                f"define as_sql() on it."
            )
        return operator % rhs


class Exact(BuiltinLookup):
    lookup_name = "exact"


class IExact(BuiltinLookup):
    lookup_name = "iexact"


class GreaterThan(BuiltinLookup):
    lookup_name = "gt"


class GreaterThanOrEqual(BuiltinLookup):
    lookup_name = "gte"


class LessThan(BuiltinLookup):
    lookup_name = "lt"


class LessThanOrEqual(BuiltinLookup):
    lookup_name = "lte"


class Contains(BuiltinLookup):
    lookup_name = "contains"
    value_pattern = ("%", "%")


class IContains(Contains):
    lookup_name = "icontains"


class StartsWith(BuiltinLookup):
    lookup_name = "startswith"
    value_pattern = ("", "%")


class IStartsWith(StartsWith):
    lookup_name = "istartswith"


class EndsWith(BuiltinLookup):
    lookup_name = "endswith"
    value_pattern = ("%", "")


class IEndsWith(EndsWith):
    lookup_name = "iendswith"


class Regex(BuiltinLookup):
    lookup_name = "regex"

    def value_prep(self, field_prep: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
        return str


class IRegex(Regex):
    lookup_name = "iregex"


class In(BuiltinLookup):
    lookup_name = "in"
    arity = "many"

    def build(self, rhs: list[n.Node]) -> n.Node:
        if len(rhs) == 1 and isinstance(rhs[0], n.Subquery):
            return n.In(self.lhs_node(), rhs[0].query)
        if not rhs:
            return n.Nothing()
        return n.In(self.lhs_node(), tuple(rhs))


class Range(BuiltinLookup):
    lookup_name = "range"
    arity = 2

    def build(self, rhs: list[n.Node]) -> n.Node:
        return n.Between(self.lhs_node(), rhs[0], rhs[1])


class IsNull(BuiltinLookup):
    lookup_name = "isnull"
    arity = 0


for _lookup in (
    Exact,
    IExact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    Contains,
    IContains,
    StartsWith,
    IStartsWith,
    EndsWith,
    IEndsWith,
    Regex,
    IRegex,
    In,
    Range,
    IsNull,
):
    f.Field.register_lookup(_lookup)


class IntegerFieldFloatRounding:
    """A float compared with an integer column is rounded up first, so `n__lt=2.5` keeps n = 2 (as Django)."""

    def value_prep(self, field_prep: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
        def prepare(value: Any) -> Any:
            if isinstance(value, float):
                value = math.ceil(value)
            return field_prep(value) if field_prep is not None else value

        return prepare


class IntegerGreaterThanOrEqual(IntegerFieldFloatRounding, GreaterThanOrEqual):
    pass


class IntegerLessThan(IntegerFieldFloatRounding, LessThan):
    pass


f.IntegerField.register_lookup(IntegerGreaterThanOrEqual)
f.IntegerField.register_lookup(IntegerLessThan)


class YearLookup(Lookup):
    """Django's base for comparing a year: subclasses say how the year's bounds are compared."""

    def get_bound_params(self, start: Any, finish: Any) -> Any:
        raise NotImplementedError("subclasses of YearLookup must provide a get_bound_params() method")
