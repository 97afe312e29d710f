"""When() refuses what cannot be a condition when it is built, with the exception Django raises."""

import pytest

import oracle
from relata import models

dm = oracle.models

CASES = {
    "no_condition": lambda m: m.When(),
    "plain_object": lambda m: m.When(condition=object()),
    "non_boolean_expression": lambda m: m.When(condition=m.Value(1)),
    "expression_beside_lookups": lambda m: m.When(m.Value(1), string="1"),
    "empty_q": lambda m: m.When(m.Q(), then=m.Value(True)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_refused_as_django_refuses(case):
    theirs = oracle.error_of(CASES[case], dm)
    ours = oracle.error_of(CASES[case], models)
    assert type(ours).__name__ == type(theirs).__name__
    assert str(theirs).rstrip(".") in str(ours)


@pytest.mark.parametrize(
    "build",
    [
        lambda m: m.When(m.Q(a=1), then=1),
        lambda m: m.When(a=1, then=1),
        lambda m: m.When(m.Q(a=1), b=2, then=1),
        lambda m: m.When(m.ExpressionWrapper(m.Q(a=1), output_field=m.BooleanField()), then=1),
    ],
)
def test_valid_conditions_are_taken(build):
    """(A lookup object as the condition is taken too: see test_a_lookup_is_a_condition.)"""
    build(dm)
    build(models)


def test_a_lookup_is_a_condition():
    from django.db.models.lookups import GreaterThan as DjangoGreaterThan

    from relata.models.lookups import GreaterThan

    dm.When(DjangoGreaterThan(dm.F("a"), 1), then=1)
    models.When(GreaterThan(models.F("a"), 1), then=1)
