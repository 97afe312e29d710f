"""One-to-one primary keys and the keys that point at them, and what save() does with assigned objects.

A model whose primary key is a OneToOneField (Restaurant -> Place) is a
relation target like any other: a ForeignKey to it gets the column type at
the end of the chain, `filter(pk=restaurant)` accepts the instance, and a
failed save leaves no cache behind. Each compared with Django's behaviour.
"""

import pytest

from relata import models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models


class Place(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "r_o2o_keys"


class Restaurant(models.Model):
    place = models.OneToOneField(Place, models.CASCADE, primary_key=True)
    stars = models.IntegerField(default=0)

    class Meta:
        app_label = "r_o2o_keys"


class Waiter(models.Model):
    restaurant = models.ForeignKey(Restaurant, models.CASCADE)
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "r_o2o_keys"


class Target(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        app_label = "r_o2o_keys"


class Pointer(models.Model):
    target = models.OneToOneField(Target, models.CASCADE, to_field="name", primary_key=True)
    hidden = models.OneToOneField(Place, models.CASCADE, null=True, related_name="+")

    class Meta:
        app_label = "r_o2o_keys"


class Book(models.Model):
    title = models.CharField(max_length=50)
    place = models.ForeignKey(Place, models.SET_NULL, null=True)

    class Meta:
        app_label = "r_o2o_keys"


use_models(Place, Restaurant, Waiter, Target, Pointer, Book)


def test_a_key_to_a_one_to_one_primary_key_works_end_to_end():
    place = Place.objects.create(name="Demon Dogs")
    restaurant = Restaurant.objects.create(place=place, stars=3)
    Waiter.objects.create(restaurant=restaurant, name="Joe")
    waiter = Waiter.objects.select_related("restaurant__place").get()
    with assert_num_queries(0):
        assert (waiter.restaurant.stars, waiter.restaurant.place.name) == (3, "Demon Dogs")
    assert Waiter.objects.filter(restaurant__place__name="Demon Dogs").count() == 1
    assert list(restaurant.waiter_set.values_list("name", flat=True)) == ["Joe"]


def test_filter_pk_with_an_instance_of_the_model():
    place = Place.objects.create(name="p")
    restaurant = Restaurant.objects.create(place=place)
    Restaurant.objects.create(place=Place.objects.create(name="q"))
    assert list(Restaurant.objects.filter(pk__exact=restaurant)) == [restaurant]
    assert list(Restaurant.objects.filter(pk=restaurant)) == [restaurant]
    assert list(Restaurant.objects.filter(place=place)) == [restaurant]


def test_filter_pk_with_an_instance_through_a_to_field_key():
    target = Target.objects.create(name="foo")
    pointer = Pointer.objects.create(target=target)
    assert list(Pointer.objects.filter(target=target)) == [pointer]
    assert list(Pointer.objects.filter(pk__exact=pointer)) == [pointer]


def test_an_unrelated_instance_is_still_refused():
    with pytest.raises(ValueError, match='Must be "Place" instance'):
        list(Restaurant.objects.filter(place=Target.objects.create(name="x")))


def test_a_failed_save_does_not_leave_the_reverse_cache_set():
    place = Place(name="unsaved")
    with pytest.raises(Restaurant.DoesNotExist):
        _ = place.restaurant
    with pytest.raises(ValueError, match="unsaved related object 'place'"):
        Restaurant.objects.create(place=place)
    with pytest.raises(Restaurant.DoesNotExist):
        _ = place.restaurant


@pytest.mark.parametrize("method", ["create", "get_or_create", "update_or_create"])
def test_creating_through_the_reverse_one_to_one_is_refused(method):
    restaurant = Restaurant.objects.create(place=Place.objects.create(name="p"))
    call = {
        "create": lambda: Place.objects.create(restaurant=restaurant),
        "get_or_create": lambda: Place.objects.get_or_create(name="n", defaults={"restaurant": restaurant}),
        "update_or_create": lambda: Place.objects.update_or_create(name="n", defaults={"restaurant": restaurant}),
    }[method]
    with pytest.raises(ValueError, match="The following fields do not exist in this model: restaurant"):
        call()
    assert Place.objects.count() == 1


def test_a_key_set_to_none_by_hand_stays_none_after_save():
    place = Place.objects.create(name="p")
    book = Book.objects.create(title="t", place=place)
    book.place_id = None
    book.save()
    assert book.place_id is None
    assert book.place is None
    assert Book.objects.get().place_id is None


def test_an_object_saved_after_assignment_gives_its_key_on_save():
    place = Place(name="later")
    book = Book(title="t", place=place)
    place.save()
    book.save()
    assert Book.objects.get().place_id == place.pk


def test_a_changed_key_wins_over_the_assigned_object():
    first, second = Place.objects.create(name="a"), Place.objects.create(name="b")
    book = Book.objects.create(title="t", place=first)
    book.place_id = second.pk
    book.save()
    assert book.place == second
    assert Book.objects.get().place_id == second.pk


def test_a_hidden_relation_has_no_accessor():
    rel = Pointer._meta.get_field("hidden").remote_field
    assert rel.accessor_name == "+"
    assert not hasattr(Place, rel.accessor_name)
