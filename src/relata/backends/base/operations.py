"""Value conversion between Python and the database, per internal field type.

`adapters` turn a Python value into what the driver accepts; `converters`
turn what the driver returns into the Python value a field expects. Both are
looked up once per compiled shape or per hydrator, never per row and field.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Callable
from typing import Any

_FLOAT_DIGITS = decimal.Context(prec=15)


def _json_dumps(value: Any) -> str:
    return json.dumps(value)


def _json_loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _duration_to_micros(value: datetime.timedelta) -> int:
    return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds


_INT32 = (-2147483648, 2147483647)
_INT64 = (-9223372036854775808, 9223372036854775807)

#: Per integer field type, the values its column holds. relata keeps one range per type for every
#: database (the narrowest they share), so a value one database accepts, all accept; the integer
#: fields validate by this table.
INTEGER_FIELD_RANGES: dict[str, tuple[int, int]] = {
    "SmallIntegerField": (-32768, 32767),
    "IntegerField": _INT32,
    "BigIntegerField": _INT64,
    "PositiveSmallIntegerField": (0, 32767),
    "PositiveIntegerField": (0, _INT32[1]),
    "PositiveBigIntegerField": (0, _INT64[1]),
    "SmallAutoField": (-32768, 32767),
    "AutoField": _INT32,
    "BigAutoField": _INT64,
}


class BaseDatabaseOperations:
    compiler_class: type = None  # set by each backend
    #: The type Cast() uses for a CharField without max_length: the database's unbounded text.
    cast_char_field_without_max_length = "text"
    #: The statement that asks for a plan; explain_query_prefix() adds the options asked for.
    explain_prefix = "EXPLAIN"
    #: Output formats explain(format=...) may name (upper case); none where the database has one only.
    explain_formats: frozenset[str] = frozenset()

    def integer_field_range(self, internal_type: str) -> tuple[int, int]:
        """(lowest, highest) value a column of this integer field type holds (Django's name)."""
        try:
            return INTEGER_FIELD_RANGES[internal_type]
        except KeyError:
            raise ValueError(
                f"{internal_type!r} is not an integer field type; use one of {', '.join(INTEGER_FIELD_RANGES)}."
            ) from None

    def __init__(self, connection):
        self.connection = connection
        self.adapters: dict[str, Callable[[Any], Any]] = self.make_adapters()
        self.converters: dict[str, Callable[[Any], Any]] = self.make_converters()

    def format_raw_sql(self, sql: str, params: Any) -> tuple[str, Any]:
        """Raw SQL as users write it (`%s` placeholders, `%%` for a percent sign when params are
        sent) in the form this driver reads; the drivers that read `%s` take it as it is."""
        return sql, params

    # -- values ---------------------------------------------------------------

    def make_adapters(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "JSONField": _json_dumps,
            "DurationField": _duration_to_micros,
        }

    def make_converters(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "JSONField": _json_loads,
            "DurationField": lambda v: datetime.timedelta(microseconds=v),
            "UUIDField": lambda v: v if isinstance(v, uuid.UUID) else uuid.UUID(v),
            "BooleanField": bool,
            "BinaryField": bytes,
        }

    def adapter_for(self, internal_type: str) -> Callable[[Any], Any] | None:
        return self.adapters.get(internal_type)

    # Django's names for preparing a value for raw SQL (`cursor.execute(sql, [ops.adapt_...(v)])`).

    def _adapt(self, internal_type: str, value: Any) -> Any:
        adapter = self.adapters.get(internal_type)
        return value if value is None or adapter is None else adapter(value)

    def adapt_datefield_value(self, value: Any) -> Any:
        return self._adapt("DateField", value)

    def adapt_datetimefield_value(self, value: Any) -> Any:
        return self._adapt("DateTimeField", value)

    def adapt_timefield_value(self, value: Any) -> Any:
        return self._adapt("TimeField", value)

    def adapt_decimalfield_value(self, value: Any, max_digits: Any = None, decimal_places: Any = None) -> Any:
        return self._adapt("DecimalField", value)

    def adapt_unknown_value(self, value: Any) -> Any:
        """A raw-SQL parameter of any type as the driver takes it (by its Python type)."""
        if isinstance(value, datetime.datetime):
            return self.adapt_datetimefield_value(value)
        if isinstance(value, datetime.date):
            return self.adapt_datefield_value(value)
        if isinstance(value, datetime.time):
            return self.adapt_timefield_value(value)
        if isinstance(value, decimal.Decimal):
            return self.adapt_decimalfield_value(value)
        if isinstance(value, uuid.UUID):
            return self._adapt("UUIDField", value)
        return value

    def adapt_json_value(self, value: Any, encoder: Any = None) -> Any:
        return value if value is None else json.dumps(value, cls=encoder)

    def lookup_value_adapter(self, internal_type: str) -> Callable[[Any], Any] | None:
        """A last step for a filter value compared with a column of this type, if the driver needs one."""
        return None

    def converter_for(self, internal_type: str, field: Any = None) -> Callable[[Any], Any] | None:
        if internal_type == "DecimalField" and field is not None:
            return self.decimal_converter(field.decimal_places)
        return self.converters.get(internal_type)

    def decimal_converter(self, places: int | None) -> Callable[[Any], Any]:
        quantum = decimal.Decimal(1).scaleb(-places) if places is not None else None

        def convert(value: Any) -> decimal.Decimal:
            if isinstance(value, float):
                # A float (SQLite arithmetic) carries 15 significant digits; the rest is noise.
                value = _FLOAT_DIGITS.create_decimal_from_float(value)
            elif not isinstance(value, decimal.Decimal):
                value = decimal.Decimal(str(value))
            return value.quantize(quantum) if quantum is not None else value

        return convert

    # -- SQL pieces -----------------------------------------------------------

    def quote_name(self, name: str) -> str:
        return self.compiler_class.quote_name(name)

    def quote_value(self, value: Any) -> str:
        """A literal for DDL only, where databases take no parameters."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, int | float | decimal.Decimal):
            return str(value)
        if isinstance(value, bytes):
            return "X'" + value.hex() + "'"
        if isinstance(value, datetime.date | datetime.time | datetime.datetime):
            value = value.isoformat()
        return "'" + str(value).replace("'", "''") + "'"

    def compiler(self):
        return self.compiler_class()

    def date_extract_sql(self, lookup_type: str, sql: str, params: Any = ()) -> tuple[str, tuple[Any, ...]]:
        """Django's hook for SQL written by hand: part `lookup_type` ("year", "month" ...) of `sql`.

        Text and result are in Django's notation (`%s` a parameter, `%%` a percent
        sign); `params` are repeated as often as the dialect's spelling repeats `sql`.
        """
        template = self.compiler_class.extract_parts.get(lookup_type)
        if template is None:
            parts = ", ".join(sorted(self.compiler_class.extract_parts))
            raise ValueError(f"Cannot extract {lookup_type!r} on {self.connection.vendor}; the parts are: {parts}.")
        return template.replace("%", "%%").format(expr=sql), tuple(params) * template.count("{expr}")

    def explain_query_prefix(self, format: str | None, options: dict[str, Any]) -> str:
        """The EXPLAIN clause for explain(format, **options); ValueError for what this database does not take."""
        self.explain_format(format)
        if options:
            raise ValueError(f"Unknown options: {', '.join(sorted(options))}")
        return self.explain_prefix

    def explain_format(self, format: str | None) -> str | None:
        """`format` in upper case, refused unless this database's EXPLAIN prints it."""
        if format is None:
            return None
        name = str(format).upper()
        allowed = self.explain_formats
        if name in allowed:
            return name
        if allowed:
            raise ValueError(f"{name} is not a recognized format. Allowed formats: {', '.join(sorted(allowed))}")
        raise ValueError(
            f"{name} is not a recognized format. {self.connection.display_name} does not support any formats."
        )

    def last_insert_id(self, cursor, table: str, pk_column: str) -> Any:
        return cursor.lastrowid

    def flush_sql(self, tables: list[str]) -> list[str]:
        """Statements that empty `tables` (given dependents first), for tests."""
        return [f"DELETE FROM {self.quote_name(table)}" for table in tables]

    def bulk_update_cast(self, field: Any) -> str | None:
        """A type to CAST each CASE branch to in bulk_update (databases that need one)."""
        return None

    def check_time_zone(self, name: str) -> None:
        """Refuse a zone (an IANA name or +HH:MM) this database cannot convert to; every zone works here."""

    def cast_type(self, type_name: str) -> str:
        return type_name
