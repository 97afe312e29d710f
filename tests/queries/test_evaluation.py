"""Laziness, result caching, repr, slicing SQL, iterator, and queries that need no database."""

import pytest

import oracle
from relata import models
from relata.testing import CaptureQueries, assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Item(models.Model):
    name = models.CharField(max_length=20)
    n = models.IntegerField(default=0)

    class Meta:
        app_label = "q_eval"


class dj:
    class Item(dm.Model):
        name = dm.CharField(max_length=20)
        n = dm.IntegerField(default=0)

        class Meta(oracle.Meta("q_eval")):
            pass


use_models(Item)
oracle.use_django_models(dj.Item)


def make(count):
    Item.objects.bulk_create([Item(id=i, name=f"i{i}", n=i) for i in range(1, count + 1)])
    dj.Item.objects.bulk_create([dj.Item(id=i, name=f"i{i}", n=i) for i in range(1, count + 1)])


def test_building_a_queryset_runs_no_query():
    with assert_num_queries(0):
        qs = Item.objects.filter(n__gt=1).exclude(name="x").order_by("-n").values("name")[:5]
        qs = qs.all()


def test_results_are_cached_on_the_queryset():
    make(3)
    qs = Item.objects.all()
    with assert_num_queries(1):
        assert len(list(qs)) == 3
        assert len(qs) == 3
        assert bool(qs)
        assert qs.count() == 3
        assert qs.exists()
        assert qs[1].n == 2
        assert [i.n for i in qs[:2]] == [1, 2]
        assert qs.contains(qs[0])
    with assert_num_queries(1):
        list(qs.all())  # a new QuerySet runs again


def test_count_and_exists_query_when_not_evaluated():
    make(2)
    qs = Item.objects.all()
    with assert_num_queries(2):
        assert qs.count() == 2
        assert qs.exists()


def test_queries_that_can_match_nothing_skip_the_database():
    make(2)
    with assert_num_queries(0):
        assert list(Item.objects.none()) == []
        assert Item.objects.none().count() == 0
        assert not Item.objects.none().exists()
        assert list(Item.objects.filter(pk__in=[])) == []
        assert Item.objects.filter(pk__in=[]).count() == 0
        assert Item.objects.in_bulk([]) == {}
        assert Item.objects.none().aggregate(s=models.Sum("n")) == {"s": None}
        assert Item.objects.filter(name="a", pk__in=[]).update(n=1) == 0


def test_repr_matches_django_and_truncates_after_20():
    make(3)
    assert repr(Item.objects.order_by("pk")) == repr(dj.Item.objects.order_by("pk"))
    assert repr(Item.objects.none()) == repr(dj.Item.objects.none()) == "<QuerySet []>"
    assert repr(Item.objects.order_by("pk").values("name")[:2]) == repr(
        dj.Item.objects.order_by("pk").values("name")[:2]
    )
    assert repr(Item.objects.order_by("pk").values_list("n", flat=True)) == repr(
        dj.Item.objects.order_by("pk").values_list("n", flat=True)
    )


def test_repr_of_long_queryset_fetches_21_rows_and_truncates():
    make(25)
    with assert_num_queries(1) as captured:
        text = repr(Item.objects.order_by("pk"))
    assert "LIMIT 21" in captured[0].sql
    assert text == repr(dj.Item.objects.order_by("pk"))
    assert text.endswith("<Item: Item object (20)>, '...(remaining elements truncated)...']>")


def test_repr_of_evaluated_queryset_uses_the_cache():
    make(25)
    qs = Item.objects.order_by("pk")
    list(qs)
    with assert_num_queries(0):
        assert repr(qs).count("Item object") == 20


def test_get_with_many_results_says_more_than_20():
    make(25)
    with pytest.raises(Item.MultipleObjectsReturned) as info:
        Item.objects.get(n__gt=0)
    assert str(info.value) == str(oracle.error_of(dj.Item.objects.get, n__gt=0))
    assert "more than 20" in str(info.value)


def test_get_runs_one_limited_query():
    make(3)
    with assert_num_queries(1) as captured:
        Item.objects.get(n=2)
    assert "LIMIT 21" in captured[0].sql


def test_slicing_becomes_limit_and_offset():
    make(10)
    with assert_num_queries(1) as captured:
        got = [i.n for i in Item.objects.order_by("n")[2:5]]
    assert got == [3, 4, 5]
    assert "LIMIT 3 OFFSET 2" in captured[0].sql
    with assert_num_queries(1) as captured:
        assert [i.n for i in Item.objects.order_by("n")[8:]] == [9, 10]
    assert "OFFSET 8" in captured[0].sql
    with assert_num_queries(1) as captured:
        assert Item.objects.order_by("n")[3].n == 4
    assert "LIMIT 1 OFFSET 3" in captured[0].sql


def test_slicing_errors():
    with pytest.raises(ValueError, match="Negative indexing is not supported"):
        Item.objects.all()[-1]
    with pytest.raises(TypeError, match="QuerySet indices must be integers or slices"):
        Item.objects.all()["a"]
    with pytest.raises(TypeError, match="Cannot filter a query once a slice has been taken"):
        Item.objects.all()[:2].filter(n=1)
    with pytest.raises(TypeError, match="Cannot reorder a query once a slice has been taken"):
        Item.objects.all()[:2].order_by("n")


def test_empty_slice_runs_no_query():
    with assert_num_queries(0):
        assert list(Item.objects.all()[5:5]) == []


def test_iterator_streams_without_caching():
    make(5)
    qs = Item.objects.order_by("n")
    with assert_num_queries(1):
        assert [i.n for i in qs.iterator(chunk_size=2)] == [1, 2, 3, 4, 5]
    assert qs._result_cache is None
    assert list(Item.objects.order_by("n").values_list("n", flat=True).iterator()) == [1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match="Chunk size must be strictly positive"):
        list(qs.iterator(chunk_size=0))


def test_values_are_parameters_never_sql_text():
    nasty = "x'); DROP TABLE q_eval_item; --"
    with CaptureQueries() as captured:
        assert list(Item.objects.filter(name=nasty)) == []
        Item.objects.create(name=nasty[:20])
    assert all(nasty[:10] not in q.sql for q in captured)
    assert captured[0].params == [nasty] or list(captured[0].params) == [nasty]
    assert Item.objects.get().name == nasty[:20]


def test_same_shape_reuses_the_same_sql():
    make(3)
    with CaptureQueries() as captured:
        list(Item.objects.filter(n=1, name__startswith="i"))
        list(Item.objects.filter(n=2, name__startswith="j"))
        list(Item.objects.filter(n__in=[1, 2]))
        list(Item.objects.filter(n__in=[1, 2, 3]))
    first, second, three, four = captured
    assert first.sql == second.sql
    assert list(first.params) == [1, "i%"] and list(second.params) == [2, "j%"]
    assert three.sql != four.sql  # IN lists of other lengths are other shapes


def test_query_str_shows_sql_with_values():
    text = str(Item.objects.filter(name="a", n__gt=3).query)
    assert text.startswith("SELECT") and "'a'" in text and "3" in text
