"""The SQLite connection: stdlib sqlite3 in autocommit mode, explicit BEGIN.

relata drives transactions itself, so the driver runs with
`isolation_level=None`; foreign keys are enforced and LIKE is case-sensitive,
so `contains` means the same on every database.

OPTIONS (URL query or `relata.connect(url, **options)`), with defaults chosen so
that processes writing one file wait for each other instead of failing:
`timeout` (seconds to wait for a lock, 5), `transaction_mode` (how atomic()
begins: IMMEDIATE, or DEFERRED/EXCLUSIVE), `journal_mode` (WAL for a file
database; empty leaves the file's own), `init_command` (statements separated by
";" run on each new connection, after relata's own), plus the common
`conn_max_age` and `health_checks`. A `file:` URI keeps its other parameters for SQLite.
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
from relata.backends.sqlite.functions import register_functions
from relata.backends.sqlite.introspection import DatabaseIntrospection
from relata.backends.sqlite.operations import DatabaseOperations
from relata.backends.sqlite.schema import DatabaseSchemaEditor
from relata.exceptions import ImproperlyConfigured


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


TRANSACTION_MODES = ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")
JOURNAL_MODES = ("DELETE", "TRUNCATE", "PERSIST", "MEMORY", "WAL", "OFF")
#: A deferred BEGIN takes the write lock only at the first write, and a reader that
#: must upgrade while another holds it fails at once ("database is locked"): the busy
#: timeout cannot help, since waiting could deadlock. IMMEDIATE takes it at BEGIN, where
#: waiting is safe; WAL lets readers outside atomic() go on while one block writes.
DEFAULTS = {"timeout": 5.0, "transaction_mode": "IMMEDIATE", "journal_mode": "WAL", "init_command": ""}
OPTIONS = {*DEFAULTS, "conn_max_age", "health_checks", "health_check_interval"}


def _choice(options: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = str(options.get(name, DEFAULTS[name]) or "").upper()
    if value and value not in allowed:
        raise ImproperlyConfigured(
            f"SQLite option {name}={options[name]!r} is not one of {', '.join(allowed)}; "
            f"pick one (or leave it out for {DEFAULTS[name]})."
        )
    return value


def _timeout(options: dict[str, Any]) -> float:
    value = options.get("timeout", DEFAULTS["timeout"])
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if seconds < 0:
        raise ImproperlyConfigured(
            f"SQLite option timeout={value!r} is not a number of seconds; write e.g. timeout=20."
        )
    return seconds


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
        self._read_options(str(settings.get("NAME") or ":memory:"))

    def _read_options(self, name: str) -> None:
        """Check the OPTIONS when connect() is called, before anything touches the file."""
        self._uri = name.startswith("file:")
        unknown = sorted(set(self.options) - OPTIONS)
        if unknown and not self._uri:  # in a file: URI they are SQLite's own parameters
            raise ImproperlyConfigured(
                f"Unknown SQLite option(s) {', '.join(unknown)}; relata's are {', '.join(sorted(OPTIONS))}. "
                f"For SQLite's URI parameters (mode, cache, ...) write sqlite:///file:{name}?mode=ro."
            )
        self.timeout = _timeout(self.options)
        mode = _choice(self.options, "transaction_mode", TRANSACTION_MODES)
        self.begin_sql = f"BEGIN {mode}" if mode else "BEGIN"
        # The journal mode belongs to the file, and only a writer can change it.
        no_file = name == ":memory:" or "mode=memory" in name or "mode=ro" in name
        self.journal_mode = "" if no_file else _choice(self.options, "journal_mode", JOURNAL_MODES)
        init_command = str(self.options.get("init_command") or "")
        self.init_commands = [sql.strip() for sql in init_command.split(";") if sql.strip()]

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
            for suffix in ("", "-wal", "-shm", "-journal"):  # WAL's files go with the database
                Path(name + suffix).unlink(missing_ok=True)

    def get_new_connection(self) -> sqlite3.Connection:
        name = self.settings.get("NAME") or ":memory:"
        try:
            conn = sqlite3.connect(
                name, isolation_level=None, check_same_thread=False, uri=self._uri, timeout=self.timeout
            )
        except sqlite3.OperationalError as error:
            # sqlite3 names no file: say which one, and the usual reason.
            path = Path(name).resolve()
            missing = f"; the folder {path.parent} does not exist: create it or fix the URL"
            reason = "" if path.parent.is_dir() else missing
            raise sqlite3.OperationalError(f"{error} {str(path)!r}{reason}") from error
        conn.create_function("REGEXP", 2, _regexp, deterministic=True)
        conn.create_function("RELATA_EXTRACT", 2, _extract, deterministic=True)
        register_functions(conn)
        return conn

    def init_connection_state(self) -> None:
        conn = self.connection
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA case_sensitive_like = ON")
        # Setting a mode needs a lock even when it changes nothing: ask first.
        if self.journal_mode and conn.execute("PRAGMA journal_mode").fetchone()[0].upper() != self.journal_mode:
            conn.execute(f"PRAGMA journal_mode = {self.journal_mode}")
        for sql in self.init_commands:
            try:
                conn.execute(sql)
            except sqlite3.Error as error:
                raise ImproperlyConfigured(
                    f"SQLite option init_command {sql!r} failed: {error}; fix or remove that statement."
                ) from error

    def set_driver_autocommit(self, autocommit: bool) -> None:
        # Without autocommit, sqlite3 opens a transaction (in the configured mode) before a write.
        self.connection.isolation_level = None if autocommit else (self.begin_sql.partition(" ")[2] or "DEFERRED")

    def driver_cursor(self) -> Any:
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
