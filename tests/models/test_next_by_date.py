"""get_next_by_<date field>() / get_previous_by_<date field>(), compared with Django on the same rows."""

import datetime

import pytest

import oracle
from relata import models
from relata.testing.pytest_plugin import use_models

dm = oracle.models


def declare(m, base):
    class Event(m.Model):
        when = m.DateTimeField()
        kind = m.CharField(max_length=10, default="a")
        maybe = m.DateField(null=True)

        class Meta(base):
            app_label = "m_next_by"

    return Event


Event = declare(models, object)
DEvent = declare(dm, oracle.Meta("m_next_by"))
use_models(Event)
oracle.use_django_models(DEvent)

WHENS = [
    (2000, 1, 1, 16),
    (2000, 1, 1, 6, 1, 1),
    (2000, 1, 1, 13, 1, 1),
    (2000, 1, 1, 12, 0, 20, 24),
    (2000, 1, 1, 13, 1, 1),
]


def neighbours(model, method, **filters):
    found = []
    for event in model.objects.order_by("pk"):
        try:
            found.append(getattr(event, method)(**filters).pk)
        except model.DoesNotExist:
            found.append(None)
    return found


@pytest.mark.parametrize("method", ["get_next_by_when", "get_previous_by_when"])
@pytest.mark.parametrize("filters", [{}, {"kind": "b"}])
def test_neighbours_match_django(method, filters):
    for model in (Event, DEvent):
        for i, when in enumerate(WHENS, start=1):
            model.objects.create(id=i, when=datetime.datetime(*when), kind="ab"[i % 2])
    assert neighbours(Event, method, **filters) == neighbours(DEvent, method, **filters)


def test_unsaved_and_nullable():
    with pytest.raises(ValueError, match="cannot be used on unsaved objects"):
        Event(when=datetime.datetime(2000, 1, 1)).get_next_by_when()
    assert not hasattr(Event, "get_next_by_maybe")  # as Django: only for fields that cannot be NULL
