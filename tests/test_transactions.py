"""transaction.atomic, savepoints, rollback, on_commit, set_rollback, autocommit."""

import pytest

import oracle
import relata
from relata import exceptions, models, transaction
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Entry(models.Model):
    name = models.CharField(max_length=20, unique=True)

    class Meta:
        app_label = "t_atomic"


class dj:
    class Entry(dm.Model):
        name = dm.CharField(max_length=20, unique=True)

        class Meta(oracle.Meta("t_atomic")):
            pass


use_models(Entry)
oracle.use_django_models(dj.Entry)


class Boom(Exception):
    pass


def names():
    return sorted(Entry.objects.values_list("name", flat=True))


def test_autocommit_outside_atomic():
    assert transaction.get_autocommit()
    assert not relata.connection.in_atomic_block
    Entry.objects.create(name="a")
    with pytest.raises(exceptions.IntegrityError):
        Entry.objects.create(name="a")
    assert names() == ["a"]  # the first statement was committed on its own


def test_atomic_context_manager_commits():
    with transaction.atomic():
        assert relata.connection.in_atomic_block and not transaction.get_autocommit()
        Entry.objects.create(name="a")
        Entry.objects.create(name="b")
    assert not relata.connection.in_atomic_block
    assert names() == ["a", "b"]


def test_exception_rolls_back_and_propagates():
    with pytest.raises(Boom), transaction.atomic():
        Entry.objects.create(name="a")
        raise Boom
    assert names() == []


def test_atomic_decorator_with_and_without_arguments():
    @transaction.atomic
    def bare(fail):
        Entry.objects.create(name="bare")
        if fail:
            raise Boom

    @transaction.atomic(using="default")
    def called(fail):
        Entry.objects.create(name="called")
        if fail:
            raise Boom

    for func in (bare, called):
        with pytest.raises(Boom):
            func(True)
    assert names() == []
    bare(False)
    called(False)
    assert names() == ["bare", "called"]
    assert bare.__name__ == "bare"


def test_nested_atomic_failure_rolls_back_only_the_savepoint():
    with transaction.atomic():
        Entry.objects.create(name="outer")
        with pytest.raises(Boom), transaction.atomic():
            Entry.objects.create(name="inner")
            raise Boom
        Entry.objects.create(name="after")
    assert names() == ["after", "outer"]


def test_nested_success_then_outer_failure_rolls_back_everything():
    with pytest.raises(Boom), transaction.atomic():
        with transaction.atomic():
            Entry.objects.create(name="inner")
        raise Boom
    assert names() == []


def test_savepoint_query_counts_match_django():
    # Savepoints count as queries, as in Django. BEGIN/COMMIT do not (Django counts them
    # on SQLite only, where its driver issues them as statements): counts are backend-agnostic.
    with assert_num_queries(3) as captured, transaction.atomic(), transaction.atomic():
        Entry.objects.create(name="x")
    with oracle.num_queries() as theirs, oracle.django_transaction.atomic(), oracle.django_transaction.atomic():
        dj.Entry.objects.create(name="x")
    django_sql = [q["sql"] for q in theirs.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    assert len(captured) == len(django_sql) == 3
    assert [q.sql.split()[0] for q in captured] == ["SAVEPOINT", "INSERT", "RELEASE"]


def test_atomic_without_savepoint_dooms_the_outer_block():
    with transaction.atomic():
        Entry.objects.create(name="outer")
        with pytest.raises(Boom), transaction.atomic(savepoint=False):
            raise Boom
        assert transaction.get_rollback()
        with pytest.raises(exceptions.TransactionManagementError, match="until the end of the 'atomic' block"):
            Entry.objects.create(name="more")
    assert names() == []


def test_database_error_caught_inside_atomic_blocks_further_queries_like_django():
    Entry.objects.create(name="a")
    with transaction.atomic():
        with pytest.raises(exceptions.IntegrityError):
            Entry.objects.create(name="a")
        with pytest.raises(exceptions.TransactionManagementError) as info:
            Entry.objects.count()
        assert "atomic" in str(info.value)
    with oracle.django_transaction.atomic():
        dj.Entry.objects.create(name="a")
        with pytest.raises(oracle.django_transaction.TransactionManagementError):
            with pytest.raises(Exception, match="UNIQUE"):
                dj.Entry.objects.create(name="a")
            dj.Entry.objects.count()
    assert names() == ["a"]


def test_database_error_in_nested_atomic_leaves_outer_usable():
    with transaction.atomic():
        Entry.objects.create(name="a")
        with pytest.raises(exceptions.IntegrityError), transaction.atomic():
            Entry.objects.create(name="a")
        Entry.objects.create(name="b")
    assert names() == ["a", "b"]


def test_set_rollback():
    with transaction.atomic():
        Entry.objects.create(name="a")
        transaction.set_rollback(True)
    assert names() == []
    with pytest.raises(exceptions.TransactionManagementError, match="inside an atomic block"):
        transaction.set_rollback(True)


def test_durable_cannot_nest():
    with transaction.atomic(durable=True):
        Entry.objects.create(name="a")
    with (
        transaction.atomic(),
        pytest.raises(RuntimeError, match="durable atomic block cannot be nested"),
        transaction.atomic(durable=True),
    ):
        pass
    assert names() == ["a"]


# -- on_commit ---------------------------------------------------------------------


def test_on_commit_runs_after_the_outermost_commit_only():
    calls = []
    with transaction.atomic():
        transaction.on_commit(lambda: calls.append("outer"))
        with transaction.atomic():
            transaction.on_commit(lambda: calls.append("inner"))
        assert calls == []  # releasing a savepoint is not a commit
        Entry.objects.create(name="a")
        assert calls == []
    assert calls == ["outer", "inner"]


def test_on_commit_dropped_on_rollback():
    calls = []
    with pytest.raises(Boom), transaction.atomic():
        transaction.on_commit(lambda: calls.append("x"))
        raise Boom
    assert calls == []
    with transaction.atomic():
        transaction.on_commit(lambda: calls.append("kept"))
        with pytest.raises(Boom), transaction.atomic():
            transaction.on_commit(lambda: calls.append("rolled back"))
            raise Boom
    assert calls == ["kept"]


def test_on_commit_outside_atomic_runs_now():
    calls = []
    transaction.on_commit(lambda: calls.append(1))
    assert calls == [1]
    with pytest.raises(TypeError, match="callable"):
        transaction.on_commit("not callable")


def test_on_commit_robust_swallows_errors():
    calls = []

    def broken():
        raise Boom

    with transaction.atomic():
        transaction.on_commit(broken, robust=True)
        transaction.on_commit(lambda: calls.append("after"))
    assert calls == ["after"]


def test_on_commit_callback_sees_committed_data():
    seen = []
    with transaction.atomic():
        Entry.objects.create(name="a")
        transaction.on_commit(lambda: seen.append((relata.connection.in_atomic_block, names())))
    assert seen == [(False, ["a"])]
