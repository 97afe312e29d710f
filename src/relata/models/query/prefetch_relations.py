"""Prefetching each relation kind relata defines: forward and reverse, single and many.

Each kind answers `get_prefetch_querysets()` (Django's protocol: the queryset
plus how to match its rows to the instances) and also has a one-pass loader
that runs the same query and stores each instance's share as it goes; the
loaders serve prefetch_related() for relata's own descriptors and managers.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from operator import attrgetter
from typing import Any

from relata.deprecation import RemovedInDjango60Warning
from relata.exceptions import FieldError, NotSupportedError
from relata.models.instance_state import db_of

#: The annotation a many-to-many prefetch reads each row's owner key from.
M2M_MARKER = "_prefetch_related_val"


def check_querysets(querysets: Any) -> Any:
    """The one queryset of a relation's `querysets` argument (or None); more is a mistake."""
    if querysets and len(querysets) != 1:
        raise ValueError("querysets argument of get_prefetch_querysets() should have a length of 1.")
    return querysets[0] if querysets else None


def warn_singular(method: Any, instances: list[Any], queryset: Any) -> Any:
    """Django 5.0's deprecated get_prefetch_queryset(): the plural method with a one-item list."""
    warnings.warn(
        "get_prefetch_queryset() is deprecated. Use get_prefetch_querysets() instead.",
        RemovedInDjango60Warning,
        stacklevel=3,
    )
    return method(instances, None if queryset is None else [queryset])


def _db_of(objs: list[Any]) -> str:
    return db_of(objs[0]) or "default"


def _unique(values: Any) -> list[Any]:
    return list(dict.fromkeys(v for v in values if v is not None))


def _unordered(queryset: Any) -> Any:
    """Each instance gets at most one row: order does not matter, unless it picks the rows (a slice, DISTINCT ON)."""
    state = queryset._state
    if state.is_sliced or state.distinct_fields:
        return queryset
    return queryset.order_by()


def filter_in(queryset: Any, lookup: str, values: list[Any], partition: str | None = None) -> Any:
    """`queryset` narrowed to rows whose `lookup` is among `values`.

    A sliced queryset (`Prefetch("books", Book.objects.all()[:3])`) is sliced per
    instance: rows are numbered within each `partition` (the key the rows share
    with their instance) and the slice applies to those numbers.
    """
    state = queryset._state
    if not state.is_sliced:
        return queryset.filter(**{f"{lookup}__in": values})
    if not queryset._connection.features.supports_over_clause:
        raise NotSupportedError(
            "Prefetching from a limited queryset is only supported on backends that support window functions."
        )
    from relata.models.expressions import F
    from relata.models.functions import RowNumber
    from relata.models.window import Window

    window = Window(RowNumber(), partition_by=F(partition or lookup), order_by=list(_ordering(queryset)) or None)
    limits = {"_prefetch_row__gt": state.low}
    if state.high is not None:
        limits["_prefetch_row__lte"] = state.high
    whole = queryset._clone(low=0, high=None)
    return whole.filter(**{f"{lookup}__in": values}).alias(_prefetch_row=window).filter(**limits)


def _ordering(queryset: Any) -> tuple[Any, ...]:
    """The order the queryset's rows come in (its order_by, else its model's Meta.ordering)."""
    state = queryset._state
    order = state.order_by
    if order is None:
        order = tuple(queryset.model._meta.ordering) if state.default_ordering else ()
    if not state.reversed:
        return tuple(order)
    flipped = []
    for item in order:
        if isinstance(item, str):
            flipped.append(item[1:] if item.startswith("-") else f"-{item}")
        else:
            flipped.append(item.reverse_ordering() if hasattr(item, "reverse_ordering") else item.desc())
    return tuple(flipped)


def _batched_in(queryset: Any, lookup: str, values: list[Any], partition: str | None = None) -> list[Any]:
    """The rows matching `values`, in as many queries as the database's parameter limit needs."""
    limit = queryset._connection.features.max_query_params or 10000
    size = max(1, limit - 50)
    if len(values) <= size:
        return list(filter_in(queryset, lookup, values, partition))
    rows: list[Any] = []
    for start in range(0, len(values), size):
        rows.extend(filter_in(queryset, lookup, values[start : start + size], partition))
    return rows


def _by_keys(queryset: Any, attnames: tuple[str, ...], keys: list[tuple[Any, ...]]) -> list[Any]:
    """The rows whose `attnames` hold one of `keys` (tuples): IN for one column, OR-ed pairs for several."""
    from relata.models.q import Q

    if len(attnames) == 1:
        return _batched_in(queryset, attnames[0], [key[0] for key in keys])
    limit = queryset._connection.features.max_query_params or 10000
    size = max(1, (limit - 50) // len(attnames))
    rows: list[Any] = []
    for start in range(0, len(keys), size):
        condition = Q()
        for key in keys[start : start + size]:
            condition |= Q(**dict(zip(attnames, key, strict=True)))
        rows.extend(queryset.filter(condition))
    return rows


def _keys(objs: list[Any], values: Any) -> list[tuple[Any, ...]]:
    """Each object's key (a tuple from `values(obj)`), once, leaving out those holding a NULL."""
    return list(dict.fromkeys(key for key in map(values, objs) if None not in key))


def store_many(obj: Any, cache_name: str, items: list[Any], to_attr: str | None, source: Any = None) -> None:
    """Give `obj` its share: a list on `to_attr`, or the list behind its manager's querysets.

    With `source` (the Prefetch's queryset), a queryset chained from the
    manager later (`author.books.all().filter(...)`) starts from it, as in Django.
    """
    if to_attr:
        setattr(obj, to_attr, items)
        return
    if source is not None and not source._state.is_sliced:  # a slice was per instance: no queryset repeats it
        items = PrefetchedRows(items)
        items.queryset = source
    cache = obj.__dict__.get("_prefetched_objects_cache")
    if cache is None:
        cache = obj.__dict__["_prefetched_objects_cache"] = {}
    cache[cache_name] = items


class PrefetchedRows(list):
    """An instance's prefetched rows that came from a Prefetch queryset, which they keep."""

    queryset: Any = None

    def __reduce__(self) -> Any:
        # The queryset travels as a query: pickling it must not run it.
        return _rows_back, (list(self), None if self.queryset is None else self.queryset._query_only())


def _rows_back(rows: list[Any], queryset: Any) -> PrefetchedRows:
    loaded = PrefetchedRows(rows)
    loaded.queryset = queryset
    return loaded


def without_lookups(queryset: Any) -> Any:
    """`queryset` minus its own prefetch_related() lookups: the caller follows them as nested lookups."""
    if queryset is None or not queryset._prefetch_lookups:
        return queryset
    return queryset.prefetch_related(None)


# -- forward: book.author ------------------------------------------------------------------


def forward_querysets(descriptor: Any, instances: list[Any], querysets: Any) -> tuple[Any, ...]:
    field = descriptor.field
    queryset = check_querysets(querysets)
    if queryset is None:
        queryset = field.related_model._base_manager.db_manager(_db_of(instances)).all()
    if not field.concrete:  # a ForeignObject: keyed by the tuples of its from_fields and to_fields
        attnames = tuple(f.attname for f in field.foreign_related_fields)
        keys = _keys(instances, field.get_local_related_value)
        rows = Evaluated(_by_keys(_unordered(queryset), attnames, keys) if keys else [])
        rows._prefetch_lookups = queryset._prefetch_lookups
        return rows, field.get_foreign_related_value, field.get_local_related_value, True, field.name, False
    target = field.target_field.attname
    values = _unique(obj.__dict__.get(field.attname) for obj in instances)
    rows = filter_in(_unordered(queryset), target, values)
    if field.one_to_one:
        rows = _caching_back(rows, field.remote_field.get_cache_name(), instances, field.attname, target)
    return rows, attrgetter(target), attrgetter(field.attname), True, field.name, False


def load_forward(descriptor: Any, instances: list[Any], querysets: Any, to_attr: str | None) -> list[Any]:
    queryset = check_querysets(querysets)
    field = descriptor.field
    if queryset is None:
        queryset = field.related_model._base_manager.db_manager(_db_of(instances)).all()
    if not field.concrete:
        return _load_forward_by_fields(field, instances, _unordered(without_lookups(queryset)), to_attr)
    target = field.target_field.attname
    values = _unique(obj.__dict__.get(field.attname) for obj in instances)
    related = _batched_in(_unordered(without_lookups(queryset)), target, values) if values else []
    by_value = {r.__dict__.get(target): r for r in related}
    back = field.remote_field.get_cache_name() if field.one_to_one else None
    for obj in instances:
        found = by_value.get(obj.__dict__.get(field.attname))
        if to_attr:
            setattr(obj, to_attr, found)
        else:
            obj.__dict__[field.name] = found
        if found is not None and back is not None:
            found.__dict__[back] = obj
    return related


def _load_forward_by_fields(field: Any, objs: list[Any], queryset: Any, to_attr: str | None) -> list[Any]:
    """A ForeignObject: the targets whose to_fields hold the objects' from_fields values."""
    keys = _keys(objs, field.get_local_related_value)
    attnames = tuple(f.attname for f in field.foreign_related_fields)
    related = _by_keys(queryset, attnames, keys) if keys else []
    by_key = {field.get_foreign_related_value(r): r for r in related}
    for obj in objs:
        found = by_key.get(field.get_local_related_value(obj))
        if to_attr:
            setattr(obj, to_attr, found)
        else:
            obj.__dict__[field.name] = found
    return list(by_key.values())


def _caching_back(rows: Any, back: str, instances: list[Any], key: str, target: str) -> list[Any]:
    """A one-to-one's rows (evaluated, with their own prefetches), each knowing the instance on the other side."""
    owners = {obj.__dict__.get(key): obj for obj in instances}
    loaded = Evaluated(rows)
    for row in loaded:
        owner = owners.get(row.__dict__.get(target))
        if owner is not None:
            row.__dict__[back] = owner
    loaded._prefetch_lookups = rows._prefetch_lookups
    return loaded


class Evaluated(list):
    """Rows already loaded, where a queryset is expected: prefetch_one_level lists it and reads its lookups."""

    _prefetch_lookups: tuple[Any, ...] = ()


class PrefetchableRelation:
    """get_prefetch_querysets() (Django's protocol) and the one-pass loader, for a relata descriptor or manager.

    A subclass names its two functions from this module: `querysets_function(self,
    instances, querysets)` and `loader_function(self, instances, querysets, to_attr)`.
    """

    querysets_function: Any
    loader_function: Any

    def get_prefetch_querysets(self, instances: list[Any], querysets: Any = None) -> tuple[Any, ...]:
        return type(self).querysets_function(self, instances, querysets)

    def get_prefetch_queryset(self, instances: list[Any], queryset: Any = None) -> tuple[Any, ...]:
        return warn_singular(self.get_prefetch_querysets, instances, queryset)

    def prefetch_loader(self, instances: list[Any], querysets: Any, to_attr: str | None) -> list[Any]:
        return type(self).loader_function(self, instances, querysets, to_attr)


# -- reverse one-to-one: place.restaurant ----------------------------------------------------


def reverse_one_querysets(descriptor: Any, instances: list[Any], querysets: Any) -> tuple[Any, ...]:
    rel = descriptor.related
    field = rel.field
    queryset = check_querysets(querysets)
    if queryset is None:
        queryset = rel.related_model._base_manager.db_manager(_db_of(instances)).all()
    target = field.target_field.attname
    values = _unique(getattr(obj, target) for obj in instances)
    rows = _caching_back(
        filter_in(_unordered(queryset), field.attname, values), field.name, instances, target, field.attname
    )
    return rows, attrgetter(field.attname), attrgetter(target), True, rel.get_cache_name(), False


def load_reverse_one(descriptor: Any, instances: list[Any], querysets: Any, to_attr: str | None) -> list[Any]:
    queryset = check_querysets(querysets)
    rel = descriptor.related
    field = rel.field
    target = field.target_field.attname
    if queryset is None:
        queryset = rel.related_model._base_manager.db_manager(_db_of(instances)).all()
    values = _unique(getattr(obj, target) for obj in instances)
    related = _batched_in(_unordered(without_lookups(queryset)), field.attname, values) if values else []
    by_value = {r.__dict__.get(field.attname): r for r in related}
    cache_name = rel.get_cache_name()
    for obj in instances:
        found = by_value.get(getattr(obj, target))
        if to_attr:
            setattr(obj, to_attr, found)
        else:
            obj.__dict__[cache_name] = found
        if found is not None:
            found.__dict__[field.name] = obj
    return related


# -- reverse many-to-one: author.book_set ------------------------------------------------


def reverse_many_querysets(manager: Any, instances: list[Any], querysets: Any) -> tuple[Any, ...]:
    field = manager.field
    queryset = check_querysets(querysets)
    if queryset is None:
        queryset = manager.model._default_manager.db_manager(_db_of(instances)).all()
    if not field.concrete:  # the reverse of a ForeignObject: keyed by tuples
        attnames = tuple(f.attname for f in field.local_related_fields)
        keys = _keys(instances, field.get_foreign_related_value)
        rows = Evaluated(_by_keys(queryset, attnames, keys) if keys else [])
        rows._prefetch_lookups = queryset._prefetch_lookups
        key_of_row, key_of_instance = field.get_local_related_value, field.get_foreign_related_value
        return rows, key_of_row, key_of_instance, False, manager.cache_name, False
    target = field.target_field.attname
    owners = {getattr(obj, target): obj for obj in instances}
    owners.pop(None, None)
    # Evaluated here, its own prefetches included, so each row can be given its owner unless it has one.
    result = Evaluated(filter_in(queryset, field.attname, list(owners)))
    for row in result:
        if field.name not in row.__dict__:
            row.__dict__[field.name] = owners.get(row.__dict__.get(field.attname))
    result._prefetch_lookups = queryset._prefetch_lookups
    return result, attrgetter(field.attname), attrgetter(target), False, manager.cache_name, False


def load_reverse_many(manager: Any, instances: list[Any], querysets: Any, to_attr: str | None) -> list[Any]:
    queryset = check_querysets(querysets)
    field = manager.field
    base = queryset if queryset is not None else manager.model._default_manager.db_manager(_db_of(instances)).all()
    if not field.concrete:
        return _load_reverse_many_by_fields(manager, instances, without_lookups(base), to_attr)
    target = field.target_field.attname
    # key value -> (owner, its rows): the loader caches the owner on each row and adds the row to the list.
    entries = {getattr(obj, target): (obj, []) for obj in instances}
    entries.pop(None, None)
    base = base._clone()
    # A queryset that knows other objects, or prefetches its own relations (whose objects win,
    # as in Django), is loaded plainly; the rows are grouped and given their owner afterwards.
    collecting = not base._known_related and not base._prefetch_lookups
    if collecting:
        base._known_related = ((field, entries, True),)
    related = _batched_in(base, field.attname, list(entries)) if entries else []
    if collecting and sum(len(rows) for _, rows in entries.values()) == len(related):
        groups = {value: rows for value, (_, rows) in entries.items()}
    else:
        groups = _grouped(related, field.attname)
        for row in related:
            if field.name not in row.__dict__:
                row.__dict__[field.name] = entries[row.__dict__.get(field.attname)][0]
    cache_name = manager.cache_name
    for obj in instances:
        store_many(obj, cache_name, groups.get(getattr(obj, target), []), to_attr, queryset)
    return related


def _load_reverse_many_by_fields(manager: Any, objs: list[Any], queryset: Any, to_attr: str | None) -> list[Any]:
    """The reverse of a ForeignObject: rows whose from_fields hold an object's to_fields values."""
    field = manager.field
    keys = _keys(objs, field.get_foreign_related_value)
    attnames = tuple(f.attname for f in field.local_related_fields)
    related = _by_keys(queryset, attnames, keys) if keys else []
    owners = {field.get_foreign_related_value(obj): obj for obj in objs}
    groups: dict[Any, list[Any]] = defaultdict(list)
    for item in related:
        key = field.get_local_related_value(item)
        item.__dict__[field.name] = owners.get(key)
        groups[key].append(item)
    for obj in objs:
        store_many(obj, manager.cache_name, groups.get(field.get_foreign_related_value(obj), []), to_attr)
    return related


def _grouped(items: list[Any], attname: str) -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for item in items:
        groups[item.__dict__.get(attname)].append(item)
    return groups


# -- many-to-many: pizza.toppings, topping.pizza_set -----------------------------------------


def _m2m_base(manager: Any, instances: list[Any], queryset: Any) -> tuple[Any, str, Any]:
    """(the marked, filtered queryset, the through lookup, the instances' key field)."""
    from relata.models.expressions import F

    source = manager.source_field
    # Through rows that name the objects by several columns (a ForeignObject): key by the objects' pk.
    source_key = source.target_field if source.concrete else type(instances[0])._meta.pk
    lookup = f"{manager.query_field_name}__{source_key.name}"
    base = queryset if queryset is not None else manager.model._default_manager.db_manager(_db_of(instances)).all()
    if any(a.name == M2M_MARKER for a in base._state.annotations):
        raise FieldError(f"A prefetch queryset may not annotate '{M2M_MARKER}'.")
    values = _unique(getattr(obj, source_key.attname) for obj in instances)
    return base, lookup, (values, source_key, F(lookup))


def m2m_querysets(manager: Any, instances: list[Any], querysets: Any) -> tuple[Any, ...]:
    base, lookup, (values, source_key, marker) = _m2m_base(manager, instances, check_querysets(querysets))
    # Annotated after the filter so the annotation shares the filter's join.
    rows = filter_in(base, lookup, values).annotate(**{M2M_MARKER: marker})
    return rows, attrgetter(M2M_MARKER), attrgetter(source_key.attname), False, manager.prefetch_cache_name, False


def load_m2m(manager: Any, instances: list[Any], querysets: Any, to_attr: str | None) -> list[Any]:
    queryset = check_querysets(querysets)
    base, lookup, (values, source_key, marker) = _m2m_base(manager, instances, without_lookups(queryset))
    related: list[Any] = []
    size = max(1, (base._connection.features.max_query_params or 10000) - 50)
    for start in range(0, len(values), size):
        related.extend(filter_in(base, lookup, values[start : start + size]).annotate(**{M2M_MARKER: marker}))
    groups: dict[Any, list[Any]] = defaultdict(list)
    for item in related:
        groups[item.__dict__.pop(M2M_MARKER)].append(item)
    cache_name = manager.prefetch_cache_name
    for obj in instances:
        store_many(obj, cache_name, groups.get(getattr(obj, source_key.attname), []), to_attr, queryset)
    return related
