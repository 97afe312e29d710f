"""The models the database function tests share, each with its Django twin (tests/oracle.py).

`R` holds relata's models and `Dj` Django's; `same(case)` runs a case on both
sides and compares the answers. A custom field class on each side carries the
transforms a test registers, so registering never leaks into other tests.
"""

from __future__ import annotations

import decimal
import math
from typing import Any

import oracle
from relata import models

APP = "q_functions"


def define(m: Any, base: Any) -> tuple[Any, ...]:
    class Name(m.CharField):
        """A CharField whose class the text tests register transforms on."""

    class Amount(m.DecimalField):
        """A DecimalField whose class the math tests register transforms on."""

    class Person(m.Model):
        name = Name(max_length=50)
        alias = m.CharField(max_length=50, null=True)
        bio = m.TextField(null=True)
        age = m.IntegerField(null=True)

        class Meta(base):
            app_label = APP

    class Number(m.Model):
        integer = m.IntegerField(null=True)
        big = m.BigIntegerField(null=True)
        real = m.FloatField(null=True)
        amount = Amount(max_digits=9, decimal_places=3, null=True)

        class Meta(base):
            app_label = APP

    class Moment(m.Model):
        label = m.CharField(max_length=20)
        at = m.DateTimeField(null=True)
        day = m.DateField(null=True)
        clock = m.TimeField(null=True)
        spent = m.DurationField(null=True)

        class Meta(base):
            app_label = APP

    return Name, Amount, Person, Number, Moment


class R:
    m = models
    Name, Amount, Person, Number, Moment = define(models, object)


class Dj:
    m = oracle.models
    Name, Amount, Person, Number, Moment = define(oracle.models, oracle.Meta(APP))


def functions(side: Any) -> Any:
    """That side's functions module."""
    if side is R:
        from relata.models import functions as relata_functions

        return relata_functions
    from django.db.models import functions as django_functions

    return django_functions


def plain(value: Any) -> Any:
    """A value compared across databases: floats and decimals to 9 places (SQLite computes decimals in
    floating point, PostgreSQL in numeric), rows as tuples."""
    if isinstance(value, float):
        return round(value, 9) if math.isfinite(value) else value
    if isinstance(value, decimal.Decimal):
        return round(value, 9).normalize() if value.is_finite() else value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    return value


def same(case: Any) -> Any:
    """Run `case(side, functions)` on relata and on Django; they must give the same answer (returned)."""
    ours = plain(case(R, functions(R)))
    theirs = plain(case(Dj, functions(Dj)))
    assert ours == theirs
    return ours
