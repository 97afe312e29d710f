"""Loading and bulk writes leave Python's garbage collector alone.

A library must not change process-wide collector state: pausing it stops
collection for every thread, and promoting objects to the oldest generation
(gc.freeze(); gc.unfreeze()) resets the counters that trigger full
collections, so cycles made by repeated loads pile up. These tests watch the
collector's settings during loads and count tracked objects over many loads.
"""

from __future__ import annotations

import gc

from relata import models
from relata.testing.pytest_plugin import use_models

SEEN: list[bool] = []


class RecordingField(models.CharField):
    """Notes, for every value it loads, whether the collector was running."""

    def from_db_converter(self, connection):
        def convert(value):
            SEEN.append(gc.isenabled())
            return value

        return convert


class Shelf(models.Model):
    name = RecordingField(max_length=20)

    class Meta:
        app_label = "q_gc"


class Volume(models.Model):
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)
    title = models.CharField(max_length=20)

    class Meta:
        app_label = "q_gc"


use_models(Shelf, Volume)


def _fill(shelves: int, volumes_each: int) -> None:
    made = Shelf.objects.bulk_create([Shelf(name=f"s{i}") for i in range(shelves)])
    Volume.objects.bulk_create([Volume(shelf=s, title=f"v{j}") for s in made for j in range(volumes_each)])


def _collector_settings() -> tuple:
    return gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()


def test_the_collector_runs_while_rows_load():
    _fill(3, 0)
    SEEN.clear()
    before = _collector_settings()
    assert len(list(Shelf.objects.all())) == 3
    assert SEEN == [True, True, True]
    assert _collector_settings() == before


def test_large_loads_and_bulk_writes_leave_the_collector_settings_alone():
    before = _collector_settings()
    _fill(2_000, 5)  # 12,000 objects: large enough for any "large batch" special case
    assert _collector_settings() == before
    shelves = list(Shelf.objects.prefetch_related("volume_set"))
    assert len(shelves) == 2_000
    assert _collector_settings() == before


def test_objects_the_application_froze_stay_frozen():
    _fill(2_000, 5)
    marker = [object()]  # a container the application freezes (as a pre-fork server does)
    gc.freeze()
    try:
        list(Shelf.objects.prefetch_related("volume_set"))
        # Frozen objects that die lower the freeze count, so look for the marker itself.
        assert all(obj is not marker for gen in range(3) for obj in gc.get_objects(generation=gen))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def _growth_over(loads: int, query) -> int:
    """Tracked objects gained over `loads` evaluations, with no explicit collection in between."""
    for _ in range(5):
        list(query())  # warm caches (compiled shapes, loaders)
    gc.collect()
    start = len(gc.get_objects())
    for _ in range(loads):
        list(query())
    return len(gc.get_objects()) - start


def test_repeated_large_prefetch_loads_keep_tracked_objects_bounded():
    # Each load makes reference cycles (a book's cached shelf, the shelf's
    # prefetched list of books); only the collector's own full collections free them.
    _fill(1_000, 5)
    per_load = 1_000 * 2 + 5_000 * 2  # instances and their dicts, at least
    growth = _growth_over(60, lambda: Shelf.objects.prefetch_related("volume_set"))
    assert growth < 12 * per_load, f"{growth} tracked objects gained over 60 loads"


def test_a_thousand_repeated_loads_keep_tracked_objects_bounded():
    _fill(50, 4)
    per_load = 50 * 2 + 200 * 2
    growth = _growth_over(1_000, lambda: Shelf.objects.prefetch_related("volume_set"))
    assert growth < 200 * per_load, f"{growth} tracked objects gained over 1,000 loads"
