"""Resuming a migration that ran outside a transaction and failed halfway.

Without transactional DDL (MySQL, MariaDB) each statement commits as it
runs, so a failure at operation 4 leaves operations 1-3 in the schema. Each
finished operation is therefore recorded at once (with the statements it
deferred to the migration's end), the failure names what stays applied, and
the next run skips those operations and continues from the failed one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from relata.exceptions import ImproperlyConfigured
from relata.migrations.recorder import PROGRESS_TABLE, MigrationRecorder, PartialRun


class ResumableRun:
    """One migration applied outside a transaction, recorded operation by operation."""

    def __init__(self, recorder: MigrationRecorder, migration: Any):
        self.recorder = recorder
        self.migration = migration
        self.label = f"{migration.app_label}.{migration.name}"
        self.done: list[str] = []

    def start(self, editor: Any) -> int:
        """How many operations an earlier run finished; their pending statements go back to `editor`."""
        self.recorder.ensure_progress_table()
        earlier = self.recorder.progress().get((self.migration.app_label, self.migration.name))
        if earlier is None:
            return 0
        now = [operation.describe() for operation in self.migration.operations[: len(earlier.operations)]]
        if now != earlier.operations:
            raise ImproperlyConfigured(
                f"{self.label} was partly applied by an earlier run, which finished these operations: "
                f"{_listed(earlier.operations)}; the migration file now starts with: {_listed(now) or 'nothing'}. "
                f"Restore those operations in the file (change only the failed one and those after it), or "
                f"undo their effect by hand and delete its row from {PROGRESS_TABLE}."
            )
        editor.deferred.extend(earlier.deferred)
        self.done = list(earlier.operations)
        return len(self.done)

    @contextmanager
    def operation(self, index: int, editor: Any) -> Iterator[None]:
        """Run one operation; record it when it finishes, or name what stays applied when it fails."""
        operation = self.migration.operations[index]
        try:
            yield
        except Exception as error:
            error.add_note(self._failure_note(index, operation))
            raise
        self.done.append(operation.describe())
        self._record(editor)

    def finish(self, editor: Any) -> None:
        """Run the deferred statements one by one, so a failure among them resumes after the last that ran."""
        while editor.deferred:
            sql = editor.deferred[0]
            try:
                editor.execute(sql)
            except Exception as error:
                error.add_note(
                    f"{self.label}: all {len(self.done)} operations were applied, but a statement they deferred "
                    f"to the end failed ({sql}). Fix the cause and run `relata migrate` again: it runs the "
                    f"{len(editor.deferred)} deferred statement(s) not yet run."
                )
                raise
            editor.deferred.pop(0)
            self._record(editor)

    def _record(self, editor: Any) -> None:
        app, name = self.migration.app_label, self.migration.name
        self.recorder.record_progress(app, name, PartialRun(list(self.done), list(editor.deferred)))

    def _failure_note(self, index: int, operation: Any) -> str:
        total = len(self.migration.operations)
        applied = (
            f"so these stay applied (recorded in {PROGRESS_TABLE}): {_listed(self.done)}"
            if self.done
            else "and no operation before it was applied"
        )
        return (
            f"{self.label} failed at operation {index + 1} of {total} ({operation.describe()}). The database "
            f"cannot roll DDL back, {applied}; statements the failed operation ran before the error are not "
            f"undone. Fix operation {index + 1} and run `relata migrate` again: it continues from there."
        )


def _listed(descriptions: list[str]) -> str:
    return "; ".join(f"{number}. {text}" for number, text in enumerate(descriptions, 1))
