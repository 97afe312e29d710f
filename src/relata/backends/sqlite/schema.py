"""SQLite DDL: column types, inline deferred foreign keys, and table rebuilds.

SQLite's ALTER TABLE can rename a table or column and add a plain column,
nothing more. Every other change rebuilds the table from specs: create the
new shape under a temporary name, copy the rows, drop the old table, rename
the new one into place and re-create its indexes. Foreign key enforcement is
switched off around a migration (it cannot change inside a transaction) and
the whole database is checked afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, ClassVar

from relata.backends.base.schema import BaseDatabaseSchemaEditor, _diff
from relata.exceptions import IntegrityError
from relata.sql.ddl import ColumnSpec, TableSpec


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
        "FileField": "varchar(%(max_length)s)",
        "FilePathField": "varchar(%(max_length)s)",
        "IPAddressField": "char(15)",
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

    @contextmanager
    def constraint_checks_off(self) -> Iterator[None]:
        conn = self.connection
        if self.collect_only or conn.in_atomic_block:
            # Inside a transaction the PRAGMA is a no-op: the caller chose to
            # keep checks on (relata's foreign keys are deferred to commit).
            yield
            return
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            yield
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                table, rowid, target = problems[0][0], problems[0][1], problems[0][2]
                raise IntegrityError(
                    f"After the migration, row {rowid} of {table} points at a missing row of {target} "
                    f"({len(problems)} broken reference(s)); fix the data or the migration."
                )
        finally:
            conn.execute("PRAGMA foreign_keys = ON")

    def remove_column(self, table: str, column: str) -> None:  # pragma: no cover - alter_table rebuilds
        raise NotImplementedError("SQLite drops columns by rebuilding the table; use alter_table().")

    def alter_table(
        self, old: TableSpec, new: TableSpec, column_map: dict[str, str], defaults: dict[str, Any] | None = None
    ) -> None:
        defaults = defaults or {}
        if self._needs_rebuild(old, new, column_map, defaults):
            self.rebuild_table(old, new, column_map, defaults)
            return
        if old.name != new.name:
            self.rename_table(old.name, new.name)
        for new_name, old_name in column_map.items():
            if new_name != old_name:
                self.rename_column(new.name, old_name, new_name)
        dropped, added = _diff(old.indexes, new.indexes)
        for index in dropped:
            self.drop_index(index)
        for column in new.columns:
            if column.name not in column_map:
                value = defaults.get(column.name)
                has = column.name in defaults and not column.null
                self.add_column(new.name, replace(column, default=value, has_default=has))
        for index in added:
            self.create_index(index)

    def _needs_rebuild(
        self, old: TableSpec, new: TableSpec, column_map: dict[str, str], defaults: dict[str, Any]
    ) -> bool:
        """Whether the change goes beyond renames, index changes and plain ADD COLUMNs."""
        if (old.unique_together, old.unique_constraints, old.checks) != (
            new.unique_together,
            new.unique_constraints,
            new.checks,
        ):
            return True
        if len(set(column_map.values())) != len(old.columns):
            return True  # a column goes away
        old_columns = {c.name: c for c in old.columns}
        for column in new.columns:
            source = column_map.get(column.name)
            if source is None:
                if not self._can_add_column(column, defaults):
                    return True
            elif replace(old_columns[source], name=column.name, comment=None) != replace(
                _retarget(column, old, new), comment=None
            ):
                return True  # a comment alone changes nothing here: SQLite keeps none
        return False

    def _can_add_column(self, column: ColumnSpec, defaults: dict[str, Any]) -> bool:
        if column.generated is not None:
            return not column.generated_stored  # ADD COLUMN takes a VIRTUAL generated column only
        if column.primary_key or column.unique:
            return False
        if column.references is not None:
            return column.null  # SQLite needs a NULL default for an added REFERENCES column
        if column.name in defaults and not column.null and column.db_default is None:
            return False  # ADD COLUMN would keep the fill value as the column's default: SQLite cannot drop it
        # ADD COLUMN takes only a constant default (an expression comes in parentheses).
        constant_default = column.db_default is not None and not column.db_default.startswith("(")
        return column.null or column.name in defaults or constant_default

    def rebuild_table(
        self, old: TableSpec, new: TableSpec, column_map: dict[str, str], defaults: dict[str, Any]
    ) -> None:
        """Create-copy-swap: the new shape under a temporary name, rows copied, then swapped in."""
        temp = f"new__{new.name}"
        self.execute(self.create_table_sql(replace(new, name=temp, indexes=())))
        targets, sources, params = [], [], []
        old_columns = {c.name: c for c in old.columns}
        for column in new.columns:
            source = column_map.get(column.name)
            if column.generated is not None:
                continue  # the database computes it in the new table
            if source is not None and source in old_columns:
                expression = self.quote(source)
                if old_columns[source].null and not column.null and column.name in defaults:
                    expression = f"coalesce({expression}, {self.placeholder()})"
                    params.append(defaults[column.name])
            elif column.name in defaults:
                expression = self.placeholder()
                params.append(defaults[column.name])
            elif column.null or column.primary_key or column.db_default is not None:
                continue  # the column's own default (or NULL) fills the copied rows
            else:
                raise ValueError(
                    f"Cannot add the NOT NULL column {column.name!r} to {new.name!r} without a default; "
                    f"give the field a default or null=True."
                )
            targets.append(self.quote(column.name))
            sources.append(expression)
        if targets:
            self.execute(
                f"INSERT INTO {self.quote(temp)} ({', '.join(targets)}) "
                f"SELECT {', '.join(sources)} FROM {self.quote(old.name)}",
                tuple(params),
            )
        self.execute(f"DROP TABLE {self.quote(old.name)}")
        self.rename_table(temp, new.name)
        for index in new.indexes:
            self.create_index(index)


def _retarget(column: ColumnSpec, old: TableSpec, new: TableSpec) -> ColumnSpec:
    """A self-reference follows its table's rename; that alone needs no rebuild."""
    ref = column.references
    if ref is not None and ref.table == new.name and old.name != new.name:
        return replace(column, references=replace(ref, table=old.name))
    return column
