"""The SQL functions SQLite's core lacks, written in Python and registered on each connection.

Every one answers NULL for a NULL argument, as SQL functions do; all but
RELATA_RANDOM are deterministic, so SQLite may use them in indexes and defaults.
Math functions are registered even where SQLite was built with its own, so
every build gives the same answers (Django does the same).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import random
import zoneinfo
from collections.abc import Callable
from typing import Any


def _none_guard(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def guarded(*args: Any) -> Any:
        if any(arg is None for arg in args):
            return None
        return function(*args)

    return guarded


def _digest(name: str) -> Callable[[Any], str]:
    def digest(value: Any) -> str:
        return hashlib.new(name, str(value).encode()).hexdigest()

    return digest


def _lpad(text: Any, length: int, fill: str) -> str:
    text, length = str(text), int(length)
    if length <= len(text) or not fill:
        return text[:length]
    padding = (fill * length)[: length - len(text)]
    return padding + text


def _rpad(text: Any, length: int, fill: str) -> str:
    text, length = str(text), int(length)
    if length <= len(text) or not fill:
        return text[:length]
    return (text + fill * length)[:length]


def _log(base: float, value: float) -> float:
    return math.log(value, base)


def _sign(value: Any) -> int:
    return (value > 0) - (value < 0)


def _power(base: float, exponent: float) -> float:
    return math.pow(base, exponent)


def _keep_float(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A float in gives a float out (math.ceil(2.5) is the int 3; CEILING of a REAL is a REAL)."""

    def call(value: Any) -> Any:
        result = function(value)
        return float(result) if isinstance(value, float) else result

    return call


def _cot(value: float) -> float:
    return 1 / math.tan(value)


def _moment(value: str) -> dt.datetime | dt.date | dt.time:
    if ":" in value and "-" not in value[:5]:
        return dt.time.fromisoformat(value)
    if len(value) > 10:
        return dt.datetime.fromisoformat(value)
    return dt.date.fromisoformat(value)


def _zone(name: str) -> dt.tzinfo:
    if name[:1] in "+-":
        return dt.datetime.strptime(name, "%z").tzinfo  # type: ignore[return-value]
    return zoneinfo.ZoneInfo(name)


def to_zone(value: str, zone: str) -> str:
    """A stored datetime (UTC when naive) as the wall-clock text of `zone`."""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(_zone(zone)).replace(tzinfo=None).isoformat(" ")


def trunc(kind: str, output: str, value: str) -> str:
    """`value` cut down to `kind`, as the text of a date, time or datetime (`output`)."""
    moment = _moment(value)
    if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    if kind == "date":
        return moment.date().isoformat()  # type: ignore[union-attr]
    if kind == "time":
        return moment.time().isoformat()  # type: ignore[union-attr]
    if isinstance(moment, dt.time):
        cut_time = {
            "hour": moment.replace(minute=0, second=0, microsecond=0),
            "minute": moment.replace(second=0, microsecond=0),
            "second": moment.replace(microsecond=0),
        }[kind]
        return cut_time.isoformat()
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day)
    cut = _cut(kind, moment)
    if output == "date":
        return cut.date().isoformat()
    if output == "time":
        return cut.time().isoformat()
    return cut.isoformat(" ")


def _cut(kind: str, moment: dt.datetime) -> dt.datetime:
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == "year":
        return midnight.replace(month=1, day=1)
    if kind == "quarter":
        return midnight.replace(month=(moment.month - 1) // 3 * 3 + 1, day=1)
    if kind == "month":
        return midnight.replace(day=1)
    if kind == "week":
        return midnight - dt.timedelta(days=moment.weekday())
    if kind == "day":
        return midnight
    if kind == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    if kind == "minute":
        return moment.replace(second=0, microsecond=0)
    return moment.replace(microsecond=0)


def _temporal_value(kind: str, value: Any) -> Any:
    if kind == "duration":
        return dt.timedelta(microseconds=int(value))
    if kind == "time":
        return dt.datetime.combine(dt.date(2000, 1, 1), dt.time.fromisoformat(str(value)))
    moment = dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def temporal(op: str, left_kind: str, left: Any, right_kind: str, right: Any) -> Any:
    """`left op right` over stored dates (text) and durations (microseconds), answered in the same forms."""
    lhs, rhs = _temporal_value(left_kind, left), _temporal_value(right_kind, right)
    result = lhs + rhs if op == "+" else lhs - rhs
    if isinstance(result, dt.timedelta):
        return (result.days * 86400 + result.seconds) * 1_000_000 + result.microseconds
    if "time" in (left_kind, right_kind):
        return result.time().isoformat()
    return result.isoformat(" ")


#: name -> (number of arguments, Python function)
FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "ACOS": (1, math.acos),
    "ASIN": (1, math.asin),
    "ATAN": (1, math.atan),
    "ATAN2": (2, math.atan2),
    "CEILING": (1, _keep_float(math.ceil)),
    "COS": (1, math.cos),
    "COT": (1, _cot),
    "DEGREES": (1, math.degrees),
    "EXP": (1, math.exp),
    "FLOOR": (1, _keep_float(math.floor)),
    "LN": (1, math.log),
    "LOG": (2, _log),
    "MOD": (2, math.fmod),
    "PI": (0, lambda: math.pi),
    "POWER": (2, _power),
    "RADIANS": (1, math.radians),
    "SIGN": (1, _keep_float(_sign)),
    "SIN": (1, math.sin),
    "SQRT": (1, math.sqrt),
    "TAN": (1, math.tan),
    "LPAD": (3, _lpad),
    "RPAD": (3, _rpad),
    "REPEAT": (2, lambda text, count: str(text) * int(count)),
    "REVERSE": (1, lambda text: str(text)[::-1]),
    "MD5": (1, _digest("md5")),
    "SHA1": (1, _digest("sha1")),
    "SHA224": (1, _digest("sha224")),
    "SHA256": (1, _digest("sha256")),
    "SHA384": (1, _digest("sha384")),
    "SHA512": (1, _digest("sha512")),
    "RELATA_TO_ZONE": (2, to_zone),
    "RELATA_TRUNC": (3, trunc),
    "RELATA_TEMPORAL": (5, temporal),
}


class _Spread:
    """StdDev()/Variance() over a group: Welford's running mean, so large values lose no precision.

    NULLs are skipped as SQL aggregates skip them; no value (or one, for a
    sample) gives NULL, as on PostgreSQL and MariaDB.
    """

    sample = False
    root = False

    def __init__(self) -> None:
        self.count, self.mean, self.squares = 0, 0.0, 0.0

    def step(self, value: Any) -> None:
        if value is None:
            return
        value = float(value)
        self.count += 1
        delta = value - self.mean
        self.mean += delta / self.count
        self.squares += delta * (value - self.mean)

    def finalize(self) -> float | None:
        divisor = self.count - 1 if self.sample else self.count
        if divisor <= 0:
            return None
        variance = self.squares / divisor
        return math.sqrt(variance) if self.root else variance


def _spread(sample: bool, root: bool) -> type[_Spread]:
    return type("Spread", (_Spread,), {"sample": sample, "root": root})


AGGREGATES: dict[str, type[_Spread]] = {
    "STDDEV_POP": _spread(sample=False, root=True),
    "STDDEV_SAMP": _spread(sample=True, root=True),
    "VAR_POP": _spread(sample=False, root=False),
    "VAR_SAMP": _spread(sample=True, root=False),
}


def register_functions(connection: Any) -> None:
    """Register FUNCTIONS, AGGREGATES (and the non-deterministic RELATA_RANDOM) on a new sqlite3 connection."""
    for name, (count, function) in FUNCTIONS.items():
        connection.create_function(name, count, _none_guard(function), deterministic=True)
    for name, aggregate in AGGREGATES.items():
        connection.create_aggregate(name, 1, aggregate)
    connection.create_function("RELATA_RANDOM", 0, random.random)
