"""Lookups (`exact`, `icontains`, `in`, ...) and transforms (`year`, `date`, ...).

Each is a small class registered on a field class by `lookup_name`, as in
Django; `field.get_lookup(name)` walks the field's class hierarchy. A lookup
turns the left-hand node and the right-hand value slots into a condition node.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from relata.models import fields as f
from relata.sql import nodes as n


def escape_like(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class LookupSuffixes:
    """The registry behind the query tokenizer, which reads lookups off a path without resolving fields.

    `pattern`: "__<name>" of each lookup whose value becomes a LIKE pattern;
    `many`: of each lookup taking several values. Filled as Lookup classes are
    defined, so lookups registered later (JSON, a user's own) count too.
    """

    def __init__(self) -> None:
        self.pattern: tuple[str, ...] = ()
        self.many: tuple[str, ...] = ()

    def add(self, lookup: Any, name: str | None = None) -> None:
        suffix = f"__{name or lookup.lookup_name}"
        if getattr(lookup, "value_pattern", None) is not None and suffix not in self.pattern:
            self.pattern += (suffix,)
        if getattr(lookup, "arity", 1) not in (0, 1) and suffix not in self.many:
            self.many += (suffix,)


SUFFIXES = LookupSuffixes()


class Lookup:
    lookup_name: ClassVar[str] = ""
    #: Wrap a plain value before it is sent (LIKE patterns).
    value_pattern: ClassVar[tuple[str, str] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.lookup_name:
            SUFFIXES.add(cls)

    def __init__(self, lhs: n.Node, field: Any):
        self.lhs, self.field = lhs, field

    def value_prep(self, field_prep: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
        pattern = self.value_pattern
        if pattern is None:
            return field_prep
        before, after = pattern

        def prepare(value: Any) -> Any:
            if field_prep is not None:
                value = field_prep(value)
            return f"{before}{escape_like(value)}{after}"

        return prepare

    def build(self, rhs: list[n.Node]) -> n.Node:
        return n.Lookup(self.lookup_name, self.lhs, rhs[0])

    def match_none(self) -> n.Node | None:
        """The condition for a None value (`name=None` is `IS NULL`); None where None is refused."""
        return n.IsNull(self.lhs) if self.lookup_name in ("exact", "iexact") else None

    #: Values the right side takes: 1, or "many" for `in`, 2 for `range`.
    arity: ClassVar[Any] = 1


class Exact(Lookup):
    lookup_name = "exact"


class IExact(Lookup):
    lookup_name = "iexact"


class GreaterThan(Lookup):
    lookup_name = "gt"


class GreaterThanOrEqual(Lookup):
    lookup_name = "gte"


class LessThan(Lookup):
    lookup_name = "lt"


class LessThanOrEqual(Lookup):
    lookup_name = "lte"


class Contains(Lookup):
    lookup_name = "contains"
    value_pattern = ("%", "%")


class IContains(Contains):
    lookup_name = "icontains"


class StartsWith(Lookup):
    lookup_name = "startswith"
    value_pattern = ("", "%")


class IStartsWith(StartsWith):
    lookup_name = "istartswith"


class EndsWith(Lookup):
    lookup_name = "endswith"
    value_pattern = ("%", "")


class IEndsWith(EndsWith):
    lookup_name = "iendswith"


class Regex(Lookup):
    lookup_name = "regex"

    def value_prep(self, field_prep: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
        return str


class IRegex(Regex):
    lookup_name = "iregex"


class In(Lookup):
    lookup_name = "in"
    arity = "many"

    def build(self, rhs: list[n.Node]) -> n.Node:
        if len(rhs) == 1 and isinstance(rhs[0], n.Subquery):
            return n.In(self.lhs, rhs[0].query)
        if not rhs:
            return n.Nothing()
        return n.In(self.lhs, tuple(rhs))


class Range(Lookup):
    lookup_name = "range"
    arity = 2

    def build(self, rhs: list[n.Node]) -> n.Node:
        return n.Between(self.lhs, rhs[0], rhs[1])


class IsNull(Lookup):
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


class Transform:
    """A function of a column usable in a lookup path, e.g. `pub_date__year`."""

    lookup_name: ClassVar[str] = ""
    output_field: ClassVar[Any] = f.IntegerField()
    is_transform = True

    def node(self, lhs: n.Node) -> n.Node:
        return n.Extract(self.lookup_name, lhs)


def _transform(name: str, output: Any) -> type[Transform]:
    attrs = {"lookup_name": name, "output_field": output}
    return type(name.title().replace("_", "") + "Transform", (Transform,), attrs)


DATE_TRANSFORMS = [
    _transform(part, f.IntegerField())
    for part in ("year", "month", "day", "week_day", "iso_week_day", "week", "quarter", "iso_year")
]
TIME_TRANSFORMS = [_transform(part, f.IntegerField()) for part in ("hour", "minute", "second")]
DateTransform = _transform("date", f.DateField())
TimeTransform = _transform("time", f.TimeField())

for _transform_class in DATE_TRANSFORMS:
    f.DateField.register_lookup(_transform_class)
    f.DateTimeField.register_lookup(_transform_class)
for _transform_class in (*TIME_TRANSFORMS, DateTransform, TimeTransform):
    f.DateTimeField.register_lookup(_transform_class)
for _transform_class in TIME_TRANSFORMS:
    f.TimeField.register_lookup(_transform_class)
