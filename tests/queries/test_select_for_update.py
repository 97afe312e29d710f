"""select_for_update(nowait=, skip_locked=, of=, no_key=): the SQL, the locks on the real servers, the errors.

A second alias ("other") is a second connection to the same test database, so
one test can hold a lock and watch another session meet it. That session waits
at most LOCK_WAIT seconds: without NOWAIT it would time out rather than hang.
"""

import time

import pytest

import oracle
import relata
from relata import exceptions, models, transaction
from relata.db import connections
from relata.testing import CaptureQueries, assert_num_queries, databases
from relata.testing.pytest_plugin import use_models

dm = oracle.models
LOCK_WAIT = 10

#: How a session bounds its wait for a row lock, in seconds.
LOCK_TIMEOUT_SQL = {
    "postgresql": "SET lock_timeout = '{}s'",
    "mysql": "SET SESSION innodb_lock_wait_timeout = {}",
}


class Publisher(models.Model):
    name = models.CharField(max_length=30)

    class Meta:
        app_label = "q_sfu"


class Book(models.Model):
    title = models.CharField(max_length=30)
    publisher = models.ForeignKey(Publisher, models.CASCADE)

    class Meta:
        app_label = "q_sfu"


class dj:
    class Publisher(dm.Model):
        name = dm.CharField(max_length=30)

        class Meta(oracle.Meta("q_sfu")):
            pass


use_models(Publisher, Book)
oracle.use_django_models(dj.Publisher)


@pytest.fixture
def server(relata_backend):
    if relata_backend not in LOCK_TIMEOUT_SQL:
        pytest.skip("SQLite has no row locks (select_for_update is a no-op there, as in Django)")
    return relata_backend


@pytest.fixture
def other(server):
    """A second session on the test database that waits LOCK_WAIT seconds at most for a lock."""
    relata.connect(databases.test_database_url(server), alias="other")
    connections["other"].execute(LOCK_TIMEOUT_SQL[server].format(LOCK_WAIT))
    yield "other"
    connections.forget("other")


@pytest.fixture
def rows():
    acme = Publisher.objects.create(name="Acme")
    return [Book.objects.create(title=f"B{i}", publisher=acme) for i in range(3)]


def last_sql(captured):
    return captured[-1]["sql"]


# -- bad input, on every backend ------------------------------------------------------


def test_nowait_with_skip_locked_is_a_value_error_as_in_django():
    error = oracle.error_of(Publisher.objects.select_for_update, nowait=True, skip_locked=True)
    theirs = oracle.error_of(dj.Publisher.objects.select_for_update, nowait=True, skip_locked=True)
    assert type(error) is type(theirs) is ValueError
    assert "nowait" in str(error) and "skip_locked" in str(error) and "pick one" in str(error)


def test_of_given_a_bare_string_says_how_to_write_it():
    with pytest.raises(TypeError, match=r"of=\('self',\)"):
        Publisher.objects.select_for_update(of="self")


def test_sqlite_runs_select_for_update_as_a_plain_select_like_django(relata_backend):
    if relata_backend != "sqlite":
        pytest.skip("SQLite's no-op")
    Publisher.objects.create(name="Acme")
    dj.Publisher.objects.create(name="Acme")
    with CaptureQueries() as captured:
        ours = list(Publisher.objects.select_for_update(nowait=True).values_list("name", flat=True))
    theirs = list(dj.Publisher.objects.select_for_update(nowait=True).values_list("name", flat=True))
    assert ours == theirs
    assert "FOR UPDATE" not in last_sql(captured)


# -- transactions ------------------------------------------------------------------------


def test_evaluating_outside_a_transaction_is_refused_before_any_sql(server, rows):
    queryset = Book.objects.select_for_update()
    for _ in range(2):  # the second time the compiled statement comes from the cache
        with assert_num_queries(0), pytest.raises(exceptions.TransactionManagementError, match="atomic"):
            list(queryset.filter(title="B1"))
    with transaction.atomic():
        assert [b.title for b in queryset.filter(title="B1")] == ["B1"]


# -- NOWAIT and SKIP LOCKED on the real servers -------------------------------------------


def test_nowait_fails_at_once_on_a_row_locked_elsewhere(other, rows):
    with transaction.atomic():
        Book.objects.select_for_update().get(pk=rows[0].pk)
        with transaction.atomic(using=other), CaptureQueries(using=other) as captured:
            started = time.monotonic()
            with pytest.raises(exceptions.OperationalError):
                Book.objects.using(other).select_for_update(nowait=True).get(pk=rows[0].pk)
            elapsed = time.monotonic() - started
    assert last_sql(captured).endswith("FOR UPDATE NOWAIT")
    assert elapsed < LOCK_WAIT / 2, f"waited {elapsed:.1f}s for the lock instead of failing at once"


def test_nowait_reads_an_unlocked_row(other, rows):
    with transaction.atomic():
        Book.objects.select_for_update().get(pk=rows[0].pk)
        with transaction.atomic(using=other):
            assert Book.objects.using(other).select_for_update(nowait=True).get(pk=rows[1].pk) == rows[1]


def test_skip_locked_leaves_the_locked_row_out(other, rows):
    with transaction.atomic():
        Book.objects.select_for_update().get(pk=rows[0].pk)
        with transaction.atomic(using=other), CaptureQueries(using=other) as captured:
            started = time.monotonic()
            found = list(Book.objects.using(other).select_for_update(skip_locked=True).order_by("pk"))
            elapsed = time.monotonic() - started
    assert last_sql(captured).endswith("FOR UPDATE SKIP LOCKED")
    assert found == rows[1:]
    assert elapsed < LOCK_WAIT / 2


# -- OF and NO KEY (PostgreSQL; MySQL 8 has OF, MariaDB neither) ------------------------


def test_of_self_locks_only_the_queried_table(other, rows):
    features = connections["default"].features
    if not features.has_select_for_update_of:
        pytest.skip("no FOR UPDATE OF here (MariaDB)")
    with transaction.atomic(), CaptureQueries() as captured:
        book = Book.objects.select_related("publisher").select_for_update(of=("self",)).get(pk=rows[0].pk)
        with transaction.atomic(using=other):
            # The publisher joined in is not locked; the book is.
            Publisher.objects.using(other).select_for_update(nowait=True).get(pk=book.publisher_id)
            with pytest.raises(exceptions.OperationalError):
                Book.objects.using(other).select_for_update(nowait=True).get(pk=book.pk)
    q = connections["default"].ops.quote_name
    assert last_sql(captured).endswith(f"FOR UPDATE OF {q(Book._meta.db_table)}")


def test_of_a_related_name_locks_the_joined_table_by_its_alias(other, rows):
    if not connections["default"].features.has_select_for_update_of:
        pytest.skip("no FOR UPDATE OF here (MariaDB)")
    with transaction.atomic(), CaptureQueries() as captured:
        book = Book.objects.select_related("publisher").select_for_update(of=("publisher",)).get(pk=rows[0].pk)
        with transaction.atomic(using=other):
            Book.objects.using(other).select_for_update(nowait=True).get(pk=book.pk)
            with pytest.raises(exceptions.OperationalError):
                Publisher.objects.using(other).select_for_update(nowait=True).get(pk=book.publisher_id)
    q = connections["default"].ops.quote_name
    assert last_sql(captured).endswith(f"FOR UPDATE OF {q(Publisher._meta.db_table)}")


def test_of_names_a_relation_not_followed_with_select_related(server, rows):
    if not connections["default"].features.has_select_for_update_of:
        pytest.skip("no FOR UPDATE OF here (MariaDB)")
    with transaction.atomic(), assert_num_queries(0):
        with pytest.raises(exceptions.FieldError, match=r"'publisher'.*select_related\('publisher'\)"):
            list(Book.objects.select_for_update(of=("publisher",)))
        with pytest.raises(exceptions.FieldError, match=r"'nope'.*choices are: self, publisher"):
            list(Book.objects.select_related("publisher").select_for_update(of=("nope",)))


def test_no_key_lets_others_reference_the_row(other, rows):
    if not connections["default"].features.has_select_for_no_key_update:
        pytest.skip("no FOR NO KEY UPDATE here")
    acme = rows[0].publisher
    with transaction.atomic(), CaptureQueries() as captured:
        Publisher.objects.select_for_update(no_key=True).get(pk=acme.pk)
        with transaction.atomic(using=other):
            # Inserting a row that references acme takes a key-share lock: FOR UPDATE would block it.
            Book.objects.using(other).create(title="new", publisher_id=acme.pk)
    assert last_sql(captured).endswith("FOR NO KEY UPDATE")
    assert Book.objects.filter(title="new").count() == 1


# -- what a backend cannot do -------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "flag"),
    [
        ({"nowait": True}, "has_select_for_update_nowait"),
        ({"skip_locked": True}, "has_select_for_update_skip_locked"),
        ({"of": ("self",)}, "has_select_for_update_of"),
        ({"no_key": True}, "has_select_for_no_key_update"),
    ],
)
def test_an_option_the_database_lacks_is_refused_before_any_sql(server, rows, options, flag):
    features = connections["default"].features
    if getattr(features, flag):
        pytest.skip(f"{server} has it")
    refused = pytest.raises(exceptions.NotSupportedError, match="not supported on this database backend")
    with transaction.atomic(), assert_num_queries(0), refused:
        list(Book.objects.select_for_update(**options))


@pytest.mark.parametrize(
    ("server_info", "nowait", "skip_locked", "of"),
    [
        ("5.5.5-10.5.8-MariaDB-1:10.5.8+maria~focal", True, False, False),
        ("10.11.19-MariaDB-0+deb12u1", True, True, False),
        ("8.0.36", True, True, True),
        ("8.0.0-dmr", False, False, False),
    ],
)
def test_mysql_options_follow_the_server_version(server_info, nowait, skip_locked, of):
    from relata.backends.mysql.features import DatabaseFeatures

    class Answering:
        def server_info(self):
            return server_info

    features = DatabaseFeatures(Answering())
    assert features.has_select_for_update_nowait is nowait
    assert features.has_select_for_update_skip_locked is skip_locked
    assert features.has_select_for_update_of is of
    assert features.has_select_for_no_key_update is False
