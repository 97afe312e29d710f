"""JSONField queries: key transforms, key lookups, has_key(s), contains, values() and order_by() on keys.

Each case runs on relata and on Django (SQLite) with the same rows and compares the
names matched. Where a database answers differently by design (jsonb ordering on
PostgreSQL, no JSON containment on SQLite), the expected names are spelled out.
"""

import pytest

import oracle
import relata
from relata import exceptions, models
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Dog(models.Model):
    name = models.CharField(max_length=20)
    data = models.JSONField(null=True)

    class Meta:
        app_label = "q_json"


class dj:
    class Dog(dm.Model):
        name = dm.CharField(max_length=20)
        data = dm.JSONField(null=True)

        class Meta(oracle.Meta("q_json")):
            pass


use_models(Dog)
oracle.use_django_models(dj.Dog)

ROWS = [
    ("a", {"owner": {"name": "Bob", "age": 40}, "n": 10, "items": [1, {"k": "v"}], "s": "abc", "t": True}),
    ("b", {"owner": None, "n": 9, "s": "abd", "items": [], "t": False}),
    ("c", {"n": "10", "s": "xyz", "weird key": 1}),
    ("d", None),
    ("e", [1, 2]),
    ("f", {"n": 3, "s": "ABC", "owner": {"name": "Al"}}),
]


@pytest.fixture
def dogs():
    for name, data in ROWS:
        Dog.objects.create(name=name, data=data)
        dj.Dog.objects.create(name=name, data=data)


def names(qs):
    return sorted(qs.values_list("name", flat=True))


def vendor():
    return relata.connection.vendor


SAME_EVERYWHERE = [
    {"data__owner__name": "Bob"},
    {"data__owner__name": "bob"},
    {"data__owner": None},
    {"data__owner__isnull": True},
    {"data__owner__isnull": False},
    {"data__owner__name__isnull": False},
    {"data__n": 10},
    {"data__n": "10"},
    {"data__t": True},
    {"data__t": False},
    {"data__t": 1},
    {"data__items__0": 1},
    {"data__items__1__k": "v"},
    {"data__items__1": {"k": "v"}},
    {"data__owner": {"name": "Al"}},
    {"data__0": 1},
    {"data__weird key": 1},
    {"data__n__in": [9, "10"]},
    {"data__owner__age__lt": 41},
    {"data__owner__age__lte": 39},
    {"data__owner__age__gte": 40},
    {"data__s__icontains": "AB"},
    {"data__s__iexact": "abc"},
    {"data__s__istartswith": "AB"},
    {"data__s__endswith": "d"},
    {"data__s__iendswith": "C"},
    {"data__s__regex": "^a"},
    {"data__s__iregex": "^A"},
    {"data__owner__name__startswith": "B"},
    {"data__has_key": "owner"},
    {"data__has_key": "weird key"},
    {"data__has_keys": ["n", "s"]},
    {"data__has_keys": ["owner", "t"]},
    {"data__has_any_keys": ["t", "weird key"]},
    {"data__owner__has_key": "age"},
    {"data__items__1__has_key": "k"},
    {"data__isnull": True},
    {"data__icontains": "bob"},
]


@pytest.mark.parametrize("lookup", SAME_EVERYWHERE, ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()))
def test_key_lookups_match_django(dogs, lookup):
    assert names(Dog.objects.filter(**lookup)) == names(dj.Dog.objects.filter(**lookup))


def test_a_key_lookup_is_valid_at_filter_time_and_composes_with_q(dogs):
    qs = Dog.objects.filter(models.Q(data__owner__name="Bob") | models.Q(data__n=3)).exclude(data__s="xyz")
    djqs = dj.Dog.objects.filter(dm.Q(data__owner__name="Bob") | dm.Q(data__n=3)).exclude(data__s="xyz")
    assert names(qs) == names(djqs) == ["a", "f"]


def test_exclude_on_a_key_matches_django(dogs):
    assert names(Dog.objects.exclude(data__n=10)) == names(dj.Dog.objects.exclude(data__n=10))


def test_values_of_keys_are_decoded(dogs):
    fields = ("name", "data__owner", "data__owner__name", "data__items__1", "data__t", "data__s")
    expected = list(dj.Dog.objects.order_by("name").values_list(*fields))
    assert list(Dog.objects.order_by("name").values_list(*fields)) == expected
    assert Dog.objects.filter(name="a").values("data__owner")[0] == {"data__owner": {"name": "Bob", "age": 40}}


def test_values_of_a_numeric_string_stay_a_string(dogs):
    # Django on SQLite decodes "10" to 10 here; relata keeps the JSON string a string everywhere.
    assert Dog.objects.get(name="c") and Dog.objects.filter(name="c").values_list("data__n", flat=True)[0] == "10"


def test_order_by_a_numeric_key(dogs):
    rows = Dog.objects.filter(data__n__in=[3, 9, 10]).order_by("data__n")
    assert list(rows.values_list("name", flat=True)) == ["f", "b", "a"]
    assert list(rows.order_by("-data__n").values_list("name", flat=True)) == ["a", "b", "f"]
    djrows = dj.Dog.objects.filter(data__n__in=[3, 9, 10]).order_by("data__n")
    assert list(djrows.values_list("name", flat=True)) == ["f", "b", "a"]


def test_order_by_a_text_key(dogs):
    qs = Dog.objects.filter(data__s__in=["abc", "abd", "xyz"]).order_by("-data__s")
    assert list(qs.values_list("name", flat=True)) == ["c", "b", "a"]


def test_comparisons_on_mixed_types_follow_the_database(dogs):
    # SQLite sorts text above numbers (as Django there), jsonb strings below numbers; MySQL reads "10" as 10.
    expected = {"sqlite": ["a", "b", "c", "f"], "postgresql": ["a", "b", "f"], "mysql": ["a", "b", "c", "f"]}[vendor()]
    assert names(Dog.objects.filter(data__n__gt=2)) == expected
    if vendor() == "sqlite":
        assert expected == names(dj.Dog.objects.filter(data__n__gt=2))
    below = {"sqlite": ["b", "f"], "postgresql": ["b", "c", "f"], "mysql": ["b", "f"]}[vendor()]
    assert names(Dog.objects.filter(data__n__lt=10)) == below
    range_expected = {"sqlite": ["a", "b"], "postgresql": ["a", "b"], "mysql": ["a", "b", "c"]}[vendor()]
    assert names(Dog.objects.filter(data__n__range=(4, 20))) == range_expected


def test_contains_and_contained_by(dogs):
    if not relata.connection.features.supports_json_field_contains:
        pytest.skip("covered by test_contains_is_refused_where_django_refuses_it")
    assert names(Dog.objects.filter(data__contains={"n": 10})) == ["a"]
    assert names(Dog.objects.filter(data__contains={"owner": {"name": "Al"}})) == ["f"]
    assert names(Dog.objects.filter(data__items__contains=[1])) == ["a"]
    assert names(Dog.objects.filter(data__owner__contains={"name": "Bob"})) == ["a"]
    assert names(Dog.objects.filter(data__contained_by={"n": 3, "s": "ABC", "owner": {"name": "Al"}, "x": 1})) == ["f"]
    assert names(Dog.objects.filter(data__items__contained_by=[1, {"k": "v"}, 2])) == ["a", "b"]


@pytest.mark.parametrize("lookup", ["contains", "contained_by"])
def test_contains_is_refused_where_django_refuses_it(dogs, lookup):
    if relata.connection.features.supports_json_field_contains:
        pytest.skip("this database has JSON containment")
    qs = Dog.objects.filter(**{f"data__{lookup}": {"n": 10}})
    with pytest.raises(exceptions.NotSupportedError) as error:
        list(qs)
    django_error = oracle.error_of(list, dj.Dog.objects.filter(**{f"data__{lookup}": {"n": 10}}))
    assert str(error.value) == str(django_error) == f"{lookup} lookup is not supported on this database backend."


@pytest.mark.parametrize("lookup", ["has_keys", "has_any_keys"])
def test_an_empty_key_list_is_refused(dogs, lookup):
    with pytest.raises(ValueError, match=f"The '{lookup}' lookup needs at least one key"):
        list(Dog.objects.filter(**{f"data__{lookup}": []}))


def test_none_on_the_field_matches_json_null_not_sql_null(dogs):
    # As Django: data=None is a JSON null; data__isnull=True finds SQL NULL.
    assert names(Dog.objects.filter(data=None)) == names(dj.Dog.objects.filter(data=None)) == []
    assert names(Dog.objects.filter(data__isnull=True)) == ["d"]


def test_none_with_a_comparison_on_a_key_is_refused(dogs):
    with pytest.raises(ValueError, match="Cannot use None as a query value with the 'gt' lookup"):
        list(Dog.objects.filter(data__n__gt=None))


def test_keys_travel_as_parameters():
    key = "x'); DROP TABLE q_json_dog; --"
    qs = Dog.objects.filter(**{f"data__{key}": 1, "data__has_key": key})
    sql, params = qs.query.sql_with_params()
    assert "DROP" not in sql
    assert any("DROP" in str(p) for p in params)
    assert list(qs) == []


def test_bad_lookups_after_a_key_still_fail_at_filter_time():
    with pytest.raises(exceptions.FieldError, match="Cannot resolve keyword 'nope' into field"):
        Dog.objects.filter(nope__owner="x")
