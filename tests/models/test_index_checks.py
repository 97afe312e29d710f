"""Checks of Meta.indexes and Meta.constraints, and get_constraints(): with Django's ids, compared with Django."""

import pytest

import oracle
import relata
from relata import checks, models
from relata.models import Q
from relata.models.functions import Lower
from relata.models.index_checks import check_constraints, check_indexes
from relata.models.registry import apps
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Shelf(models.Model):
    label = models.CharField(max_length=20)
    width = models.IntegerField()

    class Meta:
        app_label = "m_index_checks"
        indexes = [models.Index(fields=["-width"], name="shelf_width_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(width__gt=0), name="shelf_width_positive"),
            models.UniqueConstraint(fields=["label", "width"], name="shelf_label_width_uniq"),
        ]


use_models(Shelf)


def declare(meta_body, fields=None):
    """A throwaway model (unregistered at the end of the test) with the given Meta attributes."""
    attrs = {
        "__module__": __name__,
        "name": models.CharField(max_length=10),
        "tags": models.ManyToManyField("self"),
        "Meta": type("Meta", (), {"app_label": "m_index_checks_tmp", **meta_body}),
    }
    attrs.update(fields or {})
    return type("Thing", (models.Model,), attrs)


@pytest.fixture
def throwaway():
    made = []

    def make(meta_body, fields=None):
        model = declare(meta_body, fields)
        made.append(model)
        return model

    yield make
    for model in made:
        apps.unregister_model(model)


def ids(messages):
    return [message.id for message in messages]


def test_index_names_as_django_checks_them(throwaway):
    model = throwaway(
        {"indexes": [models.Index(fields=["name"], name="_under"), models.Index(fields=["name"], name="1x")]}
    )
    assert ids(check_indexes(model)) == ["models.E033", "models.E033"]
    long_name = "x" * 31
    model = throwaway({"indexes": [models.Index(fields=["name"], name=long_name)]})
    messages = check_indexes(model)
    assert ids(messages) == ["models.E034"]
    assert messages[0].msg == f"The index name '{long_name}' cannot be longer than 30 characters."


def test_index_and_constraint_fields_must_exist_and_be_local(throwaway):
    model = throwaway(
        {
            "indexes": [models.Index(fields=["missing"], name="i1"), models.Index(Lower("gone"), name="i2")],
            "constraints": [
                models.UniqueConstraint(fields=["tags"], name="c1"),
                models.CheckConstraint(condition=Q(nothing__gt=1), name="c2"),
            ],
        }
    )
    messages = check_indexes(model) + check_constraints(model)
    assert [(m.id, m.msg) for m in messages] == [
        ("models.E012", "'indexes' refers to the nonexistent field 'missing'."),
        ("models.E012", "'indexes' refers to the nonexistent field 'gone'."),
        (
            "models.E013",
            "'constraints' refers to a ManyToManyField 'tags', but ManyToManyFields are not permitted in "
            "'constraints'.",
        ),
        ("models.E012", "'constraints' refers to the nonexistent field 'nothing'."),
    ]


def test_a_constraint_across_a_relation_is_refused(throwaway):
    model = throwaway(
        {"constraints": [models.CheckConstraint(condition=Q(parent__name="x"), name="joined")]},
        {"parent": models.ForeignKey("self", models.CASCADE, null=True)},
    )
    messages = check_constraints(model)
    assert [(m.id, m.msg) for m in messages] == [
        ("models.E041", "'constraints' refers to the joined field 'parent__name'.")
    ]
    fine = throwaway(
        {"constraints": [models.CheckConstraint(condition=Q(parent__isnull=False) | Q(parent_id__gt=0), name="ok")]},
        {"parent": models.ForeignKey("self", models.CASCADE, null=True)},
    )
    assert check_constraints(fine) == []


def test_what_the_database_cannot_make_is_warned_about_only_when_asked(throwaway):
    model = throwaway(
        {
            "indexes": [
                models.Index(Lower("name"), name="lower_idx"),
                models.Index(fields=["name"], name="p", condition=Q(name="a")),
            ],
            "constraints": [models.UniqueConstraint(fields=["name"], name="d", deferrable=models.Deferrable.DEFERRED)],
        }
    )
    assert check_indexes(model) == [] and check_constraints(model) == []
    features = relata.connection.features
    expected = []
    if not features.supports_partial_indexes:
        expected.append("models.W037")
    if not features.supports_expression_indexes:
        expected.append("models.W043")
    if not features.supports_deferrable_unique_constraints:
        expected.append("models.W038")
    assert ids(check_indexes(model, ["default"]) + check_constraints(model, ["default"])) == expected
    assert ids(checks.run_checks([model], databases=["default"])) == expected


def test_get_constraints_lists_what_the_database_holds():
    found = relata.connection.introspection.get_constraints(None, "m_index_checks_shelf")
    assert found["shelf_width_positive"]["check"] is True
    assert found["shelf_label_width_uniq"]["unique"] is True
    assert found["shelf_label_width_uniq"]["columns"] == ["label", "width"]
    assert found["shelf_width_idx"]["index"] is True and found["shelf_width_idx"]["columns"] == ["width"]
    assert any(entry["primary_key"] for entry in found.values())
