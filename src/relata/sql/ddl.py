"""Schema statements as plain data.

Migrations and `testing.create_tables` describe tables with these nodes; a
backend's schema editor turns them into its own DDL. A column's type is named
by relata's internal type (`"CharField"`, `"ForeignKey"` ...) plus its
parameters, and each backend maps that to a database type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Reference:
    """A foreign key constraint from a column to `table.column`."""

    table: str
    column: str


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    name: str
    internal_type: str
    null: bool = False
    primary_key: bool = False
    unique: bool = False
    max_length: int | None = None
    max_digits: int | None = None
    decimal_places: int | None = None
    #: A constant default written into the schema (used when adding a NOT NULL
    #: column to a table with rows); `None` means no DEFAULT clause.
    default: Any = None
    has_default: bool = False
    references: Reference | None = None
    #: For relation columns: the internal type of the referenced column.
    target_type: str | None = None
    check: str | None = None
    #: The column's lasting DEFAULT (a field's db_default) as SQL with literals inlined.
    db_default: str | None = None
    #: COMMENT on the column, where the database keeps comments.
    comment: str | None = None
    #: A generated column's expression (GENERATED ALWAYS AS (...)), compiled with literals inlined.
    generated: str | None = None
    #: STORED (True) or VIRTUAL (False), for a generated column.
    generated_stored: bool = False
    #: The column's SQL type as a custom field's db_type() gave it; None: from internal_type.
    db_type: str | None = None
    #: COLLATE for a text column (a CharField's db_collation); None: the database's default.
    collation: str | None = None


@dataclass(frozen=True, slots=True)
class IndexSpec:
    name: str
    table: str
    columns: tuple[str, ...]
    unique: bool = False
    descending: tuple[bool, ...] = ()
    #: A partial index's WHERE condition, compiled with literals inlined (DDL takes no parameters).
    condition: str | None = None
    #: Key parts that are expressions, each compiled with literals inlined and already in
    #: parentheses, with its own " DESC"; an expression index has these instead of `columns`.
    expressions: tuple[str, ...] = ()
    #: INCLUDE (...) columns of a covering index, where the database has them.
    include: tuple[str, ...] = ()
    #: An operator class per column (PostgreSQL), checked to be a plain name.
    opclasses: tuple[str, ...] = ()
    #: "DEFERRED" or "IMMEDIATE" for a deferrable UNIQUE constraint; None when not deferrable.
    deferrable: str | None = None
    #: False: UNIQUE NULLS NOT DISTINCT; True: NULLS DISTINCT said aloud; None: the database's default.
    nulls_distinct: bool | None = None
    #: The tablespace an index is made in (PostgreSQL).
    tablespace: str | None = None


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A CHECK constraint whose condition is already-compiled neutral SQL."""

    name: str
    sql: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    unique_together: tuple[tuple[str, ...], ...] = ()
    unique_constraints: tuple[IndexSpec, ...] = ()
    checks: tuple[CheckSpec, ...] = ()
    indexes: tuple[IndexSpec, ...] = field(default=())
    comment: str | None = None
    #: The columns of a primary key made of several (a CompositePrimaryKey): PRIMARY KEY (a, b).
    primary_key: tuple[str, ...] = ()
