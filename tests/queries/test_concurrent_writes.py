"""get_or_create(), update_or_create() and F() updates from 8 threads at once.

Each thread has its own connection (connections are per thread). Every call
must succeed, every key must end with exactly one row, and every thread must
agree on which row that is; F() increments must lose no update. SQLite runs
on a file (an in-memory database is private to its connection), with a lock
timeout long enough for eight writers taking turns.
"""

import threading

import pytest

import relata
from relata import models, transaction
from relata.db import connections
from relata.testing import create_tables
from relata.testing.pytest_plugin import use_models

THREADS = 8
CALLS = 200


class Counter(models.Model):
    key = models.CharField(max_length=20, unique=True)
    value = models.IntegerField(default=0)
    note = models.CharField(max_length=20, default="")

    class Meta:
        app_label = "q_concurrent"


use_models(Counter)


@pytest.fixture
def db(relata_backend, tmp_path):
    """The alias the threads write through: the test database, or a SQLite file."""
    if relata_backend != "sqlite":
        yield "default"
        return
    relata.connect(f"sqlite:///{tmp_path / 'race.sqlite3'}?timeout=60", alias="race")
    create_tables(Counter, using="race")
    yield "race"
    connections.forget("race")


def run_threads(call):
    """Run call(thread, i) for i in range(CALLS) in THREADS threads at once; return (results, errors)."""
    start = threading.Barrier(THREADS)
    results, errors = [], []

    def work(thread):
        try:
            start.wait()
            for i in range(CALLS):
                try:
                    results.append((thread, i, call(thread, i)))
                except Exception as error:
                    errors.append(repr(error))
        finally:
            connections.close_all()  # this thread's connections only

    workers = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results, errors


def rows_by_key(db):
    rows = {}
    for pk, key, value in Counter.objects.using(db).values_list("pk", "key", "value"):
        assert key not in rows, f"two rows for {key}"
        rows[key] = (pk, value)
    return rows


def test_get_or_create_race_creates_each_key_once(db):
    results, errors = run_threads(
        lambda t, i: Counter.objects.using(db).get_or_create(key=f"k{i}", defaults={"value": t})
    )
    assert errors == []
    rows = rows_by_key(db)
    assert sorted(rows) == sorted(f"k{i}" for i in range(CALLS))
    created = [i for _, i, (_, was_created) in results if was_created]
    assert sorted(created) == list(range(CALLS))  # exactly one creator per key
    for _, i, (obj, _) in results:
        assert (obj.pk, obj.value) == rows[f"k{i}"]  # everybody got the one row


def test_update_or_create_race_creates_once_and_updates_the_rest(db):
    results, errors = run_threads(
        lambda t, i: Counter.objects.using(db).update_or_create(key=f"k{i}", defaults={"value": t * 1000 + i})
    )
    assert errors == []
    rows = rows_by_key(db)
    assert sorted(rows) == sorted(f"k{i}" for i in range(CALLS))
    assert sorted(i for _, i, (_, created) in results if created) == list(range(CALLS))
    for _, i, (obj, _) in results:
        assert obj.pk == rows[f"k{i}"][0]
    # The stored value is the one a thread wrote last: some thread's value for that key.
    for i in range(CALLS):
        assert rows[f"k{i}"][1] in {t * 1000 + i for t in range(THREADS)}


def test_update_or_create_with_f_loses_no_increment(db):
    # The creator writes 1, every other call adds 1 under the row lock.
    _, errors = run_threads(
        lambda t, i: Counter.objects.using(db).update_or_create(
            key="hot", defaults={"value": models.F("value") + 1}, create_defaults={"value": 1}
        )
    )
    assert errors == []
    assert rows_by_key(db)["hot"][1] == THREADS * CALLS


def test_update_or_create_inside_a_transaction_keeps_the_callers_work(db, relata_backend):
    if relata_backend == "mysql":
        # A failed INSERT keeps InnoDB's shared lock on the key until the caller's transaction
        # ends; two such callers asking for the row lock deadlock, as they do under Django.
        pytest.skip("InnoDB deadlocks losers of an INSERT race inside one transaction")

    def call(t, i):
        with transaction.atomic(using=db):
            Counter.objects.using(db).create(key=f"t{t}-{i}")
            return Counter.objects.using(db).update_or_create(key=f"k{i}", defaults={"note": f"t{t}"})

    _, errors = run_threads(call)
    assert errors == []
    rows = rows_by_key(db)
    assert len(rows) == CALLS + THREADS * CALLS  # every caller's own row survived the lost races


def test_f_increments_from_threads_lose_no_update(db):
    Counter.objects.using(db).create(key="hot")
    _, errors = run_threads(
        lambda t, i: Counter.objects.using(db).filter(key="hot").update(value=models.F("value") + 1)
    )
    assert errors == []
    assert rows_by_key(db)["hot"][1] == THREADS * CALLS
