"""Comparison functions on every backend: Coalesce, Greatest, Least, NullIf, Cast, Collate."""

from __future__ import annotations

import datetime
import decimal

import pytest
from function_models import Dj, R, same

import oracle
from relata import connection
from relata.exceptions import FieldError
from relata.models import Value
from relata.models.functions import Coalesce, Collate, Greatest, Least, NullIf
from relata.testing.pytest_plugin import use_models

D = decimal.Decimal

use_models(R.Person, R.Number, R.Moment)
oracle.use_django_models(Dj.Person, Dj.Number, Dj.Moment)


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows, _django_clean_rows):
    for side in (R, Dj):
        side.Person.objects.create(id=1, name="Ann", alias="annie", age=40)
        side.Person.objects.create(id=2, name="bob", alias=None, age=None)
        side.Person.objects.create(id=3, name="Cy", alias="", age=20)
        side.Number.objects.create(id=1, integer=5, big=9, real=1.5, amount=D("2.250"))
        side.Number.objects.create(id=2, integer=-1, big=-4, real=None, amount=D("7.000"))


@pytest.mark.parametrize("fallback", ["nobody", "?"])
def test_coalesce_carries_its_fallback(fallback):
    same(
        lambda side, fn: list(
            side.Person.objects.annotate(a=fn.Coalesce("alias", side.m.Value(fallback)))
            .order_by("id")
            .values_list("a", flat=True)
        )
    )


def test_nullif_and_coalesce_together():
    same(
        lambda side, fn: list(
            side.Person.objects.annotate(a=fn.NullIf("alias", side.m.Value("")))
            .order_by("id")
            .values_list("a", flat=True)
        )
    )
    same(
        lambda side, fn: list(
            side.Person.objects.annotate(a=fn.Coalesce(fn.NullIf("alias", side.m.Value("")), side.m.Value("-")))
            .order_by("id")
            .values_list("a", flat=True)
        )
    )
    with pytest.raises(TypeError, match=r"'NullIf' takes exactly 2 arguments \(1 given\)"):
        NullIf("alias")


@pytest.mark.parametrize("bound", [3, 8])
def test_greatest_and_least_of_columns_and_values(bound):
    same(
        lambda side, fn: list(
            side.Number.objects.annotate(
                g=fn.Greatest("integer", fn.Abs("integer"), bound), l=fn.Least("big", fn.Abs("big"), bound)
            )
            .order_by("id")
            .values_list("g", "l")
        )
    )
    # A decimal result compares with a decimal value as a number (SQLite: CAST(... AS NUMERIC)).
    same(
        lambda side, fn: list(
            side.Number.objects.filter(amount__lt=fn.Greatest("amount", D(bound))).values_list("id", flat=True)
        )
    )
    same(
        lambda side, fn: list(
            side.Number.objects.annotate(g=fn.Greatest("amount", D(bound)))
            .filter(g__gt=D("7.5"))
            .values_list("id", flat=True)
        )
    )


def test_greatest_with_a_null_follows_the_database():
    value = Number_value(Greatest("real", Value(0.5)), 2)
    # PostgreSQL leaves NULLs out; SQLite and MySQL answer NULL, as Django documents.
    assert value == (0.5 if connection.vendor == "postgresql" else None)
    assert Number_value(Least("real", Value(9.0)), 1) == 1.5


def Number_value(expression, ident):
    return R.Number.objects.annotate(v=expression).get(id=ident).v


def test_coalesce_and_greatest_refuse_too_few_arguments():
    for function in (Coalesce, Greatest, Least):
        with pytest.raises(ValueError, match=f"{function.__name__} must take at least two expressions"):
            function("integer")


def test_mixed_types_need_output_field_as_in_django():
    error = oracle.error_of(list, Dj.Number.objects.annotate(c=fn_dj().Coalesce("integer", "amount")))
    with pytest.raises(FieldError, match="mixed types: IntegerField, Amount"):
        list(R.Number.objects.annotate(c=Coalesce("integer", "amount")))
    assert "mixed types: IntegerField, Amount" in str(error)


def fn_dj():
    from django.db.models import functions

    return functions


@pytest.mark.parametrize("day", [datetime.date(2024, 2, 29), datetime.date(1999, 12, 31)])
def test_cast_values_and_columns(day):
    same(
        lambda side, fn: list(
            side.Person.objects.filter(id=1).annotate(d=fn.Cast(day, side.m.DateField())).values_list("d", flat=True)
        )
    )
    same(
        lambda side, fn: list(
            side.Number.objects.annotate(
                t=fn.Cast("integer", side.m.CharField(max_length=10)), f=fn.Cast("integer", side.m.FloatField())
            )
            .order_by("id")
            .values_list("t", "f")
        )
    )


def test_collate_orders_and_compares_by_the_named_collation():
    collations = connection.features.test_collations
    ci = collations.get("ci")
    if ci is None:
        pytest.skip(f"{connection.display_name} has no case-insensitive collation listed")
    names = list(R.Person.objects.order_by(Collate("name", ci)).values_list("name", flat=True))
    assert names == ["Ann", "bob", "Cy"]
    assert list(R.Person.objects.filter(name=Collate(Value("ANN"), ci)).values_list("id", flat=True)) == [1]


@pytest.mark.parametrize("name", [None, "", 'x" OR ', '"schema"."c"'])
def test_collate_refuses_names_that_are_not_plain(name):
    with pytest.raises(ValueError, match="Invalid collation name"):
        Collate("name", name)
