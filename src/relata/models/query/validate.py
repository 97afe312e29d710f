"""Checking lookup paths when filter(), exclude() and order_by() are called, as Django does.

Compiling resolves every path again (it must build the joins); this check only
makes a bad name fail at the call that wrote it, with the valid choices. A
path found valid is remembered per model, so it costs one lookup after; the
memory is bounded, since a path can carry JSON keys a client chose.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from relata.exceptions import FieldError
from relata.models.query.build import _relation_preparer as relation_preparer
from relata.models.query.build import _unsupported_lookup as unsupported_lookup
from relata.models.query.joins import resolve_names

#: How many valid (model, path) pairs are remembered; the least recently used go first.
VALID_LIMIT = 2048
_VALID: OrderedDict[tuple[Any, str], Any] = OrderedDict()


def _known(model: Any, path: str) -> Any:
    """The resolved path remembered for `path` on `model`, or None."""
    key = (model, path)
    resolved = _VALID.get(key)
    if resolved is None:
        return None
    try:
        _VALID.move_to_end(key)
    except KeyError:  # dropped by another thread in between: still valid
        pass
    return resolved


def _remember(model: Any, path: str, resolved: Any) -> None:
    _VALID[(model, path)] = resolved
    while len(_VALID) > VALID_LIMIT:
        try:
            _VALID.popitem(last=False)
        except KeyError:  # another thread emptied it
            break


def check_where(model: Any, tree: tuple[Any, ...], annotations: tuple[str, ...]) -> None:
    """Raise FieldError for the first leaf of a where tree that names no field, transform or lookup."""
    kind = tree[0]
    if kind == "leaf":
        check_lookup(model, tree[1], annotations)
        if tree[2] is None:
            check_none_allowed(model, tree[1], annotations)
        if tree[1].endswith("__in") and getattr(tree[2], "_subquery_state", None) is not None:
            check_in_subquery(tree[2])
        check_related_value(model, tree[1], tree[2], annotations)
    elif kind != "expr":
        for child in tree[2]:
            check_where(model, child, annotations)


def check_lookup(model: Any, path: str, annotations: tuple[str, ...]) -> None:
    if _known(model, path) is not None:
        return
    parts = path.split("__")
    if any("__".join(parts[:size]) in annotations for size in range(len(parts), 0, -1)):
        return  # annotations are resolved with the query
    resolved = resolve_names(model, parts, annotations)
    field = out_field = resolved.field
    rest = resolved.rest
    while rest and hasattr(out_field, "get_transform") and out_field.get_transform(rest[0]) is not None:
        transform = out_field.get_transform(rest[0])
        typed = getattr(transform, "transform_output_field", None)  # a function: typed by its input
        out_field, rest = (typed(out_field) if typed else transform.output_field), rest[1:]
    if len(rest) > 1 or (out_field is not None and out_field.get_lookup(rest[0] if rest else "exact") is None):
        raise FieldError(unsupported_lookup(field, rest, path))
    _remember(model, path, resolved)


def check_none_allowed(model: Any, path: str, annotations: tuple[str, ...]) -> None:
    """None means SQL NULL only for exact and iexact, as in Django; elsewhere it is a mistake."""
    parts = path.split("__")
    if any("__".join(parts[:size]) in annotations for size in range(len(parts), 0, -1)):
        return
    resolved = resolve_names(model, parts, annotations)
    out_field, rest = resolved.field, resolved.rest
    while rest and hasattr(out_field, "get_transform") and out_field.get_transform(rest[0]) is not None:
        out_field, rest = out_field.get_transform(rest[0]).output_field, rest[1:]
    name = rest[0] if rest else "exact"
    if name not in ("exact", "iexact", "isnull"):
        raise ValueError(
            f"Cannot use None as a query value with the '{name}' lookup ({path}=None): None means NULL only "
            f"for exact and iexact; use {'__'.join(parts[: len(parts) - len(rest)])}__isnull=True."
        )


#: Lookups on a relation whose value is one related object (or key) or several.
_ONE_VALUE = frozenset(("exact", "gt", "gte", "lt", "lte"))
_SEVERAL_VALUES = frozenset(("in", "range"))


def check_related_value(model: Any, path: str, value: Any, annotations: tuple[str, ...]) -> None:
    """A value compared with a relation must be a saved instance of its model, its key, or a queryset of
    that model, as Django checks when filter() is called (not first when the rows are read)."""
    if value is None or getattr(value, "resolves_in_query", False):
        return
    resolved = _known(model, path)
    if resolved is None:
        return  # an annotation's path: resolved with the query
    target = resolved.value_model
    lookup = resolved.rest[0] if resolved.rest else "exact"
    if target is None or len(resolved.rest) > 1 or lookup not in _ONE_VALUE | _SEVERAL_VALUES:
        return
    if getattr(value, "_subquery_state", None) is not None:
        _check_queryset_model(value, target, resolved.relation)
        return
    if lookup not in _SEVERAL_VALUES:
        values: Any = (value,)
    elif isinstance(value, list | tuple | set | frozenset):
        values = value
    else:
        return  # an iterator is read once, when the query is built: never consume it here
    prepare = relation_preparer(resolved.value_field, target, resolved.value_field.get_prep_value)
    for item in values:
        if getattr(item, "resolves_in_query", False) or getattr(item, "_subquery_state", None) is not None:
            continue
        prepare(item)


def _check_queryset_model(queryset: Any, target: Any, relation: Any = None) -> None:
    _state, fields = queryset._subquery_state()
    given = queryset.model
    if fields is not None or given._meta.concrete_model is target._meta.concrete_model:
        return
    if issubclass(given, target) or issubclass(target, given):
        return  # a parent or child of the target: the same primary keys
    if getattr(relation, "primary_key", False) and issubclass(given, relation.model):
        return  # the relation is the model's primary key: its rows' keys are the target's keys
    raise ValueError(
        f'Cannot use QuerySet for "{given._meta.object_name}": Use a QuerySet for "{target._meta.object_name}".'
    )


def check_in_subquery(queryset: Any) -> None:
    """`__in` compares one column: a values() queryset must select exactly one."""
    sub_state, fields = queryset._subquery_state()
    if fields is None:
        return  # a model queryset selects its primary key
    count = len(fields) if fields else len(sub_state.model._meta.concrete_fields)
    if count != 1:
        raise ValueError(f"The QuerySet value for the 'in' lookup must have 1 selected fields (received {count})")


def check_ordering(model: Any, names: tuple[Any, ...], annotations: tuple[str, ...]) -> None:
    for name in names:
        if not isinstance(name, str) or name == "?":
            continue
        path = name.lstrip("-+")
        if path in annotations or _known(model, path) is not None:
            continue
        parts = path.split("__")
        if any("__".join(parts[:size]) in annotations for size in range(len(parts) - 1, 0, -1)):
            continue  # transforms of an annotation are resolved with the query
        _remember(model, path, resolve_names(model, path.split("__"), annotations))
