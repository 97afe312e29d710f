"""Questions the autodetector cannot answer alone: renames and one-off defaults.

`InteractiveQuestioner` asks on the terminal; `PipedQuestioner` reads the
answers from a pipe (`echo y | relata makemigrations`) and, once the pipe is
empty, answers as `--no-input` does, with a warning; `NonInteractiveQuestioner`
answers from flags (`--yes` says yes to renames, `--no-input` says no),
refuses to invent a default for a new NOT NULL column (the error says to add
one) and, as Django, warns but goes on when a nullable field becomes NOT NULL.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from relata.exceptions import ImproperlyConfigured

#: `ask_not_null_alteration`'s answer when existing NULLs are left for the user to handle.
KEEP_NULLS = object()

#: Names a one-off default may use: `timezone.now()` as in Django, and the datetime module.
DEFAULT_NAMESPACE = {
    "datetime": datetime,
    "timezone": SimpleNamespace(now=lambda: datetime.datetime.now(datetime.UTC), utc=datetime.UTC),
}


class MigrationQuestioner:
    def __init__(self, answer_renames: bool = False, warn: Callable[[str], None] | None = None):
        self.answer_renames = answer_renames
        self.warn = warn or (lambda message: None)

    def ask_rename_model(self, old: Any, new: Any) -> bool:
        return self.answer_renames

    def ask_rename_field(self, model_name: str, old_name: str, new_name: str, field: Any) -> bool:
        return self.answer_renames

    def ask_merge(self, app_label: str) -> bool:
        """Whether to write a merge migration for the branches just shown; unasked, yes (as Django)."""
        return True

    def ask_not_null_addition(self, model_name: str, field_name: str) -> Any:
        raise ImproperlyConfigured(
            f"It is impossible to add the non-nullable field {field_name!r} to {model_name} without a "
            f"default: existing rows need a value. Give the field a default, make it null=True, or run "
            f"makemigrations interactively to enter a one-off default."
        )

    def ask_not_null_alteration(self, model_name: str, field_name: str) -> Any:
        """A field becomes NOT NULL: a one-off value for the rows holding NULL, or KEEP_NULLS."""
        self.warn(
            f"Field {field_name!r} on {model_name} becomes non-nullable without a default: the migration "
            f"fails on rows that hold NULL. Give the field a default, or fill those rows (RunPython or "
            f"RunSQL) before it runs."
        )
        return KEEP_NULLS

    def ask_auto_now_add_addition(self, model_name: str, field_name: str) -> Any:
        raise ImproperlyConfigured(
            f"It is impossible to add the field {field_name!r} with auto_now_add=True to {model_name} without "
            f"a default: existing rows need a value. Give the field a default, or run makemigrations "
            f"interactively to set existing rows to the current time."
        )


class NonInteractiveQuestioner(MigrationQuestioner):
    pass


class NoAnswer(ImproperlyConfigured):
    """Standard input ended before a question was answered."""


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
            raise NoAnswer("No answer on standard input; run with --no-input or --yes.")
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

    def ask_merge(self, app_label: str) -> bool:
        return self._yes_no(
            "Merging will only work if the operations printed above do not conflict with each other "
            "(working on different fields or models).\nShould these migration branches be merged?"
        )

    def ask_not_null_addition(self, model_name: str, field_name: str) -> Any:
        self.stdout.write(
            f"It is impossible to add a non-nullable field '{field_name}' to {model_name} without "
            f"specifying a default, because existing rows need a value.\n"
        )
        return self._ask_default(f"give {model_name}.{field_name} a default or null=True")

    def ask_not_null_alteration(self, model_name: str, field_name: str) -> Any:
        self.stdout.write(
            f"It is impossible to change the nullable field '{field_name}' on {model_name} to non-nullable "
            f"without a default, because rows that hold NULL need a value.\n"
            f"Type 'ignore' to leave them to a RunPython or RunSQL operation of your own.\n"
        )
        return self._ask_default(f"give {model_name}.{field_name} a default", allow_ignore=True)

    def ask_auto_now_add_addition(self, model_name: str, field_name: str) -> Any:
        self.stdout.write(
            f"It is impossible to add the field '{field_name}' with auto_now_add=True to {model_name} without "
            f"a default, because existing rows need a value. Press Enter to use timezone.now().\n"
        )
        return self._ask_default(f"give {model_name}.{field_name} a default", empty="timezone.now()")

    def _ask_default(self, fix: str, allow_ignore: bool = False, empty: str | None = None) -> Any:
        self.stdout.write(
            "Enter a one-off default as a Python expression (datetime and timezone.now() are available), "
            "or 'exit' to stop and add a default to the model:\n"
        )
        while True:
            text = self._ask(">>> ") or (empty or "")
            if text == "exit":
                raise ImproperlyConfigured(f"Stopped: {fix}, then run makemigrations again.")
            if text == "ignore" and allow_ignore:
                return KEEP_NULLS
            if not text:
                self.stdout.write("Please enter a value, or 'exit'.\n")
                continue
            try:
                return eval(text, dict(DEFAULT_NAMESPACE), {})
            except Exception as exc:
                self.stdout.write(f"Invalid input: {exc}\n")


class PipedQuestioner(InteractiveQuestioner):
    """Asks as on a terminal, reading a pipe; when the pipe runs dry, answers as --no-input and says so."""

    def __init__(self, answer_renames: bool = False, warn: Callable[[str], None] | None = None, **streams: Any):
        super().__init__(answer_renames, **streams)
        self.warn = warn or (lambda message: None)
        self.exhausted = False

    def _answer(self, question: str, *args: Any) -> Any:
        if not self.exhausted:
            try:
                return getattr(super(), question)(*args)
            except NoAnswer:
                self.exhausted = True
                self.stdout.write("\n")
                self.warn("standard input ended before the question was answered: answering as --no-input does.")
        return getattr(MigrationQuestioner, question)(self, *args)

    def ask_rename_model(self, old: Any, new: Any) -> bool:
        return self._answer("ask_rename_model", old, new)

    def ask_rename_field(self, model_name: str, old_name: str, new_name: str, field: Any) -> bool:
        return self._answer("ask_rename_field", model_name, old_name, new_name, field)

    def ask_merge(self, app_label: str) -> bool:
        return self._answer("ask_merge", app_label)

    def ask_not_null_addition(self, model_name: str, field_name: str) -> Any:
        return self._answer("ask_not_null_addition", model_name, field_name)

    def ask_not_null_alteration(self, model_name: str, field_name: str) -> Any:
        return self._answer("ask_not_null_alteration", model_name, field_name)

    def ask_auto_now_add_addition(self, model_name: str, field_name: str) -> Any:
        return self._answer("ask_auto_now_add_addition", model_name, field_name)
