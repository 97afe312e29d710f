"""The workloads: what each one runs, the answer it must give, and how answers are compared.

Every implementation module offers one method per workload (see Implementation).
A workload's answer is normalised to plain tuples and compared with the answer
computed from the Dataset in pure Python, so a wrong implementation fails loudly
even when it is the only one selected.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from benchmarks.dataset import SAVED_SUFFIX, AuthorRow, BookRow, Dataset


class Implementation(Protocol):
    """What each impl_<name>.connect(target) returns.

    Returned objects need .id and .name (authors) or .id, .title, .author_id (books).
    """

    def reset(self) -> None: ...  # drop and create empty tables
    def bulk_insert(self, authors: list[AuthorRow], books: list[BookRow]) -> None: ...
    def bulk_insert_objects(self, authors: list[AuthorRow], books: list[BookRow]) -> None: ...
    def load_all(self) -> list[Any]: ...
    def get_by_pk(self, ids: list[int]) -> list[Any]: ...
    def filtered_count(self, prefixes: list[str]) -> list[int]: ...
    def reverse_loop(self) -> list[tuple[Any, list[Any]]]: ...
    def prefetch(self) -> list[tuple[Any, list[Any]]]: ...
    def select_related(self) -> list[tuple[Any, Any]]: ...
    def join_distinct(self, prefixes: list[str]) -> list[list[Any]]: ...
    def annotate_count(self, repeats: int) -> list[list[tuple[Any, int]]]: ...
    def save_loop(self, upto: int) -> None: ...
    def delete_cascade(self, author_ids: list[int]) -> None: ...
    def dump(self) -> tuple[list[AuthorRow], list[BookRow]]: ...
    def iterate(self) -> Iterator[Any]: ...
    def close(self) -> None: ...


# How a workload finds the database: "empty" tables, "fresh" data reloaded before
# every run (it mutates), or the "shared" data, which it only reads.
EMPTY, FRESH, SHARED = "empty", "fresh", "shared"


@dataclass(frozen=True)
class Workload:
    name: str
    summary: str
    state: str
    run: Callable[[Implementation, Dataset], object]
    expected: Callable[[Dataset], object]
    answer: Callable[[Implementation, object], object]


def book_row(book: Any) -> BookRow:
    return (book.id, book.title, book.author_id)


def author_row(author: Any) -> AuthorRow:
    return (author.id, author.name)


def _table_state(impl: Implementation, _result: object) -> object:
    authors, books = impl.dump()
    return sorted(map(tuple, authors)), sorted(map(tuple, books))


def _books_per_author(result: Any) -> object:
    return sorted((author_row(a), tuple(sorted(map(book_row, books)))) for a, books in result)


def _expected_books_per_author(data: Dataset) -> object:
    by_author = defaultdict(list)
    for book in data.books:
        by_author[book[2]].append(book)
    return [(a, tuple(by_author[a[0]])) for a in data.authors]


def _expected_select_related(data: Dataset) -> object:
    authors = dict(data.authors)
    return [(*b, b[2], authors[b[2]]) for b in data.books]


def _expected_distinct(data: Dataset) -> object:
    authors = dict(data.authors)
    return [sorted({(b[2], authors[b[2]]) for b in data.books if b[1].startswith(p)}) for p in data.distinct_prefixes]


def _expected_annotate(data: Dataset) -> object:
    counts = Counter(b[2] for b in data.books)
    once = [(*a, counts[a[0]]) for a in data.authors]
    return [once] * data.annotate_repeats


def _expected_saved(data: Dataset) -> object:
    books = [(i, t + SAVED_SUFFIX if i <= data.save_upto else t, a) for i, t, a in data.books]
    return data.authors, books


def _expected_deleted(data: Dataset) -> object:
    gone = set(data.delete_ids)
    return (
        [a for a in data.authors if a[0] not in gone],
        [b for b in data.books if b[2] not in gone],
    )


WORKLOADS = [
    Workload(
        "bulk_insert", "insert every author and book in one transaction", EMPTY,
        lambda impl, d: impl.bulk_insert(d.authors, d.books),
        lambda d: (d.authors, d.books),
        _table_state,
    ),
    Workload(
        "bulk_insert_objects", "the same insert as users spell it: each book built with its author object", EMPTY,
        lambda impl, d: impl.bulk_insert_objects(d.authors, d.books),
        lambda d: (d.authors, d.books),
        _table_state,
    ),
    Workload(
        "load_all", "load every book as a model instance", SHARED,
        lambda impl, d: impl.load_all(),
        lambda d: d.books,
        lambda impl, r: sorted(map(book_row, r)),
    ),
    Workload(
        "get_by_pk", "fetch books one at a time by primary key", SHARED,
        lambda impl, d: impl.get_by_pk(d.get_ids),
        lambda d: [d.books[i - 1] for i in d.get_ids],
        lambda impl, r: list(map(book_row, r)),
    ),
    Workload(
        "filtered_count", "200 counts of books whose title starts with a prefix", SHARED,
        lambda impl, d: impl.filtered_count(d.count_prefixes),
        lambda d: [sum(b[1].startswith(p) for b in d.books) for p in d.count_prefixes],
        lambda impl, r: list(map(int, r)),
    ),
    Workload(
        "reverse_loop", "load authors, then each author's books (N+1 queries)", SHARED,
        lambda impl, d: impl.reverse_loop(),
        _expected_books_per_author,
        lambda impl, r: _books_per_author(r),
    ),
    Workload(
        "prefetch", "load authors with all their books prefetched", SHARED,
        lambda impl, d: impl.prefetch(),
        _expected_books_per_author,
        lambda impl, r: _books_per_author(r),
    ),
    Workload(
        "select_related", "load every book with its author joined in", SHARED,
        lambda impl, d: impl.select_related(),
        _expected_select_related,
        lambda impl, r: sorted(book_row(b) + author_row(a) for b, a in r),
    ),
    Workload(
        "join_distinct", "50 author queries filtered across the reverse FK, distinct", SHARED,
        lambda impl, d: impl.join_distinct(d.distinct_prefixes),
        _expected_distinct,
        lambda impl, r: [sorted(map(author_row, authors)) for authors in r],
    ),
    Workload(
        "annotate_count", "20 loads of every author annotated with its book count", SHARED,
        lambda impl, d: impl.annotate_count(d.annotate_repeats),
        _expected_annotate,
        lambda impl, r: [sorted((*author_row(a), int(n)) for a, n in rows) for rows in r],
    ),
    Workload(
        "save_loop", "load 2,000 books and save() each, in one transaction", FRESH,
        lambda impl, d: impl.save_loop(d.save_upto),
        _expected_saved,
        _table_state,
    ),
    Workload(
        "delete_cascade", "delete 200 authors; their books go by CASCADE", FRESH,
        lambda impl, d: impl.delete_cascade(d.delete_ids),
        _expected_deleted,
        _table_state,
    ),
]  # fmt: skip

BY_NAME = {w.name: w for w in WORKLOADS}
ITERATOR = "iterator"  # run separately, in a subprocess per implementation (memory.py)


def iterator_answer(books: Iterator[Any]) -> tuple[int, int, int]:
    """Consume a stream of books the same way for every implementation."""
    count = id_sum = title_chars = 0
    for book in books:
        count += 1
        id_sum += book.id
        title_chars += len(book.title)
    return count, id_sum, title_chars


def expected_iterator_answer(data: Dataset) -> tuple[int, int, int]:
    return len(data.books), sum(b[0] for b in data.books), sum(len(b[1]) for b in data.books)


def describe_mismatch(expected: object, got: object) -> str:
    """One line saying where two normalised answers first differ."""
    if isinstance(expected, list | tuple) and isinstance(got, list | tuple):
        if len(expected) != len(got):
            return f"expected {len(expected)} items, got {len(got)}"
        for index, (want, have) in enumerate(zip(expected, got, strict=True)):
            if want != have:
                return f"item {index}: " + describe_mismatch(want, have)
    return f"expected {_short(expected)}, got {_short(got)}"


def _short(value: object, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
