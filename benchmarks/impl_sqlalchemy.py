"""SQLAlchemy 2 ORM style: DeclarativeBase with Mapped[] columns, Session, select().

A new Session per workload call, as the docs recommend (one per unit of work);
inside it the identity map does its usual job. Bulk inserts use the ORM bulk
INSERT form (session.execute(insert(Model), list_of_dicts)). SQLAlchemy has no
per-object save(): the save loop changes attributes and the commit flushes them.
Deletes cascade in the database (ondelete="CASCADE" with passive_deletes), the
pattern the docs give for one-to-many cascades; on SQLite that needs the
foreign_keys pragma, set by the documented connect-event recipe.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import ForeignKey, String, create_engine, event, func, insert, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
)

from benchmarks.dataset import SAVED_SUFFIX
from benchmarks.target import Target


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "bench_author"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    books: Mapped[list[Book]] = relationship(
        back_populates="author", cascade="all, delete-orphan", passive_deletes=True
    )


class Book(Base):
    __tablename__ = "bench_book"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("bench_author.id", ondelete="CASCADE"), index=True)
    author: Mapped[Author] = relationship(back_populates="books")


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class SqlAlchemyBench:
    def __init__(self, target: Target) -> None:
        if target.backend == "sqlite":
            self.engine = create_engine(target.url)
            event.listen(self.engine, "connect", _enable_sqlite_foreign_keys)
        else:
            self.engine = create_engine(target.url.replace("postgresql://", "postgresql+psycopg://"))

    def reset(self) -> None:
        Base.metadata.drop_all(self.engine)
        Base.metadata.create_all(self.engine)

    def bulk_insert(self, authors: list[tuple], books: list[tuple]) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(insert(Author), [{"id": i, "name": n} for i, n in authors])
            session.execute(insert(Book), [{"id": i, "title": t, "author_id": a} for i, t, a in books])

    def bulk_insert_objects(self, authors: list[tuple], books: list[tuple]) -> None:
        with Session(self.engine) as session, session.begin():
            by_id = {i: Author(id=i, name=n) for i, n in authors}
            session.add_all(by_id.values())
            session.add_all([Book(id=i, title=t, author=by_id[a]) for i, t, a in books])

    def load_all(self) -> list[Any]:
        with Session(self.engine) as session:
            return list(session.scalars(select(Book)))

    def get_by_pk(self, ids: list[int]) -> list[Any]:
        with Session(self.engine) as session:
            return [session.get(Book, pk) for pk in ids]

    def filtered_count(self, prefixes: list[str]) -> list[int]:
        with Session(self.engine) as session:
            return [session.scalar(select(func.count(Book.id)).where(Book.title.startswith(p))) for p in prefixes]

    def reverse_loop(self) -> list[tuple[Any, list[Any]]]:
        with Session(self.engine) as session:
            return [(a, list(a.books)) for a in session.scalars(select(Author))]

    def prefetch(self) -> list[tuple[Any, list[Any]]]:
        with Session(self.engine) as session:
            authors = session.scalars(select(Author).options(selectinload(Author.books)))
            return [(a, list(a.books)) for a in authors]

    def select_related(self) -> list[tuple[Any, Any]]:
        with Session(self.engine) as session:
            books = session.scalars(select(Book).options(joinedload(Book.author)))
            return [(b, b.author) for b in books]

    def join_distinct(self, prefixes: list[str]) -> list[list[Any]]:
        with Session(self.engine) as session:
            return [
                list(session.scalars(select(Author).join(Author.books).where(Book.title.startswith(p)).distinct()))
                for p in prefixes
            ]

    def annotate_count(self, repeats: int) -> list[list[tuple[Any, int]]]:
        with Session(self.engine) as session:
            return [[(a, n) for a, n in session.execute(_authors_with_book_counts())] for _ in range(repeats)]

    def save_loop(self, upto: int) -> None:
        with Session(self.engine) as session, session.begin():
            for book in session.scalars(select(Book).where(Book.id <= upto)):
                book.title += SAVED_SUFFIX

    def delete_cascade(self, author_ids: list[int]) -> None:
        with Session(self.engine) as session, session.begin():
            for author in session.scalars(select(Author).where(Author.id.in_(author_ids))):
                session.delete(author)

    def dump(self) -> tuple[list[tuple], list[tuple]]:
        with Session(self.engine) as session:
            authors = session.execute(select(Author.id, Author.name).order_by(Author.id))
            books = session.execute(select(Book.id, Book.title, Book.author_id).order_by(Book.id))
            return [tuple(r) for r in authors], [tuple(r) for r in books]

    def iterate(self) -> Iterator[Any]:
        with Session(self.engine) as session:
            yield from session.scalars(select(Book).execution_options(yield_per=2000))

    def close(self) -> None:
        self.engine.dispose()


def _authors_with_book_counts() -> Any:
    return select(Author, func.count(Book.id).label("n")).outerjoin(Author.books).group_by(Author.id)


def connect(target: Target) -> SqlAlchemyBench:
    return SqlAlchemyBench(target)
