"""MySQL DDL: InnoDB tables in utf8mb4, AUTO_INCREMENT keys, foreign keys added after.

MySQL commits implicitly around every DDL statement and checks foreign keys
row by row, so constraints are added once all tables of a batch exist.
"""

from __future__ import annotations

from typing import ClassVar

from relata.backends.base.schema import BaseDatabaseSchemaEditor
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
    #: The character set and collation come from the database, so one setting rules them.
    table_suffix: ClassVar[str] = " ENGINE=InnoDB"

    def column_type(self, spec: ColumnSpec) -> str:
        if spec.internal_type == "DecimalField" and spec.max_digits is None:
            return "numeric(65, 30)"
        return super().column_type(spec)

    def create_table_sql(self, spec: TableSpec) -> str:
        return super().create_table_sql(spec) + self.table_suffix

    def drop_index(self, index: IndexSpec) -> None:
        self.execute(f"DROP INDEX {self.quote(index.name)} ON {self.quote(index.table)}")
