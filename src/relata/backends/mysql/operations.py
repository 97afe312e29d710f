"""MySQL keeps datetimes without a zone, times as intervals, UUIDs as text.

DATETIME holds no offset: aware values are stored in UTC and every value
comes back aware in UTC (naive values are taken to be UTC, as on
PostgreSQL). The driver returns TIME columns as timedelta; they become
`datetime.time` here.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from typing import Any

from relata.backends.base.operations import BaseDatabaseOperations
from relata.backends.mysql.compiler import MySQLCompiler
from relata.exceptions import NotSupportedError

_UTC = datetime.UTC


def adapt_datetime(value: Any) -> Any:
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(_UTC).replace(tzinfo=None)
    return value


def _to_aware(value: Any) -> Any:
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=_UTC)
    return value


def _to_time(value: Any) -> Any:
    if isinstance(value, datetime.timedelta):
        seconds = int(value.total_seconds())
        return datetime.time(seconds // 3600 % 24, seconds // 60 % 60, seconds % 60, value.microseconds)
    return value


def _to_date(value: Any) -> Any:
    # A date sent as a parameter and selected back (Value(date)) comes back as its text.
    if isinstance(value, str | bytes):
        return datetime.date.fromisoformat(value.decode() if isinstance(value, bytes) else value)
    return value


def _adapt_uuid(value: Any) -> Any:
    return value.hex if isinstance(value, uuid.UUID) else value


def _adapt_time(value: Any) -> Any:
    if isinstance(value, datetime.time):
        if value.tzinfo is not None:
            raise ValueError("MySQL cannot store a time with a time zone; pass a naive time.")
        return value.isoformat()
    return value


#: CAST targets MySQL accepts, by the leading word of a column type.
_CAST_TYPES = {
    "varchar": "CHAR",
    "char": "CHAR",
    "longtext": "CHAR",
    "json": "CHAR",
    "integer": "SIGNED",
    "bigint": "SIGNED",
    "smallint": "SIGNED",
    "bool": "SIGNED",
    "double": "DOUBLE",
    "longblob": "BINARY",
}


_ZONE_PROBE = "SELECT CONVERT_TZ('2000-01-01 00:00:00', '+00:00', %s)"


class DatabaseOperations(BaseDatabaseOperations):
    compiler_class = MySQLCompiler
    # CAST(... AS text) is not MySQL syntax; CHAR without a length takes any length.
    cast_char_field_without_max_length = "char"

    @property
    def explain_formats(self) -> frozenset[str]:  # type: ignore[override]
        # TEXT is the traditional table; MySQL (not MariaDB) also prints a TREE.
        formats = {"JSON", "TEXT", "TRADITIONAL"}
        return frozenset(formats if self.connection.features.is_mariadb else formats | {"TREE"})

    def check_time_zone(self, name: str) -> None:
        """A named zone needs the server's time zone tables; without them CONVERT_TZ answers NULL, silently."""
        if name[:1] in "+-":
            return
        known = self.__dict__.setdefault("_zones_known", {})
        if name not in known:
            known[name] = self.connection.execute(_ZONE_PROBE, [name]).fetchone()[0] is not None
        if not known[name]:
            raise NotSupportedError(
                f"{self.connection.display_name} cannot convert to the time zone {name!r}: its time zone tables "
                "are not loaded (mysql_tzinfo_to_sql /usr/share/zoneinfo | mysql -u root mysql). Load them, or "
                "pass a fixed-offset tzinfo such as datetime.timezone(datetime.timedelta(hours=1))."
            )

    def explain_query_prefix(self, format: str | None, options: dict[str, Any]) -> str:
        """`EXPLAIN FORMAT=JSON`; analyze=True runs the query: MariaDB's ANALYZE, MySQL's EXPLAIN ANALYZE."""
        fmt = self.explain_format(format)
        unknown = sorted(set(options) - {"analyze"})
        if unknown:
            raise ValueError(f"Unknown options: {', '.join(unknown)}")
        prefix = "EXPLAIN"
        if options.get("analyze"):
            prefix = "ANALYZE" if self.connection.features.is_mariadb else "EXPLAIN ANALYZE"
        if fmt == "TEXT":
            fmt = "TRADITIONAL"
        return prefix if fmt is None else f"{prefix} FORMAT={fmt}"

    def make_adapters(self) -> dict[str, Callable[[Any], Any]]:
        return {
            **super().make_adapters(),
            "DateTimeField": adapt_datetime,
            "TimeField": _adapt_time,
            "UUIDField": _adapt_uuid,
        }

    def make_converters(self) -> dict[str, Callable[[Any], Any]]:
        return {
            **super().make_converters(),
            "DateTimeField": _to_aware,
            "DateField": _to_date,
            "TimeField": _to_time,
            # AVG() is DECIMAL here; Django's Avg is a float.
            "FloatField": float,
        }

    def quote_value(self, value: Any) -> str:
        if isinstance(value, str):
            return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
        return super().quote_value(value)

    def flush_sql(self, tables: list[str]) -> list[str]:
        # Rows of one table may point at each other; MySQL checks each row as it goes.
        return ["SET FOREIGN_KEY_CHECKS = 0", *super().flush_sql(tables), "SET FOREIGN_KEY_CHECKS = 1"]

    def cast_type(self, type_name: str) -> str:
        word = re.match(r"\w+", type_name)
        head = word.group(0).lower() if word else type_name
        if head in _CAST_TYPES:
            return _CAST_TYPES[head]
        if "unsigned" in type_name.lower():
            return "UNSIGNED"
        return type_name
