"""The two ends of a generic relation, as fields without a column of their own (private fields).

    class TaggedItem(Model):
        content_type = ForeignKey(ContentType, on_delete=CASCADE)
        object_id = PositiveIntegerField()
        content_object = GenericForeignKey()          # tagged.content_object: any model's row

    class Bookmark(Model):
        tags = GenericRelation(TaggedItem)            # bookmark.tags: a manager of its TaggedItems

- GenericForeignKey is its own descriptor: reading loads the row its two columns name (cached),
  assigning sets both columns.
- GenericRelation puts a manager on the model (managers.py), takes part in filter() as a join whose
  condition also names the content type (ContentTypeCondition on the join step), and deletes the
  rows pointing at an object along with it (the deletion collector calls bulk_related_objects()).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from relata.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from relata.models.deletion import DO_NOTHING
from relata.models.fields import Field
from relata.models.fields.related import PathStep
from relata.models.fields.reverse_related import ForeignObjectRel
from relata.models.registry import resolve_relation_key
from relata.sql import nodes as n


def _content_type_model() -> Any:
    from relata.contrib.contenttypes.models import ContentType

    return ContentType


def content_type_for(obj_or_model: Any, for_concrete_model: bool = True, using: str | None = None) -> Any:
    """The ContentType row of a model or instance, through the manager's cache."""
    manager = _content_type_model().objects
    if using is None and not isinstance(obj_or_model, type):
        using = obj_or_model._state.db
    if using:
        manager = manager.db_manager(using)
    return manager.get_for_model(obj_or_model, for_concrete_model=for_concrete_model)


class GenericForeignKey(Field):
    """`content_object`: the row named by a content type column and an object id column."""

    concrete = False
    editable = False
    is_relation = True
    many_to_one = True
    related_model = None
    remote_field = None

    def __init__(self, ct_field: str = "content_type", fk_field: str = "object_id", for_concrete_model: bool = True):
        super().__init__(editable=False)
        self.ct_field = ct_field
        self.fk_field = fk_field
        self.for_concrete_model = for_concrete_model

    def set_attributes_from_name(self, name: str) -> None:
        super().set_attributes_from_name(name)
        self.column = None  # type: ignore[assignment]

    def contribute_to_class(self, cls: type, name: str) -> None:
        self.set_attributes_from_name(name)
        self.model = cls
        cls._meta.add_field(self, private=True)
        setattr(cls, name, self)

    @property
    def cache_name(self) -> str:
        return self.name

    @cached_property
    def _ct_attname(self) -> str:
        try:
            return self.model._meta.get_field(self.ct_field).attname
        except FieldDoesNotExist:
            raise AttributeError(
                f"{self.model._meta.object_name}.{self.name} is a GenericForeignKey whose ct_field "
                f"'{self.ct_field}' is not a field of {self.model._meta.object_name}: add a ForeignKey to "
                f"ContentType named '{self.ct_field}', or pass ct_field= naming yours."
            ) from None

    def get_content_type(self, obj: Any = None, id: Any = None, using: str | None = None, model: Any = None) -> Any:
        if obj is not None or model is not None:
            return content_type_for(obj if obj is not None else model, self.for_concrete_model, using)
        if id is not None:
            manager = _content_type_model().objects
            return (manager.db_manager(using) if using else manager).get_for_id(id)
        raise ValueError("get_content_type() needs obj=, model= or id=.")

    def is_cached(self, instance: Any) -> bool:
        return self.name in instance.__dict__

    # -- descriptor -------------------------------------------------------------------

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        cache = instance.__dict__
        ct_id = getattr(instance, self._ct_attname)
        pk_value = getattr(instance, self.fk_field)
        if self.name in cache:
            related = cache[self.name]
            # A cached None stays None until something is assigned (as Django).
            if related is None or self._still_names(instance, related, ct_id, pk_value):
                return related
        related = None
        if ct_id is not None:
            ct = self.get_content_type(id=ct_id, using=instance._state.db)
            try:
                related = ct.get_object_for_this_type(using=instance._state.db, pk=pk_value)
            except ObjectDoesNotExist:
                pass
        cache[self.name] = related
        return related

    def _still_names(self, instance: Any, related: Any, ct_id: Any, pk_value: Any) -> bool:
        """The cached object is still the one the two columns name (they may have been set by hand)."""
        if ct_id != self.get_content_type(obj=related, using=instance._state.db).pk:
            return False
        return related._meta.pk.to_python(pk_value) == related.pk

    def __set__(self, instance: Any, value: Any) -> None:
        ct = key = None
        if value is not None:
            ct = self.get_content_type(obj=value)
            key = value.pk
        setattr(instance, self.ct_field, ct)
        setattr(instance, self.fk_field, key)
        instance.__dict__[self.name] = value

    def prepare_for_save(self, instance: Any, operation: str) -> None:
        """Refuse to save a row pointing at an object that has no key yet (its id column would be empty)."""
        related = instance.__dict__.get(self.name)
        if related is None:
            return
        if related.pk is None:
            raise ValueError(
                f"{operation}() prohibited to prevent data loss due to unsaved related object '{self.name}'."
            )
        if getattr(instance, self.fk_field) is None:
            setattr(instance, self.fk_field, related.pk)  # saved after it was assigned: take its key now

    # -- prefetch_related ---------------------------------------------------------------

    def get_prefetch_querysets(self, instances: list[Any], querysets: Any = None) -> tuple[Any, ...]:
        from relata.contrib.contenttypes.prefetch import generic_foreign_key_querysets

        return generic_foreign_key_querysets(self, instances, querysets)

    def prefetch_loader(self, instances: list[Any], querysets: Any, to_attr: str | None) -> list[Any]:
        """What prefetch_related() runs: the same queries, storing each object's target as it goes."""
        from relata.contrib.contenttypes.prefetch import prefetch_generic_foreign_key

        return prefetch_generic_foreign_key(self, instances, querysets, to_attr)

    # -- checks -------------------------------------------------------------------------

    def check(self, **kwargs: Any) -> list[Any]:
        from relata.contrib.contenttypes.checks import check_generic_foreign_key

        return check_generic_foreign_key(self)

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        kwargs: dict[str, Any] = {}
        if self.ct_field != "content_type":
            kwargs["ct_field"] = self.ct_field
        if self.fk_field != "object_id":
            kwargs["fk_field"] = self.fk_field
        if not self.for_concrete_model:
            kwargs["for_concrete_model"] = False
        return self.name, "relata.contrib.contenttypes.fields.GenericForeignKey", [], kwargs


@dataclass(frozen=True, slots=True)
class ContentTypeCondition:
    """The join condition a generic relation adds: `<alias>.<content type column> = <the model's row id>`.

    The id is read by a subquery on (app_label, model), constants of the model class: a compiled
    statement then holds no value that depends on what the ContentType table contains, and a model
    without a ContentType row yet simply matches nothing.
    """

    #: The content type column, on the joined table (`on_target`) or on the table joined from.
    column: str
    on_target: bool
    app_label: str
    model_name: str

    def node(self, parent: str, alias: str) -> n.Node:
        ct_opts = _content_type_model()._meta
        lookup = n.And(
            (
                n.Lookup("exact", n.Col(None, "app_label"), n.Param(self.app_label)),
                n.Lookup("exact", n.Col(None, "model"), n.Param(self.model_name)),
            )
        )
        select = n.Select(((n.Col(None, ct_opts.pk.column), None),), n.Table(ct_opts.db_table, None), where=lookup)
        return n.Lookup("exact", n.Col(alias if self.on_target else parent, self.column), n.Subquery(select))


class GenericRel(ForeignObjectRel):
    """The reverse side of a GenericRelation, on the model holding the GenericForeignKey.

    It has no accessor; its query name (related_query_name, if given) lets the rows holding the
    GenericForeignKey be filtered by the objects they point at. Deleting those rows touches nothing.
    """

    def __init__(self, field: Any, to: Any, related_query_name: str | None = None, limit_choices_to: Any = None):
        super().__init__(
            field,
            to,
            related_name=related_query_name or "+",
            related_query_name=related_query_name,
            limit_choices_to=limit_choices_to,
            on_delete=DO_NOTHING,
        )

    def missing_accessor_hint(self, model: Any, name: str) -> tuple[bool, str] | None:
        """`tagged.bookmark` (or `tagged.bookmark_set`): the GenericForeignKey is the way to the object."""
        field = self.field
        source = field.model._meta
        if name not in (self.name, source.model_name, f"{source.model_name}_set"):
            return None
        gfk = field.generic_foreign_key()
        reach = f"its GenericForeignKey: use {model._meta.model_name}.{gfk.name}" if gfk else "a GenericForeignKey"
        return True, (
            f"{model.__name__} points at {source.object_name} rows through {reach}; '{self.name}' "
            f"(related_query_name of {source.object_name}.{field.name}) names them in queries only, e.g. "
            f"{model.__name__}.objects.filter({self.name}__pk=...)"
        )


class GenericRelation(Field):
    """`bookmark.tags`: the rows of `to` whose GenericForeignKey points at this object."""

    concrete = False
    is_relation = True
    one_to_many = True
    auto_created = False
    empty_strings_allowed = False
    rel_class = GenericRel

    def __init__(
        self,
        to: Any,
        object_id_field: str = "object_id",
        content_type_field: str = "content_type",
        for_concrete_model: bool = True,
        related_query_name: str | None = None,
        limit_choices_to: Any = None,
        **kwargs: Any,
    ):
        if not isinstance(to, str | type):
            raise TypeError(
                f"GenericRelation({to!r}) is invalid: the first argument must be a model or a model name "
                f"(the model holding the GenericForeignKey)."
            )
        kwargs["blank"] = True
        kwargs["editable"] = False
        kwargs["serialize"] = False
        super().__init__(**kwargs)
        self.remote_field = self.rel_class(self, to, related_query_name, limit_choices_to)
        self.object_id_field_name = object_id_field
        self.content_type_field_name = content_type_field
        self.for_concrete_model = for_concrete_model

    def set_attributes_from_name(self, name: str) -> None:
        super().set_attributes_from_name(name)
        self.column = None  # type: ignore[assignment]

    @property
    def related_model(self) -> Any:  # type: ignore[override]
        model = self.remote_field.model
        return model if isinstance(model, type) else None

    def contribute_to_class(self, cls: type, name: str) -> None:
        self.set_attributes_from_name(name)
        self.model = cls
        self.opts = cls._meta
        cls._meta.add_field(self, private=True)
        if cls._meta.abstract:
            return
        from relata.contrib.contenttypes.managers import ReverseGenericManyToOneDescriptor

        setattr(cls, name, ReverseGenericManyToOneDescriptor(self.remote_field))
        rel = self.remote_field
        if rel.related_query_name:
            rel.related_query_name = rel.related_query_name % {
                "class": cls.__name__.lower(),
                "app_label": cls._meta.app_label.lower(),
            }
            rel.related_name = rel.related_query_name
        target = resolve_relation_key(cls, rel.model)
        if isinstance(target, type):
            self._resolve_target(target)
        else:
            cls._meta.apps.lazy_model_operation(self._resolve_target, target)

    def _resolve_target(self, target: Any) -> None:
        rel = self.remote_field
        rel.model = target
        if target._meta.abstract or rel.hidden:
            return  # an abstract target is reported by the checks; a hidden rel has no query name
        # The query name (related_query_name) lets the target's rows be filtered by this model's.
        target._meta.add_reverse_relation(rel)
        self.model._meta.apps.on_unregister(self.model, lambda: target._meta.remove_reverse_relation(rel))

    def related_query_name(self) -> str:
        rel = self.remote_field
        return rel.related_query_name or rel.related_name

    def generic_foreign_key(self) -> Any:
        """The target's GenericForeignKey over the same two fields, if it has one."""
        for field in self.related_model._meta.private_fields:
            if (
                isinstance(field, GenericForeignKey)
                and field.ct_field == self.content_type_field_name
                and field.fk_field == self.object_id_field_name
            ):
                return field
        return None

    def missing_accessor_hint(self, model: Any, name: str) -> tuple[bool, str] | None:
        """`bookmark.taggeditem_set`: as a ForeignKey's reverse accessor would be named; the relation is ours."""
        target = self.related_model
        if target is None or name != f"{target._meta.model_name}_set":
            return None
        where = f"{self.model.__name__}.{self.name}"
        return True, f"{where} is the GenericRelation to {target.__name__}, use {model._meta.model_name}.{self.name}"

    # -- the columns on the target --------------------------------------------------------

    def _target_field(self, name: str) -> Any:
        target = self.related_model
        try:
            return target._meta.get_field(name)
        except FieldDoesNotExist:
            raise FieldDoesNotExist(
                f"{self.model._meta.object_name}.{self.name} is a GenericRelation to {target._meta.object_name}, "
                f"which has no field '{name}': give the GenericRelation object_id_field= and "
                f"content_type_field= naming the fields of {target._meta.object_name}'s GenericForeignKey."
            ) from None

    @property
    def object_id_field(self) -> Any:
        return self._target_field(self.object_id_field_name)

    @property
    def content_type_field(self) -> Any:
        return self._target_field(self.content_type_field_name)

    def _condition(self, on_target: bool) -> ContentTypeCondition:
        opts = self.model._meta
        if self.for_concrete_model:
            opts = getattr(opts, "concrete_model", self.model)._meta
        return ContentTypeCondition(self.content_type_field.column, on_target, opts.app_label, opts.model_name)

    def get_content_type(self) -> Any:
        """The ContentType row of the model this relation is declared on."""
        return content_type_for(self.model, self.for_concrete_model)

    # -- joins ----------------------------------------------------------------------

    @cached_property
    def path_infos(self) -> list[PathStep]:
        return self.get_path_info()

    @cached_property
    def reverse_path_infos(self) -> list[PathStep]:
        return self.get_reverse_path_info()

    def get_path_info(self, filtered_relation: Any = None) -> list[PathStep]:
        """From this model's rows to the target's rows whose (content type, object id) name them."""
        return [
            PathStep(
                self.model,
                self.related_model,
                self.model._meta.pk.column,
                self.object_id_field.column,
                multivalued=True,
                nullable=True,
                key=(self, "forward"),
                condition=self._condition(on_target=True),
            )
        ]

    def get_reverse_path_info(self, filtered_relation: Any = None) -> list[PathStep]:
        """From the target's rows to the object of this model each one points at (related_query_name)."""
        return [
            PathStep(
                self.related_model,
                self.model,
                self.object_id_field.column,
                self.model._meta.pk.column,
                multivalued=True,
                nullable=True,
                key=(self, "reverse"),
                condition=self._condition(on_target=False),
            )
        ]

    # -- deletion -------------------------------------------------------------------

    def bulk_related_objects(self, objs: list[Any], using: str = "default") -> Any:
        """The target rows pointing at `objs`: the deletion collector deletes them with the objects."""
        ct = content_type_for(self.model, self.for_concrete_model, using)
        return self.related_model._base_manager.db_manager(using).filter(
            **{
                self.content_type_field.attname: ct.pk,
                f"{self.object_id_field_name}__in": [obj.pk for obj in objs],
            }
        )

    # -- checks -------------------------------------------------------------------------

    def check(self, **kwargs: Any) -> list[Any]:
        from relata.contrib.contenttypes.checks import check_generic_relation

        return check_generic_relation(self)

    def value_from_object(self, obj: Any) -> Any:
        return list(getattr(obj, self.name).all()) if obj.pk is not None else []

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        name, _, args, kwargs = super().deconstruct()
        for key in ("blank", "editable", "serialize"):
            kwargs.pop(key, None)
        return name, "relata.contrib.contenttypes.fields.GenericRelation", args, kwargs
