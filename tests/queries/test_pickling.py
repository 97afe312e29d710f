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


use_models(Crate)


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
