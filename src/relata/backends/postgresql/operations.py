"""PostgreSQL keeps dates, decimals, UUIDs, intervals and JSON natively.

psycopg adapts most Python values itself, so few adapters remain. jsonb is
read as text (the connection registers a text loader) and decoded here, the
same way on every database, so a field's own decoder still applies.
Datetimes are `timestamp with time zone` read in UTC: aware values come back
aware (in UTC) and naive values are taken to be UTC.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from relata.backends.base.operations import BaseDatabaseOperations
from relata.backends.postgresql.compiler import PostgreSQLCompiler


class DatabaseOperations(BaseDatabaseOperations):
    compiler_class = PostgreSQLCompiler
    explain_prefix = "EXPLAIN"
    cast_char_field_without_max_length = "varchar"

    def make_adapters(self) -> dict[str, Callable[[Any], Any]]:
        adapters = super().make_adapters()
        # psycopg sends timedelta as interval itself.
        adapters.pop("DurationField", None)
        return adapters

    def make_converters(self) -> dict[str, Callable[[Any], Any]]:
        converters = super().make_converters()
        converters.pop("DurationField", None)
        # AVG() of integers is numeric here; Django's Avg is a float.
        converters["FloatField"] = float
        return converters

    def json_adapter(self, encoder: type | None) -> Callable[[Any], Any]:
        # Sent as untyped text, PostgreSQL casts it to the jsonb column's type.
        return lambda value: None if value is None else json.dumps(value, cls=encoder)

    def quote_value(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, bytes):
            return "'\\x" + value.hex() + "'::bytea"
        return super().quote_value(value)

    def bulk_update_cast(self, field: Any) -> str | None:
        # Each CASE branch's parameter needs the column's type, or PostgreSQL guesses text.
        return self.connection.schema_editor().column_type(field.column_spec())

    def last_insert_id(self, cursor: Any, table: str, pk_column: str) -> Any:
        return cursor.fetchone()[0]
