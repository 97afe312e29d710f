"""db_default and db_comment: the column DEFAULT and COMMENT the database really holds.

Tables come from relata.testing.create_tables and from migrations; each test
reads the real catalog, or inserts without the column to show the database
itself fills it. SQLite keeps no comments (features.supports_comments).
"""

import datetime

import pytest
from django.db.models.functions import Now

import oracle
import relata
from migrations.helpers import apply, detect, kinds, model, state, tables, unapply
from relata import models
from relata.db import connections
from relata.migrations import operations as ops
from relata.migrations.serializer import serialize
from relata.testing import CaptureQueries, assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models
APP = "dbdef"
LABEL = "50% 'off' \\ here"


class Gauge(models.Model):
    label = models.CharField(max_length=30, db_default=LABEL, db_comment="what it's called, 100%")
    level = models.IntegerField(db_default=7)
    flag = models.BooleanField(db_default=True)
    stamp = models.DateTimeField(db_default=models.Now())
    both = models.IntegerField(default=1, db_default=2)
    note = models.TextField(db_default="long text", null=True)

    class Meta:
        app_label = "e_dbdefault"
        db_table_comment = "gauges, 100% 'real'"


class dj:
    class Gauge(dm.Model):
        label = dm.CharField(max_length=30, db_default=LABEL, db_comment="what it's called, 100%")
        level = dm.IntegerField(db_default=7)
        flag = dm.BooleanField(db_default=True)
        stamp = dm.DateTimeField(db_default=Now())
        both = dm.IntegerField(default=1, db_default=2)
        note = dm.TextField(db_default="long text", null=True)

        class Meta(oracle.Meta("e_dbdefault")):
            db_table_comment = "gauges, 100% 'real'"


class Ticket(models.Model):
    """A primary key the database fills."""

    number = models.IntegerField(primary_key=True, db_default=7)

    class Meta:
        app_label = "e_dbdefault"


use_models(Gauge, Ticket)
oracle.use_django_models(dj.Gauge)

VALUES = ("label", "level", "flag", "both", "note")


def columns(table):
    return {c.name: c for c in connections["default"].introspection.get_columns(table)}


# -- instances and INSERT ----------------------------------------------------------


def test_a_new_instance_holds_database_default_as_django():
    ours, theirs = Gauge(), dj.Gauge()
    for name in ("label", "level", "flag", "stamp", "note"):
        assert type(getattr(ours, name)).__name__ == type(getattr(theirs, name)).__name__ == "DatabaseDefault"
    assert ours.both == theirs.both == 1


def test_insert_leaves_the_defaulted_columns_to_the_database():
    with CaptureQueries() as captured:
        gauge = Gauge.objects.create()
    inserted_columns = captured[0].sql.split(")")[0]
    assert captured[0].sql.startswith("INSERT") and "both" in inserted_columns
    assert "level" not in inserted_columns and "stamp" not in inserted_columns
    dj.Gauge.objects.create()
    expected = list(dj.Gauge.objects.values_list(*VALUES))
    assert list(Gauge.objects.values_list(*VALUES)) == expected
    # Only the database knows what it wrote: RETURNING reads it back, else the first access loads it.
    reads = 0 if relata.connection.features.can_return_columns_from_insert else 1
    with assert_num_queries(reads):
        assert (gauge.label, gauge.level, gauge.flag, gauge.note) == expected[0][:2] + expected[0][2:3] + expected[0][
            4:
        ]
    assert isinstance(gauge.stamp, datetime.datetime)


def test_given_values_win_over_the_database_default():
    Gauge.objects.create(level=3, flag=False, label="mine", note=None)
    dj.Gauge.objects.create(level=3, flag=False, label="mine", note=None)
    assert list(Gauge.objects.values_list(*VALUES)) == list(dj.Gauge.objects.values_list(*VALUES))


def test_bulk_create_mixes_given_and_database_defaults():
    for model_ in (Gauge, dj.Gauge):
        model_.objects.bulk_create([model_(), model_(level=5), model_(label="x"), model_()])
    order = ("level", "label")
    theirs = list(dj.Gauge.objects.order_by(*order).values_list(*VALUES))
    assert list(Gauge.objects.order_by(*order).values_list(*VALUES)) == theirs


def test_full_clean_skips_database_defaults_as_django():
    Gauge().full_clean()
    dj.Gauge().full_clean()


# -- the schema -----------------------------------------------------------------------


def test_create_tables_writes_defaults_and_comments():
    found = columns("e_dbdefault_gauge")
    for name in ("label", "level", "flag", "stamp", "both", "note"):
        assert found[name].default is not None, name
    assert found["id"].default is None or "nextval" in str(found["id"].default)
    features = relata.connection.features
    expected = "what it's called, 100%" if features.supports_comments else ""
    assert found["label"].comment == expected
    assert found["level"].comment == ""
    table = "gauges, 100% 'real'" if features.supports_comments else ""
    assert relata.connection.introspection.get_table_comment("e_dbdefault_gauge") == table


def test_the_database_fills_a_raw_insert():
    connection = relata.connection
    quote = connection.ops.quote_name
    connection.execute(f"INSERT INTO {quote('e_dbdefault_gauge')} ({quote('both')}) VALUES (9)")
    assert list(Gauge.objects.values_list(*VALUES)) == [(LABEL, 7, True, 9, "long text")]


def test_a_default_reading_a_column_is_refused_before_any_sql():
    class Bad(models.Model):
        n = models.IntegerField()
        m = models.IntegerField(db_default=models.F("n") + 1)

        class Meta:
            app_label = "e_dbdefault"

    from relata.testing import create_tables

    with CaptureQueries() as captured, pytest.raises(ValueError, match=r"db_default.*reads other columns"):
        create_tables(Bad)
    assert len(captured) == 0


# -- migrations -----------------------------------------------------------------------


@pytest.fixture
def clean_tables(relata_backend):
    before = tables()
    yield
    editor = connections["default"].schema_editor()
    with editor.constraint_checks_off(), editor:
        for name in sorted(tables() - before):
            editor.drop_table(name)


def pk():
    return ("id", models.BigAutoField(auto_created=True, primary_key=True))


def meter(*fields, **options):
    return [ops.CreateModel("Meter", [pk(), ("name", models.CharField(max_length=20)), *fields], options=options)]


def test_add_field_with_db_default_fills_existing_rows(clean_tables):
    project = apply(APP, meter())
    project.apps.get_model(APP, "meter").objects.create(name="a")
    change = [ops.AddField("Meter", "level", models.IntegerField(db_default=4))]
    after = apply(APP, change, project)
    Meter = after.apps.get_model(APP, "meter")
    Meter.objects.create(name="b")
    assert list(Meter.objects.order_by("name").values_list("name", "level")) == [("a", 4), ("b", 4)]
    unapply(APP, change, project)
    assert "level" not in columns("dbdef_meter")


def test_alter_field_changes_and_drops_the_default(clean_tables):
    project = apply(APP, meter(("level", models.IntegerField(db_default=4))))
    to_five = [ops.AlterField("Meter", "level", models.IntegerField(db_default=5))]
    after = apply(APP, to_five, project)
    after.apps.get_model(APP, "meter").objects.create(name="five")
    dropped = [ops.AlterField("Meter", "level", models.IntegerField(null=True))]
    final = apply(APP, dropped, after)
    final.apps.get_model(APP, "meter").objects.create(name="none")
    assert columns("dbdef_meter")["level"].default is None
    assert list(final.apps.get_model(APP, "meter").objects.order_by("name").values_list("name", "level")) == [
        ("five", 5),
        ("none", None),
    ]


def test_expression_default_through_a_migration(clean_tables):
    project = apply(APP, meter(("seen", models.DateTimeField(db_default=models.Now()))))
    Meter = project.apps.get_model(APP, "meter")
    Meter.objects.create(name="a")
    assert Meter.objects.get().seen is not None


def test_alter_field_and_model_comments(clean_tables):
    project = apply(APP, meter(("level", models.IntegerField(db_comment="first"))))
    change = [
        ops.AlterField("Meter", "level", models.IntegerField(db_comment="second, 100% 'sure'")),
        ops.AlterModelTableComment("Meter", "all meters"),
    ]
    after = apply(APP, change, project)
    supported = relata.connection.features.supports_comments
    assert columns("dbdef_meter")["level"].comment == ("second, 100% 'sure'" if supported else "")
    assert relata.connection.introspection.get_table_comment("dbdef_meter") == ("all meters" if supported else "")
    assert after.models[APP, "meter"].options["db_table_comment"] == "all meters"
    unapply(APP, change, project)
    assert columns("dbdef_meter")["level"].comment == ("first" if supported else "")
    assert relata.connection.introspection.get_table_comment("dbdef_meter") == ""


def test_autodetector_records_db_default_db_comment_and_table_comment():
    before = state(model("shop", "Meter", ("level", models.IntegerField())))
    after = state(
        model(
            "shop",
            "Meter",
            ("level", models.IntegerField(db_default=3, db_comment="how high")),
            db_table_comment="meters",
        )
    )
    migration = detect(before, after)["shop"][0]
    assert kinds(migration.operations) == ["AlterField", "AlterModelTableComment"]
    assert migration.operations[0].field.db_default == 3


def test_adding_a_not_null_field_with_db_default_asks_nothing():
    before = state(model("shop", "Meter", ("name", models.CharField(max_length=5))))
    after = state(
        model("shop", "Meter", ("name", models.CharField(max_length=5)), ("level", models.IntegerField(db_default=3)))
    )
    (operation,) = detect(before, after)["shop"][0].operations
    assert type(operation).__name__ == "AddField"


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (
            lambda: models.IntegerField(db_default=7, db_comment="n"),
            lambda: dm.IntegerField(db_default=7, db_comment="n"),
        ),
        (lambda: models.CharField(max_length=3, db_default="x"), lambda: dm.CharField(max_length=3, db_default="x")),
    ],
)
def test_deconstruct_keeps_db_default_and_db_comment_as_django(ours, theirs):
    assert ours().deconstruct()[3] == theirs().deconstruct()[3]


def test_serializer_writes_expression_defaults():
    text, imports = serialize(models.DateTimeField(db_default=models.Now()))
    assert text == "models.DateTimeField(db_default=models.Now())"
    namespace: dict = {}
    exec("\n".join(sorted(imports)) + f"\nfield = {text}", namespace)
    assert namespace["field"].db_default == models.Now()


def test_a_primary_key_with_a_database_default_is_inserted_without_an_update_first():
    with CaptureQueries() as queries:
        ticket = Ticket()
        ticket.save()
    assert [q.sql.split()[0] for q in queries] == ["INSERT"]
    assert Ticket.objects.get().pk == ticket.pk
