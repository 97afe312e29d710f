"""ContentType and its manager's cache; GenericForeignKey reading, assigning, caching and saving."""

from __future__ import annotations

import pytest

from relata import models
from relata.contrib.contenttypes.fields import GenericForeignKey
from relata.contrib.contenttypes.management import create_contenttypes
from relata.contrib.contenttypes.models import ContentType
from relata.exceptions import FieldError
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

APP = "ct_basics"


class Planet(models.Model):
    name = models.CharField(max_length=30)

    class Meta:
        app_label = APP


class Moon(models.Model):
    name = models.CharField(max_length=30)

    class Meta:
        app_label = APP


class Hidden(models.Model):
    """A manager that filters every row out: a GenericForeignKey still finds its rows (base manager)."""

    name = models.CharField(max_length=30)
    objects = models.Manager()

    class Meta:
        app_label = APP


class Pin(models.Model):
    label = models.CharField(max_length=30)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey()

    class Meta:
        app_label = APP


class LoosePin(models.Model):
    kind = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, related_name="+")
    key = models.CharField(max_length=20, null=True)
    target = GenericForeignKey("kind", "key")

    class Meta:
        app_label = APP


use_models(ContentType, Planet, Moon, Hidden, Pin, LoosePin)


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    # The tables are emptied after each test: the cached rows would name rows that are gone.
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


# -- ContentType and its manager ---------------------------------------------------------


def test_table_and_columns_are_djangos():
    opts = ContentType._meta
    assert opts.db_table == "django_content_type"
    assert opts.app_label == "contenttypes"
    assert [f.name for f in opts.concrete_fields] == ["id", "app_label", "model"]
    assert opts.unique_together == (("app_label", "model"),)


def test_get_for_model_creates_the_row_once_then_serves_the_cache():
    with assert_num_queries(2):  # the read misses, the INSERT makes the row
        ct = ContentType.objects.get_for_model(Planet)
    assert (ct.app_label, ct.model) == (APP, "planet")
    with assert_num_queries(0):
        assert ContentType.objects.get_for_model(Planet) is ct
        assert ContentType.objects.get_for_model(Planet(name="x")) is ct
        assert ContentType.objects.get_for_id(ct.pk) is ct
        assert ContentType.objects.get_by_natural_key(APP, "planet") is ct
    assert ContentType.objects.count() == 1


def test_an_existing_row_is_read_with_one_query():
    ContentType.objects.create(app_label=APP, model="moon")
    with assert_num_queries(1):
        ct = ContentType.objects.get_for_model(Moon)
    assert ct.model == "moon"


def test_get_for_id_reads_once():
    ct = ContentType.objects.create(app_label=APP, model="moon")
    with assert_num_queries(1):
        assert ContentType.objects.get_for_id(ct.pk) == ct
    with assert_num_queries(0):
        assert ContentType.objects.get_for_id(ct.pk) == ct
    with pytest.raises(ContentType.DoesNotExist):
        ContentType.objects.get_for_id(ct.pk + 1000)


def test_get_for_models_reads_the_uncached_in_one_query_and_creates_the_missing():
    ContentType.objects.create(app_label=APP, model="planet")
    with assert_num_queries(2):  # one read of both, one insert of the missing one
        found = ContentType.objects.get_for_models(Planet, Moon)
    assert {m: ct.model for m, ct in found.items()} == {Planet: "planet", Moon: "moon"}
    with assert_num_queries(0):
        assert ContentType.objects.get_for_models(Planet, Moon) == found


def test_clear_cache_forgets_rows():
    ct = ContentType.objects.get_for_model(Planet)
    ContentType.objects.clear_cache()
    with assert_num_queries(1):
        assert ContentType.objects.get_for_model(Planet) == ct


def test_cache_is_per_database(relata_backend):
    ct = ContentType.objects.get_for_model(Planet)
    assert ContentType.objects._cache == {"default": {(APP, "planet"): ct, ct.pk: ct}}
    with assert_num_queries(0):
        assert ContentType.objects.db_manager("default").get_for_model(Planet) is ct


def test_model_class_name_and_labels():
    ct = ContentType.objects.get_for_model(Planet)
    assert ct.model_class() is Planet
    assert ct.name == "planet"
    assert ct.app_labeled_name == "Ct_Basics | planet"
    assert str(ct) == "Ct_Basics | planet"
    assert ct.natural_key() == (APP, "planet")
    gone = ContentType.objects.create(app_label=APP, model="nosuchmodel")
    assert gone.model_class() is None
    assert gone.name == "nosuchmodel"
    with pytest.raises(LookupError, match="names no defined model"):
        gone.get_object_for_this_type(pk=1)


def test_objects_for_this_type():
    mars = Planet.objects.create(name="Mars")
    Planet.objects.create(name="Venus")
    ct = ContentType.objects.get_for_model(Planet)
    assert ct.get_object_for_this_type(name="Mars") == mars
    assert sorted(p.name for p in ct.get_all_objects_for_this_type()) == ["Mars", "Venus"]
    assert list(ct.get_all_objects_for_this_type(name="Venus").values_list("name", flat=True)) == ["Venus"]


def test_create_contenttypes_makes_every_missing_row():
    ContentType.objects.get_for_model(Planet)
    new = create_contenttypes([Planet, Moon, Pin])
    assert sorted(ct.model for ct in new) == ["moon", "pin"]
    assert create_contenttypes([Planet, Moon, Pin]) == []
    assert ContentType.objects.filter(app_label=APP).count() == 3


# -- GenericForeignKey ----------------------------------------------------------------------


def test_generic_foreign_key_is_a_private_field():
    field = Pin._meta.get_field("target")
    assert field is Pin.target
    assert field in Pin._meta.private_fields
    assert field not in Pin._meta.fields
    assert field in Pin._meta.get_fields()
    assert (field.is_relation, field.many_to_one, field.concrete, field.column) == (True, True, False, None)
    assert field.related_model is None


def test_assigning_sets_both_columns_and_reading_loads_by_the_content_type():
    mars = Planet.objects.create(name="Mars")
    pin = Pin.objects.create(label="red", target=mars)
    ct = ContentType.objects.get_for_model(Planet)
    assert (pin.content_type_id, pin.object_id) == (ct.pk, mars.pk)
    with assert_num_queries(0):
        assert pin.target is mars
    fresh = Pin.objects.get(pk=pin.pk)
    with assert_num_queries(1):  # the content type is cached: only the planet is read
        assert fresh.target == mars
    with assert_num_queries(0):
        assert fresh.target == mars


def test_the_cache_follows_the_columns():
    mars = Planet.objects.create(name="Mars")
    moon = Moon.objects.create(name="Phobos", id=mars.pk)  # same key, another model
    venus = Planet.objects.create(name="Venus")
    pin = Pin.objects.create(label="x", target=mars)
    pin.content_type = ContentType.objects.get_for_model(Moon)
    assert pin.target == moon
    pin.content_type = ContentType.objects.get_for_model(Planet)
    pin.object_id = venus.pk
    assert pin.target == venus


def test_a_missing_row_reads_as_none():
    mars = Planet.objects.create(name="Mars")
    pin = Pin.objects.create(label="x", target=mars)
    mars.delete()
    assert Pin.objects.get(pk=pin.pk).target is None


def test_the_base_manager_finds_the_target():
    secret = Hidden.objects.create(name="s")
    pin = Pin.objects.create(label="x", target=secret)
    assert Pin.objects.get(pk=pin.pk).target == secret


def test_constructor_takes_the_generic_foreign_key():
    mars = Planet(name="Mars")
    pin = Pin(label="x", target=mars)
    assert pin.target is mars
    assert Pin(label="y", target=None).target is None
    assert LoosePin(target=None).target is None


def test_none_clears_both_columns():
    mars = Planet.objects.create(name="Mars")
    loose = LoosePin.objects.create(target=mars)
    assert LoosePin.objects.get(pk=loose.pk).key == str(mars.pk)
    loose.target = None
    assert (loose.kind_id, loose.key, loose.target) == (None, None, None)
    loose.save()
    assert LoosePin.objects.get(pk=loose.pk).target is None


def test_text_object_ids_match_integer_keys():
    mars = Planet.objects.create(name="Mars")
    loose = LoosePin.objects.create(target=mars)
    assert LoosePin.objects.get(pk=loose.pk).target == mars


def test_saving_with_an_unsaved_target_is_refused():
    pin = Pin(label="x", target=Planet(name="unsaved"))
    with pytest.raises(
        ValueError, match=r"save\(\) prohibited to prevent data loss due to unsaved related object 'target'"
    ):
        pin.save()
    with pytest.raises(ValueError, match="bulk_create\\(\\) prohibited"):
        Pin.objects.bulk_create([Pin(label="y", target=Planet(name="unsaved"))])
    assert Pin.objects.count() == 0


def test_a_target_saved_after_assignment_gives_its_key():
    mars = Planet(name="Mars")
    pin = Pin(label="x", target=mars)
    mars.save()
    pin.save()
    assert Pin.objects.get(pk=pin.pk).target == mars


def test_get_or_create_and_update_or_create_take_it_in_defaults():
    mars = Planet.objects.create(name="Mars")
    venus = Planet.objects.create(name="Venus")
    pin, created = Pin.objects.get_or_create(label="x", defaults={"target": mars})
    assert created and pin.target == mars
    pin, created = Pin.objects.update_or_create(label="x", defaults={"target": venus})
    assert not created
    assert Pin.objects.get(pk=pin.pk).target == venus


def test_filtering_on_a_generic_foreign_key_is_refused():
    with pytest.raises(FieldError) as caught:
        Pin.objects.filter(target=1)
    assert "Field 'target' does not generate an automatic reverse relation" in str(caught.value)
    assert "consider adding a GenericRelation" in str(caught.value)


def test_filtering_through_the_content_type_column():
    mars = Planet.objects.create(name="Mars")
    phobos = Moon.objects.create(name="Phobos")
    Pin.objects.create(label="a", target=mars)
    Pin.objects.create(label="b", target=phobos)
    assert list(Pin.objects.filter(content_type__model="moon").values_list("label", flat=True)) == ["b"]
    ct = ContentType.objects.get_for_model(mars)
    assert list(Pin.objects.filter(content_type=ct, object_id=mars.pk).values_list("label", flat=True)) == ["a"]
