"""The PostgreSQL connection: psycopg 3 in autocommit mode, explicit BEGIN.

relata drives transactions itself, so the driver connection is in autocommit
and `atomic()` sends BEGIN/SAVEPOINT/COMMIT. Sessions run in UTC. psycopg
binds parameters on the server and prepares statements that repeat
(`?prepare_threshold=` tunes it; `none` for pgbouncer in transaction mode).
`?pool=true` takes connections from a shared psycopg_pool pool.

OPTIONS understood here (URL query or `relata.connect(url, **options)`):
`pool`, `pool_min_size`, `pool_max_size`, `prepare_threshold`, `flavor`,
`admin_database`, plus the common `conn_max_age` and `health_checks`; any
other option is passed to libpq (`sslmode`, `connect_timeout`, ...).
"""

from __future__ import annotations

import select
import threading
from typing import Any, ClassVar

import psycopg
from psycopg.types.string import TextLoader

from relata import exceptions
from relata.backends.base.connection import BaseDatabaseWrapper
from relata.backends.postgresql.features import DatabaseFeatures
from relata.backends.postgresql.introspection import DatabaseIntrospection
from relata.backends.postgresql.operations import DatabaseOperations
from relata.backends.postgresql.schema import DatabaseSchemaEditor

try:
    import psycopg_pool
except ImportError:  # pooling is optional
    psycopg_pool = None

#: OPTIONS relata reads itself; the rest go to libpq.
RELATA_OPTIONS = {
    "pool",
    "pool_min_size",
    "pool_max_size",
    "prepare_threshold",
    "flavor",
    "admin_database",
    "conn_max_age",
    "health_checks",
    "health_check_interval",
}


def _flag(value: Any) -> bool:
    return str(value).lower() in {"1", "true", "yes", "on"}


STREAM_ITERSIZE = 2000


class DatabaseWrapper(BaseDatabaseWrapper):
    vendor = "postgresql"
    display_name = "PostgreSQL"
    Database = psycopg
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
    schema_editor_class = DatabaseSchemaEditor
    introspection_class = DatabaseIntrospection

    _pools: ClassVar[dict[str, Any]] = {}
    _pools_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, settings: dict[str, Any], alias: str = "default"):
        super().__init__(settings, alias)
        flavor = self.options.get("flavor")
        if flavor:
            self.features.set_flavor(str(flavor).lower())
        self._pool: Any = None
        self._stream_count = 0

    @classmethod
    def shell_command(cls, settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
        args = ["psql"]
        for flag, key in (("-U", "USER"), ("-h", "HOST"), ("-p", "PORT")):
            if settings.get(key):
                args += [flag, str(settings[key])]
        args.append(settings["NAME"] or "postgres")
        return args, ({"PGPASSWORD": settings["PASSWORD"]} if settings.get("PASSWORD") else {})

    # -- connecting -------------------------------------------------------------

    @classmethod
    def connect_kwargs(cls, settings: dict[str, Any], dbname: str | None = None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "dbname": dbname or settings.get("NAME") or "postgres",
            "user": settings.get("USER"),
            "password": settings.get("PASSWORD"),
            "host": settings.get("HOST"),
            "port": settings.get("PORT"),
        }
        options = settings.get("OPTIONS") or {}
        kwargs.update({k: v for k, v in options.items() if k not in RELATA_OPTIONS})
        return {k: v for k, v in kwargs.items() if v is not None}

    def _prepare_threshold(self) -> int | None:
        value = self.options.get("prepare_threshold", 5)
        return None if str(value).lower() in {"none", "off", ""} else int(value)

    def get_new_connection(self) -> Any:
        if _flag(self.options.get("pool", False)):
            return self._get_pool().getconn()
        return psycopg.connect(
            **self.connect_kwargs(self.settings), autocommit=True, prepare_threshold=self._prepare_threshold()
        )

    def _get_pool(self) -> Any:
        if psycopg_pool is None:
            raise exceptions.ImproperlyConfigured(
                "pool=true needs psycopg_pool; install it with: pip install 'relata[postgresql]'"
            )
        key = self.settings.get("URL") or repr(sorted(self.connect_kwargs(self.settings).items()))
        with self._pools_lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = psycopg_pool.ConnectionPool(
                    kwargs={
                        **self.connect_kwargs(self.settings),
                        "autocommit": True,
                        "prepare_threshold": self._prepare_threshold(),
                    },
                    min_size=int(self.options.get("pool_min_size", 1)),
                    max_size=int(self.options.get("pool_max_size", 10)),
                    check=psycopg_pool.ConnectionPool.check_connection
                    if _flag(self.options.get("health_checks", False))
                    else None,
                    open=True,
                    name=f"relata-{self.alias}",
                )
                self._pools[key] = pool
        self._pool = pool
        return pool

    @classmethod
    def close_pools(cls) -> None:
        with cls._pools_lock:
            pools, cls._pools = list(cls._pools.values()), {}
        for pool in pools:
            pool.close()

    def init_connection_state(self) -> None:
        conn = self.connection
        # jsonb arrives as text and is decoded by the field, as on every database.
        conn.adapters.register_loader("jsonb", TextLoader)
        conn.adapters.register_loader("json", TextLoader)
        conn.execute("SET TIME ZONE 'UTC'")
        self.features.server_version_num = conn.info.server_version
        if not self.options.get("flavor"):
            info = conn.info
            version = info.parameter_status("server_version") or ""
            if info.parameter_status("crdb_version"):
                version += " cockroachdb"
            self.features.set_flavor(self.features.flavor_from_version(version, set()))

    def set_driver_autocommit(self, autocommit: bool) -> None:
        self.connection.autocommit = autocommit

    def close(self) -> None:
        if self.connection is not None and self._pool is not None:
            conn, self.connection = self.connection, None
            try:
                if not self.autocommit:  # the next borrower expects the pool's autocommit session
                    conn.rollback()
                    conn.autocommit = True
                self._pool.putconn(conn)
            except Exception:
                conn.close()
            self.autocommit = True
            if self.in_atomic_block:
                self.needs_rollback = True
            return
        super().close()

    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        try:
            self.connection.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def is_connection_lost(self, error: BaseException) -> bool:
        # psycopg marks the connection once it has seen the session end (kill, timeout, network).
        return self.connection.closed or self.connection.broken

    def connection_dropped(self) -> bool:
        """True when an idle connection has been closed by the server (no round trip)."""
        conn = self.connection
        if conn.closed or conn.broken:
            return True
        pgconn = conn.pgconn
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError, psycopg.Error):
            return True
        if not readable:
            return False
        # The server spoke while we were idle: a notice, or its goodbye. Ask.
        return not self.is_usable()

    # -- executing --------------------------------------------------------------

    def execute(self, sql: str, params: Any = ()) -> Any:
        # Without parameters psycopg sends the text as is ('%' need not be doubled).
        return super().execute(sql, params or None)

    def driver_executemany(self, cursor: Any, sql: str, param_list: list[Any], returning: bool) -> Any:
        cursor.executemany(sql, param_list, returning=returning)
        if not returning:
            return cursor
        ids = []
        while True:
            ids.append(cursor.fetchone()[0])
            if not cursor.nextset():
                return ids

    def execute_streaming(self, sql: str, params: Any = ()) -> Any:
        # psycopg's client cursors hold the whole result; a server-side cursor
        # sends rows as fetchmany() asks. Outside a transaction it must be WITH HOLD.
        self._stream_count += 1
        connection = self.ensure_connection()
        try:
            cursor = connection.cursor(name=f"relata_stream_{self._stream_count}", withhold=not self.in_atomic_block)
        except psycopg.Error as error:
            self.raise_driver_error(error)
        cursor.itersize = STREAM_ITERSIZE
        return self.run_on_cursor(cursor, sql, params or None)

    # -- test databases ------------------------------------------------------------

    @classmethod
    def _admin_connection(cls, settings: dict[str, Any]) -> Any:
        admin_db = (settings.get("OPTIONS") or {}).get("admin_database", "postgres")
        try:
            return psycopg.connect(**cls.connect_kwargs(settings, dbname=admin_db), autocommit=True)
        except psycopg.Error as error:
            raise exceptions.OperationalError(
                f"Cannot connect to PostgreSQL at {settings.get('HOST') or 'localhost'}:"
                f"{settings.get('PORT') or 5432} as {settings.get('USER')!r} (database {admin_db!r}): "
                f"{error}".strip()
            ) from error

    @classmethod
    def create_test_database(cls, settings: dict[str, Any]) -> None:
        name = settings["NAME"]
        quoted = DatabaseOperations.compiler_class.quote_name(name)
        with cls._admin_connection(settings) as conn:
            cls._drop_database(conn, quoted)
            conn.execute(f"CREATE DATABASE {quoted}")

    @classmethod
    def destroy_test_database(cls, settings: dict[str, Any]) -> None:
        cls.close_pools()
        quoted = DatabaseOperations.compiler_class.quote_name(settings["NAME"])
        with cls._admin_connection(settings) as conn:
            cls._drop_database(conn, quoted)

    @staticmethod
    def _drop_database(conn: Any, quoted: str) -> None:
        try:
            conn.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        except psycopg.errors.SyntaxError:
            conn.execute(f"DROP DATABASE IF EXISTS {quoted}")
