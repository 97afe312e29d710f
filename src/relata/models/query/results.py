"""Executed rows to model instances, with the objects they are known to point at.

The per-plan loaders themselves are generated in hydrate.py; this module picks
the right one for a queryset and feeds it the rows, all fetched or in chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from relata.models.query import hydrate
from relata.models.signals import init_listened, post_init, pre_init, row_init_args

#: ((relation field, {key value: object}, collect), ...): see QuerySet._known_related.
Known = tuple[tuple[Any, dict[Any, Any], bool], ...]


def model_results(rows: Any, plan: Any, connection: Any, db: str, known: Known) -> Any:
    """Instances for `rows`: a list when `rows` is one, else an iterator."""
    if pre_init.receivers or post_init.receivers:
        listened = _init_listened_models(plan.model_plan)
        if listened:
            objects = _load(rows, plan, connection, db, known)
            return _announced(objects, plan.model_plan, listened, as_list=type(rows) is list)
    return _load(rows, plan, connection, db, known)


def _load(rows: Any, plan: Any, connection: Any, db: str, known: Known) -> Any:
    if len(known) == 1:
        # Reverse managers and prefetches: the loader caches the known object itself.
        ((field, instances, collect),) = known
        load = loader(plan, connection, db, field.name, collect)
        if type(rows) is list:
            return [load(row, instances) for row in rows]
        return (load(row, instances) for row in rows)
    load = loader(plan, connection, db)
    if not known:
        return [load(row) for row in rows] if type(rows) is list else map(load, rows)
    return _with_known_related(map(load, rows), known)


def loader(plan: Any, connection: Any, db: str, known: str | None = None, collect: bool = False) -> Any:
    """The plan's generated loader for this alias (and known relation), made once."""
    loaders = plan.loaders
    key = (db, known, collect)
    load = loaders.get(key)
    if load is None:
        make = hydrate.model_loader
        load = loaders[key] = make(plan.model_plan, connection, db, plan.annotations, known, collect)
    return load


def _init_listened_models(plan: Any) -> frozenset[Any]:
    """The models of `plan` (the queryset's and its select_related ones) with init receivers."""
    listened = {plan.model} if init_listened(plan.model) else set()
    for _field, _is_reverse, sub in plan.related:
        listened |= _init_listened_models(sub)
    return frozenset(listened)


def _announced(objects: Any, plan: Any, listened: frozenset[Any], as_list: bool) -> Any:
    """`objects` with pre_init and post_init sent for each, as constructing it from its row would.

    The instance is already built when pre_init goes out; its receivers get the
    row's values as `args`, as they would before construction.
    """

    def announce(obj: Any, node: Any) -> None:
        if obj is None:
            return
        model = node.model
        if model in listened:
            pre_init.send(sender=model, args=row_init_args(model, obj.__dict__), kwargs={})
            post_init.send(sender=model, instance=obj)
        for field, is_reverse, sub in node.related:
            announce(obj.__dict__.get(field.get_cache_name() if is_reverse else field.name), sub)

    def each() -> Iterator[Any]:
        for obj in objects:
            announce(obj, plan)
            yield obj

    return list(each()) if as_list else each()


def _with_known_related(objects: Iterator[Any], known: Known) -> Iterator[Any]:
    """Several known relations (a queryset narrowed twice): cache each object each row points at."""
    for obj in objects:
        cache = obj.__dict__
        for field, instances, collect in known:
            # A ForeignObject is keyed by its local fields' values (it has no column of its own).
            key = cache.get(field.attname) if field.concrete else field.get_local_related_value(obj)
            target = instances.get(key)
            if target is not None:
                if collect:
                    target, bucket = target
                    bucket.append(obj)
                cache[field.name] = target
        yield obj
