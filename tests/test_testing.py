"""relata.testing: create_tables, drop_tables, CaptureQueries, assert_num_queries."""

import pytest

import relata
from relata import exceptions, models
from relata.testing import CaptureQueries, assert_num_queries, create_tables, drop_tables


class Alpha(models.Model):
    name = models.CharField(max_length=10, db_index=True)

    class Meta:
        app_label = "t_testing"


class Beta(models.Model):
    alpha = models.ForeignKey(Alpha, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Alpha, related_name="tagged")

    class Meta:
        app_label = "t_testing"


def tables():
    return set(relata.connection.introspection.table_names())


@pytest.fixture
def clean(relata_backend):
    drop_tables(Beta, Alpha)
    yield
    drop_tables(Beta, Alpha)


def test_create_tables_in_dependency_order_with_m2m_tables(clean):
    create_tables(Beta, Alpha)  # Beta first: create_tables reorders
    assert {"t_testing_alpha", "t_testing_beta", "t_testing_beta_tags"} <= tables()
    a = Alpha.objects.create(name="a")
    Beta.objects.create(alpha=a).tags.add(a)
    indexes = relata.connection.introspection.get_indexes("t_testing_alpha")
    assert any(i.columns == ("name",) for i in indexes)


def test_drop_tables_drops_dependents_first_and_ignores_missing(clean):
    create_tables(Alpha, Beta)
    drop_tables(Alpha, Beta)
    assert not {"t_testing_alpha", "t_testing_beta", "t_testing_beta_tags"} & tables()
    drop_tables(Alpha, Beta)  # nothing left to drop: no error


def test_create_existing_table_is_a_database_error(clean):
    create_tables(Alpha)
    with pytest.raises(exceptions.DatabaseError):
        create_tables(Alpha)


def test_capture_queries_records_sql_and_params(clean):
    create_tables(Alpha)
    with CaptureQueries() as captured:
        Alpha.objects.create(name="x")
        list(Alpha.objects.filter(name="x"))
    assert len(captured) == 2
    assert captured.queries[0].sql.startswith("INSERT") and list(captured.queries[0].params) == ["x"]
    assert captured[1]["sql"].startswith("SELECT")
    assert [q["params"] for q in captured.captured_queries][1] in (["x"], ("x",))
    assert [q.sql for q in captured] == [q.sql for q in captured.queries]
    with CaptureQueries():
        pass
    assert len(captured) == 2  # stopped listening on exit


def test_assert_num_queries_passes_and_fails_with_a_listing(clean):
    create_tables(Alpha)
    with assert_num_queries(1):
        Alpha.objects.count()
    with pytest.raises(AssertionError) as info, assert_num_queries(0):
        Alpha.objects.filter(name="q").count()
    message = str(info.value)
    assert message.startswith("1 queries executed, 0 expected")
    assert "SELECT COUNT(*)" in message and "'q'" in message


def test_capture_queries_is_per_alias(clean):
    other = relata.connect("sqlite:///:memory:", alias="t_other")
    try:
        create_tables(Alpha)
        with CaptureQueries(using="t_other") as captured:
            Alpha.objects.count()
            other.execute("SELECT 1")
        assert [q.sql for q in captured] == ["SELECT 1"]
    finally:
        relata.connections.forget("t_other")


def test_sqlite_file_test_database_starts_empty_and_is_removed(tmp_path):
    from relata.testing import databases

    url = f"sqlite:///{tmp_path / 'leftover.sqlite3'}"
    (tmp_path / "leftover.sqlite3").write_bytes(b"left by a killed run")
    databases.create_test_database(url)
    assert not (tmp_path / "leftover.sqlite3").exists()
    relata.connect(url, alias="file_test")
    try:
        relata.connections["file_test"].execute("CREATE TABLE t (x integer)")
        assert (tmp_path / "leftover.sqlite3").exists()
    finally:
        relata.connections["file_test"].close()
    databases.destroy_test_database(url)
    assert not (tmp_path / "leftover.sqlite3").exists()
    databases.destroy_test_database("sqlite:///:memory:")  # nothing to remove: no error
