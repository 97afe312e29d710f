"""Date and time functions: Extract and its parts, Trunc and its kinds, Now.

Named after Django's module (`django.db.models.functions.datetime`); the
standard library's module is imported here under another name. A `tzinfo`
converts a DateTimeField's UTC value to that zone's wall clock before the part
is read or the value cut; a truncated datetime comes back aware in that zone.
Each database spells the parts and kinds in its compiler (extract_parts,
visit_Trunc) and the zone conversion (visit_AtTimeZone).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from relata.exceptions import DataError
from relata.models import fields as f
from relata.models.expressions import Func
from relata.models.functions.mixins import Transform
from relata.sql import nodes as n

#: Parts a duration has (a duration has no year or week).
_DURATION_PARTS = ("day", "hour", "minute", "second")
_TIME_PARTS = ("hour", "minute", "second")
_DATE_KINDS = ("year", "quarter", "month", "week", "day", "date")


def _zone_name(tzinfo: Any) -> str:
    """The IANA name the database converts to (zoneinfo's key); a fixed offset as +HH:MM."""
    key = getattr(tzinfo, "key", None) or getattr(tzinfo, "zone", None)
    if key:
        return str(key)
    offset = tzinfo.utcoffset(None)
    if offset is None:
        raise ValueError(f"The time zone {tzinfo!r} has no name and no fixed offset; pass a zoneinfo.ZoneInfo.")
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _field_name(field: Any) -> str:
    return getattr(field, "name", None) or type(field).__name__


class TimezoneMixin:
    tzinfo: Any = None

    def in_zone(self, builder: Any, node: n.Node, field: Any) -> n.Node:
        """`node` read on the wall clock of self.tzinfo (a DateTimeField's value only)."""
        if self.tzinfo is None:
            return node
        if not isinstance(field, f.DateTimeField):
            raise ValueError("tzinfo can only be used with DateTimeField.")
        name = _zone_name(self.tzinfo)
        builder.connection.ops.check_time_zone(name)
        return n.AtTimeZone(node, n.Param(name))


class Extract(TimezoneMixin, Transform):
    """A part of a date, time, datetime or duration, as an integer (ExtractYear, ExtractHour ...)."""

    lookup_name = ""
    output_field = f.IntegerField()

    def __init__(self, expression: Any, lookup_name: str | None = None, tzinfo: Any = None, **extra: Any):
        if self.lookup_name is None or not (lookup_name or self.lookup_name):
            raise ValueError("lookup_name must be provided")
        if lookup_name is not None:
            self.lookup_name = lookup_name
        self.tzinfo = tzinfo
        super().__init__(expression, **extra)

    def identity(self) -> tuple[Any, ...]:
        return (*super().identity(), self.lookup_name, self.tzinfo)

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        (node,), (field,) = self.resolve_sources(builder)
        self.check_field(field)
        if isinstance(field, f.DurationField):
            if not builder.connection.features.has_native_duration_field:
                raise ValueError("Extract requires native DurationField database support.")
            return n.Extract(self.lookup_name, node), self.output_field
        return n.Extract(self.lookup_name, self.in_zone(builder, node, field)), self.output_field

    def check_field(self, field: Any) -> None:
        part = self.lookup_name
        if not isinstance(field, f.DateField | f.TimeField | f.DurationField):
            raise ValueError("Extract input expression must be DateField, DateTimeField, TimeField, or DurationField.")
        if type(field) is f.DateField and part in _TIME_PARTS:
            raise ValueError(f"Cannot extract time component '{part}' from DateField '{_field_name(field)}'.")
        if isinstance(field, f.TimeField) and part not in _TIME_PARTS:
            raise ValueError(f"Cannot extract component '{part}' from TimeField '{_field_name(field)}'.")
        if isinstance(field, f.DurationField) and part not in _DURATION_PARTS:
            raise ValueError(f"Cannot extract component '{part}' from DurationField '{_field_name(field)}'.")


def _extract(name: str, part: str) -> type[Extract]:
    return type(name, (Extract,), {"lookup_name": part, "__module__": __name__, "__qualname__": name})


ExtractYear = _extract("ExtractYear", "year")
ExtractIsoYear = _extract("ExtractIsoYear", "iso_year")
ExtractMonth = _extract("ExtractMonth", "month")
ExtractDay = _extract("ExtractDay", "day")
ExtractWeek = _extract("ExtractWeek", "week")
ExtractWeekDay = _extract("ExtractWeekDay", "week_day")
ExtractIsoWeekDay = _extract("ExtractIsoWeekDay", "iso_week_day")
ExtractQuarter = _extract("ExtractQuarter", "quarter")
ExtractHour = _extract("ExtractHour", "hour")
ExtractMinute = _extract("ExtractMinute", "minute")
ExtractSecond = _extract("ExtractSecond", "second")


class _ZonedDateTimeField(f.DateTimeField):
    """A truncated datetime read on a zone's wall clock: it comes back aware in that zone."""

    def __init__(self, tzinfo: Any):
        super().__init__()
        self.tzinfo = tzinfo

    def from_db_converter(self, connection: Any) -> Any:
        base = super().from_db_converter(connection)
        zone = self.tzinfo

        def convert(value: Any) -> Any:
            if base is not None:
                value = base(value)
            if isinstance(value, dt.datetime):
                # The database computed a wall-clock time; a converter that took it for UTC was wrong.
                value = value.replace(tzinfo=zone)
            return value

        return convert


class TruncBase(TimezoneMixin, Transform):
    """The date, time or datetime cut down to its `kind` (year, quarter, month, week, day, hour ...)."""

    kind: str = ""

    def __init__(self, expression: Any, output_field: Any = None, tzinfo: Any = None, **extra: Any):
        self.tzinfo = tzinfo
        super().__init__(expression, output_field=output_field, **extra)

    def identity(self) -> tuple[Any, ...]:
        return (*super().identity(), self.kind, self.tzinfo)

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        (node,), (field,) = self.resolve_sources(builder)
        output = self.check_fields(field)
        if self.tzinfo is not None and not isinstance(field, f.DateTimeField):
            raise ValueError("tzinfo can only be used with DateTimeField.")
        node = self.in_zone(builder, node, field)
        kinds = {f.DateTimeField: "datetime", f.DateField: "date", f.TimeField: "time"}
        source_kind = next(kind for cls, kind in kinds.items() if isinstance(field, cls))
        output_kind = next(kind for cls, kind in kinds.items() if isinstance(output, cls))
        trunc = n.Trunc(self.kind, node, source_kind, output_kind)
        if self.tzinfo is not None and output_kind == "datetime":
            output = _ZonedDateTimeField(self.tzinfo)
        return trunc, output

    def check_fields(self, field: Any) -> Any:
        """The output field, after Django's checks of what may be truncated to what."""
        if not isinstance(field, f.DateField | f.TimeField):
            raise TypeError(f"{_field_name(field)!r} isn't a DateField, TimeField, or DateTimeField.")
        class_output = type(self).__dict__.get("output_field") or _class_output(type(self))
        output = class_output or self.output_field or field
        if not isinstance(output, f.DateField | f.TimeField):
            raise ValueError("output_field must be either DateField, TimeField, or DateTimeField")
        explicit = class_output is not None or type(field) is not type(output)
        target = type(output).__name__ if explicit else "DateTimeField"
        if type(field) is f.DateField and (isinstance(output, f.DateTimeField) or self.kind in (*_TIME_PARTS, "time")):
            raise ValueError(f"Cannot truncate DateField '{_field_name(field)}' to {target}.")
        if isinstance(field, f.TimeField) and (isinstance(output, f.DateTimeField) or self.kind in _DATE_KINDS):
            raise ValueError(f"Cannot truncate TimeField '{_field_name(field)}' to {target}.")
        return output


def _class_output(cls: type) -> Any:
    for klass in cls.__mro__:
        if klass is TruncBase:
            return None
        if "output_field" in klass.__dict__:
            return klass.__dict__["output_field"]
    return None


class Trunc(TruncBase):
    def __init__(self, expression: Any, kind: str, output_field: Any = None, tzinfo: Any = None, **extra: Any):
        if kind not in _KINDS:
            # A DataError, as the database would raise for a kind it does not know (Django's behaviour).
            raise DataError(f"Trunc kind {kind!r} is not one of {', '.join(_KINDS)}.")
        self.kind = kind
        super().__init__(expression, output_field=output_field, tzinfo=tzinfo, **extra)


_KINDS = ("year", "quarter", "month", "week", "day", "hour", "minute", "second", "date", "time")


def _trunc(name: str, kind: str, **attrs: Any) -> type[TruncBase]:
    namespace = {"kind": kind, "lookup_name": "", "__module__": __name__, "__qualname__": name, **attrs}
    return type(name, (TruncBase,), namespace)


TruncYear = _trunc("TruncYear", "year")
TruncQuarter = _trunc("TruncQuarter", "quarter")
TruncMonth = _trunc("TruncMonth", "month")
TruncWeek = _trunc("TruncWeek", "week")
TruncDay = _trunc("TruncDay", "day")
TruncHour = _trunc("TruncHour", "hour")
TruncMinute = _trunc("TruncMinute", "minute")
TruncSecond = _trunc("TruncSecond", "second")
TruncDate = _trunc("TruncDate", "date", output_field=f.DateField(), lookup_name="date")
TruncTime = _trunc("TruncTime", "time", output_field=f.TimeField(), lookup_name="time")


class Now(Func):
    output_field = f.DateTimeField()
    arity = 0

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        return n.Now(), self.output_field

    def identity(self) -> tuple[Any, ...]:
        return (Now,)
