"""Managers on the "many" side of a relation: `author.book_set`, `pizza.toppings`.

Both are built per relation as subclasses of the related model's default
manager class, so custom manager methods work through them too. Querysets
they return use a prefetched cache when `prefetch_related()` filled one, and
objects they load already carry the instance they came from (no query for
`book.author` after `author.book_set.all()`).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from relata import transaction
from relata.db import connections
from relata.models.asynchronous import AsyncRelatedManagerMixin
from relata.models.instance_state import db_of
from relata.models.manager import BaseManager
from relata.models.q import Q
from relata.models.query import prefetch_relations
from relata.models.query.prefetch_relations import PrefetchableRelation
from relata.models.query.state import tokenize
from relata.models.routing import router
from relata.models.signals import m2m_changed


def _check_saved(instance: Any) -> None:
    if not instance._is_pk_set():
        raise ValueError(
            f"'{type(instance).__name__}' instance needs to have a primary key value before this "
            f"relationship can be used."
        )


def _prefetched(instance: Any, name: str) -> list[Any] | None:
    """The objects prefetch_related() loaded for relation `name` of `instance`, if it did.

    The cache holds plain lists; each access wraps its list in a fresh queryset,
    so a prefetch keeps no queryset alive per instance.
    """
    cache = instance.__dict__.get("_prefetched_objects_cache")
    return None if cache is None else cache.get(name)


def _serve(queryset: Any, items: list[Any]) -> Any:
    queryset._result_cache = items
    queryset._prefetch_done = True
    return queryset


def _serve_narrowed_later(queryset: Any, items: list[Any], field: Any, instance: Any) -> Any:
    """`items` as a queryset whose narrowing to `instance` is built only if asked for (QuerySet.__getattr__).

    `for a in authors: a.books.all()` after a prefetch only iterates what was
    loaded: the narrowed state (and what goes with it) would be made for nothing.
    """
    state = queryset.__dict__
    state["_pending_narrowing"] = (narrow_to_instance, state.pop("_state"), field, instance)
    return _serve(queryset, items)


def _forget_prefetched(instance: Any, name: str) -> None:
    cache = instance.__dict__.get("_prefetched_objects_cache")
    if cache is not None:
        cache.pop(name, None)


def narrow_to_instance(queryset: Any, field: Any, instance: Any) -> Any:
    """`queryset` (fresh, owned by the caller) limited to rows whose `field` points at `instance`.

    Built directly rather than through filter(): this runs once per access in
    `for a in authors: a.book_set.all()` loops and once per object in prefetches.
    The loaded rows get `instance` as their cached related object.
    """
    if not field.concrete:
        # A ForeignObject: the rows whose from_fields hold this instance's to_fields values.
        key = field.get_foreign_related_value(instance)
        if None in key:
            return queryset.none()
        queryset = queryset.filter(**{field.name: instance})
        queryset._known_related = (*queryset._known_related, (field, {key: instance}, False))
        return queryset
    narrowing = field.__dict__.get("narrowing")  # kept on the field: hashing a field is a Python call
    if narrowing is None:
        narrowing = field.__dict__["narrowing"] = _Narrowing(field.target_field.attname)
    target_value = instance.__dict__.get(narrowing.target_attname)
    if target_value is None:
        return queryset.none()
    base = queryset._state
    leaf = ("AND", False, (("leaf", field.name, target_value),))
    queryset._state = state = base.evolve(where=(*base.where, leaf))
    queryset._known_related = (*queryset._known_related, (field, {target_value: instance}, False))
    if base is queryset.model._meta.base_state:
        # The shape is the same for every instance: skip tokenizing it per query.
        if narrowing.shape is None:
            narrowing.shape = tokenize(state, [])
        queryset._pretokenized = (state, narrowing.shape, [target_value])
    return queryset


class _Narrowing:
    """What narrow_to_instance() reads per relation field: the key's attname, the tokenized shape."""

    __slots__ = ("shape", "target_attname")

    def __init__(self, target_attname: str):
        self.target_attname = target_attname
        self.shape: Any = None


class ReverseManyToOneManager(PrefetchableRelation, AsyncRelatedManagerMixin):
    """`author.book_set`: the books whose foreign key points at this author.

    Mixed in before the related model's default manager class by
    create_reverse_many_to_one_manager(), which sets the relation's attributes.
    """

    # Made on every `author.book_set` access: only the instance is set per
    # manager, the rest are class attributes (db_manager() overrides _db and _hints).
    name = None
    _db = None
    _hints = MappingProxyType({})
    _rel: Any
    _pk_attname: str
    model: Any
    field: Any
    cache_name: str

    querysets_function = prefetch_relations.reverse_many_querysets
    loader_function = prefetch_relations.load_reverse_many

    def __init__(self, instance: Any):
        # An unsaved instance may have the manager (`obj.book_set.model`); using it raises (get_queryset, add...).
        self.instance = instance

    @property
    def core_filters(self) -> dict[str, Any]:
        return {self.field.name: self.instance}

    def __call__(self, *, manager: str) -> Any:
        other = getattr(self.model, manager)
        return create_reverse_many_to_one_manager(other.__class__, self._rel)(self.instance)

    def _apply_filters(self, queryset: Any) -> Any:
        db = self._db or db_of(self.instance)
        if db:
            queryset._db = db
        return narrow_to_instance(queryset, self.field, self.instance)

    def get_queryset(self) -> Any:
        instance = self.instance
        if instance.__dict__.get(self._pk_attname) is None:
            _check_saved(instance)
        items = _prefetched(instance, self.cache_name)
        if items is None:
            return self._apply_filters(super().get_queryset())
        source = getattr(items, "queryset", None)  # the Prefetch queryset the rows came from
        queryset = super().get_queryset() if source is None else source._clone()
        db = self._db or db_of(instance)
        if db:
            queryset._db = db
        return _serve_narrowed_later(queryset, items, self.field, instance)

    def _check_usable(self) -> None:
        """Writes need the instance saved and holding the value the relation points at (a to_field may be NULL)."""
        _check_saved(self.instance)
        target = self.field.target_field
        if self.instance.__dict__.get(target.attname) is None:
            raise ValueError(
                f'"{self.instance!r}" needs to have a value for field "{target.attname}" before this '
                "relationship can be used."
            )

    def _plain(self, db: str) -> Any:
        """This manager on `db`, seen as its base class (whose writers it overrides)."""
        return super(ReverseManyToOneManager, self.db_manager(db))

    def _check_objs(self, objs: tuple[Any, ...]) -> None:
        for obj in objs:
            if not isinstance(obj, self.model):
                raise TypeError(f"'{self.model._meta.object_name}' instance expected, got {obj!r}")

    def add(self, *objs: Any, bulk: bool = True) -> None:
        self._check_usable()
        self._check_objs(objs)
        _forget_prefetched(self.instance, self.cache_name)
        db = self.instance._state.db or "default"
        target_value = getattr(self.instance, self.field.target_field.attname)
        if bulk:
            pks = []
            for obj in objs:
                if obj._state.adding or obj._state.db != db:
                    raise ValueError(f"{obj!r} instance isn't saved. Use bulk=False or save the object first.")
                pks.append(obj.pk)
            self.model._base_manager.using(db).filter(pk__in=pks).update(**{self.field.name: target_value})
            for obj in objs:
                setattr(obj, self.field.name, self.instance)
            return
        with transaction.atomic(using=db, savepoint=False):
            for obj in objs:
                setattr(obj, self.field.name, self.instance)
                obj.save(using=db)

    add.alters_data = True  # type: ignore[attr-defined]

    def _write_related(self, method: str, kwargs: dict[str, Any]) -> Any:
        """The plain manager's `method` with the foreign key set to this instance."""
        self._check_usable()
        _forget_prefetched(self.instance, self.cache_name)
        kwargs[self.field.name] = self.instance
        return getattr(self._plain(self.instance._state.db or "default"), method)(**kwargs)

    def create(self, **kwargs: Any) -> Any:
        return self._write_related("create", kwargs)

    def get_or_create(self, **kwargs: Any) -> Any:
        return self._write_related("get_or_create", kwargs)

    def update_or_create(self, **kwargs: Any) -> Any:
        return self._write_related("update_or_create", kwargs)

    def set(self, objs: Any, *, bulk: bool = True, clear: bool = False) -> None:
        self._check_usable()
        objs = tuple(objs)
        if not self.field.null:
            self.add(*objs, bulk=bulk)
            return
        db = self.instance._state.db or "default"
        with transaction.atomic(using=db, savepoint=False):
            if clear:
                self.clear(bulk=bulk)
                self.add(*objs, bulk=bulk)
                return
            current = set(self.using(db).all())
            wanted = set()
            new = []
            for obj in objs:
                if obj in current:
                    wanted.add(obj)
                else:
                    new.append(obj)
            self.remove(*(current - wanted), bulk=bulk)
            self.add(*new, bulk=bulk)

    set.alters_data = True  # type: ignore[attr-defined]


class NullableReverseManyToOneManager(ReverseManyToOneManager):
    """A nullable foreign key's reverse manager: it can also remove() and clear()."""

    def remove(self, *objs: Any, bulk: bool = True) -> None:
        self._check_usable()
        if not objs:
            return
        self._check_objs(objs)
        target_value = getattr(self.instance, self.field.target_field.attname)
        for obj in objs:
            if obj.__dict__.get(self.field.attname) != target_value:
                raise self.field.remote_field.model.DoesNotExist(f"{obj!r} is not related to {self.instance!r}.")
        self._clear(self._visible().filter(pk__in=[o.pk for o in objs]), bulk, objs)

    def clear(self, *, bulk: bool = True) -> None:
        self._check_usable()
        self._clear(self._visible(), bulk, None)

    def _visible(self) -> Any:
        """The rows this manager's class shows: a custom manager's filter also limits what it removes (as Django)."""
        return super(ReverseManyToOneManager, self).get_queryset()

    def _clear(self, queryset: Any, bulk: bool, objs: Any) -> None:
        _forget_prefetched(self.instance, self.cache_name)
        db = self.instance._state.db or "default"
        queryset = self._apply_filters(queryset.using(db))
        if bulk:
            queryset.update(**{self.field.name: None})
            # The objects given follow the rows, unless a custom manager may have hidden some of them.
            if super(ReverseManyToOneManager, self).get_queryset.__func__ is BaseManager.get_queryset:
                for obj in objs or ():
                    setattr(obj, self.field.name, None)
            return
        with transaction.atomic(using=db, savepoint=False):
            for obj in queryset:
                setattr(obj, self.field.name, None)
                obj.save(update_fields=[self.field.name])

    remove.alters_data = True  # type: ignore[attr-defined]
    clear.alters_data = True  # type: ignore[attr-defined]


def create_reverse_many_to_one_manager(superclass: type, rel: Any) -> type:
    """The manager class behind `<instance>.<accessor>` for reverse foreign key `rel`."""
    mixin = NullableReverseManyToOneManager if rel.field.null else ReverseManyToOneManager
    attrs = {
        "_rel": rel,
        "_pk_attname": rel.model._meta.pk.attname,
        "model": rel.related_model,
        "field": rel.field,
        "cache_name": rel.get_cache_name(),
        "__module__": __name__,
        "__qualname__": "RelatedManager",
    }
    return type("RelatedManager", (mixin, superclass), attrs)


class ManyToManyManager(PrefetchableRelation, AsyncRelatedManagerMixin):
    """Both ends of a many-to-many: rows live in the through table.

    Mixed in before the target model's default manager class by
    create_many_to_many_manager(), which sets the relation and the side.
    """

    _rel: Any
    _reverse_side: bool
    querysets_function = prefetch_relations.m2m_querysets
    loader_function = prefetch_relations.load_m2m

    def __init__(self, instance: Any):
        super().__init__()
        self.instance = instance
        rel, reverse = self._rel, self._reverse_side
        field = rel.field
        if not reverse:
            self.model = rel.model
            self.query_field_name = field.related_query_name()
            self.prefetch_cache_name = field.name
            self.symmetrical = rel.symmetrical
        else:
            self.model = rel.related_model
            self.query_field_name = field.name
            self.prefetch_cache_name = rel.get_cache_name()
            self.symmetrical = False
        self.through = rel.through
        source, target = field._through_fields()
        self.source_field, self.target_field = (target, source) if reverse else (source, target)
        keys = self.source_field.foreign_related_fields
        values = tuple(getattr(instance, key.attname) for key in keys)
        for key, value in zip(keys, values, strict=True):
            if value is None:
                raise ValueError(
                    f'"{instance!r}" needs to have a value for field "{key.attname}" before this '
                    "many-to-many relationship can be used."
                )
        #: The value the through rows hold for this instance (a tuple when they name it by several columns).
        self.source_value = values[0] if self.source_field.concrete else values

    def __call__(self, *, manager: str) -> Any:
        other = getattr(self.model, manager)
        return create_many_to_many_manager(other.__class__, self._rel, self._reverse_side)(self.instance)

    @property
    def _db_alias(self) -> str:
        return self._db or self.instance._state.db or "default"

    def _apply_filters(self, queryset: Any) -> Any:
        if not self.source_field.concrete:
            # Through rows that name this instance by other fields (a ForeignObject): through the join.
            return queryset.using(self._db_alias).filter(**{self.query_field_name: self.instance})
        lookup = f"{self.query_field_name}__{self.source_field.target_field.name}"
        return queryset.using(self._db_alias).filter(**{lookup: self.source_value})

    def get_queryset(self) -> Any:
        items = _prefetched(self.instance, self.prefetch_cache_name)
        source = getattr(items, "queryset", None)  # the Prefetch queryset the rows came from
        queryset = self._apply_filters(super().get_queryset() if source is None else source._clone())
        return queryset if items is None else _serve(queryset, items)

    def count(self) -> int:
        links = self._links_alone()
        return self.get_queryset().count() if links is None else links.count()

    def exists(self) -> bool:
        links = self._links_alone()
        return self.get_queryset().exists() if links is None else links.exists()

    def _links_alone(self) -> Any:
        """This instance's through rows, when counting them is counting the targets (no JOIN needed).

        That holds when a foreign key constraint makes every link reach a target
        row, the target's manager filters nothing, and nothing was prefetched.
        """
        if _prefetched(self.instance, self.prefetch_cache_name) is not None:
            return None
        if super().get_queryset.__func__ is not BaseManager.get_queryset:
            return None  # a custom manager may filter the targets
        target = self.target_field
        if not (target.concrete and self.source_field.concrete):
            return None  # no constraint makes a link reach a row when the columns are a ForeignObject's
        db = self._db_alias
        if not target.db_constraint or not connections[db].features.supports_foreign_keys:
            return None
        filters: dict[str, Any] = {self.source_field.attname: self.source_value}
        if target.null:
            filters[f"{target.attname}__isnull"] = False  # a NULL link matches no target
        return self.through._base_manager.db_manager(db).filter(**filters)

    def _target_ids(self, objs: tuple[Any, ...]) -> list[Any]:
        ids = []
        target_attname = self.target_field.target_field.attname
        for obj in objs:
            if isinstance(obj, self.model):
                if obj._state.adding or not obj._is_pk_set():
                    raise ValueError(f'Cannot add "{obj!r}": the object is not saved yet.')
                if not router.allow_relation(obj, self.instance):
                    raise ValueError(
                        f'Cannot add "{obj!r}": instance is on database "{self.instance._state.db}", '
                        f'value is on database "{obj._state.db}"'
                    )
                ids.append(getattr(obj, target_attname))
            elif hasattr(obj, "_meta"):
                raise TypeError(f"'{self.model._meta.object_name}' instance expected, got {obj!r}")
            else:
                ids.append(self.target_field.target_field.get_prep_value(obj))
        return ids

    def _plain(self) -> Any:
        """The target model's default manager on this database (an unfiltered writer)."""
        return self.model._default_manager.db_manager(self._db_alias)

    def _through_rows(self) -> Any:
        return self.through._base_manager.using(self._db_alias)

    def add(self, *objs: Any, through_defaults: dict[str, Any] | None = None) -> None:
        _forget_prefetched(self.instance, self.prefetch_cache_name)
        ids = self._target_ids(objs)
        with transaction.atomic(using=self._db_alias, savepoint=False):
            self._add_ids(ids, through_defaults)

    def _announces_changes(self) -> bool:
        """Whether m2m_changed has receivers for this relation's through model."""
        return bool(m2m_changed.receivers) and m2m_changed.has_listeners(self.through)

    def _announce(self, action: str, pk_set: set[Any] | None) -> None:
        m2m_changed.send(
            sender=self.through,
            action=action,
            instance=self.instance,
            reverse=self._reverse_side,
            model=self.model,
            pk_set=pk_set,
            using=self._db_alias,
        )

    add.alters_data = True  # type: ignore[attr-defined]

    def _links(self, ids: list[Any] | None) -> Q:
        """The through rows from this instance to `ids` (all when None), and back when symmetrical."""
        src, tgt = self.source_field.attname, self.target_field.attname
        forward = {src: self.source_value} if ids is None else {src: self.source_value, f"{tgt}__in": ids}
        links = Q(**forward)
        if self.symmetrical:
            links |= Q(**({tgt: self.source_value} if ids is None else {tgt: self.source_value, f"{src}__in": ids}))
        return links

    def _remove_ids(self, ids: list[Any] | None) -> None:
        """Delete the links to `ids` (all when None), between pre_/post_remove (pre_/post_clear) when announced."""
        announce = self._announces_changes()
        if announce:
            action, pk_set = ("clear", None) if ids is None else ("remove", set(ids))
            self._announce(f"pre_{action}", pk_set)
        self._through_rows().filter(self._links(self._visible_ids(ids))).delete()
        if announce:
            self._announce(f"post_{action}", pk_set)

    def _visible_ids(self, ids: list[Any] | None) -> Any:
        """`ids` (all when None) narrowed to the targets this manager's class shows, as a subquery.

        A custom manager's filter limits what remove() and clear() unlink (as Django).
        """
        visible = super().get_queryset()
        if not visible._state.where:
            return ids
        key = self.target_field.target_field.attname
        if ids is not None:
            visible = visible.filter(**{f"{key}__in": ids})
        return visible.using(self._db_alias).values(key)

    def remove(self, *objs: Any) -> None:
        _forget_prefetched(self.instance, self.prefetch_cache_name)
        if not objs:
            return
        ids = self._target_ids(objs)
        with transaction.atomic(using=self._db_alias, savepoint=False):
            self._remove_ids(ids)

    remove.alters_data = True  # type: ignore[attr-defined]

    def clear(self) -> None:
        _forget_prefetched(self.instance, self.prefetch_cache_name)
        with transaction.atomic(using=self._db_alias, savepoint=False):
            self._remove_ids(None)

    clear.alters_data = True  # type: ignore[attr-defined]

    def set(self, objs: Any, *, clear: bool = False, through_defaults: dict[str, Any] | None = None) -> None:
        objs = tuple(objs)
        with transaction.atomic(using=self._db_alias, savepoint=False):
            if clear:
                self.clear()
                self.add(*objs, through_defaults=through_defaults)
                return
            wanted = self._target_ids(objs)
            current = set(
                self._through_rows()
                .filter(**{self.source_field.attname: self.source_value})
                .values_list(self.target_field.attname, flat=True)
            )
            wanted_set = set(wanted)
            stale = [i for i in current if i not in wanted_set]
            if stale:
                _forget_prefetched(self.instance, self.prefetch_cache_name)
                self._remove_ids(stale)
            new = [i for i in wanted if i not in current]
            if new:
                _forget_prefetched(self.instance, self.prefetch_cache_name)
                self._add_ids(new, through_defaults)

    set.alters_data = True  # type: ignore[attr-defined]

    def _add_ids(self, ids: list[Any], through_defaults: dict[str, Any] | None) -> None:
        """Insert the missing links (both ways when symmetrical) in one INSERT where possible.

        Announced adds name the targets not yet linked (this direction only) in
        pre_add and post_add, so they read the existing links first.
        """
        ids = list(dict.fromkeys(ids))
        if ids and self._announces_changes():
            src, tgt = self.source_field.attname, self.target_field.attname
            linked = self._through_rows().filter(**{src: self.source_value, f"{tgt}__in": ids})
            pk_set = set(ids) - set(linked.values_list(tgt, flat=True))
            self._announce("pre_add", pk_set)
            self._insert_links(ids, through_defaults)
            self._announce("post_add", pk_set)
            return
        self._insert_links(ids, through_defaults)

    def _insert_links(self, ids: list[Any], through_defaults: dict[str, Any] | None) -> None:
        pairs = [(self.source_value, i) for i in ids]
        if self.symmetrical:
            pairs += [(i, self.source_value) for i in ids if i != self.source_value]
        if not pairs:
            return
        src, tgt = self.source_field.attname, self.target_field.attname
        rows = self._through_rows()
        # An auto-created through table has a unique (source, target) pair: let the
        # database skip existing links. An explicit one may not: look them up first.
        skip_existing = (
            bool(self.through._meta.auto_created) and connections[self._db_alias].features.supports_ignore_conflicts
        )
        if not skip_existing:
            existing = set(rows.filter(self._links(ids)).values_list(src, tgt))
            pairs = [pair for pair in pairs if pair not in existing]
            if not pairs:
                return
        defaults = {k: (v() if callable(v) else v) for k, v in (through_defaults or {}).items()}
        new_rows = [self.through(**defaults, **{src: s, tgt: t}) for s, t in pairs]
        rows.bulk_create(new_rows, ignore_conflicts=skip_existing)

    def create(self, *, through_defaults: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        obj = self._plain().create(**kwargs)
        self.add(obj, through_defaults=through_defaults)
        return obj

    create.alters_data = True  # type: ignore[attr-defined]

    def get_or_create(self, *, through_defaults: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self._link_if_created("get_or_create", through_defaults, kwargs)

    def update_or_create(self, *, through_defaults: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self._link_if_created("update_or_create", through_defaults, kwargs)

    def _link_if_created(self, method: str, through_defaults: Any, kwargs: dict[str, Any]) -> Any:
        """The plain manager's `method`; a new object is then linked to this instance."""
        obj, created = getattr(self._plain(), method)(**kwargs)
        if created:
            self.add(obj, through_defaults=through_defaults)
        return obj, created


def create_many_to_many_manager(superclass: type, rel: Any, reverse: bool) -> type:
    """The manager class behind either end of many-to-many `rel` (`reverse`: the target's end)."""
    attrs = {"_rel": rel, "_reverse_side": reverse, "__module__": __name__, "__qualname__": "ManyRelatedManager"}
    return type("ManyRelatedManager", (ManyToManyManager, superclass), attrs)
