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
from relata.models.fields.lookup_registry import LOOKUPS
from relata.models.lookups.paths import ResolvedLookup, lookup_start, resolve_lookup
from relata.models.query.joins import resolve_names
from relata.models.query.relation_values import relation_preparer

#: How many valid (model, path) pairs are remembered, each with the lookup registry's version it was
#: checked at; the least recently used go first.
VALID_LIMIT = 2048
_VALID: OrderedDict[tuple[Any, str], tuple[int, Any]] = OrderedDict()


def _known(model: Any, path: str) -> Any:
    """The resolved path remembered for `path` on `model`, or None."""
    key = (model, path)
    known = _VALID.get(key)
    if known is None or known[0] != LOOKUPS.version:  # unknown, or found valid before a lookup was (un)registered
        return None
    resolved = known[1]
    try:
        _VALID.move_to_end(key)
    except KeyError:  # dropped by another thread in between: still valid
        pass
    return resolved


def _remember(model: Any, path: str, resolved: Any) -> None:
    _VALID[(model, path)] = (LOOKUPS.version, resolved)
    while len(_VALID) > VALID_LIMIT:
        try:
            _VALID.popitem(last=False)
        except KeyError:  # another thread emptied it
            break


def check_where(model: Any, tree: tuple[Any, ...], annotations: tuple[str, ...]) -> None:
    """Raise FieldError for the first leaf of a where tree that names no field, transform or lookup."""
    kind = tree[0]
    if kind == "leaf":
        path, value = tree[1], tree[2]
        queryset = getattr(value, "_subquery_state", None) is not None
        found = check_lookup(model, path, annotations, resolve=value is None or queryset)
        if value is None:
            check_none_allowed(found, path)
        if queryset and found is not None and found.bilateral():
            raise NotImplementedError("Bilateral transformations on nested querysets are not implemented.")
        if queryset and path.endswith("__in"):
            check_in_subquery(value)
        check_related_value(model, path, value, annotations)
        if queryset and found is not None and getattr(found.lookup, "sql_name", "") == "exact":
            check_exact_subquery(value)
    elif kind != "expr":
        for child in tree[2]:
            check_where(model, child, annotations)


def check_lookup(model: Any, path: str, annotations: tuple[str, ...], resolve: bool = False) -> ResolvedLookup | None:
    """The path's lookup, resolved (None for a path known valid unless `resolve`, or one starting at an annotation)."""
    if not resolve and _known(model, path) is not None:
        return None
    parts = path.split("__")
    if any("__".join(parts[:size]) in annotations for size in range(len(parts), 0, -1)):
        return None  # annotations are resolved with the query
    resolved = resolve_names(model, parts, annotations)
    found = resolve_lookup(lookup_start(None, resolved), resolved.rest, path)
    if not found.bilateral():
        _remember(model, path, resolved)
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
        _check_queryset_model(value, target, resolved.field)
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


def _check_queryset_model(queryset: Any, target: Any, field: Any) -> None:
    _state, fields = queryset._subquery_state()
    given = queryset.model
    if fields is not None or _same_keys(given, target):
        return
    if getattr(field, "primary_key", False) and _same_keys(given, field.model):
        return  # the relation is the model's own key (place_id__in=Restaurant rows): as Django allows
    raise ValueError(
        f'Cannot use QuerySet for "{given._meta.object_name}": Use a QuerySet for "{target._meta.object_name}".'
    )


def _same_keys(given: Any, target: Any) -> bool:
    """The same concrete model, or a parent or child of it: rows with the same primary keys."""
    return (
        given._meta.concrete_model is target._meta.concrete_model
        or issubclass(given, target)
        or issubclass(target, given)
    )


def check_in_subquery(queryset: Any) -> None:
    """`__in` compares one column: a values() queryset must select exactly one."""
    sub_state, fields = queryset._subquery_state()
    if fields is None:
        return  # a model queryset selects its primary key
    count = len(fields) if fields else len(sub_state.model._meta.concrete_fields)
    if count != 1:
        raise ValueError(f"The QuerySet value for the 'in' lookup must have 1 selected fields (received {count})")


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
        if path in annotations or _known(model, path) is not None:
            continue
        parts = path.split("__")
        if any("__".join(parts[:size]) in annotations for size in range(len(parts) - 1, 0, -1)):
            continue  # transforms of an annotation are resolved with the query
        _remember(model, path, resolve_names(model, path.split("__"), annotations))


def refuse_aggregate_of_aggregate(expression: Any, aggregated: set[str]) -> None:
    """`annotate(Max("id")).annotate(Sum("id__max"))`: SQL cannot nest aggregates; say so at the call."""
    if not getattr(expression, "contains_aggregate", False) or not aggregated:
        return
    from relata.models.expressions import Aggregate, F

    for source in getattr(expression, "source", ()):
        if isinstance(source, F) and source.name in aggregated and isinstance(expression, Aggregate):
            raise FieldError(
                f"Cannot compute {expression.name}('{source.name}'): '{source.name}' is an aggregate. "
                "An aggregate cannot contain another: aggregate() the annotated queryset instead."
            )


def check_values_path(model: Any, name: str) -> None:
    """A values() name must reach a field, then only transforms (`pub_date__year`), as in Django."""
    from relata.models.expressions import Resolved
    from relata.models.lookups.conditions import apply_transform_names
    from relata.models.query.joins import field_choices, resolve_names

    resolved = resolve_names(model, name.split("__"))
    field = resolved.field
    if resolved.rest and resolved.relation is field and resolved.value_field is not None:
        field = resolved.value_field  # transforms of a foreign key read the key it holds (`date__month`)
    _, rest = apply_transform_names(Resolved(None, field), resolved.rest)
    if not rest:
        return
    if resolved.value_model is not None:
        choices = field_choices(resolved.value_model._meta, ())
        raise FieldError(f"Cannot resolve keyword '{rest[0]}' into field. Choices are: {choices}")
    raise FieldError(f"Cannot resolve keyword '{rest[0]}' into field. Join on '{resolved.field.name}' not permitted.")


def unique_by_constraint(opts: Any, name: str) -> bool:
    for constraint in opts.constraints:
        fields = getattr(constraint, "fields", ())
        if tuple(fields) == (name,) and getattr(constraint, "condition", None) is None:
            return True
    return (name,) in opts.unique_together
