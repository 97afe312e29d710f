"""Loading pauses the cyclic garbage collector and always restores it."""

from __future__ import annotations

import gc

import pytest

from relata import exceptions, models
from relata.testing.pytest_plugin import use_models


class Item(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "q_gc"


use_models(Item)


def test_collector_is_off_while_rows_load_and_on_afterwards():
    Item.objects.bulk_create([Item(name=str(i)) for i in range(3)])
    seen = []
    original = Item.__new__

    def spying_new(cls, *args, **kwargs):
        seen.append(gc.isenabled())
        return original(cls) if original is object.__new__ else original(cls, *args, **kwargs)

    Item.__new__ = staticmethod(spying_new)
    try:
        # A query shape used nowhere else, so its loader is generated with the spy in place.
        items = list(Item.objects.filter(name__in=["0", "1", "2"]).order_by("name"))
    finally:
        del Item.__new__
    assert [i.name for i in items] == ["0", "1", "2"]
    assert seen and not any(seen)
    assert gc.isenabled()


def test_collector_comes_back_after_an_error():
    assert gc.isenabled()
    with pytest.raises(exceptions.FieldError):
        list(Item.objects.filter(nope=1))
    with pytest.raises(ValueError):
        list(Item.objects.filter(id="not a number"))
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled():
    gc.disable()
    try:
        list(Item.objects.all())
        assert not gc.isenabled()
    finally:
        gc.enable()
