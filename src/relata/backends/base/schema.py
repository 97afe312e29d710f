"""The schema editor: DDL from `relata.sql.ddl` specs.

Each backend supplies `data_types` (internal type -> column type) and may
override single statements. The editor either runs statements or, with
`collect_only`, gathers them (for `sqlmigrate`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, ClassVar

from relata.exceptions import NotSupportedError
from relata.sql import nodes as n
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
    #: UNIQUE constraints are named at creation (by unique_constraint_name /
    #: unique_together_name) so later migrations drop them by the same name.
    named_uniques: ClassVar[bool] = False

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
        if spec.db_type is not None:
            return spec.db_type
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
        if spec.collation:
            parts.append("COLLATE " + self.quote(spec.collation))
        if spec.generated is not None:
            # The database fills it: no NULL/NOT NULL, no default, no key of its own.
            parts.append(self.generated_column_sql(spec))
            if spec.comment and self.connection.features.supports_comments_inline:
                parts.append("COMMENT " + self.connection.ops.quote_value(spec.comment))
            return " ".join(parts)
        is_auto = spec.internal_type in AUTO_TYPES
        if spec.primary_key and is_auto:
            parts.append(self.auto_pk_suffix)
        else:
            parts.append("NULL" if spec.null else "NOT NULL")
            if spec.primary_key:
                parts.append("PRIMARY KEY")
            elif spec.unique and not self.named_uniques:
                parts.append("UNIQUE")
        if spec.has_default:
            parts.append("DEFAULT " + self.default_sql(spec.default))
        elif spec.db_default is not None:
            parts.append("DEFAULT " + self.db_default_sql(spec))
        if spec.comment and self.connection.features.supports_comments_inline:
            parts.append("COMMENT " + self.connection.ops.quote_value(spec.comment))
        if spec.check:
            parts.append(f"CHECK ({spec.check % {'column': self.quote(spec.name)}})")
        use_inline = self.inline_foreign_keys if inline_fk is None else inline_fk
        if spec.references is not None and use_inline:
            parts.append(self.references_sql(spec))
        return " ".join(parts)

    def generated_column_sql(self, spec: ColumnSpec) -> str:
        return f"GENERATED ALWAYS AS ({spec.generated}) {'STORED' if spec.generated_stored else 'VIRTUAL'}"

    def default_sql(self, value: Any) -> str:
        return self.connection.ops.quote_value(value)

    def db_default_sql(self, spec: ColumnSpec) -> str:
        """A column's lasting DEFAULT, already SQL (an expression comes in parentheses)."""
        return spec.db_default  # type: ignore[return-value]

    # -- comments -----------------------------------------------------------------

    def comment_column(self, table: str, column: str, comment: str | None) -> None:
        """COMMENT ON COLUMN, where comments are kept but not written inline."""
        features = self.connection.features
        if features.supports_comments and not features.supports_comments_inline:
            text = self.connection.ops.quote_value(comment or None)
            self.execute(f"COMMENT ON COLUMN {self.quote(table)}.{self.quote(column)} IS {text}")

    def comment_table(self, table: str, comment: str | None) -> None:
        if self.connection.features.supports_comments:
            self.execute(f"COMMENT ON TABLE {self.quote(table)} IS {self.connection.ops.quote_value(comment or None)}")

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
        if spec.primary_key:
            lines.append("PRIMARY KEY (" + ", ".join(self.quote(c) for c in spec.primary_key) + ")")
        for group in spec.unique_together:
            named = self.named_uniques
            name = f"CONSTRAINT {self.quote(self.unique_together_name(spec.name, group))} " if named else ""
            lines.append(name + "UNIQUE (" + ", ".join(self.quote(c) for c in group) + ")")
        if self.named_uniques:
            for column in spec.columns:
                if column.unique and not column.primary_key:
                    name = self.quote(self.unique_constraint_name(spec.name, column.name))
                    lines.append(f"CONSTRAINT {name} UNIQUE ({self.quote(column.name)})")
        for constraint in spec.unique_constraints:
            if self.index_supported(constraint):
                lines.append(self.unique_constraint_sql(constraint))
        for check in spec.checks:
            lines.append(f"CONSTRAINT {self.quote(check.name)} CHECK ({check.sql})")
        return f"CREATE TABLE {self.quote(spec.name)} (" + ", ".join(lines) + ")"

    def create_table(self, spec: TableSpec) -> None:
        self.execute(self.create_table_sql(spec))
        if not self.connection.features.supports_comments_inline:
            if spec.comment:
                self.comment_table(spec.name, spec.comment)
            for column in spec.columns:
                if column.comment:
                    self.comment_column(spec.name, column.name, column.comment)
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

    def add_foreign_key(self, table: str, spec: ColumnSpec) -> None:
        """A constraint waits for the end of the batch where tables may still be renamed or made."""
        sql = self.add_foreign_key_sql(table, spec)
        if self.inline_foreign_keys:
            self.execute(sql)
        else:
            self.deferred.append(sql)

    def drop_table(self, name: str) -> None:
        self.execute(f"DROP TABLE {self.quote(name)}")

    def index_supported(self, index: IndexSpec) -> bool:
        """Whether the database can hold this index or unique constraint at all.

        As Django: what it cannot hold is not made (and never dropped); the model
        checks warn about it. A plain index keeps its key columns without INCLUDE.
        """
        features = self.connection.features
        if index.condition and not features.supports_partial_indexes:
            return False
        if index.expressions and not features.supports_expression_indexes:
            return False
        if index.unique and index.include and not features.supports_covering_indexes:
            return False
        if index.deferrable and not features.supports_deferrable_unique_constraints:
            return False
        return not (index.nulls_distinct is not None and not features.supports_nulls_distinct_unique_constraints)

    def create_index(self, index: IndexSpec) -> None:
        if self.index_supported(index):
            self.execute(self.create_index_sql(index))

    def create_index_sql(self, index: IndexSpec) -> str:
        features = self.connection.features
        unique = "UNIQUE " if index.unique else ""
        sql = (
            f"CREATE {unique}INDEX {self.quote(index.name)} ON {self.quote(index.table)} ({self.key_parts_sql(index)})"
        )
        if index.include and features.supports_covering_indexes:
            sql += " INCLUDE (" + ", ".join(self.quote(c) for c in index.include) + ")"
        sql += self.nulls_distinct_sql(index)
        if index.tablespace and features.supports_tablespaces:
            sql += f" TABLESPACE {self.quote(index.tablespace)}"
        if index.condition:
            sql += f" WHERE {index.condition}"
        return sql

    def key_parts_sql(self, index: IndexSpec) -> str:
        if index.expressions:
            return ", ".join(index.expressions)
        ordering = self.connection.features.supports_index_column_ordering
        parts = []
        for position, column in enumerate(index.columns):
            part = self.quote(column)
            if position < len(index.opclasses):
                part += " " + index.opclasses[position]  # a plain name, checked when the spec was made
            if ordering and position < len(index.descending) and index.descending[position]:
                part += " DESC"
            parts.append(part)
        return ", ".join(parts)

    @staticmethod
    def nulls_distinct_sql(index: IndexSpec) -> str:
        if index.nulls_distinct is None:
            return ""
        return " NULLS DISTINCT" if index.nulls_distinct else " NULLS NOT DISTINCT"

    def unique_constraint_sql(self, index: IndexSpec) -> str:
        """`CONSTRAINT name UNIQUE [NULLS NOT DISTINCT] (columns) [DEFERRABLE INITIALLY ...]`."""
        columns = ", ".join(self.quote(c) for c in index.columns)
        sql = f"CONSTRAINT {self.quote(index.name)} UNIQUE{self.nulls_distinct_sql(index)} ({columns})"
        if index.deferrable:
            sql += f" DEFERRABLE INITIALLY {index.deferrable}"
        return sql

    def drop_index(self, index: IndexSpec) -> None:
        if self.index_supported(index):
            self.execute(f"DROP INDEX {self.quote(index.name)}")

    def add_column(self, table: str, spec: ColumnSpec) -> None:
        self.execute(f"ALTER TABLE {self.quote(table)} ADD COLUMN {self.column_sql(spec)}")
        if spec.comment:
            self.comment_column(table, spec.name, spec.comment)
        if self.named_uniques and spec.unique and not spec.primary_key:
            name = self.unique_constraint_name(table, spec.name)
            self.add_unique(table, IndexSpec(name, table, (spec.name,), unique=True))

    def remove_column(self, table: str, column: str) -> None:
        self.execute(f"ALTER TABLE {self.quote(table)} DROP COLUMN {self.quote(column)}")

    def rename_table(self, old: str, new: str) -> None:
        self.execute(f"ALTER TABLE {self.quote(old)} RENAME TO {self.quote(new)}")

    def rename_column(self, table: str, old: str, new: str) -> None:
        self.execute(f"ALTER TABLE {self.quote(table)} RENAME COLUMN {self.quote(old)} TO {self.quote(new)}")

    def add_check(self, table: str, check: CheckSpec) -> None:
        self.execute(f"ALTER TABLE {self.quote(table)} ADD CONSTRAINT {self.quote(check.name)} CHECK ({check.sql})")

    def add_unique(self, table: str, index: IndexSpec) -> None:
        if self.index_supported(index):
            self.execute(f"ALTER TABLE {self.quote(table)} ADD {self.unique_constraint_sql(index)}")

    def drop_unique(self, table: str, index: IndexSpec) -> None:
        if self.index_supported(index):
            self.drop_constraint(table, index.name)

    def drop_constraint(self, table: str, name: str) -> None:
        self.execute(f"ALTER TABLE {self.quote(table)} DROP CONSTRAINT {self.quote(name)}")

    # -- changing a table -------------------------------------------------------
    #
    # Migrations describe a change as two TableSpecs, before and after, plus
    # `column_map` (new column -> old column, for every column that keeps its
    # data) and `defaults` (one-off values for added NOT NULL columns). Each
    # backend turns that into the cheapest correct DDL.

    @contextmanager
    def constraint_checks_off(self) -> Iterator[None]:
        """Around a migration, outside its transaction: backends that must relax FK checks do so."""
        yield

    def placeholder(self) -> str:
        return self.connection.ops.compiler_class.placeholder

    def alter_table(
        self, old: TableSpec, new: TableSpec, column_map: dict[str, str], defaults: dict[str, Any] | None = None
    ) -> None:
        defaults = defaults or {}
        table = new.name
        if old.name != new.name:
            self.rename_table(old.name, new.name)
        forward = {source: target for target, source in column_map.items()}
        moved = self.moved_spec(old, new, forward)
        # What goes away goes first, under the names the database knows it by.
        dropped_indexes, added_indexes = _diff(moved.indexes, new.indexes)
        for index in dropped_indexes:
            self.drop_index(index)
        for unique in _diff(moved.unique_constraints, new.unique_constraints)[0]:
            self.drop_unique(table, unique)
        for check in _diff(old.checks, new.checks)[0]:
            self.drop_constraint(table, check.name)
        for group in old.unique_together:
            if _follow(group, forward) not in new.unique_together:
                self.drop_constraint(table, self.unique_together_name(old.name, group))
        for column in old.columns:
            if column.name not in forward:
                self.remove_column(table, column.name)
        for source, target in forward.items():
            if source != target:
                self.rename_column(table, source, target)
        before_columns = self.follow_names(old, new, forward)
        for column in new.columns:
            source = column_map.get(column.name)
            if source is None:
                self.add_new_column(table, column, defaults)
            elif before_columns[column.name] != column:
                self.alter_column(table, before_columns[column.name], column, defaults)
        for group in new.unique_together:
            if group not in moved.unique_together:
                name = self.unique_together_name(table, group)
                self.add_unique(table, IndexSpec(name, table, group, unique=True))
        for unique in _diff(moved.unique_constraints, new.unique_constraints)[1]:
            self.add_unique(table, unique)
        for check in _diff(old.checks, new.checks)[1]:
            self.add_check(table, check)
        for index in added_indexes:
            self.create_index(index)
        if old.comment != new.comment:
            self.comment_table(table, new.comment)

    # -- following renames --------------------------------------------------------
    #
    # A renamed table or column keeps its indexes and constraints: those whose
    # names derive from the table and column names are renamed in place (cheap
    # catalog changes) instead of dropped and re-made, so a later migration
    # finds each one under the name it computes.

    #: Templates for renames; None where the database cannot rename (then drop and re-add).
    sql_rename_index: ClassVar[str | None] = "ALTER INDEX {old} RENAME TO {new}"
    sql_rename_unique: ClassVar[str | None] = "ALTER TABLE {table} RENAME CONSTRAINT {old} TO {new}"
    sql_rename_foreign_key: ClassVar[str | None] = "ALTER TABLE {table} RENAME CONSTRAINT {old} TO {new}"

    def moved_spec(self, old: TableSpec, new: TableSpec, forward: dict[str, str]) -> TableSpec:
        """`old` as it reads after the table and column renames, each index matched to its new name."""
        indexes = []
        for index in old.indexes:
            moved = replace(index, table=new.name, columns=_follow(index.columns, forward))
            twin = _same_shape(moved, new.indexes)
            if twin is not None and twin.name != index.name and self.sql_rename_index is not None:
                self.rename_index(new.name, index.name, twin.name)
                moved = twin
            indexes.append(moved if twin is not None else replace(index, table=new.name))
        uniques = [replace(u, table=new.name, columns=_follow(u.columns, forward)) for u in old.unique_constraints]
        return replace(
            old,
            name=new.name,
            indexes=tuple(indexes),
            unique_constraints=tuple(uniques),
            unique_together=tuple(_follow(group, forward) for group in old.unique_together),
        )

    def follow_names(self, old: TableSpec, new: TableSpec, forward: dict[str, str]) -> dict[str, ColumnSpec]:
        """Rename the UNIQUE and FOREIGN KEY constraints named after a renamed table or column.

        Returns each kept column as it stands now, by its new name. A foreign
        key that is about to point elsewhere is dropped here, under its old
        name, and the column comes back without a reference so it is re-added.
        """
        table = new.name
        renamed = old.name != new.name or any(s != t for s, t in forward.items())
        new_columns = {c.name: c for c in new.columns}
        columns: dict[str, ColumnSpec] = {}
        for column in old.columns:
            target = forward.get(column.name)
            if target is None:
                continue
            now = replace(column, name=target)
            if renamed and self.named_uniques and column.unique and not column.primary_key:
                self._rename(
                    self.sql_rename_unique,
                    table,
                    self.unique_constraint_name(old.name, column.name),
                    self.unique_constraint_name(table, target),
                )
            if column.references is not None and not self.inline_foreign_keys:
                old_fk = self.fk_constraint_name(old.name, column)
                if new_columns[target].references != column.references:
                    self.drop_constraint(table, old_fk)
                    now = replace(now, references=None)
                elif renamed and old_fk != self.fk_constraint_name(table, now):
                    self.rename_foreign_key(table, old_fk, now)
            columns[target] = now
        if renamed and self.named_uniques:
            for group in old.unique_together:
                if all(c in forward for c in group) and _follow(group, forward) in new.unique_together:
                    self._rename(
                        self.sql_rename_unique,
                        table,
                        self.unique_together_name(old.name, group),
                        self.unique_together_name(table, _follow(group, forward)),
                    )
        return columns

    def rename_index(self, table: str, old: str, new: str) -> None:
        self._rename(self.sql_rename_index, table, old, new)

    def rename_foreign_key(self, table: str, old_name: str, column: ColumnSpec) -> None:
        if self.sql_rename_foreign_key is None:
            self.drop_constraint(table, old_name)
            self.add_foreign_key(table, column)
        else:
            self._rename(self.sql_rename_foreign_key, table, old_name, self.fk_constraint_name(table, column))

    def _rename(self, template: str | None, table: str, old: str, new: str) -> None:
        if old != new and template is not None:
            self.execute(template.format(table=self.quote(table), old=self.quote(old), new=self.quote(new)))

    def add_new_column(self, table: str, column: ColumnSpec, defaults: dict[str, Any]) -> None:
        """ADD COLUMN; a NOT NULL column gets its one-off default only while rows are filled."""
        if column.name in defaults and not column.null and column.db_default is None:
            self.add_column(table, replace(column, default=defaults[column.name], has_default=True, references=None))
            self.drop_column_default(table, column.name)
        else:
            self.add_column(table, replace(column, references=None))
        if column.references is not None:
            self.add_foreign_key(table, column)

    def drop_column_default(self, table: str, column: str) -> None:
        self.execute(f"ALTER TABLE {self.quote(table)} ALTER COLUMN {self.quote(column)} DROP DEFAULT")

    def fill_nulls(self, table: str, column: str, value: Any) -> None:
        """Set `column` to `value` where it is NULL. Compiled, not written here: the statement carries a
        parameter, so its names must be spelled as the compiler spells them among placeholders."""
        update = n.Update(table, ((column, n.Param(value)),), n.IsNull(n.Col(None, column)))
        self.execute(*self.connection.ops.compiler().compile(update))

    def alter_column(self, table: str, old: ColumnSpec, new: ColumnSpec, defaults: dict[str, Any]) -> None:
        """Type, NULL, UNIQUE and FK changes of one column, each as its own statement."""
        refuse_generated_change(table, old, new)
        quoted = f"ALTER TABLE {self.quote(table)} ALTER COLUMN {self.quote(new.name)}"
        if old.references is not None and old.references != new.references:
            self.drop_constraint(table, self.fk_constraint_name(table, old))
        if old.unique and not new.unique:
            self.drop_constraint(table, self.unique_constraint_name(table, old.name))
        if self.column_type(old) != self.column_type(new):
            self.execute(f"{quoted} TYPE {self.alter_type_sql(new)}")
        if old.null and not new.null:
            if new.name in defaults:
                self.fill_nulls(table, new.name, defaults[new.name])
            self.execute(f"{quoted} SET NOT NULL")
        elif new.null and not old.null:
            self.execute(f"{quoted} DROP NOT NULL")
        if old.db_default != new.db_default:
            if new.db_default is None:
                self.execute(f"{quoted} DROP DEFAULT")
            else:
                self.execute(f"{quoted} SET DEFAULT {self.db_default_sql(new)}")
        if old.comment != new.comment:
            self.comment_column(table, new.name, new.comment)
        if new.unique and not old.unique:
            name = self.unique_constraint_name(table, new.name)
            self.add_unique(table, IndexSpec(name, table, (new.name,), unique=True))
        if new.references is not None and old.references != new.references:
            self.add_foreign_key(table, new)

    def alter_type_sql(self, column: ColumnSpec) -> str:
        """The new type in ALTER COLUMN ... TYPE (PostgreSQL adds how to convert the rows)."""
        return self.column_type(column)

    def unique_constraint_name(self, table: str, column: str) -> str:
        """The name the database gave an inline UNIQUE (PostgreSQL's `<table>_<column>_key`)."""
        return self.truncate_name(f"{table}_{column}_key", 63)

    def unique_together_name(self, table: str, columns: tuple[str, ...]) -> str:
        return self.truncate_name(f"{table}_{'_'.join(columns)}_uniq", 63)


def refuse_generated_change(table: str, old: ColumnSpec, new: ColumnSpec) -> None:
    """As Django: a generated column is not altered in place; the migration removes and re-adds it."""
    if (old.generated is not None or new.generated is not None) and old != new:
        raise NotSupportedError(
            f"Modifying GeneratedFields is not supported - the field {table}.{new.name} must be removed and "
            f"re-added with the new definition (RemoveField, then AddField)."
        )


def _follow(columns: tuple[str, ...], forward: dict[str, str]) -> tuple[str, ...]:
    return tuple(forward.get(column, column) for column in columns)


def _same_shape(index: IndexSpec, candidates: tuple[IndexSpec, ...]) -> IndexSpec | None:
    """The index among `candidates` that differs from `index` at most in its name."""
    for candidate in candidates:
        if replace(candidate, name=index.name) == index:
            return candidate
    return None


def _diff(old: tuple[Any, ...], new: tuple[Any, ...]) -> tuple[list[Any], list[Any]]:
    """(in old only, in new only): specs compared whole, so a changed index is dropped and re-made."""
    return [item for item in old if item not in new], [item for item in new if item not in old]
