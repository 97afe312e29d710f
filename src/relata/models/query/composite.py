"""Filters on a CompositePrimaryKey (or a relation to one), rewritten into filters on its parts.

`pk=(1, 2)` becomes `tenant=1 AND id=2`; `pk__in` an OR of those; `pk__gt` and
friends the row-value order (`a > x OR (a = x AND b > y)`), spelled out so every
backend runs it; `pk__isnull` asks each part. A queryset becomes `(a, b) IN
(SELECT ...)` (KeyInSubquery), an OuterRef a comparison part by part (KeyEqualsRef).
The rewrite happens when filter() records the condition: the builder sees plain leaves.
"""

from __future__ import annotations

from typing import Any

from relata.exceptions import FieldError
from relata.models.expressions import Exists, Expression, OuterRef, Subquery
from relata.models.fields.composite import is_composite
from relata.models.fields.reverse_related import ForeignObjectRel
from relata.models.query.joins import resolve_names
from relata.sql import nodes as n

_ORDER = {"gt": ("gt", False), "gte": ("gt", True), "lt": ("lt", False), "lte": ("lt", True)}


def expand_where(model: Any, tree: tuple[Any, ...]) -> tuple[Any, ...]:
    """`tree` with every leaf that names a composite key replaced by conditions on its parts."""
    kind = tree[0]
    if kind == "expr" or not model._meta.apps.has_composite_keys:
        return tree
    if kind == "leaf":
        return _expand_leaf(model, tree)
    connector, negated, children = tree
    expanded = tuple(expand_where(model, child) for child in children)
    if all(new is old for new, old in zip(expanded, children, strict=True)):
        return tree
    return (connector, negated, expanded)


def _expand_leaf(model: Any, tree: tuple[Any, ...]) -> tuple[Any, ...]:
    path, value = tree[1], tree[2]
    parts = path.split("__")
    try:
        resolved = resolve_names(model, parts)
    except FieldError:
        return tree  # the builder reports the bad name with the choices
    key = resolved.field
    if not is_composite(key):
        return tree
    relation = resolved.relation
    if relation is not None:
        # A relation to a model keyed by several fields (user=obj): compared by that model's key parts.
        value = _key_of(value, relation)
    if len(resolved.rest) > 1:
        joined = "__".join(resolved.rest)
        raise FieldError(f"Unsupported lookup '{joined}' for CompositePrimaryKey: it takes no transforms.")
    lookup = resolved.rest[0] if resolved.rest else "exact"
    names = _part_names(resolved, parts)
    if lookup == "isnull":
        return _node("OR" if value else "AND", [("leaf", f"{name}__isnull", value) for name in names])
    if lookup in ("exact", "in") and _is_queryset(value):
        _check_width(getattr(value, "queryset", value), len(names))
        return ("expr", KeyInSubquery(tuple(names), value))
    if lookup == "exact" and _is_outer_ref(value):
        return ("expr", KeyEqualsRef(tuple(names), value))
    if lookup == "exact":
        return _node("AND", _equal(names, _checked(value, lookup, len(names))))
    if lookup == "in":
        return _in(names, value)
    if lookup in _ORDER:
        return _ordered(names, _checked(value, lookup, len(names)), *_ORDER[lookup])
    raise FieldError(
        f"Unsupported lookup '{lookup}' for CompositePrimaryKey; use exact, in, gt, gte, lt, lte or isnull."
    )


def _key_of(value: Any, relation: Any) -> Any:
    """A model instance stands for the values the relation compares; lists of instances (`__in`) likewise."""
    if getattr(value, "_meta", None) is not None:
        return _instance_key(value, relation)
    if isinstance(value, list | tuple | set | frozenset):
        return [_instance_key(v, relation) if getattr(v, "_meta", None) is not None else v for v in value]
    return value


def _instance_key(instance: Any, relation: Any) -> tuple[Any, ...]:
    if isinstance(relation, ForeignObjectRel):
        return instance.pk
    return relation.get_foreign_related_value(instance)


def _checked(value: Any, lookup: str, width: int) -> tuple[Any, ...]:
    if (getattr(value, "resolves_in_query", False) or hasattr(type(value), "lookup_name")) and not _is_outer_ref(value):
        kind = type(value).__name__
        raise ValueError(
            f"'{lookup}' subquery lookup of 'pk' only supports OuterRef and QuerySet objects (received '{kind}')"
        )
    if not isinstance(value, tuple | list):
        raise ValueError(f"'{lookup}' lookup of 'pk' must be a tuple or a list")
    if len(value) != width:
        raise ValueError(f"'{lookup}' lookup of 'pk' must have {width} elements")
    return tuple(value)


def _is_outer_ref(value: Any) -> bool:
    return isinstance(value, OuterRef)


def _check_width(queryset: Any, width: int) -> None:
    """A queryset compared with a key must select one column per part of it (known before any SQL)."""
    model, values = queryset.model, queryset._state.values
    if values is None:
        selected = len(model._meta.pk_fields)
    else:
        selected = sum(len(composite_part_paths(model, name) or (name,)) for name in values) if values else 0
    if selected and selected != width:
        raise ValueError(
            f"The QuerySet value for the 'in' lookup must have {width} selected fields (received {selected})"
        )


def _is_queryset(value: Any) -> bool:
    """A queryset, or a Subquery() of one: the rows a key is compared with."""
    if isinstance(value, Subquery) and not isinstance(value, Exists):
        return True
    return getattr(value, "_subquery_state", None) is not None and hasattr(value, "query_key")


def _in(names: list[str], value: Any) -> tuple[Any, ...]:
    if getattr(value, "resolves_in_query", False):
        _checked(value, "in", len(names))
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise ValueError("'in' lookup of 'pk' must be a tuple or a list")
    # A row with a NULL part names no row (NULL equals nothing): leave it out, as Django does.
    rows = [row for row in value if not (isinstance(row, tuple | list) and None in row)]
    if not rows:
        return ("leaf", f"{names[0]}__in", [])  # matches nothing, and runs no query, as `pk__in=[]`
    for row in rows:
        if not isinstance(row, tuple | list):
            raise ValueError("'in' lookup of 'pk' must be a collection of tuples or lists")
        if len(row) != len(names):
            raise ValueError(f"'in' lookup of 'pk' must have {len(names)} elements each")
    return _node("OR", [_node("AND", _equal(names, row)) for row in rows])


def _equal(names: list[str], values: Any) -> list[tuple[Any, ...]]:
    return [("leaf", name, part) for name, part in zip(names, values, strict=True)]


def _ordered(names: list[str], values: tuple[Any, ...], direction: str, inclusive: bool) -> tuple[Any, ...]:
    """Row-value order: the first differing part decides; with `inclusive`, equal rows match too."""
    alternatives = []
    for index, name in enumerate(names):
        last = index == len(names) - 1
        op = f"{direction}e" if last and inclusive else direction
        alternatives.append(
            _node("AND", [*_equal(names[:index], values[:index]), ("leaf", f"{name}__{op}", values[index])])
        )
    return _node("OR", alternatives)


def _node(connector: str, children: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    return children[0] if len(children) == 1 else (connector, False, tuple(children))


def _part_names(resolved: Any, parts: list[str]) -> list[str]:
    """The paths of the columns a path ending on a composite key compares: the key's parts, or for a
    forward ForeignObject its own columns (no join needed)."""
    relation = resolved.relation
    named = len(parts) - len(resolved.rest) - (relation is None)
    prefix = "__".join(parts[:named])
    if relation is not None and not isinstance(relation, ForeignObjectRel):
        before = prefix.rpartition("__")[0]
        return [f"{before}__{f.name}" if before else f.name for f in relation.local_related_fields]
    return [f"{prefix}__{f.name}" if prefix else f.name for f in resolved.field.fields]


def composite_part_paths(model: Any, path: str) -> list[str] | None:
    """The paths of the columns behind `path` when it ends on a composite key (order_by("pk"),
    values("user") of a ForeignObject to one), else None."""
    if not model._meta.apps.has_composite_keys:
        return None
    parts = path.split("__")
    try:
        resolved = resolve_names(model, parts)
    except FieldError:
        return None
    if not is_composite(resolved.field) or resolved.rest:
        return None
    return _part_names(resolved, parts)


class KeyInSubquery(Expression):
    """`(a, b) IN (SELECT a, b ...)`: a composite key, or a relation to one, compared with a queryset's rows."""

    conditional = True

    def __init__(self, names: tuple[str, ...], queryset: Any):
        self.names, self.queryset = names, getattr(queryset, "queryset", queryset)

    def identity(self) -> tuple[Any, ...]:
        return (KeyInSubquery, self.names, self.queryset.query_key())

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        columns = [builder.resolve_ref(name)[0] for name in self.names]
        select, _fields = builder.subquery(self.queryset)
        selected = len(getattr(select, "columns", ()))
        if selected and selected != len(columns):
            raise ValueError(
                f"The QuerySet value for the 'in' lookup must have {len(columns)} selected fields (received {selected})"
            )
        return n.In(n.Row(tuple(columns)), select), None


class KeyEqualsRef(Expression):
    """`pk=OuterRef("pk")`: each part of the key equals the matching part of the outer query's key."""

    conditional = True

    def __init__(self, names: tuple[str, ...], ref: Any):
        self.names, self.ref = names, ref

    def identity(self) -> tuple[Any, ...]:
        return (KeyEqualsRef, self.names, self.ref)

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        columns = [builder.resolve_ref(name)[0] for name in self.names]
        outer, _field = self.ref.resolve(builder)
        if type(outer) is not n.Row or len(outer.items) != len(columns):
            raise ValueError("Composite field lookups only work with composite expressions.")
        pairs = zip(columns, outer.items, strict=True)
        return n.And(tuple(n.Lookup("exact", column, item) for column, item in pairs)), None
