"""SQLite's own options and defaults: timeout, transaction_mode, init_command, journal_mode,
and concurrent writers from several processes on one file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlite_writer import Counter

import relata
import relata.conf
from relata import exceptions, transaction
from relata.db import connections
from relata.testing import create_tables

WRITER = Path(__file__).with_name("sqlite_writer.py")


@pytest.fixture
def sqlite(relata_backend: str) -> str:
    if relata_backend != "sqlite":
        pytest.skip("SQLite's own behaviour")
    return relata_backend


def test_two_processes_of_read_then_write_blocks_never_see_database_is_locked(sqlite, tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    relata.connect(url, alias="shared")
    try:
        create_tables(Counter, using="shared")
        Counter.objects.using("shared").create(pk=1, value=0)
    finally:
        connections.forget("shared")
    blocks = 300
    writers = [
        subprocess.Popen(
            [sys.executable, str(WRITER), url, str(blocks)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outcomes = [writer.communicate(timeout=120) for writer in writers]
    failures = [int(out.strip() or -1) for out, _ in outcomes]
    assert failures == [0, 0], [err[-2000:] for _, err in outcomes]
    relata.connect(url, alias="shared")
    try:
        assert Counter.objects.using("shared").get(pk=1).value == 2 * blocks
    finally:
        connections.forget("shared")


@pytest.fixture
def file_url(sqlite, tmp_path):
    """A file database with Counter's table; connections opened on it are forgotten after the test."""
    url = f"sqlite:///{tmp_path / 'options.db'}"
    relata.connect(url, alias="opts")
    create_tables(Counter, using="opts")
    Counter.objects.using("opts").create(pk=1)
    connections.forget("opts")
    yield url
    connections.forget("opts")


@pytest.fixture
def writer_elsewhere(file_url):
    """Another connection holding the file's write lock for the length of the test."""
    path = relata.conf.parse_url(file_url)["NAME"]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield
    other.rollback()
    other.close()


def test_timeout_in_the_url_is_honoured(file_url, writer_elsewhere):
    wrapper = relata.connect(file_url + "?timeout=0.2", alias="opts")
    started = time.monotonic()
    with pytest.raises(exceptions.OperationalError, match="locked"):
        Counter.objects.using("opts").update(value=1)
    assert 0.15 < time.monotonic() - started < 3  # not the default 5 s
    assert wrapper.settings["OPTIONS"] == {"timeout": "0.2"}


@pytest.mark.parametrize(("mode", "waits_at_begin"), [("DEFERRED", False), ("immediate", True), (None, True)])
def test_transaction_mode_decides_when_atomic_takes_the_write_lock(file_url, writer_elsewhere, mode, waits_at_begin):
    options = {"timeout": 0.1} | ({"transaction_mode": mode} if mode else {})
    relata.connect(file_url, alias="opts", **options)
    if waits_at_begin:
        with pytest.raises(exceptions.OperationalError, match="locked"), transaction.atomic(using="opts"):
            pytest.fail("BEGIN IMMEDIATE must wait for the other writer, then give up")
    else:
        with transaction.atomic(using="opts"):
            assert Counter.objects.using("opts").get(pk=1).value == 0  # reading needs no write lock


def test_journal_mode_defaults_to_wal_for_a_file_and_can_be_set_or_left_alone(file_url):
    def journal_mode(**options):
        connections.forget("opts")
        return relata.connect(file_url, alias="opts", **options).execute("PRAGMA journal_mode").fetchone()[0]

    assert journal_mode() == "wal"
    assert journal_mode(journal_mode="delete") == "delete"
    assert journal_mode(journal_mode="") == "delete"  # the file keeps what it has
    assert journal_mode() == "wal"


def test_init_command_runs_each_statement_on_every_new_connection(file_url):
    wrapper = relata.connect(file_url + "?init_command=PRAGMA cache_size=-1234; PRAGMA synchronous=OFF;", alias="opts")
    for _ in range(2):
        assert wrapper.execute("PRAGMA cache_size").fetchone()[0] == -1234
        assert wrapper.execute("PRAGMA synchronous").fetchone()[0] == 0
        wrapper.close()


def test_file_uri_keeps_sqlite_parameters_and_reads_relata_options(file_url):
    path = relata.conf.parse_url(file_url)["NAME"]
    wrapper = relata.connect(f"sqlite:///file:{path}?mode=ro&timeout=0.5", alias="opts")
    assert wrapper.timeout == 0.5
    assert Counter.objects.using("opts").count() == 1
    with pytest.raises(exceptions.OperationalError, match="readonly"):
        Counter.objects.using("opts").update(value=2)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"transaction_mode": "LAZY"}, "transaction_mode='LAZY' is not one of DEFERRED, IMMEDIATE, EXCLUSIVE"),
        ({"journal_mode": "fast"}, "journal_mode='fast' is not one of DELETE"),
        ({"timeout": "soon"}, "timeout='soon' is not a number of seconds"),
        ({"timeout": -1}, "timeout=-1 is not a number of seconds"),
        ({"mode": "ro"}, r"Unknown SQLite option\(s\) mode; .* sqlite:///file:"),
    ],
)
def test_bad_options_are_refused_at_connect(sqlite, tmp_path, options, message):
    path = tmp_path / "never.db"
    with pytest.raises(exceptions.ImproperlyConfigured, match=message):
        relata.connect(f"sqlite:///{path}", alias="opts", **options)
    connections.forget("opts")
    assert not path.exists()  # refused before anything touched the database


def test_a_failing_init_command_names_the_option_and_leaves_no_half_set_up_connection(file_url):
    wrapper = relata.connect(file_url, alias="opts", init_command="PRAGMA cache_size=-1234; PRAGM typo")
    for _ in range(2):  # not "fixed" by reusing the connection it failed on
        with pytest.raises(exceptions.ImproperlyConfigured, match=r"init_command 'PRAGM typo' failed.*syntax error"):
            Counter.objects.using("opts").count()
        assert wrapper.connection is None
