"""Helpers for tests: make and drop tables for models, and count queries.

`create_tables(*models)` creates each model's table (with the auto-created
many-to-many tables) in foreign-key order; `CaptureQueries` records every
statement a connection runs; `assert_num_queries(n)` fails when the count
differs and prints the statements it saw. `compile_check(True)` recompiles
every cached statement on use and fails on a difference; `compile_cache_off()`
runs a block with no compiled statement reused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from relata.backends.base.statements import settings as compile_settings
from relata.db import DEFAULT_DB_ALIAS, connections
from relata.models.schema import dependency_order, m2m_through_models, table_spec

__all__ = [
    "CaptureQueries",
    "assert_num_queries",
    "compile_cache_off",
    "compile_check",
    "create_tables",
    "drop_tables",
    "truncate_tables",
]


def _with_throughs(models: tuple[Any, ...]) -> list[Any]:
    listed = [m for m in models if not m._meta.proxy]  # a proxy's table is its concrete model's
    return listed + [t for t in m2m_through_models(listed) if t not in listed]


def create_tables(*models: Any, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the tables (and many-to-many tables) for `models`, dependencies first."""
    connection = connections[using]
    with connection.schema_editor() as editor:
        for model in dependency_order(_with_throughs(models)):
            editor.create_table(table_spec(model, connection))


def drop_tables(*models: Any, using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop the tables for `models` (and their many-to-many tables), dependents first."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in reversed(dependency_order(_with_throughs(models))):
            if model._meta.db_table in existing:
                editor.drop_table(model._meta.db_table)


def truncate_tables(*models: Any, using: str = DEFAULT_DB_ALIAS) -> None:
    """Delete every row of the models' tables (dependents first), without cascading in Python."""
    connection = connections[using]
    tables = [model._meta.db_table for model in reversed(dependency_order(_with_throughs(models)))]
    for sql in connection.ops.flush_sql(tables):
        connection.execute(sql)


@dataclass(frozen=True)
class CapturedQuery:
    sql: str
    params: Any
    time: float

    def __getitem__(self, key: str) -> Any:
        return {"sql": self.sql, "params": self.params, "time": self.time}[key]


#: Transaction control is not counted, as in Django (savepoints are).
_UNCOUNTED = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION"})


class CaptureQueries:
    """`with CaptureQueries() as captured: ...; len(captured); captured.queries`.

    Every statement counts except BEGIN/COMMIT/ROLLBACK, so counts match
    Django's assertNumQueries for the same code.
    """

    def __init__(self, using: str = DEFAULT_DB_ALIAS):
        self.using = using
        self.queries: list[CapturedQuery] = []
        self._connection: Any = None

    def _record(self, sql: str, params: Any, elapsed: float) -> None:
        if sql in _UNCOUNTED:
            return
        self.queries.append(CapturedQuery(sql, params, elapsed))

    def __enter__(self) -> CaptureQueries:
        self._connection = connections[self.using]
        self._connection.listeners.append(self._record)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._connection.listeners.remove(self._record)

    def __len__(self) -> int:
        return len(self.queries)

    def __iter__(self) -> Iterator[CapturedQuery]:
        return iter(self.queries)

    def __getitem__(self, index: int) -> CapturedQuery:
        return self.queries[index]

    @property
    def captured_queries(self) -> list[dict[str, Any]]:
        return [{"sql": q.sql, "params": q.params} for q in self.queries]


@contextmanager
def assert_num_queries(expected: int, using: str = DEFAULT_DB_ALIAS) -> Iterator[CaptureQueries]:
    with CaptureQueries(using) as captured:
        yield captured
    if len(captured) != expected:
        listing = "\n".join(f"{i}. {q.sql} {q.params!r}" for i, q in enumerate(captured.queries, 1))
        raise AssertionError(
            f"{len(captured)} queries executed, {expected} expected\nCaptured queries were:\n{listing}"
        )


def compile_check(enabled: bool = True) -> bool:
    """Check mode on or off (RELATA_COMPILE_CHECK=1 sets it for a process); returns the previous setting.

    On every cache hit the statement is compiled again and its SQL and
    parameters compared with the cached ones: a difference raises
    StaleStatementError naming the statement.
    """
    previous = compile_settings.check
    compile_settings.check = enabled
    return previous


@contextmanager
def compile_cache_off() -> Iterator[None]:
    """Run the block with every statement compiled for its own call (RELATA_COMPILE_CACHE=off, for a block)."""
    previous = compile_settings.enabled
    compile_settings.enabled = False
    for connection in connections.all():
        connection.statements.clear()
    try:
        yield
    finally:
        compile_settings.enabled = previous
