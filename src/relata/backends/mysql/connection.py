"""The MySQL/MariaDB connection: mysqlclient (or PyMySQL) in autocommit mode.

relata drives transactions itself (BEGIN, SAVEPOINT, COMMIT). Each session
runs in UTC with a strict sql_mode and READ COMMITTED, and counts matched
rather than changed rows for UPDATE (as Django does), so `save()` can tell
an unchanged row from a missing one.

OPTIONS understood here: `charset` (utf8mb4), `sql_mode`, `isolation_level`,
`collation` (for the test database, utf8mb4_bin), `connect_timeout`,
`unix_socket`, plus the common `conn_max_age` and `health_checks`.
"""

from __future__ import annotations

import datetime
import decimal
import select
import uuid
from typing import Any

from relata import exceptions
from relata.backends.base.connection import BaseDatabaseWrapper
from relata.backends.mysql.features import DatabaseFeatures
from relata.backends.mysql.introspection import DatabaseIntrospection
from relata.backends.mysql.operations import DatabaseOperations, adapt_datetime
from relata.backends.mysql.schema import DatabaseSchemaEditor

try:
    import MySQLdb as Database
    from MySQLdb.constants import CLIENT, FIELD_TYPE
    from MySQLdb.converters import conversions

    DRIVER = "mysqlclient"
except ImportError:
    import pymysql as Database
    from pymysql.constants import CLIENT, FIELD_TYPE
    from pymysql.converters import conversions

    DRIVER = "PyMySQL"

DEFAULT_SQL_MODE = "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
ISOLATION_LEVELS = {"read uncommitted", "read committed", "repeatable read", "serializable"}
#: Error codes the drivers report under another class than PostgreSQL would.
INTEGRITY_CODES = {1048, 1062, 1451, 1452, 3819, 4025}  # NOT NULL, duplicate, foreign keys, CHECK
PROGRAMMING_CODES = {1054, 1146}  # unknown column, unknown table
#: Client error codes for a session that is gone: server gone away, lost during query, lost server.
LOST_CODES = {2006, 2013, 2055}


def _decimal_or_int(value: Any) -> Any:
    # SUM() of integers is DECIMAL with no scale here: keep it an int, as Django's
    # Sum of an IntegerField is. DecimalField's converter makes a Decimal again.
    text = value.decode() if isinstance(value, bytes) else value
    return int(text) if "." not in text else decimal.Decimal(text)


def _converters() -> dict[Any, Any]:
    conv = dict(conversions)
    conv[FIELD_TYPE.NEWDECIMAL] = conv[FIELD_TYPE.DECIMAL] = _decimal_or_int
    base_datetime = conv[datetime.datetime]
    # Parameters outside a field's adapter (Now(), raw values) still go in as UTC.
    conv[datetime.datetime] = lambda value, *args: base_datetime(adapt_datetime(value), *args)
    string = conv.get(str)
    if string is not None:
        conv[uuid.UUID] = lambda value, *args: string(value.hex, *args)
        conv[datetime.time] = lambda value, *args: string(value.isoformat(), *args)
    return conv


class DatabaseWrapper(BaseDatabaseWrapper):
    vendor = "mysql"
    display_name = "MySQL"
    Database = Database
    driver = DRIVER
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
    schema_editor_class = DatabaseSchemaEditor
    introspection_class = DatabaseIntrospection

    def __init__(self, settings: dict[str, Any], alias: str = "default"):
        super().__init__(settings, alias)
        self._server_info: str | None = None

    # -- connecting -------------------------------------------------------------

    @classmethod
    def connect_kwargs(cls, settings: dict[str, Any], database: bool = True) -> dict[str, Any]:
        options = settings.get("OPTIONS") or {}
        kwargs: dict[str, Any] = {
            "host": settings.get("HOST") or "localhost",
            "user": settings.get("USER"),
            "password": settings.get("PASSWORD") or "",
            "port": int(settings.get("PORT") or 3306),
            "charset": options.get("charset", "utf8mb4"),
            "client_flag": CLIENT.FOUND_ROWS,
            "autocommit": True,
            "conv": _converters(),
        }
        if database and settings.get("NAME"):
            kwargs["database"] = settings["NAME"]
        if options.get("connect_timeout"):
            kwargs["connect_timeout"] = int(options["connect_timeout"])
        if options.get("unix_socket"):
            kwargs["unix_socket"] = options["unix_socket"]
        return {k: v for k, v in kwargs.items() if v is not None}

    @classmethod
    def shell_command(cls, settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
        args = ["mysql"]
        for flag, key in (("--user", "USER"), ("--host", "HOST"), ("--port", "PORT")):
            if settings.get(key):
                args.append(f"{flag}={settings[key]}")
        args.append(settings["NAME"])
        return args, ({"MYSQL_PWD": settings["PASSWORD"]} if settings.get("PASSWORD") else {})

    def get_new_connection(self) -> Any:
        return Database.connect(**self.connect_kwargs(self.settings))

    def set_driver_autocommit(self, autocommit: bool) -> None:
        self.connection.autocommit(autocommit)

    def init_connection_state(self) -> None:
        sql_mode = self.options.get("sql_mode", DEFAULT_SQL_MODE)
        level = str(self.options.get("isolation_level", "read committed")).lower().replace("_", " ")
        if level not in ISOLATION_LEVELS:
            raise exceptions.ImproperlyConfigured(
                f"Unknown isolation_level {level!r} for MySQL; use one of {', '.join(sorted(ISOLATION_LEVELS))}."
            )
        cursor = self.connection.cursor()
        cursor.execute("SET SESSION sql_mode = %s, time_zone = '+00:00'", (sql_mode,))
        cursor.execute(f"SET SESSION TRANSACTION ISOLATION LEVEL {level.upper()}")
        cursor.close()

    def server_info(self) -> str:
        if self._server_info is None:
            self._server_info = self.ensure_connection().get_server_info()
        return self._server_info

    def _socket(self) -> Any:
        conn = self.connection
        if hasattr(conn, "fileno"):
            return conn.fileno()
        return conn._sock  # PyMySQL

    def connection_dropped(self) -> bool:
        """True when the server closed this idle connection (no round trip)."""
        try:
            readable, _, _ = select.select([self._socket()], [], [], 0)
        except (OSError, ValueError, AttributeError, TypeError):
            return True
        # An idle MySQL connection hears nothing unless the server is hanging up.
        return bool(readable)

    def is_usable(self) -> bool:
        if self.connection is None:
            return False
        try:
            self.connection.ping()
        except Database.Error:
            return False
        return True

    # -- errors and executing ----------------------------------------------------

    def is_connection_lost(self, error: BaseException) -> bool:
        code = error.args[0] if error.args and isinstance(error.args[0], int) else None
        # PyMySQL reports a statement on the socket it closed after a loss as InterfaceError (0, '').
        return code in LOST_CODES or not getattr(self.connection, "open", True)

    def translate_error(self, error: BaseException) -> BaseException | None:
        code = error.args[0] if error.args and isinstance(error.args[0], int) else None
        if code in INTEGRITY_CODES:
            return exceptions.IntegrityError(*error.args)
        if code in PROGRAMMING_CODES:
            return exceptions.ProgrammingError(*error.args)
        return super().translate_error(error)

    def execute(self, sql: str, params: Any = ()) -> Any:
        # Without parameters the drivers send the text as is ('%' need not be doubled).
        return super().execute(sql, params or None)

    # -- test databases ------------------------------------------------------------

    @classmethod
    def _admin_connection(cls, settings: dict[str, Any]) -> Any:
        try:
            return Database.connect(**cls.connect_kwargs(settings, database=False))
        except Database.Error as error:
            raise exceptions.OperationalError(
                f"Cannot connect to MySQL at {settings.get('HOST') or 'localhost'}:{settings.get('PORT') or 3306} "
                f"as {settings.get('USER')!r}: {error}"
            ) from error

    @classmethod
    def create_test_database(cls, settings: dict[str, Any]) -> None:
        quoted = DatabaseOperations.compiler_class.quote_name(settings["NAME"])
        collation = (settings.get("OPTIONS") or {}).get("collation", "utf8mb4_bin")
        conn = cls._admin_connection(settings)
        try:
            cursor = conn.cursor()
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
            cursor.execute(f"CREATE DATABASE {quoted} CHARACTER SET utf8mb4 COLLATE {collation}")
        finally:
            conn.close()

    @classmethod
    def destroy_test_database(cls, settings: dict[str, Any]) -> None:
        quoted = DatabaseOperations.compiler_class.quote_name(settings["NAME"])
        conn = cls._admin_connection(settings)
        try:
            conn.cursor().execute(f"DROP DATABASE IF EXISTS {quoted}")
        finally:
            conn.close()
