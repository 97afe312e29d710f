"""Errors: driver errors as relata's PEP 249 classes, FieldError choices, no half-written rows."""

import pytest

import oracle
import relata
from relata import exceptions, models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Gadget(models.Model):
    name = models.CharField(max_length=10, unique=True)
    weight = models.IntegerField(default=0)
    owner = models.CharField(max_length=10, null=True)

    class Meta:
        app_label = "e_errors"


class Ghost(models.Model):
    """Its table is never created."""

    name = models.CharField(max_length=10)

    class Meta:
        app_label = "e_errors"


class dj:
    class Gadget(dm.Model):
        name = dm.CharField(max_length=10, unique=True)
        weight = dm.IntegerField(default=0)
        owner = dm.CharField(max_length=10, null=True)

        class Meta(oracle.Meta("e_errors")):
            pass


class Doc(models.Model):
    data = models.JSONField(null=True)

    class Meta:
        app_label = "e_errors"


use_models(Gadget, Doc)


def rows():
    return list(Gadget.objects.order_by("name").values_list("name", "weight", "owner"))


# -- PEP 249 mapping ---------------------------------------------------------------


def test_pep249_hierarchy():
    for name in ("InterfaceError", "DatabaseError"):
        assert issubclass(getattr(exceptions, name), exceptions.Error)
    for name in (
        "DataError",
        "OperationalError",
        "IntegrityError",
        "InternalError",
        "ProgrammingError",
        "NotSupportedError",
    ):
        assert issubclass(getattr(exceptions, name), exceptions.DatabaseError)
    assert issubclass(models.ProtectedError, exceptions.IntegrityError)


def test_integrity_error_wraps_the_driver_error():
    Gadget.objects.create(name="a")
    with pytest.raises(exceptions.IntegrityError) as info:
        Gadget.objects.create(name="a")
    driver = relata.connection.Database
    assert isinstance(info.value.__cause__, driver.IntegrityError)
    assert not isinstance(info.value, driver.Error)
    assert rows() == [("a", 0, None)]


def test_missing_table_is_operational_or_programming_error():
    with pytest.raises((exceptions.OperationalError, exceptions.ProgrammingError)):
        list(Ghost.objects.all())


def test_bad_sql_is_a_database_error_and_connection_stays_usable():
    with pytest.raises(exceptions.DatabaseError):
        relata.connection.execute("SELEC nonsense")
    assert Gadget.objects.count() == 0


@pytest.mark.parametrize(
    "name",
    [
        "IntegrityError",
        "DataError",
        "OperationalError",
        "ProgrammingError",
        "NotSupportedError",
        "InternalError",
        "InterfaceError",
        "DatabaseError",
    ],
)
def test_every_driver_class_translates_to_the_same_name(name):
    driver_class = getattr(relata.connection.Database, name)
    translated = relata.connection.translate_error(driver_class("boom"))
    assert type(translated) is getattr(exceptions, name)
    assert str(translated) == "boom"


@pytest.mark.parametrize("streaming", [False, True])
def test_error_found_while_fetching_rows_is_translated(streaming):
    # SQLite computes each row as it is fetched, so a bad row after the first fails in fetch*().
    if relata.connection.vendor != "sqlite":
        pytest.skip("only SQLite stores text a JSON function then rejects")
    Doc.objects.bulk_create([Doc(data={"a": i}) for i in range(3)])
    relata.connection.execute(f"INSERT INTO {Doc._meta.db_table} (data) VALUES ('not json')")
    matching = Doc.objects.filter(data__a__gte=0)
    with pytest.raises(exceptions.OperationalError, match="malformed JSON") as info:
        list(matching.iterator(chunk_size=2) if streaming else matching)
    assert isinstance(info.value.__cause__, relata.connection.Database.OperationalError)
    assert Doc.objects.count() == 4  # the connection stays usable


# -- FieldError choices -----------------------------------------------------------------


def test_bad_filter_name_lists_choices_like_django():
    with pytest.raises(exceptions.FieldError) as info:
        Gadget.objects.filter(nmae="x")
    theirs = oracle.error_of(dj.Gadget.objects.filter, nmae="x")
    assert str(info.value) == str(theirs)
    assert str(info.value) == "Cannot resolve keyword 'nmae' into field. Choices are: id, name, owner, weight"


def test_bad_filter_name_in_q_exclude_order_by_and_values():
    for make in (
        lambda m: m.objects.filter(models.Q(nmae="x") if m is Gadget else dm.Q(nmae="x")),
        lambda m: m.objects.exclude(nmae="x"),
        lambda m: list(m.objects.order_by("nmae")),
        lambda m: m.objects.values("nmae"),
        lambda m: m.objects.values_list("nmae"),
    ):
        with pytest.raises(exceptions.FieldError) as info:
            make(Gadget)
        assert "Choices are: id, name, owner, weight" in str(info.value)
        assert type(oracle.error_of(make, dj.Gadget)).__name__ == "FieldError"


def test_annotation_names_are_listed_as_choices():
    with pytest.raises(exceptions.FieldError) as info:
        Gadget.objects.annotate(total=models.Sum("weight")).filter(totl=1)
    theirs = oracle.error_of(dj.Gadget.objects.annotate(total=dm.Sum("weight")).filter, totl=1)
    assert str(info.value) == str(theirs)


def test_unknown_lookup_is_field_error_naming_the_lookup():
    with pytest.raises(exceptions.FieldError) as info:
        Gadget.objects.filter(name__near="x")
    assert "near" in str(info.value) and "CharField" in str(info.value)
    assert type(oracle.error_of(dj.Gadget.objects.filter, name__near="x")).__name__ == "FieldError"


def test_bad_filter_argument_type():
    with pytest.raises(TypeError, match="Q objects"):
        Gadget.objects.filter("name")


# -- no half-written rows -------------------------------------------------------------------


def test_bad_value_on_create_writes_nothing():
    Gadget.objects.create(name="keep", weight=1)
    with pytest.raises(ValueError, match="Field 'weight' expected a number"):
        Gadget.objects.create(name="bad", weight="heavy")
    with pytest.raises(exceptions.IntegrityError):
        Gadget.objects.create(name=None)
    with pytest.raises(TypeError):
        Gadget.objects.create(name="x", colour="red")
    assert rows() == [("keep", 1, None)]


def test_bad_value_on_save_leaves_the_row_as_it_was():
    g = Gadget.objects.create(name="keep", weight=1)
    g.weight = "heavy"
    with pytest.raises(ValueError):
        g.save()
    g.weight, g.name = 2, None
    with pytest.raises(exceptions.IntegrityError):
        g.save()
    assert rows() == [("keep", 1, None)]


def test_bad_value_mid_bulk_create_writes_nothing():
    objs = [Gadget(name="a"), Gadget(name="b", weight="heavy"), Gadget(name="c")]
    with pytest.raises(ValueError):
        Gadget.objects.bulk_create(objs)
    assert rows() == []
    objs = [Gadget(name=f"n{i}") for i in range(5)] + [Gadget(name="n0")]
    with pytest.raises(exceptions.IntegrityError):
        Gadget.objects.bulk_create(objs, batch_size=2)
    assert rows() == []


def test_bad_value_in_update_writes_nothing():
    Gadget.objects.create(name="a", weight=1)
    Gadget.objects.create(name="b", weight=2)
    with pytest.raises(ValueError):
        Gadget.objects.update(weight="heavy")
    with pytest.raises(exceptions.IntegrityError):
        Gadget.objects.update(name="same")
    assert rows() == [("a", 1, None), ("b", 2, None)]


def test_filter_with_bad_value_runs_no_query():
    with assert_num_queries(0), pytest.raises(ValueError, match="expected a number"):
        list(Gadget.objects.filter(weight="heavy"))


def test_range_needs_exactly_two_values():
    # Django leaves this to the database (a ProgrammingError); relata says what is wrong.
    with pytest.raises(ValueError, match="exactly two values"):
        list(Gadget.objects.filter(weight__range=(1, 2, 3)))
