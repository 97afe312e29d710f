"""A connection the server kills mid-transaction: no lost commit, no raw driver error.

A second connection ends the session (pg_terminate_backend, KILL) at each
point a transaction can be in. Each case must raise relata's OperationalError,
leave nothing of the transaction in the database, and let the next statement
outside atomic() run on a fresh connection.
"""

from __future__ import annotations

import time

import pytest
from servers import session_id

import relata
from relata import exceptions, models, transaction
from relata.db import connections
from relata.testing import databases
from relata.testing.pytest_plugin import use_models


class Row(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "b_faults"


use_models(Row)

#: What every one of these errors says, whatever the driver raised.
LOST = "connection to .* was lost"


def assert_recovered(killed: int) -> None:
    """Nothing was written, the wrapper is out of its block, and the next statement reopens."""
    assert not relata.connection.in_atomic_block
    assert list(Row.objects.values_list("name", flat=True)) == []
    assert session_id() != killed


def test_killed_before_commit_raises_instead_of_committing_on_a_new_connection(server, killer):
    with pytest.raises(exceptions.OperationalError, match=LOST), transaction.atomic():
        Row.objects.create(name="lost")
        killed = session_id()
        killer(killed)
    assert_recovered(killed)


def test_killed_before_commit_with_a_query_after_the_kill_still_raises(server, killer):
    with pytest.raises(exceptions.OperationalError, match=LOST), transaction.atomic():
        Row.objects.create(name="lost")
        killed = session_id()
        killer(killed)
        Row.objects.create(name="after")
    assert_recovered(killed)


def test_killed_inside_a_savepoint_raises_relata_error(server, killer):
    with pytest.raises(exceptions.OperationalError, match=LOST), transaction.atomic():
        Row.objects.create(name="outer")
        with transaction.atomic():
            Row.objects.create(name="inner")
            killed = session_id()
            killer(killed)
    assert_recovered(killed)


def test_killed_inside_a_savepoint_then_query_in_outer_block(server, killer):
    with pytest.raises(exceptions.OperationalError, match=LOST), transaction.atomic():
        Row.objects.create(name="outer")
        killed = session_id()
        try:
            with transaction.atomic():
                killer(killed)
                Row.objects.create(name="inner")
        except exceptions.OperationalError:
            pass
        Row.objects.create(name="outer2")
    assert_recovered(killed)


def test_killed_during_iterator_raises_relata_error(postgresql, killer):
    # Only PostgreSQL streams iterator() from a server-side cursor; MySQL's drivers
    # read the whole result on execute, so a kill after it goes unnoticed there.
    Row.objects.bulk_create([Row(name=f"r{i}") for i in range(50)])
    killed = session_id()
    with pytest.raises(exceptions.OperationalError, match=LOST):
        for index, _row in enumerate(Row.objects.iterator(chunk_size=5)):
            if index == 0:
                killer(killed)
    assert not relata.connection.in_atomic_block
    assert Row.objects.count() == 50  # the next statement outside atomic() reopens
    assert session_id() != killed


def test_killed_during_iterator_inside_atomic(server, killer):
    with pytest.raises(exceptions.OperationalError, match=LOST), transaction.atomic():
        Row.objects.bulk_create([Row(name=f"r{i}") for i in range(50)])
        killed = session_id()
        for index, _row in enumerate(Row.objects.iterator(chunk_size=5)):
            if index == 0:
                killer(killed)
    assert_recovered(killed)


def test_idle_in_transaction_timeout_raises_at_commit(postgresql):
    relata.connect(databases.test_database_url(postgresql), alias="idle")
    try:
        conn = connections["idle"]
        conn.execute("SET idle_in_transaction_session_timeout = 100")
        killed = session_id("idle")
        with pytest.raises(exceptions.OperationalError, match=LOST), transaction.atomic(using="idle"):
            Row.objects.using("idle").create(name="lost")
            time.sleep(0.4)  # the server ends the idle transaction after 100 ms
        assert not conn.in_atomic_block
        assert list(Row.objects.using("idle").values_list("name", flat=True)) == []
        assert session_id("idle") != killed
    finally:
        connections.forget("idle")


def test_statement_on_a_killed_connection_outside_atomic_says_connection_lost(server, killer, monkeypatch):
    wrapper = relata.connection
    killed = session_id()
    # A half-open connection gives no sign on the socket: the statement itself finds it.
    monkeypatch.setattr(type(connections["default"]), "connection_dropped", lambda self: False)
    killer(killed)
    with pytest.raises(exceptions.OperationalError, match=LOST):
        Row.objects.count()
    monkeypatch.undo()
    assert wrapper.connection is None or not wrapper.is_usable()
    assert Row.objects.count() == 0
    assert session_id() != killed


def test_close_inside_atomic_never_reopens_for_the_rest_of_the_block(server):
    with pytest.raises(exceptions.OperationalError, match=LOST), transaction.atomic():
        Row.objects.create(name="lost")
        relata.connection.close()
        Row.objects.create(name="after")  # would be autocommitted on a new session
    assert not relata.connection.in_atomic_block
    assert list(Row.objects.values_list("name", flat=True)) == []


def test_driver_connection_closed_behind_relatas_back_inside_atomic(server):
    # psycopg then refuses to make a cursor; PyMySQL says InterfaceError (0, ''): both mean "lost".
    with pytest.raises(exceptions.OperationalError, match=LOST), transaction.atomic():
        Row.objects.create(name="lost")
        relata.connection.connection.close()
        Row.objects.create(name="after")
    assert not relata.connection.in_atomic_block
    assert list(Row.objects.values_list("name", flat=True)) == []


def test_atomic_on_a_connection_that_died_while_idle_begins_on_a_new_one(server, killer, monkeypatch):
    # BEGIN carries no work, so a session found dead by it is replaced, as between statements.
    killed = session_id()
    monkeypatch.setattr(type(connections["default"]), "connection_dropped", lambda self: False)
    killer(killed)
    with transaction.atomic():
        Row.objects.create(name="kept")
    monkeypatch.undo()
    assert list(Row.objects.values_list("name", flat=True)) == ["kept"]
    assert session_id() != killed


def test_a_session_whose_set_up_failed_is_never_used(mysql):
    # Without its sql_mode and UTC time zone a session would store different values: refuse it each time.
    relata.connect(databases.test_database_url(mysql), alias="badmode", sql_mode="NO_SUCH_MODE")
    try:
        for _ in range(2):
            with pytest.raises(exceptions.DatabaseError, match="sql_mode"):
                connections["badmode"].execute("SELECT 1")
            assert connections["badmode"].connection is None
    finally:
        connections.forget("badmode")


def test_on_commit_callbacks_of_a_lost_transaction_never_run(server, killer):
    ran = []
    with pytest.raises(exceptions.OperationalError, match=LOST), transaction.atomic():
        Row.objects.create(name="lost")
        transaction.on_commit(lambda: ran.append("lost"))
        killed = session_id()
        killer(killed)
    with transaction.atomic():
        transaction.on_commit(lambda: ran.append("next"))
        Row.objects.create(name="next")
    assert ran == ["next"]
    assert list(Row.objects.values_list("name", flat=True)) == ["next"]


def test_a_caught_lost_connection_error_ends_the_block_quietly_as_in_django(server, killer):
    # Django's rule for any error caught inside atomic(): the block rolls back without a second error.
    with transaction.atomic():
        Row.objects.create(name="lost")
        killed = session_id()
        killer(killed)
        with pytest.raises(exceptions.OperationalError, match=LOST):
            Row.objects.create(name="after")
    assert_recovered(killed)
