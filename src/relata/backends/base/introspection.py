"""Reading a database's catalog: tables, columns, indexes, foreign keys.

Used by tests to check the real schema, by migrations to rebuild tables, and
by `inspectdb`. Each backend answers from its own catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    null: bool
    primary_key: bool
    default: Any = None
    #: The column's comment ("" where there is none or the database keeps none).
    comment: str = ""
    #: The database numbers new rows itself (SQLite's rowid, a sequence or identity, AUTO_INCREMENT).
    autoincrement: bool = False


@dataclass(frozen=True)
class IndexInfo:
    name: str
    columns: tuple[str, ...]
    unique: bool
    primary_key: bool = False


@dataclass(frozen=True)
class ForeignKeyInfo:
    column: str
    table: str
    target_column: str


class BaseDatabaseIntrospection:
    def __init__(self, connection: Any):
        self.connection = connection

    def table_names(self) -> list[str]:
        raise NotImplementedError

    def get_columns(self, table: str) -> list[ColumnInfo]:
        raise NotImplementedError

    def get_indexes(self, table: str) -> list[IndexInfo]:
        raise NotImplementedError

    def get_foreign_keys(self, table: str) -> list[ForeignKeyInfo]:
        raise NotImplementedError

    def get_table_comment(self, table: str) -> str:
        """The table's comment; "" where there is none or the database keeps none (SQLite)."""
        return ""

    def get_check_constraints(self, table: str) -> list[str]:
        """The names of the table's CHECK constraints."""
        raise NotImplementedError

    def get_unique_constraints(self, table: str) -> list[tuple[str, tuple[str, ...]]]:
        """(name, columns) of UNIQUE constraints the index list does not show under their own name."""
        return []

    def constraint_indexes(self, table: str) -> list[IndexInfo]:
        """The indexes get_constraints() lists: all, where each carries its constraint's name."""
        return self.get_indexes(table)

    def get_constraints(self, cursor: Any, table: str) -> dict[str, dict[str, Any]]:
        """Every constraint and index of `table` by name, in the shape Django's introspection gives.

        `cursor` is accepted for Django's signature and not used: the connection reads its catalog.
        """
        constraints: dict[str, dict[str, Any]] = {}

        def add(name: str, columns: Any, **flags: Any) -> None:
            entry = {
                "columns": list(columns),
                "primary_key": False,
                "unique": False,
                "foreign_key": None,
                "check": False,
                "index": False,
                "definition": None,
                "options": None,
            }
            entry.update(flags)
            constraints[name] = entry

        for name, columns in self.get_unique_constraints(table):
            add(name, columns, unique=True)
        for index in self.constraint_indexes(table):
            add(index.name, index.columns, unique=index.unique, primary_key=index.primary_key, index=True, type="idx")
        for name in self.get_check_constraints(table):
            add(name, (), check=True)
        for position, key in enumerate(self.get_foreign_keys(table)):
            add(f"fk_{position}", (key.column,), foreign_key=(key.table, key.target_column))
        if not any(entry["primary_key"] for entry in constraints.values()):
            # SQLite's INTEGER PRIMARY KEY is the rowid, with no index to list: Django names it __primary__.
            primary = [column.name for column in self.get_columns(table) if column.primary_key]
            if primary:
                add("__primary__", primary, primary_key=True, unique=True)
        return constraints
