"""Pickled querysets: they travel with their query (not their process's caches) and give the same rows back."""

import pickle

from relata import models
from relata.models.query.state import QueryState
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models


class Crate(models.Model):
    label = models.CharField(max_length=20)
    weight = models.IntegerField(default=0)

    class Meta:
        app_label = "q_pickling"
        ordering = ["label"]


class Bottle(models.Model):
    crate = models.ForeignKey(Crate, models.CASCADE, related_name="bottles")
    volume = models.IntegerField(default=1)

    class Meta:
        app_label = "q_pickling"
        ordering = ["id"]


use_models(Crate, Bottle)


def make():
    for label, weight in (("a", 3), ("b", 1), ("c", 2)):
        Crate.objects.create(label=label, weight=weight)


def test_an_unevaluated_queryset_pickles_and_runs_after_loading():
    make()
    qs = Crate.objects.filter(weight__gt=1).order_by("-weight")
    with assert_num_queries(1):  # as Django, pickling evaluates the queryset
        data = pickle.dumps(qs)
    loaded = pickle.loads(data)
    with assert_num_queries(0):
        assert [c.label for c in loaded] == ["a", "c"]
    with assert_num_queries(1):
        assert [c.label for c in loaded.filter(weight__lt=3)] == ["c"]


def test_a_hashed_state_pickles_without_its_cached_hash():
    state = Crate.objects.filter(label="a")._state
    hash(state)  # fills the per-process cache
    loaded = pickle.loads(pickle.dumps(state))
    assert type(loaded) is QueryState
    assert loaded == state
    assert hash(loaded) == hash(state)
    assert "_hash" not in pickle.dumps(state).decode("latin-1")


def test_values_list_querysets_keep_their_shape():
    make()
    flat = pickle.loads(pickle.dumps(Crate.objects.values_list("label", flat=True)))
    assert list(flat.filter(weight=1)) == ["b"]
    named = pickle.loads(pickle.dumps(Crate.objects.values_list("label", "weight", named=True)))
    assert [(row.label, row.weight) for row in named.filter(weight=1)] == [("b", 1)]


def test_a_subquery_inside_pickles_as_a_query_not_as_rows():
    make()
    a = Crate.objects.get(label="a")
    Bottle.objects.create(crate=a)
    bottles = Bottle.objects.filter(crate=models.OuterRef("pk"))
    qs = Crate.objects.annotate(has_bottles=models.Exists(bottles)).filter(pk__in=Crate.objects.all())
    list(qs)
    with assert_num_queries(0):  # only the outer queryset's rows go, and it is evaluated already
        loaded = pickle.loads(pickle.dumps(qs))
    assert [(c.label, c.has_bottles) for c in loaded] == [("a", True), ("b", False), ("c", False)]
    with assert_num_queries(1):
        assert [c.label for c in loaded.filter(has_bottles=True)] == ["a"]


def test_a_pickled_query_can_be_given_to_another_queryset():
    make()
    outer = Crate.objects.filter(pk__in=Crate.objects.filter(weight__gte=2))
    with assert_num_queries(0):
        query = pickle.loads(pickle.dumps(outer.query))
    reloaded = Crate.objects.none()
    reloaded.query = query
    assert [c.label for c in reloaded] == ["a", "c"]
    values = Crate.objects.none()
    values.query = pickle.loads(pickle.dumps(Crate.objects.values_list("label").filter(weight=1).query))
    assert list(values) == [{"label": "b"}]  # as Django: a values_list() query comes back as values()


def test_a_query_is_an_in_value():
    make()
    heavy = Crate.objects.filter(weight__gte=2).values("pk")
    assert [c.label for c in Crate.objects.filter(pk__in=heavy.query)] == ["a", "c"]


def test_prefetched_rows_pickle_without_running_the_prefetch_queryset():
    make()
    Bottle.objects.create(crate=Crate.objects.get(label="b"), volume=5)
    crates = Crate.objects.prefetch_related(models.Prefetch("bottles", queryset=Bottle.objects.filter(volume=5)))
    list(crates)
    with assert_num_queries(0):
        loaded = pickle.loads(pickle.dumps(crates))
    with assert_num_queries(0):
        assert [[b.volume for b in c.bottles.all()] for c in loaded] == [[], [5], []]
