"""Q objects as values: combining, equality, hashing and deconstruct() compared with Django's Q."""

import pytest

import oracle
from relata import models

dm = oracle.models


def plain(value, m):
    """A Q's deconstructed parts as plain data (F() as its name), comparable across the two ORMs."""
    if isinstance(value, m.F):
        return ("F", value.name)
    if isinstance(value, m.Q):
        return ("Q", plain(value.deconstruct()[1:], m))
    if isinstance(value, tuple | list):
        return tuple(plain(item, m) for item in value)
    if isinstance(value, dict):
        return {key: plain(item, m) for key, item in value.items()}
    return value


BUILDS = {
    "one": lambda Q, F: Q(price__gt=F("cost")),
    "negated": lambda Q, F: ~Q(price__gt=F("cost")),
    "and": lambda Q, F: Q(price__gt=F("cost")) & Q(price=1),
    "or": lambda Q, F: Q(price__gt=F("cost")) | Q(price=1),
    "xor": lambda Q, F: Q(price__gt=F("cost")) ^ Q(price=1),
    "and_of_three": lambda Q, F: Q(a=1) & Q(b=2) & Q(c=3),
    "or_inside_and": lambda Q, F: (Q(a=1) | Q(b=2)) & Q(c=3),
    "negated_inside_and": lambda Q, F: ~Q(a=1) & Q(b=2),
    "several_kwargs": lambda Q, F: Q(b=2, a=1),
    "and_with_empty": lambda Q, F: Q(a=1) & Q(),
    "empty_or": lambda Q, F: Q() | Q(a=1),
    "tuple_child": lambda Q, F: Q(("pk__in", (1, 2))),
}


@pytest.mark.parametrize("build", list(BUILDS))
def test_deconstruct_as_django(build):
    ours = BUILDS[build](models.Q, models.F).deconstruct()
    theirs = BUILDS[build](dm.Q, dm.F).deconstruct()
    assert plain(ours[1:], models) == plain(theirs[1:], dm)


@pytest.mark.parametrize("build", list(BUILDS))
def test_deconstruct_rebuilds_an_equal_q(build):
    q = BUILDS[build](models.Q, models.F)
    _path, args, kwargs = q.deconstruct()
    assert models.Q(*args, **kwargs) == q
    assert hash(models.Q(*args, **kwargs)) == hash(q)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (lambda Q: Q(("pk__in", (1, 2))), lambda Q: Q(pk__in=[1, 2])),
        (lambda Q: Q(pk__in=[1, 2]), lambda Q: Q(("pk__in", {1: "a", 2: "b"}.keys()))),
        (lambda Q: Q(a=1, b=2), lambda Q: Q(b=2, a=1)),
        (lambda Q: Q(a=1), lambda Q: Q(a=2)),
        (lambda Q: Q(a=1) & Q(b=2), lambda Q: Q(a=1) | Q(b=2)),
        (lambda Q: Q(a=1), lambda Q: ~Q(a=1)),
    ],
)
def test_equality_and_hash_as_django(left, right):
    theirs = left(dm.Q) == right(dm.Q)
    assert (left(models.Q) == right(models.Q)) is theirs
    if theirs:
        assert hash(left(models.Q)) == hash(right(models.Q))


def test_an_unknown_connector_is_refused():
    theirs = oracle.error_of(lambda: dm.Q(_connector="evil"))
    ours = oracle.error_of(lambda: models.Q(_connector="evil"))
    assert type(ours) is type(theirs) is ValueError
    assert (models.Q.AND, models.Q.OR, models.Q.XOR) == (dm.Q.AND, dm.Q.OR, dm.Q.XOR)
