"""Date and time functions on every backend: Extract*, Trunc* (with tzinfo) and Now.

Stored datetimes are UTC; a tzinfo reads them on that zone's wall clock. The
named zone needs time zone tables on MySQL, so the zone cases there use a
fixed offset, which needs none.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from function_models import Dj, R, same

import oracle
from relata import connection
from relata.exceptions import DataError, NotSupportedError
from relata.models import F
from relata.models.functions import (
    Extract,
    ExtractDay,
    ExtractHour,
    ExtractYear,
    Now,
    Trunc,
    TruncDate,
    TruncDay,
    TruncMonth,
    TruncTime,
)
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

UTC = dt.UTC
use_models(R.Person, R.Number, R.Moment)
oracle.use_django_models(Dj.Person, Dj.Number, Dj.Moment)

MOMENTS = [
    (1, "leap", dt.datetime(2024, 2, 29, 23, 30, 15, 250000), dt.date(2024, 2, 29), dt.time(23, 30, 15)),
    (2, "newyear", dt.datetime(2020, 12, 31, 22, 5, 1), dt.date(2021, 1, 3), dt.time(0, 0, 59)),
    (3, "empty", None, None, None),
]


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows, _django_clean_rows):
    for ident, label, at, day, clock in MOMENTS:
        R.Moment.objects.create(id=ident, label=label, at=at and at.replace(tzinfo=UTC), day=day, clock=clock)
        Dj.Moment.objects.create(id=ident, label=label, at=at, day=day, clock=clock)


def naive(value):
    """A datetime as its UTC wall clock, so relata's aware and Django's naive (USE_TZ=False) answers compare."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def values(side, *names, **expressions):
    rows = side.Moment.objects.annotate(**expressions).order_by("id").values_list(*names, *expressions)
    return [tuple(naive(v) for v in row) for row in rows]


DATE_PARTS = ["year", "iso_year", "month", "day", "week", "week_day", "iso_week_day", "quarter"]


@pytest.mark.parametrize("part", DATE_PARTS)
def test_extract_date_parts_of_dates_and_datetimes(part):
    same(lambda side, fn: values(side, d=fn.Extract("day", part), a=fn.Extract("at", part)))


@pytest.mark.parametrize("part", ["hour", "minute", "second"])
def test_extract_time_parts_of_times_and_datetimes(part):
    same(lambda side, fn: values(side, c=fn.Extract("clock", part), a=fn.Extract("at", part)))


def test_extract_subclasses_filter_order_and_group():
    same(lambda side, fn: values(side, y=fn.ExtractYear("at"), m=fn.ExtractMonth("day"), s=fn.ExtractSecond("clock")))
    same(
        lambda side, fn: list(
            side.Moment.objects.filter(at__isnull=False).order_by(fn.ExtractDay("at")).values_list("id", flat=True)
        )
    )
    same(
        lambda side, fn: list(
            side.Moment.objects.annotate(q=fn.ExtractQuarter("day")).filter(q=1).values_list("id", flat=True)
        )
    )


KINDS = ["year", "quarter", "month", "week", "day"]


@pytest.mark.parametrize("kind", KINDS)
def test_trunc_dates_and_datetimes_to_date_kinds(kind):
    same(lambda side, fn: values(side, d=fn.Trunc("day", kind), a=fn.Trunc("at", kind)))
    same(lambda side, fn: values(side, a=fn.Trunc("at", kind, output_field=side.m.DateField())))


@pytest.mark.parametrize("kind", ["hour", "minute", "second"])
def test_trunc_times_and_datetimes_to_time_kinds(kind):
    same(lambda side, fn: values(side, c=fn.Trunc("clock", kind), a=fn.Trunc("at", kind)))


def test_trunc_subclasses_and_date_time_parts():
    same(lambda side, fn: values(side, m=fn.TruncMonth("at"), d=fn.TruncDate("at"), t=fn.TruncTime("at")))
    same(
        lambda side, fn: list(
            side.Moment.objects.annotate(m=fn.TruncYear("day"))
            .values("m")
            .annotate(n=side.m.Count("id"))
            .order_by(side.m.F("m").asc(nulls_first=True))
            .values_list("m", "n")
        )
    )


def test_output_types():
    row = R.Moment.objects.annotate(
        y=ExtractYear("at"), d=TruncDate("at"), t=TruncTime("at"), m=TruncMonth("day"), cut=TruncDay("at")
    ).get(id=1)
    assert (row.y, row.d, row.t, row.m) == (
        2024,
        dt.date(2024, 2, 29),
        dt.time(23, 30, 15, 250000),
        dt.date(2024, 2, 1),
    )
    assert naive(row.cut) == dt.datetime(2024, 2, 29)


ZONES = ["Europe/Paris", "Asia/Kolkata"]


@pytest.mark.parametrize("zone_name", ZONES)
def test_tzinfo_reads_the_zones_wall_clock(zone_name):
    zone = zoneinfo.ZoneInfo(zone_name)
    if connection.vendor == "mysql":
        offset = dt.datetime(2024, 3, 1, tzinfo=zone).utcoffset()
        zone = dt.timezone(offset)  # MariaDB's named zones need its time zone tables
    row = R.Moment.objects.annotate(
        d=ExtractDay("at", tzinfo=zone), h=ExtractHour("at", tzinfo=zone), cut=TruncDay("at", tzinfo=zone)
    ).get(id=1)
    local = dt.datetime(2024, 2, 29, 23, 30, 15, tzinfo=UTC).astimezone(zone)
    assert (row.d, row.h) == (local.day, local.hour)
    assert row.cut == local.replace(hour=0, minute=0, second=0, microsecond=0)
    assert row.cut.utcoffset() == local.utcoffset()
    # Each zone is its own compiled statement: the second one's answers are its own.
    assert R.Moment.objects.annotate(d=TruncDate("at", tzinfo=zone)).get(id=1).d == local.date()


def test_now_and_comparisons_with_it():
    before = dt.datetime.now(UTC) - dt.timedelta(seconds=5)
    row = R.Moment.objects.annotate(now=Now()).get(id=1)
    assert naive(row.now) >= naive(before)
    assert list(R.Moment.objects.filter(at__lt=Now()).order_by("id").values_list("id", flat=True)) == [1, 2]
    with assert_num_queries(1):
        R.Moment.objects.filter(id=2).update(at=Now())
    assert naive(R.Moment.objects.get(id=2).at) >= naive(before)


def test_update_with_trunc():
    def update(side, fn):
        side.Moment.objects.update(day=fn.TruncMonth("day"))
        return list(side.Moment.objects.order_by("id").values_list("day", flat=True))

    same(update)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: ExtractHour("day"), ValueError, "Cannot extract time component 'hour' from DateField 'day'."),
        (lambda: ExtractYear("clock"), ValueError, "Cannot extract component 'year' from TimeField 'clock'."),
        (lambda: ExtractYear("label"), ValueError, "Extract input expression must be DateField, DateTimeField"),
        (lambda: Trunc("day", "hour"), ValueError, "Cannot truncate DateField 'day' to DateTimeField."),
        (lambda: TruncDay("clock"), ValueError, "Cannot truncate TimeField 'clock' to DateTimeField."),
        (lambda: TruncTime("day"), ValueError, "Cannot truncate DateField 'day' to TimeField."),
        (lambda: TruncDay("label"), TypeError, "'label' isn't a DateField, TimeField, or DateTimeField."),
        (lambda: ExtractDay("day", tzinfo=UTC), ValueError, "tzinfo can only be used with DateTimeField."),
    ],
)
def test_bad_inputs_are_refused_in_djangos_words(build, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(")):
        list(R.Moment.objects.annotate(x=build()))


def test_extract_needs_a_lookup_name():
    with pytest.raises(ValueError, match="lookup_name must be provided"):
        Extract("at")


def test_duration_parts_where_the_database_has_intervals():
    R.Moment.objects.filter(id=1).update(spent=dt.timedelta(days=2, hours=3, minutes=4, seconds=5))
    query = R.Moment.objects.filter(id=1).annotate(d=Extract("spent", "day"), h=Extract("spent", "hour"))
    if not connection.features.has_native_duration_field:
        with pytest.raises(ValueError, match=re.escape("Extract requires native DurationField database support.")):
            list(query)
        return
    assert query.values_list("d", "h").get() == (2, 3)
    with pytest.raises(ValueError, match=re.escape("Cannot extract component 'year' from DurationField 'spent'.")):
        list(R.Moment.objects.annotate(y=Extract("spent", "year")))


def test_f_expressions_inside():
    same(
        lambda side, fn: values(
            side, y=fn.ExtractYear(side.m.F("at")), d=fn.TruncDay(F("at") if side is R else side.m.F("at"))
        )
    )


def test_an_unknown_kind_is_refused_before_any_sql():
    with pytest.raises(DataError, match='Trunc kind "year\'\\) OR 1=1;--" is not one of year, quarter'):
        Trunc("at", "year') OR 1=1;--")


def test_time_transform_keeps_microseconds():
    same(
        lambda side, fn: list(
            side.Moment.objects.filter(at__time=dt.time(23, 30, 15, 250000)).values_list("id", flat=True)
        )
    )
    same(lambda side, fn: list(side.Moment.objects.filter(at__time=fn.TruncTime("at")).values_list("id", flat=True)))


# -- arithmetic with dates, times and durations (SQLite keeps text, MySQL microseconds) ----------


@pytest.mark.parametrize("days", [2, 40])
def test_adding_and_subtracting_durations(days):
    delta = dt.timedelta(days=days, hours=1, microseconds=5)
    R.Moment.objects.update(spent=dt.timedelta(minutes=90))
    rows = (
        R.Moment.objects.filter(id=1)
        .annotate(
            later=F("at") + delta,
            earlier=F("at") - delta,
            day_later=F("day") + delta,
            clock_later=F("clock") + dt.timedelta(minutes=45),
            plus_spent=F("at") + F("spent"),
            spent_twice=F("spent") + F("spent"),
        )
        .get()
    )
    at = dt.datetime(2024, 2, 29, 23, 30, 15, 250000, tzinfo=UTC)
    assert naive(rows.later) == naive(at + delta)
    assert naive(rows.earlier) == naive(at - delta)
    assert naive(rows.day_later) == dt.datetime(2024, 2, 29) + delta
    assert rows.clock_later == dt.time(0, 15, 15)
    assert naive(rows.plus_spent) == naive(at + dt.timedelta(minutes=90))
    assert rows.spent_twice == dt.timedelta(hours=3)


def test_differences_of_dates_and_datetimes_are_durations():
    row = R.Moment.objects.annotate(
        span=F("at") - F("at"), days=F("day") - R.m.Value(dt.date(2024, 1, 1), output_field=R.m.DateField())
    ).get(id=1)
    assert (row.span, row.days) == (dt.timedelta(0), dt.timedelta(days=59))


def test_now_plus_a_duration_saves_and_filters():
    moment = R.Moment.objects.get(id=3)
    moment.at = Now() + dt.timedelta(days=2)
    moment.save()
    moment.refresh_from_db()
    assert naive(moment.at) > naive(dt.datetime.now(UTC) + dt.timedelta(days=1))
    assert list(R.Moment.objects.filter(at__gt=Now() + dt.timedelta(days=1)).values_list("id", flat=True)) == [3]


# -- QuerySet.dates() and datetimes() ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["year", "month", "week", "day"])
def test_dates_are_distinct_truncated_and_ordered(kind):
    same(lambda side, fn: list(side.Moment.objects.dates("day", kind)))
    same(lambda side, fn: list(side.Moment.objects.dates("at", kind, order="DESC")))


@pytest.mark.parametrize("kind", ["year", "month", "week", "day", "hour", "minute", "second"])
def test_datetimes_are_distinct_truncated_and_ordered(kind):
    same(lambda side, fn: [naive(v) for v in side.Moment.objects.datetimes("at", kind)])


def test_datetimes_on_a_zones_clock():
    zone = dt.timezone(dt.timedelta(hours=5, minutes=30))  # a fixed offset: MariaDB needs no zone tables
    days = list(R.Moment.objects.datetimes("at", "day", tzinfo=zone))
    assert days == [dt.datetime(2021, 1, 1, tzinfo=zone), dt.datetime(2024, 3, 1, tzinfo=zone)]


def test_dates_refuse_bad_arguments_at_the_call():
    with pytest.raises(ValueError, match=re.escape("'kind' must be one of 'year', 'month', 'week', or 'day'.")):
        R.Moment.objects.dates("day", "hour")
    with pytest.raises(ValueError, match=re.escape("'order' must be either 'ASC' or 'DESC'.")):
        R.Moment.objects.datetimes("at", "day", order="up")
    from relata.exceptions import FieldError

    with pytest.raises(FieldError, match="Cannot resolve keyword 'nope' into field"):
        R.Moment.objects.dates("nope", "day")
    with pytest.raises(ValueError, match="Cannot truncate DateField 'day' to DateTimeField"):
        list(R.Moment.objects.datetimes("day", "second"))


def test_a_named_zone_the_database_cannot_convert_to_is_refused_not_nulled():
    zone = zoneinfo.ZoneInfo("Europe/Paris")
    query = R.Moment.objects.annotate(h=ExtractHour("at", tzinfo=zone)).filter(id=1)
    probe = "SELECT CONVERT_TZ('2000-01-01 00:00:00', '+00:00', 'Europe/Paris')"
    if connection.vendor == "mysql" and connection.execute(probe).fetchone()[0] is None:
        with pytest.raises(NotSupportedError, match="time zone tables are not loaded"):
            list(query)
        return
    assert query.get().h == 0  # 23:30 UTC on 2024-02-29 is 00:30 in Paris
