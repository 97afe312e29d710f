"""The classes that turn a QuerySet's rows into its results, one per result shape.

`QuerySet._iterable_class` names one of them: ModelIterable (instances),
ValuesIterable (dicts), ValuesListIterable (tuples), NamedValuesListIterable
(named tuples) or FlatValuesListIterable (one value per row). A custom QuerySet
may set a subclass of its own; iterating the queryset goes through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from relata.models.query import hydrate, results

#: Rows fetched per round trip by iterator() (Django's GET_ITERATOR_CHUNK_SIZE).
ITERATOR_CHUNK_SIZE = 2000


class BaseIterable:
    """Runs `queryset`'s statement and yields its results; subclasses say what a row becomes."""

    def __init__(self, queryset: Any, chunked_fetch: bool = False, chunk_size: int = ITERATOR_CHUNK_SIZE):
        self.queryset = queryset
        self.chunked_fetch = chunked_fetch
        self.chunk_size = chunk_size

    def __iter__(self) -> Iterator[Any]:
        return iter(self.load())

    def load(self) -> Any:
        """The results: a list when all rows were fetched at once, else an iterator over chunks."""
        fetched = fetch_rows(self.queryset, self.chunked_fetch, self.chunk_size)
        return [] if fetched is None else self.from_rows(*fetched)

    def from_rows(self, rows: Any, plan: Any, connection: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define from_rows(rows, plan, connection).")


def fetch_rows(queryset: Any, chunked_fetch: bool = False, chunk_size: int = ITERATOR_CHUNK_SIZE) -> Any:
    """(rows, plan, connection) for the queryset's statement, or None when it can match no row."""
    cursor, plan, connection = queryset._execute(streaming=chunked_fetch)
    if cursor is None:
        return None
    if chunked_fetch:
        return connection.fetch_chunks(cursor, chunk_size), plan, connection
    try:
        rows = cursor.fetchall()
    except Exception as error:  # SQLite computes rows as they are fetched
        connection.raise_driver_error(error)
    return rows, plan, connection


def model_instances(queryset: Any) -> list[Any]:
    """What ModelIterable gives, without making one: evaluating a plain queryset, the common case."""
    fetched = fetch_rows(queryset)
    if fetched is None:
        return []
    rows, plan, connection = fetched
    return results.model_results(rows, plan, connection, queryset.db, queryset._known_related)


class ModelIterable(BaseIterable):
    """Model instances, with their select_related objects and the objects they are known to point at."""

    def from_rows(self, rows: Any, plan: Any, connection: Any) -> Any:
        queryset = self.queryset
        return results.model_results(rows, plan, connection, queryset.db, queryset._known_related)


class ValuesIterable(BaseIterable):
    """values(): a dict per row, keyed by the names asked for."""

    def from_rows(self, rows: Any, plan: Any, connection: Any) -> Iterator[dict[str, Any]]:
        convert = hydrate.row_converter(plan, connection)
        names = _names(plan, self.queryset._fields)
        for row in rows:
            yield dict(zip(names, convert(row), strict=False))


class ValuesListIterable(BaseIterable):
    """values_list(): a tuple per row."""

    def from_rows(self, rows: Any, plan: Any, connection: Any) -> Iterator[tuple[Any, ...]]:
        convert = hydrate.row_converter(plan, connection)
        for row in rows:
            yield tuple(convert(row))


class NamedValuesListIterable(BaseIterable):
    """values_list(named=True): a namedtuple per row, its fields the names asked for."""

    def from_rows(self, rows: Any, plan: Any, connection: Any) -> Iterator[tuple[Any, ...]]:
        convert = hydrate.row_converter(plan, connection)
        row_class = hydrate.named_row_class(tuple(_names(plan, self.queryset._fields)))
        for row in rows:
            yield row_class(*convert(row))


class FlatValuesListIterable(BaseIterable):
    """values_list(flat=True): the single value of each row."""

    def from_rows(self, rows: Any, plan: Any, connection: Any) -> Iterator[Any]:
        convert = hydrate.row_converter(plan, connection)
        for row in rows:
            yield convert(row)[0]


def _names(plan: Any, fields: tuple[str, ...]) -> tuple[str, ...]:
    """The keys of a values() row: the names asked for, or the plan's when they do not match one to one."""
    return plan.names if not fields or len(fields) != len(plan.names) else fields


def chunked_results(queryset: Any, chunk_size: int | None) -> Iterator[Any]:
    """QuerySet.iterator(): rows fetched in chunks; with prefetch lookups, prefetched every `chunk_size` objects."""
    rows = queryset._iterable_class(queryset, chunked_fetch=True, chunk_size=chunk_size or ITERATOR_CHUNK_SIZE)
    if not queryset._prefetch_lookups:
        yield from rows
        return
    from relata.models.query.prefetch import prefetch_related_objects

    batch: list[Any] = []
    for obj in rows:
        batch.append(obj)
        if len(batch) >= chunk_size:  # type: ignore[operator]  # not None with prefetch lookups
            prefetch_related_objects(batch, *queryset._prefetch_lookups)
            yield from batch
            batch = []
    if batch:
        prefetch_related_objects(batch, *queryset._prefetch_lookups)
        yield from batch
