"""`Model._meta`: everything known about a model's table and fields.

Built by the metaclass from the model's `class Meta`, then completed as
relation fields elsewhere point at this model (the reverse relations).
"""

from __future__ import annotations

import copy
import re
from functools import cached_property
from typing import Any

from relata.exceptions import FieldDoesNotExist, ImproperlyConfigured

META_OPTIONS = frozenset(
    {
        "abstract",
        "app_label",
        "db_table",
        "ordering",
        "unique_together",
        "index_together",
        "indexes",
        "constraints",
        "verbose_name",
        "verbose_name_plural",
        "get_latest_by",
        "default_related_name",
        "managed",
        "base_manager_name",
        "default_manager_name",
        "required_db_features",
        "db_table_comment",
        "proxy",
        "select_on_save",
        "permissions",
        "default_permissions",
        "order_with_respect_to",
        "db_tablespace",
        "swappable",
        "apps",
    }
)
_CACHED = (
    "forward_fields",
    "fields",
    "concrete_fields",
    "local_concrete_fields",
    "concrete_relation_fields",
    "concrete_fields_but_pk",
    "pk_fields",
    "concrete_attnames",
    "db_default_fields",
    "generated_fields",
    "insertable_fields",
    "many_to_many",
    "related_objects",
    "all_related_objects",
    "fields_map",
    "_forward_map",
    "_reverse_map",
    "_hidden_map",
    "init_plan",
    "fast_init",
    "managers",
    "managers_map",
    "all_parents",
    "parent_paths",
)


def camel_to_words(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name).lower().strip()


class Options:
    def __init__(self, meta: type | None, app_label: str | None = None):
        self.meta = meta
        self.model: Any = None
        self.local_fields: list[Any] = []
        self.local_many_to_many: list[Any] = []
        self.private_fields: list[Any] = []
        self.pk: Any = None
        self.auto_field: Any = None
        self.app_label = app_label
        self.abstract = False
        #: For an auto-created many-to-many through model: the model that made it.
        self.auto_created: Any = False
        self.managed = True
        self.proxy = False
        self.db_table = ""
        self.ordering: list[Any] = []
        self.unique_together: tuple[tuple[str, ...], ...] = ()
        self.indexes: list[Any] = []
        self.constraints: list[Any] = []
        self.verbose_name: str | None = None
        self.verbose_name_plural: str | None = None
        self.get_latest_by: Any = None
        self.default_related_name: str | None = None
        self.base_manager_name: str | None = None
        self.default_manager_name: str | None = None
        self.required_db_features: list[str] = []
        self.db_table_comment = ""
        self.select_on_save = False
        #: The relation rows are ordered within (a field once the model is prepared): see order_wrt.
        self.order_with_respect_to: Any = None
        self.local_managers: list[Any] = []
        #: Concrete parent model -> the OneToOneField linking this model's row to its row (None for a
        #: proxy, whose only parent is the model it proxies). See inheritance.py.
        self.parents: dict[Any, Any] = {}
        #: The model whose table holds the rows: the model itself unless it is a proxy.
        self.concrete_model: Any = None
        #: A proxy's direct concrete-or-proxy base.
        self.proxy_for_model: Any = None
        #: The rows span more than one table (multi-table inheritance): queries join the parents'
        #: tables and save() writes each. False for every other model, so their paths stay as they are.
        self.multi_table = False
        #: A plain class after Model in the MRO has an __init__: Model.__init__ calls it (as Django's does).
        self.init_calls_super = False
        #: Proxies of this model: they share its reverse relations, so they expire with it.
        self._proxies: list[Any] = []
        self.original_attrs: dict[str, Any] = {}
        #: The registry the model joins: the global one, or (for the frozen
        #: models migrations render) a private one given as `Meta.apps`.
        self.apps: Any = None
        #: Reverse relations pointing here, hidden ones ('+') included.
        self._reverse_relations: list[Any] = []

    # -- set-up -------------------------------------------------------------------

    def contribute_to_class(self, cls: type, name: str) -> None:
        cls._meta = self
        self.model = cls
        self.concrete_model = cls
        self.object_name = cls.__name__
        self.model_name = cls.__name__.lower()
        self.verbose_name = camel_to_words(cls.__name__)
        if self.meta is not None:
            attrs = _meta_attrs(self.meta)
            unknown = set(attrs) - META_OPTIONS
            if unknown:
                raise TypeError(f"'class Meta' got invalid attribute(s): {','.join(sorted(unknown))}")
            for key, value in attrs.items():
                setattr(self, key, value)
                self.original_attrs[key] = value
        if self.apps is None:
            from relata.models.registry import apps

            self.apps = apps
        self.ordering = list(self.ordering)
        self.unique_together = normalize_together(self.unique_together)
        if self.verbose_name_plural is None:
            self.verbose_name_plural = f"{self.verbose_name}s"
        if not self.db_table:
            self.db_table = f"{self.app_label}_{self.model_name}"

    def add_field(self, field: Any, private: bool = False) -> None:
        if private:
            # A field without a column of its own (a GenericForeignKey, a GenericRelation): found by
            # get_field() and get_fields(), never among `fields`, so no row or save path sees it.
            self.private_fields.append(field)
            self.expire_cache()
            return
        target = self.local_many_to_many if field.many_to_many else self.local_fields
        target.append(field)
        target.sort(key=lambda f: f.creation_counter)
        if field.primary_key and not field.many_to_many:
            if self.pk is not None and (self.pk.column is None or field.column is None):
                # A CompositePrimaryKey and another primary key: the key stays composite and the
                # model check reports the clash (models.E026), as Django does.
                self.pk = self.pk if self.pk.column is None else field
                self.expire_cache()
                return
            if self.pk is not None and self.pk is not field:
                raise ImproperlyConfigured(
                    f"{self.object_name} has more than one primary key field "
                    f"('{self.pk.name}' and '{field.name}'); keep primary_key=True on one."
                )
            self.pk = field
        self.expire_cache()

    def add_reverse_relation(self, rel: Any) -> None:
        self._reverse_relations.append(rel)
        self.expire_cache()

    def remove_reverse_relation(self, rel: Any) -> None:
        if rel in self._reverse_relations:
            self._reverse_relations.remove(rel)
        self.expire_cache()

    def add_manager(self, manager: Any) -> None:
        self.local_managers.append(manager)
        self.local_managers.sort(key=lambda m: m.creation_counter)
        for name in ("managers", "managers_map"):
            self.__dict__.pop(name, None)

    def setup_proxy(self, target: Any) -> None:
        """Make this model a proxy of `target`: same table, key and reverse relations."""
        concrete = target._meta.concrete_model
        self.pk = target._meta.pk
        self.auto_field = concrete._meta.auto_field
        self.proxy_for_model = target
        self.concrete_model = concrete
        self.db_table = concrete._meta.db_table
        self.multi_table = concrete._meta.multi_table
        # One list for the concrete model and its proxies: a relation to any of them is a relation to the rows.
        self._reverse_relations = concrete._meta._reverse_relations
        concrete._meta._proxies.append(self)
        self.apps.on_unregister(self.model, lambda: _discard(concrete._meta._proxies, self))
        self.parents[concrete] = None

    def _expire_cache(self, forward: bool = True, reverse: bool = True) -> None:
        """Django's name: after a test or an app changes Meta at run time (base_manager_name, fields)."""
        self.expire_cache()

    def expire_cache(self) -> None:
        for name in _CACHED:
            self.__dict__.pop(name, None)
        for proxy in self._proxies:
            proxy.expire_cache()
        init = None if self.model is None else vars(self.model).get("__init__")
        if getattr(init, "generated_for", None) is self:
            self.model.__init__ = init.general  # written for the old fields; Model.__init__ makes a new one

    # -- names --------------------------------------------------------------------

    @property
    def verbose_name_raw(self) -> str:
        """The verbose name as a plain string (Django's name; relata does not translate it)."""
        return str(self.verbose_name)

    @property
    def swapped(self) -> str | None:
        """The model replacing this one, for a swappable model: None, as relata has no settings to swap by."""
        return None

    @property
    def label(self) -> str:
        return f"{self.app_label}.{self.object_name}"

    @property
    def label_lower(self) -> str:
        return f"{self.app_label}.{self.model_name}"

    def __repr__(self) -> str:
        return f"<Options for {self.object_name}>"

    def __str__(self) -> str:
        return self.label_lower

    # -- field lists --------------------------------------------------------------

    @cached_property
    def forward_fields(self) -> tuple[Any, ...]:
        """Every forward field, many-to-many included: the parents' first, then this model's in declaration order."""
        local = tuple(sorted(self.local_fields + self.local_many_to_many, key=lambda f: f.creation_counter))
        return self._from_parents("forward_fields") + local if self.parents else local

    @cached_property
    def fields(self) -> tuple[Any, ...]:
        """The forward fields that are not many-to-many (Django's `_meta.fields`), ForeignObjects included."""
        return tuple(f for f in self.forward_fields if not f.many_to_many)

    @cached_property
    def concrete_fields(self) -> tuple[Any, ...]:
        """Every column of a row, the parents' tables' first (a plain model: its own table's)."""
        local = tuple(f for f in self.local_fields if f.concrete)
        return self._from_parents("concrete_fields") + local if self.parents else local

    @cached_property
    def local_concrete_fields(self) -> tuple[Any, ...]:
        """The columns of this model's own table."""
        return tuple(f for f in self.local_fields if f.concrete)

    def _from_parents(self, kind: str) -> tuple[Any, ...]:
        seen: dict[Any, None] = {}
        for parent in self.parents:
            for field in getattr(parent._meta, kind):
                seen.setdefault(field)
        return tuple(seen)

    @cached_property
    def concrete_fields_but_pk(self) -> tuple[Any, ...]:
        """What save() of a loaded row updates (a generated column is the database's to write)."""
        key = self.pk_fields
        return tuple(f for f in self.concrete_fields if not f.primary_key and not f.generated and f not in key)

    @cached_property
    def pk_fields(self) -> list[Any]:
        """The fields the primary key is made of: the parts of a CompositePrimaryKey, else the key alone."""
        pk = self.pk
        return [pk] if pk is None or pk.column is not None else list(pk.fields)

    @property
    def is_composite_pk(self) -> bool:
        return self.pk is not None and self.pk.column is None

    @cached_property
    def insertable_fields(self) -> tuple[Any, ...]:
        """The columns an INSERT may name: all but the generated ones."""
        return tuple(f for f in self.concrete_fields if not f.generated)

    @cached_property
    def generated_fields(self) -> tuple[Any, ...]:
        """GeneratedFields: left out of writes, read back after an INSERT, reloaded after an UPDATE."""
        return tuple(f for f in self.concrete_fields if f.generated)

    @cached_property
    def concrete_attnames(self) -> frozenset[str]:
        """Every written column's attname: an instance dict lacking one has deferred fields.

        Generated columns are left out: one that is not loaded yet is no reason to
        save only the loaded fields, as in Django.
        """
        return frozenset(f.attname for f in self.concrete_fields if not f.generated)

    @cached_property
    def db_default_fields(self) -> tuple[Any, ...]:
        """Fields with `db_default`: an INSERT leaves them out while they hold DatabaseDefault."""
        return tuple(f for f in self.concrete_fields if f.has_db_default())

    @cached_property
    def concrete_relation_fields(self) -> tuple[Any, ...]:
        """The foreign keys and one-to-ones: what save() checks for unsaved related objects."""
        return tuple(f for f in self.concrete_fields if f.is_relation)

    @cached_property
    def many_to_many(self) -> tuple[Any, ...]:
        return tuple(f for f in self.forward_fields if f.many_to_many)

    @cached_property
    def all_related_objects(self) -> tuple[Any, ...]:
        """Every reverse relation, including hidden ones and the parents': deletion must see them all."""
        if not self.parents:
            return tuple(self._reverse_relations)
        from relata.models.inheritance import inherited_relations

        return inherited_relations(self)

    @cached_property
    def related_objects(self) -> tuple[Any, ...]:
        """Reverse relations that have an accessor, as Django lists them."""
        return tuple(rel for rel in self.all_related_objects if not rel.hidden or rel.field.many_to_many)

    @cached_property
    def _forward_map(self) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for field in self.forward_fields:
            mapping[field.name] = field
            mapping.setdefault(field.attname, field)
        for field in self.private_fields:
            mapping.setdefault(field.name, field)
        return mapping

    @cached_property
    def _reverse_map(self) -> dict[str, Any]:
        return {rel.name: rel for rel in self.all_related_objects if not rel.hidden}

    @cached_property
    def _hidden_map(self) -> dict[str, Any]:
        return {rel.name: rel for rel in self.all_related_objects if rel.hidden}

    @cached_property
    def fields_map(self) -> dict[str, Any]:
        return {**self._reverse_map, **self._forward_map}

    def get_field(self, field_name: str) -> Any:
        try:
            return self._forward_map[field_name]
        except KeyError:
            pass
        try:
            return self._reverse_map[field_name]
        except KeyError:
            pass
        try:
            # Hidden relations ('+') answer only to their internal names, which
            # relata's own managers use; users cannot spell them in filter().
            if field_name.endswith("+"):
                return self._hidden_map[field_name]
            raise KeyError(field_name)
        except KeyError:
            raise FieldDoesNotExist(f"{self.object_name} has no field named '{field_name}'") from None

    def get_fields(self, include_parents: bool = True, include_hidden: bool = False) -> tuple[Any, ...]:
        if include_parents is not True and include_parents is not False:
            raise TypeError(f"include_parents must be True or False, not {include_parents!r}.")
        reverse = self.all_related_objects
        if not include_hidden:  # hidden ones are left out, many-to-many included (unlike related_objects)
            reverse = tuple(rel for rel in reverse if not rel.hidden)
        fields = self.forward_fields
        if not include_parents and self.parents:
            fields = tuple(f for f in fields if f.model is self.model)
            reverse = tuple(rel for rel in reverse if rel.model._meta.concrete_model is self.concrete_model)
        return tuple(reverse) + fields + tuple(self.private_fields)

    # -- inheritance ----------------------------------------------------------------

    @cached_property
    def all_parents(self) -> tuple[Any, ...]:
        """Every ancestor model (concrete or proxied), nearest first."""
        found: dict[Any, None] = dict.fromkeys(self.parents)
        for parent in self.parents:
            found.update(dict.fromkeys(parent._meta.all_parents))
        return tuple(found)

    def get_parent_list(self) -> list[Any]:
        return list(self.all_parents)

    def get_base_chain(self, model: Any) -> list[Any]:
        """The parents leading from this model to the ancestor `model`, nearest first."""
        if model in self.parents:
            return [model]
        for parent in self.parents:
            chain = parent._meta.get_base_chain(model)
            if chain:
                return [parent, *chain]
        return []

    def get_ancestor_link(self, ancestor: Any) -> Any:
        """The field on this model that leads (maybe through other parents) to `ancestor`'s row."""
        if ancestor in self.parents:
            return self.parents[ancestor]
        for parent, link in self.parents.items():
            found = parent._meta.get_ancestor_link(ancestor)
            if found:
                return link or found
        return None

    @cached_property
    def parent_paths(self) -> dict[Any, tuple[Any, ...]]:
        """Ancestor -> the joins from this model's table to the ancestor's (filled on demand)."""
        return {}

    def get_path_to_parent(self, parent: Any) -> list[Any]:
        from relata.models.inheritance import path_to_ancestor

        return list(path_to_ancestor(self, parent))

    def query_names(self) -> list[str]:
        """Names usable in filter(): for 'Choices are: ...' in error messages."""
        names = {f.name for f in self.forward_fields} | {f.name for f in self.private_fields} | set(self._reverse_map)
        return sorted(names)

    @cached_property
    def managers(self) -> tuple[Any, ...]:
        """This model's managers and those it inherits (Python's name resolution order), bound to it."""
        found: dict[str, tuple[int, int, Any]] = {}
        bases = [b for b in self.model.__mro__ if isinstance(getattr(b, "_meta", None), Options)]
        for depth, base in enumerate(bases):
            for manager in base._meta.local_managers:
                if manager.name in found:
                    continue
                if manager.model is not self.model:
                    manager = copy.copy(manager)
                    manager.model = self.model
                found[manager.name] = (depth, manager.creation_counter, manager)
        return tuple(entry[2] for entry in sorted(found.values(), key=lambda e: e[:2]))

    @cached_property
    def managers_map(self) -> dict[str, Any]:
        return {manager.name: manager for manager in self.managers}

    def _inherited_manager_name(self, kind: str) -> str | None:
        name = getattr(self, kind)
        if name or (kind == "default_manager_name" and self.local_managers):
            return name
        for parent in self.model.__mro__[1:]:
            meta = getattr(parent, "_meta", None)
            if isinstance(meta, Options):
                # The base manager's name passes down every level; the default's from the nearest base only.
                return meta._inherited_manager_name(kind) if kind == "base_manager_name" else getattr(meta, kind)
        return None

    def _named_manager(self, name: str) -> Any:
        try:
            return self.managers_map[name]
        except KeyError:
            raise ValueError(f"{self.object_name} has no manager named {name!r}") from None

    @property
    def default_manager(self) -> Any:
        name = self._inherited_manager_name("default_manager_name")
        if name:
            return self._named_manager(name)
        return self.managers[0] if self.managers else None

    @property
    def base_manager(self) -> Any:
        name = self._inherited_manager_name("base_manager_name")
        if name:
            return self._named_manager(name)
        from relata.models.manager import Manager

        manager = Manager()
        manager.name = "_base_manager"
        manager.model = self.model
        manager.auto_created = True
        return manager

    @cached_property
    def init_plan(self) -> tuple[tuple[str, str, bool, Any, bool], ...]:
        """Per concrete field: (name, attname, is relation, default, default is callable).

        Model.__init__ walks this instead of calling get_default() per field.
        """
        plan = []
        for field in self.insertable_fields:  # a generated column gets no value from __init__
            if (field.has_default() and callable(field.default)) or (field.is_relation and field.has_default()):
                default, call = field.get_default, True
            else:
                default, call = field.get_default(), False
            plan.append((field.name, field.attname, field.is_relation, default, call))
        return tuple(plan)

    @cached_property
    def fast_init(self) -> Any:
        """The generated `init(instance, kwargs)` behind `Model(**kwargs)`."""
        from relata.models.fastpaths import build_init

        return build_init(self)

    @cached_property
    def base_state(self) -> Any:
        """The empty query state every `Model.objects.all()` starts from (immutable, so shared)."""
        from relata.models.query.state import QueryState

        return QueryState(self.model)


def _discard(items: list[Any], item: Any) -> None:
    if item in items:
        items.remove(item)


def _meta_attrs(meta: type) -> dict[str, Any]:
    """A Meta's options, including those it inherits by subclassing another Meta."""
    attrs: dict[str, Any] = {}
    for klass in reversed(meta.__mro__[:-1]):
        attrs.update({k: v for k, v in vars(klass).items() if not k.startswith("_")})
    if "abstract" not in vars(meta):
        attrs.pop("abstract", None)
    return attrs


def normalize_together(option: Any) -> tuple[tuple[str, ...], ...]:
    if not option:
        return ()
    if not isinstance(option, tuple | list):
        raise TypeError("unique_together must be a tuple of field-name tuples.")
    first = next(iter(option))
    if isinstance(first, str):
        return (tuple(option),)
    return tuple(tuple(group) for group in option)
