"""The `Lookup` and `Transform` base classes, with Django's API for writing your own.

A relata lookup builds a neutral condition node (`build()`); one a user wrote
with `as_sql()` (or `process_rhs()`, `get_rhs_op()` ...) is run through the SQL
bridge instead (bridge.py). Both are expressions too: `filter(GreaterThan(F("a"), 1))`
and `annotate(old=LessThan(F("year"), 1900))` work as in Django 4+.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from relata.models import fields as f
from relata.models.expressions import Expression, Func, Value
from relata.models.fields.lookup_registry import RegisterLookupMixin
from relata.sql import nodes as n

#: Methods and attributes by which a class writes its own SQL in Django's way.
SQL_HOOKS = (
    "as_sql",
    "as_sqlite",
    "as_postgresql",
    "as_mysql",
    "template",
    "process_lhs",
    "process_rhs",
    "get_db_prep_lookup",
    "get_rhs_op",
)


def escape_like(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def writes_own_sql(cls: Any) -> bool:
    """Whether a lookup or transform (class or factory) writes SQL text itself, rather than relata's nodes.

    Anything not a class (a factory a field's get_lookup returned) counts; so
    does a class outside relata that defines one of `SQL_HOOKS` (checked at each
    use, since a test may set `as_<vendor>` on a class later).
    """
    if not isinstance(cls, type):
        return True
    for klass in cls.__mro__:
        if klass.__module__.startswith("relata.") or klass is object:
            continue
        if any(name in klass.__dict__ for name in SQL_HOOKS):
            return True
    return False


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


def _hashable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_hashable(v) for v in value)
    return value


class Lookup(Expression):
    """A comparison: `lhs` (an expression) against `rhs` (a value or an expression)."""

    lookup_name: ClassVar[str | None] = None
    #: The built-in lookup whose SQL this one writes: a renamed subclass (`sw` for StartsWith) still writes a LIKE.
    sql_name: ClassVar[str] = ""
    #: Wrap a plain value before it is sent (LIKE patterns).
    value_pattern: ClassVar[tuple[str, str] | None] = None
    #: Values the right side takes: 1, or "many" for `in`, 2 for `range`.
    arity: ClassVar[Any] = 1
    prepare_rhs: ClassVar[bool] = True
    can_use_none_as_rhs: ClassVar[bool] = False
    conditional = True
    output_field = f.BooleanField()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.lookup_name:
            SUFFIXES.add(cls)
        if "lookup_name" in cls.__dict__ and (cls.__module__.startswith("relata.") or not cls.sql_name):
            # A user's lookup with no built-in ancestor is spelled by its name where the dialect knows it ("ne").
            cls.sql_name = cls.lookup_name or ""

    def __init__(self, lhs: Any, rhs: Any):
        self.lhs, self.rhs = lhs, rhs
        if not getattr(rhs, "stands_for_values", False):
            self.rhs = self.get_prep_lookup()
        self.lhs = self.get_prep_lhs()
        transforms = getattr(self.lhs, "get_bilateral_transforms", None)
        self.bilateral_transforms: list[Any] = transforms() if transforms is not None else []
        #: Set by the query builder: how a plain right-hand value is converted before it is sent.
        self.value_preparer: Callable[[Any], Any] | None = None

    @classmethod
    def unprepared(cls, lhs: Any, rhs: Any) -> Lookup:
        """A relata lookup made by the query builder, whose right side it prepares itself."""
        lookup = cls.__new__(cls)
        lookup.lhs, lookup.rhs, lookup.bilateral_transforms, lookup.value_preparer = lhs, rhs, [], None
        return lookup

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.lhs!r}, {self.rhs!r})"

    def identity(self) -> tuple[Any, ...]:
        return (type(self), self.lhs, _hashable(self.rhs))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Lookup):
            return NotImplemented  # lets the other side decide (mock.ANY equals anything)
        return self.identity() == other.identity()

    def __hash__(self) -> int:
        return hash(self.identity())

    def source_expressions(self) -> list[Any]:
        sources = [self.lhs]
        if getattr(self.rhs, "resolves_in_query", False):
            sources.append(self.rhs)
        return sources

    @property
    def contains_aggregate(self) -> bool:  # type: ignore[override]
        return any(getattr(source, "contains_aggregate", False) for source in self.source_expressions())

    # -- Django's API for a lookup that writes its own SQL ----------------------------

    def get_prep_lookup(self) -> Any:
        if not self.prepare_rhs or getattr(self.rhs, "resolves_in_query", False):
            return self.rhs
        if getattr(self.rhs, "_subquery_state", None) is not None:
            return self.rhs
        field = getattr(self.lhs, "output_field", None)
        if self.arity == 1 and field is not None and hasattr(field, "get_prep_value") and self.rhs is not None:
            return field.get_prep_value(self.rhs)
        return self.rhs

    def get_prep_lhs(self) -> Any:
        """The left side as an expression: a plain value becomes a Value (`GreaterThan(2, 1)`)."""
        return self.lhs if getattr(self.lhs, "resolves_in_query", False) else Value(self.lhs)

    def rhs_is_direct_value(self) -> bool:
        return not getattr(self.rhs, "resolves_in_query", False) and getattr(self.rhs, "_subquery_state", None) is None

    def get_db_prep_lookup(self, value: Any, connection: Any) -> tuple[str, list[Any]]:
        prepare = self.value_preparer
        return "%s", [prepare(value) if prepare is not None and value is not None else value]

    def process_lhs(self, compiler: Any, connection: Any, lhs: Any = None) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.lhs if lhs is None else lhs)
        return sql, list(params)

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        value = self.rhs
        if self.bilateral_transforms:
            if getattr(value, "_subquery_state", None) is not None:
                raise NotImplementedError("Bilateral transformations on nested querysets are not implemented.")
            if self.rhs_is_direct_value():
                value = Value(value, output_field=getattr(self.lhs, "output_field", None))
            value = self.apply_bilateral_transforms(value)
        if getattr(value, "resolves_in_query", False) or getattr(value, "_subquery_state", None) is not None:
            sql, params = compiler.compile(value)
            return sql, list(params)
        return self.get_db_prep_lookup(value, connection)

    def apply_bilateral_transforms(self, value: Any) -> Any:
        for transform in self.bilateral_transforms:
            value = transform(value)
        return value

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        raise NotImplementedError(f"{type(self).__name__} must define as_sql() to be used as a lookup.")

    # -- relata's own lookups: condition nodes ------------------------------------------

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        """This lookup used as an expression (in filter(), annotate(), order_by())."""
        if writes_own_sql(type(self)) or self.bilateral_transforms:
            from relata.models.lookups.bridge import custom_node

            return custom_node(self, builder), self.output_field
        rhs = self.rhs
        if self.arity == 1 and rhs is not None and self.rhs_is_direct_value() and self.lhs.output_field is None:
            # As in Django: a value compared with an expression whose type was unknown when the lookup was
            # made (F("year")) is sent as it is, not converted to the column's type (1942.1 stays a float).
            rhs = Value(rhs)
        lhs, field = self.lhs.resolve(builder)
        return builder.lookup_node(type(self), lhs, field, None, rhs), self.output_field

    def value_prep(self, field_prep: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
        pattern = self.value_pattern
        if pattern is None:
            return field_prep
        before, after = pattern

        # The value is text whatever the column holds (as Django: `pub_date__startswith="2005"`), so the
        # field's own conversion, which would parse it as a date, is not applied.
        def prepare(value: Any) -> Any:
            return f"{before}{escape_like(value)}{after}"

        return prepare

    def lhs_node(self) -> n.Node:
        return self.lhs.node

    def build(self, rhs: list[n.Node]) -> n.Node:
        return n.Lookup(self.sql_name, self.lhs_node(), rhs[0])

    def match_none(self) -> n.Node | None:
        """The condition for a None value (`name=None` is `IS NULL`); None where None is refused."""
        return n.IsNull(self.lhs_node()) if self.sql_name in ("exact", "iexact") else None


class Transform(RegisterLookupMixin, Func):
    """A function of one expression that a lookup path can name once registered (`name__lower`)."""

    is_transform = True
    arity = 1
    #: Applied to the right-hand value too (`name__upper="doe"` compares UPPER(name) with UPPER('doe')).
    bilateral: ClassVar[bool] = False

    @property
    def lhs(self) -> Any:
        return self.source[0]

    def get_bilateral_transforms(self) -> list[Any]:
        below = getattr(self.lhs, "get_bilateral_transforms", None)
        transforms = below() if below is not None else []
        if self.bilateral:
            transforms.append(type(self))
        return transforms

    def transform_field(self) -> Any:
        """The field this transform yields, known before any SQL (lookups after it are that field's)."""
        declared = self.output_field
        if declared is not None:
            return declared
        source = self.lhs
        typed = getattr(source, "transform_field", None)
        field = typed() if typed is not None else getattr(source, "output_field", None)
        return self.resolve_output([field])

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        if writes_own_sql(type(self)):
            from relata.models.lookups.bridge import custom_node

            return custom_node(self, builder), self.transform_field()
        return super().resolve(builder)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        """Django's default: `template` filled with `function` and the compiled argument."""
        sql, params = compiler.compile(self.lhs)
        template = extra.get("template") or getattr(self, "template", None) or "%(function)s(%(expressions)s)"
        return template % {"function": extra.get("function", self.function), "expressions": sql}, list(params)


class NodeTransform(Expression):
    """A transform object of relata's own older form (`node(lhs)` and `output_field`), e.g. a JSON key."""

    def __init__(self, transform: Any, lhs: Any):
        self.transform, self.lhs = transform, lhs
        self.output_field = transform.output_field

    def identity(self) -> tuple[Any, ...]:
        return (NodeTransform, id(self.transform), self.lhs)

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        node, _ = self.lhs.resolve(builder)
        return self.transform.node(node), self.output_field
