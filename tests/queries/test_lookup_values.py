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


class Stamp(models.Model):
    at = models.DateTimeField(primary_key=True)

    class Meta:
        app_label = "q_lookup_values"


class Letter(models.Model):
    stamp = models.ForeignKey(Stamp, on_delete=models.CASCADE)

    class Meta:
        app_label = "q_lookup_values"


class Site(models.Model):
    name = models.CharField(max_length=30)

    class Meta:
        app_label = "q_lookup_values"


class Shop(models.Model):
    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True)

    class Meta:
        app_label = "q_lookup_values"


use_models(Writer, Entry, Stamp, Letter, Site, Shop)


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


def test_a_queryset_of_another_model_is_refused_for_a_relation(entries):
    with pytest.raises(ValueError, match=r'Cannot use QuerySet for "Entry": Use a QuerySet for "Writer"'):
        Entry.objects.filter(writer__in=Entry.objects.all())
    with pytest.raises(ValueError, match=r'Cannot use QuerySet for "Writer": Use a QuerySet for "Entry"'):
        Writer.objects.filter(entry__in=Writer.objects.all())
    assert headlines(Entry.objects.filter(writer__in=Writer.objects.filter(name="Ann"))) == ["spring"]


@pytest.fixture
def registered_stamps():
    for moment in (datetime.datetime(2020, 11, 2, 8), datetime.datetime(2021, 3, 4, 9)):
        Letter.objects.create(stamp=Stamp.objects.create(at=moment))


def test_transforms_of_a_foreign_key_read_the_key_it_holds(registered_stamps):
    from relata.models.functions import ExtractYear

    months = Letter.objects.order_by("stamp__month").values_list("stamp__month", flat=True)
    assert list(months) == [3, 11]
    field = Letter._meta.get_field("stamp")
    field.register_lookup(ExtractYear)
    try:
        assert Letter.objects.filter(stamp__year=2020).count() == 1
    finally:
        field._unregister_lookup(ExtractYear)


def test_a_queryset_of_the_model_itself_for_a_relation_that_is_its_key():
    shop = Shop.objects.create(site=Site.objects.create(name="corner"))
    Site.objects.create(name="empty lot")
    assert list(Shop.objects.filter(site_id__in=Shop.objects.filter(pk=shop.pk))) == [shop]
    assert list(Shop.objects.filter(site__in=Site.objects.filter(name="corner"))) == [shop]
