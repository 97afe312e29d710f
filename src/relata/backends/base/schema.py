"""The schema editor: DDL from `relata.sql.ddl` specs.

Each backend supplies `data_types` (internal type -> column type) and may
override single statements. The editor either runs statements or, with
`collect_only`, gathers them (for `sqlmigrate`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from relata.sql.ddl import CheckSpec, ColumnSpec, IndexSpec, TableSpec

AUTO_TYPES = {
    "AutoField": "IntegerField",
    "BigAutoField": "BigIntegerField",
    "SmallAutoField": "SmallIntegerField",
}


class BaseDatabaseSchemaEditor:
    data_types: ClassVar[dict[str, str]] = {}
    #: Suffix for an auto-incrementing primary key, after the column type.
    auto_pk_suffix: ClassVar[str] = "PRIMARY KEY"
    #: Foreign keys declared inline in CREATE TABLE (SQLite) or added after.
    inline_foreign_keys: ClassVar[bool] = True
    fk_suffix: ClassVar[str] = ""

    def __init__(self, connection: Any, collect_only: bool = False):
        self.connection = connection
        self.collect_only = collect_only
        self.collected: list[tuple[str, tuple[Any, ...]]] = []
        self.deferred: list[str] = []

    def __enter__(self) -> BaseDatabaseSchemaEditor:
        self.deferred = []
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            for sql in self.deferred:
                self.execute(sql)
        self.deferred = []

    # -- helpers ----------------------------------------------------------------

    def quote(self, name: str) -> str:
        return self.connection.ops.quote_name(name)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self.collected.append((sql, params))
        if not self.collect_only:
            self.connection.execute(sql, params)

    def column_type(self, spec: ColumnSpec) -> str:
        internal = spec.internal_type
        if spec.references is not None or internal in ("ForeignKey", "OneToOneField"):
            internal = AUTO_TYPES.get(spec.target_type or "BigAutoField", spec.target_type)
        template = self.data_types.get(internal)
        if template is None:
            raise ValueError(f"The {self.connection.display_name} backend has no column type for {internal}.")
        return template % {
            "max_length": spec.max_length,
            "max_digits": spec.max_digits,
            "decimal_places": spec.decimal_places,
            "column": spec.name,
        }

    def column_sql(self, spec: ColumnSpec, inline_fk: bool | None = None) -> str:
        parts = [self.quote(spec.name), self.column_type(spec)]
        is_auto = spec.internal_type in AUTO_TYPES
        if spec.primary_key and is_auto:
            parts.append(self.auto_pk_suffix)
        else:
            parts.append("NULL" if spec.null else "NOT NULL")
            if spec.primary_key:
                parts.append("PRIMARY KEY")
            elif spec.unique:
                parts.append("UNIQUE")
        if spec.has_default:
            parts.append("DEFAULT " + self.default_sql(spec.default))
        if spec.check:
            parts.append(f"CHECK ({spec.check % {'column': self.quote(spec.name)}})")
        use_inline = self.inline_foreign_keys if inline_fk is None else inline_fk
        if spec.references is not None and use_inline:
            parts.append(self.references_sql(spec))
        return " ".join(parts)

    def default_sql(self, value: Any) -> str:
        return self.connection.ops.quote_value(value)

    def references_sql(self, spec: ColumnSpec) -> str:
        ref = spec.references
        sql = f"REFERENCES {self.quote(ref.table)} ({self.quote(ref.column)})"
        return sql + (" " + self.fk_suffix if self.fk_suffix else "")

    def fk_constraint_name(self, table: str, spec: ColumnSpec) -> str:
        return self.truncate_name(f"{table}_{spec.name}_fk_{spec.references.table}_{spec.references.column}")

    def truncate_name(self, name: str, length: int = 60) -> str:
        if len(name) <= length:
            return name
        import hashlib

        digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()[:8]
        return name[: length - 9] + "_" + digest

    # -- statements -------------------------------------------------------------

    def create_table_sql(self, spec: TableSpec) -> str:
        lines = [self.column_sql(column) for column in spec.columns]
        for group in spec.unique_together:
            lines.append("UNIQUE (" + ", ".join(self.quote(c) for c in group) + ")")
        for constraint in spec.unique_constraints:
            lines.append(
                f"CONSTRAINT {self.quote(constraint.name)} UNIQUE ("
                + ", ".join(self.quote(c) for c in constraint.columns)
                + ")"
            )
        for check in spec.checks:
            lines.append(f"CONSTRAINT {self.quote(check.name)} CHECK ({check.sql})")
        return f"CREATE TABLE {self.quote(spec.name)} (" + ", ".join(lines) + ")"

    def create_table(self, spec: TableSpec) -> None:
        self.execute(self.create_table_sql(spec))
        if not self.inline_foreign_keys:
            for column in spec.columns:
                if column.references is not None:
                    self.deferred.append(self.add_foreign_key_sql(spec.name, column))
        for index in spec.indexes:
            self.create_index(index)

    def add_foreign_key_sql(self, table: str, spec: ColumnSpec) -> str:
        return (
            f"ALTER TABLE {self.quote(table)} ADD CONSTRAINT "
            f"{self.quote(self.fk_constraint_name(table, spec))} FOREIGN KEY "
            f"({self.quote(spec.name)}) {self.references_sql(spec)}"
        )

    def drop_table(self, name: str) -> None:
        self.execute(f"DROP TABLE {self.quote(name)}")

    def create_index(self, index: IndexSpec) -> None:
        self.execute(self.create_index_sql(index))

    def create_index_sql(self, index: IndexSpec) -> str:
        columns = []
        for position, column in enumerate(index.columns):
            desc = index.descending[position] if position < len(index.descending) else False
            columns.append(self.quote(column) + (" DESC" if desc else ""))
        unique = "UNIQUE " if index.unique else ""
        return (
            f"CREATE {unique}INDEX {self.quote(index.name)} ON {self.quote(index.table)} "
            f"({', '.join(columns)})"
        )

    def drop_index(self, index: IndexSpec) -> None:
        self.execute(f"DROP INDEX {self.quote(index.name)}")

    def add_column(self, table: str, spec: ColumnSpec) -> None:
        self.execute(f"ALTER TABLE {self.quote(table)} ADD COLUMN {self.column_sql(spec)}")

    def remove_column(self, table: str, column: str) -> None:
        self.execute(f"ALTER TABLE {self.quote(table)} DROP COLUMN {self.quote(column)}")

    def rename_table(self, old: str, new: str) -> None:
        self.execute(f"ALTER TABLE {self.quote(old)} RENAME TO {self.quote(new)}")

    def rename_column(self, table: str, old: str, new: str) -> None:
        self.execute(
            f"ALTER TABLE {self.quote(table)} RENAME COLUMN {self.quote(old)} TO {self.quote(new)}"
        )

    def add_check(self, table: str, check: CheckSpec) -> None:
        self.execute(
            f"ALTER TABLE {self.quote(table)} ADD CONSTRAINT {self.quote(check.name)} CHECK ({check.sql})"
        )

    def add_unique(self, table: str, index: IndexSpec) -> None:
        columns = ", ".join(self.quote(c) for c in index.columns)
        self.execute(
            f"ALTER TABLE {self.quote(table)} ADD CONSTRAINT {self.quote(index.name)} UNIQUE ({columns})"
        )

    def drop_constraint(self, table: str, name: str) -> None:
        self.execute(f"ALTER TABLE {self.quote(table)} DROP CONSTRAINT {self.quote(name)}")
