"""MySQL's catalog, read from information_schema for the current database."""

from __future__ import annotations

from relata.backends.base.introspection import (
    BaseDatabaseIntrospection,
    ColumnInfo,
    ForeignKeyInfo,
    IndexInfo,
)

_TABLES = (
    "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name"
)
_COLUMNS = (
    "SELECT column_name, column_type, is_nullable = 'YES', column_key = 'PRI', column_default, column_comment, "
    "extra LIKE '%%auto_increment%%' "
    "FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = %s "
    "ORDER BY ordinal_position"
)
_INDEXES = (
    "SELECT index_name, non_unique, column_name FROM information_schema.statistics "
    "WHERE table_schema = DATABASE() AND table_name = %s ORDER BY index_name, seq_in_index"
)
_FOREIGN_KEYS = (
    "SELECT column_name, referenced_table_name, referenced_column_name "
    "FROM information_schema.key_column_usage WHERE table_schema = DATABASE() "
    "AND table_name = %s AND referenced_table_name IS NOT NULL ORDER BY constraint_name"
)


class DatabaseIntrospection(BaseDatabaseIntrospection):
    def table_names(self) -> list[str]:
        return [row[0] for row in self.connection.execute(_TABLES).fetchall()]

    def get_columns(self, table: str) -> list[ColumnInfo]:
        rows = self.connection.execute(_COLUMNS, (table,)).fetchall()
        # MariaDB writes "no default" on a nullable column as NULL unquoted (its literals come quoted).
        no_default = "NULL" if self.connection.features.is_mariadb else None
        return [
            ColumnInfo(
                name=name,
                type=type_,
                null=bool(null),
                primary_key=bool(pk),
                default=None if default == no_default else default,
                comment=comment,
                autoincrement=bool(auto),
            )
            for name, type_, null, pk, default, comment, auto in rows
        ]

    def get_table_comment(self, table: str) -> str:
        row = self.connection.execute(
            "SELECT table_comment FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = %s",
            (table,),
        ).fetchone()
        return row[0] if row else ""

    def get_indexes(self, table: str) -> list[IndexInfo]:
        grouped: dict[str, tuple[bool, list[str]]] = {}
        for name, non_unique, column in self.connection.execute(_INDEXES, (table,)).fetchall():
            grouped.setdefault(name, (not non_unique, []))[1].append(column)
        return [
            IndexInfo(name=name, columns=tuple(columns), unique=unique, primary_key=name == "PRIMARY")
            for name, (unique, columns) in grouped.items()
        ]

    def get_check_constraints(self, table: str) -> list[str]:
        rows = self.connection.execute(
            "SELECT constraint_name FROM information_schema.table_constraints WHERE table_schema = DATABASE() "
            "AND table_name = %s AND constraint_type = 'CHECK' ORDER BY constraint_name",
            (table,),
        ).fetchall()
        return [row[0] for row in rows]

    def get_foreign_keys(self, table: str) -> list[ForeignKeyInfo]:
        rows = self.connection.execute(_FOREIGN_KEYS, (table,)).fetchall()
        return [ForeignKeyInfo(column=col, table=target, target_column=tcol) for col, target, tcol in rows]
