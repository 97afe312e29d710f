"""Checking lookup paths when filter(), exclude() and order_by() are called, as Django does.

Compiling resolves every path again (it must build the joins); this check only
makes a bad name fail at the call that wrote it, with the valid choices. A
path found valid is remembered per model, so it costs one lookup after; the
memory is bounded, since a path can carry JSON keys a client chose.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from relata.models.fields.lookup_registry import LOOKUPS
from relata.models.lookups.paths import ResolvedLookup, lookup_start, resolve_lookup
from relata.models.query.joins import resolve_names

#: How many valid (model, path) pairs are remembered, each with the lookup registry's version it was
#: checked at; the least recently used go first.
VALID_LIMIT = 2048
_VALID: OrderedDict[tuple[Any, str], int] = OrderedDict()


def _known(model: Any, path: str) -> bool:
    key = (model, path)
    if _VALID.get(key) != LOOKUPS.version:  # unknown, or found valid before a lookup was (un)registered
        return False
    try:
        _VALID.move_to_end(key)
    except KeyError:  # dropped by another thread in between: still valid
        pass
    return True


def _remember(model: Any, path: str) -> None:
    _VALID[(model, path)] = LOOKUPS.version
    while len(_VALID) > VALID_LIMIT:
        try:
            _VALID.popitem(last=False)
        except KeyError:  # another thread emptied it
            break


def check_where(model: Any, tree: tuple[Any, ...], annotations: tuple[str, ...]) -> None:
    """Raise FieldError for the first leaf of a where tree that names no field, transform or lookup."""
    kind = tree[0]
    if kind == "leaf":
        value = tree[2]
        needs_lookup = value is None or getattr(value, "_subquery_state", None) is not None
        found = check_lookup(model, tree[1], annotations, needs_lookup)
        if tree[2] is None:
            check_none_allowed(found, tree[1])
        if getattr(tree[2], "_subquery_state", None) is not None:
            if found is not None and found.bilateral():
                raise NotImplementedError("Bilateral transformations on nested querysets are not implemented.")
            if found is not None:
                check_queryset_model(tree[2], found)
            if tree[1].endswith("__in"):
                check_in_subquery(tree[2])
            elif found is not None and getattr(found.lookup, "sql_name", "") == "exact":
                check_exact_subquery(tree[2])
    elif kind != "expr":
        for child in tree[2]:
            check_where(model, child, annotations)


def check_lookup(model: Any, path: str, annotations: tuple[str, ...], resolve: bool = False) -> ResolvedLookup | None:
    """The path's lookup, resolved (None for a path known valid unless `resolve`, or one starting at an annotation)."""
    if not resolve and _known(model, path):
        return None
    parts = path.split("__")
    if any("__".join(parts[:size]) in annotations for size in range(len(parts), 0, -1)):
        return None  # annotations are resolved with the query
    resolved = resolve_names(model, parts, annotations)
    found = resolve_lookup(lookup_start(None, resolved), resolved.rest, path)
    if not found.bilateral():
        _remember(model, path)
    return found


def check_none_allowed(found: ResolvedLookup | None, path: str) -> None:
    """None means SQL NULL only for exact and iexact, as in Django; elsewhere it is a mistake."""
    if found is None or getattr(found.lookup, "can_use_none_as_rhs", False):
        return
    name = found.name
    if name not in ("exact", "iexact", "isnull"):
        prefix = path[: -len(name)] if path.endswith(name) else path + "__"
        raise ValueError(
            f"Cannot use None as a query value with the '{name}' lookup ({path}=None): None means NULL only "
            f"for exact and iexact; use {prefix}isnull=True."
        )


def check_in_subquery(queryset: Any) -> None:
    """`__in` compares one column: a values() queryset must select exactly one."""
    sub_state, fields = queryset._subquery_state()
    if fields is None:
        return  # a model queryset selects its primary key
    count = len(fields) if fields else len(sub_state.model._meta.concrete_fields)
    if count != 1:
        raise ValueError(f"The QuerySet value for the 'in' lookup must have 1 selected fields (received {count})")


def check_queryset_model(queryset: Any, found: ResolvedLookup) -> None:
    """A model queryset compared with a relation must list that relation's model (or a parent or child)."""
    sub_state, fields = queryset._subquery_state()
    relation = getattr(found.lhs, "lookup_registry", None)
    target = getattr(relation, "related_model", None) if relation is not None else None
    if fields is not None or sub_state.values is not None or not isinstance(target, type):
        return
    model = sub_state.model
    if _same_rows(model, target) or (getattr(relation, "primary_key", False) and _same_rows(model, relation.model)):
        return
    raise ValueError(
        f'Cannot use QuerySet for "{model._meta.object_name}": Use a QuerySet for "{target._meta.object_name}".'
    )


def _same_rows(model: Any, target: Any) -> bool:
    """Whether rows of `model` can stand for rows of `target`: the same concrete model, a parent or a child."""
    concrete, target_concrete = model._meta.concrete_model, target._meta.concrete_model
    return concrete is target_concrete or issubclass(concrete, target_concrete) or issubclass(target_concrete, concrete)


def check_exact_subquery(queryset: Any) -> None:
    """`author=queryset` compares with one row of one column: the queryset must say so (as in Django)."""
    sub_state, fields = queryset._subquery_state()
    if fields is not None:
        count = len(fields) if fields else len(sub_state.model._meta.concrete_fields)
        if count != 1:
            raise ValueError(f"The QuerySet value for the exact lookup must have 1 selected fields (received {count})")
    if sub_state.high is None or sub_state.high - sub_state.low != 1:
        raise ValueError(
            "The QuerySet value for an exact lookup must be limited to one result using slicing: "
            "add [:1] (or .filter() it down and slice) to the queryset."
        )


def check_ordering(model: Any, names: tuple[Any, ...], annotations: tuple[str, ...]) -> None:
    for name in names:
        if not isinstance(name, str) or name == "?":
            continue
        path = name.lstrip("-+")
        if path in annotations or _known(model, path):
            continue
        parts = path.split("__")
        if any("__".join(parts[:size]) in annotations for size in range(len(parts) - 1, 0, -1)):
            continue  # transforms of an annotation are resolved with the query
        resolve_names(model, path.split("__"), annotations)
        _remember(model, path)
