"""JSONArray and JSONObject on every backend: types kept, documents nested, keys as parameters."""

from __future__ import annotations

import pytest
from function_models import Dj, R, same

import oracle
from relata.models import F, Value
from relata.models.functions import JSONArray, JSONObject, Lower
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

use_models(R.Person, R.Number, R.Moment)
oracle.use_django_models(Dj.Person, Dj.Number, Dj.Moment)


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows, _django_clean_rows):
    for side in (R, Dj):
        side.Person.objects.create(id=1, name="Ann", alias="annie", bio="x" * 300, age=40)
        side.Person.objects.create(id=2, name="Bob", alias=None, age=None)


def built(side, **expressions):
    return list(side.Person.objects.annotate(**expressions).order_by("id").values_list(*expressions))


@pytest.mark.parametrize("key", ["name", "a key with spaces"])
def test_json_object_keys_travel_as_values(key):
    same(lambda side, fn: built(side, o=fn.JSONObject(**{key: "name", "age": "age", "alias": "alias"})))


def test_json_array_keeps_each_values_type():
    same(lambda side, fn: built(side, a=fn.JSONArray("name", "age", side.m.Value(1.5), side.m.Value(None))))
    same(lambda side, fn: built(side, a=fn.JSONArray(), o=fn.JSONObject()))


def test_nested_builders_are_documents_not_strings():
    same(
        lambda side, fn: built(
            side,
            o=fn.JSONObject(name=fn.Lower("name"), tags=fn.JSONArray("alias", fn.JSONObject(age="age"))),
        )
    )


def test_long_text_and_filtering_on_keys():
    row = R.Person.objects.annotate(o=JSONObject(bio=F("bio"))).get(id=1)
    assert row.o == {"bio": "x" * 300}
    same(
        lambda side, fn: list(
            side.Person.objects.annotate(o=fn.JSONObject(n="name")).filter(o__n="Bob").values_list("id", flat=True)
        )
    )


@pytest.mark.parametrize("descending", [False, True])
def test_order_by_a_key_of_a_built_object(descending):
    sign = "-" if descending else ""
    same(
        lambda side, fn: list(
            side.Person.objects.annotate(o=fn.JSONObject(n="name")).order_by(f"{sign}o__n").values_list("id", flat=True)
        )
    )
    same(
        lambda side, fn: list(
            side.Person.objects.annotate(a=fn.JSONArray("name")).order_by(f"{sign}a__0").values_list("id", flat=True)
        )
    )


def test_one_query():
    with assert_num_queries(1):
        rows = list(R.Person.objects.annotate(a=JSONArray(Lower("name"), Value("x"))).values_list("a", flat=True))
    assert rows == [["ann", "x"], ["bob", "x"]]
    assert JSONObject(a="name") != JSONObject(b="name")  # the keys are part of what the statement caches
