"""Operations on whole models: create, delete, rename, and their Meta options.

Each changes the state, then lets `sync_schema` compare the tables before and
after; options that shape no table (ordering, verbose_name) run no SQL.
"""

from __future__ import annotations

from typing import Any

from relata.migrations.operations.base import Operation, sync_schema
from relata.migrations.state import ALTER_OPTION_KEYS, ModelState


class ModelOperation(Operation):
    def __init__(self, name: str):
        self.name = name

    @property
    def name_lower(self) -> str:
        return self.name.lower()

    def references_model(self, name: str, app_label: str) -> bool:
        return name.lower() == self.name_lower

    def database_forwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        sync_schema(editor, from_state, to_state)

    def database_backwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        sync_schema(editor, from_state, to_state)


class CreateModel(ModelOperation):
    def __init__(
        self,
        name: str,
        fields: list[tuple[str, Any]],
        options: dict[str, Any] | None = None,
        bases: Any = None,
        managers: Any = None,
    ):
        super().__init__(name)
        self.fields = list(fields)
        self.options = dict(options or {})
        names = [n for n, _ in self.fields]
        duplicated = {n for n in names if names.count(n) > 1}
        if duplicated:
            raise ValueError(f"CreateModel {name} lists the field(s) {', '.join(sorted(duplicated))} twice.")

    def state_forwards(self, app_label: str, state: Any) -> None:
        from relata.migrations.state import clone_field

        fields = [(n, clone_field(f)) for n, f in self.fields]
        state.add_model(ModelState(app_label, self.name, fields, self.options))

    def references_model(self, name: str, app_label: str) -> bool:
        if super().references_model(name, app_label):
            return True
        label = f"{app_label}.{name}".lower()
        for _n, field in self.fields:
            if field.is_relation:
                target = field.deconstruct()[3].get("to", "")
                if str(target).lower() in (label, name.lower()):
                    return True
        return False

    def describe(self) -> str:
        return f"Create model {self.name}"

    @property
    def migration_name_fragment(self) -> str:
        return self.name_lower


class DeleteModel(ModelOperation):
    def state_forwards(self, app_label: str, state: Any) -> None:
        state.remove_model(app_label, self.name)

    def describe(self) -> str:
        return f"Delete model {self.name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"delete_{self.name_lower}"


class RenameModel(ModelOperation):
    def __init__(self, old_name: str, new_name: str):
        self.old_name = old_name
        self.new_name = new_name
        super().__init__(old_name)

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.remove_model(app_label, self.old_name)
        renamed = ModelState(app_label, self.new_name, model.fields, model.options)
        state.add_model(renamed)
        old_label = f"{app_label}.{self.old_name}".lower()
        new_label = f"{app_label}.{self.new_name}".lower()
        # Relations pointing at the old name now point at the new one.
        for other in state.models.values():
            for name, field in list(other.fields.items()):
                path, args, kwargs = _deconstructed(field)
                changed = False
                for key in ("to", "through"):
                    if str(kwargs.get(key, "")).lower() == old_label:
                        kwargs[key] = new_label
                        changed = True
                if changed:
                    from relata.migrations.state import field_from_deconstruction

                    other.fields[name] = field_from_deconstruction(path, args, kwargs)
        state.reload()

    def _renames(self, app_label: str, backwards: bool) -> dict:
        old, new = (app_label, self.old_name.lower()), (app_label, self.new_name.lower())
        return {new: old} if backwards else {old: new}

    def database_forwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        sync_schema(editor, from_state, to_state, model_renames=self._renames(app_label, False))

    def database_backwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        sync_schema(editor, from_state, to_state, model_renames=self._renames(app_label, True))

    def references_model(self, name: str, app_label: str) -> bool:
        return name.lower() in (self.old_name.lower(), self.new_name.lower())

    def describe(self) -> str:
        return f"Rename model {self.old_name} to {self.new_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"rename_{self.old_name.lower()}_{self.new_name.lower()}"


def _deconstructed(field: Any) -> tuple[str, list[Any], dict[str, Any]]:
    _name, path, args, kwargs = field.deconstruct()
    return path, list(args), dict(kwargs)


class AlterModelOptions(ModelOperation):
    """Options that shape no table: ordering, verbose names, managed ..."""

    def __init__(self, name: str, options: dict[str, Any]):
        super().__init__(name)
        self.options = dict(options)

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.name)
        for key in ALTER_OPTION_KEYS:
            if key in self.options:
                model.options[key] = self.options[key]
            else:
                model.options.pop(key, None)
        state.reload()

    def describe(self) -> str:
        return f"Change Meta options on {self.name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"alter_{self.name_lower}_options"


class AlterModelTable(ModelOperation):
    def __init__(self, name: str, table: str | None):
        super().__init__(name)
        self.table = table

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.name)
        if self.table:
            model.options["db_table"] = self.table
        else:
            model.options.pop("db_table", None)
        state.reload()

    def describe(self) -> str:
        return f"Rename table for {self.name} to {self.table or '(default)'}"

    @property
    def migration_name_fragment(self) -> str:
        return f"alter_{self.name_lower}_table"


class AlterModelTableComment(ModelOperation):
    """Meta.db_table_comment changed: COMMENT ON TABLE (PostgreSQL), ALTER TABLE ... COMMENT (MySQL)."""

    def __init__(self, name: str, table_comment: str):
        super().__init__(name)
        self.table_comment = table_comment

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.name)
        model.options["db_table_comment"] = self.table_comment
        state.reload()

    def describe(self) -> str:
        return f"Alter {self.name} table comment"

    @property
    def migration_name_fragment(self) -> str:
        return f"alter_{self.name_lower}_table_comment"


class AlterUniqueTogether(ModelOperation):
    def __init__(self, name: str, unique_together: Any):
        super().__init__(name)
        groups = unique_together or set()
        if groups and isinstance(next(iter(groups)), str):
            groups = {tuple(groups)}
        self.unique_together = {tuple(g) for g in groups}

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.name)
        if self.unique_together:
            model.options["unique_together"] = set(self.unique_together)
        else:
            model.options.pop("unique_together", None)
        state.reload()

    def describe(self) -> str:
        return f"Alter unique_together for {self.name} ({len(self.unique_together)} constraint(s))"

    @property
    def migration_name_fragment(self) -> str:
        return f"alter_{self.name_lower}_unique_together"


class AddIndex(ModelOperation):
    def __init__(self, model_name: str, index: Any):
        super().__init__(model_name)
        self.model_name = model_name
        if not index.name:
            raise ValueError(f"AddIndex on {model_name} needs a named index: Index(fields=..., name='...').")
        self.index = index

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.model_name)
        model.options["indexes"] = [*model.options["indexes"], self.index.clone()]
        state.reload()

    def describe(self) -> str:
        if self.index.expressions:
            parts = ", ".join(str(expression) for expression in self.index.expressions)
            return f"Create index {self.index.name} on {parts} on model {self.model_name}"
        return f"Create index {self.index.name} on field(s) {', '.join(self.index.fields)} of model {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.name_lower}_{self.index.name.lower()}"


class RemoveIndex(ModelOperation):
    def __init__(self, model_name: str, name: str):
        super().__init__(model_name)
        self.model_name = model_name
        self.index_name = name

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return "RemoveIndex", (), {"model_name": self.model_name, "name": self.index_name}

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.model_name)
        model.options["indexes"] = [i for i in model.options["indexes"] if i.name != self.index_name]
        state.reload()

    def describe(self) -> str:
        return f"Remove index {self.index_name} from {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"remove_{self.name_lower}_{self.index_name.lower()}"


class RenameIndex(ModelOperation):
    """An index keeps its columns under a new name: renamed in place where the database can."""

    def __init__(self, model_name: str, new_name: str, old_name: str):
        super().__init__(model_name)
        self.model_name = model_name
        self.new_name = new_name
        self.old_name = old_name

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.model_name)
        indexes = []
        for index in model.options["indexes"]:
            index = index.clone()
            if index.name == self.old_name:
                index.name = self.new_name
            indexes.append(index)
        model.options["indexes"] = indexes
        state.reload()

    def describe(self) -> str:
        return f"Rename index {self.old_name} on {self.model_name} to {self.new_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"rename_{self.old_name.lower()}_{self.new_name.lower()}"


class AddConstraint(ModelOperation):
    def __init__(self, model_name: str, constraint: Any):
        super().__init__(model_name)
        self.model_name = model_name
        self.constraint = constraint

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.model_name)
        model.options["constraints"] = [*model.options["constraints"], self.constraint.clone()]
        state.reload()

    def describe(self) -> str:
        return f"Create constraint {self.constraint.name} on model {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.name_lower}_{self.constraint.name.lower()}"


class RemoveConstraint(ModelOperation):
    def __init__(self, model_name: str, name: str):
        super().__init__(model_name)
        self.model_name = model_name
        self.constraint_name = name

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return "RemoveConstraint", (), {"model_name": self.model_name, "name": self.constraint_name}

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = state.get_model(app_label, self.model_name)
        model.options["constraints"] = [c for c in model.options["constraints"] if c.name != self.constraint_name]
        state.reload()

    def describe(self) -> str:
        return f"Remove constraint {self.constraint_name} from model {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"remove_{self.name_lower}_{self.constraint_name.lower()}"
