"""Relation fields: ForeignKey, OneToOneField, ManyToManyField, and their reverse side.

A relation field lives on the model that declares it; its `remote_field` (a
`ForeignObjectRel`) describes the reverse side on the target model: the
accessor name (`book_set`, or `related_name`), the query name used in
filter(), and whether it is hidden (`related_name="+"`). Targets given as
strings resolve when the target model is defined.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from relata import exceptions
from relata.models.fields import BLANK_CHOICE_DASH, Field
from relata.models.fields.mixins import FieldCacheMixin
from relata.models.fields.related_descriptors import (
    ForwardManyToOneDescriptor,
    ForwardOneToOneDescriptor,
    ManyToManyDescriptor,
    ReverseManyToOneDescriptor,
    ReverseOneToOneDescriptor,
)
from relata.models.fields.reverse_related import (
    ForeignObjectRel,
    ManyToManyRel,
    ManyToOneRel,
    OneToOneRel,
    related_rows,
)
from relata.models.registry import resolve_relation_key
from relata.sql.ddl import ColumnSpec, Reference

RECURSIVE_RELATIONSHIP_CONSTANT = "self"
#: Per-field caches of the joins, dropped from copies.
_PATH_CACHES = ("path_infos", "reverse_path_infos")


@dataclass(frozen=True, slots=True)
class PathStep:
    """One join a lookup path takes: from a model's table to the next one."""

    from_model: Any
    to_model: Any
    from_column: str
    to_column: str
    multivalued: bool
    nullable: bool
    #: Identifies the relation and direction, for reusing joins.
    key: Any
    #: A further condition the join needs besides the key columns (a generic relation's content
    #: type): an object whose `node(parent_alias, alias)` returns it as a SQL node, or None.
    condition: Any = None
    #: (from_column, to_column) pairs after the first, for a relation over several columns.
    more_columns: tuple[tuple[str, str], ...] = ()


class RelatedField(FieldCacheMixin, Field):
    """What every relation field shares: target resolution and reverse naming."""

    is_relation = True
    rel_class: ClassVar[type] = ForeignObjectRel

    @property
    def related_model(self) -> Any:  # type: ignore[override]
        model = self.remote_field.model
        return model if isinstance(model, type) else None

    def contribute_to_class(self, cls: type, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        self.opts = cls._meta
        if cls._meta.abstract:
            return
        rel = self.remote_field
        related_name = rel.related_name or cls._meta.default_related_name
        if related_name:
            rel.related_name = related_name % {
                "class": cls.__name__.lower(),
                "model_name": cls._meta.model_name,
                "app_label": cls._meta.app_label.lower(),
            }
        if rel.related_query_name:
            rel.related_query_name = rel.related_query_name % {
                "class": cls.__name__.lower(),
                "model_name": cls._meta.model_name,
                "app_label": cls._meta.app_label.lower(),
            }
        target = resolve_relation_key(cls, rel.model)
        if isinstance(target, type):
            self._resolve_target(target)
        else:
            cls._meta.apps.lazy_model_operation(self._resolve_target, target)

    def _resolve_target(self, target: Any) -> None:
        self.remote_field.model = target
        if target._meta.abstract:
            return  # reported by checks as fields.E300
        self.contribute_to_related_class(target, self.remote_field)

    def contribute_to_related_class(self, cls: type, related: ForeignObjectRel) -> None:
        # A relation to a proxy is a relation to its rows: it lives on the concrete model (proxies share it).
        cls = cls._meta.concrete_model or cls
        cls._meta.add_reverse_relation(related)
        accessor = related.get_accessor_name()
        owner = self.model
        if accessor and not related.hidden:
            descriptor = self.reverse_descriptor(related)
            previous = cls.__dict__.get(accessor, None)
            setattr(cls, accessor, descriptor)

            def undo(cls=cls, accessor=accessor, descriptor=descriptor, previous=previous) -> None:
                if cls.__dict__.get(accessor) is descriptor:
                    if previous is None:
                        delattr(cls, accessor)
                    else:
                        setattr(cls, accessor, previous)
                cls._meta.remove_reverse_relation(related)
        else:

            def undo(cls=cls) -> None:
                cls._meta.remove_reverse_relation(related)

        owner._meta.apps.on_unregister(owner, undo)

    # -- joins ------------------------------------------------------------------------

    def get_path_info(self, filtered_relation: Any = None) -> list[PathStep]:
        """The joins from this model's table to the target's (PathSteps); each relation kind says."""
        raise NotImplementedError(f"{type(self).__name__} must say how it joins: define get_path_info().")

    def get_reverse_path_info(self, filtered_relation: Any = None) -> list[PathStep]:
        """The joins from the target's table back to this model's."""
        raise NotImplementedError(f"{type(self).__name__} must say how it joins: define get_reverse_path_info().")

    @cached_property
    def path_infos(self) -> list[PathStep]:
        return self.get_path_info()

    @cached_property
    def reverse_path_infos(self) -> list[PathStep]:
        return self.get_reverse_path_info()

    def __copy__(self) -> RelatedField:
        # The joins name this field's model: a copy (made for another model) works them out again.
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        for name in _PATH_CACHES:
            clone.__dict__.pop(name, None)
        return clone

    def get_choices(
        self,
        include_blank: bool = True,
        blank_choice: list[tuple[Any, str]] = BLANK_CHOICE_DASH,
        limit_choices_to: Any = None,
        ordering: Any = (),
    ) -> list[Any]:
        """(key, str(row)) of each target row this relation may point at (its own choices when it has them)."""
        if self.choices is not None:
            return super().get_choices(include_blank, blank_choice, limit_choices_to, ordering)
        targets = self.foreign_related_fields
        key = targets[0].attname if len(targets) == 1 else "pk"
        rows = related_rows(self.related_model, limit_choices_to or self.get_limit_choices_to(), ordering)
        return (list(blank_choice) if include_blank else []) + [(getattr(row, key), str(row)) for row in rows]

    def get_cache_name(self) -> str:
        return self.name

    def get_limit_choices_to(self) -> Any:
        """`limit_choices_to`, called first when it is a callable (as Django does)."""
        limit = self.remote_field.limit_choices_to
        return limit() if callable(limit) else limit

    def model_reference(self, target: Any) -> str:
        """A relation target as migrations write it: "app_label.modelname"."""
        if isinstance(target, type):
            return target._meta.label_lower
        if target == "self":
            return self.model._meta.label_lower
        app_label, _, name = target.rpartition(".")
        return f"{app_label or self.model._meta.app_label}.{name.lower()}"

    def related_query_name(self) -> str:
        rel = self.remote_field
        return rel.related_query_name or rel.related_name or self.opts.model_name

    @property
    def target_field(self) -> Any:
        # Read on every forward access: cache it once the target model is known.
        cached = self.__dict__.get("_target_field")
        if cached is None:
            targets = self.foreign_related_fields
            if len(targets) > 1:
                raise exceptions.FieldError(
                    f"{self} relates {len(targets)} fields of {self.related_model.__name__}, but only a single "
                    f"target field was asked for: read foreign_related_fields instead."
                )
            cached = self.__dict__["_target_field"] = targets[0]
        return cached

    @property
    def foreign_related_fields(self) -> tuple[Any, ...]:
        model = self._resolved_target()
        field_name = getattr(self.remote_field, "field_name", None)
        return (model._meta.get_field(field_name) if field_name else model._meta.pk,)

    def _resolved_target(self) -> Any:
        model = self.related_model
        if model is None:
            raise exceptions.ImproperlyConfigured(
                f"{self}: the related model {self.remote_field.model!r} is not defined (yet)."
            )
        return model


class ForeignObject(RelatedField):
    """A many-to-one relation read through fields the model already has.

    `from_fields` of this model equal `to_fields` of the target (several pairs make a
    multi-column relation). It has no column of its own, so it is not concrete: rows are
    saved and loaded through the local fields. A ForeignKey is the special case whose one
    local field is itself ("self").
    """

    @classmethod
    def lookup_bases(cls) -> tuple[type, ...]:
        # Django's rule: a relation takes the lookups registered on ForeignObject and below, never
        # those on Field (`author__contains` is refused; `author__in` is RelatedIn).
        mro = cls.__mro__
        return mro[: mro.index(ForeignObject) + 1]

    many_to_one = True
    requires_unique_target = True
    rel_class = ForeignObjectRel
    forward_related_accessor_class: ClassVar[type] = ForwardManyToOneDescriptor
    related_accessor_class: ClassVar[type] = ReverseManyToOneDescriptor
    #: The constructor's positional parameters after self, as deconstruct() names them.
    _positional = ("to", "on_delete", "from_fields", "to_fields")

    def __init__(
        self,
        to: Any,
        on_delete: Any,
        from_fields: Any,
        to_fields: Any,
        rel: Any = None,
        related_name: str | None = None,
        related_query_name: str | None = None,
        limit_choices_to: Any = None,
        parent_link: bool = False,
        swappable: bool = True,
        **kwargs: Any,
    ):
        if rel is None:
            rel = self.rel_class(
                self,
                to,
                related_name=related_name,
                related_query_name=related_query_name,
                limit_choices_to=limit_choices_to,
                parent_link=parent_link,
                on_delete=on_delete,
            )
        super().__init__(**kwargs)
        self.remote_field = rel
        self.from_fields = list(from_fields)
        self.to_fields = list(to_fields)
        self.swappable = swappable

    def get_attname_column(self) -> tuple[str, str | None]:
        return self.get_attname(), None

    def contribute_to_class(self, cls: type, name: str, private_only: bool = False) -> None:
        self.__dict__.pop("related_fields", None)  # a copy made for a subclass resolves its own fields
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.name, self.forward_related_accessor_class(self))

    def reverse_descriptor(self, related: ForeignObjectRel) -> Any:
        return self.related_accessor_class(related)

    def check(self, **kwargs: Any) -> list[Any]:
        from relata.models.target_checks import check_target_fields

        messages = super().check(**kwargs)
        if not any(message.id == "fields.E300" for message in messages):
            messages = [*messages, *check_target_fields(self)]
        return messages

    # -- the field pairs ------------------------------------------------------------

    def resolve_related_fields(self) -> list[tuple[Any, Any]]:
        """(local field, target field) per pair of from_fields/to_fields; "self" is this field."""
        if not self.from_fields or len(self.from_fields) != len(self.to_fields):
            raise ValueError(
                f"{self}: from_fields {self.from_fields!r} and to_fields {self.to_fields!r} must be lists "
                f"of the same non-zero length (one target field per local field)."
            )
        target = self._resolved_target()._meta
        pairs = []
        for from_name, to_name in zip(self.from_fields, self.to_fields, strict=True):
            local = self if from_name == RECURSIVE_RELATIONSHIP_CONSTANT else self.model._meta.get_field(from_name)
            remote = target.pk if to_name is None else target.get_field(to_name)
            if to_name is not None and remote.model is not target.concrete_model:
                # A parent's field holds its value in the parent's table: the key could not reference it.
                raise exceptions.FieldError(
                    f"'{self.model._meta.label}.{self.name}' refers to field '{to_name}' which is not local to "
                    f"model '{target.label}'."
                )
            pairs.append((local, remote))
        return pairs

    @property
    def related_fields(self) -> list[tuple[Any, Any]]:
        cached = self.__dict__.get("related_fields")
        if cached is None:
            cached = self.__dict__["related_fields"] = self.resolve_related_fields()
        return cached

    @property
    def reverse_related_fields(self) -> list[tuple[Any, Any]]:
        return [(remote, local) for local, remote in self.related_fields]

    @property
    def local_related_fields(self) -> tuple[Any, ...]:
        return tuple(local for local, _ in self.related_fields)

    @property
    def foreign_related_fields(self) -> tuple[Any, ...]:
        return tuple(remote for _, remote in self.related_fields)

    def get_local_related_value(self, instance: Any) -> tuple[Any, ...]:
        return self.get_instance_value_for_fields(instance, self.local_related_fields)

    def get_foreign_related_value(self, instance: Any) -> tuple[Any, ...]:
        return self.get_instance_value_for_fields(instance, self.foreign_related_fields)

    @staticmethod
    def get_instance_value_for_fields(instance: Any, fields: Any) -> tuple[Any, ...]:
        values = []
        for field in fields:
            if field.primary_key:
                # A multi-table child's key may be reached through its parent link: read it as pk does.
                values.append(instance.pk if field is instance._meta.pk else getattr(instance, field.attname))
            else:
                values.append(getattr(instance, field.attname))
        return tuple(values)

    def get_joining_fields(self, reverse_join: bool = False) -> tuple[tuple[Any, Any], ...]:
        return tuple(self.reverse_related_fields if reverse_join else self.related_fields)

    def get_reverse_joining_fields(self) -> tuple[tuple[Any, Any], ...]:
        return self.get_joining_fields(reverse_join=True)

    def get_extra_descriptor_filter(self, instance: Any) -> Any:
        """More conditions for loading the related object from `instance` (a dict or a Q); none by default."""
        return {}

    def get_extra_restriction(self, alias: str, related_alias: str) -> Any:
        """A further condition on the join; none by default."""
        return None

    # -- joins ------------------------------------------------------------------------

    def get_path_info(self, filtered_relation: Any = None) -> list[PathStep]:
        pairs = [(local.column, remote.column) for local, remote in self.related_fields]
        return [
            PathStep(
                self.model,
                self.related_model,
                *pairs[0],
                multivalued=False,
                nullable=self.null or any(local.null for local in self.local_related_fields),
                key=(self, "forward"),
                more_columns=tuple(pairs[1:]),
            )
        ]

    def get_reverse_path_info(self, filtered_relation: Any = None) -> list[PathStep]:
        pairs = [(remote.column, local.column) for local, remote in self.related_fields]
        return [
            PathStep(
                self.related_model,
                self.model,
                *pairs[0],
                multivalued=not self.one_to_one and not self.unique,
                nullable=True,
                key=(self, "reverse"),
                more_columns=tuple(pairs[1:]),
            )
        ]

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(zip(self._positional, args, strict=False))
        kwargs["to"] = self.model_reference(kwargs["to"])
        return name, path, [], kwargs


class ForeignKey(ForeignObject):
    """Many-to-one: a column holding the target's key."""

    empty_strings_allowed = False
    _positional = (
        "to",
        "on_delete",
        "related_name",
        "related_query_name",
        "limit_choices_to",
        "parent_link",
        "to_field",
        "db_constraint",
    )
    internal_type = "ForeignKey"
    rel_class = ManyToOneRel
    default_error_messages: ClassVar[dict[str, str]] = {
        "invalid": "%(model)s instance with %(field)s %(value)r does not exist."
    }

    def __init__(
        self,
        to: Any,
        on_delete: Any = None,
        related_name: str | None = None,
        related_query_name: str | None = None,
        limit_choices_to: Any = None,
        parent_link: bool = False,
        to_field: str | None = None,
        db_constraint: bool = True,
        **kwargs: Any,
    ):
        if not isinstance(to, str | type):
            raise TypeError(
                f"{type(self).__name__}({to!r}) is invalid. First parameter to {type(self).__name__} "
                f"must be either a model, a model name, or the string 'self'"
            )
        if not callable(on_delete):
            raise TypeError(
                "on_delete must be callable. Use one of models.CASCADE, PROTECT, RESTRICT, SET_NULL, "
                "SET_DEFAULT, SET(...) or DO_NOTHING, e.g. on_delete=models.CASCADE."
            )
        kwargs.setdefault("db_index", True)
        rel = self.rel_class(
            self,
            to,
            to_field,
            related_name=related_name,
            related_query_name=related_query_name,
            limit_choices_to=limit_choices_to,
            parent_link=parent_link,
            on_delete=on_delete,
        )
        super().__init__(to, on_delete, [RECURSIVE_RELATIONSHIP_CONSTANT], [to_field], rel=rel, **kwargs)
        self.db_constraint = db_constraint

    def get_attname(self) -> str:
        return f"{self.name}_id"

    def get_attname_column(self) -> tuple[str, str | None]:
        attname = self.get_attname()
        return attname, self.db_column or attname

    def get_internal_type(self) -> str:
        return "ForeignKey"

    def check(self, **kwargs: Any) -> list[Any]:
        from relata.models.target_checks import check_foreign_key

        return [*super().check(**kwargs), *check_foreign_key(self)]

    def __class_getitem__(cls, *args: Any, **kwargs: Any) -> type:
        # ForeignKey["Author"] in annotations (as Django allows): the class itself.
        return cls

    # -- values ---------------------------------------------------------------------

    def to_python(self, value: Any) -> Any:
        return self.target_field.to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        return self.target_field.get_prep_value(value)

    def db_preparer(self, connection: Any) -> Any:
        return self.target_field.db_preparer(connection)

    def lookup_preparer(self, connection: Any) -> Any:
        return self.target_field.lookup_preparer(connection)

    def from_db_converter(self, connection: Any) -> Any:
        return self.target_field.from_db_converter(connection)

    def get_default(self) -> Any:
        value = super().get_default()
        if isinstance(value, self.remote_field.model if isinstance(self.remote_field.model, type) else ()):
            return getattr(value, self.target_field.attname)
        return value

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        if value is None or self.remote_field.parent_link:
            return  # a parent link's row is the instance's own
        model = self.related_model
        using = (model_instance._state.db if model_instance is not None else None) or "default"
        qs = model._base_manager.using(using).filter(**{self.target_field.name: value})
        limit = self.get_limit_choices_to()
        if limit:
            qs = qs.filter(**limit) if isinstance(limit, dict) else qs.filter(limit)
        if not qs.exists():
            raise exceptions.ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={
                    "model": model._meta.verbose_name,
                    "pk": value,
                    "field": self.target_field.name,
                    "value": value,
                },
            )

    # -- schema -----------------------------------------------------------------------

    def column_spec(self) -> ColumnSpec:
        target = self.target_field
        references_table, references_column = self.related_model._meta.db_table, target.column
        while target.is_relation:  # a key to a row whose primary key is itself a key: the column's type is at the end
            target = target.target_field
        internal = target.get_internal_type()
        references = None
        if self.db_constraint:
            references = Reference(references_table, references_column)
        return ColumnSpec(
            name=self.column,
            internal_type=self.get_internal_type(),
            null=self.null,
            primary_key=self.primary_key,
            unique=self._unique and not self.primary_key,
            max_length=target.max_length,
            max_digits=getattr(target, "max_digits", None),
            decimal_places=getattr(target, "decimal_places", None),
            references=references,
            target_type=internal,
        )

    # -- joins ------------------------------------------------------------------------

    def get_path_info(self, filtered_relation: Any = None) -> list[PathStep]:
        return [
            PathStep(
                self.model,
                self.related_model,
                self.column,
                self.target_field.column,
                multivalued=False,
                nullable=self.null,
                key=(self, "forward"),
            )
        ]

    def get_reverse_path_info(self, filtered_relation: Any = None) -> list[PathStep]:
        return [
            PathStep(
                self.related_model,
                self.model,
                self.target_field.column,
                self.column,
                multivalued=not self.one_to_one,
                nullable=True,
                key=(self, "reverse"),
            )
        ]

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.db_index:
            kwargs.pop("db_index", None)
        else:
            kwargs["db_index"] = False
        return name, path, args, kwargs


class OneToOneField(ForeignKey):
    """A unique ForeignKey; the reverse side is a single object, not a manager."""

    many_to_one = False
    one_to_one = True
    internal_type = "OneToOneField"
    rel_class = OneToOneRel
    forward_related_accessor_class = ForwardOneToOneDescriptor
    related_accessor_class = ReverseOneToOneDescriptor
    _positional = ("to", "on_delete", "to_field")

    def __init__(self, to: Any, on_delete: Any = None, to_field: str | None = None, **kwargs: Any):
        kwargs["unique"] = True
        super().__init__(to, on_delete, to_field=to_field, **kwargs)

    def get_internal_type(self) -> str:
        return "OneToOneField"

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("unique", None)
        return name, path, args, kwargs


class ManyToManyField(RelatedField):
    """Many-to-many through a join table, auto-created unless `through=` is given."""

    many_to_many = True
    concrete = False
    internal_type = "ManyToManyField"
    rel_class = ManyToManyRel

    def __init__(
        self,
        to: Any,
        related_name: str | None = None,
        related_query_name: str | None = None,
        limit_choices_to: Any = None,
        symmetrical: bool | None = None,
        through: Any = None,
        through_fields: tuple[str, str] | None = None,
        db_constraint: bool = True,
        db_table: str | None = None,
        **kwargs: Any,
    ):
        if not isinstance(to, str | type):
            raise TypeError(
                f"ManyToManyField({to!r}) is invalid. First parameter to ManyToManyField must be "
                f"either a model, a model name, or the string 'self'"
            )
        if symmetrical is None:
            symmetrical = to == RECURSIVE_RELATIONSHIP_CONSTANT
        if through is not None and db_table is not None:
            raise ValueError("Cannot specify a db_table if an intermediary model is used.")
        super().__init__(**kwargs)
        self.remote_field = self.rel_class(
            self,
            to,
            related_name=related_name,
            related_query_name=related_query_name,
            limit_choices_to=limit_choices_to,
            symmetrical=symmetrical,
            through=through,
            through_fields=through_fields,
            db_constraint=db_constraint,
        )
        self.db_table = db_table
        self.has_null_arg = "null" in kwargs

    def get_attname(self) -> str:
        return self.name

    def contribute_to_class(self, cls: type, name: str) -> None:
        rel = self.remote_field
        if rel.symmetrical and rel.model in (RECURSIVE_RELATIONSHIP_CONSTANT, cls.__name__, cls):
            rel.related_name = f"{name}_rel_+"
        elif rel.hidden and not cls._meta.abstract:
            # Give every hidden many-to-many its own internal name so they never clash.
            rel.related_name = f"_{cls._meta.app_label}_{cls.__name__.lower()}_{name}_+"
        super().contribute_to_class(cls, name)
        setattr(cls, name, ManyToManyDescriptor(rel, reverse=False))
        if cls._meta.abstract:
            return
        through = rel.through
        if through is None:

            def make_through(target: Any) -> None:
                if rel.through is None:
                    rel.through = _create_through_model(self, cls, target)

            cls._meta.apps.lazy_model_operation(make_through, _key(cls, rel.model))
        elif isinstance(through, str):

            def set_through(model: Any) -> None:
                rel.through = model
                cls._meta.expire_cache()

            cls._meta.apps.lazy_model_operation(set_through, _key(cls, through))

    def reverse_descriptor(self, related: ForeignObjectRel) -> Any:
        return ManyToManyDescriptor(related, reverse=True)

    def get_internal_type(self) -> str:
        return "ManyToManyField"

    def db_table_name(self) -> str:
        through = self.remote_field.through
        if isinstance(through, type):
            return through._meta.db_table
        return self.db_table or f"{self.model._meta.db_table}_{self.name}"

    def _through_fields(self) -> tuple[Any, Any]:
        """(FK to the declaring model, FK to the target) on the through model."""
        rel = self.remote_field
        through = rel.through
        if not isinstance(through, type):
            raise exceptions.ImproperlyConfigured(f"{self}: the through model {through!r} is not defined (yet).")
        if rel.through_fields:
            source_name, target_name = rel.through_fields
            return through._meta.get_field(source_name), through._meta.get_field(target_name)
        source = target = None
        for field in through._meta.local_fields:
            if not field.is_relation or field.related_model is None:
                continue
            if field.related_model is self.model and source is None:
                source = field
            elif field.related_model is self.related_model and target is None:
                target = field
        if source is None or target is None:
            raise exceptions.ImproperlyConfigured(
                f"{self}: the through model {through._meta.label} needs a ForeignKey to "
                f"{self.model._meta.label} and one to {self.related_model._meta.label}; "
                f"name them with through_fields=(source, target) when ambiguous."
            )
        return source, target

    def m2m_field_name(self) -> str:
        return self._through_fields()[0].name

    def m2m_reverse_field_name(self) -> str:
        return self._through_fields()[1].name

    def get_path_info(self, filtered_relation: Any = None) -> list[PathStep]:
        source, target = self._through_fields()
        return self._through_path(self.model, source, target, self.related_model)

    def get_reverse_path_info(self, filtered_relation: Any = None) -> list[PathStep]:
        source, target = self._through_fields()
        return self._through_path(self.related_model, target, source, self.model)

    def _through_path(self, start: Any, near: Any, far: Any, end: Any) -> list[PathStep]:
        """Two joins: `start` to the through table by its FK `near`, then on to `end` by its FK `far`.

        Their keys are those of the through model's own FKs, so `tags__...` and `tagging__...`
        (the through model's reverse FK) share the join to the through table, as in Django.
        """
        through = self.remote_field.through
        near_pairs = [(remote.column, local.column) for local, remote in near.related_fields]
        far_pairs = [(local.column, remote.column) for local, remote in far.related_fields]
        return [
            PathStep(
                start,
                through,
                *near_pairs[0],
                multivalued=True,
                nullable=True,
                key=(near, "reverse"),
                more_columns=tuple(near_pairs[1:]),
            ),
            PathStep(
                through,
                end,
                *far_pairs[0],
                multivalued=False,
                nullable=False,
                key=(far, "forward"),
                more_columns=tuple(far_pairs[1:]),
            ),
        ]

    def value_from_object(self, obj: Any) -> Any:
        return [] if obj.pk is None else list(getattr(obj, self.attname).all())

    def column_spec(self) -> ColumnSpec:  # pragma: no cover - no column
        raise TypeError("ManyToManyField has no column; its rows live in the through table.")

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if args:
            kwargs["to"] = args[0]
            args = []
        kwargs["to"] = self.model_reference(kwargs["to"])
        through = kwargs.get("through")
        if isinstance(through, type):
            kwargs["through"] = through._meta.label_lower
        return name, path, args, kwargs


def _key(cls: Any, target: Any) -> Any:
    key = resolve_relation_key(cls, target)
    if isinstance(key, type):
        return key._meta.app_label, key._meta.model_name
    return key


def _create_through_model(field: ManyToManyField, source: Any, target: Any) -> Any:
    """The auto-created join model, named and shaped as Django names it."""
    from relata.models.base import Model
    from relata.models.deletion import CASCADE

    source_name = source._meta.model_name
    target_name = target._meta.model_name
    if source_name == target_name:
        from_name, to_name = f"from_{source_name}", f"to_{target_name}"
    else:
        from_name, to_name = source_name, target_name
    meta = type(
        "Meta",
        (),
        {
            "app_label": source._meta.app_label,
            "db_table": field.db_table_name(),
            "unique_together": ((from_name, to_name),),
            "verbose_name": f"{from_name}-{to_name} relationship",
            "apps": source._meta.apps,
        },
    )
    name = f"{source._meta.object_name}_{field.name}"
    attrs = {
        "__module__": source.__module__,
        "Meta": meta,
        from_name: ForeignKey(
            source, on_delete=CASCADE, related_name=f"{name}+", db_constraint=field.remote_field.db_constraint
        ),
        to_name: ForeignKey(
            target, on_delete=CASCADE, related_name=f"{name}+", db_constraint=field.remote_field.db_constraint
        ),
    }
    through = type(name, (Model,), attrs)
    through._meta.auto_created = source
    return through
