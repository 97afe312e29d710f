"""GeneratedField: the column the database computes, per backend, as Django 5.2 has it.

Stored columns everywhere; virtual ones where the database has them (not
PostgreSQL). The value comes back after an INSERT (by RETURNING, else on first
access), is reloaded after an UPDATE, is never written, and reads and filters
as its output_field. Migrations add and remove it; altering it is refused.
"""

import pytest
from django.db.models import functions as dfunctions

import oracle
import relata
from migrations.helpers import apply, detect, kinds, model, state, unapply
from relata import exceptions, models
from relata.db import connections
from relata.migrations import operations as ops
from relata.migrations.serializer import serialize
from relata.models import F
from relata.models.functions import Lower
from relata.testing import CaptureQueries, assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


def declare(m, fn, base, persist):
    class Priced(m.Model):
        name = m.CharField(max_length=20, null=True, blank=True)
        price = m.IntegerField(null=True)
        discount = m.IntegerField(null=True)
        rebate = m.GeneratedField(
            expression=fn.Coalesce("price", 0) - fn.Coalesce("discount", fn.Coalesce("price", 0)),
            output_field=m.IntegerField(),
            db_persist=persist,
        )
        lower_name = m.GeneratedField(
            expression=fn.Lower(m.F("name")),
            output_field=m.CharField(max_length=20, null=True),
            db_persist=persist,
        )

        class Meta(base):
            constraints = [
                m.CheckConstraint(condition=m.Q(rebate__range=(0, 100)), name=f"bounded_rebate_{int(persist)}"),
                m.UniqueConstraint(fields=["lower_name"], name=f"unique_lower_{int(persist)}"),
            ]

    return Priced


class stored:
    Priced = declare(models, models.functions, type("Meta", (), {"app_label": "m_gen_stored"}), True)
    DPriced = declare(dm, dfunctions, oracle.Meta("m_gen_stored"), True)


use_models(stored.Priced)
oracle.use_django_models(stored.DPriced)


def features():
    return relata.connection.features


# -- reading what the database computed ---------------------------------------------


def test_an_unsaved_row_has_no_value_yet():
    with pytest.raises(AttributeError, match=r"Cannot read a generated field from an unsaved model\."):
        stored.Priced(price=10).rebate  # noqa: B018 - the read is the test


def test_create_reads_the_computed_values():
    with CaptureQueries() as captured:
        row = stored.Priced.objects.create(name="AbC", price=10, discount=3)
    assert "rebate" not in captured[0].sql.split("VALUES")[0]  # never written
    expected_queries = 1 if features().can_return_columns_from_insert else 2
    with assert_num_queries(expected_queries - 1):
        assert (row.rebate, row.lower_name) == (7, "abc")
    assert row.pk is not None


def test_an_update_reloads_the_computed_value_on_access():
    row = stored.Priced.objects.create(name="x", price=10, discount=3)
    row.rebate  # noqa: B018 - loaded
    row.price = 20
    row.save()
    with assert_num_queries(1):
        assert row.rebate == 17
    stored.Priced.objects.update(discount=5)
    assert stored.Priced.objects.get(pk=row.pk).rebate == 15


def test_filters_orders_and_converts_as_its_output_field():
    stored.Priced.objects.create(name="B", price=10, discount=1)
    stored.Priced.objects.create(name="a", price=10, discount=8)
    assert list(stored.Priced.objects.filter(rebate__gt=5).values_list("lower_name", flat=True)) == ["b"]
    assert list(stored.Priced.objects.order_by("rebate").values_list("rebate", flat=True)) == [2, 9]
    assert stored.Priced.objects.filter(lower_name__startswith="a").count() == 1
    total = stored.Priced.objects.annotate(twice=F("rebate") * 2).order_by("twice")
    assert [row.twice for row in total] == [4, 18]


def test_bulk_create_and_bulk_update_leave_it_to_the_database():
    (row,) = stored.Priced.objects.bulk_create([stored.Priced(price=3, discount=1)])
    assert row.rebate == 2
    row.price = 5
    stored.Priced.objects.bulk_update([row], ["price"])
    assert stored.Priced.objects.get(pk=row.pk).rebate == 4


def test_it_can_be_deferred():
    row = stored.Priced.objects.create(price=3, discount=1)
    loaded = stored.Priced.objects.defer("rebate").get(pk=row.pk)
    assert loaded.get_deferred_fields() == {"rebate"}
    loaded.price = 4
    loaded.save()  # a deferred generated column is no reason to save only some fields
    assert stored.Priced.objects.get(pk=row.pk).rebate == 3


# -- validation: as Django ---------------------------------------------------------


def _errors(model_class, exclude=None, **values):
    try:
        model_class(**values).full_clean(exclude=exclude)
    except Exception as error:  # relata's or Django's ValidationError
        return error.message_dict
    return None


def test_constraints_on_generated_fields_validate_as_django():
    ours, theirs = stored.Priced, stored.DPriced
    for model_class in (ours, theirs):
        model_class.objects.create(name="Taken", price=1, discount=1)
    cases = [
        ({"price": 50, "discount": 20}, None),
        ({"price": 1200, "discount": 500}, None),
        ({"price": 1200, "discount": 500}, {"price"}),
        ({"price": 1200, "discount": 500}, {"rebate"}),
        ({"name": "TAKEN", "price": 1, "discount": 1}, None),
        ({"name": "TAKEN", "price": 1, "discount": 1}, {"name"}),
    ]
    for values, exclude in cases:
        assert _errors(ours, exclude, **values) == _errors(theirs, exclude, **values), (values, exclude)
    assert _errors(ours, **{"price": 1200, "discount": 500}) == {
        "__all__": ["Constraint “bounded_rebate_1” is violated."]
    }
    assert _errors(ours, **{"name": "TAKEN", "price": 1, "discount": 1}) == {
        "lower_name": ["Priced with this Lower name already exists."]
    }


# -- the field's own rules ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"editable": True, "db_persist": True}, "GeneratedField cannot be editable."),
        ({"blank": False, "db_persist": True}, "GeneratedField must be blank."),
        ({"default": 1, "db_persist": True}, "GeneratedField cannot have a default."),
        ({"db_default": 1, "db_persist": True}, "GeneratedField cannot have a database default."),
        ({}, "GeneratedField.db_persist must be True or False."),
        ({"db_persist": None}, "GeneratedField.db_persist must be True or False."),
    ],
)
def test_refusals_as_django(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.GeneratedField(expression=Lower("name"), output_field=models.CharField(max_length=9), **kwargs)
    with pytest.raises(ValueError, match=message):
        dm.GeneratedField(expression=dfunctions.Lower("name"), output_field=dm.CharField(max_length=9), **kwargs)


def test_deconstruct_and_serialize():
    field = models.GeneratedField(expression=F("a") + F("b"), output_field=models.IntegerField(), db_persist=True)
    _name, path, args, kwargs = field.deconstruct()
    assert path == "relata.models.GeneratedField" and args == []
    assert kwargs["db_persist"] is True and kwargs["expression"] == F("a") + F("b")
    assert kwargs["output_field"].deconstruct()[2:] == models.IntegerField().deconstruct()[2:]
    text, _imports = serialize(field)
    assert "GeneratedField(" in text and "db_persist=True" in text and 'models.F("a")' in text


def test_checks_name_what_the_database_cannot_compute():
    from relata.models.checks import check_all_models
    from relata.models.registry import apps

    class Virtual(models.Model):
        a = models.IntegerField()
        b = models.GeneratedField(expression=F("a") + 1, output_field=models.IntegerField(), db_persist=False)

        class Meta:
            app_label = "m_gen_checks"

    try:
        assert check_all_models([Virtual]) == []  # what a database cannot do is checked only when asked
        messages = check_all_models([Virtual], databases=["default"])
    finally:
        apps.unregister_model(Virtual)
    if features().supports_virtual_generated_columns:
        assert messages == []
    else:
        assert [(m.id, m.hint) for m in messages] == [("fields.E221", "Set db_persist=True on the field.")]
        assert "does not support non-persisted GeneratedFields" in messages[0].msg


# -- virtual columns where they exist ----------------------------------------------


def test_virtual_columns_where_the_database_has_them():
    class Virtual:
        Priced = declare(models, models.functions, type("Meta", (), {"app_label": "m_gen_virtual"}), False)

    from relata.models.registry import apps
    from relata.testing import create_tables, drop_tables

    try:
        if not features().supports_virtual_generated_columns:
            with pytest.raises(exceptions.NotSupportedError, match="non-persisted GeneratedFields"):
                create_tables(Virtual.Priced)
            return
        create_tables(Virtual.Priced)
        try:
            row = Virtual.Priced.objects.create(name="XY", price=10, discount=4)
            assert (row.rebate, row.lower_name) == (6, "xy")
            row.discount = 1
            row.save()
            assert row.rebate == 9
        finally:
            drop_tables(Virtual.Priced)
    finally:
        apps.unregister_model(Virtual.Priced)


# -- migrations --------------------------------------------------------------------

APP = "m_gen_mig"


def _states():
    plain = model(APP, "Box", ("width", models.IntegerField()))
    with_area = model(
        APP,
        "Box",
        ("width", models.IntegerField()),
        (
            "area",
            models.GeneratedField(
                expression=F("width") * F("width"), output_field=models.IntegerField(), db_persist=True
            ),
        ),
    )
    return state(plain), state(with_area)


def test_migrations_add_and_remove_a_generated_column():
    before, after = _states()
    assert kinds(detect(before, after)[APP][0].operations) == ["AddField"]
    start = apply(
        APP, [ops.CreateModel("Box", [("id", models.BigAutoField(primary_key=True)), ("width", models.IntegerField())])]
    )
    try:
        connection = connections["default"]
        connection.execute(f"INSERT INTO {connection.ops.quote_name(APP + '_box')} (width) VALUES (3)")
        field = models.GeneratedField(
            expression=F("width") * F("width"), output_field=models.IntegerField(), db_persist=True
        )
        added = apply(APP, [ops.AddField("Box", "area", field)], start)
        area = connection.execute(f"SELECT area FROM {connection.ops.quote_name(APP + '_box')}").fetchone()[0]
        assert area == 9
        unapply(APP, [ops.AddField("Box", "area", field)], start)
        del added
    finally:
        apply(APP, [ops.DeleteModel("Box")], start)


def test_altering_a_generated_column_is_refused():
    start = apply(
        APP,
        [
            ops.CreateModel(
                "Box",
                [
                    ("id", models.BigAutoField(primary_key=True)),
                    ("width", models.IntegerField()),
                    (
                        "area",
                        models.GeneratedField(
                            expression=F("width") * 2, output_field=models.IntegerField(), db_persist=True
                        ),
                    ),
                ],
            )
        ],
    )
    try:
        changed = models.GeneratedField(expression=F("width") * 3, output_field=models.IntegerField(), db_persist=True)
        if relata.connection.vendor == "sqlite":
            # SQLite rebuilds the table, so the new definition simply replaces the old one.
            apply(APP, [ops.AlterField("Box", "area", changed)], start)
        else:
            with pytest.raises(exceptions.NotSupportedError, match="Modifying GeneratedFields is not supported"):
                apply(APP, [ops.AlterField("Box", "area", changed)], start)
    finally:
        apply(APP, [ops.DeleteModel("Box")], start)


def test_database_default_read_back_keeps_the_new_key():
    """A RETURNING clause for read-back columns also carries the key (MariaDB leaves lastrowid unset)."""
    row = stored.Priced.objects.create(name="k", price=1, discount=1)
    assert stored.Priced.objects.get(pk=row.pk).name == "k"
    row.name = "m"
    row.save()
    assert stored.Priced.objects.count() == 1
