"""SQLite DDL: column types, inline deferred foreign keys."""

from __future__ import annotations

from typing import ClassVar

from relata.backends.base.schema import BaseDatabaseSchemaEditor


class DatabaseSchemaEditor(BaseDatabaseSchemaEditor):
    data_types: ClassVar[dict[str, str]] = {
        "AutoField": "integer",
        "BigAutoField": "integer",
        "SmallAutoField": "integer",
        "BinaryField": "BLOB",
        "BooleanField": "bool",
        "CharField": "varchar(%(max_length)s)",
        "SlugField": "varchar(%(max_length)s)",
        "EmailField": "varchar(%(max_length)s)",
        "TextField": "text",
        "DateField": "date",
        "DateTimeField": "datetime",
        "TimeField": "time",
        "DurationField": "bigint",
        "DecimalField": "decimal",
        "FloatField": "real",
        "IntegerField": "integer",
        "BigIntegerField": "bigint",
        "SmallIntegerField": "smallint",
        "PositiveIntegerField": "integer unsigned",
        "PositiveSmallIntegerField": "smallint unsigned",
        "PositiveBigIntegerField": "bigint unsigned",
        "UUIDField": "char(32)",
        "JSONField": "text",
    }
    auto_pk_suffix = "NOT NULL PRIMARY KEY AUTOINCREMENT"
    inline_foreign_keys = True
    fk_suffix = "DEFERRABLE INITIALLY DEFERRED"
