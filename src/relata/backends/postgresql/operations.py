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
    cast_char_field_without_max_length = "varchar"
    explain_formats = frozenset({"JSON", "TEXT", "XML", "YAML"})
    #: EXPLAIN's true/false options. GENERIC_PLAN needs PostgreSQL 16 and MEMORY 17: older servers refuse them.
    explain_flags = frozenset(
        {"ANALYZE", "BUFFERS", "COSTS", "GENERIC_PLAN", "MEMORY", "SETTINGS", "SUMMARY", "TIMING", "VERBOSE", "WAL"}
    )
    #: SERIALIZE (PostgreSQL 17) takes a word, not a boolean.
    explain_serialize = ("NONE", "TEXT", "BINARY")

    def explain_query_prefix(self, format: str | None, options: dict[str, Any]) -> str:
        """`EXPLAIN (ANALYZE true, FORMAT JSON)`: options as PostgreSQL spells them, case-insensitively named."""
        fmt = self.explain_format(format)
        given = {name.upper(): value for name, value in options.items()}
        unknown = sorted(set(given) - self.explain_flags - {"SERIALIZE"})
        if unknown:
            raise ValueError(f"Unknown options: {', '.join(unknown)}")
        parts = [f"{name} {'true' if value else 'false'}" for name, value in given.items() if name != "SERIALIZE"]
        if "SERIALIZE" in given:
            word = str(given["SERIALIZE"]).upper()
            if word not in self.explain_serialize:
                raise ValueError(
                    f"The SERIALIZE option takes {', '.join(self.explain_serialize)}, not {given['SERIALIZE']!r}."
                )
            parts.append(f"SERIALIZE {word}")
        if fmt is not None:
            parts.append(f"FORMAT {fmt}")
        return f"EXPLAIN ({', '.join(parts)})" if parts else "EXPLAIN"

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
