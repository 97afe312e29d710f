"""A computed expression that is selected and also grouped or ordered by.

PostgreSQL binds parameters itself, so `age * $1` in the select list and
`age * $2` in GROUP BY (or in the ORDER BY of a SELECT DISTINCT) are two
different expressions to it, and it refuses the query. Each shape runs with
two values; answers are computed from the rows in Python.
"""

from __future__ import annotations

import pytest

from relata import models
from relata.models import F, Sum
from relata.testing.pytest_plugin import use_models


class Writer(models.Model):
    name = models.CharField(max_length=20)
    age = models.IntegerField()
    mentor = models.ForeignKey("self", models.SET_NULL, null=True, related_name="mentees")

    class Meta:
        app_label = "q_selected_expr"


class Essay(models.Model):
    writer = models.ForeignKey(Writer, models.CASCADE, related_name="essays")
    words = models.IntegerField()

    class Meta:
        app_label = "q_selected_expr"


use_models(Writer, Essay)


@pytest.fixture
def writers():
    ada = Writer.objects.create(name="ada", age=40)
    bo = Writer.objects.create(name="bo", age=30, mentor=ada)
    cy = Writer.objects.create(name="cy", age=20, mentor=bo)
    for writer, words in [(ada, 100), (ada, 50), (bo, 70), (cy, 10), (cy, 5)]:
        Essay.objects.create(writer=writer, words=words)
    return [ada, bo, cy]


@pytest.mark.parametrize("factor", [2, 3])
def test_a_joined_expression_next_to_an_aggregate_groups_by_it(writers, factor):
    rows = (
        Writer.objects.annotate(doubled=F("mentor__age") * factor).annotate(total=Sum("essays__words")).order_by("pk")
    )
    expected = []
    for writer in writers:
        mentor_age = writer.mentor.age if writer.mentor else None
        total = sum(e.words for e in Essay.objects.filter(writer=writer))
        expected.append((writer.pk, None if mentor_age is None else mentor_age * factor, total))
    assert [(w.pk, w.doubled, w.total) for w in rows] == expected
    assert rows.count() == len(writers)


@pytest.mark.parametrize("shift", [0, 7])
def test_distinct_ordered_by_a_selected_expression(writers, shift):
    rows = Writer.objects.annotate(shifted=F("age") + shift).distinct().order_by("shifted")
    assert [(w.name, w.shifted) for w in rows] == [
        (w.name, w.age + shift) for w in sorted(writers, key=lambda w: w.age)
    ]
    rows = Writer.objects.annotate(shifted=F("age") + shift).distinct().order_by("-shifted")
    assert [w.name for w in rows] == [w.name for w in sorted(writers, key=lambda w: -w.age)]


@pytest.mark.parametrize("factor", [1, 10])
def test_values_grouped_by_an_expression(writers, factor):
    rows = (
        Writer.objects.annotate(scaled=F("age") * factor)
        .values("scaled")
        .annotate(total=Sum("essays__words"))
        .order_by("scaled")
    )
    expected = sorted((w.age * factor, sum(e.words for e in Essay.objects.filter(writer=w))) for w in writers)
    assert [(r["scaled"], r["total"]) for r in rows] == expected
