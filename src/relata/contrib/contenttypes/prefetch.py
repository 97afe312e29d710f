"""prefetch_related() through generic relations, and GenericPrefetch.

- Through a GenericForeignKey the objects may be of several models: one query per content type,
  each filling the `content_object` of the rows naming it (GenericPrefetch gives each model its
  own queryset).
- Through a GenericRelation: one query for every object of the level (of any model, OR-ing the
  content types), each object's share behind its manager.
The loaders are found through the descriptors (their `prefetch_loader`), as relata.models.query.prefetch
asks every relation it does not know.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from relata.models.instance_state import db_of
from relata.models.q import Q
from relata.models.query.prefetch import Prefetch, check_prefetch_queryset
from relata.models.query.prefetch_relations import check_querysets, store_many, without_lookups


class GenericPrefetch(Prefetch):
    """`GenericPrefetch("content_object", [Bookmark.objects.all(), Note.objects.only("title")])`."""

    def __init__(self, lookup: str, querysets: Any, to_attr: str | None = None):
        for queryset in querysets:
            check_prefetch_queryset(queryset)
        super().__init__(lookup, to_attr=to_attr)
        self.querysets = list(querysets)

    def get_current_querysets(self, level: int) -> list[Any] | None:
        if self.get_current_prefetch_to(level) == self.prefetch_to:
            return self.querysets
        return None

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state["querysets"] = [Prefetch("x", queryset).__getstate__()["queryset"] for queryset in self.querysets]
        return state


def querysets_by_content_type(field: Any, querysets: Any) -> dict[Any, Any]:
    """{content type id: queryset} for a GenericForeignKey's prefetch querysets, one per model at most."""
    by_ct: dict[Any, Any] = {}
    for queryset in querysets or ():
        ct_id = field.get_content_type(model=queryset.model, using=queryset.db).pk
        if ct_id in by_ct:
            raise ValueError("Only one queryset is allowed for each content type.")
        by_ct[ct_id] = queryset
    return by_ct


def _db_of(objs: list[Any]) -> str:
    return db_of(objs[0]) or "default"


def generic_foreign_key_querysets(field: Any, instances: list[Any], querysets: Any) -> tuple[Any, ...]:
    """Django's get_prefetch_querysets() for a GenericForeignKey: the rows of every content type, keyed (pk, model)."""
    loaded = _load_generic_targets(field, instances, querysets)[1]

    def key_of(obj: Any) -> Any:
        ct_id = getattr(obj, field._ct_attname)
        if ct_id is None:
            return None
        model = field.get_content_type(id=ct_id, using=_db_of(instances)).model_class()
        key = getattr(obj, field.fk_field)
        return None if model is None or key is None else (model._meta.pk.to_python(key), model)

    return loaded, lambda row: (row.pk, type(row)), key_of, True, field.name, False


def _load_generic_targets(field: Any, objs: list[Any], querysets: Any) -> tuple[dict[tuple[Any, Any], Any], Any]:
    """({(content type id, pk): row}, the rows): one query per content type among `objs`."""
    from relata.models.query.prefetch_relations import Evaluated

    custom = querysets_by_content_type(field, querysets)
    using = _db_of(objs)
    ct_attname = field._ct_attname
    keys_by_ct: dict[Any, set[Any]] = defaultdict(set)
    for obj in objs:
        ct_id = getattr(obj, ct_attname)
        key = getattr(obj, field.fk_field)
        if ct_id is not None and key is not None:
            keys_by_ct[ct_id].add(key)
    found: dict[tuple[Any, Any], Any] = {}
    loaded = Evaluated()
    for ct_id, keys in keys_by_ct.items():
        model = field.get_content_type(id=ct_id, using=using).model_class()
        if model is None:
            continue
        base = custom.get(ct_id)
        base = base if base is not None else model._base_manager.db_manager(using).all()
        pk = model._meta.pk
        rows = list(base.filter(pk__in=[pk.to_python(k) for k in keys]))
        loaded.extend(rows)
        for row in rows:
            found[(ct_id, row.pk)] = row
    return found, loaded


def prefetch_generic_foreign_key(field: Any, objs: list[Any], querysets: Any, to_attr: str | None) -> list[Any]:
    """Fill `<obj>.<GenericForeignKey>` for every object: one query per content type among them."""
    found, loaded = _load_generic_targets(field, objs, querysets)
    using = _db_of(objs)
    ct_attname = field._ct_attname
    for obj in objs:
        ct_id = getattr(obj, ct_attname)
        related = None
        if ct_id is not None:
            model = field.get_content_type(id=ct_id, using=using).model_class()
            key = getattr(obj, field.fk_field)
            if model is not None and key is not None:
                related = found.get((ct_id, model._meta.pk.to_python(key)))
        if to_attr:
            setattr(obj, to_attr, related)
        else:
            obj.__dict__[field.name] = related
    return loaded


def generic_relation_querysets(manager: Any, instances: list[Any], querysets: Any) -> tuple[Any, ...]:
    """Django's get_prefetch_querysets() for a GenericRelation's manager: its rows, keyed (content type, key)."""
    from relata.contrib.contenttypes.fields import content_type_for

    field = manager.field
    related, _groups, _ct_of_obj = _load_generic_related(field, instances, check_querysets(querysets))
    ct_attname = field.content_type_field.attname
    to_key = instances[0]._meta.pk.to_python
    using = _db_of(instances)

    def key_of(obj: Any) -> Any:
        return content_type_for(type(obj), field.for_concrete_model, using).pk, obj.pk

    def row_key(row: Any) -> Any:
        return getattr(row, ct_attname), to_key(getattr(row, field.object_id_field_name))

    return related, row_key, key_of, False, field.name, False


def prefetch_generic_relation(manager: Any, objs: list[Any], querysets: Any, to_attr: str | None) -> list[Any]:
    """Fill `<obj>.<GenericRelation>.all()` for every object, of whatever model: one query."""
    field = manager.field
    queryset = check_querysets(querysets)
    related, groups, ct_of_obj = _load_generic_related(field, objs, without_lookups(queryset))
    for obj, ct_id in zip(objs, ct_of_obj, strict=True):
        store_many(obj, field.name, groups.get((ct_id, obj.pk), []), to_attr, queryset)
    return related


def _load_generic_related(field: Any, objs: list[Any], queryset: Any) -> tuple[Any, dict[Any, list[Any]], list[Any]]:
    """(the rows pointing at any of `objs`, them grouped by (content type, key), each object's content type)."""
    from relata.contrib.contenttypes.fields import content_type_for

    model = field.related_model
    using = _db_of(objs)
    base = queryset if queryset is not None else model._default_manager.db_manager(using).all()
    keys_by_ct: dict[Any, set[Any]] = defaultdict(set)
    ct_of_obj = []
    for obj in objs:
        ct_id = content_type_for(type(obj), field.for_concrete_model, using).pk
        ct_of_obj.append(ct_id)
        if obj.pk is not None:
            keys_by_ct[ct_id].add(obj.pk)
    ct_attname = field.content_type_field.attname
    object_id = field.object_id_field_name
    related: list[Any] = []
    if keys_by_ct:
        condition = Q()
        for ct_id, keys in keys_by_ct.items():
            condition |= Q(**{ct_attname: ct_id, f"{object_id}__in": sorted(keys, key=str)})
        related = list(base.filter(condition))
    # The object id column may hold another type than the key (text holding numbers): compare as keys.
    to_key = objs[0]._meta.pk.to_python
    groups: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
    for row in related:
        groups[(getattr(row, ct_attname), to_key(getattr(row, object_id)))].append(row)
    return related, groups, ct_of_obj
