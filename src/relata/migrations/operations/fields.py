"""Operations on one field: add, remove, alter, rename.

`AlterField` is the one the seed article is about: a change to related_name,
related_query_name, verbose_name, help_text, choices, validators or on_delete
is recorded (the state changes) but the tables before and after are equal,
so no SQL runs.
"""

from __future__ import annotations

from typing import Any

from relata.migrations.operations.base import Operation, sync_schema
from relata.migrations.state import clone_field, field_from_deconstruction


class FieldOperation(Operation):
    def __init__(self, model_name: str, name: str, field: Any = None):
        self.model_name = model_name
        self.name = name
        self.field = field

    @property
    def model_name_lower(self) -> str:
        return self.model_name.lower()

    def references_model(self, name: str, app_label: str) -> bool:
        if name.lower() == self.model_name_lower:
            return True
        if self.field is not None and self.field.is_relation:
            target = str(self.field.deconstruct()[3].get("to", "")).lower()
            return target in (f"{app_label}.{name}".lower(), name.lower())
        return False

    def database_forwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        sync_schema(editor, from_state, to_state)

    def database_backwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        sync_schema(editor, from_state, to_state)

    # With preserve_default=False (AddField, AlterField) the field's default is a one-off
    # answer that fills existing rows while the column appears or becomes NOT NULL; the
    # model keeps no default.
    preserve_default = True

    def field_for_state(self) -> Any:
        field = clone_field(self.field)
        if self.preserve_default:
            return field
        _name, path, args, kwargs = field.deconstruct()
        kwargs.pop("default", None)
        return field_from_deconstruction(path, args, kwargs)

    def one_off_defaults(self, app_label: str, editor: Any) -> dict:
        """{model key: {column: value}} for the rows already in the table, from the field's default."""
        if not self.field.has_default() or self.field.many_to_many:
            return {}
        column = self.field.db_column or (f"{self.name}_id" if self.field.is_relation else self.name)
        value = self.field.get_default()
        if not self.field.is_relation:
            # An unbound relation field cannot reach its target's converters; its default is a key.
            value = self.field.get_db_prep_value(value, editor.connection)
        return {(app_label, self.model_name_lower): {column: getattr(value, "pk", value)}}


class AddField(FieldOperation):
    def __init__(self, model_name: str, name: str, field: Any, preserve_default: bool = True):
        super().__init__(model_name, name, field)
        self.preserve_default = preserve_default

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.model_name)
        model.fields[self.name] = self.field_for_state()
        state.reload()

    def database_forwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        sync_schema(editor, from_state, to_state, defaults=self.one_off_defaults(app_label, editor))

    def describe(self) -> str:
        return f"Add field {self.name} to {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name_lower}_{self.name.lower()}"


class RemoveField(FieldOperation):
    def __init__(self, model_name: str, name: str):
        super().__init__(model_name, name)

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.model_name)
        model.get_field(self.name)
        del model.fields[self.name]
        state.reload()

    def describe(self) -> str:
        return f"Remove field {self.name} from {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"remove_{self.model_name_lower}_{self.name.lower()}"


class AlterField(FieldOperation):
    def __init__(self, model_name: str, name: str, field: Any, preserve_default: bool = True):
        super().__init__(model_name, name, field)
        self.preserve_default = preserve_default

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.model_name)
        model.get_field(self.name)
        model.fields[self.name] = self.field_for_state()
        state.reload()

    def database_forwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        sync_schema(editor, from_state, to_state, defaults=self.one_off_defaults(app_label, editor))

    def describe(self) -> str:
        return f"Alter field {self.name} on {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"alter_{self.model_name_lower}_{self.name.lower()}"


class RenameField(FieldOperation):
    def __init__(self, model_name: str, old_name: str, new_name: str):
        super().__init__(model_name, old_name)
        self.old_name = old_name
        self.new_name = new_name

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.model_name)
        field = model.get_field(self.old_name)
        model.fields = {
            (self.new_name if name == self.old_name else name): (field if name == self.old_name else other)
            for name, other in model.fields.items()
        }
        _rename_in_options(model, self.old_name, self.new_name)
        state.reload()

    def _renames(self, app_label: str, backwards: bool) -> dict:
        key = (app_label, self.model_name_lower)
        return {key: {self.old_name: self.new_name}} if backwards else {key: {self.new_name: self.old_name}}

    def database_forwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        sync_schema(editor, from_state, to_state, field_renames=self._renames(app_label, False))

    def database_backwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        sync_schema(editor, from_state, to_state, field_renames=self._renames(app_label, True))

    def describe(self) -> str:
        return f"Rename field {self.old_name} on {self.model_name} to {self.new_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"rename_{self.old_name.lower()}_{self.model_name_lower}_{self.new_name.lower()}"


def _rename_in_options(model: Any, old: str, new: str) -> None:
    """unique_together, indexes and constraints name fields; follow the rename."""
    if "unique_together" in model.options:
        model.options["unique_together"] = {
            tuple(new if name == old else name for name in group) for group in model.options["unique_together"]
        }
    for index in model.options["indexes"]:
        index.fields = [
            ("-" if f.startswith("-") else "") + (new if f.lstrip("-") == old else f.lstrip("-")) for f in index.fields
        ]
    for constraint in model.options["constraints"]:
        if hasattr(constraint, "fields"):
            constraint.fields = tuple(new if f == old else f for f in constraint.fields)
    if "ordering" in model.options:
        model.options["ordering"] = [
            (
                o[0] + new
                if isinstance(o, str) and o.lstrip("-") == old and o.startswith("-")
                else new
                if o == old
                else o
            )
            for o in model.options["ordering"]
        ]
