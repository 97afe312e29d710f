"""Peewee's documented idioms: a DatabaseProxy bound at run time, backrefs, prefetch().

Bulk inserts use insert_many() in chunks inside atomic(), as the docs advise.
Deletes cascade in the database (on_delete="CASCADE", with the foreign_keys
pragma on SQLite, as the docs recommend). Streaming uses .iterator() on SQLite and
playhouse's ServerSide() inside a transaction on PostgreSQL, per the docs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from peewee import (
    JOIN,
    CharField,
    DatabaseProxy,
    ForeignKeyField,
    Model,
    SqliteDatabase,
    chunked,
    fn,
    prefetch,
)

from benchmarks.dataset import SAVED_SUFFIX
from benchmarks.target import Target

database = DatabaseProxy()
INSERT_BATCH = 1000


class BaseModel(Model):
    class Meta:
        database = database


class Author(BaseModel):
    name = CharField(max_length=200)

    class Meta:
        table_name = "bench_author"


class Book(BaseModel):
    title = CharField(max_length=200)
    author = ForeignKeyField(Author, backref="books", on_delete="CASCADE")  # indexed

    class Meta:
        table_name = "bench_book"


class PeeweeBench:
    def __init__(self, target: Target) -> None:
        self.backend = target.backend
        if target.backend == "sqlite":
            database.initialize(SqliteDatabase(target.location, pragmas={"foreign_keys": 1}))
        else:
            from playhouse.postgres_ext import PostgresqlExtDatabase

            params = target.pg_params()
            database.initialize(PostgresqlExtDatabase(params.pop("dbname"), **params))
        database.connect()

    def reset(self) -> None:
        database.drop_tables([Author, Book], safe=True)
        database.create_tables([Author, Book])

    def bulk_insert(self, authors: list[tuple], books: list[tuple]) -> None:
        with database.atomic():
            for batch in chunked(authors, INSERT_BATCH):
                Author.insert_many(batch, fields=[Author.id, Author.name]).execute()
            for batch in chunked(books, INSERT_BATCH):
                Book.insert_many(batch, fields=[Book.id, Book.title, Book.author]).execute()

    def bulk_insert_objects(self, authors: list[tuple], books: list[tuple]) -> None:
        with database.atomic():
            by_id = {i: Author(id=i, name=n) for i, n in authors}
            Author.bulk_create(list(by_id.values()), batch_size=INSERT_BATCH)
            Book.bulk_create([Book(id=i, title=t, author=by_id[a]) for i, t, a in books], batch_size=INSERT_BATCH)

    def load_all(self) -> list[Any]:
        return list(Book.select())

    def get_by_pk(self, ids: list[int]) -> list[Any]:
        return [Book.get_by_id(pk) for pk in ids]

    def filtered_count(self, prefixes: list[str]) -> list[int]:
        return [Book.select().where(Book.title.startswith(p)).count() for p in prefixes]

    def reverse_loop(self) -> list[tuple[Any, list[Any]]]:
        return [(a, list(a.books)) for a in Author.select()]

    def prefetch(self) -> list[tuple[Any, list[Any]]]:
        return [(a, a.books) for a in prefetch(Author.select(), Book.select())]

    def select_related(self) -> list[tuple[Any, Any]]:
        return [(b, b.author) for b in Book.select(Book, Author).join(Author)]

    def join_distinct(self, prefixes: list[str]) -> list[list[Any]]:
        return [list(Author.select().join(Book).where(Book.title.startswith(p)).distinct()) for p in prefixes]

    def annotate_count(self, repeats: int) -> list[list[tuple[Any, int]]]:
        return [[(a, a.n) for a in _authors_with_book_counts()] for _ in range(repeats)]

    def save_loop(self, upto: int) -> None:
        with database.atomic():
            for book in Book.select().where(Book.id <= upto):
                book.title += SAVED_SUFFIX
                book.save()

    def delete_cascade(self, author_ids: list[int]) -> None:
        Author.delete().where(Author.id.in_(author_ids)).execute()

    def dump(self) -> tuple[list[tuple], list[tuple]]:
        authors = Author.select(Author.id, Author.name).order_by(Author.id).tuples()
        books = Book.select(Book.id, Book.title, Book.author).order_by(Book.id).tuples()
        return list(authors), list(books)

    def iterate(self) -> Iterator[Any]:
        if self.backend == "sqlite":
            yield from Book.select().iterator()
            return
        from playhouse.postgres_ext import ServerSide

        with database.atomic():
            yield from ServerSide(Book.select(), array_size=2000)

    def close(self) -> None:
        database.close()


def _authors_with_book_counts() -> Any:
    return Author.select(Author, fn.COUNT(Book.id).alias("n")).join(Book, JOIN.LEFT_OUTER).group_by(Author)


def connect(target: Target) -> PeeweeBench:
    return PeeweeBench(target)
