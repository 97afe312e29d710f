"""QuerySet.dates() and datetimes(), compared with Django on the same rows, on every backend."""

import datetime

import pytest

import oracle
from relata import models
from relata.testing.pytest_plugin import use_models

dm = oracle.models


def declare(m, base):
    class Writer(m.Model):
        name = m.CharField(max_length=20)

        class Meta(base):
            app_label = "q_dates"

    class Entry(m.Model):
        title = m.CharField(max_length=20)
        day = m.DateField(null=True)
        stamp = m.DateTimeField(null=True)
        writer = m.ForeignKey(Writer, m.CASCADE, null=True)

        class Meta(base):
            app_label = "q_dates"

    return Writer, Entry


Writer, Entry = declare(models, object)
DWriter, DEntry = declare(dm, oracle.Meta("q_dates"))
use_models(Writer, Entry)
oracle.use_django_models(DWriter, DEntry)

ROWS = [
    ("a", (2005, 7, 28), (2005, 7, 28, 12, 30, 15)),
    ("b", (2005, 7, 29), (2005, 7, 29, 12, 30, 45)),
    ("c", (2005, 8, 1), (2005, 8, 1, 9, 0, 0)),
    ("d", (2008, 12, 31), (2008, 12, 31, 23, 59, 59)),
    ("e", (2008, 12, 29), (2008, 12, 29, 1, 0, 0)),
    ("f", None, None),
]


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows, _django_clean_rows):
    for writer_model, entry_model in ((Writer, Entry), (DWriter, DEntry)):
        writer = writer_model.objects.create(name="w")
        for title, day, stamp in ROWS:
            entry_model.objects.create(
                title=title,
                day=datetime.date(*day) if day else None,
                stamp=datetime.datetime(*stamp) if stamp else None,
                writer=writer if title in "abc" else None,
            )


@pytest.mark.parametrize("kind", ["year", "month", "week", "day"])
@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_dates_match_django(kind, order):
    assert list(Entry.objects.dates("day", kind, order)) == list(DEntry.objects.dates("day", kind, order))


@pytest.mark.parametrize("kind", ["year", "month", "week", "day", "hour", "minute", "second"])
def test_datetimes_match_django(kind):
    def naive(values):
        return [value.replace(tzinfo=None) if value.tzinfo else value for value in values]

    assert naive(Entry.objects.datetimes("stamp", kind)) == naive(DEntry.objects.datetimes("stamp", kind))


def test_dates_after_a_filter_and_across_a_relation():
    assert list(Entry.objects.filter(title__in=["a", "b"]).dates("day", "day")) == [
        datetime.date(2005, 7, 28),
        datetime.date(2005, 7, 29),
    ]
    assert list(Writer.objects.dates("entry__day", "month")) == list(DWriter.objects.dates("entry__day", "month"))


def test_bad_arguments_are_refused_as_django():
    for call in (
        lambda E: E.objects.dates("day", "hour"),
        lambda E: E.objects.dates("day", "month", order="UP"),
        lambda E: E.objects.datetimes("stamp", "fortnight"),
    ):
        ours, theirs = oracle.error_of(call, Entry), oracle.error_of(call, DEntry)
        assert (type(ours).__name__, str(ours)) == (type(theirs).__name__, str(theirs))


def test_in_and_range_iterate_a_string_as_django():
    # Not about dates: these rows have one-letter titles, which makes the point visible.
    for lookup in ({"title__in": "ab"}, {"title__range": "bd"}, {"title__in": "zz"}):
        ours = sorted(Entry.objects.filter(**lookup).values_list("title", flat=True))
        assert ours == sorted(DEntry.objects.filter(**lookup).values_list("title", flat=True))
    assert sorted(Entry.objects.filter(title__in="ab").values_list("title", flat=True)) == ["a", "b"]


def test_dates_over_an_alias_and_an_annotation_match_django():
    for method, args in (("dates", ("when", "month")), ("datetimes", ("when", "day"))):
        source = "day" if method == "dates" else "stamp"
        ours = getattr(Entry.objects.alias(when=models.F(source)), method)(*args)
        theirs = getattr(DEntry.objects.alias(when=dm.F(source)), method)(*args)
        assert [v.replace(tzinfo=None) if hasattr(v, "hour") and v.tzinfo else v for v in ours] == [
            v.replace(tzinfo=None) if hasattr(v, "hour") and v.tzinfo else v for v in theirs
        ]
    assert list(Entry.objects.annotate(when=models.F("day")).dates("when", "year")) == [
        datetime.date(2005, 1, 1),
        datetime.date(2008, 1, 1),
    ]
