"""Building project states by hand and applying operations, for migration tests."""

from __future__ import annotations

from typing import Any

from relata import models
from relata.db import connections
from relata.migrations.autodetector import MigrationAutodetector
from relata.migrations.questioner import MigrationQuestioner
from relata.migrations.state import ModelState, ProjectState


def pk() -> tuple[str, Any]:
    return ("id", models.BigAutoField(auto_created=True, primary_key=True, verbose_name="ID"))


def model(app: str, name: str, *fields: tuple[str, Any], **options: Any) -> ModelState:
    return ModelState(app, name, [pk(), *fields], options)


def state(*model_states: ModelState) -> ProjectState:
    project = ProjectState()
    for item in model_states:
        project.add_model(item)
    return project


def detect(before: ProjectState, after: ProjectState, renames: bool = False, graph: Any = None) -> dict:
    detector = MigrationAutodetector(before, after, MigrationQuestioner(answer_renames=renames))
    return detector.changes(graph)


def operations(before: ProjectState, after: ProjectState, app: str = "shop", renames: bool = False) -> list:
    changes = detect(before, after, renames)
    return changes[app][0].operations if app in changes else []


def kinds(ops: list) -> list[str]:
    return [type(op).__name__ for op in ops]


def apply(app: str, ops: list, start: ProjectState | None = None, alias: str = "default") -> ProjectState:
    """Run `ops` forwards against the database; return the state after them."""
    current = start.clone() if start is not None else ProjectState()
    connection = connections[alias]
    editor = connection.schema_editor()
    with editor.constraint_checks_off(), editor:
        for operation in ops:
            after = current.clone()
            operation.state_forwards(app, after)
            operation.database_forwards(app, editor, current, after)
            current = after
    return current


def unapply(app: str, ops: list, start: ProjectState, alias: str = "default") -> ProjectState:
    """Run `ops` backwards, given the state before them; return that state."""
    states = [start.clone()]
    for operation in ops:
        after = states[-1].clone()
        operation.state_forwards(app, after)
        states.append(after)
    editor = connections[alias].schema_editor()
    with editor.constraint_checks_off(), editor:
        for index in range(len(ops) - 1, -1, -1):
            ops[index].database_backwards(app, editor, states[index + 1], states[index])
    return states[0]


def tables() -> set[str]:
    return set(connections["default"].introspection.table_names())
