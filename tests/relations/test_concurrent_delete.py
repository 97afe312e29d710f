"""A queryset delete while another connection commits: the outcome of collect-then-delete.

Deleting rows and their cascaded dependents takes several statements. On a
server at READ COMMITTED each statement sees the commits made since the last
one, so the filter must be evaluated once: a row that matches only after the
first statement stays (with its dependents), a row that matched at the first
statement goes (with its dependents) even if it no longer matches. A second
connection commits right after the delete's first statement (a query listener
is the hook: no sleeps, no threads).
"""

import pytest

import relata
from relata import models, transaction
from relata.testing import assert_num_queries, databases
from relata.testing.pytest_plugin import use_models


class Owner(models.Model):
    name = models.CharField(max_length=30)

    class Meta:
        app_label = "rel_concurrent_delete"


class Pet(models.Model):
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE)
    name = models.CharField(max_length=30)

    class Meta:
        app_label = "rel_concurrent_delete"


use_models(Owner, Pet)

OTHER = "concurrent_writer"


@pytest.fixture
def other(relata_backend):
    if relata_backend == "sqlite":
        pytest.skip("SQLite has one writer: no other connection can commit inside the delete's transaction.")
    relata.connect(databases.test_database_url(relata_backend), alias=OTHER)
    yield OTHER
    relata.connections.forget(OTHER)


def after_first_statement(write):
    """Run `write()` once, right after the default connection's next statement."""
    connection = relata.connections["default"]

    def listener(sql, params, elapsed):
        connection.listeners.remove(listener)
        write()

    connection.listeners.append(listener)


def seed():
    sam, alex = Owner.objects.create(name="Sam"), Owner.objects.create(name="Alex")
    Pet.objects.create(owner=sam, name="rex")
    Pet.objects.create(owner=sam, name="tom")
    Pet.objects.create(owner=alex, name="kit")
    return sam, alex


def state():
    return sorted(Pet.objects.values_list("owner__name", "name")), sorted(Owner.objects.values_list("name", flat=True))


def test_a_matching_row_committed_between_the_statements_stays_with_its_dependents(other):
    seed()

    def write():
        with transaction.atomic(using=other):
            late = Owner.objects.using(other).create(name="Sam")
            Pet.objects.using(other).create(owner=late, name="new")

    after_first_statement(write)
    assert Owner.objects.filter(name="Sam").delete() == (
        3,
        {"rel_concurrent_delete.Owner": 1, "rel_concurrent_delete.Pet": 2},
    )
    assert state() == ([("Alex", "kit"), ("Sam", "new")], ["Alex", "Sam"])


def test_a_row_changed_to_no_longer_match_between_the_statements_goes_with_its_dependents(other):
    sam, _alex = seed()

    def write():
        Owner.objects.using(other).filter(pk=sam.pk).update(name="Samuel")

    after_first_statement(write)
    assert Owner.objects.filter(name="Sam").delete() == (
        3,
        {"rel_concurrent_delete.Owner": 1, "rel_concurrent_delete.Pet": 2},
    )
    assert state() == ([("Alex", "kit")], ["Alex"])


def test_a_delete_by_keys_still_takes_two_statements(relata_backend):
    sam, alex = seed()
    with assert_num_queries(2):
        assert Owner.objects.filter(pk__in=[sam.pk, alex.pk]).delete()[0] == 5
    assert state() == ([], [])


def test_a_delete_by_another_column_reads_the_keys_once_on_a_server(relata_backend):
    seed()
    single_writer = relata.connections["default"].features.has_single_writer
    with assert_num_queries(2 if single_writer else 3) as captured:
        assert Owner.objects.filter(name="Sam").delete()[0] == 3
    if not single_writer:
        assert captured[0].sql.startswith("SELECT")
    assert state() == ([("Alex", "kit")], ["Alex"])
