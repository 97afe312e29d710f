"""The cursor `connection.cursor()` gives users for raw SQL, as Django's does.

Statements run through the connection, so raw SQL gets what ORM queries get:
relata's exceptions, the broken-transaction rule and query listeners. It is a
context manager. Placeholders are written `%s` on every backend and a literal
percent sign `%%` when parameters are sent; each backend's operations turn that
into what its driver reads (`format_raw_sql`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class CursorWrapper:
    """A driver cursor whose statements and fetches report errors as relata's."""

    __slots__ = ("cursor", "db")

    def __init__(self, db: Any, cursor: Any):
        self.db = db
        self.cursor = cursor

    def execute(self, sql: str, params: Any = None) -> CursorWrapper:
        sql, params = self.db.ops.format_raw_sql(sql, params)
        self.db.run_on_cursor(self.cursor, sql, params)
        return self

    def executemany(self, sql: str, param_list: Any) -> CursorWrapper:
        param_list = list(param_list)
        if not param_list:
            return self  # nothing to run, as the drivers agree on no other answer
        sql, _ = self.db.ops.format_raw_sql(sql, param_list[0])
        self.db.run_many_on_cursor(self.cursor, sql, param_list)
        return self

    def fetchone(self) -> Any:
        return self._fetch(self.cursor.fetchone)

    def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._fetch(self.cursor.fetchmany, self.cursor.arraysize if size is None else size)

    def fetchall(self) -> list[Any]:
        return self._fetch(self.cursor.fetchall)

    def _fetch(self, method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except Exception as error:
            self.db.raise_driver_error(error)

    def __iter__(self) -> Iterator[Any]:
        while True:
            rows = self.fetchmany()
            if not rows:
                return
            yield from rows

    def close(self) -> None:
        try:
            self.cursor.close()
        except Exception as error:
            self.db.raise_driver_error(error)

    def __enter__(self) -> CursorWrapper:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
            return
        try:  # closing must not hide the error that ended the block
            self.cursor.close()
        except Exception:
            pass

    def __getattr__(self, name: str) -> Any:
        # description, rowcount, lastrowid, arraysize ...: the driver's own.
        return getattr(self.cursor, name)
