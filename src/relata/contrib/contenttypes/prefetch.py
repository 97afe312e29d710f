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


class GenericPrefetch(Prefetch):
    """`GenericPrefetch("content_object", [Bookmark.objects.all(), Note.objects.only("title")])`."""

    def __init__(self, lookup: str, querysets: Any, to_attr: str | None = None):
        for queryset in querysets:
            check_prefetch_queryset(queryset)
        super().__init__(lookup, to_attr=to_attr)
        self.querysets = list(querysets)
        # The last level's loader receives them (see prefetch_generic_foreign_key).
        self.queryset = _QuerysetsByModel(self.querysets)

    def __repr__(self) -> str:
        return f"<GenericPrefetch: {self.prefetch_through}>"


class _QuerysetsByModel:
    """GenericPrefetch's querysets, as the one `queryset` a prefetch level is handed."""

    def __init__(self, querysets: list[Any]):
        self.by_model: dict[Any, Any] = {}
        for queryset in querysets:
            model = queryset.model
            if model in self.by_model:
                raise ValueError(f"Only one queryset is allowed for each content type ({model._meta.label}).")
            self.by_model[model] = queryset


def _db_of(objs: list[Any]) -> str:
    return db_of(objs[0]) or "default"


def prefetch_generic_foreign_key(objs: list[Any], descriptor: Any, queryset: Any, to_attr: str | None) -> list[Any]:
    """Fill `<obj>.<GenericForeignKey>` for every object: one query per content type among them."""
    field = descriptor
    custom: dict[Any, Any] = {}
    if isinstance(queryset, _QuerysetsByModel):
        custom = queryset.by_model
    elif queryset is not None:
        raise ValueError("Custom queryset can't be used for this lookup.")
    using = _db_of(objs)
    ct_attname = field._ct_attname
    keys_by_ct: dict[Any, set[Any]] = defaultdict(set)
    for obj in objs:
        ct_id = getattr(obj, ct_attname)
        key = getattr(obj, field.fk_field)
        if ct_id is not None and key is not None:
            keys_by_ct[ct_id].add(key)
    found: dict[tuple[Any, Any], Any] = {}
    loaded: list[Any] = []
    for ct_id, keys in keys_by_ct.items():
        ct = field.get_content_type(id=ct_id, using=using)
        model = ct.model_class()
        if model is None:
            continue
        base = custom.get(model)
        base = base if base is not None else model._base_manager.db_manager(using).all()
        pk = model._meta.pk
        rows = list(base.filter(pk__in=[pk.to_python(k) for k in keys]))
        loaded.extend(rows)
        for row in rows:
            found[(ct_id, row.pk)] = row
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


def prefetch_generic_relation(objs: list[Any], descriptor: Any, queryset: Any, to_attr: str | None) -> list[Any]:
    """Fill `<obj>.<GenericRelation>.all()` for every object, of whatever model: one query."""
    from relata.contrib.contenttypes.fields import content_type_for

    field = descriptor.field
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
    cache_name = field.name
    for obj, ct_id in zip(objs, ct_of_obj, strict=True):
        items = groups.get((ct_id, obj.pk), [])
        if to_attr:
            setattr(obj, to_attr, items)
            continue
        cache = obj.__dict__.get("_prefetched_objects_cache")
        if cache is None:
            cache = obj.__dict__["_prefetched_objects_cache"] = {}
        cache[cache_name] = items
    return related
