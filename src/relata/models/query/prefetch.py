"""prefetch_related: load a relation for many objects in one query per level.

For each level of a lookup like "books__tags" the prefetcher gathers the key
values of the objects reached so far, runs one `__in` query, and hands each
object its share: a filled cache behind `author.books.all()`, the object behind
`book.author`, or a list on `to_attr`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from relata.exceptions import FieldError
from relata.models.fields.related_descriptors import (
    ForwardManyToOneDescriptor,
    ManyToManyDescriptor,
    ReverseManyToOneDescriptor,
    ReverseOneToOneDescriptor,
)
from relata.models.instance_state import db_of
from relata.models.q import Q


class Prefetch:
    def __init__(self, lookup: str, queryset: Any = None, to_attr: str | None = None):
        self.prefetch_through = lookup
        self.prefetch_to = lookup if to_attr is None else "__".join([*lookup.split("__")[:-1], to_attr])
        if queryset is not None and getattr(queryset, "_iterable", "model") != "model":
            raise ValueError("Prefetch querysets cannot use raw(), values(), and values_list().")
        self.queryset = queryset
        self.to_attr = to_attr

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Prefetch) and self.prefetch_to == other.prefetch_to

    def __hash__(self) -> int:
        return hash((type(self), self.prefetch_to))

    def __repr__(self) -> str:
        return f"<Prefetch: {self.prefetch_through}>"


def _normalize(lookups: tuple[Any, ...]) -> list[Prefetch]:
    result = []
    for lookup in lookups:
        result.append(lookup if isinstance(lookup, Prefetch) else Prefetch(lookup))
    return result


def prefetch_related_objects(instances: list[Any], *lookups: Any) -> None:
    """Fill the relation caches of `instances` for each lookup, one query per level at most."""
    if not instances:
        return
    done: dict[str, list[Any]] = {}
    for prefetch in _normalize(lookups):
        if prefetch.prefetch_to in done:
            if prefetch.queryset is not None:
                raise ValueError(
                    f"'{prefetch.prefetch_to}' lookup was already seen with a different queryset. "
                    f"You may need to adjust the ordering of your lookups."
                )
            continue
        parts = prefetch.prefetch_through.split("__")
        level_objs = instances
        path = ""
        for depth, part in enumerate(parts):
            path = f"{path}__{part}" if path else part
            is_last = depth == len(parts) - 1
            to_path = prefetch.prefetch_to if is_last else path
            if to_path in done:
                level_objs = done[to_path]
                continue
            if not level_objs:
                break
            queryset = prefetch.queryset if is_last else None
            to_attr = prefetch.to_attr if is_last else None
            level_objs = _prefetch_level(level_objs, part, queryset, to_attr)
            done[to_path] = level_objs


def _descriptor_for(obj: Any, name: str) -> Any:
    descriptor = getattr(type(obj), name, None)
    if descriptor is None:
        raise AttributeError(
            f"Cannot find '{name}' on {type(obj).__name__} object, '{name}' is an invalid parameter "
            f"to prefetch_related()"
        )
    return descriptor


def _prefetch_level(objs: list[Any], name: str, queryset: Any, to_attr: str | None) -> list[Any]:
    """Load relation `name` for the objects that lack it; return the next level's objects."""
    descriptor = _descriptor_for(objs[0], name)
    if to_attr is not None:
        _check_to_attr(type(objs[0]), to_attr)
    loader = _loader_for(descriptor)
    if loader is None:
        if to_attr is None and all(name in (_prefetch_cache(o) or ()) for o in objs):
            return [x for o in objs for x in o._prefetched_objects_cache[name]]
        raise ValueError(
            f"'{name}' does not resolve to an item that supports prefetching - this is an invalid parameter "
            f"to prefetch_related()."
        )
    # Objects that already hold the relation (select_related, an earlier prefetch, or
    # the reverse side that loaded them) are not fetched again, as in Django.
    cache_key = None if to_attr is not None else _cache_key(descriptor)
    if cache_key is None:
        return loader(objs, descriptor, queryset, to_attr)
    missing = _missing(objs, cache_key)
    loaded = loader(missing, descriptor, queryset, to_attr) if missing else []
    if len(missing) == len(objs):
        return loaded
    missing_ids = {id(o) for o in missing}
    return loaded + [x for o in objs if id(o) not in missing_ids for x in _cached_items(o, cache_key)]


def _loader_for(descriptor: Any) -> Any:
    # A relation defined outside models (contenttypes' generic ones) brings its own loader:
    # `prefetch_loader(objs, descriptor, queryset, to_attr)` and its `prefetch_cache_key`.
    own = getattr(descriptor, "prefetch_loader", None)
    if own is not None:
        return own
    # Most specific first: ManyToManyDescriptor subclasses ReverseManyToOneDescriptor.
    if isinstance(descriptor, ManyToManyDescriptor):
        return _many_to_many
    if isinstance(descriptor, ReverseManyToOneDescriptor):
        return _reverse_many
    if isinstance(descriptor, ForwardManyToOneDescriptor):
        return _forward
    if isinstance(descriptor, ReverseOneToOneDescriptor):
        return _reverse_one
    return None


def _check_to_attr(model: Any, to_attr: str) -> None:
    from relata.exceptions import FieldDoesNotExist

    try:
        model._meta.get_field(to_attr)
    except FieldDoesNotExist:
        return
    raise ValueError(f"to_attr={to_attr} conflicts with a field on the {model.__name__} model.")


def _prefetch_cache(obj: Any) -> Any:
    return obj.__dict__.get("_prefetched_objects_cache")


def _cache_key(descriptor: Any) -> tuple[str, str]:
    """Where a loaded relation lives on an instance: ("fields", name) or ("prefetched", name)."""
    own = getattr(descriptor, "prefetch_cache_key", None)
    if own is not None:
        return own
    if isinstance(descriptor, ForwardManyToOneDescriptor):
        return "fields", descriptor.field.name
    if isinstance(descriptor, ReverseOneToOneDescriptor):
        return "fields", descriptor.related.get_cache_name()
    if isinstance(descriptor, ManyToManyDescriptor):
        rel = descriptor.rel
        return "prefetched", rel.get_cache_name() if descriptor.reverse else rel.field.name
    return "prefetched", descriptor.rel.get_cache_name()


def _missing(objs: list[Any], key: tuple[str, str]) -> list[Any]:
    """The objects whose relation cache `key` is not filled yet."""
    where, name = key
    if where == "fields":
        return [obj for obj in objs if name not in obj.__dict__]
    return [obj for obj in objs if name not in (obj.__dict__.get("_prefetched_objects_cache") or ())]


def _cached_items(obj: Any, key: tuple[str, str]) -> list[Any]:
    where, name = key
    if where == "fields":
        value = obj.__dict__[name]
        return [] if value is None else [value]
    return obj._prefetched_objects_cache[name]


def _db_of(objs: list[Any]) -> str:
    return db_of(objs[0]) or "default"


def _batched_in(queryset: Any, lookup: str, values: list[Any], annotations: dict[str, Any] | None = None) -> list[Any]:
    limit = queryset._connection.features.max_query_params or 10000
    size = max(1, limit - 50)
    results: list[Any] = []
    for start in range(0, len(values), size):
        batch = queryset.filter(**{f"{lookup}__in": values[start : start + size]})
        if annotations:
            # Annotated after the filter so the annotation shares the filter's join.
            batch = batch.annotate(**annotations)
        results.extend(batch)
    return results


def _unique(values: Any) -> list[Any]:
    return list(dict.fromkeys(v for v in values if v is not None))


def _by_keys(queryset: Any, attnames: tuple[str, ...], keys: list[tuple[Any, ...]]) -> list[Any]:
    """The rows whose `attnames` hold one of `keys` (tuples): IN for one column, OR-ed pairs for several."""
    if len(attnames) == 1:
        return _batched_in(queryset, attnames[0], [key[0] for key in keys])
    limit = queryset._connection.features.max_query_params or 10000
    size = max(1, (limit - 50) // len(attnames))
    results: list[Any] = []
    for start in range(0, len(keys), size):
        condition = Q()
        for key in keys[start : start + size]:
            condition |= Q(**dict(zip(attnames, key, strict=True)))
        results.extend(queryset.filter(condition))
    return results


def _keys(objs: list[Any], values: Any) -> list[tuple[Any, ...]]:
    """Each object's key (a tuple from `values(obj)`), once, leaving out those holding a NULL."""
    return list(dict.fromkeys(key for key in map(values, objs) if None not in key))


def _forward_by_fields(objs: list[Any], descriptor: Any, queryset: Any, to_attr: str | None) -> list[Any]:
    """A ForeignObject: the targets whose to_fields hold the objects' from_fields values."""
    field = descriptor.field
    model = field.related_model
    base = queryset if queryset is not None else model._base_manager.db_manager(_db_of(objs)).all()
    keys = _keys(objs, field.get_local_related_value)
    attnames = tuple(f.attname for f in field.foreign_related_fields)
    related = _by_keys(base, attnames, keys) if keys else []
    by_key = {field.get_foreign_related_value(r): r for r in related}
    for obj in objs:
        found = by_key.get(field.get_local_related_value(obj))
        if to_attr:
            setattr(obj, to_attr, found)
        else:
            obj.__dict__[field.name] = found
    return list(by_key.values())


def _forward(objs: list[Any], descriptor: Any, queryset: Any, to_attr: str | None) -> list[Any]:
    field = descriptor.field
    if not field.concrete:
        return _forward_by_fields(objs, descriptor, queryset, to_attr)
    target = field.target_field
    model = field.related_model
    base = queryset if queryset is not None else model._base_manager.db_manager(_db_of(objs)).all()
    values = _unique(obj.__dict__.get(field.attname) for obj in objs)
    related = _batched_in(base, target.attname, values) if values else []
    by_value = {getattr(r, target.attname): r for r in related}
    for obj in objs:
        found = by_value.get(obj.__dict__.get(field.attname))
        if to_attr:
            setattr(obj, to_attr, found)
        else:
            obj.__dict__[field.name] = found
        if found is not None and field.one_to_one:
            found.__dict__[field.remote_field.get_cache_name()] = obj
    return list(by_value.values())


def _reverse_one(objs: list[Any], descriptor: Any, queryset: Any, to_attr: str | None) -> list[Any]:
    rel = descriptor.related
    field = rel.field
    model = rel.related_model
    base = queryset if queryset is not None else model._base_manager.db_manager(_db_of(objs)).all()
    values = _unique(getattr(obj, field.target_field.attname) for obj in objs)
    related = _batched_in(base, field.attname, values) if values else []
    by_value = {r.__dict__.get(field.attname): r for r in related}
    for obj in objs:
        found = by_value.get(getattr(obj, field.target_field.attname))
        if to_attr:
            setattr(obj, to_attr, found)
        else:
            obj.__dict__[rel.get_cache_name()] = found
        if found is not None:
            found.__dict__[field.name] = obj
    return related


def _store(obj: Any, cache_name: str, items: list[Any], to_attr: str | None) -> None:
    """Give `obj` its share: a list on `to_attr`, or the list behind its manager's querysets."""
    if to_attr:
        setattr(obj, to_attr, items)
        return
    cache = obj.__dict__.get("_prefetched_objects_cache")
    if cache is None:
        cache = obj.__dict__["_prefetched_objects_cache"] = {}
    cache[cache_name] = items


def _reverse_many_by_fields(objs: list[Any], descriptor: Any, queryset: Any, to_attr: str | None) -> list[Any]:
    """The reverse of a ForeignObject: rows whose from_fields hold an object's to_fields values."""
    rel = descriptor.rel
    field = rel.field
    base = queryset if queryset is not None else rel.related_model._default_manager.db_manager(_db_of(objs)).all()
    keys = _keys(objs, field.get_foreign_related_value)
    attnames = tuple(f.attname for f in field.local_related_fields)
    related = _by_keys(base, attnames, keys) if keys else []
    owners = {field.get_foreign_related_value(obj): obj for obj in objs}
    groups: dict[Any, list[Any]] = defaultdict(list)
    for item in related:
        key = field.get_local_related_value(item)
        item.__dict__[field.name] = owners.get(key)
        groups[key].append(item)
    cache_name = rel.get_cache_name()
    for obj in objs:
        _store(obj, cache_name, groups.get(field.get_foreign_related_value(obj), []), to_attr)
    return related


def _reverse_many(objs: list[Any], descriptor: Any, queryset: Any, to_attr: str | None) -> list[Any]:
    rel = descriptor.rel
    field = rel.field
    if not field.concrete:
        return _reverse_many_by_fields(objs, descriptor, queryset, to_attr)
    model = rel.related_model
    target_attname = field.target_field.attname
    base = queryset if queryset is not None else model._default_manager.db_manager(_db_of(objs)).all()
    # key value -> (owner, its rows): the loader caches the owner on each row and adds the row to the list.
    entries = {getattr(obj, target_attname): (obj, []) for obj in objs}
    entries.pop(None, None)
    base = base._clone()
    collecting = not base._known_related  # a caller's queryset may already know other objects
    if collecting:
        base._known_related = ((field, entries, True),)
    related = _batched_in(base, field.attname, list(entries)) if entries else []
    if collecting and sum(len(rows) for _, rows in entries.values()) == len(related):
        groups = {value: rows for value, (_, rows) in entries.items()}
    else:
        groups = _grouped(related, field.attname)
    cache_name = rel.get_cache_name()
    for obj in objs:
        _store(obj, cache_name, groups.get(getattr(obj, target_attname), []), to_attr)
    return related


def _grouped(items: list[Any], attname: str) -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for item in items:
        groups[item.__dict__.get(attname)].append(item)
    return groups


def _many_to_many(objs: list[Any], descriptor: Any, queryset: Any, to_attr: str | None) -> list[Any]:
    from relata.models.expressions import F

    sample_manager = descriptor.__get__(objs[0])
    model = sample_manager.model
    source = sample_manager.source_field
    # Through rows that name the objects by several columns (a ForeignObject): key by the objects' pk.
    source_key = source.target_field if source.concrete else type(objs[0])._meta.pk
    lookup = f"{sample_manager.query_field_name}__{source_key.name}"
    base = queryset if queryset is not None else model._default_manager.db_manager(_db_of(objs)).all()
    marker = "_prefetch_related_val"
    if any(a.name == marker for a in base._state.annotations):
        raise FieldError("A prefetch queryset may not annotate '_prefetch_related_val'.")
    values = _unique(getattr(obj, source_key.attname) for obj in objs)
    related = _batched_in(base, lookup, values, {marker: F(lookup)}) if values else []
    groups: dict[Any, list[Any]] = defaultdict(list)
    for item in related:
        groups[item.__dict__.pop(marker)].append(item)
    cache_name = sample_manager.prefetch_cache_name
    for obj in objs:
        _store(obj, cache_name, groups.get(getattr(obj, source_key.attname), []), to_attr)
    return related
