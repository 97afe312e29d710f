"""Loading pauses the cyclic garbage collector and always restores it."""

from __future__ import annotations

import gc

import pytest

from relata import exceptions, models
from relata.testing.pytest_plugin import use_models

SEEN: list[bool] = []


class RecordingField(models.CharField):
    """Notes, for every value it loads, whether the collector was running."""

    def from_db_converter(self, connection):
        def convert(value):
            SEEN.append(gc.isenabled())
            return value

        return convert


class Item(models.Model):
    name = RecordingField(max_length=20)

    class Meta:
        app_label = "q_gc"


use_models(Item)


def test_collector_is_off_while_rows_load_and_on_afterwards():
    Item.objects.bulk_create([Item(name=str(i)) for i in range(3)])
    SEEN.clear()
    items = list(Item.objects.order_by("name"))
    assert [i.name for i in items] == ["0", "1", "2"]
    assert SEEN == [False, False, False]
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


def test_nested_pauses_resume_only_at_the_outermost():
    from relata.models.collector import collector_paused

    with collector_paused:
        with collector_paused:
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_bulk_create_pauses_and_restores_the_collector():
    with pytest.raises(exceptions.IntegrityError):
        Item.objects.bulk_create([Item(id=1, name="a"), Item(id=1, name="b")])
    assert gc.isenabled()
    assert Item.objects.count() == 0


def test_a_large_load_goes_to_the_oldest_generation():
    from relata.models.collector import PROMOTE_AFTER

    Item.objects.bulk_create([Item(name=str(i)) for i in range(PROMOTE_AFTER)])
    gc.collect()
    items = list(Item.objects.all())
    # Not left young for the next collections to trace again: straight to the oldest.
    oldest = {id(obj) for obj in gc.get_objects(generation=2)}
    assert id(items[0]) in oldest and id(items[-1]) in oldest


def test_a_small_load_is_left_to_the_young_generation():
    Item.objects.bulk_create([Item(name=str(i)) for i in range(10)])
    gc.collect()
    items = list(Item.objects.all())
    assert id(items[0]) in {id(obj) for obj in gc.get_objects(generation=0)}


def test_objects_the_application_froze_stay_frozen():
    from relata.models.collector import PROMOTE_AFTER

    Item.objects.bulk_create([Item(name=str(i)) for i in range(PROMOTE_AFTER)])
    marker = [object()]  # a container the application freezes (as a pre-fork server does)
    gc.freeze()
    try:
        list(Item.objects.all())
        assert gc.get_freeze_count() > 0  # not unfrozen by the load
        assert all(obj is not marker for obj in gc.get_objects(generation=2))
    finally:
        gc.unfreeze()
