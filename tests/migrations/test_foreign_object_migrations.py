"""A ForeignObject in migrations: it has no column, so creating, adding and removing it writes no
column (Django's rule), and the autodetector deconstructs it with its field pairs."""

import pytest

from migrations.helpers import apply, model, operations, state, tables, unapply
from relata import models
from relata.db import connections
from relata.migrations import operations as ops
from relata.migrations.state import ProjectState
from relata.testing import CaptureQueries

APP = "migfo"


@pytest.fixture(autouse=True)
def clean_tables(relata_backend):
    before = tables()
    yield
    editor = connections["default"].schema_editor()
    with editor.constraint_checks_off(), editor:
        for name in sorted(tables() - before, reverse=True):
            editor.drop_table(name)


def country_and_city(with_relation=True):
    city_fields = [("name", models.CharField(max_length=20)), ("country_code", models.CharField(max_length=2))]
    if with_relation:
        city_fields.append(("country", foreign_object()))
    return [
        model(APP, "Country", ("code", models.CharField(max_length=2, unique=True))),
        model(APP, "City", *city_fields),
    ]


def foreign_object():
    return models.ForeignObject(
        "migfo.Country", models.CASCADE, from_fields=["country_code"], to_fields=["code"], related_name="cities"
    )


def columns(table):
    return sorted(c.name for c in connections["default"].introspection.get_columns(table))


def test_created_with_its_model_without_a_column():
    steps = operations(ProjectState(), state(*country_and_city()), app=APP)
    project = apply(APP, steps)
    assert columns("migfo_city") == ["country_code", "id", "name"]
    city = project.apps.get_model(APP, "City")
    field = city._meta.get_field("country")
    assert (type(field), field.from_fields, field.to_fields) == (models.ForeignObject, ["country_code"], ["code"])
    unapply(APP, steps, ProjectState())
    assert "migfo_city" not in tables()


def test_adding_and_removing_it_runs_no_sql():
    project = apply(APP, operations(ProjectState(), state(*country_and_city(with_relation=False)), app=APP))
    add = [ops.AddField("City", "country", foreign_object())]
    with CaptureQueries() as queries:
        after = apply(APP, add, project)
    assert [q.sql for q in queries if "migfo" in q.sql] == []
    assert after.apps.get_model(APP, "City")._meta.get_field("country").related_model._meta.model_name == "country"
    with CaptureQueries() as queries:
        unapply(APP, add, project)
    assert [q.sql for q in queries if "migfo" in q.sql] == []
    assert columns("migfo_city") == ["country_code", "id", "name"]
