"""The workloads written with Django's ORM, as its documentation teaches.

Imported only after impl_django has configured settings and called django.setup().
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Count

from benchmarks.dataset import SAVED_SUFFIX
from benchmarks.django_app.models import Author, Book


class DjangoBench:
    def reset(self) -> None:
        existing = set(connection.introspection.table_names())
        with connection.schema_editor() as editor:
            for model in (Book, Author):
                if model._meta.db_table in existing:
                    editor.delete_model(model)
            for model in (Author, Book):
                editor.create_model(model)

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
        connection.close()
