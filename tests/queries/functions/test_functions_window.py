"""Window functions and Window(partition_by, order_by, frame) on every backend, compared with Django.

Frame offsets and function arguments (offsets, nth, buckets) travel as
parameters: each shape runs with two values.
"""

from __future__ import annotations

import re

import pytest
from function_models import Dj, R, same

import oracle
from relata import connection
from relata.exceptions import NotSupportedError
from relata.models import F, RowRange, Sum, ValueRange, Window, WindowFrameExclusion
from relata.models.functions import Lag, NthValue, Ntile, Rank, RowNumber
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

use_models(R.Person, R.Number, R.Moment)
oracle.use_django_models(Dj.Person, Dj.Number, Dj.Moment)

PEOPLE = [(1, "Ann", "a", 40), (2, "Bob", "a", 30), (3, "Cy", "b", 30), (4, "Di", "b", 25), (5, "Ed", "a", 30)]


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows, _django_clean_rows):
    for side in (R, Dj):
        for ident, name, alias, age in PEOPLE:
            side.Person.objects.create(id=ident, name=name, alias=alias, age=age)


def windowed(side, **windows):
    rows = side.Person.objects.annotate(**windows).order_by("id")
    return [tuple(getattr(row, name) for name in windows) for row in rows]


def W(side, expression, **kwargs):
    return side.m.Window(expression, **kwargs)


RANKING = ["Rank", "DenseRank", "RowNumber", "CumeDist", "PercentRank"]


@pytest.mark.parametrize("name", RANKING)
def test_ranking_functions_per_partition(name):
    same(
        lambda side, fn: windowed(
            side,
            r=W(side, getattr(fn, name)(), partition_by="alias", order_by=["-age", "id"]),
            whole=W(side, getattr(fn, name)(), order_by=[side.m.F("age").asc(), "id"]),
        )
    )


@pytest.mark.parametrize("offset", [1, 2])
def test_lag_lead_nth_value_carry_their_numbers(offset):
    same(
        lambda side, fn: windowed(
            side,
            lag=W(side, fn.Lag("age", offset), order_by="id"),
            lead=W(side, fn.Lead("age", offset), order_by="id"),
            nth=W(side, fn.NthValue("name", offset), order_by="id"),
            tile=W(side, fn.Ntile(offset + 1), order_by="id"),
        )
    )


@pytest.mark.parametrize("default", [0, -1])
def test_lag_default_where_the_database_takes_one(default):
    query = R.Person.objects.annotate(v=Window(Lag("age", 1, default=default), order_by="id")).order_by("id")
    if not connection.features.supports_default_in_lead_lag:
        with pytest.raises(NotSupportedError, match="does not support a default for Lag"):
            list(query)
        return
    assert list(query.values_list("v", flat=True)) == [default, 40, 30, 30, 25]


def test_first_and_last_value_see_the_frame():
    same(
        lambda side, fn: windowed(
            side,
            first=W(side, fn.FirstValue("name"), partition_by="alias", order_by="id"),
            last=W(side, fn.LastValue("name"), partition_by="alias", order_by="id", frame=side.m.RowRange(None, None)),
        )
    )


@pytest.mark.parametrize(("start", "end"), [(-1, 1), (-2, 0), (None, 0), (0, None), (1, 2)])
def test_row_frames_carry_their_bounds(start, end):
    same(
        lambda side, fn: windowed(side, s=W(side, side.m.Sum("age"), order_by="id", frame=side.m.RowRange(start, end)))
    )


@pytest.mark.parametrize(("start", "end"), [(-5, 0), (0, 10)])
def test_value_frames_carry_their_bounds(start, end):
    same(
        lambda side, fn: windowed(
            side, s=W(side, side.m.Sum("id"), order_by="age", frame=side.m.ValueRange(start, end))
        )
    )


def test_aggregates_over_windows_add_no_group_by():
    same(
        lambda side, fn: windowed(
            side,
            total=W(side, side.m.Sum("age"), partition_by="alias"),
            avg=W(side, side.m.Max("age"), partition_by=[side.m.F("alias")]),
            n=W(side, side.m.Count("id")),
        )
    )
    with assert_num_queries(1):
        assert R.Person.objects.annotate(n=Window(Sum("age"))).count() == 5


def test_frame_exclusion_where_the_database_has_it():
    frame = RowRange(-1, 1, exclusion=WindowFrameExclusion.CURRENT_ROW)
    query = R.Person.objects.annotate(s=Window(Sum("age"), order_by="id", frame=frame)).order_by("id")
    if not connection.features.supports_frame_exclusion:
        with pytest.raises(NotSupportedError, match="does not support window frame exclusions"):
            list(query)
        return
    assert list(query.values_list("s", flat=True)) == [30, 70, 55, 60, 25]


def test_window_values_in_values_and_order_by():
    same(
        lambda side, fn: list(
            side.Person.objects.annotate(rn=W(side, fn.RowNumber(), order_by="-id"))
            .order_by("rn")
            .values_list("name", "rn")
        )
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Window(F("age")), "Expression 'F' isn't compatible with OVER clauses."),
        (lambda: Lag("age", -1), "Lag requires a positive integer for the offset."),
        (lambda: NthValue(None), "NthValue requires a non-null source expression."),
        (lambda: Ntile(0), "num_buckets must be greater than 0."),
        (lambda: RowRange("a"), "start argument must be an integer, zero, or None, but got 'a'."),
        (lambda: Window(Rank(), order_by=object()), "Window.order_by must be either a string reference"),
    ],
)
def test_bad_windows_are_refused_in_djangos_words(build, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        build()


def test_frame_bounds_are_checked_before_sql():
    with pytest.raises(ValueError, match=re.escape("start cannot be greater than end.")):
        list(R.Person.objects.annotate(s=Window(Sum("age"), frame=RowRange(2, -1))))
    with pytest.raises(
        ValueError, match=re.escape("start argument must be a negative integer, zero, or None, but got '3'.")
    ):
        list(R.Person.objects.annotate(s=Window(Sum("age"), order_by="age", frame=ValueRange(3))))


def test_repr_reads_like_djangos():
    assert repr(Window(Sum("age"), partition_by="alias")) == "<Window: Sum(F(age)) OVER (PARTITION BY F(alias))>"
    assert repr(RowRange(-1, 2)) == "<RowRange: ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING>"
    assert RowNumber() == RowNumber()


# -- filtering on windows: applied around the query that computes them -------------------------


def ranked(side, fn):
    return side.Person.objects.annotate(
        r=W(side, fn.Rank(), partition_by="alias", order_by=[side.m.F("age").desc(), "id"]),
        diff=W(side, side.m.Max("age"), partition_by="alias") - side.m.F("age"),
    )


@pytest.mark.parametrize("rank", [1, 2])
def test_filter_and_exclude_on_a_window_carry_their_values(rank):
    same(lambda side, fn: list(ranked(side, fn).filter(r=rank).order_by("id").values_list("name", flat=True)))
    same(lambda side, fn: list(ranked(side, fn).exclude(r=rank).order_by("id").values_list("name", "r")))
    same(lambda side, fn: list(ranked(side, fn).filter(diff__gt=rank * 5).order_by("-id").values_list("id", flat=True)))


def test_window_filters_mix_with_plain_filters_or_and_slices():
    Q = R.m.Q
    rows = ranked(R, _relata_functions()).filter(Q(r=1) | Q(name="Di"), age__gte=25)
    assert sorted(rows.values_list("name", flat=True)) == ["Ann", "Cy", "Di"]
    same(
        lambda side, fn: list(
            ranked(side, fn).filter(age__lt=40).filter(r=1).order_by("id").values_list("id", flat=True)
        )
    )
    same(lambda side, fn: [p.name for p in ranked(side, fn).filter(r__lte=2).order_by("-age", "id")[1:3]])


def test_count_exists_and_aggregate_over_a_window_filter():
    same(lambda side, fn: ranked(side, fn).filter(r=1).count())
    same(lambda side, fn: ranked(side, fn).filter(r=9).exists())
    same(lambda side, fn: ranked(side, fn).filter(r=1).aggregate(total=side.m.Sum("age")))
    with assert_num_queries(1):
        assert ranked(R, _relata_functions()).filter(r=2).count() == 2


def _relata_functions():
    from relata.models import functions

    return functions


def test_update_and_delete_reach_only_the_rows_the_window_filter_keeps():
    # Beyond Django 5.2, whose UPDATE and DELETE put the window in WHERE and fail ("misuse of window function").
    functions = _relata_functions()
    with assert_num_queries(1):
        updated = ranked(R, functions).filter(r=1).update(bio="top")
    assert updated == 2
    assert list(R.Person.objects.filter(bio="top").order_by("id").values_list("name", flat=True)) == ["Ann", "Cy"]
    deleted = ranked(R, functions).filter(r=3).delete()[0]
    assert deleted == 1  # Ed: third in "a" by age, then id
    assert list(R.Person.objects.order_by("id").values_list("id", flat=True)) == [1, 2, 3, 4]


def test_a_window_cannot_be_assigned_by_update():
    from relata.exceptions import FieldError

    with pytest.raises(FieldError, match="Window expressions are not allowed in this query"):
        R.Person.objects.update(age=Window(Rank()))


@pytest.mark.parametrize("top", [1, 2])
def test_a_window_over_grouped_aggregates_ranks_the_groups(top):
    def case(side, fn):
        groups = (
            side.Person.objects.values("alias")
            .annotate(total=side.m.Sum("age"))
            .annotate(rank=W(side, fn.Rank(), order_by=side.m.F("total").desc()))
            .order_by("rank")
        )
        return list(groups), list(groups.filter(rank__lte=top)), groups.filter(rank__lte=top).count()

    same(case)
