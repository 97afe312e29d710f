"""GeneratedField: a column the database computes from the row (GENERATED ALWAYS AS ... STORED/VIRTUAL).

relata never writes it: INSERT and UPDATE leave it out, an INSERT reads it back by
RETURNING where the database has RETURNING, and otherwise (and after an UPDATE,
which may change it) it loads on first access. It reads, filters and converts
as its `output_field`. The DDL is built in `models/schema.py` with literals
inlined (a column definition takes no parameters).
"""

from __future__ import annotations

from typing import Any

from relata.models.fields import NOT_PROVIDED, DeferredAttribute, Field
from relata.models.instance_state import refuse


class GeneratedFieldDescriptor(DeferredAttribute):
    """Loads the computed value on first access; an unsaved row has none yet."""

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self.field
        name = self.field.attname
        if name not in instance.__dict__:
            if not instance._is_pk_set():
                # Kept for Model.__getattr__, which Python calls next, to raise as it is.
                raise refuse(instance, name, AttributeError("Cannot read a generated field from an unsaved model."))
            instance.refresh_from_db(fields=[name])
        return instance.__dict__[name]


class GeneratedField(Field):
    generated = True
    #: Read back by an INSERT ... RETURNING (as Django's db_returning).
    db_returning = True

    def __init__(self, *, expression: Any, output_field: Any, db_persist: bool | None = None, **kwargs: Any):
        if kwargs.setdefault("editable", False):
            raise ValueError("GeneratedField cannot be editable.")
        if not kwargs.setdefault("blank", True):
            raise ValueError("GeneratedField must be blank.")
        if kwargs.get("default", NOT_PROVIDED) is not NOT_PROVIDED:
            raise ValueError("GeneratedField cannot have a default.")
        if kwargs.get("db_default", NOT_PROVIDED) is not NOT_PROVIDED:
            raise ValueError("GeneratedField cannot have a database default.")
        if db_persist not in (True, False):
            raise ValueError("GeneratedField.db_persist must be True or False.")
        self.expression = expression
        self.output_field = output_field
        self.db_persist = db_persist
        super().__init__(**kwargs)

    def contribute_to_class(self, cls: type, name: str) -> None:
        super().contribute_to_class(cls, name)
        setattr(cls, self.attname, GeneratedFieldDescriptor(self))

    # -- as the output field ------------------------------------------------------

    def get_internal_type(self) -> str:
        return self.output_field.get_internal_type()

    @property
    def max_length(self) -> Any:  # type: ignore[override]
        return getattr(self.output_field, "max_length", None)

    @max_length.setter
    def max_length(self, value: Any) -> None:
        pass  # Field.__init__ sets it; the output field's own is the one that counts

    def get_lookup(self, name: str) -> Any:
        return self.output_field.get_lookup(name)

    def get_transform(self, name: str) -> Any:
        return self.output_field.get_transform(name)

    def to_python(self, value: Any) -> Any:
        return self.output_field.to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        return self.output_field.get_prep_value(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        return self.output_field.get_db_prep_value(value, connection, prepared)

    def db_preparer(self, connection: Any) -> Any:
        return self.output_field.db_preparer(connection)

    def lookup_preparer(self, connection: Any) -> Any:
        return self.output_field.lookup_preparer(connection)

    def cast_db_type(self, connection: Any) -> str:
        return self.output_field.cast_db_type(connection)

    def from_db_converter(self, connection: Any) -> Any:
        return self.output_field.from_db_converter(connection)

    def db_type_parameters(self, connection: Any) -> dict[str, Any]:
        return {
            "max_length": getattr(self.output_field, "max_length", None),
            "max_digits": getattr(self.output_field, "max_digits", None),
            "decimal_places": getattr(self.output_field, "decimal_places", None),
        }

    # -- schema and migrations ----------------------------------------------------

    def column_spec(self) -> Any:
        from dataclasses import replace

        spec = self.output_field.column_spec()
        # The database fills the column: it takes neither NULL/NOT NULL nor a default here.
        return replace(spec, name=self.column, primary_key=False, unique=False, comment=self.db_comment or None)

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("blank", None)
        kwargs.pop("editable", None)
        kwargs["db_persist"] = self.db_persist
        kwargs["expression"] = self.expression
        kwargs["output_field"] = self.output_field
        return name, path, args, kwargs

    def check(self, databases: Any = (), **kwargs: Any) -> list[Any]:
        """Django's fields.E220-E222: what each database can compute (E223/W224 report output_field's own)."""
        from relata.db import connections
        from relata.models.checks import Error

        required = set(getattr(self.model._meta, "required_db_features", ()) or ())
        errors = list(super().check(**kwargs))  # the checks every field gets (its name, ...)
        for alias in databases:
            features = connections[alias].features
            display = getattr(connections[alias], "display_name", alias)
            stored = features.supports_stored_generated_columns or "supports_stored_generated_columns" in required
            virtual = features.supports_virtual_generated_columns or "supports_virtual_generated_columns" in required
            if not stored and not virtual:
                errors.append(Error(f"{display} does not support GeneratedFields.", obj=self, id="fields.E220"))
                continue
            if not self.db_persist and not virtual:
                errors.append(
                    Error(
                        f"{display} does not support non-persisted GeneratedFields.",
                        hint="Set db_persist=True on the field.",
                        obj=self,
                        id="fields.E221",
                    )
                )
            if self.db_persist and not stored:
                errors.append(
                    Error(
                        f"{display} does not support persisted GeneratedFields.",
                        hint="Set db_persist=False on the field.",
                        obj=self,
                        id="fields.E222",
                    )
                )
        return errors
