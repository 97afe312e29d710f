"""RawSQL expressions and QuerySet.extra(), compared with Django on the same rows, on every backend.

The SQL text is the caller's; every value given beside it reaches the database as a parameter.
"""

import pytest

import oracle
import relata
from relata import models
from relata.testing.pytest_plugin import use_models

dm = oracle.models


def declare(m, base):
    class Item(m.Model):
        name = m.CharField(max_length=20)
        size = m.IntegerField()

        class Meta(base):
            app_label = "q_rawsql"

    return Item


Item = declare(models, object)
DItem = declare(dm, oracle.Meta("q_rawsql"))
use_models(Item)
oracle.use_django_models(DItem)

ROWS = [("a%", 1), ("b", 2), ("c", 3), ("d", 4)]


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows, _django_clean_rows):
    for model in (Item, DItem):
        for name, size in ROWS:
            model.objects.create(name=name, size=size)


def raw(m):
    """RawSQL: relata.models has it; Django keeps it in models.expressions."""
    if hasattr(m, "RawSQL"):
        return m.RawSQL
    from django.db.models.expressions import RawSQL

    return RawSQL


def q(text, model):
    """`text` with {t} for the model's table and {c(name)} for a quoted column, as each side's database spells them."""
    connection = relata.connection if model is Item else __import__("django.db").db.connections[model.objects.db]
    ops = connection.ops
    return text.format(t=ops.quote_name(model._meta.db_table), size=ops.quote_name("size"), name=ops.quote_name("name"))


CASES = {
    "annotate_subquery": lambda M, m: list(
        M.objects.annotate(top=raw(m)(q("SELECT MAX({size}) FROM {t} WHERE {size} < %s", M), [3]))
        .order_by("size")
        .values_list("name", "top")
    ),
    "filter_condition": lambda M, m: sorted(
        M.objects.filter(raw(m)(q("{size} > %s", M), [2], output_field=m.BooleanField())).values_list("name", flat=True)
    ),
    "order_by_raw": lambda M, m: list(
        M.objects.order_by(raw(m)(q("{size} * %s", M), [-1])).values_list("size", flat=True)
    ),
    "percent_literal": lambda M, m: sorted(
        M.objects.filter(raw(m)(q("{name} LIKE %s", M), ["a%%"], output_field=m.BooleanField())).values_list(
            "name", flat=True
        )
    ),
    "extra_select_where_order": lambda M, m: list(
        M.objects.extra(
            select={"double": q("{size} * %s", M)},
            select_params=[2],
            where=[q("{size} >= %s", M), q("{size} <= %s", M)],
            params=[2, 3],
            order_by=["-double"],
        ).values_list("name", "double")
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_same_answers_as_django(case):
    assert CASES[case](Item, models) == CASES[case](DItem, oracle.models)


def test_a_value_never_becomes_sql():
    evil = "x' OR '1'='1"
    found = Item.objects.filter(models.RawSQL(q("{name} = %s", Item), [evil], output_field=models.BooleanField()))
    assert list(found) == []
    assert Item.objects.count() == 4


def test_miscounted_params_are_refused():
    with pytest.raises(ValueError, match="params"):
        Item.objects.extra(where=[q("{size} = %s", Item)], params=[1, 2])
    with pytest.raises(ValueError, match="more %s than"):
        list(Item.objects.annotate(x=models.RawSQL("%s + %s", [1])))


def test_extra_tables_is_refused_with_the_alternative():
    with pytest.raises(NotImplementedError, match="raw"):
        Item.objects.extra(tables=["other"])


def test_distinct_params_compile_distinct_statements():
    def count_above(value):
        return Item.objects.filter(
            models.RawSQL(q("{size} > %s", Item), [value], output_field=models.BooleanField())
        ).count()

    assert [count_above(v) for v in (0, 2, 3)] == [4, 2, 1]
