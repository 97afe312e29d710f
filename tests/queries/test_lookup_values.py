"""How built-in lookups take their values, as Django takes them: patterns as text, NULL left out of IN,
a queryset compared with `exact` limited to one row, a Q object as a true-or-false value."""

from __future__ import annotations

import datetime

import pytest

from relata import models
from relata.models import Q
from relata.testing import CaptureQueries
from relata.testing.pytest_plugin import use_models


class Writer(models.Model):
    name = models.CharField(max_length=30)

    class Meta:
        app_label = "q_lookup_values"


class Entry(models.Model):
    headline = models.CharField(max_length=30)
    published = models.DateTimeField()
    writer = models.ForeignKey(Writer, on_delete=models.CASCADE)
    featured = models.BooleanField(default=False)

    class Meta:
        app_label = "q_lookup_values"


use_models(Writer, Entry)


@pytest.fixture
def entries():
    ann, bo = Writer.objects.create(name="Ann"), Writer.objects.create(name="Bo")
    Entry.objects.create(headline="spring", published=datetime.datetime(2005, 4, 1, 9, 30), writer=ann)
    Entry.objects.create(headline="autumn", published=datetime.datetime(2011, 10, 2, 18, 0), writer=bo)


def headlines(queryset):
    return sorted(e.headline for e in queryset)


def test_a_pattern_lookup_reads_a_date_column_as_text(entries):
    assert headlines(Entry.objects.filter(published__startswith="2005")) == ["spring"]
    assert headlines(Entry.objects.filter(published__contains="-10-")) == ["autumn"]


def test_none_in_an_in_list_is_left_out(entries):
    ann = Writer.objects.get(name="Ann")
    assert headlines(Entry.objects.filter(writer_id__in=[None, ann.pk])) == ["spring"]
    with CaptureQueries() as captured:
        assert list(Entry.objects.filter(writer_id__in=[None])) == []
    assert len(captured) == 0


def test_exact_with_a_queryset_needs_one_row_of_one_column(entries):
    one = Writer.objects.filter(name="Bo")[:1]
    assert headlines(Entry.objects.filter(writer=one)) == ["autumn"]
    with pytest.raises(ValueError, match="must be limited to one result using slicing"):
        Entry.objects.filter(writer=Writer.objects.all())
    with pytest.raises(ValueError, match="must be limited to one result using slicing"):
        Entry.objects.filter(writer=Writer.objects.all()[1:])
    with pytest.raises(ValueError, match=r"must have 1 selected fields \(received 2\)"):
        Entry.objects.filter(writer=Writer.objects.values("id", "name")[:1])


def test_a_condition_as_a_lookups_value(entries):
    Entry.objects.filter(headline="spring").update(featured=True)
    winter = Entry.objects.create(
        headline="winter", published=datetime.datetime(2012, 1, 5), writer=Writer.objects.get(name="Bo"), featured=True
    )
    # featured == (published before 2010): spring (True, True) and autumn (False, False), not winter.
    same = Entry.objects.filter(featured=Q(published__year__lt=2010))
    assert headlines(same) == ["autumn", "spring"]
    assert winter not in same
