"""`Migration`: one file's worth of operations, with what it depends on.

A migration file defines `class Migration(migrations.Migration)` with
`dependencies` (a list of `(app_label, migration_name)`), `operations` and
`initial`. The loader instantiates it with its name and app label.
"""

from __future__ import annotations

from typing import Any


class Migration:
    operations: list[Any] = []
    dependencies: list[tuple[str, str]] = []
    initial: bool | None = None
    #: Run the whole migration in one transaction where the backend can roll DDL back.
    atomic = True
    replaces: list[tuple[str, str]] = []

    def __init__(self, name: str, app_label: str):
        self.name = name
        self.app_label = app_label
        # Copy the class lists so one instance's changes never leak into another.
        self.operations = list(self.__class__.operations)
        self.dependencies = list(self.__class__.dependencies)

    @property
    def key(self) -> tuple[str, str]:
        return self.app_label, self.name

    def mutate_state(self, state: Any) -> Any:
        """A new state: `state` with this migration's operations applied."""
        new = state.clone()
        for operation in self.operations:
            operation.state_forwards(self.app_label, new)
        return new

    def __repr__(self) -> str:
        return f"<Migration {self.app_label}.{self.name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Migration) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)
