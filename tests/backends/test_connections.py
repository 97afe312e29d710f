"""Connection handling on server backends: per-thread connections, reuse limits,
health checks, and what a connection the server drops does to the ORM.

Outside a transaction a dropped connection is reopened without the caller
noticing; inside one the statement raises and nothing of the transaction is
written (the server rolls it back when the session ends).
"""

from __future__ import annotations

import threading
import time

import pytest
from servers import session_id

import relata
from relata import exceptions, models, transaction
from relata.db import connections
from relata.testing import databases
from relata.testing.pytest_plugin import use_models


class Item(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "b_conn"


use_models(Item)


def test_each_thread_gets_its_own_connection_per_alias(server):
    main = session_id()
    seen: dict[int, tuple[int, int]] = {}

    def work(index: int) -> None:
        try:
            Item.objects.create(name=f"t{index}")
            seen[index] = (id(connections["default"]), session_id())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wrappers = {wrapper for wrapper, _ in seen.values()}
    sessions = {session for _, session in seen.values()}
    assert len(seen) == 4 and len(wrappers) == 4 and len(sessions) == 4
    assert main not in sessions
    assert Item.objects.count() == 4


def test_dropped_idle_connection_is_reopened_transparently(server, killer):
    Item.objects.create(name="before")
    old = session_id()
    killer(old)
    assert Item.objects.count() == 1  # no error: the dead session was replaced
    assert session_id() != old


def test_dropped_connection_inside_a_transaction_raises_and_writes_nothing(server, killer):
    with pytest.raises(exceptions.OperationalError), transaction.atomic():
        Item.objects.create(name="partial")
        killer(session_id())
        Item.objects.create(name="second")
    assert not relata.connection.in_atomic_block
    assert list(Item.objects.values_list("name", flat=True)) == []


def test_conn_max_age_reopens_an_old_connection_between_transactions(server):
    relata.connect(databases.test_database_url(server), alias="aged", conn_max_age=0.2)
    try:
        first = session_id("aged")
        assert session_id("aged") == first  # young enough: reused
        with transaction.atomic(using="aged"):
            time.sleep(0.3)
            assert session_id("aged") == first  # never swapped inside a transaction
        time.sleep(0.3)
        assert session_id("aged") != first
    finally:
        connections.forget("aged")


def test_health_check_pings_an_idle_connection_before_reuse(server, killer, monkeypatch):
    relata.connect(databases.test_database_url(server), alias="checked", health_checks=True, health_check_interval=0)
    try:
        wrapper = connections["checked"]
        first = session_id("checked")
        # A half-open connection (a vanished host) gives no sign on the socket; only a ping finds it.
        monkeypatch.setattr(type(wrapper), "connection_dropped", lambda self: False)
        killer(first)
        assert not wrapper.is_usable()
        assert session_id("checked") != first
    finally:
        connections.forget("checked")


def test_without_health_checks_a_half_open_connection_fails_once_then_recovers(server, killer, monkeypatch):
    relata.connect(databases.test_database_url(server), alias="unchecked")
    try:
        wrapper = connections["unchecked"]
        first = session_id("unchecked")
        monkeypatch.setattr(type(wrapper), "connection_dropped", lambda self: wrapper.connection is None)
        killer(first)
        with pytest.raises((exceptions.OperationalError, exceptions.InterfaceError)):
            session_id("unchecked")
        monkeypatch.undo()
        assert session_id("unchecked") != first
    finally:
        connections.forget("unchecked")


def test_unknown_server_is_an_operational_error_naming_the_host(server):
    # Port 1 on this host: nothing listens there.
    bad = databases.test_database_url(server).rsplit(":", 1)[0] + ":1/relata_test"
    relata.connect(bad, alias="nowhere", connect_timeout=2)
    try:
        with pytest.raises(exceptions.OperationalError):
            connections["nowhere"].execute("SELECT 1")
    finally:
        connections.forget("nowhere")
