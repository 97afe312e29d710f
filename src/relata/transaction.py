"""Transactions: `atomic` blocks, savepoints and `on_commit` callbacks.

The outermost `atomic()` opens a transaction; each nested one is a savepoint,
so an exception inside rolls back just that block. Outside any block relata
autocommits each statement, unless `set_autocommit(False)` hands the
transaction to the caller (`commit()`, `rollback()`; atomic() is then a
savepoint). `on_commit` callbacks wait for the outermost commit and are
dropped on rollback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from relata.db import DEFAULT_DB_ALIAS, connections
from relata.exceptions import Error, TransactionManagementError

F = TypeVar("F", bound=Callable[..., Any])


def get_connection(using: str | None = None) -> Any:
    return connections[using or DEFAULT_DB_ALIAS]


class Atomic:
    """Context manager and decorator; `atomic()` builds one per use.

    `_from_testcase` marks a block a test harness opens around each test (as
    Django's TestCase does): a durable block inside it is still the outermost
    block of the code under test.
    """

    def __init__(self, using: str | None, savepoint: bool, durable: bool):
        self.using = using
        self.savepoint = savepoint
        self.durable = durable
        self._from_testcase = False
        self._stack: list[Any] = []

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with Atomic(self.using, self.savepoint, self.durable):
                return func(*args, **kwargs)

        return inner  # type: ignore[return-value]

    def __enter__(self) -> Atomic:
        conn = get_connection(self.using)
        if self.durable and conn.atomic_blocks and not conn.atomic_blocks[-1]._from_testcase:
            raise RuntimeError(
                "A durable atomic block cannot be nested within another atomic block. A durable block "
                "promises that its work is committed when it ends; remove durable=True, or call this "
                "code outside the enclosing atomic()."
            )
        if not conn.in_atomic_block:
            conn.needs_rollback = False
            conn.rollback_exc = None
            conn.savepoint_ids = []
            if conn.autocommit:
                conn.ensure_connection()
                conn.begin()
                conn.in_atomic_block = True
                conn.commit_on_exit = True
                conn.atomic_blocks.append(self)
                self._stack.append(conn)
                return self
            # set_autocommit(False): the caller's transaction is open; this block is a savepoint in it.
            conn.in_atomic_block = True
            conn.commit_on_exit = False
        sid = None
        if self.savepoint and not conn.needs_rollback:
            sid = conn.new_savepoint_id()
            conn.savepoint_create(sid)
        conn.savepoint_ids.append(sid)
        conn.atomic_blocks.append(self)
        self._stack.append(conn)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        conn = self._stack.pop()
        conn.atomic_blocks.pop()
        if not conn.savepoint_ids:
            self._exit_outermost(conn, exc_type is not None)
            return
        try:
            self._exit_savepoint(conn, exc_type is not None)
        finally:
            if not conn.savepoint_ids and not conn.commit_on_exit:
                # The outermost block of a transaction the caller manages: it stays open for them.
                conn.in_atomic_block = False
                conn.commit_on_exit = True

    def _exit_savepoint(self, conn: Any, failed: bool) -> None:
        sid = conn.savepoint_ids.pop()
        if conn.connection is None:
            # The session ended (the statement that found it raised): the server rolled the
            # whole transaction back, savepoints and all. As in Django, the exit adds no error.
            conn.needs_rollback = True
            return
        if sid is None:
            # No savepoint: a failure here dooms the enclosing transaction.
            if failed:
                conn.needs_rollback = True
            return
        if failed or conn.needs_rollback:
            try:
                conn.savepoint_rollback_to(sid)
                conn.savepoint_release(sid)
            except Error:
                conn.needs_rollback = True
                raise
            conn.needs_rollback = False
            conn.run_on_commit = [hook for hook in conn.run_on_commit if sid not in hook[0]]
        else:
            try:
                conn.savepoint_release(sid)
            except Error:
                conn.needs_rollback = True
                raise

    def _exit_outermost(self, conn: Any, failed: bool) -> None:
        # The block stays open until COMMIT or ROLLBACK has run, so neither can
        # reach a reopened session: a COMMIT there would "succeed" with nothing in it.
        committed = False
        try:
            committed = self._end_transaction(conn, failed)
        finally:
            conn.in_atomic_block = False
            conn.needs_rollback = False
            if not committed:  # never to run, nor to wait for the next transaction's COMMIT
                conn.run_on_commit = []
        if committed:
            conn.run_and_clear_commit_hooks()

    @staticmethod
    def _end_transaction(conn: Any, failed: bool) -> bool:
        """COMMIT, or ROLLBACK after a failure; whether the transaction committed."""
        if conn.connection is None:
            # Lost or closed inside the block, and said so then: the server has rolled it back.
            return False
        if failed or conn.needs_rollback:
            try:
                conn.rollback()
            except Error:
                conn.close()
            return False
        try:
            conn.commit()
        except Error:
            if conn.connection is not None:
                try:
                    conn.rollback()
                except Error:
                    conn.close()
            raise
        return True


def atomic(using: Any = None, savepoint: bool = True, durable: bool = False) -> Any:
    """Run a block in a transaction: `with atomic():` or `@atomic`."""
    if callable(using):
        return Atomic(DEFAULT_DB_ALIAS, savepoint, durable)(using)
    return Atomic(using, savepoint, durable)


def on_commit(func: Callable[[], Any], using: str | None = None, robust: bool = False) -> None:
    """Call `func` after the current transaction commits (now, if none is open)."""
    get_connection(using).on_commit(func, robust=robust)


def set_rollback(rollback: bool, using: str | None = None) -> None:
    """Mark the innermost atomic block to roll back (or not) when it exits."""
    conn = get_connection(using)
    if not conn.in_atomic_block:
        raise TransactionManagementError("set_rollback() only works inside an atomic block.")
    conn.needs_rollback = rollback


def get_rollback(using: str | None = None) -> bool:
    conn = get_connection(using)
    if not conn.in_atomic_block:
        raise TransactionManagementError("get_rollback() only works inside an atomic block.")
    return conn.needs_rollback


def get_autocommit(using: str | None = None) -> bool:
    """Whether statements commit one by one (outside atomic() and not after set_autocommit(False))."""
    return get_connection(using).get_autocommit()


def set_autocommit(autocommit: bool, using: str | None = None) -> None:
    """Manage transactions by hand: after `set_autocommit(False)` nothing commits until `commit()`."""
    get_connection(using).set_autocommit(autocommit)


def commit(using: str | None = None) -> None:
    """Commit the transaction set_autocommit(False) left open; forbidden inside atomic()."""
    get_connection(using).commit_manual()


def rollback(using: str | None = None) -> None:
    """Roll back the transaction set_autocommit(False) left open; forbidden inside atomic()."""
    get_connection(using).rollback_manual()


def savepoint(using: str | None = None) -> str | None:
    """Create a savepoint and return its id; None outside a transaction (nothing to save)."""
    return get_connection(using).savepoint()


def savepoint_rollback(sid: str, using: str | None = None) -> None:
    get_connection(using).savepoint_rollback(sid)


def savepoint_commit(sid: str, using: str | None = None) -> None:
    get_connection(using).savepoint_commit(sid)


def clean_savepoints(using: str | None = None) -> None:
    """Restart savepoint numbering (ids only need to be unique inside one transaction)."""
    get_connection(using).savepoint_count = 0


def mark_for_rollback_on_error(using: str | None = None) -> Any:
    """Context manager used by ORM methods: an error inside dooms the transaction."""
    return _MarkForRollback(using)


class _MarkForRollback:
    def __init__(self, using: str | None):
        self.using = using

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            conn = get_connection(self.using)
            if conn.in_atomic_block:
                conn.needs_rollback = True
                conn.rollback_exc = exc
