"""explain(format=..., **options): what each database's EXPLAIN takes reaches it; the rest is refused first.

On SQLite Django runs the same calls (tests/oracle.py) and must raise the same
errors. For PostgreSQL and MariaDB the expected answers are Django 5.2's on those
servers, spelled out, since the in-process oracle only has SQLite.
"""

import json

import pytest

import oracle
import relata
from relata import models
from relata.testing import CaptureQueries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Plan(models.Model):
    n = models.IntegerField()

    class Meta:
        app_label = "q_explain"


class dj:
    class Plan(dm.Model):
        n = dm.IntegerField()

        class Meta(oracle.Meta("q_explain")):
            pass


use_models(Plan)
oracle.use_django_models(dj.Plan)


def vendor():
    return relata.connection.vendor


def refusal(queryset, **options):
    with CaptureQueries() as captured:
        try:
            queryset.explain(**options)
        except ValueError as error:
            assert len(captured) == 0, "refused after SQL ran"
            return str(error)
    return None


@pytest.mark.parametrize(
    "options",
    [{"a b": True}, {"x--y": True}, {"x;": True}, {"v) SELECT 1; --": True}, {"a\nb": True}, {"a'b": 1}],
    ids=repr,
)
def test_option_names_that_are_not_words_are_refused_on_every_backend(options):
    name = next(iter(options))
    assert refusal(Plan.objects.all(), **options) == f"Invalid option name: {name!r}."


SQLITE_CASES = [
    {"format": "text"},
    {"format": "json"},
    {"format": "bogus"},
    {"analyze": True},
    {"verbose": True, "costs": False},
    {"a-b": True},
    {"é": True},
    {"format": None},
    {},
]


@pytest.mark.parametrize("options", SQLITE_CASES, ids=repr)
def test_sqlite_refuses_what_django_refuses(options):
    if vendor() != "sqlite":
        pytest.skip("Django's in-process oracle runs SQLite")
    assert refusal(Plan.objects.all(), **options) == refusal(dj.Plan.objects.all(), **options)


#: What Django 5.2 answers on PostgreSQL and MariaDB (None: the plan is printed).
SERVER_CASES = {
    "postgresql": [
        ({"format": "tree"}, "TREE is not a recognized format. Allowed formats: JSON, TEXT, XML, YAML"),
        ({"bogus": True}, "Unknown options: BOGUS"),
        ({"a-b": True, "bogus": 1}, "Unknown options: A-B, BOGUS"),
        ({"format": "yaml", "analyze": True, "Costs": False, "verbose": 1}, None),
        ({"format": "TEXT", "summary": "yes", "settings": True, "buffers": True}, None),
    ],
    "mysql": [
        ({"format": "xml"}, "XML is not a recognized format. Allowed formats: JSON, TEXT, TRADITIONAL"),
        ({"verbose": True, "costs": False}, "Unknown options: costs, verbose"),
        ({"ANALYZE": True}, "Unknown options: ANALYZE"),
        ({"format": "traditional", "analyze": True}, None),
        ({"format": "text"}, None),
    ],
}


def test_servers_refuse_what_django_refuses():
    if vendor() not in SERVER_CASES:
        pytest.skip("SQLite is compared with Django itself above")
    for options, expected in SERVER_CASES[vendor()]:
        assert refusal(Plan.objects.all(), **options) == expected, options


def test_options_reach_the_database():
    Plan.objects.create(n=1)
    if vendor() == "sqlite":
        assert "SCAN" in Plan.objects.filter(n=1).explain()
    elif vendor() == "postgresql":
        assert "cost=" in Plan.objects.explain() and "cost=" not in Plan.objects.explain(costs=False)
        plan = json.loads(Plan.objects.filter(n=1).explain(format="json"))
        assert plan[0]["Plan"]["Node Type"] == "Seq Scan"
        assert "actual time=" in Plan.objects.explain(analyze=True)
    else:
        assert "query_block" in Plan.objects.filter(n=1).explain(format="json")
        # MariaDB's ANALYZE runs the query and reports the rows it read (r_rows).
        assert "r_rows" in Plan.objects.explain(format="json", analyze=True)


def test_postgresql_serialize_takes_a_word_only():
    if vendor() != "postgresql":
        pytest.skip("SERIALIZE is PostgreSQL's")
    message = refusal(Plan.objects.all(), serialize="x) SELECT 1; --")
    assert message == "The SERIALIZE option takes NONE, TEXT, BINARY, not 'x) SELECT 1; --'."
