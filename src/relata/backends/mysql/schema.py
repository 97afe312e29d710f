"""MySQL DDL: InnoDB tables in utf8mb4, AUTO_INCREMENT keys, foreign keys added after.

MySQL commits implicitly around every DDL statement and checks foreign keys
row by row, so constraints are added once all tables of a batch exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from relata.backends.base.schema import AUTO_TYPES, BaseDatabaseSchemaEditor, refuse_generated_change
from relata.sql.ddl import ColumnSpec, IndexSpec, TableSpec


class DatabaseSchemaEditor(BaseDatabaseSchemaEditor):
    data_types: ClassVar[dict[str, str]] = {
        "AutoField": "integer",
        "BigAutoField": "bigint",
        "SmallAutoField": "smallint",
        "BinaryField": "longblob",
        "BooleanField": "bool",
        "CharField": "varchar(%(max_length)s)",
        "SlugField": "varchar(%(max_length)s)",
        "EmailField": "varchar(%(max_length)s)",
        "FileField": "varchar(%(max_length)s)",
        "FilePathField": "varchar(%(max_length)s)",
        "IPAddressField": "char(15)",
        "TextField": "longtext",
        "DateField": "date",
        "DateTimeField": "datetime(6)",
        "TimeField": "time(6)",
        "DurationField": "bigint",
        "DecimalField": "numeric(%(max_digits)s, %(decimal_places)s)",
        "FloatField": "double precision",
        "IntegerField": "integer",
        "BigIntegerField": "bigint",
        "SmallIntegerField": "smallint",
        "PositiveIntegerField": "integer UNSIGNED",
        "PositiveSmallIntegerField": "smallint UNSIGNED",
        "PositiveBigIntegerField": "bigint UNSIGNED",
        "UUIDField": "char(32)",
        "JSONField": "json",
    }
    auto_pk_suffix = "NOT NULL AUTO_INCREMENT PRIMARY KEY"
    inline_foreign_keys = False
    named_uniques = True
    #: The character set and collation come from the database, so one setting rules them.
    table_suffix: ClassVar[str] = " ENGINE=InnoDB"
    # A UNIQUE constraint is an index here; a foreign key cannot be renamed (dropped and re-added).
    sql_rename_index = "ALTER TABLE {table} RENAME INDEX {old} TO {new}"
    sql_rename_unique = sql_rename_index
    sql_rename_foreign_key = None

    def column_type(self, spec: ColumnSpec) -> str:
        if spec.db_type is None and spec.internal_type == "DecimalField" and spec.max_digits is None:
            return "numeric(65, 30)"
        return super().column_type(spec)

    def create_table_sql(self, spec: TableSpec) -> str:
        comment = f" COMMENT = {self.connection.ops.quote_value(spec.comment)}" if spec.comment else ""
        return super().create_table_sql(spec) + self.table_suffix + comment

    def comment_table(self, table: str, comment: str | None) -> None:
        self.execute(f"ALTER TABLE {self.quote(table)} COMMENT = {self.connection.ops.quote_value(comment or '')}")

    def db_default_sql(self, spec: ColumnSpec) -> str:
        sql = super().db_default_sql(spec)
        # TEXT, BLOB and JSON columns take a default only as an expression.
        if self.column_type(spec) in ("longtext", "longblob", "json") and not sql.startswith("("):
            return f"({sql})"
        return sql

    def drop_index(self, index: IndexSpec) -> None:
        if not self.index_supported(index):
            return  # never made (a partial index, an expression index on MariaDB)
        self.execute(f"DROP INDEX {self.quote(index.name)} ON {self.quote(index.table)}")

    @contextmanager
    def constraint_checks_off(self) -> Iterator[None]:
        # MySQL will not change a column's type while a foreign key uses it.
        if self.collect_only:
            yield
            return
        self.connection.execute_unlisted("SET FOREIGN_KEY_CHECKS = 0")
        try:
            yield
        finally:
            self.connection.execute_unlisted("SET FOREIGN_KEY_CHECKS = 1")

    def remove_column(self, table: str, column: str) -> None:
        # MySQL refuses to drop a column that a foreign key constraint still names.
        for name in self._foreign_key_names(table, column):
            self.drop_constraint(table, name)
        super().remove_column(table, column)

    def _foreign_key_names(self, table: str, column: str) -> list[str]:
        rows = self.connection.execute(
            "SELECT constraint_name FROM information_schema.key_column_usage WHERE table_schema = DATABASE() "
            "AND table_name = %s AND column_name = %s AND referenced_table_name IS NOT NULL",
            (table, column),
        ).fetchall()
        return [row[0] for row in rows]

    def drop_column_default(self, table: str, column: str) -> None:
        self.execute(f"ALTER TABLE {self.quote(table)} ALTER COLUMN {self.quote(column)} DROP DEFAULT")

    def alter_column(self, table: str, old: ColumnSpec, new: ColumnSpec, defaults: dict[str, Any]) -> None:
        """MySQL changes type and NULL together with MODIFY, which restates the column."""
        refuse_generated_change(table, old, new)
        if old.references is not None and old.references != new.references:
            self.drop_constraint(table, self.fk_constraint_name(table, old))
        if old.unique and not new.unique:
            self.drop_constraint(table, self.unique_constraint_name(table, old.name))
        restated = (self.column_type(old), old.null, old.db_default, old.comment)
        if restated != (self.column_type(new), new.null, new.db_default, new.comment):
            if old.null and not new.null and new.name in defaults:
                self.fill_nulls(table, new.name, defaults[new.name])
            self.execute(f"ALTER TABLE {self.quote(table)} MODIFY {self._restated(new)}")
        if new.unique and not old.unique:
            name = self.unique_constraint_name(table, new.name)
            self.add_unique(table, IndexSpec(name, table, (new.name,), unique=True))
        if new.references is not None and old.references != new.references:
            self.add_foreign_key(table, new)

    def _restated(self, column: ColumnSpec) -> str:
        parts = [self.quote(column.name), self.column_type(column), "NULL" if column.null else "NOT NULL"]
        if column.primary_key and column.internal_type in AUTO_TYPES:
            parts.append("AUTO_INCREMENT")
        # MODIFY forgets what it is not told: the default and the comment are restated too.
        if column.db_default is not None:
            parts.append("DEFAULT " + self.db_default_sql(column))
        if column.comment:
            parts.append("COMMENT " + self.connection.ops.quote_value(column.comment))
        return " ".join(parts)
