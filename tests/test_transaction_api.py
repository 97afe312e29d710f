"""Transactions the caller manages, savepoint functions, durable blocks and the raw-SQL cursor.

Each as Django 5.2 documents it: `set_autocommit(False)` hands the transaction
to the caller (`commit()`, `rollback()`; an atomic() block is then a savepoint
inside it), and `connection.cursor()` is a context manager that speaks `%s`
on every backend.
"""

import pytest

import relata
from relata import exceptions, models, transaction
from relata.testing import CaptureQueries
from relata.testing.pytest_plugin import use_models


class Note(models.Model):
    text = models.CharField(max_length=20, unique=True)

    class Meta:
        app_label = "t_manual"


use_models(Note)


class Boom(Exception):
    pass


def texts():
    return sorted(Note.objects.values_list("text", flat=True))


def second_session_possible():
    name = str(relata.connections[relata.connection.alias].settings.get("NAME") or ":memory:")
    return relata.connection.vendor != "sqlite" or (name != ":memory:" and "mode=memory" not in name)


def other_connection_texts():
    """What another session sees: only committed rows."""
    if not second_session_possible():
        pytest.skip("an in-memory SQLite database has no second session")
    current = relata.connections[relata.connection.alias]
    fresh = type(current)(current.settings, current.alias)
    try:
        table = relata.connection.ops.quote_name(Note._meta.db_table)
        return sorted(row[0] for row in fresh.execute(f"SELECT text FROM {table}").fetchall())
    finally:
        fresh.close()


@pytest.fixture
def manual():
    transaction.set_autocommit(False)
    assert not transaction.get_autocommit()
    yield
    transaction.rollback()
    transaction.set_autocommit(True)
    assert transaction.get_autocommit()


# -- set_autocommit / commit / rollback ------------------------------------------------


def test_nothing_commits_until_commit(manual):
    Note.objects.create(text="a")
    assert texts() == ["a"]  # this session sees its own work
    if relata.connection.vendor != "sqlite":  # SQLite's other session would wait for the write lock
        assert other_connection_texts() == []
    transaction.commit()
    transaction.set_autocommit(True)
    Note.objects.create(text="b")  # back in autocommit: committed by itself
    transaction.set_autocommit(False)
    assert other_connection_texts() == ["a", "b"]


def test_rollback_undoes_everything_since_the_last_commit(manual):
    Note.objects.create(text="kept")
    transaction.commit()
    Note.objects.create(text="dropped")
    transaction.rollback()
    assert texts() == ["kept"]


def test_queries_work_after_an_error_and_a_rollback(manual):
    first = Note.objects.create(text="a")
    with pytest.raises(exceptions.IntegrityError):
        Note(text="b", id=first.id).save(force_insert=True)
    transaction.rollback()
    assert Note.objects.last() is None  # the rollback took the first row too


def test_atomic_inside_manual_mode_is_a_savepoint(manual):
    Note.objects.create(text="outer")
    with pytest.raises(Boom), transaction.atomic():
        Note.objects.create(text="inner")
        raise Boom
    assert texts() == ["outer"]  # only the block's work was undone
    with transaction.atomic():
        Note.objects.create(text="second")
    assert not relata.connection.in_atomic_block
    assert not transaction.get_autocommit()  # still the caller's transaction
    transaction.rollback()  # atomic() committed nothing of its own
    assert texts() == []


def test_on_commit_waits_for_autocommit_after_a_manual_commit(manual):
    ran = []
    with transaction.atomic():
        transaction.on_commit(lambda: ran.append("hook"))
    assert ran == []
    transaction.commit()
    assert ran == []
    transaction.set_autocommit(True)
    assert ran == ["hook"]
    transaction.set_autocommit(False)  # for the fixture's teardown


def test_on_commit_outside_atomic_in_manual_mode_is_refused(manual):
    with pytest.raises(exceptions.TransactionManagementError, match="manual transaction management"):
        transaction.on_commit(lambda: None)


def test_manual_rollback_drops_pending_hooks(manual):
    ran = []
    with transaction.atomic():
        transaction.on_commit(lambda: ran.append("hook"))
    transaction.rollback()
    transaction.set_autocommit(True)
    assert ran == []
    transaction.set_autocommit(False)


@pytest.mark.parametrize("call", ["set_autocommit", "commit", "rollback"])
def test_manual_control_is_forbidden_inside_atomic(call):
    autocommit = relata.connection.autocommit
    with transaction.atomic():
        Note.objects.create(text="a")
        action = {
            "set_autocommit": lambda: transaction.set_autocommit(False),
            "commit": transaction.commit,
            "rollback": transaction.rollback,
        }[call]
        with pytest.raises(exceptions.TransactionManagementError, match="forbidden when an 'atomic' block"):
            action()
    assert relata.connection.autocommit is autocommit
    assert texts() == ["a"]


def test_select_for_update_runs_in_a_manual_transaction(manual):
    if not relata.connection.features.supports_select_for_update:
        pytest.skip("no SELECT ... FOR UPDATE here")
    Note.objects.create(text="a")
    with CaptureQueries() as queries:
        assert [n.text for n in Note.objects.select_for_update()] == ["a"]
    assert "FOR UPDATE" in queries[-1]["sql"]


def test_select_for_update_in_autocommit_is_refused():
    if not relata.connection.features.supports_select_for_update:
        pytest.skip("no SELECT ... FOR UPDATE here")
    with pytest.raises(exceptions.TransactionManagementError, match="outside of a transaction"):
        list(Note.objects.select_for_update())


# -- durable ---------------------------------------------------------------------------


def test_durable_blocks_in_sequence_commit_each():
    with transaction.atomic(durable=True):
        Note.objects.create(text="one")
    with transaction.atomic(durable=True):
        Note.objects.create(text="two")
    assert other_connection_texts() == ["one", "two"]


def test_durable_inside_a_test_harness_block_is_allowed():
    harness = transaction.atomic()
    harness._from_testcase = True  # what a TestCase-style harness marks its own block with
    with harness:
        with transaction.atomic(durable=True):
            Note.objects.create(text="a")
        with (
            pytest.raises(RuntimeError, match="cannot be nested"),
            transaction.atomic(),
            transaction.atomic(durable=True),
        ):
            pass
        transaction.set_rollback(True)
    assert texts() == []


# -- savepoints and the broken-transaction rule ----------------------------------------


def test_recovering_by_hand_with_a_savepoint():
    with transaction.atomic():
        kept = Note.objects.create(text="kept")
        sid = transaction.savepoint()
        with (
            pytest.raises(exceptions.DatabaseError),
            transaction.atomic(savepoint=False),
            relata.connection.cursor() as cursor,
        ):
            cursor.execute("SELECT no_such_column FROM " + relata.connection.ops.quote_name("t_manual_note"))
        assert transaction.get_rollback()
        transaction.set_rollback(False)
        transaction.savepoint_rollback(sid)
    assert [n.pk for n in Note.objects.all()] == [kept.pk]


def test_savepoint_is_none_outside_a_transaction():
    assert transaction.savepoint() is None


def test_a_manual_savepoint_rollback_keeps_on_commit_hooks():
    # As in Django: only atomic()'s own savepoints own the hooks registered inside them.
    ran = []
    with transaction.atomic():
        transaction.on_commit(lambda: ran.append("before"))
        sid = transaction.savepoint()
        transaction.on_commit(lambda: ran.append("after"))
        transaction.savepoint_rollback(sid)
        transaction.savepoint_commit(sid)
    assert ran == ["before", "after"]


def test_a_released_savepoint_cannot_be_rolled_back_to():
    with pytest.raises(exceptions.Error), transaction.atomic():
        with pytest.raises(Boom), transaction.atomic():
            sid = relata.connection.savepoint_ids[-1]
            raise Boom
        relata.connection.savepoint_rollback(sid)
    assert texts() == []


def test_broken_transaction_error_names_its_cause():
    first = Note.objects.create(text="a")
    with transaction.atomic():
        with pytest.raises(exceptions.IntegrityError):
            Note(text="b", id=first.id).save(force_insert=True)
        with pytest.raises(exceptions.TransactionManagementError, match="until the end of the 'atomic' block") as info:
            Note.objects.count()
    assert isinstance(info.value.__cause__, exceptions.IntegrityError)


def test_mark_for_rollback_on_error_dooms_only_a_transaction():
    with pytest.raises(Boom), transaction.mark_for_rollback_on_error():
        raise Boom
    assert not relata.connection.needs_rollback
    with transaction.atomic(savepoint=False):
        with pytest.raises(Boom), transaction.mark_for_rollback_on_error():
            raise Boom
        assert transaction.get_rollback()
        with pytest.raises(exceptions.TransactionManagementError) as info:
            Note.objects.create(text="x")
        assert isinstance(info.value.__cause__, Boom)
    Note.objects.create(text="after")
    assert texts() == ["after"]


# -- the raw-SQL cursor ---------------------------------------------------------------


def test_cursor_speaks_percent_s_on_every_backend():
    Note.objects.create(text="50%")
    table = relata.connection.ops.quote_name("t_manual_note")
    with relata.connection.cursor() as cursor:
        cursor.execute(f"SELECT text FROM {table} WHERE text = %s AND text LIKE '5%%'", ["50%"])
        assert [tuple(row) for row in cursor.fetchall()] == [("50%",)]


def test_cursor_without_params_keeps_percent_signs():
    with relata.connection.cursor() as cursor:
        cursor.execute("SELECT '100%'")
        assert tuple(cursor.fetchone()) == ("100%",)


def test_cursor_reports_relata_errors_and_is_counted():
    with CaptureQueries() as queries, relata.connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        with pytest.raises(exceptions.DatabaseError):
            cursor.execute("SELECT * FROM no_such_table_here")
    assert [q["sql"] for q in queries][:1] == ["SELECT 1"]


def test_cursor_executemany_and_iteration():
    table = relata.connection.ops.quote_name("t_manual_note")
    column = relata.connection.ops.quote_name("text")
    with relata.connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({column}) VALUES (%s)", [["x"], ["y"]])
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY {column}")
        assert [tuple(row) for row in cursor] == [("x",), ("y",)]


def test_ops_adapt_values_for_raw_sql():
    import datetime
    import decimal

    ops = relata.connection.ops
    with relata.connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s, %s",
            [
                ops.adapt_datefield_value(datetime.date(2026, 12, 7)),
                ops.adapt_decimalfield_value(decimal.Decimal("1.50")),
            ],
        )
        day, amount = cursor.fetchone()
    assert str(day)[:10] == "2026-12-07"
    assert decimal.Decimal(str(amount)) == decimal.Decimal("1.50")
    assert ops.adapt_datefield_value(None) is None
