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
