"""The connection wrapper every backend subclasses.

It opens the driver connection lazily, maps driver errors onto relata's PEP 249
classes, tells query listeners (CaptureQueries) what ran, and keeps the
transaction state that `relata.transaction` drives: the atomic depth, the
savepoint stack, the rollback flag and the on_commit queue.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from relata import exceptions
from relata.backends.base.cursor import CursorWrapper
from relata.backends.base.features import BaseDatabaseFeatures
from relata.backends.base.introspection import BaseDatabaseIntrospection
from relata.backends.base.operations import BaseDatabaseOperations
from relata.backends.base.schema import BaseDatabaseSchemaEditor
from relata.backends.base.statements import StatementCache

# Most specific first: a driver's IntegrityError is also its DatabaseError.
_PEP249_NAMES = (
    "IntegrityError",
    "DataError",
    "NotSupportedError",
    "ProgrammingError",
    "OperationalError",
    "InternalError",
    "DatabaseError",
    "InterfaceError",
    "Error",
)


def _seconds(value: Any) -> float | None:
    if value is None or str(value).lower() in {"", "none", "-1"}:
        return None
    return float(value)


class BaseDatabaseWrapper:
    vendor: ClassVar[str] = "base"
    display_name: ClassVar[str] = "base"
    #: Django's `connection.operators`: each simple comparison as written after its left side (`%s`
    #: the right side), for lookups written in Django's way (a `get_rhs_op()` override reads it).
    operators: ClassVar[dict[str, str]] = {"exact": "= %s", "gt": "> %s", "gte": ">= %s", "lt": "< %s", "lte": "<= %s"}
    #: The driver module (PEP 249); set by each backend's connection module.
    Database: ClassVar[Any] = None
    features_class: ClassVar[type] = BaseDatabaseFeatures
    ops_class: ClassVar[type] = BaseDatabaseOperations
    schema_editor_class: ClassVar[type] = BaseDatabaseSchemaEditor
    introspection_class: ClassVar[type] = BaseDatabaseIntrospection

    def __init__(self, settings: dict[str, Any], alias: str = "default"):
        self.settings = settings
        self.alias = alias
        self.connection: Any = None
        self.features = self.features_class(self)
        self.ops = self.ops_class(self)
        self.introspection = self.introspection_class(self)
        self.autocommit = True
        self.in_atomic_block = False
        self.savepoint_ids: list[str | None] = []
        self.savepoint_count = 0
        self.needs_rollback = False
        #: The error that doomed the open transaction (the cause of the error raised for later queries).
        self.rollback_exc: BaseException | None = None
        #: The atomic() blocks open on this connection, outermost first (durable=True looks at them).
        self.atomic_blocks: list[Any] = []
        #: False while the outermost atomic() block sits inside a transaction the caller manages
        #: (set_autocommit(False)): that block is a savepoint and commits nothing.
        self.commit_on_exit = True
        self.run_on_commit: list[tuple[set[str | None], Callable[[], Any], bool]] = []
        self.run_commit_hooks_on_set_autocommit_on = False
        self.listeners: list[Callable[[str, Any, float], None]] = []
        #: Compiled statements by their key; owned here because SQL is per dialect.
        self.statements = StatementCache()
        self._error_map = None
        self.options: dict[str, Any] = dict(settings.get("OPTIONS") or {})
        #: Seconds a connection is reused before it is reopened (None: for ever).
        self.conn_max_age = _seconds(self.options.get("conn_max_age"))
        #: Ping a connection that sat idle longer than health_check_interval before reusing it.
        self.health_checks = str(self.options.get("health_checks", "")).lower() in {"1", "true", "yes", "on"}
        self.health_check_interval = float(self.options.get("health_check_interval", 1.0))
        self._opened_at = 0.0
        self._last_used = 0.0

    # -- connecting -------------------------------------------------------------

    def get_new_connection(self) -> Any:
        raise NotImplementedError

    def init_connection_state(self) -> None:
        """Hook run once after each new driver connection."""

    def ensure_connection(self) -> Any:
        if self.connection is not None and not self.in_atomic_block and self._must_reopen():
            # Outside a transaction nothing is lost by reopening: do it quietly.
            self.close()
        if self.connection is None:
            if self.in_atomic_block:
                # A new session would run the rest of the block, and its COMMIT, without the start.
                raise self.connection_lost_error()
            with self.wrap_errors():
                self.connection = self.get_new_connection()
                self._opened_at = time.monotonic()
                try:
                    self.init_connection_state()
                except BaseException:
                    # A session without its settings (time zone, sql_mode, init_command) must not be used.
                    self.close()
                    raise
        self._last_used = time.monotonic()
        return self.connection

    def _must_reopen(self) -> bool:
        now = time.monotonic()
        if self.conn_max_age is not None and now - self._opened_at > self.conn_max_age:
            return True
        if self.connection_dropped():
            return True
        return self.health_checks and now - self._last_used > self.health_check_interval and not self.is_usable()

    def connection_dropped(self) -> bool:
        """Hook: whether the server closed this idle connection, found without a round trip."""
        return False

    def is_usable(self) -> bool:
        return self.connection is not None

    def close(self) -> None:
        if self.connection is None:
            return
        with contextlib.suppress(Exception):
            self.connection.close()
        self.connection = None
        self.autocommit = True
        if self.in_atomic_block:
            self.needs_rollback = True

    def is_connection_lost(self, error: BaseException) -> bool:
        """Hook: whether a driver error left the session dead (found without a round trip)."""
        return False

    def connection_lost_error(self, cause: BaseException | None = None) -> exceptions.OperationalError:
        """The error for a session that ended under us, saying what became of the work."""
        lost = f"The connection to {self.display_name} was lost" + (f" ({cause})" if cause else "")
        if self.in_atomic_block:
            return exceptions.OperationalError(
                f"{lost} inside an atomic block, so the transaction did not commit: the server rolls back "
                "a transaction whose session ends before its COMMIT arrives. relata never reopens a "
                "connection inside a transaction; leave the atomic block and run it again (the next "
                "statement outside it reconnects)."
            )
        return exceptions.OperationalError(
            f"{lost}; a write it carried may or may not have been applied. The next statement reconnects."
        )

    # -- errors -----------------------------------------------------------------

    def error_map(self) -> tuple[tuple[type, type], ...]:
        if self._error_map is None:
            pairs = []
            for name in _PEP249_NAMES:
                driver_class = getattr(self.Database, name, None)
                if driver_class is not None:
                    pairs.append((driver_class, getattr(exceptions, name)))
            self._error_map = tuple(pairs)
        return self._error_map

    def translate_error(self, error: BaseException) -> BaseException | None:
        for driver_class, relata_class in self.error_map():
            if isinstance(error, driver_class):
                return relata_class(*error.args)
        return None

    @contextlib.contextmanager
    def wrap_errors(self) -> Iterator[None]:
        try:
            yield
        except exceptions.Error:
            raise
        except Exception as error:
            translated = self.translate_error(error)
            if translated is None:
                raise
            if self.connection is not None and self.is_connection_lost(error):
                # Unusable from now on: outside atomic() the next statement opens a new session.
                self.close()
                raise self.connection_lost_error(error) from error
            if self.in_atomic_block and not isinstance(translated, exceptions.InterfaceError):
                self.on_error_in_atomic(translated)
            raise translated from error

    def on_error_in_atomic(self, error: BaseException) -> None:
        """What a failed statement does to the open transaction: it must roll back.

        As in Django, further queries in the block then fail until it ends (or
        an inner atomic() rolls back to its savepoint), on every database alike.
        """
        self.needs_rollback = True
        self.rollback_exc = error

    def check_usable_transaction(self, sql: str) -> None:
        """Refuse statements in a doomed atomic block, except the ones that end it."""
        if self.in_atomic_block and not sql.startswith(("ROLLBACK", "RELEASE")):
            self.validate_no_broken_transaction()

    # -- executing --------------------------------------------------------------

    def cursor(self) -> CursorWrapper:
        """A cursor for raw SQL (`with connection.cursor() as cursor:`), with relata's errors."""
        return CursorWrapper(self, self.driver_cursor())

    def driver_cursor(self) -> Any:
        connection = self.ensure_connection()
        try:
            return connection.cursor()
        except Exception as error:  # a driver that knows its session is gone says so here
            self.raise_driver_error(error)

    def fetch_chunks(self, cursor: Any, size: int) -> Iterator[Any]:
        """The cursor's rows, fetched `size` at a time (a server-side cursor fetches over the
        network, so each fetch can fail like a statement); the cursor is closed at the end."""
        try:
            while True:
                try:
                    rows = cursor.fetchmany(size)
                except Exception as error:
                    self.raise_driver_error(error)
                if not rows:
                    return
                yield from rows
        finally:
            try:
                cursor.close()
            except Exception as error:
                self.raise_driver_error(error)

    def execute(self, sql: str, params: Any = ()) -> Any:
        """Run one statement and return the driver cursor (for fetching)."""
        return self.run_on_cursor(self.driver_cursor(), sql, params)

    def execute_streaming(self, sql: str, params: Any = ()) -> Any:
        """Run a query whose rows are read in chunks (iterator()).

        A driver that buffers whole results on execute overrides this with a
        server-side cursor; SQLite's cursor already reads rows as they are fetched.
        """
        return self.execute(sql, params)

    def run_on_cursor(self, cursor: Any, sql: str, params: Any) -> Any:
        """Execute on `cursor`: the doomed-transaction rule, query listeners, error mapping."""
        if self.needs_rollback:
            self.check_usable_transaction(sql)
        if self.listeners:
            return self._execute_listened(cursor, sql, params)
        try:
            cursor.execute(sql, params)
        except Exception as error:
            self.raise_driver_error(error)
        return cursor

    def executemany(self, sql: str, param_list: list[Any], returning: bool = False) -> Any:
        """Run one statement for every parameter row; with `returning`, the first
        column each row's RETURNING gave (drivers that can: see has_fast_executemany)."""
        return self.run_many_on_cursor(self.driver_cursor(), sql, param_list, returning)

    def run_many_on_cursor(self, cursor: Any, sql: str, param_list: list[Any], returning: bool = False) -> Any:
        if self.needs_rollback:
            self.check_usable_transaction(sql)
        started = time.perf_counter()
        try:
            result = self.driver_executemany(cursor, sql, param_list, returning)
        except Exception as error:
            self.raise_driver_error(error)
        for listener in self.listeners:
            listener(sql, param_list, time.perf_counter() - started)
        return result

    def driver_executemany(self, cursor: Any, sql: str, param_list: list[Any], returning: bool) -> Any:
        if returning:
            raise NotImplementedError(f"{self.display_name} cannot return rows from executemany().")
        cursor.executemany(sql, param_list)
        return cursor

    def _execute_listened(self, cursor: Any, sql: str, params: Any) -> Any:
        started = time.perf_counter()
        try:
            cursor.execute(sql, params)
        except Exception as error:
            self.raise_driver_error(error)
        finally:
            elapsed = time.perf_counter() - started
            for listener in list(self.listeners):
                listener(sql, params, elapsed)
        return cursor

    def raise_driver_error(self, error: Exception) -> None:
        """Raise a driver's error as relata's, with what it did to the session and transaction."""
        with self.wrap_errors():
            raise error

    @classmethod
    def shell_command(cls, settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
        """The database's own command-line client for `relata dbshell`: (argv, extra environment)."""
        raise NotImplementedError(f"{cls.display_name} has no command-line client configured.")

    @classmethod
    def create_test_database(cls, settings: dict[str, Any]) -> None:
        """Make the empty database a test run uses (dropping a leftover of the same name)."""
        raise NotImplementedError(f"{cls.display_name} cannot create test databases.")

    @classmethod
    def destroy_test_database(cls, settings: dict[str, Any]) -> None:
        """Remove the database create_test_database() made."""
        raise NotImplementedError(f"{cls.display_name} cannot destroy test databases.")

    def schema_editor(self) -> BaseDatabaseSchemaEditor:
        return self.schema_editor_class(self)

    # -- transactions: driver primitives -----------------------------------------

    # BEGIN/COMMIT/ROLLBACK are not reported to query listeners: query counts
    # mean statements the ORM ran for the caller, as Django counts them.

    def execute_unlisted(self, sql: str) -> None:
        cursor = self.driver_cursor()
        try:
            cursor.execute(sql)
        except Exception as error:
            self.raise_driver_error(error)

    #: The statement atomic() opens a transaction with (SQLite's transaction_mode sets it).
    begin_sql = "BEGIN"

    def begin(self) -> None:
        session = self.connection
        try:
            self.execute_unlisted(self.begin_sql)
        except exceptions.OperationalError:
            if session is None or self.connection is not None:
                raise
            # The session had died while idle, unnoticed: BEGIN carried no work, so a new one loses nothing.
            self.execute_unlisted(self.begin_sql)

    def commit(self) -> None:
        if self.connection is not None:
            self.execute_unlisted("COMMIT")

    def rollback(self) -> None:
        if self.connection is not None:
            self.execute_unlisted("ROLLBACK")

    def savepoint_create(self, sid: str) -> None:
        self.execute("SAVEPOINT " + self.ops.quote_name(sid))

    def savepoint_release(self, sid: str) -> None:
        self.execute("RELEASE SAVEPOINT " + self.ops.quote_name(sid))

    def savepoint_rollback_to(self, sid: str) -> None:
        self.execute("ROLLBACK TO SAVEPOINT " + self.ops.quote_name(sid))

    # Django's names for the same, as transaction.savepoint() and friends use them.

    def savepoint(self) -> str | None:
        """A new savepoint's id, or None outside a transaction (where there is nothing to save)."""
        if self.get_autocommit():
            return None
        sid = self.new_savepoint_id()
        self.savepoint_create(sid)
        return sid

    def savepoint_rollback(self, sid: str) -> None:
        """Undo the work since savepoint `sid`; on_commit hooks registered since then are dropped."""
        self.savepoint_rollback_to(sid)
        self.run_on_commit = [hook for hook in self.run_on_commit if sid not in hook[0]]

    def savepoint_commit(self, sid: str) -> None:
        self.savepoint_release(sid)

    def new_savepoint_id(self) -> str:
        self.savepoint_count += 1
        return f"s{id(self) % 100000}_x{self.savepoint_count}"

    def validate_no_broken_transaction(self) -> None:
        if self.connection is None and self.in_atomic_block:
            raise self.connection_lost_error()
        if self.needs_rollback:
            raise exceptions.TransactionManagementError(
                "An error occurred in the current transaction. You can't execute queries until the end "
                "of the 'atomic' block. Catch errors outside atomic(), or wrap the failing statement in "
                "its own atomic() to roll back to a savepoint."
            ) from self.rollback_exc

    def validate_no_atomic_block(self) -> None:
        if self.in_atomic_block:
            raise exceptions.TransactionManagementError(
                "This is forbidden when an 'atomic' block is active. atomic() commits or rolls back by "
                "itself when its block ends; call this outside the block."
            )

    # -- transactions: managed by the caller ---------------------------------------

    def get_autocommit(self) -> bool:
        """Whether each statement commits by itself: outside atomic() and not after set_autocommit(False)."""
        return self.autocommit and not self.in_atomic_block

    def set_autocommit(self, autocommit: bool) -> None:
        """Turn the driver's autocommit off (the caller commits) or back on (pending hooks then run)."""
        self.validate_no_atomic_block()
        self.ensure_connection()
        with self.wrap_errors():
            self.set_driver_autocommit(autocommit)
        self.autocommit = autocommit
        if autocommit and self.run_commit_hooks_on_set_autocommit_on:
            self.run_commit_hooks_on_set_autocommit_on = False
            self.run_and_clear_commit_hooks()

    def set_driver_autocommit(self, autocommit: bool) -> None:
        """Hook: switch the driver connection's own autocommit mode."""
        raise NotImplementedError(f"{self.display_name} cannot switch autocommit.")

    def commit_manual(self) -> None:
        """transaction.commit(): the driver's commit of a transaction the caller manages."""
        self.validate_no_atomic_block()
        if self.connection is not None:
            with self.wrap_errors():
                self.connection.commit()
        self.needs_rollback = False
        # As in Django, on_commit hooks recorded meanwhile run when autocommit is turned back on.
        self.run_commit_hooks_on_set_autocommit_on = True

    def rollback_manual(self) -> None:
        """transaction.rollback(): the driver's rollback of a transaction the caller manages."""
        self.validate_no_atomic_block()
        if self.connection is not None:
            with self.wrap_errors():
                self.connection.rollback()
        self.needs_rollback = False
        self.run_on_commit = []

    def run_and_clear_commit_hooks(self) -> None:
        hooks, self.run_on_commit = self.run_on_commit, []
        for _sids, func, robust in hooks:
            if robust:
                with contextlib.suppress(Exception):
                    func()
            else:
                func()

    def on_commit(self, func: Callable[[], Any], robust: bool = False) -> None:
        if not callable(func):
            raise TypeError("on_commit()'s callback must be a callable. Pass a function taking no arguments.")
        if self.in_atomic_block:
            self.run_on_commit.append((set(self.savepoint_ids), func, robust))
        elif not self.autocommit:
            raise exceptions.TransactionManagementError(
                "on_commit() cannot be used in manual transaction management (after set_autocommit(False)) "
                "outside an atomic block: there is no commit relata could run it after."
            )
        elif robust:
            with contextlib.suppress(Exception):
                func()
        else:
            func()
