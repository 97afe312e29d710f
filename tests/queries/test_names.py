"""Names a caller chooses (annotation, alias, aggregate and values names) never reach SQL unquoted.

Column aliases follow Django 5.2's rule (Django is the oracle for which names are
refused); a refused name fails at the call, before any SQL, leaving the database
as it was; an accepted name comes back as the key it was given.
"""

import pytest

import oracle
import relata
from relata import exceptions, models
from relata.models import F, Sum
from relata.models.query import validate
from relata.testing import CaptureQueries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Item(models.Model):
    n = models.IntegerField()
    data = models.JSONField(null=True)

    class Meta:
        app_label = "q_names"


class Secret(models.Model):
    token = models.CharField(max_length=20)

    class Meta:
        app_label = "q_names"


class dj:
    class Item(dm.Model):
        n = dm.IntegerField()

        class Meta(oracle.Meta("q_names")):
            pass


use_models(Item, Secret)
oracle.use_django_models(dj.Item)


@pytest.fixture
def rows():
    Item.objects.create(n=1)
    Secret.objects.create(token="TOPSECRET")


def quote_char():
    return relata.connection.ops.compiler_class.identifier_quote


def database_snapshot():
    tables = set(relata.connection.introspection.table_names())
    return (
        tables,
        sorted(Item.objects.values_list("n", flat=True)),
        sorted(Secret.objects.values_list("token", flat=True)),
    )


#: Every way a caller names a column alias: annotate, alias, aggregate, values.
CALLS = {
    "annotate": lambda qs, name: list(qs.annotate(**{name: F("n")})),
    "alias": lambda qs, name: list(qs.alias(**{name: F("n")})),
    "aggregate": lambda qs, name: qs.aggregate(**{name: Sum("n")}),
    "values": lambda qs, name: list(qs.values(**{name: F("n")})),
}


def refused_by(call, queryset, name):
    try:
        call(queryset, name)
    except ValueError as error:
        return str(error).split(".")[0]
    return None


@pytest.mark.parametrize("how", sorted(CALLS))
def test_breaking_out_of_the_quotes_is_refused_before_sql(rows, how):
    q = quote_char()
    payload = {
        "annotate": f"{q}x{q} FROM {q}q_names_item{q} UNION ALL SELECT 0, token, 0 FROM q_names_secret -- {q}",
        "alias": f"{q}x{q} FROM {q}q_names_item{q} UNION ALL SELECT 0, token, 0 FROM q_names_secret -- {q}",
        "aggregate": f"{q}s{q} FROM {q}q_names_item{q}; DROP TABLE {q}q_names_secret{q}; -- {q}",
        "values": f"{q}x{q} FROM {q}q_names_item{q} UNION ALL SELECT 0, token -- {q}",
    }[how]
    before = database_snapshot()
    with CaptureQueries() as captured, pytest.raises(ValueError, match="Column aliases cannot contain") as error:
        CALLS[how](Item.objects.all(), payload)
    assert len(captured) == 0
    assert repr(payload) in str(error.value)
    assert database_snapshot() == before


#: Code points and sequences around every class the rule cares about.
CANDIDATES = (
    [chr(c) for c in range(0x00, 0x250)]
    + [chr(c) for c in (0x1680, 0x180E, 0x2000, 0x200A, 0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF)]
    + ["--", "/*", "*/", "-", "/", "*", "%", "%%", "%s", "é", "名前", "\U0001f600"]
)


def test_alias_rule_is_djangos(relata_backend):
    """Each candidate inside a name is refused by relata exactly when Django refuses it."""
    relata_refused, django_refused = [], []
    for text in CANDIDATES:
        name = f"a{text}b"
        if refused_by(CALLS["annotate"], Item.objects.none(), name):
            relata_refused.append(text)
        if refused_by(lambda qs, nm: qs.annotate(**{nm: dm.F("n")}), dj.Item.objects.none(), name):
            django_refused.append(text)
    assert relata_refused == django_refused
    assert len(relata_refused) > 40


@pytest.mark.parametrize("how", sorted(CALLS))
@pytest.mark.parametrize("name", ["a b", "a;b", "a'b", "a#b", "a--b", "a/*b", "a[b", "a\x00b", "a\u2028b"])
def test_every_alias_call_refuses_as_django(how, name):
    django_call = {
        "annotate": lambda qs, nm: list(qs.annotate(**{nm: dm.F("n")})),
        "alias": lambda qs, nm: list(qs.alias(**{nm: dm.F("n")})),
        "aggregate": lambda qs, nm: qs.aggregate(**{nm: dm.Sum("n")}),
        "values": lambda qs, nm: list(qs.values(**{nm: dm.F("n")})),
    }[how]
    expected = refused_by(django_call, dj.Item.objects.all(), name)
    assert expected is not None
    with CaptureQueries() as captured:
        assert refused_by(CALLS[how], Item.objects.all(), name) == expected
    assert len(captured) == 0


def test_default_aggregate_alias_is_checked_too():
    with pytest.raises(ValueError, match="Column aliases"):
        Item.objects.aggregate(Sum('n"x'))


@pytest.mark.parametrize("name", ["é", "名前", "1abc", "a.b", "a-b", "a%b", "a%%b", "a%sb", "a$b", "a?b", "a:b", "a(b"])
def test_accepted_names_come_back_under_that_name(rows, name):
    assert [row[name] for row in Item.objects.annotate(**{name: F("n") + 1}).values(name)] == [2]
    assert [getattr(obj, name) for obj in Item.objects.annotate(**{name: F("n") + 1})] == [2]
    assert Item.objects.aggregate(**{name: Sum("n")}) == {name: 1}
    assert list(Item.objects.values(**{name: F("n")})) == [{name: 1}]
    assert list(Item.objects.annotate(**{name: F("n")}).filter(**{name: 1}).order_by(name).values_list(name)) == [(1,)]


def test_remembered_lookup_paths_stay_bounded_and_keep_the_busy_ones():
    """filter() remembers valid paths; JSON keys a client chooses must not grow that memory for ever."""
    limit = 2048
    for i in range(limit + 500):
        Item.objects.filter(**{f"data__client key {i}": 1})
        Item.objects.filter(n=i)
    assert len(validate._VALID) <= limit
    assert (Item, "n") in validate._VALID


#: Keys each database's JSON paths cannot reach: refused before SQL instead of matching nothing.
UNREACHABLE_KEYS = {"sqlite": 'say "hi"', "mysql": "-a"}


@pytest.mark.parametrize("key", ['say "hi"', "-a", "a b", "a.b", "100%", "é", "名前", "a'b", "$"])
def test_json_keys_are_found_or_refused_before_sql(key):
    Item.objects.create(n=1, data={key: "v"})
    with CaptureQueries() as captured:
        try:
            found = list(Item.objects.filter(**{f"data__{key}": "v"}).values_list("n", flat=True))
        except exceptions.NotSupportedError as error:
            assert UNREACHABLE_KEYS.get(relata.connection.vendor) == key
            assert repr(key) in str(error) and len(captured) == 0
            return
    assert UNREACHABLE_KEYS.get(relata.connection.vendor) != key
    assert found == [1]
    assert Item.objects.filter(data__has_key=key).count() == 1


def test_mysql_refuses_a_name_it_cannot_hold_before_sql(rows):
    name = "smile\U0001f600"
    with CaptureQueries() as captured:
        try:
            rows = list(Item.objects.annotate(**{name: F("n")}).values(name))
        except ValueError as error:
            assert relata.connection.vendor == "mysql"
            assert repr(name) in str(error) and "Basic Multilingual Plane" in str(error)
            assert len(captured) == 0
            return
    assert rows == [{name: 1}]
