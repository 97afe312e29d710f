"""QuerySet._iterable_class: the class that turns rows into results, Django's names and a user's own subclass."""

import pytest

import oracle
from relata import models
from relata.models.query import (
    BaseIterable,
    FlatValuesListIterable,
    ModelIterable,
    NamedValuesListIterable,
    ValuesIterable,
    ValuesListIterable,
)
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class LabelledIterable(ModelIterable):
    """Marks every instance it yields: shows that iteration went through it."""

    def __iter__(self):
        for obj in super().__iter__():
            obj.label = f"<{obj.name}>"
            yield obj


class LabelledQuerySet(models.QuerySet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._iterable_class = LabelledIterable


class Shelf(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "q_iterables"
        ordering = ["name"]


class Item(models.Model):
    name = models.CharField(max_length=20)
    n = models.IntegerField(default=0)
    shelf = models.ForeignKey(Shelf, models.CASCADE, null=True, related_name="items")

    objects = models.Manager()
    labelled = LabelledQuerySet.as_manager()

    class Meta:
        app_label = "q_iterables"
        ordering = ["n"]


class dj:
    class Item(dm.Model):
        name = dm.CharField(max_length=20)
        n = dm.IntegerField(default=0)

        class Meta(oracle.Meta("q_iterables")):
            ordering = ["n"]


use_models(Shelf, Item)
oracle.use_django_models(dj.Item)


def make():
    shelf = Shelf.objects.create(name="top")
    for n, name in enumerate(("a", "b", "c"), start=1):
        Item.objects.create(name=name, n=n, shelf=shelf if n < 3 else None)
        dj.Item.objects.create(name=name, n=n)
    return shelf


class rl:
    Item = Item


def plain(result):
    """A comparable form of one result: an instance by its name, a named row as a plain tuple."""
    if isinstance(result, Item | dj.Item):
        return result.name
    return tuple(result) if isinstance(result, tuple) else result


@pytest.mark.parametrize(
    "build",
    [
        lambda m: m.Item.objects.all(),
        lambda m: m.Item.objects.values("name"),
        lambda m: m.Item.objects.values_list("name", "n"),
        lambda m: m.Item.objects.values_list("name", flat=True),
        lambda m: m.Item.objects.values_list("name", named=True),
    ],
)
def test_each_result_shape_has_djangos_iterable_class(build):
    make()
    relata_qs, django_qs = build(rl), build(dj)
    assert relata_qs._iterable_class.__name__ == django_qs._iterable_class.__name__
    assert [plain(r) for r in relata_qs] == [plain(r) for r in django_qs]


def test_the_classes_are_the_ones_values_picks():
    assert Item.objects.all()._iterable_class is ModelIterable
    assert Item.objects.values()._iterable_class is ValuesIterable
    assert Item.objects.values_list()._iterable_class is ValuesListIterable
    assert Item.objects.values_list("n", flat=True)._iterable_class is FlatValuesListIterable
    assert Item.objects.values_list("n", named=True)._iterable_class is NamedValuesListIterable


def test_a_custom_subclass_set_by_the_queryset_is_used_for_iteration():
    make()
    qs = Item.labelled.filter(n__lt=3)
    assert qs._iterable_class is LabelledIterable
    with assert_num_queries(1):
        assert [obj.label for obj in qs] == ["<a>", "<b>"]
        assert [obj.label for obj in qs] == ["<a>", "<b>"]  # from the result cache


def test_a_custom_subclass_is_used_by_get_first_and_iterator():
    make()
    assert Item.labelled.get(n=2).label == "<b>"
    assert Item.labelled.first().label == "<a>"
    assert [obj.label for obj in Item.labelled.iterator(chunk_size=2)] == ["<a>", "<b>", "<c>"]


def test_values_replaces_a_custom_model_iterable():
    make()
    assert list(Item.labelled.values_list("name", flat=True)) == ["a", "b", "c"]


def test_a_custom_model_iterable_queryset_can_be_a_prefetch_queryset():
    shelf = make()
    (loaded,) = Shelf.objects.prefetch_related(models.Prefetch("items", queryset=Item.labelled.all()))
    assert loaded.pk == shelf.pk
    with assert_num_queries(0):
        assert [obj.label for obj in loaded.items.all()] == ["<a>", "<b>"]


def test_an_iterable_without_from_rows_says_what_to_define():
    class Broken(BaseIterable):
        pass

    make()
    qs = Item.objects.all()
    qs._iterable_class = Broken
    with pytest.raises(NotImplementedError, match=r"Broken must define from_rows\(rows, plan, connection\)"):
        list(qs)
