"""`DjangoJSONEncoder`: JSON for dates, times, durations, decimals and UUIDs, written as Django writes them.

Give it to a JSONField (`JSONField(encoder=DjangoJSONEncoder)`) or to
`json.dumps(..., cls=DjangoJSONEncoder)`. Datetimes keep milliseconds and
write UTC as "Z"; durations are ISO 8601 ("P1DT02H03M04S"); an aware time
cannot be written (its offset depends on the date) and raises ValueError.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any

__all__ = ["DjangoJSONEncoder", "duration_iso_string"]


class DjangoJSONEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            if o.microsecond:
                text = text[:23] + text[26:]  # milliseconds, as JavaScript's Date writes them
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.date):
            return o.isoformat()
        if isinstance(o, datetime.time):
            if o.utcoffset() is not None:
                raise ValueError("JSON can't represent timezone-aware times.")
            text = o.isoformat()
            return text[:12] if o.microsecond else text
        if isinstance(o, datetime.timedelta):
            return duration_iso_string(o)
        if isinstance(o, decimal.Decimal | uuid.UUID):
            return str(o)
        return super().default(o)


def duration_iso_string(duration: datetime.timedelta) -> str:
    """A timedelta as ISO 8601, e.g. "-P1DT02H03M04.000005S"."""
    sign = ""
    if duration < datetime.timedelta(0):
        sign, duration = "-", -duration
    minutes, seconds = divmod(duration.seconds, 60)
    hours, minutes = divmod(minutes, 60)
    fraction = f".{duration.microseconds:06d}" if duration.microseconds else ""
    return f"{sign}P{duration.days}DT{hours:02d}H{minutes:02d}M{seconds:02d}{fraction}S"
