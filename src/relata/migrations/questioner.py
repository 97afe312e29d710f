"""Questions the autodetector cannot answer alone: renames and one-off defaults.

`InteractiveQuestioner` asks on the terminal; `NonInteractiveQuestioner`
answers from flags (`--yes` says yes to renames, `--no-input` says no) and
refuses to invent a default for a new NOT NULL column.
"""

from __future__ import annotations

import datetime
import sys
from typing import Any

from relata.exceptions import ImproperlyConfigured


class MigrationQuestioner:
    def __init__(self, answer_renames: bool = False):
        self.answer_renames = answer_renames

    def ask_rename_model(self, old: Any, new: Any) -> bool:
        return self.answer_renames

    def ask_rename_field(self, model_name: str, old_name: str, new_name: str, field: Any) -> bool:
        return self.answer_renames

    def ask_not_null_addition(self, model_name: str, field_name: str) -> Any:
        raise ImproperlyConfigured(
            f"It is impossible to add the non-nullable field {field_name!r} to {model_name} without a "
            f"default: existing rows need a value. Give the field a default, make it null=True, or run "
            f"makemigrations interactively to enter a one-off default."
        )

    def ask_not_null_alteration(self, model_name: str, field_name: str) -> Any:
        """A field becomes NOT NULL: None keeps existing NULLs (the migration fails if there are any)."""
        return None


class NonInteractiveQuestioner(MigrationQuestioner):
    pass


class InteractiveQuestioner(MigrationQuestioner):
    def __init__(self, answer_renames: bool = False, stdin: Any = None, stdout: Any = None):
        super().__init__(answer_renames)
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout

    def _ask(self, prompt: str) -> str:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise ImproperlyConfigured("No answer on standard input; run with --no-input or --yes.")
        return line.strip()

    def _yes_no(self, prompt: str) -> bool:
        if self.answer_renames:
            return True
        while True:
            answer = self._ask(prompt + " [y/N] ").lower()
            if answer in ("", "n", "no"):
                return False
            if answer in ("y", "yes"):
                return True

    def ask_rename_model(self, old: Any, new: Any) -> bool:
        return self._yes_no(f"Was the model {old.app_label}.{old.name} renamed to {new.name}?")

    def ask_rename_field(self, model_name: str, old_name: str, new_name: str, field: Any) -> bool:
        kind = type(field).__name__
        return self._yes_no(f"Was {model_name}.{old_name} renamed to {model_name}.{new_name} (a {kind})?")

    def ask_not_null_addition(self, model_name: str, field_name: str) -> Any:
        self.stdout.write(
            f"It is impossible to add a non-nullable field '{field_name}' to {model_name} without "
            f"specifying a default, because existing rows need a value.\n"
            f"Enter a one-off default as a Python expression (datetime and timezone are available), "
            f"or 'exit' to stop and add a default to the model:\n"
        )
        while True:
            text = self._ask(">>> ")
            if text == "exit":
                raise ImproperlyConfigured(f"Stopped: give {model_name}.{field_name} a default or null=True.")
            try:
                return eval(text, {"datetime": datetime, "timezone": datetime.timezone}, {})
            except Exception as exc:
                self.stdout.write(f"Invalid input: {exc}\n")
