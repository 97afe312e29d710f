"""SQLite keeps dates, times, decimals and UUIDs as text: convert both ways."""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from relata.backends.base.operations import BaseDatabaseOperations
from relata.backends.sqlite.compiler import SQLiteCompiler


def _adapt_datetime(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat(" ")
    return value


def _adapt_date(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, datetime.date) else value


def _adapt_iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _adapt_decimal(value: Any) -> Any:
    return str(value) if isinstance(value, decimal.Decimal) else value


def _adapt_uuid(value: Any) -> Any:
    return value.hex if isinstance(value, uuid.UUID) else value


#: `%s` and `%%` in raw SQL; any other `%` means itself.
_RAW_PERCENT = re.compile(r"%([s%])")
_RAW_NAMED = re.compile(r"%\(([A-Za-z_][A-Za-z0-9_]*)\)s|%%")


_INT64 = (-(2**63), 2**63 - 1)
_INTEGER_TYPES = frozenset(
    t + "Field"
    for t in ("Integer", "SmallInteger", "BigInteger", "PositiveInteger", "PositiveSmallInteger", "PositiveBigInteger")
) | frozenset(("AutoField", "BigAutoField", "SmallAutoField"))


def _beyond_int64_as_real(value: Any) -> Any:
    # The driver cannot bind such an int; as a REAL it compares with every stored
    # integer exactly as the int would (rounding never brings it into range).
    if type(value) is int and not _INT64[0] <= value <= _INT64[1]:
        return float(value)
    return value


def _from_iso(parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return parse(value) if isinstance(value, str) else value

    return convert


class DatabaseOperations(BaseDatabaseOperations):
    compiler_class = SQLiteCompiler
    explain_prefix = "EXPLAIN QUERY PLAN"

    def format_raw_sql(self, sql: str, params: Any) -> tuple[str, Any]:
        # sqlite3 reads `?` and `:name`: write users' `%s` and `%(name)s` as those, `%%` as a percent sign.
        if params is None:
            return sql, ()
        if isinstance(params, Mapping):
            return _RAW_NAMED.sub(lambda m: "%" if m.group(0) == "%%" else f":{m.group(1)}", sql), params
        return _RAW_PERCENT.sub(lambda m: "?" if m.group(1) == "s" else "%", sql), params

    def make_adapters(self) -> dict[str, Callable[[Any], Any]]:
        return {
            **super().make_adapters(),
            "DateTimeField": _adapt_datetime,
            "DateField": _adapt_date,
            "TimeField": _adapt_iso,
            "DecimalField": _adapt_decimal,
            "UUIDField": _adapt_uuid,
        }

    def make_converters(self) -> dict[str, Callable[[Any], Any]]:
        return {
            **super().make_converters(),
            "DateTimeField": _from_iso(datetime.datetime.fromisoformat),
            "DateField": _from_iso(lambda v: datetime.date.fromisoformat(v[:10])),
            "TimeField": _from_iso(datetime.time.fromisoformat),
        }

    def lookup_value_adapter(self, internal_type: str) -> Callable[[Any], Any] | None:
        return _beyond_int64_as_real if internal_type in _INTEGER_TYPES else None
