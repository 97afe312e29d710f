"""Comparison and conversion functions: Cast, Coalesce, Collate, Greatest, Least, NullIf.

Each picks its output field from its arguments as Django does (mixed types
need output_field=). Greatest and Least are MAX and MIN on SQLite, which, like
MySQL, answer NULL when any argument is NULL; PostgreSQL ignores NULLs there.
"""

from __future__ import annotations

import re
from typing import Any

from relata.models.expressions import Func, _to_expression
from relata.sql import nodes as n

#: A collation name is written into SQL (quoted): letters, digits, '_' and '-' only, as Django allows.
_COLLATION = re.compile(r"^[\w-]+$")


class Cast(Func):
    def __init__(self, expression: Any, output_field: Any):
        super().__init__(expression, output_field=output_field)

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        args, _ = self.resolve_sources(builder)
        type_name = self.output_field.cast_db_type(builder.connection)
        return n.Cast(args[0], builder.connection.ops.cast_type(type_name)), self.output_field


class _AtLeastTwo(Func):
    def __init__(self, *expressions: Any, output_field: Any = None):
        if len(expressions) < 2:
            raise ValueError(f"{type(self).__name__} must take at least two expressions")
        super().__init__(*expressions, output_field=output_field)


class Coalesce(_AtLeastTwo):
    function = "COALESCE"


class Greatest(_AtLeastTwo):
    function = "GREATEST"


class Least(_AtLeastTwo):
    function = "LEAST"


class NullIf(Func):
    function = "NULLIF"
    arity = 2


class Collate(Func):
    """`expression COLLATE collation`: compare or sort by the named collation of the database."""

    def __init__(self, expression: Any, collation: str):
        if not (isinstance(collation, str) and _COLLATION.match(collation)):
            raise ValueError(f"Invalid collation name: {collation!r}.")
        self.collation = collation
        super().__init__(_to_expression(expression))

    def identity(self) -> tuple[Any, ...]:
        return (*super().identity(), self.collation)

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        args, fields = self.resolve_sources(builder)
        return n.Collate(args[0], self.collation), self.output_field or fields[0]
