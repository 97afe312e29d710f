"""PostgreSQL's catalog, read from pg_catalog for the current schema."""

from __future__ import annotations

from relata.backends.base.introspection import (
    BaseDatabaseIntrospection,
    ColumnInfo,
    ForeignKeyInfo,
    IndexInfo,
)

_TABLES = """
SELECT c.relname FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND ns.nspname = current_schema()
ORDER BY c.relname
"""

_COLUMNS = """
SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       COALESCE(i.indisprimary, false), pg_catalog.pg_get_expr(d.adbin, d.adrelid),
       COALESCE(pg_catalog.col_description(a.attrelid, a.attnum), ''),
       a.attidentity <> '' OR COALESCE(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%%'
FROM pg_catalog.pg_attribute a
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_catalog.pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
     AND a.attnum = ANY(i.indkey)
WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

_INDEXES = """
SELECT ic.relname, i.indisunique, i.indisprimary,
       ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             ORDER BY k.position)
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
WHERE i.indrelid = to_regclass(%s)
ORDER BY ic.relname
"""

_FOREIGN_KEYS = """
SELECT a.attname, tc.relname, ta.attname
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
JOIN pg_catalog.pg_class tc ON tc.oid = con.confrelid
JOIN pg_catalog.pg_attribute ta ON ta.attrelid = con.confrelid AND ta.attnum = con.confkey[1]
WHERE con.contype = 'f' AND con.conrelid = to_regclass(%s)
ORDER BY con.conname
"""


class DatabaseIntrospection(BaseDatabaseIntrospection):
    def _regclass(self, table: str) -> str:
        return self.connection.ops.quote_name(table)

    def table_names(self) -> list[str]:
        return [row[0] for row in self.connection.execute(_TABLES).fetchall()]

    def get_columns(self, table: str) -> list[ColumnInfo]:
        rows = self.connection.execute(_COLUMNS, (self._regclass(table),)).fetchall()
        return [
            ColumnInfo(
                name=name, type=type_, null=null, primary_key=pk, default=default, comment=comment, autoincrement=auto
            )
            for name, type_, null, pk, default, comment, auto in rows
        ]

    def get_table_comment(self, table: str) -> str:
        row = self.connection.execute(
            "SELECT COALESCE(pg_catalog.obj_description(to_regclass(%s), 'pg_class'), '')", (self._regclass(table),)
        ).fetchone()
        return row[0]

    def get_indexes(self, table: str) -> list[IndexInfo]:
        rows = self.connection.execute(_INDEXES, (self._regclass(table),)).fetchall()
        return [
            IndexInfo(name=name, columns=tuple(columns), unique=unique, primary_key=primary)
            for name, unique, primary, columns in rows
        ]

    def get_check_constraints(self, table: str) -> list[str]:
        rows = self.connection.execute(
            "SELECT conname FROM pg_catalog.pg_constraint WHERE contype = 'c' AND conrelid = to_regclass(%s) "
            "ORDER BY conname",
            (self._regclass(table),),
        ).fetchall()
        return [row[0] for row in rows]

    def get_foreign_keys(self, table: str) -> list[ForeignKeyInfo]:
        rows = self.connection.execute(_FOREIGN_KEYS, (self._regclass(table),)).fetchall()
        return [ForeignKeyInfo(column=col, table=target, target_column=tcol) for col, target, tcol in rows]
