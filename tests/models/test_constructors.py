"""Model(**kwargs) through the generated per-model __init__, and the general path it falls back to.

A model without an __init__ of its own gets one generated for its fields on
first use; these tests hold it to the same results as the general path, for
every combination of arguments, and check when it is (not) installed.
"""

import datetime
import itertools

import pytest

from relata import models
from relata.testing.pytest_plugin import use_models


def next_code():
    next_code.value += 1
    return f"c{next_code.value}"


next_code.value = 0


class Shelf(models.Model):
    label = models.CharField(max_length=20, default="main")

    class Meta:
        app_label = "m_ctor"


class Volume(models.Model):
    title = models.CharField(max_length=50)
    code = models.CharField(max_length=10, default=next_code)
    pages = models.IntegerField(null=True)
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, null=True)
    added = models.DateField(default=datetime.date(2020, 1, 1))

    class Meta:
        app_label = "m_ctor"

    @property
    def summary(self):
        return f"{self.title}/{self.pages}"

    @summary.setter
    def summary(self, value):
        self.title, pages = value.split("/")
        self.pages = int(pages)


class Custom(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "m_ctor"

    def __init__(self, *args, shout=False, **kwargs):
        super().__init__(*args, **kwargs)
        if shout:
            self.name = self.name.upper()


use_models(Shelf, Volume, Custom)

SHELF = Shelf(id=7, label="top")
ARGUMENTS = {
    "id": 3,
    "title": "Dune",
    "code": "x1",
    "pages": None,
    "shelf": SHELF,
    "shelf_id": 9,
    "added": datetime.date(2021, 5, 6),
    "summary": "Emma/12",
}


def general(**kwargs):
    """Model.__init__'s general path, the one a user-defined __init__ reaches through super()."""
    obj = Volume.__new__(Volume)
    Volume._meta.fast_init(obj, dict(kwargs))
    return obj


def outcome(make, kwargs):
    next_code.value = 0
    try:
        obj = make(**kwargs)
    except Exception as exc:
        return type(exc), str(exc)
    values = {k: v for k, v in vars(obj).items() if k != "_state"}
    return values, obj._state.adding, obj._state.db


@pytest.mark.parametrize("size", range(len(ARGUMENTS) + 1))
def test_generated_init_matches_the_general_path_for_every_combination(size):
    Volume(title="warm-up")  # installs the generated __init__
    assert getattr(vars(Volume)["__init__"], "generated_for", None) is Volume._meta
    for names in itertools.combinations(ARGUMENTS, size):
        kwargs = {name: ARGUMENTS[name] for name in names}
        assert outcome(Volume, kwargs) == outcome(general, kwargs), kwargs


def test_new_instance_is_unsaved_and_has_no_database():
    volume = Volume(title="a")
    assert volume._state.adding is True
    assert volume._state.db is None
    assert volume.code.startswith("c")  # callable default ran
    assert volume.added == datetime.date(2020, 1, 1)


def test_callable_default_runs_once_per_instance():
    first, second = Volume(title="a"), Volume(title="b")
    assert first.code != second.code


def test_relation_given_as_object_sets_the_column_and_caches_it():
    volume = Volume(title="a", shelf=SHELF)
    assert volume.shelf_id == 7
    assert volume.shelf is SHELF


def test_relation_given_as_none_clears_the_column():
    assert Volume(title="a", shelf=None).shelf_id is None


def test_relation_of_the_wrong_type_is_refused():
    with pytest.raises(ValueError, match=r'"Volume\.shelf" must be a "Shelf" instance'):
        Volume(title="a", shelf="top")


def test_positional_arguments_take_the_general_path():
    volume = Volume(4, "Emma", "c9", 100)
    assert (volume.id, volume.title, volume.code, volume.pages) == (4, "Emma", "c9", 100)
    with pytest.raises(TypeError, match="both positional and keyword arguments for field 'title'"):
        Volume(4, "Emma", title="again")


def test_unknown_keyword_names_the_valid_fields():
    with pytest.raises(TypeError, match=r"unexpected keyword arguments: 'colour'\. Valid fields are: id, title"):
        Volume(title="a", colour="red")


def test_property_setter_is_accepted_as_keyword():
    volume = Volume(summary="Emma/12")
    assert (volume.title, volume.pages) == ("Emma", 12)


def test_user_defined_init_is_kept_and_reaches_the_general_path():
    custom = Custom(name="quiet", shout=True)
    assert custom.name == "QUIET"
    assert "__init__" in vars(Custom) and not hasattr(vars(Custom)["__init__"], "generated_for")


def test_adding_a_field_later_drops_the_generated_init():
    class Late(models.Model):
        name = models.CharField(max_length=20)

        class Meta:
            app_label = "m_ctor_late"

    Late(name="a")
    assert "__init__" in vars(Late)
    Late.add_to_class("extra", models.IntegerField(default=5))
    # Dropped: back to Model.__init__ (kept in the class's own namespace, so a parent's generated
    # __init__ can never serve a child).
    assert vars(Late)["__init__"] is models.Model.__init__
    late = Late(name="b")
    assert late.extra == 5
    assert vars(Late)["__init__"].generated_for is Late._meta


def test_saved_and_loaded_instances_report_their_state():
    shelf = Shelf.objects.create(label="low")
    assert (shelf._state.adding, shelf._state.db) == (False, "default")
    loaded = Shelf.objects.get(pk=shelf.pk)
    assert (loaded._state.adding, loaded._state.db) == (False, "default")


def test_bulk_created_and_saved_instances_are_saved_in_their_database():
    shelves = Shelf.objects.bulk_create([Shelf(label="a"), Shelf(label="b")])
    assert [(s._state.adding, s._state.db) for s in shelves] == [(False, "default")] * 2
    shelf = Shelf(label="c")
    shelf.save()
    assert "_state" not in vars(shelf)  # the compact form of "saved in the default database"
    assert (shelf._state.adding, shelf._state.db) == (False, "default")
    shelf.save()  # an UPDATE now: still one row
    assert Shelf.objects.filter(label="c").count() == 1


def test_state_survives_pickling_and_can_be_replaced():
    import pickle

    from relata.models.instance_state import ModelState

    new = pickle.loads(pickle.dumps(Shelf(label="p")))
    assert (new._state.adding, new._state.db) == (True, None)
    saved = Shelf.objects.create(label="q")
    copy = pickle.loads(pickle.dumps(Shelf.objects.get(pk=saved.pk)))
    assert (copy._state.adding, copy._state.db) == (False, "default")
    copy._state = ModelState("other", adding=False)
    assert copy._state.db == "other"
