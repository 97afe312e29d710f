"""Operations that run the user's own code or SQL: RunPython and RunSQL.

Neither changes the state (unless RunSQL is given `state_operations`); both
can be reversed when given a reverse, and `RunPython.noop` / `RunSQL.noop`
make a step that does nothing in that direction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from relata.migrations.operations.base import Operation


class RunSQL(Operation):
    noop = ""

    def __init__(
        self,
        sql: str | list[Any],
        reverse_sql: str | list[Any] | None = None,
        state_operations: list[Operation] | None = None,
        hints: dict | None = None,
        elidable: bool = False,
    ):
        self.sql = sql
        self.reverse_sql = reverse_sql
        self.state_operations = list(state_operations or [])
        self.hints = hints or {}
        self.elidable = elidable

    @property
    def reversible(self) -> bool:  # type: ignore[override]
        return self.reverse_sql is not None

    def state_forwards(self, app_label: str, state: Any) -> None:
        for operation in self.state_operations:
            operation.state_forwards(app_label, state)

    def database_forwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        self._run(editor, self.sql)

    def database_backwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        if self.reverse_sql is None:
            raise NotImplementedError("This RunSQL has no reverse_sql, so it cannot be unapplied.")
        self._run(editor, self.reverse_sql)

    @staticmethod
    def _run(editor: Any, sql: str | list[Any]) -> None:
        statements = [sql] if isinstance(sql, str) else list(sql)
        for statement in statements:
            if isinstance(statement, list | tuple):
                editor.execute(statement[0], tuple(statement[1] or ()))
            else:
                for part in _split(statement):
                    editor.execute(part)

    def describe(self) -> str:
        return "Raw SQL operation"


def _split(sql: str) -> list[str]:
    """Statements separated by ';' at line ends; a statement with ';' inside a string stays whole."""
    parts = [p.strip() for p in sql.strip().split(";\n")]
    return [p.rstrip(";").strip() for p in parts if p.strip()]


class RunPython(Operation):
    reduces_to_sql = False

    def __init__(
        self,
        code: Callable[[Any, Any], Any],
        reverse_code: Callable[[Any, Any], Any] | None = None,
        atomic: bool | None = None,
        hints: dict | None = None,
        elidable: bool = False,
    ):
        if not callable(code):
            raise ValueError("RunPython needs a callable taking (apps, schema_editor).")
        if reverse_code is not None and not callable(reverse_code):
            raise ValueError("RunPython's reverse_code must be callable.")
        self.code = code
        self.reverse_code = reverse_code
        self.atomic = atomic
        self.hints = hints or {}
        self.elidable = elidable

    @property
    def reversible(self) -> bool:  # type: ignore[override]
        return self.reverse_code is not None

    def state_forwards(self, app_label: str, state: Any) -> None:
        """RunPython changes data, not the schema."""

    def database_forwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        if editor.collect_only:
            editor.collected.append((f"-- (RunPython {_name(self.code)}: Python code, no SQL to show)", ()))
            return
        self.code(from_state.apps, editor)

    def database_backwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        if self.reverse_code is None:
            raise NotImplementedError("This RunPython has no reverse_code, so it cannot be unapplied.")
        if editor.collect_only:
            editor.collected.append((f"-- (RunPython {_name(self.reverse_code)}: Python code)", ()))
            return
        self.reverse_code(from_state.apps, editor)

    def describe(self) -> str:
        return "Raw Python operation"

    @staticmethod
    def noop(apps: Any, schema_editor: Any) -> None:
        """A step that does nothing: pass as code or reverse_code."""


def _name(func: Callable[..., Any]) -> str:
    return getattr(func, "__qualname__", repr(func))
