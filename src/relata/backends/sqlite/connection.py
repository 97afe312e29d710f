"""The SQLite connection: stdlib sqlite3 in autocommit mode, explicit BEGIN.

relata drives transactions itself, so the driver runs with
`isolation_level=None`; foreign keys are enforced and LIKE is case-sensitive,
so `contains` means the same on every database.
"""

from __future__ import annotations

import datetime
import re
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

from relata.backends.base.connection import BaseDatabaseWrapper
from relata.backends.sqlite.features import DatabaseFeatures
from relata.backends.sqlite.introspection import DatabaseIntrospection
from relata.backends.sqlite.operations import DatabaseOperations
from relata.backends.sqlite.schema import DatabaseSchemaEditor


@lru_cache(maxsize=256)
def _compile_regex(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _regexp(pattern: str | None, value: Any) -> bool | None:
    if pattern is None or value is None:
        return None
    return _compile_regex(pattern).search(str(value)) is not None


def _extract(part: str, value: str | None) -> int | None:
    if value is None:
        return None
    moment = datetime.datetime.fromisoformat(value) if len(value) > 10 else datetime.date.fromisoformat(value)
    year, week, weekday = moment.isocalendar()
    return {"week": week, "iso_year": year, "iso_week_day": weekday}[part]


class DatabaseWrapper(BaseDatabaseWrapper):
    vendor = "sqlite"
    display_name = "SQLite"
    Database = sqlite3
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
    schema_editor_class = DatabaseSchemaEditor
    introspection_class = DatabaseIntrospection

    def __init__(self, settings: dict[str, Any], alias: str = "default"):
        super().__init__(settings, alias)
        limit = sqlite3.connect(":memory:").getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self.features.max_query_params = limit

    @classmethod
    def shell_command(cls, settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
        return ["sqlite3", settings["NAME"]], {}

    @classmethod
    def create_test_database(cls, settings: dict[str, Any]) -> None:
        cls.destroy_test_database(settings)  # a file left by an earlier run starts empty again

    @classmethod
    def destroy_test_database(cls, settings: dict[str, Any]) -> None:
        name = settings["NAME"]
        if name != ":memory:" and not name.startswith("file:"):
            Path(name).unlink(missing_ok=True)

    def get_new_connection(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.settings.get("NAME") or ":memory:",
            isolation_level=None,
            check_same_thread=False,
            uri=str(self.settings.get("NAME", "")).startswith("file:"),
            timeout=float(self.settings.get("OPTIONS", {}).get("timeout", 5)),
        )
        conn.create_function("REGEXP", 2, _regexp, deterministic=True)
        conn.create_function("RELATA_EXTRACT", 2, _extract, deterministic=True)
        return conn

    def init_connection_state(self) -> None:
        self.connection.execute("PRAGMA foreign_keys = ON")
        self.connection.execute("PRAGMA case_sensitive_like = ON")

    def cursor(self) -> Any:
        return self.connection.cursor() if self.connection is not None else self.ensure_connection().cursor()

    def execute(self, sql: str, params: Any = ()) -> Any:
        # sqlite3.Connection.execute makes its own cursor: the cheapest path.
        conn = self.connection if self.connection is not None else self.ensure_connection()
        if self.needs_rollback:
            self.check_usable_transaction(sql)
        if self.listeners:
            return self._execute_listened(conn.cursor(), sql, params)
        try:
            return conn.execute(sql, params)
        except Exception as error:
            self.raise_driver_error(error)

    def is_usable(self) -> bool:
        return self.connection is not None
