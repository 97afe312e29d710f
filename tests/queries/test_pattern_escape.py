"""Pattern lookups send ESCAPE only when the text has a wildcard or escape character."""

from __future__ import annotations

import pytest

from relata import models
from relata.models import lookups
from relata.testing import CaptureQueries
from relata.testing.pytest_plugin import use_models


class Note(models.Model):
    text = models.CharField(max_length=40)

    class Meta:
        app_label = "q_escape"


use_models(Note)


@pytest.fixture
def notes():
    for text in ["100% sure", "100 sure", "a_b", "axb", "back\\slash", "plain text"]:
        Note.objects.create(text=text)


@pytest.mark.parametrize(
    ("lookup", "value", "expected", "escaped"),
    [
        ("contains", "sure", ["100 sure", "100% sure"], False),
        ("contains", "%", ["100% sure"], True),
        ("startswith", "a_", ["a_b"], True),
        ("endswith", "\\slash", ["back\\slash"], True),
        ("icontains", "PLAIN", ["plain text"], False),
        ("istartswith", "A_", ["a_b"], True),
    ],
)
def test_escape_clause_only_when_needed(notes, lookup, value, expected, escaped):
    with CaptureQueries() as captured:
        found = sorted(Note.objects.filter(**{f"text__{lookup}": value}).values_list("text", flat=True))
    assert found == sorted(expected)
    assert ("ESCAPE" in captured.queries[0].sql) is escaped


def test_plain_and_special_values_do_not_share_compiled_sql(notes):
    assert Note.objects.filter(text__startswith="a").count() == 2
    assert Note.objects.filter(text__startswith="a_").count() == 1
    assert Note.objects.filter(text__startswith="a").count() == 2


class Prefixed(lookups.StartsWith):
    """A user's own pattern lookup: `startswith` in SQL (its parent's), registered under names of its own."""

    lookup_name = "begins"


class AnyOf(lookups.In):
    """A user's own many-valued lookup (IN under another name)."""

    lookup_name = "any_of"


models.CharField.register_lookup(Prefixed, "opens_with")
models.CharField.register_lookup(AnyOf)


def test_registered_pattern_lookups_get_the_same_plain_shape(notes):
    for name in ("begins", "opens_with"):
        models.CharField.register_lookup(Prefixed, name)
        with CaptureQueries() as captured:
            assert Note.objects.filter(**{f"text__{name}": "plain"}).count() == 1
            assert Note.objects.filter(**{f"text__{name}": "a_"}).count() == 1
        assert ["ESCAPE" in q.sql for q in captured.queries] == [False, True]


def test_registered_many_valued_lookup_takes_a_list(notes):
    found = Note.objects.filter(text__any_of=["axb", "a_b", "nothing"]).values_list("text", flat=True)
    assert sorted(found) == ["a_b", "axb"]
    assert Note.objects.filter(text__any_of=["axb"]).count() == 1
