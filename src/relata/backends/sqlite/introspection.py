"""SQLite's catalog, read through sqlite_master and the table PRAGMAs."""

from __future__ import annotations

import re

from relata.backends.base.introspection import (
    BaseDatabaseIntrospection,
    ColumnInfo,
    ForeignKeyInfo,
    IndexInfo,
)

#: `CONSTRAINT "name" CHECK` / `CONSTRAINT "name" UNIQUE (...)` in a table's CREATE TABLE text.
_NAMED = re.compile(r'CONSTRAINT\s+("(?:[^"]|"")+"|`(?:[^`]|``)+`|\w+)\s+(CHECK|UNIQUE)\s*(\([^)]*\))?', re.IGNORECASE)
_NAME = re.compile(r'"((?:[^"]|"")+)"|`((?:[^`]|``)+)`|(\w+)')


def _unquote(token: str) -> str:
    match = _NAME.fullmatch(token.strip())
    if match is None:
        return token.strip()
    quoted, backticked, bare = match.groups()
    if quoted is not None:
        return quoted.replace('""', '"')
    return backticked.replace("``", "`") if backticked is not None else bare


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
        rows = self._pragma("table_info", table)
        # A lone INTEGER PRIMARY KEY is the rowid, which SQLite numbers itself; any other type or a
        # composite key is an ordinary column.
        primary = [row[1] for row in rows if row[5]]
        rowid = primary[0] if len(primary) == 1 else None
        return [
            ColumnInfo(
                name=row[1],
                type=row[2],
                null=not row[3],
                primary_key=bool(row[5]),
                default=row[4],
                autoincrement=row[1] == rowid and row[2].upper() == "INTEGER",
            )
            for row in rows
        ]

    def get_indexes(self, table: str) -> list[IndexInfo]:
        indexes = []
        for row in self._pragma("index_list", table):
            name, unique, origin = row[1], bool(row[2]), row[3]
            columns = tuple(info[2] for info in self._pragma("index_info", name))
            indexes.append(IndexInfo(name=name, columns=columns, unique=unique, primary_key=origin == "pk"))
        return indexes

    def _named_constraints(self, table: str) -> list[tuple[str, str, str]]:
        """(name, kind, parenthesised columns) of the named constraints SQLite keeps only as SQL text."""
        row = self.connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        if row is None or row[0] is None:
            return []
        return [(_unquote(name), kind.upper(), columns or "") for name, kind, columns in _NAMED.findall(row[0])]

    def get_check_constraints(self, table: str) -> list[str]:
        return [name for name, kind, _columns in self._named_constraints(table) if kind == "CHECK"]

    def get_unique_constraints(self, table: str) -> list[tuple[str, tuple[str, ...]]]:
        found = []
        for name, kind, columns in self._named_constraints(table):
            if kind == "UNIQUE":
                found.append((name, tuple(_unquote(part) for part in columns.strip("()").split(","))))
        return found

    def constraint_indexes(self, table: str) -> list[IndexInfo]:
        # SQLite names the index behind a UNIQUE constraint sqlite_autoindex_*: the constraint's own name
        # (get_unique_constraints) stands for it.
        return [index for index in self.get_indexes(table) if not index.name.startswith("sqlite_autoindex_")]

    def get_foreign_keys(self, table: str) -> list[ForeignKeyInfo]:
        return [
            ForeignKeyInfo(column=row[3], table=row[2], target_column=row[4])
            for row in self._pragma("foreign_key_list", table)
        ]
