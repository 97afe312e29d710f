"""The baseline: the DB-API driver (sqlite3 or psycopg 3) and hand-written SQL.

Rows become instances of small __slots__ classes, so "load into objects" costs
the same kind of work an ORM does. Each workload issues the statements an ORM
would need at minimum, the way a careful programmer would write them by hand.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks.dataset import SAVED_SUFFIX
from benchmarks.target import Target

BOOK_COLUMNS = "id, title, author_id"


class Author:
    __slots__ = ("id", "name")

    def __init__(self, id: int, name: str) -> None:
        self.id = id
        self.name = name


class Book:
    __slots__ = ("author", "author_id", "id", "title")

    def __init__(self, id: int, title: str, author_id: int, author: Author | None = None) -> None:
        self.id = id
        self.title = title
        self.author_id = author_id
        self.author = author


class SqliteDriver:
    """sqlite3 in autocommit mode, with explicit BEGIN/COMMIT where a transaction is wanted."""

    param = "?"

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA foreign_keys = ON")  # as Django and the peers run
        self.max_params = self.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self.serial = "INTEGER PRIMARY KEY"

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: list[Any]) -> None:
        self.conn.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def where_in(self, column: str, values: list[int]) -> Iterator[tuple[str, Any]]:
        """`column IN (...)` clauses with their parameters, split to fit SQLite's limit."""
        for start in range(0, len(values), self.max_params):
            chunk = values[start : start + self.max_params]
            yield f"{column} IN ({', '.join('?' * len(chunk))})", chunk

    def stream(self, sql: str) -> Iterator[tuple[Any, ...]]:
        yield from self.conn.execute(sql)  # sqlite3 steps through the result lazily

    def close(self) -> None:
        self.conn.close()


class PostgresqlDriver:
    """psycopg 3 in autocommit mode; transactions through conn.transaction()."""

    param = "%s"

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.serial = "SERIAL PRIMARY KEY"

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: list[Any]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(sql, rows)

    def transaction(self) -> Any:
        return self.conn.transaction()

    def where_in(self, column: str, values: list[int]) -> Iterator[tuple[str, Any]]:
        yield f"{column} = ANY(%s)", [values]

    def stream(self, sql: str) -> Iterator[tuple[Any, ...]]:
        """A server-side cursor inside a transaction, so the client holds one batch at a time."""
        with self.conn.transaction(), self.conn.cursor(name="stream_books") as cursor:
            cursor.itersize = 2000
            cursor.execute(sql)
            yield from cursor

    def close(self) -> None:
        self.conn.close()


class RawBench:
    def __init__(self, target: Target) -> None:
        if target.backend == "sqlite":
            self.db: Any = SqliteDriver(target.location)
        else:
            self.db = PostgresqlDriver(target.location)
        self.p = self.db.param

    def reset(self) -> None:
        db = self.db
        db.execute("DROP TABLE IF EXISTS bench_book")
        db.execute("DROP TABLE IF EXISTS bench_author")
        db.execute(f"CREATE TABLE bench_author (id {db.serial}, name varchar(200) NOT NULL)")
        db.execute(
            f"CREATE TABLE bench_book (id {db.serial}, title varchar(200) NOT NULL,"
            " author_id integer NOT NULL REFERENCES bench_author (id))"
        )
        db.execute("CREATE INDEX bench_book_author_id ON bench_book (author_id)")

    def bulk_insert(self, authors: list[tuple], books: list[tuple]) -> None:
        p = self.p
        with self.db.transaction():
            self.db.executemany(f"INSERT INTO bench_author (id, name) VALUES ({p}, {p})", authors)
            self.db.executemany(f"INSERT INTO bench_book ({BOOK_COLUMNS}) VALUES ({p}, {p}, {p})", books)

    def bulk_insert_objects(self, authors: list[tuple], books: list[tuple]) -> None:
        self.bulk_insert(authors, books)  # a driver has no objects: the same rows, the same statements

    def load_all(self) -> list[Book]:
        return [Book(*row) for row in self.db.execute(f"SELECT {BOOK_COLUMNS} FROM bench_book")]

    def get_by_pk(self, ids: list[int]) -> list[Book]:
        sql = f"SELECT {BOOK_COLUMNS} FROM bench_book WHERE id = {self.p}"
        execute = self.db.execute
        return [Book(*execute(sql, (pk,)).fetchone()) for pk in ids]

    def filtered_count(self, prefixes: list[str]) -> list[int]:
        sql = f"SELECT COUNT(*) FROM bench_book WHERE title LIKE {self.p}"
        return [self.db.execute(sql, (prefix + "%",)).fetchone()[0] for prefix in prefixes]

    def _authors(self) -> list[Author]:
        return [Author(*row) for row in self.db.execute("SELECT id, name FROM bench_author")]

    def reverse_loop(self) -> list[tuple[Author, list[Book]]]:
        sql = f"SELECT {BOOK_COLUMNS} FROM bench_book WHERE author_id = {self.p}"
        execute = self.db.execute
        return [(a, [Book(*row) for row in execute(sql, (a.id,))]) for a in self._authors()]

    def prefetch(self) -> list[tuple[Author, list[Book]]]:
        authors = self._authors()
        books: dict[int, list[Book]] = {a.id: [] for a in authors}
        for clause, params in self.db.where_in("author_id", [a.id for a in authors]):
            for row in self.db.execute(f"SELECT {BOOK_COLUMNS} FROM bench_book WHERE {clause}", params):
                books[row[2]].append(Book(*row))
        return [(a, books[a.id]) for a in authors]

    def select_related(self) -> list[tuple[Book, Author]]:
        sql = (
            "SELECT b.id, b.title, b.author_id, a.id, a.name"
            " FROM bench_book b INNER JOIN bench_author a ON a.id = b.author_id"
        )
        books = [Book(i, t, ai, Author(a, n)) for i, t, ai, a, n in self.db.execute(sql)]
        return [(b, b.author) for b in books]

    def join_distinct(self, prefixes: list[str]) -> list[list[Author]]:
        sql = (
            "SELECT DISTINCT a.id, a.name FROM bench_author a"
            f" INNER JOIN bench_book b ON b.author_id = a.id WHERE b.title LIKE {self.p}"
        )
        execute = self.db.execute
        return [[Author(*row) for row in execute(sql, (prefix + "%",))] for prefix in prefixes]

    def annotate_count(self, repeats: int) -> list[list[tuple[Author, int]]]:
        sql = (
            "SELECT a.id, a.name, COUNT(b.id) FROM bench_author a"
            " LEFT OUTER JOIN bench_book b ON b.author_id = a.id GROUP BY a.id, a.name"
        )
        execute = self.db.execute
        return [[(Author(i, n), c) for i, n, c in execute(sql)] for _ in range(repeats)]

    def save_loop(self, upto: int) -> None:
        """One UPDATE per object, as save() does, inside one transaction."""
        p = self.p
        update = f"UPDATE bench_book SET title = {p}, author_id = {p} WHERE id = {p}"
        execute = self.db.execute
        with self.db.transaction():
            rows = execute(f"SELECT {BOOK_COLUMNS} FROM bench_book WHERE id <= {p}", (upto,))
            for book in [Book(*row) for row in rows]:
                book.title += SAVED_SUFFIX
                execute(update, (book.title, book.author_id, book.id))

    def delete_cascade(self, author_ids: list[int]) -> None:
        """The application-level cascade an ORM performs: the books first, then the authors."""
        with self.db.transaction():
            for clause, params in self.db.where_in("author_id", author_ids):
                self.db.execute(f"DELETE FROM bench_book WHERE {clause}", params)
            for clause, params in self.db.where_in("id", author_ids):
                self.db.execute(f"DELETE FROM bench_author WHERE {clause}", params)

    def dump(self) -> tuple[list[tuple], list[tuple]]:
        execute = self.db.execute
        authors = execute("SELECT id, name FROM bench_author ORDER BY id").fetchall()
        books = execute(f"SELECT {BOOK_COLUMNS} FROM bench_book ORDER BY id").fetchall()
        return authors, books

    def iterate(self) -> Iterator[Book]:
        for row in self.db.stream(f"SELECT {BOOK_COLUMNS} FROM bench_book"):
            yield Book(*row)

    def close(self) -> None:
        self.db.close()


def connect(target: Target) -> RawBench:
    return RawBench(target)
