"""Math functions on every backend, compared with Django where the databases agree.

Shapes that take a value (a precision, an exponent) run with two values, so a
cached compilation that kept the first call's value would show.
"""

from __future__ import annotations

import decimal
import math

import pytest
from function_models import Dj, R, same

import oracle
from relata import connection
from relata.exceptions import FieldError
from relata.models import F
from relata.models.functions import Abs, Ceil, Pi, Random, Round
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

D = decimal.Decimal

use_models(R.Person, R.Number, R.Moment)
oracle.use_django_models(Dj.Person, Dj.Number, Dj.Moment)

for _side in (R, Dj):
    from function_models import functions as _functions

    _side.Amount.register_lookup(_functions(_side).Abs)
    _side.Amount.register_lookup(_functions(_side).Round)


def load(side):
    # No value is a tie at the precisions rounded to: MySQL rounds floats half to even, others away from 0.
    side.Number.objects.create(id=1, integer=-7, big=12, real=2.56, amount=D("-3.125"))
    side.Number.objects.create(id=2, integer=4, big=-3, real=-0.75, amount=D("0.500"))
    side.Number.objects.create(id=3)


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows, _django_clean_rows):
    load(R)
    load(Dj)


def annotated(side, **expressions):
    rows = side.Number.objects.annotate(**expressions).order_by("id")
    return [tuple(getattr(row, name) for name in expressions) for row in rows]


ONE_ARGUMENT = ["Abs", "Ceil", "Floor", "Sign", "Degrees", "Radians", "Exp", "Sin", "Cos", "Tan", "ATan"]


@pytest.mark.parametrize("name", ONE_ARGUMENT)
def test_one_argument_functions_over_each_numeric_type(name):
    same(lambda side, fn: annotated(side, i=getattr(fn, name)("integer"), r=getattr(fn, name)("real")))
    same(lambda side, fn: annotated(side, a=getattr(fn, name)("amount"), b=getattr(fn, name)("big")))


@pytest.mark.parametrize("name", ["ACos", "ASin", "Sqrt", "Ln", "Cot"])
def test_functions_with_a_domain_over_values_inside_it(name):
    def case(side, fn):
        rows = side.Number.objects.filter(id=2) if name in ("ACos", "ASin") else side.Number.objects.filter(id=1)
        column = "real" if name in ("ACos", "ASin", "Sqrt", "Ln") else "integer"
        return list(rows.annotate(value=getattr(fn, name)(column)).values_list("value", flat=True))

    same(case)


def test_output_types_follow_django():
    row = R.Number.objects.annotate(
        ceil_real=Ceil("real"),
        round_int=Round("integer"),
        round_amount=Round("amount", 1),
        abs_amount=Abs("amount"),
    ).get(id=1)
    assert isinstance(row.ceil_real, float) and row.ceil_real == 3.0
    assert isinstance(row.round_int, int) and row.round_int == -7
    assert row.round_amount == D("-3.1") and isinstance(row.round_amount, D)
    assert row.abs_amount == D("3.125")
    from relata.models.functions import ACos, Degrees, Mod, Power

    row = R.Number.objects.annotate(
        acos=ACos(F("integer") / F("integer")),
        degrees_amount=Degrees("amount"),
        mod=Mod("integer", 3),
        power=Power("integer", 2),
    ).get(id=2)
    assert row.acos == 0.0 and isinstance(row.acos, float)
    assert isinstance(row.degrees_amount, D)
    assert row.mod == 1.0 and isinstance(row.mod, float)
    assert row.power == 16.0 and isinstance(row.power, float)


@pytest.mark.parametrize("precision", [0, 1, 2])
def test_round_carries_its_precision(precision):
    same(lambda side, fn: annotated(side, r=fn.Round("real", precision), a=fn.Round("amount", precision)))


@pytest.mark.parametrize("exponent", [2, 3])
def test_power_mod_log_atan2_carry_their_values(exponent):
    same(
        lambda side, fn: annotated(
            side,
            p=fn.Power("integer", exponent),
            m=fn.Mod("big", exponent),
            lg=fn.Log(exponent, fn.Abs("big")),
            at=fn.ATan2("integer", exponent),
        )
    )


def test_negative_precision_rounds_to_tens_where_the_database_can():
    if not connection.features.supports_negative_round_precision:
        with pytest.raises(ValueError, match="does not support negative precision"):
            list(R.Number.objects.annotate(r=Round("integer", -1)))
        error = oracle.error_of(list, Dj.Number.objects.annotate(r=functions_dj().Round("integer", -1)))
        assert "negative precision" in str(error)
        return
    rows = R.Number.objects.annotate(r=Round("integer", -1), b=Round("big", -1)).filter(id=1).get()
    assert (rows.r, rows.b) == (-10, 10)


def functions_dj():
    from django.db.models import functions

    return functions


def test_pi_and_random():
    row = R.Number.objects.annotate(pi=Pi(), rnd=Random()).get(id=1)
    assert row.pi == pytest.approx(math.pi)
    assert isinstance(row.rnd, float) and 0 <= row.rnd < 1
    draws = set(R.Number.objects.annotate(rnd=Random()).values_list("rnd", flat=True))
    assert len(draws) == 3  # one draw per row


def test_null_in_null_out():
    same(
        lambda side, fn: list(
            side.Number.objects.filter(id=3)
            .annotate(a=fn.Abs("integer"), p=fn.Power("real", 2), r=fn.Round("amount", 1), s=fn.Sqrt("real"))
            .values_list("a", "p", "r", "s")
        )
    )


@pytest.mark.parametrize("bound", [1, 3])
def test_registered_transforms_filter_order_and_chain(bound):
    same(lambda side, fn: sorted(side.Number.objects.filter(amount__abs__gt=bound).values_list("id", flat=True)))
    same(lambda side, fn: list(side.Number.objects.filter(amount__round__lt=-bound).values_list("id", flat=True)))
    same(
        lambda side, fn: list(
            side.Number.objects.order_by(fn.Abs("integer").desc(nulls_last=True), "id").values_list("id", flat=True)
        )
    )


def test_filter_annotate_values_and_update_with_functions():
    same(lambda side, fn: list(side.Number.objects.filter(real__lt=fn.Abs("integer")).values_list("id", flat=True)))
    same(
        lambda side, fn: list(
            side.Number.objects.annotate(c=fn.Ceil("real")).filter(c__gte=0).values("id", "c").order_by("id")
        )
    )

    def update(side, fn):
        count = side.Number.objects.filter(real__isnull=False).update(real=fn.Round(F_of(side)("real") * 2, 0))
        return count, list(side.Number.objects.order_by("id").values_list("real", flat=True))

    same(update)


def F_of(side):
    return side.m.F


def test_one_query_per_annotated_read():
    with assert_num_queries(1):
        list(R.Number.objects.annotate(a=Abs("integer"), r=Round("real", 1)))


def test_mixed_argument_types_need_an_output_field():
    from relata.models.functions import Greatest

    with pytest.raises(FieldError, match="mixed types: IntegerField, FloatField"):
        list(R.Number.objects.annotate(g=Greatest("integer", "real")))
    rows = R.Number.objects.annotate(g=Greatest("integer", "real", output_field=R.m.FloatField())).filter(id=1)
    assert rows.get().g == 2.56


def test_arity_is_checked_in_djangos_words():
    with pytest.raises(TypeError, match=r"'Abs' takes exactly 1 argument \(2 given\)"):
        Abs("integer", "real")
    from relata.models.functions import Power

    with pytest.raises(TypeError, match=r"'Power' takes exactly 2 arguments \(1 given\)"):
        Power("integer")
