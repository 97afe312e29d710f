"""A combined expression's output field before any query: what its operands' known fields combine to, as Django."""

from decimal import Decimal

import pytest

import oracle
from relata import models
from relata.models.expressions import CombinedExpression, Expression

dm = oracle.models

FIELDS = ["IntegerField", "AutoField", "DecimalField", "FloatField", "PositiveIntegerField", "DurationField"]
FIELDS += ["DateField", "DateTimeField", "TimeField", "CharField"]
CONNECTORS = ["+", "-", "*", "/", "%"]
#: Django spells modulo "%%" (its SQL template's escape); relata "%".
DJANGO_CONNECTOR = {"%": "%%"}


def combined(m, lhs, connector, rhs):
    """`Expression(lhs()) <connector> Expression(rhs())`: the output field's class name, or the error's."""
    from django.db.models.expressions import CombinedExpression as DCombined
    from django.db.models.expressions import Expression as DExpression

    combine, wrap = (CombinedExpression, Expression) if m is models else (DCombined, DExpression)
    if m is not models:
        connector = DJANGO_CONNECTOR.get(connector, connector)
    try:
        return type(combine(wrap(getattr(m, lhs)()), connector, wrap(getattr(m, rhs)())).output_field).__name__
    except Exception as error:  # each side's own FieldError
        return type(error).__name__


@pytest.mark.parametrize("connector", CONNECTORS)
@pytest.mark.parametrize("lhs", FIELDS)
def test_field_with_field_as_django(lhs, connector):
    for rhs in FIELDS:
        assert combined(models, lhs, connector, rhs) == combined(dm, lhs, connector, rhs), (lhs, connector, rhs)


@pytest.mark.parametrize("values", [(3.5, None), (None, 42), (Decimal("3.14"), None), (2, 3), (2, 1.5)])
@pytest.mark.parametrize("connector", CONNECTORS)
def test_values_as_django(values, connector):
    ours = CombinedExpression(models.Value(values[0]), connector, models.Value(values[1])).output_field
    theirs = (
        __import__("django.db.models.expressions")
        .db.models.expressions.CombinedExpression(
            dm.Value(values[0]), DJANGO_CONNECTOR.get(connector, connector), dm.Value(values[1])
        )
        .output_field
    )
    assert type(ours).__name__ == type(theirs).__name__


def test_an_operand_only_the_query_knows_leaves_it_open():
    assert (models.F("pages") + 1).output_field is None
    assert (models.F("pages") + models.Value(1, output_field=models.FloatField())).output_field is None
