"""A `%` in a name, an operator or a DDL literal means itself on every backend.

psycopg and the MySQL drivers read `%` as a placeholder when parameters are
sent and leave it alone when none are: whether a statement has parameters must
never change what a table name, a column name, an alias, the modulo operator or
a CHECK literal says.
"""

from dataclasses import replace

import pytest

import oracle
import relata
from relata import exceptions, models
from relata.models import F, Q, Sum
from relata.models.schema import table_spec
from relata.testing import CaptureQueries
from relata.testing.pytest_plugin import use_models

dm = oracle.models

#: Values the CHECK constraint names: each must be stored as written, and nothing else.
KNOWN = ["100%%", "5%", "x%s"]


class Rate(models.Model):
    label = models.CharField(max_length=20, db_column="label%s")
    pct = models.IntegerField(null=True, db_column="pct%")

    class Meta:
        app_label = "b_percent"
        db_table = "b_percent_rate%d"
        constraints = [models.CheckConstraint(condition=Q(label__in=KNOWN), name="b_percent_known%")]


class dj:
    class Rate(dm.Model):
        label = dm.CharField(max_length=20)
        pct = dm.IntegerField(null=True)

        class Meta(oracle.Meta("b_percent")):
            pass


use_models(Rate)
oracle.use_django_models(dj.Rate)


def test_names_with_percent_work_with_and_without_parameters():
    Rate.objects.bulk_create([Rate(label="100%%", pct=7), Rate(label="5%", pct=None)])
    Rate.objects.create(label="x%s", pct=3)
    assert Rate.objects.count() == 3  # no parameters
    assert Rate.objects.get(label="5%").pct is None  # with parameters
    assert Rate.objects.filter(pct__gt=1).update(pct=F("pct") + 1) == 2
    assert list(Rate.objects.filter(pct__gt=0).order_by("-pct").values_list("label", "pct")) == [
        ("100%%", 8),
        ("x%s", 4),
    ]
    annotated = Rate.objects.filter(pct__isnull=False).annotate(**{"share%": F("pct") * 2}).order_by("share%")
    assert [row["share%"] for row in annotated.values("share%")] == [8, 16]
    assert Rate.objects.aggregate(**{"total%s": Sum("pct")}) == {"total%s": 12}
    obj, created = Rate.objects.get_or_create(label="x%s", defaults={"pct": 1})
    assert not created and obj.pct == 4
    assert Rate.objects.filter(pct=None).delete()[0] == 1


@pytest.mark.parametrize("label", KNOWN)
def test_check_literal_with_percent_accepts_what_it_names(label):
    Rate.objects.create(label=label)
    assert list(Rate.objects.values_list("label", flat=True)) == [label]


@pytest.mark.parametrize("label", ["100%", "5%%", "x%%s", "x"])
def test_check_literal_with_percent_refuses_what_it_does_not_name(label):
    with pytest.raises(exceptions.IntegrityError):
        Rate.objects.create(label=label)


def test_modulo_operator_gives_djangos_answer():
    for pct in (7, 9, 10):
        Rate.objects.create(label="5%", pct=pct)
        dj.Rate.objects.create(label="5%", pct=pct)
    ours = sorted(Rate.objects.annotate(m=F("pct") % 3).values_list("pct", "m"))
    theirs = sorted(dj.Rate.objects.annotate(m=dm.F("pct") % 3).values_list("pct", "m"))
    assert ours == theirs
    assert Rate.objects.filter(pct__gt=0).annotate(m=F("pct") % 3).filter(m=1).count() == 2


def test_altering_to_not_null_fills_nulls_of_a_percent_named_column():
    Rate.objects.create(label="5%", pct=None)
    connection = relata.connection
    old = table_spec(Rate, connection)
    new = replace(old, columns=tuple(replace(c, null=False) if c.name == "pct%" else c for c in old.columns))
    same_names = {column.name: column.name for column in old.columns}
    with CaptureQueries() as captured, connection.schema_editor() as editor:
        editor.alter_table(old, new, same_names, {"pct%": 42})
    try:
        assert list(Rate.objects.values_list("pct", flat=True)) == [42]
        assert any(query.params for query in captured.queries)  # the default travelled as a parameter
    finally:
        with connection.schema_editor() as editor:
            editor.alter_table(new, old, same_names)
