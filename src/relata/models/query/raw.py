"""Manager.raw(): model instances from SQL the caller writes, as Django's RawQuerySet gives them.

The SQL runs as written, its values passed as parameters (`%s`, or `%(name)s`
with a dict, on every backend). Each result column that is a field's column
fills that field; `translations` rename result columns to field columns; the
other columns become attributes (annotations); fields the SQL left out load
on first access, as with only(). The primary key must be among the columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from relata import exceptions
from relata.db import connections
from relata.models.routing import router


class RawQuery:
    """The SQL and its parameters; `repr()` shows them inlined, for reading only."""

    def __init__(self, sql: str, using: str = "default", params: Any = ()):
        self.sql = sql
        self.using = using
        self.params = params

    def __str__(self) -> str:
        if self.params is None:
            return self.sql
        return self.sql % (dict(self.params) if isinstance(self.params, Mapping) else tuple(self.params))

    def __repr__(self) -> str:
        return f"<RawQuery: {self}>"


def adapted(params: Any, ops: Any) -> Any:
    """The parameters as the driver takes them (a Decimal or a date on SQLite...), in their own shape."""
    if params is None:
        return None
    if isinstance(params, Mapping):
        return {key: ops.adapt_unknown_value(value) for key, value in params.items()}
    return tuple(ops.adapt_unknown_value(value) for value in params)


class RawQuerySet:
    """Iterate to run the SQL; the rows are cached, so a second pass runs nothing."""

    def __init__(
        self,
        raw_query: str,
        model: Any = None,
        query: RawQuery | None = None,
        params: Any = (),
        translations: dict[str, str] | None = None,
        using: str | None = None,
        hints: dict[str, Any] | None = None,
    ):
        self.raw_query = raw_query
        self.model = model
        self._db = using
        self._hints = hints or {}
        self.params = params
        self.query = query or RawQuery(sql=raw_query, using=self.db, params=params)
        self.translations = translations or {}
        self._result_cache: list[Any] | None = None
        self._prefetch_related_lookups: tuple[Any, ...] = ()
        self._columns: list[str] | None = None

    @property
    def db(self) -> str:
        if self._db is not None:
            return self._db
        return router.db_for_read(self.model, **self._hints) if self.model is not None else "default"

    def using(self, alias: str) -> RawQuerySet:
        return self._clone(using=alias)

    def prefetch_related(self, *lookups: Any) -> RawQuerySet:
        clone = self._clone()
        clone._prefetch_related_lookups = () if lookups == (None,) else (*self._prefetch_related_lookups, *lookups)
        return clone

    def _clone(self, using: str | None = None) -> RawQuerySet:
        clone = RawQuerySet(
            self.raw_query,
            model=self.model,
            params=self.params,
            translations=self.translations,
            using=using if using is not None else self._db,
            hints=self._hints,
        )
        clone._prefetch_related_lookups = self._prefetch_related_lookups
        return clone

    # -- running ------------------------------------------------------------------

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._result_cache = list(self.iterator())
            if self._prefetch_related_lookups:
                from relata.models.query.prefetch import prefetch_related_objects

                prefetch_related_objects(self._result_cache, *self._prefetch_related_lookups)

    def iterator(self) -> Iterator[Any]:
        connection = connections[self.db]
        cursor = connection.cursor()
        try:
            cursor.execute(self.raw_query, adapted(self.params, connection.ops))
            self._columns = [self.translations.get(d[0], d[0]) for d in cursor.description]
            build = self._row_builder(connection)
            for row in cursor:
                yield build(row)
        finally:
            cursor.close()

    def _row_builder(self, connection: Any) -> Any:
        """A function making one instance of a row: fields by column, annotations after."""
        by_column = self.model_fields
        columns = self._columns or []
        fields = [(pos, by_column[name]) for pos, name in enumerate(columns) if name in by_column]
        if not any(field.primary_key for _, field in fields):
            raise exceptions.FieldDoesNotExist(
                f"Raw query must include the primary key: select {self.model._meta.pk.column} too, or map "
                f"a result column to it with translations={{'<column>': '{self.model._meta.pk.column}'}}."
            )
        annotations = [(pos, name) for pos, name in enumerate(columns) if name not in by_column]
        converters = [(pos, field.attname, field.from_db_converter(connection)) for pos, field in fields]
        model, db = self.model, self.db

        def build(row: Any) -> Any:
            values, names = [], []
            for pos, attname, convert in converters:
                value = row[pos]
                values.append(convert(value) if convert is not None and value is not None else value)
                names.append(attname)
            obj = model.from_db(db, names, tuple(values))
            for pos, name in annotations:
                setattr(obj, name, row[pos])
            return obj

        return build

    # -- the collection -------------------------------------------------------------

    def __iter__(self) -> Iterator[Any]:
        self._fetch_all()
        return iter(self._result_cache or [])

    def __len__(self) -> int:
        self._fetch_all()
        return len(self._result_cache or [])

    def __bool__(self) -> bool:
        self._fetch_all()
        return bool(self._result_cache)

    def __getitem__(self, key: Any) -> Any:
        self._fetch_all()
        return (self._result_cache or [])[key]

    def __aiter__(self) -> Any:
        """`async for obj in Model.objects.raw(...)`: the rows are read in one thread call."""
        from asgiref.sync import sync_to_async

        async def rows() -> Any:
            await sync_to_async(self._fetch_all)()
            for obj in self._result_cache or []:
                yield obj

        return rows()

    @property
    def columns(self) -> list[str]:
        """The result's column names, translated; running the query if it has not run."""
        if self._columns is None:
            connection = connections[self.db]
            cursor = connection.cursor()
            try:
                cursor.execute(self.raw_query, adapted(self.params, connection.ops))
                self._columns = [self.translations.get(d[0], d[0]) for d in cursor.description]
            finally:
                cursor.close()
        return self._columns

    @property
    def model_fields(self) -> dict[str, Any]:
        """The model's fields by column name."""
        return {field.column: field for field in self.model._meta.concrete_fields}

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.query}>"
