"""The async API: each `a...` method is its synchronous twin run through asgiref, as in Django.

Tests drive coroutines with asgiref's async_to_sync, as Django's test runner
does, so thread-sensitive calls come back to the test's thread (and its
connection and transaction).
"""

import datetime

import pytest
from asgiref.sync import async_to_sync

from relata import models
from relata.models import Prefetch, Sum
from relata.testing.pytest_plugin import use_models


class Simple(models.Model):
    field = models.IntegerField()
    created = models.DateTimeField(default=datetime.datetime(2020, 1, 1))

    class Meta:
        app_label = "q_async"


class Related(models.Model):
    simple = models.ForeignKey(Simple, models.CASCADE, null=True)

    class Meta:
        app_label = "q_async"


class Group(models.Model):
    members = models.ManyToManyField(Simple, related_name="groups")

    class Meta:
        app_label = "q_async"


use_models(Simple, Related, Group)


def run(coroutine_function):
    return async_to_sync(coroutine_function)()


@pytest.fixture
def rows():
    made = [Simple.objects.create(field=i, created=datetime.datetime(2022, 1, 1 + i)) for i in range(1, 4)]
    for simple in made:
        Related.objects.create(simple=simple)
    return made


def test_async_for_and_aiterator(rows):
    async def go():
        seen = [m async for m in Simple.objects.order_by("pk")]
        chunked = [m async for m in Simple.objects.order_by("pk").aiterator(chunk_size=2)]
        prefetched = [
            len(s.rel)
            async for s in Simple.objects.prefetch_related(Prefetch("related_set", to_attr="rel")).aiterator()
        ]
        return seen, chunked, prefetched

    seen, chunked, prefetched = run(go)
    assert seen == rows and chunked == rows and prefetched == [1, 1, 1]


def test_aiterator_refuses_a_bad_chunk_size_when_iterated():
    async def go():
        async for _ in Simple.objects.aiterator(chunk_size=0):
            pass

    with pytest.raises(ValueError, match="Chunk size must be strictly positive"):
        run(go)


def test_queryset_methods(rows):
    async def go():
        return {
            "count": await Simple.objects.acount(),
            "get": (await Simple.objects.aget(field=2)).field,
            "exists": await Simple.objects.filter(field=9).aexists(),
            "first": (await Simple.objects.order_by("field").afirst()).field,
            "last": (await Simple.objects.order_by("field").alast()).field,
            "latest": (await Simple.objects.alatest("created")).field,
            "earliest": (await Simple.objects.aearliest("created")).field,
            "aggregate": await Simple.objects.aaggregate(total=Sum("field")),
            "in_bulk": sorted(await Simple.objects.ain_bulk()),
            "contains": await Simple.objects.acontains(rows[0]),
        }

    assert run(go) == {
        "count": 3,
        "get": 2,
        "exists": False,
        "first": 1,
        "last": 3,
        "latest": 3,
        "earliest": 1,
        "aggregate": {"total": 6},
        "in_bulk": sorted(r.pk for r in rows),
        "contains": True,
    }


def test_writes(rows):
    async def go():
        await Simple.objects.acreate(field=10)
        _made, created = await Simple.objects.aget_or_create(field=11)
        _updated, was_created = await Simple.objects.aupdate_or_create(field=11, defaults={"field": 12})
        await Simple.objects.abulk_create([Simple(field=20), Simple(field=21)])
        bulk = [s async for s in Simple.objects.filter(field__gte=20)]
        for s in bulk:
            s.field += 100
        await Simple.objects.abulk_update(bulk, ["field"])
        changed = await Simple.objects.filter(field=1).aupdate(field=-1)
        deleted, _ = await Simple.objects.filter(field=2).adelete()
        return created, was_created, changed, deleted

    assert run(go) == (True, False, 1, 2)  # the delete also removes the Related row
    assert sorted(Simple.objects.values_list("field", flat=True)) == [-1, 3, 10, 12, 120, 121]


def test_model_methods(rows):
    first = rows[0]

    async def go():
        first.field = 50
        await first.asave()
        await Simple.objects.filter(pk=first.pk).aupdate(field=60)
        await first.arefresh_from_db()
        value = first.field
        await rows[1].adelete()
        return value, await Simple.objects.acount()

    assert run(go) == (60, 2)


def test_related_managers(rows):
    group = Group.objects.create()
    simple = rows[0]

    async def go():
        await group.members.aadd(rows[1], rows[2])
        await group.members.aremove(rows[2])
        _member, created = await group.members.aget_or_create(field=7)
        count = await group.members.acount()
        await simple.related_set.acreate()
        related_count = await simple.related_set.acount()
        await group.members.aset([rows[0]])
        after_set = [m.pk async for m in group.members.all()]
        await group.members.aclear()
        return created, count, related_count, after_set, await group.members.acount()

    assert run(go) == (True, 2, 2, [rows[0].pk], 0)


def test_async_for_over_raw(rows):
    table = Simple._meta.db_table

    async def go():
        return [s.field async for s in Simple.objects.raw(f"SELECT * FROM {table} ORDER BY id")]

    assert run(go) == [1, 2, 3]
