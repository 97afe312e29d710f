"""Fuzzing every name a caller chooses that reaches SQL (Hypothesis, on each backend under test).

A name is an alias (annotate/alias/aggregate/values), a JSON key (`data__<key>`),
an order_by() name or an F() name. Each one either works (the value comes back
under that name, the key is found) or is refused before any SQL with a clear
error, the database unchanged. Either way it changes the SQL text only inside
quoted identifiers: with every quoted identifier blanked out, the statement is
the one a plain reference name gives.
"""

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import oracle
import relata
from relata import exceptions, models
from relata.models import F, Sum
from relata.testing import CaptureQueries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Doc(models.Model):
    n = models.IntegerField()
    data = models.JSONField(null=True)

    class Meta:
        app_label = "q_names_fuzz"


class dj:
    class Doc(dm.Model):
        n = dm.IntegerField()
        data = dm.JSONField(null=True)

        class Meta(oracle.Meta("q_names_fuzz")):
            pass


use_models(Doc)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: a failure here is reproducible, not a flake
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: The characters that matter to SQL and drivers, mixed into arbitrary text.
TRICKY = "\"'`%;#-/*[]\\$?:. _\t\n\x00éñ名😀\u2028"
NAMES = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=10),
    st.text(alphabet=st.sampled_from(TRICKY + "abz019"), min_size=1, max_size=10),
)


def blank_identifiers(sql):
    """The statement with every quoted identifier replaced by `<id>`: what a name may change."""
    q = re.escape(relata.connection.ops.compiler_class.identifier_quote)
    return re.sub(f"{q}(?:[^{q}]|{q}{q})*{q}", "<id>", sql)


def only_quoted(sql, reference_sql):
    return blank_identifiers(sql) == blank_identifiers(reference_sql)


def sql_of(run):
    with CaptureQueries() as captured:
        result = run()
    return result, [q.sql for q in captured.queries]


def snapshot():
    return sorted(Doc.objects.values_list("n", "data"))


@pytest.fixture
def doc(relata_backend):
    Doc.objects.create(n=7, data={"k": 1})


def django_refusal(name):
    try:
        dj.Doc.objects.annotate(**{name: dm.F("n")})
    except ValueError as error:
        return str(error).split(".")[0]
    return None


@FUZZ
@given(name=NAMES)
def test_alias_names(doc, name):
    before = snapshot()
    calls = {
        "annotate": lambda nm: list(Doc.objects.annotate(**{nm: F("n")}).values(nm)),
        "aggregate": lambda nm: [Doc.objects.aggregate(**{nm: Sum("n")})],
        "values": lambda nm: list(Doc.objects.values(**{nm: F("n")})),
    }
    for how, call in calls.items():
        with CaptureQueries() as captured:
            try:
                rows = call(name)
            except ValueError as error:
                assert len(captured) == 0, how
                assert snapshot() == before
                refusal = str(error).split(".")[0]
                if refusal.startswith("Column aliases"):
                    assert django_refusal(name) == refusal
                else:  # relata's own: a lookup separator, a field's name, or what MySQL cannot name
                    beyond_bmp = relata.connection.vendor == "mysql" and max(name) > "\uffff"
                    assert "__" in name or name in {"n", "data", "id"} or beyond_bmp, str(error)
                continue
        assert django_refusal(name) is None
        assert rows == [{name: 7}], how
        _, reference = sql_of(lambda call=call: call("ref_name"))
        assert only_quoted(captured.queries[0].sql, reference[0]), how


def json_key_usable(key):
    """Keys that mean something else in a lookup path are not keys: Django reads them the same way."""
    if not key or "__" in key or key.startswith("_") or key.endswith("_"):
        return False
    try:
        int(key)
        return False  # an array index, as in Django
    except ValueError:
        pass
    return Doc._meta.get_field("data").get_lookup(key) is None


@FUZZ
@given(key=st.one_of(NAMES, st.sampled_from(["a b", "a.b", 'a"b', "a'b", "%", "%s", "a%%b", "$", "a[0]", "é", "名前"])))
def test_json_keys(doc, key):
    assume(json_key_usable(key) and "\x00" not in key)  # PostgreSQL's jsonb holds no NUL character
    Doc.objects.all().delete()
    Doc.objects.create(n=1, data={key: "v", "other": 2})
    before = snapshot()

    def lookups(k):
        return (
            sorted(Doc.objects.filter(**{f"data__{k}": "v"}).values_list("n", flat=True)),
            Doc.objects.filter(data__has_key=k).count(),
            list(Doc.objects.order_by(f"data__{k}").values_list("n", flat=True)),
        )

    try:
        found, statements = sql_of(lambda: lookups(key))
    except exceptions.NotSupportedError as error:
        # Only where the database's JSON paths cannot name such a key at all; said before any SQL.
        unreachable = {"sqlite": '"' in key, "mysql": key.startswith("-")}.get(relata.connection.vendor)
        assert unreachable, str(error)
        assert repr(key) in str(error)
        assert snapshot() == before
        return
    assert found == ([1], 1, [1])
    _, reference = sql_of(lambda: lookups("ref"))
    assert statements == reference  # keys travel as parameters: the SQL text never changes


PATHS = st.one_of(
    NAMES,
    st.sampled_from(["n", "-n", "id", "pk", "-pk", "data", "data__k", "-data__k", "?", "n__x", "data__a b"]),
    NAMES.map(lambda s: "data__" + s),
)


def canonical(path):
    """The reference path a working `path` compiles like: JSON keys all read as `ref`."""
    sign = "-" if path.startswith("-") else ""
    bare = path.lstrip("-")
    return sign + "data__ref" if bare.startswith("data__") else path


@FUZZ
@given(path=PATHS)
def test_order_by_and_f_names(doc, path):
    before = snapshot()
    runs = {
        "order_by": lambda p: list(Doc.objects.order_by(p).values_list("n", flat=True)),
        "F": lambda p: list(Doc.objects.filter(n=F(p.lstrip("-"))).values_list("n", flat=True)),
    }
    for how, run in runs.items():
        if how == "F" and path.lstrip("-").split("__")[0] == "data":
            continue  # a JSON value compared with an integer: what matches is each database's business
        with CaptureQueries() as captured:
            try:
                run(path)
            except (exceptions.FieldError, ValueError, TypeError, exceptions.NotSupportedError):
                assert len(captured) == 0, how
                assert snapshot() == before
                continue
            except exceptions.DataError as error:
                # psycopg refuses a NUL in a text parameter itself, before the server sees the statement.
                assert relata.connection.vendor == "postgresql" and "\x00" in path, str(error)
                assert snapshot() == before
                continue
        _, reference = sql_of(lambda run=run: run(canonical(path)))
        assert only_quoted(captured.queries[0].sql, reference[0]), how
