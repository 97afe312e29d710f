"""relata, written exactly as the Django implementation is: same models, same queries.

relata's public API is Django's, so this module should read like
django_app/bench.py with `relata` in place of `django`. No settings and no
setup() call: relata.connect(url) is all the configuration it needs. On SQLite
it keeps the file's default journal (relata's own default is WAL), so every
implementation writes the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import relata
from benchmarks.dataset import SAVED_SUFFIX
from benchmarks.target import Target
from relata import exceptions, models, transaction
from relata.models import Count
from relata.testing import create_tables, drop_tables


class Author(models.Model):
    name = models.CharField(max_length=200)

    class Meta:
        app_label = "bench"


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)  # indexed by default

    class Meta:
        app_label = "bench"


class RelataBench:
    def __init__(self, target: Target) -> None:
        options = {"journal_mode": ""} if target.backend == "sqlite" else {}
        self.connection = relata.connect(target.url, **options)

    def reset(self) -> None:
        try:
            drop_tables(Author, Book)
        except exceptions.DatabaseError:
            pass  # the first run on a fresh database: nothing to drop
        create_tables(Author, Book)

    def bulk_insert(self, authors: list[tuple], books: list[tuple]) -> None:
        with transaction.atomic():
            Author.objects.bulk_create([Author(id=i, name=n) for i, n in authors])
            Book.objects.bulk_create([Book(id=i, title=t, author_id=a) for i, t, a in books])

    def bulk_insert_objects(self, authors: list[tuple], books: list[tuple]) -> None:
        with transaction.atomic():
            made = Author.objects.bulk_create([Author(id=i, name=n) for i, n in authors])
            by_id = {author.id: author for author in made}
            Book.objects.bulk_create([Book(id=i, title=t, author=by_id[a]) for i, t, a in books])

    def load_all(self) -> list[Any]:
        return list(Book.objects.all())

    def get_by_pk(self, ids: list[int]) -> list[Any]:
        return [Book.objects.get(pk=pk) for pk in ids]

    def filtered_count(self, prefixes: list[str]) -> list[int]:
        return [Book.objects.filter(title__startswith=p).count() for p in prefixes]

    def reverse_loop(self) -> list[tuple[Any, list[Any]]]:
        return [(a, list(a.book_set.all())) for a in Author.objects.all()]

    def prefetch(self) -> list[tuple[Any, list[Any]]]:
        authors = Author.objects.prefetch_related("book_set")
        return [(a, list(a.book_set.all())) for a in authors]

    def select_related(self) -> list[tuple[Any, Any]]:
        return [(b, b.author) for b in Book.objects.select_related("author")]

    def join_distinct(self, prefixes: list[str]) -> list[list[Any]]:
        return [list(Author.objects.filter(book__title__startswith=p).distinct()) for p in prefixes]

    def annotate_count(self, repeats: int) -> list[list[tuple[Any, int]]]:
        return [[(a, a.n) for a in Author.objects.annotate(n=Count("book"))] for _ in range(repeats)]

    def save_loop(self, upto: int) -> None:
        with transaction.atomic():
            for book in Book.objects.filter(pk__lte=upto):
                book.title += SAVED_SUFFIX
                book.save()

    def delete_cascade(self, author_ids: list[int]) -> None:
        Author.objects.filter(pk__in=author_ids).delete()

    def dump(self) -> tuple[list[tuple], list[tuple]]:
        authors = Author.objects.order_by("id").values_list("id", "name")
        books = Book.objects.order_by("id").values_list("id", "title", "author_id")
        return list(authors), list(books)

    def iterate(self) -> Iterator[Any]:
        return Book.objects.iterator(chunk_size=2000)

    def close(self) -> None:
        self.connection.close()


def connect(target: Target) -> RelataBench:
    return RelataBench(target)
