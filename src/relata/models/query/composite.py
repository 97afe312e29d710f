"""Filters on a CompositePrimaryKey, rewritten into filters on its parts.

`pk=(1, 2)` becomes `tenant=1 AND id=2`; `pk__in` an OR of those; `pk__gt`
and friends the row-value order (`a > x OR (a = x AND b > y)`), spelled out so
every backend runs it; `pk__isnull` asks each part. The rewrite happens when
filter() records the condition, so the builder and the compile cache see
plain leaves.
"""

from __future__ import annotations

from typing import Any

from relata.exceptions import FieldError
from relata.models.fields.composite import is_composite
from relata.models.fields.reverse_related import ForeignObjectRel
from relata.models.query.joins import resolve_names

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
    if getattr(value, "_subquery_state", None) is not None or getattr(value, "resolves_in_query", False):
        raise ValueError(
            f"'{lookup}' lookup of 'pk' compares a tuple of values; a subquery or an expression on a "
            "composite primary key is not supported yet: filter on the key's fields instead."
        )
    if not isinstance(value, tuple | list):
        raise ValueError(f"'{lookup}' lookup of 'pk' must be a tuple or a list")
    if len(value) != width:
        raise ValueError(f"'{lookup}' lookup of 'pk' must have {width} elements")
    return tuple(value)


def _in(names: list[str], value: Any) -> tuple[Any, ...]:
    if getattr(value, "_subquery_state", None) is not None or getattr(value, "resolves_in_query", False):
        _checked(value, "in", len(names))
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise ValueError("'in' lookup of 'pk' must be a tuple or a list")
    rows = list(value)
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
