"""Every cached compiled statement must carry every value of its call: expressions that compile to
different SQL must not share an identity (the statement cache key). Each pair below differs in one
constructor argument that changes the SQL; a shared identity would let one reuse the other's SQL."""

import datetime
import zoneinfo

import pytest

from relata import models
from relata.models import F, Q, Value, functions
from relata.models.window import RowRange, ValueRange, Window

PAIRS = {
    "stddev_sample": lambda: (models.StdDev("x"), models.StdDev("x", sample=True)),
    "variance_sample": lambda: (models.Variance("x"), models.Variance("x", sample=True)),
    "count_distinct": lambda: (models.Count("x"), models.Count("x", distinct=True)),
    "sum_filter": lambda: (models.Sum("x", filter=Q(y=1)), models.Sum("x", filter=Q(y=2))),
    "max_default": lambda: (models.Max("x", default=0), models.Max("x", default=1)),
    "min_field": lambda: (models.Min("x"), models.Min("y")),
    "avg_output": lambda: (models.Avg("x"), models.Avg("x", output_field=models.IntegerField())),
    "trunc_kind": lambda: (functions.Trunc("d", "month"), functions.Trunc("d", "year")),
    "trunc_zone": lambda: (
        functions.TruncDay("d", tzinfo=zoneinfo.ZoneInfo("UTC")),
        functions.TruncDay("d", tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
    ),
    "extract_part": lambda: (functions.ExtractMonth("d"), functions.ExtractYear("d")),
    "collate": lambda: (functions.Collate("n", "nocase"), functions.Collate("n", "binary")),
    "cast_type": lambda: (functions.Cast("x", models.IntegerField()), functions.Cast("x", models.FloatField())),
    "round_places": lambda: (functions.Round("x", 1), functions.Round("x", 2)),
    "lpad_fill": lambda: (functions.LPad("n", 5, Value("x")), functions.LPad("n", 5, Value("y"))),
    "window_partition": lambda: (
        Window(models.Sum("x"), partition_by=F("a")),
        Window(models.Sum("x"), partition_by=F("b")),
    ),
    "window_frame": lambda: (
        Window(models.Sum("x"), frame=RowRange(start=-1, end=1)),
        Window(models.Sum("x"), frame=ValueRange(start=-1, end=1)),
    ),
    "window_bounds": lambda: (
        Window(models.Sum("x"), frame=RowRange(start=-1, end=1)),
        Window(models.Sum("x"), frame=RowRange(start=-2, end=1)),
    ),
    "lag_offset": lambda: (functions.Lag("x", 1), functions.Lag("x", 2)),
    "value": lambda: (Value(1), Value(2)),
    "value_type": lambda: (Value(1), Value(1.0)),
    "date_value": lambda: (Value(datetime.date(2020, 1, 1)), Value(datetime.date(2020, 1, 2))),
    "case_default": lambda: (
        models.Case(models.When(x=1, then=Value(1)), default=Value(0)),
        models.Case(models.When(x=1, then=Value(1)), default=Value(2)),
    ),
    "order_nulls": lambda: (F("x").asc(nulls_first=True), F("x").asc(nulls_last=True)),
    "order_direction": lambda: (F("x").asc(), F("x").desc()),
    "combined_connector": lambda: (F("x") + 1, F("x") - 1),
}


@pytest.mark.parametrize("name", list(PAIRS))
def test_different_sql_has_a_different_identity(name):
    first, second = PAIRS[name]()
    assert first.identity() != second.identity()
    again, _ = PAIRS[name]()
    assert first.identity() == again.identity()  # and the same call shares its cached statement
