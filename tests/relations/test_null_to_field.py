"""A reverse manager whose foreign key targets a nullable to_field: with that value NULL, as in Django,
every write refuses (naming the field) and reads find nothing without a query."""

import pytest

from relata import models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models


class Car(models.Model):
    make = models.CharField(max_length=20, null=True, unique=True)

    class Meta:
        app_label = "rel_null_tofield"


class Driver(models.Model):
    car = models.ForeignKey(Car, models.SET_NULL, to_field="make", null=True, related_name="drivers")

    class Meta:
        app_label = "rel_null_tofield"


use_models(Car, Driver)


@pytest.mark.parametrize(
    "write",
    [
        lambda car, driver: car.drivers.add(driver),
        lambda car, driver: car.drivers.create(),
        lambda car, driver: car.drivers.get_or_create(),
        lambda car, driver: car.drivers.update_or_create(),
        lambda car, driver: car.drivers.remove(driver),
        lambda car, driver: car.drivers.clear(),
        lambda car, driver: car.drivers.set([driver]),
    ],
    ids=["add", "create", "get_or_create", "update_or_create", "remove", "clear", "set"],
)
def test_writes_need_the_target_value(write):
    car, driver = Car.objects.create(make=None), Driver.objects.create()
    with pytest.raises(ValueError, match='needs to have a value for field "make" before this relationship'):
        write(car, driver)
    assert Driver.objects.get().car_id is None


def test_reads_find_nothing_without_a_query():
    car = Car.objects.create(make=None)
    Driver.objects.create()
    with assert_num_queries(0):
        assert car.drivers.count() == 0
        assert list(car.drivers.all()) == []


def test_with_a_value_it_works():
    car = Car.objects.create(make="Volvo")
    car.drivers.create()
    assert Driver.objects.get().car_id == "Volvo"
