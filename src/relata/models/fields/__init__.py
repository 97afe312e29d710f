"""Scalar fields: what a column holds, how values are checked and converted.

A field converts three ways: `to_python` (user input -> Python value, raising
ValidationError), `get_prep_value` (Python value -> value a database accepts,
before the backend's adapter) and the backend converter chosen by
`get_internal_type()` (database -> Python). Relation fields live in related.py,
date and time fields in temporal.py, numbers in numeric.py.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from relata import exceptions
from relata.models import validators as v
from relata.models.fields.choices import CallableChoiceIterator, flatten_choices, normalize_choices
from relata.models.fields.lookup_registry import RegisterLookupMixin
from relata.sql.ddl import ColumnSpec


class NOT_PROVIDED:
    """Marker: the field has no default."""


class DatabaseDefault:
    """The value of a field with `db_default` until the row is saved and read back.

    save() and bulk_create() leave such a column out of the INSERT, so the
    database fills it with the column's DEFAULT.
    """

    def __repr__(self) -> str:
        return "DatabaseDefault()"


#: Immutable, so one instance serves every field and every new object.
DATABASE_DEFAULT = DatabaseDefault()

BLANK_CHOICE_DASH = [("", "---------")]


class DeferredAttribute:
    """Loads a field that `only()`/`defer()` left out, on first access.

    It is a non-data descriptor: once the value sits in the instance's
    `__dict__`, Python never calls it, so loaded fields cost nothing extra.
    On the class it returns the field itself.
    """

    def __init__(self, field: Field):
        self.field = field

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self.field
        name = self.field.attname
        if name not in instance.__dict__:
            if self.field.primary_key and instance._meta.multi_table:
                link = instance._meta.get_ancestor_link(self.field.model)
                if link is not None and link is not self.field and link.attname in instance.__dict__:
                    return instance.__dict__[link.attname]  # a parent's key is the child's link value
            if instance._state.adding or not instance._is_pk_set():
                raise AttributeError(f"'{type(instance).__name__}' object has no attribute '{name}'")
            instance.refresh_from_db(fields=[name])
        return instance.__dict__[name]


def _new_field(cls: type) -> Field:
    return cls.__new__(cls)


def _load_field(app_label: str, object_name: str, name: str) -> Field:
    from relata.models.registry import apps

    return apps.get_model(app_label, object_name)._meta.get_field(name)


class Field(RegisterLookupMixin):
    """Base of every field. Subclasses set `internal_type` and conversions."""

    empty_strings_allowed = True
    empty_values: ClassVar[list[Any]] = list(v.EMPTY_VALUES)
    default_validators: ClassVar[list[Callable[[Any], None]]] = []
    default_error_messages: ClassVar[dict[str, str]] = {
        "invalid_choice": "Value %(value)r is not a valid choice.",
        "null": "This field cannot be null.",
        "blank": "This field cannot be blank.",
        "unique": "%(model_name)s with this %(field_label)s already exists.",
        "unique_for_date": "%(field_label)s must be unique for %(date_field_label)s %(lookup_type)s.",
    }
    internal_type: ClassVar[str] = "Field"
    creation_counter = 0
    auto_creation_counter = -1

    is_relation = False
    many_to_many = False
    many_to_one = False
    one_to_many = False
    one_to_one = False
    related_model: Any = None
    remote_field: Any = None
    concrete = True
    hidden = False
    auto_created = False
    #: A column the database computes (GeneratedField): read, never written.
    generated = False
    #: What `Model.<attname>` is: a class whose instances take the field (Django's custom-descriptor hook).
    descriptor_class: ClassVar[type] = DeferredAttribute
    #: {"msg", "hint", "id"} of the check warning (deprecated) or error (removed) for a retired field class.
    system_check_deprecated_details: ClassVar[dict[str, str] | None] = None
    system_check_removed_details: ClassVar[dict[str, str] | None] = None

    def __init__(
        self,
        verbose_name: str | None = None,
        name: str | None = None,
        primary_key: bool = False,
        max_length: int | None = None,
        unique: bool = False,
        blank: bool = False,
        null: bool = False,
        db_index: bool = False,
        default: Any = NOT_PROVIDED,
        editable: bool = True,
        choices: Iterable[Any] | None = None,
        help_text: str = "",
        db_column: str | None = None,
        validators: Iterable[Callable[[Any], None]] = (),
        error_messages: dict[str, str] | None = None,
        db_comment: str | None = None,
        db_default: Any = NOT_PROVIDED,
        auto_created: bool = False,
        serialize: bool = True,
        unique_for_date: str | None = None,
        unique_for_month: str | None = None,
        unique_for_year: str | None = None,
        db_tablespace: str | None = None,
    ):
        self.name = name
        self.verbose_name = verbose_name
        self.primary_key = primary_key
        self.max_length = max_length
        self._unique = unique
        self.blank = blank
        self.null = null
        self.db_index = db_index
        self.default = default
        self.editable = editable
        self.choices = choices
        self.help_text = help_text
        self.db_column = db_column
        self._validators = list(validators)
        self.db_comment = db_comment
        self.db_default = db_default
        self.auto_created = auto_created
        self.serialize = serialize
        self.unique_for_date = unique_for_date
        self.unique_for_month = unique_for_month
        self.unique_for_year = unique_for_year
        messages: dict[str, str] = {}
        for klass in reversed(type(self).__mro__):
            messages.update(getattr(klass, "default_error_messages", {}))
        messages.update(error_messages or {})
        self.error_messages = messages
        self.model: Any = None
        self.attname: str = name or ""
        self.column: str = db_column or name or ""
        if auto_created:
            self.creation_counter = Field.auto_creation_counter
            Field.auto_creation_counter -= 1
        else:
            self.creation_counter = Field.creation_counter
            Field.creation_counter += 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        original = cls.__init__

        # Record constructor arguments for deconstruct() without every
        # subclass having to list them again.
        def recording_init(self: Field, *args: Any, **kw: Any) -> None:
            if not hasattr(self, "_recorded"):
                self._recorded = True
                self._constructor_args = (args, kw)
            original(self, *args, **kw)

        if not getattr(original, "_records", False):
            recording_init._records = True  # type: ignore[attr-defined]
            cls.__init__ = recording_init  # type: ignore[method-assign]

    # -- identity ---------------------------------------------------------------

    def __repr__(self) -> str:
        module = type(self).__module__
        if module in ("relata.models.fields.temporal", "relata.models.fields.network", "relata.models.fields.numeric"):
            module = __name__  # re-exported here: show the path users import from
        path = f"{module}.{type(self).__qualname__}"
        return f"<{path}: {self.name}>" if self.name else f"<{path}>"

    def __str__(self) -> str:
        if self.model is None:
            return repr(self)
        return f"{self.model._meta.label}.{self.name}"

    def __lt__(self, other: Field) -> bool:
        if not isinstance(other, Field):
            return NotImplemented
        if self.creation_counter != other.creation_counter or (self.model is None and other.model is None):
            return self.creation_counter < other.creation_counter
        if (self.model is None) != (other.model is None):
            return self.model is None  # a field not on a model yet sorts first
        # Copies of one abstract field (same counter) sort by their models.
        return (self.model._meta.app_label, self.model._meta.model_name) < (
            other.model._meta.app_label,
            other.model._meta.model_name,
        )

    def __hash__(self) -> int:
        # The creation counter never changes, so neither does the hash (joining a model included).
        return hash(self.creation_counter)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Field):
            return (
                self.creation_counter == other.creation_counter
                and self.model is other.model
                and self.name == other.name
            )
        return NotImplemented

    def __reduce__(self) -> Any:
        # A model's field pickles as a reference to it: unpickled, it is that model's own field
        # (with its caches and relations), as a model class pickles by reference.
        model = self.model
        if model is None or model._meta.abstract:
            return _new_field, (type(self),), self.__dict__
        return _load_field, (model._meta.app_label, model._meta.object_name, self.name)

    def __copy__(self) -> Field:
        # A new field with the same attributes: without this, copy.copy() would follow __reduce__
        # and hand back the model's own field, which the caller then changes.
        clone = object.__new__(type(self))
        clone.__dict__ = self.__dict__.copy()
        return clone

    def __deepcopy__(self, memo: dict) -> Field:
        clone = copy.copy(self)
        clone._validators = list(self._validators)
        if self.remote_field is not None:
            clone.remote_field = copy.copy(self.remote_field)
            clone.remote_field.field = clone
        memo[id(self)] = clone
        return clone

    @property
    def choices(self) -> Any:
        """(value, label) pairs and (group, [pairs]), or None; set in any form Django takes (see choices.py)."""
        return self._choices

    @choices.setter
    def choices(self, value: Any) -> None:
        self._choices = normalize_choices(value)

    @property
    def flatchoices(self) -> list[tuple[Any, Any]]:
        """Every (value, label) pair, those inside groups included."""
        return [] if self.choices is None else list(flatten_choices(self.choices))

    def get_choices(
        self,
        include_blank: bool = True,
        blank_choice: list[tuple[Any, str]] = BLANK_CHOICE_DASH,
        limit_choices_to: Any = None,
        ordering: Any = (),
    ) -> list[Any]:
        """The choices, after a blank one unless `include_blank` is False or a choice is already blank."""
        choices = [] if self.choices is None else list(self.choices)
        if include_blank and not any(value in ("", None) for value, _label in self.flatchoices):
            choices = list(blank_choice) + choices
        return choices

    @property
    def unique(self) -> bool:
        return self._unique or self.primary_key

    @property
    def field(self) -> Field:
        """`Model.name.field` works as in Django, where class access yields a descriptor."""
        return self

    @property
    def validators(self) -> list[Callable[[Any], None]]:
        return [*self.default_validators, *self._validators]

    # -- wiring into a model ------------------------------------------------------

    def set_attributes_from_name(self, name: str) -> None:
        self.name = self.name or name
        self.attname, self.column = self.get_attname_column()
        if self.column is None:
            self.concrete = False  # a field without a column (Django's rule): no SELECT, INSERT or UPDATE
        if self.verbose_name is None and self.name:
            self.verbose_name = self.name.replace("_", " ")

    def get_attname(self) -> str:
        return self.name

    def get_attname_column(self) -> tuple[str, str | None]:
        attname = self.get_attname()
        return attname, self.db_column or attname

    def contribute_to_class(self, cls: type, name: str, private_only: bool = False) -> None:
        self.set_attributes_from_name(name)
        self.model = cls
        cls._meta.add_field(self, private=private_only)
        if self.column and self.concrete:
            setattr(cls, self.attname, self.descriptor_class(self))
        if self.choices is not None and f"get_{self.name}_display" not in cls.__dict__:
            setattr(cls, f"get_{self.name}_display", _display_method(self))

    def get_internal_type(self) -> str:
        return self.internal_type

    # -- defaults -----------------------------------------------------------------

    def has_default(self) -> bool:
        return self.default is not NOT_PROVIDED

    def has_db_default(self) -> bool:
        return self.db_default is not NOT_PROVIDED

    def get_default(self) -> Any:
        if self.has_default():
            return self.default() if callable(self.default) else self.default
        if self.has_db_default():
            return DATABASE_DEFAULT
        if not self.empty_strings_allowed or self.null:
            return None
        return ""

    # -- conversion ---------------------------------------------------------------

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        return value

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        adapter = connection.ops.adapter_for(self.get_internal_type())
        return value if adapter is None else adapter(value)

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        """The value save() sends for `value` (Django's hook; by default get_db_prep_value())."""
        return self.get_db_prep_value(value, connection, prepared=False)

    def db_preparer(self, connection: Any) -> Callable[[Any], Any] | None:
        """One function taking a Python value to a driver value, or None if none is needed."""
        cls = type(self)
        if cls.get_db_prep_save is not Field.get_db_prep_save or cls.get_db_prep_value is not Field.get_db_prep_value:
            # A custom field's own conversion (Django's documented hooks) replaces the shortcut below.
            return lambda value: self.get_db_prep_save(value, connection)
        adapter = connection.ops.adapter_for(self.get_internal_type())
        prep = self.get_prep_value
        plain = type(self).get_prep_value is Field.get_prep_value
        if plain and adapter is None:
            return None
        if plain:
            return lambda value: None if value is None else adapter(value)
        if adapter is None:
            return prep

        def prepare(value: Any) -> Any:
            value = prep(value)
            return None if value is None else adapter(value)

        return prepare

    def lookup_preparer(self, connection: Any) -> Callable[[Any], Any] | None:
        """As db_preparer(), for a value a lookup compares with (a field may store a value rounded)."""
        return self.db_preparer(connection)

    def cast_db_type(self, connection: Any) -> str:
        """The type Cast() converts to: the column type, unless the field says otherwise."""
        return self.db_type(connection)

    def db_type(self, connection: Any) -> str | None:
        """The column's SQL type on this connection; a custom field may return its own (Django's hook)."""
        return connection.schema_editor().column_type(self.column_spec())

    def rel_db_type(self, connection: Any) -> str | None:
        """The type of a foreign key column pointing at this field."""
        return self.db_type(connection)

    def db_check(self, connection: Any) -> str | None:
        """The column's CHECK condition as SQL, or None."""
        check = self.column_spec().check
        return None if check is None else check % {"column": connection.ops.quote_name(self.column)}

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        """{"type": db_type(), "check": db_check()}, as Django's schema code reads them."""
        return {"type": self.db_type(connection), "check": self.db_check(connection)}

    def has_own_db_type(self) -> bool:
        """Whether the class sets its column type itself (db_type() or rel_db_type() overridden)."""
        cls = type(self)
        return cls.db_type is not Field.db_type or cls.rel_db_type is not Field.rel_db_type

    def from_db_converter(self, connection: Any) -> Callable[[Any], Any] | None:
        """One function taking a database value to a Python value, or None if none is needed.

        The backend's converter for the internal type, then the field's own
        `from_db_value(value, expression, connection)` if its class defines one
        (Django's custom-field hook; `expression` is the field). Such a converter
        sees NULLs too, as in Django, and says so with `takes_none`.
        """
        converter = self.db_converter(connection)
        from_db_value = getattr(self, "from_db_value", None)
        if from_db_value is None:
            return converter

        def convert(value: Any) -> Any:
            if value is not None and converter is not None:
                value = converter(value)
            return from_db_value(value, self, connection)

        convert.takes_none = True  # type: ignore[attr-defined]
        return convert

    def db_converter(self, connection: Any) -> Callable[[Any], Any] | None:
        """The backend's converter for this field's internal type (None for values the driver already gives right)."""
        converter = connection.ops.converter_for(self.get_internal_type(), self)
        # A computed value read back as this field's type (see output_types.result_field).
        cast = self.__dict__.get("computed_type")
        if cast is None:
            return converter
        if converter is None:
            return cast
        return lambda value: cast(converter(value))

    def pre_save(self, instance: Any, add: bool) -> Any:
        return instance.__dict__.get(self.attname)

    def value_from_object(self, obj: Any) -> Any:
        return getattr(obj, self.attname)

    # -- validation ---------------------------------------------------------------

    def run_validators(self, value: Any) -> None:
        if value in self.empty_values:
            return
        errors = []
        for validator in self.validators:
            try:
                validator(value)
            except exceptions.ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise exceptions.ValidationError(errors)

    def validate(self, value: Any, model_instance: Any) -> None:
        if not self.editable:
            return
        if (
            self.choices is not None
            and value not in self.empty_values
            and not any(value == key for key, _label in flatten_choices(self.choices))
        ):
            raise exceptions.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        if value is None and not self.null:
            raise exceptions.ValidationError(self.error_messages["null"], code="null")
        if not self.blank and value in self.empty_values:
            raise exceptions.ValidationError(self.error_messages["blank"], code="blank")

    def clean(self, value: Any, model_instance: Any) -> Any:
        value = self.to_python(value)
        self.validate(value, model_instance)
        self.run_validators(value)
        return value

    def check(self, **kwargs: Any) -> list[Any]:
        """This field's system-check messages (Django's `Field.check()`); subclasses add their own."""
        from relata.models.checks import check_field

        return check_field(self)

    # -- schema -------------------------------------------------------------------

    def column_spec(self) -> ColumnSpec:
        return ColumnSpec(
            name=self.column,
            internal_type=self.get_internal_type(),
            null=self.null,
            primary_key=self.primary_key,
            unique=self._unique and not self.primary_key,
            max_length=self.max_length,
            max_digits=getattr(self, "max_digits", None),
            decimal_places=getattr(self, "decimal_places", None),
            comment=self.db_comment or None,
            collation=getattr(self, "db_collation", None),
        )

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        """`(name, import path, args, kwargs)` to rebuild this field in a migration."""
        args, kwargs = getattr(self, "_constructor_args", ((), {}))
        if kwargs.get("choices") is not None:
            # As normalised (an iterator given is spent; an enum class becomes its pairs); a callable stays one.
            choices = self.choices
            kwargs = {**kwargs, "choices": choices.func if isinstance(choices, CallableChoiceIterator) else choices}
        module = type(self).__module__
        if module.startswith("relata.models"):
            module = "relata.models"
        return self.name, f"{module}.{type(self).__qualname__}", list(args), dict(kwargs)

    def clone(self) -> Field:
        _name, _path, args, kwargs = self.deconstruct()
        return type(self)(*args, **kwargs)

    def formfield(self, **kwargs: Any) -> None:  # pragma: no cover - no forms here
        return None


def _display_method(field: Field) -> Callable[[Any], Any]:
    def get_display(self: Any) -> Any:
        value = getattr(self, field.attname)
        for key, label in flatten_choices(field.choices):
            if key == value:
                return label
        return value

    get_display.__name__ = f"get_{field.name}_display"
    return get_display


class BooleanField(Field):
    internal_type = "BooleanField"
    empty_strings_allowed = False
    default_error_messages: ClassVar[dict[str, str]] = {"invalid": "“%(value)s” value must be either True or False."}

    def to_python(self, value: Any) -> Any:
        if self.null and value in self.empty_values:
            return None
        if value in (True, False):
            return bool(value)
        if value in ("t", "True", "1"):
            return True
        if value in ("f", "False", "0"):
            return False
        raise exceptions.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return self.to_python(value)


# -- text --------------------------------------------------------------------


class CharField(Field):
    internal_type = "CharField"
    #: The column is varchar(max_length): every supported database needs the length.
    requires_max_length: ClassVar[bool] = True
    #: `F("name")[:3]` takes characters (SUBSTR); other fields refuse slicing.
    sliceable: ClassVar[bool] = True

    def __init__(self, *args: Any, db_collation: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        #: The column's collation (COLLATE in its definition); None: the database's default.
        self.db_collation = db_collation
        if self.max_length is not None:
            self._validators.append(v.MaxLengthValidator(self.max_length))

    def contribute_to_class(self, cls: type, name: str) -> None:
        if self.requires_max_length:
            _check_max_length(self.max_length, f"{cls.__name__}.{name}", type(self).__name__)
        super().contribute_to_class(cls, name)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) or value is None:
            return value
        return str(value)

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, str) or hasattr(value, "resolve_expression"):
            return value
        return str(value)

    def cast_db_type(self, connection: Any) -> str:
        # Cast("x", CharField()) has no length to put in varchar(n): use the database's unbounded type.
        if self.max_length is None:
            return connection.ops.cast_char_field_without_max_length
        return super().cast_db_type(connection)


def _check_max_length(max_length: Any, where: str, kind: str) -> None:
    if max_length is None:
        raise exceptions.ImproperlyConfigured(
            f"{where}: {kind} needs max_length, e.g. models.{kind}(max_length=200); "
            f"use models.TextField() for text of any length."
        )
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length <= 0:
        raise exceptions.ImproperlyConfigured(f"{where}: max_length must be a positive integer, not {max_length!r}.")


class TextField(CharField):
    internal_type = "TextField"
    requires_max_length = False


class EmailField(CharField):
    internal_type = "EmailField"
    default_validators: ClassVar[list[Callable[[Any], None]]] = [v.validate_email]

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("max_length", 254)
        super().__init__(*args, **kwargs)


class SlugField(CharField):
    internal_type = "SlugField"
    default_validators: ClassVar[list[Callable[[Any], None]]] = [v.validate_slug]

    def __init__(self, *args: Any, db_index: bool = True, allow_unicode: bool = False, **kwargs: Any):
        kwargs.setdefault("max_length", 50)
        self.allow_unicode = allow_unicode
        super().__init__(*args, db_index=db_index, **kwargs)


class URLField(CharField):
    internal_type = "CharField"
    default_validators: ClassVar[list[Callable[[Any], None]]] = [v.validate_url]

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)


# -- other -------------------------------------------------------------------


class UUIDField(Field):
    internal_type = "UUIDField"
    empty_strings_allowed = False
    default_error_messages: ClassVar[dict[str, str]] = {"invalid": "“%(value)s” is not a valid UUID."}

    def __init__(self, verbose_name: str | None = None, **kwargs: Any):
        kwargs.setdefault("max_length", 32)
        super().__init__(verbose_name, **kwargs)

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, uuid.UUID):
            return value
        try:
            return uuid.UUID(int=value) if isinstance(value, int) else uuid.UUID(str(value))
        except (AttributeError, ValueError):
            raise exceptions.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return self.to_python(value)


class BinaryField(Field):
    internal_type = "BinaryField"
    empty_values: ClassVar[list[Any]] = [None, b""]

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self._validators.append(v.MaxLengthValidator(self.max_length))

    def get_default(self) -> Any:
        if self.has_default() or self.has_db_default():
            return super().get_default()
        return None if self.null else b""

    def to_python(self, value: Any) -> Any:
        # Text here is what serialization wrote: base64, as Django's BinaryField reads it.
        if isinstance(value, str):
            return base64.b64decode(value.encode("ascii"))
        return value

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, str):
            # Written as text, it could not be read back as bytes; Django's drivers refuse it too.
            raise TypeError(
                f"BinaryField '{self.name}' takes bytes, bytearray or memoryview, not str: "
                f"encode the text first, e.g. value.encode()."
            )
        return value


class JSONField(Field):
    internal_type = "JSONField"
    empty_strings_allowed = False
    empty_values: ClassVar[list[Any]] = [None, "", [], (), {}]
    default_error_messages: ClassVar[dict[str, str]] = {"invalid": "Value must be valid JSON."}

    def __init__(
        self,
        verbose_name: str | None = None,
        name: str | None = None,
        encoder: type | None = None,
        decoder: type | None = None,
        **kwargs: Any,
    ):
        self.encoder, self.decoder = encoder, decoder
        super().__init__(verbose_name, name, **kwargs)

    #: Makes the transform for a key inside the document; set by relata.models.json_lookups.
    key_transform: ClassVar[Callable[[Any, str], Any] | None] = None

    def get_transform(self, name: str) -> Any:
        # Any name that is neither a transform nor a lookup is a key (Django's KeyTransformFactory).
        found = super().get_transform(name)
        if found is not None or self.key_transform is None or self.get_lookup(name) is not None:
            return found
        return self.key_transform(name)

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        try:
            json.dumps(value, cls=self.encoder)
        except TypeError:
            raise exceptions.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})

    def db_preparer(self, connection: Any) -> Callable[[Any], Any] | None:
        encoder = self.encoder
        if connection.features.has_native_json_field:
            return connection.ops.json_adapter(encoder)
        return lambda value: None if value is None else json.dumps(value, cls=encoder)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        return self.db_preparer(connection)(value)

    def db_converter(self, connection: Any) -> Callable[[Any], Any] | None:
        decoder = self.decoder
        if decoder is None:
            return connection.ops.converter_for("JSONField")

        def convert(value: Any) -> Any:
            return json.loads(value, cls=decoder) if isinstance(value, str | bytes) else value

        return convert


# Users import every field from here (or from relata.models).
from relata.models.fields.network import GenericIPAddressField, IPAddressField  # noqa: E402, F401
from relata.models.fields.numeric import (  # noqa: E402, F401
    AutoField,
    AutoFieldMixin,
    BigAutoField,
    BigIntegerField,
    DecimalField,
    FloatField,
    IntegerField,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SmallAutoField,
    SmallIntegerField,
)
from relata.models.fields.temporal import (  # noqa: E402, F401
    DateField,
    DateTimeCheckMixin,
    DateTimeField,
    DurationField,
    TimeField,
)
