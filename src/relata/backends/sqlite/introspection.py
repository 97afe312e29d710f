"""SQLite's catalog, read through sqlite_master and the table PRAGMAs."""

from __future__ import annotations

from relata.backends.base.introspection import (
    BaseDatabaseIntrospection,
    ColumnInfo,
    ForeignKeyInfo,
    IndexInfo,
)


class DatabaseIntrospection(BaseDatabaseIntrospection):
    def table_names(self) -> list[str]:
        rows = self.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        ).fetchall()
        return [row[0] for row in rows]

    def _pragma(self, pragma: str, name: str) -> list[tuple]:
        quoted = self.connection.ops.quote_name(name)
        return self.connection.execute(f"PRAGMA {pragma}({quoted})").fetchall()

    def get_columns(self, table: str) -> list[ColumnInfo]:
        return [
            ColumnInfo(name=row[1], type=row[2], null=not row[3], primary_key=bool(row[5]), default=row[4])
            for row in self._pragma("table_info", table)
        ]

    def get_indexes(self, table: str) -> list[IndexInfo]:
        indexes = []
        for row in self._pragma("index_list", table):
            name, unique, origin = row[1], bool(row[2]), row[3]
            columns = tuple(info[2] for info in self._pragma("index_info", name))
            indexes.append(IndexInfo(name=name, columns=columns, unique=unique, primary_key=origin == "pk"))
        return indexes

    def get_foreign_keys(self, table: str) -> list[ForeignKeyInfo]:
        return [
            ForeignKeyInfo(column=row[3], table=row[2], target_column=row[4])
            for row in self._pragma("foreign_key_list", table)
        ]
