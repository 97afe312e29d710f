"""A CompositePrimaryKey through migrations: CreateModel makes PRIMARY KEY (a, b); the writer keeps it."""

import pytest

from migrations.helpers import apply, detect, kinds, tables, unapply
from relata import models
from relata.db import connections
from relata.migrations import operations as ops
from relata.migrations.state import ModelState, ProjectState
from relata.migrations.writer import MigrationWriter

APP = "cpkmig"


@pytest.fixture(autouse=True)
def clean_tables(relata_backend):
    before = tables()
    yield
    editor = connections["default"].schema_editor()
    with editor.constraint_checks_off(), editor:
        for name in sorted(tables() - before):
            editor.drop_table(name)


def create_release():
    return ops.CreateModel(
        "Release",
        [
            ("pk", models.CompositePrimaryKey("product", "version")),
            ("product", models.CharField(max_length=20)),
            ("version", models.IntegerField()),
            ("notes", models.TextField(default="")),
        ],
    )


def test_create_model_makes_a_two_column_primary_key():
    project = apply(APP, [create_release()])
    constraints = connections["default"].introspection.get_constraints(None, "cpkmig_release")
    assert [c["columns"] for c in constraints.values() if c["primary_key"]] == [["product", "version"]]
    release = project.apps.get_model(APP, "release")
    release.objects.create(product="relata", version=1, notes="first")
    release.objects.create(product="relata", version=2)
    assert release.objects.get(pk=("relata", 1)).notes == "first"
    unapply(APP, [create_release()], ProjectState())
    assert "cpkmig_release" not in tables()


def test_autodetector_and_writer_keep_the_key():
    after = ProjectState()
    after.add_model(ModelState(APP, "Release", create_release().fields, {}))
    changes = detect(ProjectState(), after)
    operations = changes[APP][0].operations
    assert kinds(operations) == ["CreateModel"]
    text = MigrationWriter(changes[APP][0]).as_string()
    assert "models.CompositePrimaryKey('product', 'version')" in text or (
        'models.CompositePrimaryKey("product", "version")' in text
    )
