"""`Model._meta`: everything known about a model's table and fields.

Built by the metaclass from the model's `class Meta`, then completed as
relation fields elsewhere point at this model (the reverse relations).
"""

from __future__ import annotations

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
    "fields",
    "concrete_fields",
    "local_concrete_fields",
    "concrete_relation_fields",
    "concrete_fields_but_pk",
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
        self.parents: dict[Any, Any] = {}
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

    def add_field(self, field: Any) -> None:
        target = self.local_many_to_many if field.many_to_many else self.local_fields
        target.append(field)
        target.sort(key=lambda f: f.creation_counter)
        if field.primary_key and not field.many_to_many:
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

    def expire_cache(self) -> None:
        for name in _CACHED:
            self.__dict__.pop(name, None)
        init = None if self.model is None else vars(self.model).get("__init__")
        if getattr(init, "generated_for", None) is self:
            del self.model.__init__  # written for the old fields; Model.__init__ makes a new one

    # -- names --------------------------------------------------------------------

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
    def fields(self) -> tuple[Any, ...]:
        """Forward fields, concrete and many-to-many, in declaration order."""
        return tuple(sorted(self.local_fields + self.local_many_to_many, key=lambda f: f.creation_counter))

    @cached_property
    def concrete_fields(self) -> tuple[Any, ...]:
        return tuple(f for f in self.local_fields if f.concrete)

    @cached_property
    def local_concrete_fields(self) -> tuple[Any, ...]:
        return self.concrete_fields

    @cached_property
    def concrete_fields_but_pk(self) -> tuple[Any, ...]:
        """What save() of a loaded row updates (a generated column is the database's to write)."""
        return tuple(f for f in self.concrete_fields if not f.primary_key and not f.generated)

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
        return tuple(self.local_many_to_many)

    @cached_property
    def all_related_objects(self) -> tuple[Any, ...]:
        """Every reverse relation, including hidden ones: deletion must see them all."""
        return tuple(self._reverse_relations)

    @cached_property
    def related_objects(self) -> tuple[Any, ...]:
        """Reverse relations that have an accessor, as Django lists them."""
        return tuple(rel for rel in self._reverse_relations if not rel.hidden or rel.field.many_to_many)

    @cached_property
    def _forward_map(self) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for field in self.fields:
            mapping[field.name] = field
            mapping.setdefault(field.attname, field)
        return mapping

    @cached_property
    def _reverse_map(self) -> dict[str, Any]:
        return {rel.name: rel for rel in self._reverse_relations if not rel.hidden}

    @cached_property
    def _hidden_map(self) -> dict[str, Any]:
        return {rel.name: rel for rel in self._reverse_relations if rel.hidden}

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

    def get_fields(self, include_hidden: bool = False) -> tuple[Any, ...]:
        reverse = self._reverse_relations if include_hidden else self.related_objects
        return tuple(reverse) + self.fields

    def query_names(self) -> list[str]:
        """Names usable in filter(): for 'Choices are: ...' in error messages."""
        names = {f.name for f in self.fields} | set(self._reverse_map)
        return sorted(names)

    @property
    def managers(self) -> list[Any]:
        return list(self.local_managers)

    @property
    def default_manager(self) -> Any:
        if self.default_manager_name:
            return getattr(self.model, self.default_manager_name)
        return self.local_managers[0] if self.local_managers else None

    @property
    def base_manager(self) -> Any:
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
