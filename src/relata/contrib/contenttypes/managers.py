"""`bookmark.tags`: the manager a GenericRelation puts on its model.

Built per relation as a subclass of the target model's default manager class (custom manager
methods work through it). Its rows are the target rows whose content type is the instance's model
and whose object id is the instance's key; add() and set() write those two columns, and remove()
and clear() delete the rows (a generic row cannot point at nothing), as Django's manager does.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from relata import transaction
from relata.models.asynchronous import AsyncRelatedManagerMixin
from relata.models.instance_state import db_of


def _prefetched(instance: Any, name: str) -> list[Any] | None:
    cache = instance.__dict__.get("_prefetched_objects_cache")
    return None if cache is None else cache.get(name)


class ReverseGenericManyToOneDescriptor:
    """The class attribute behind `bookmark.tags`: a manager per access."""

    def __init__(self, rel: Any):
        self.rel = rel

    @property
    def field(self) -> Any:
        return self.rel.field

    @property
    def related_manager_cls(self) -> type:
        cls = self.__dict__.get("_manager_cls")
        if cls is None:
            target = self.rel.model
            cls = self.__dict__["_manager_cls"] = create_generic_related_manager(
                target._default_manager.__class__, self.rel
            )
        return cls

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        return self.related_manager_cls(instance)

    def __set__(self, instance: Any, value: Any) -> None:
        raise TypeError(
            f"Direct assignment to the reverse side of a related set is prohibited. "
            f"Use {self.field.name}.set() instead."
        )


class GenericRelatedManager(AsyncRelatedManagerMixin):
    """Mixed in before the target's default manager class by create_generic_related_manager()."""

    name = None
    _db = None
    _hints = MappingProxyType({})
    _rel: Any
    model: Any

    def __init__(self, instance: Any):
        self.instance = instance
        field = self._rel.field
        self.field = field
        self.prefetch_cache_name = field.name
        self.content_type_field_name = field.content_type_field_name
        self.object_id_field_name = field.object_id_field_name
        self.pk_val = instance.pk

    def __call__(self, *, manager: str) -> Any:
        other = getattr(self.model, manager)
        return create_generic_related_manager(other.__class__, self._rel)(self.instance)

    # prefetch_related("tags"): see prefetch.py.
    def get_prefetch_querysets(self, instances: list[Any], querysets: Any = None) -> tuple[Any, ...]:
        from relata.contrib.contenttypes.prefetch import generic_relation_querysets

        return generic_relation_querysets(self, instances, querysets)

    def prefetch_loader(self, instances: list[Any], querysets: Any, to_attr: str | None) -> list[Any]:
        from relata.contrib.contenttypes.prefetch import prefetch_generic_relation

        return prefetch_generic_relation(self, instances, querysets, to_attr)

    def __str__(self) -> str:
        return repr(self)

    @property
    def content_type(self) -> Any:
        # Looked up on first use, not per access: `bookmark.tags` alone costs no query.
        ct = self.__dict__.get("_content_type")
        if ct is None:
            from relata.contrib.contenttypes.fields import content_type_for

            ct = content_type_for(self.instance, self.field.for_concrete_model, self._db_alias)
            self.__dict__["_content_type"] = ct
        return ct

    @property
    def _db_alias(self) -> str:
        return self._db or db_of(self.instance) or "default"

    @property
    def core_filters(self) -> dict[str, Any]:
        return {
            self.field.content_type_field.attname: self.content_type.pk,
            self.object_id_field_name: self.pk_val,
        }

    def _check_saved(self) -> None:
        if self.pk_val is None:
            raise ValueError(
                f"'{type(self.instance).__name__}' instance needs to have a primary key value before this "
                f"relationship can be used."
            )

    def _apply_filters(self, queryset: Any) -> Any:
        return queryset.using(self._db_alias).filter(**self.core_filters)

    def _forget_prefetched(self) -> None:
        cache = self.instance.__dict__.get("_prefetched_objects_cache")
        if cache is not None:
            cache.pop(self.prefetch_cache_name, None)

    def get_queryset(self) -> Any:
        self._check_saved()
        items = _prefetched(self.instance, self.prefetch_cache_name)
        source = getattr(items, "queryset", None)  # the Prefetch queryset the rows came from
        queryset = self._apply_filters(super().get_queryset() if source is None else source._clone())
        if items is not None:
            queryset._result_cache = items
            queryset._prefetch_done = True
        return queryset

    def _plain(self) -> Any:
        """The target's manager on this database, seen as its base class (whose writers this one overrides)."""
        return super(GenericRelatedManager, self.db_manager(self._db_alias))

    def _check_objs(self, objs: tuple[Any, ...]) -> None:
        for obj in objs:
            if not isinstance(obj, self.model):
                raise TypeError(f"'{self.model._meta.object_name}' instance expected, got {obj!r}")

    def _point_here(self, obj: Any) -> None:
        setattr(obj, self.content_type_field_name, self.content_type)
        setattr(obj, self.object_id_field_name, self.pk_val)

    def add(self, *objs: Any, bulk: bool = True) -> None:
        self._check_saved()
        self._check_objs(objs)
        self._forget_prefetched()
        db = self._db_alias
        if bulk:
            pks = []
            for obj in objs:
                if obj._state.adding or obj._state.db != db:
                    raise ValueError(f"{obj!r} instance isn't saved. Use bulk=False or save the object first.")
                pks.append(obj.pk)
            self.model._base_manager.using(db).filter(pk__in=pks).update(
                **{self.content_type_field_name: self.content_type, self.object_id_field_name: self.pk_val}
            )
            for obj in objs:
                self._point_here(obj)
            return
        with transaction.atomic(using=db, savepoint=False):
            for obj in objs:
                self._point_here(obj)
                obj.save(using=db)

    add.alters_data = True  # type: ignore[attr-defined]

    def remove(self, *objs: Any, bulk: bool = True) -> None:
        self._check_saved()
        if not objs:
            return
        self._check_objs(objs)
        self._clear(self._plain().filter(pk__in=[o.pk for o in objs]), bulk)

    remove.alters_data = True  # type: ignore[attr-defined]

    def clear(self, *, bulk: bool = True) -> None:
        self._check_saved()
        self._clear(self._plain().all(), bulk)

    clear.alters_data = True  # type: ignore[attr-defined]

    def _clear(self, queryset: Any, bulk: bool) -> None:
        self._forget_prefetched()
        db = self._db_alias
        queryset = self._apply_filters(queryset)
        if bulk:
            # The deletion collector, so what depends on these rows goes too.
            queryset.delete()
            return
        with transaction.atomic(using=db, savepoint=False):
            for obj in queryset:
                obj.delete()

    def set(self, objs: Any, *, bulk: bool = True, clear: bool = False) -> None:
        self._check_saved()
        objs = tuple(objs)  # a queryset over these rows is read before anything changes
        with transaction.atomic(using=self._db_alias, savepoint=False):
            if clear:
                self.clear(bulk=bulk)
                self.add(*objs, bulk=bulk)
                return
            current = set(self._apply_filters(self._plain().all()))
            new = []
            for obj in objs:
                if obj in current:
                    current.remove(obj)
                else:
                    new.append(obj)
            self.remove(*current, bulk=bulk)
            self.add(*new, bulk=bulk)

    set.alters_data = True  # type: ignore[attr-defined]

    def _write_related(self, method: str, kwargs: dict[str, Any]) -> Any:
        """The plain manager's `method` with the two columns pointing at this instance."""
        self._check_saved()
        self._forget_prefetched()
        kwargs[self.content_type_field_name] = self.content_type
        kwargs[self.object_id_field_name] = self.pk_val
        return getattr(self._plain(), method)(**kwargs)

    def create(self, **kwargs: Any) -> Any:
        return self._write_related("create", kwargs)

    create.alters_data = True  # type: ignore[attr-defined]

    def get_or_create(self, **kwargs: Any) -> Any:
        return self._write_related("get_or_create", kwargs)

    get_or_create.alters_data = True  # type: ignore[attr-defined]

    def update_or_create(self, **kwargs: Any) -> Any:
        return self._write_related("update_or_create", kwargs)

    update_or_create.alters_data = True  # type: ignore[attr-defined]


def create_generic_related_manager(superclass: type, rel: Any) -> type:
    """The manager class behind `<instance>.<GenericRelation name>` for `rel` (a GenericRel)."""
    attrs = {
        "_rel": rel,
        "model": rel.model,
        "__module__": __name__,
        "__qualname__": "GenericRelatedObjectManager",
    }
    return type("GenericRelatedObjectManager", (GenericRelatedManager, superclass), attrs)
