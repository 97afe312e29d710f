"""prefetch_related: load relations for many objects at once, one query per relation level.

prefetch_related_objects() walks each lookup ("books__tags") a level at a time.
At each level get_prefetcher() finds what loads the relation (a descriptor or a
related manager with Django's `get_prefetch_querysets()`), and
prefetch_one_level() runs its query and hands each object its share: the object
behind `book.author`, the list behind `author.books.all()`, or a value on
`to_attr`. relata's own relations load and store in one pass (prefetch_relations).
"""

from __future__ import annotations

import copy
import warnings
from functools import cached_property
from typing import Any

from relata.deprecation import RemovedInDjango60Warning
from relata.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from relata.models.query.prefetch_relations import store_many

LOOKUP_SEP = "__"


class Prefetch:
    """One prefetch_related() lookup, with the queryset to load it with and the attribute to put it on."""

    def __init__(self, lookup: str, queryset: Any = None, to_attr: str | None = None):
        self.prefetch_through = lookup
        self.prefetch_to = lookup if to_attr is None else LOOKUP_SEP.join([*lookup.split(LOOKUP_SEP)[:-1], to_attr])
        check_prefetch_queryset(queryset)
        self.queryset = queryset
        self.to_attr = to_attr

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if self.queryset is not None:
            # Pickled as a query, never as rows: the queryset is not run for it.
            queryset = self.queryset._clone()
            queryset._result_cache = []
            queryset._prefetch_done = True
            state["queryset"] = queryset
        return state

    def add_prefix(self, prefix: str) -> None:
        self.prefetch_through = f"{prefix}{LOOKUP_SEP}{self.prefetch_through}"
        self.prefetch_to = f"{prefix}{LOOKUP_SEP}{self.prefetch_to}"

    def get_current_prefetch_to(self, level: int) -> str:
        return LOOKUP_SEP.join(self.prefetch_to.split(LOOKUP_SEP)[: level + 1])

    def get_current_to_attr(self, level: int) -> tuple[str, bool]:
        """(the attribute level `level` stores into, whether it is this Prefetch's own to_attr)."""
        parts = self.prefetch_to.split(LOOKUP_SEP)
        return parts[level], bool(self.to_attr) and level == len(parts) - 1

    def get_current_querysets(self, level: int) -> list[Any] | None:
        if self.queryset is not None and self.get_current_prefetch_to(level) == self.prefetch_to:
            return [self.queryset]
        return None

    def get_current_queryset(self, level: int) -> Any:
        warnings.warn(
            "Prefetch.get_current_queryset() is deprecated. Use get_current_querysets() instead.",
            RemovedInDjango60Warning,
            stacklevel=2,
        )
        querysets = self.get_current_querysets(level)
        return querysets[0] if querysets else None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Prefetch):
            return NotImplemented
        return self.prefetch_to == other.prefetch_to

    def __hash__(self) -> int:
        return hash((type(self), self.prefetch_to))

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.prefetch_through}>"


def check_prefetch_queryset(queryset: Any) -> None:
    """A prefetch fills relations with model instances: a raw() or values() queryset cannot give them."""
    if queryset is None:
        return
    from relata.models.query.iterables import ModelIterable

    iterable_class = getattr(queryset, "_iterable_class", None)
    if iterable_class is None or not issubclass(iterable_class, ModelIterable):
        raise ValueError("Prefetch querysets cannot use raw(), values(), and values_list().")


def normalize_prefetch_lookups(lookups: Any, prefix: str | None = None) -> list[Prefetch]:
    """Each lookup as a Prefetch (a string becomes one), under `prefix` when given."""
    result = []
    for lookup in lookups:
        if not isinstance(lookup, Prefetch):
            lookup = Prefetch(lookup)
        if prefix:
            lookup.add_prefix(prefix)
        result.append(lookup)
    return result


def prefetch_related_objects(model_instances: Any, *related_lookups: Any) -> None:
    """Fill the relation caches of `model_instances` for each lookup, one query per level at most."""
    if not model_instances:
        return
    instances = list(model_instances)
    done: dict[str, list[Any]] = {}  # prefetch_to path -> the objects reached there
    pending = normalize_prefetch_lookups(reversed(related_lookups))
    while pending:
        lookup = pending.pop()
        if lookup.prefetch_to in done:
            if lookup.queryset is not None:
                raise ValueError(
                    f"'{lookup.prefetch_to}' lookup was already seen with a different queryset. "
                    "You may need to adjust the ordering of your lookups."
                )
            continue
        # Lookups a Prefetch queryset brings along are followed after it, below its path.
        pending.extend(_follow(instances, lookup, done))


def _follow(instances: list[Any], lookup: Prefetch, done: dict[str, list[Any]]) -> list[Prefetch]:
    """Walk `lookup` level by level from `instances`; return the nested lookups its querysets brought."""
    objs = instances
    through = lookup.prefetch_through.split(LOOKUP_SEP)
    brought: list[Prefetch] = []
    for level, through_attr in enumerate(through):
        if not objs:
            break
        prefetch_to = lookup.get_current_prefetch_to(level)
        if prefetch_to in done:
            objs = done[prefetch_to]
            continue
        if not hasattr(objs[0], "__dict__"):
            break  # values() rows and other plain values have no relations to fill
        to_attr = lookup.get_current_to_attr(level)[0]
        prefetcher, _descriptor, attr_found, is_fetched = get_prefetcher(objs[0], through_attr, to_attr)
        if not attr_found:
            raise AttributeError(
                f"Cannot find '{through_attr}' on {type(objs[0]).__name__} object, "
                f"'{lookup.prefetch_through}' is an invalid parameter to prefetch_related()"
            )
        if level == len(through) - 1 and prefetcher is None:
            raise ValueError(
                f"'{lookup.prefetch_through}' does not resolve to an item that supports prefetching - this is "
                "an invalid parameter to prefetch_related()."
            )
        to_fetch = [obj for obj in objs if not is_fetched(obj)] if prefetcher is not None else []
        if to_fetch:
            objs, additional = prefetch_one_level(to_fetch, prefetcher, lookup, level)
            done[prefetch_to] = objs
            brought.extend(normalize_prefetch_lookups(reversed(additional), prefetch_to))
        else:
            objs = _reached(objs, through_attr)
    return brought


def _reached(objs: list[Any], through_attr: str) -> list[Any]:
    """The objects one level down from objects that hold `through_attr` already (or a plain attribute)."""
    reached: list[Any] = []
    for obj in objs:
        cache = obj.__dict__.get("_prefetched_objects_cache")
        if cache is not None and through_attr in cache:
            value: Any = list(cache[through_attr])
        else:
            try:
                value = getattr(obj, through_attr)
            except ObjectDoesNotExist:
                continue
        if value is None:
            continue
        if isinstance(value, list):
            reached.extend(value)
        else:
            reached.append(value)
    return reached


def get_prefetcher(instance: Any, through_attr: str, to_attr: str) -> tuple[Any, Any, bool, Any]:
    """(prefetcher, descriptor, attr_found, is_fetched) for attribute `through_attr` of `instance`'s objects.

    The prefetcher is whatever offers get_prefetch_querysets(): the class's
    descriptor for a single object, else the attribute's value (a related
    manager); None for a plain attribute or property. `is_fetched(obj)` says
    whether `obj` holds the relation already, so it is not loaded again.
    """
    model = type(instance)
    is_fetched = _to_attr_check(model, to_attr)
    descriptor = getattr(model, through_attr, None)
    if descriptor is None:
        return None, None, hasattr(instance, through_attr), is_fetched
    prefetcher = None
    if _can_prefetch(descriptor):
        prefetcher = descriptor
        if through_attr == to_attr:
            is_fetched = descriptor.is_cached
    else:
        value = getattr(instance, through_attr)
        if _can_prefetch(value):
            prefetcher = value
        if through_attr == to_attr:

            def is_fetched(obj: Any) -> bool:
                return through_attr in (obj.__dict__.get("_prefetched_objects_cache") or ())

    return prefetcher, descriptor, True, is_fetched


def _can_prefetch(candidate: Any) -> bool:
    # get_prefetch_queryset(): the protocol before Django 5.0, still honoured.
    return hasattr(candidate, "get_prefetch_querysets") or hasattr(candidate, "get_prefetch_queryset")


def _to_attr_check(model: type, to_attr: str) -> Any:
    """Whether an object holds `to_attr` already, without computing a property for the asking."""
    found = getattr(model, to_attr, None)
    if found is None or isinstance(found, cached_property):
        return lambda obj: to_attr in obj.__dict__
    return lambda obj: hasattr(obj, to_attr)


def prefetch_one_level(instances: list[Any], prefetcher: Any, lookup: Prefetch, level: int) -> tuple[list[Any], list]:
    """Load level `level` of `lookup` for `instances` and store each one's share.

    Returns the related objects (the next level's instances) and the lookups the
    level's queryset carried, which the caller follows below this level.
    """
    querysets = lookup.get_current_querysets(level)
    to_attr, as_attr = lookup.get_current_to_attr(level)
    if as_attr:
        _check_to_attr(type(instances[0]), to_attr)
    loader = _one_pass_loader(prefetcher)
    if loader is not None:
        lookups = [copy.copy(x) for queryset in querysets or () for x in queryset._prefetch_lookups]
        return loader(instances, querysets, to_attr if as_attr else None), lookups
    if hasattr(prefetcher, "get_prefetch_querysets"):
        found = prefetcher.get_prefetch_querysets(instances, querysets)
    else:  # written for Django before 5.0
        found = prefetcher.get_prefetch_queryset(instances, querysets[0] if querysets else None)
    rel_qs, rel_obj_attr, instance_attr, single, cache_name, is_descriptor = found
    additional = [copy.copy(x) for x in getattr(rel_qs, "_prefetch_lookups", ())]
    if additional:
        rel_qs._prefetch_lookups = ()  # followed by the caller, below this level
    related = list(rel_qs)
    groups: dict[Any, list[Any]] = {}
    for rel_obj in related:
        groups.setdefault(rel_obj_attr(rel_obj), []).append(rel_obj)
    for obj in instances:
        values = groups.get(instance_attr(obj), [])
        if not single:
            store_many(obj, cache_name, values, to_attr if as_attr else None, querysets[0] if querysets else None)
            continue
        value = values[0] if values else None
        if as_attr:
            setattr(obj, to_attr, value)
        elif is_descriptor:
            setattr(obj, cache_name, value)
        else:
            obj._state.fields_cache[cache_name] = value
    return related, additional


def _one_pass_loader(prefetcher: Any) -> Any:
    """The relation's own loader, unless a subclass replaced get_prefetch_querysets() (then that decides the query)."""
    for klass in type(prefetcher).__mro__:
        if "get_prefetch_querysets" in vars(klass):
            return prefetcher.prefetch_loader if "prefetch_loader" in vars(klass) else None
    return None


def _check_to_attr(model: Any, to_attr: str) -> None:
    try:
        model._meta.get_field(to_attr)
    except FieldDoesNotExist:
        return
    raise ValueError(f"to_attr={to_attr} conflicts with a field on the {model.__name__} model.")
