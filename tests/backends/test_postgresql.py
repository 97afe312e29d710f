"""What the PostgreSQL backend does its own way: native types, RETURNING, deferred
foreign keys, transactional DDL, the aborted-transaction rule, catalog
introspection, the PEP 249 error mapping and the flags for compatible databases.
"""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest

import relata
from relata import exceptions, models, transaction
from relata.backends.postgresql.features import DatabaseFeatures
from relata.db import connections
from relata.sql.ddl import ColumnSpec, Reference, TableSpec
from relata.testing import assert_num_queries, databases
from relata.testing.pytest_plugin import use_models


class Shelf(models.Model):
    label = models.CharField(max_length=20, unique=True)

    class Meta:
        app_label = "b_pg"


class Volume(models.Model):
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, null=True)
    title = models.CharField(max_length=40)
    pages = models.IntegerField(default=0)
    data = models.JSONField(null=True)
    key = models.UUIDField(null=True)
    span = models.DurationField(null=True)
    price = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    stamp = models.DateTimeField(null=True)

    class Meta:
        app_label = "b_pg"


use_models(Shelf, Volume)


def columns(table):
    return {c.name: c for c in relata.connection.introspection.get_columns(table)}


def test_native_column_types(postgresql):
    types = {name: c.type for name, c in columns("b_pg_volume").items()}
    assert types["id"] == "bigint" and types["data"] == "jsonb" and types["key"] == "uuid"
    assert types["span"] == "interval" and types["price"] == "numeric(6,2)"
    assert types["stamp"] == "timestamp with time zone" and types["title"] == "character varying(40)"


def test_values_round_trip_through_native_types(postgresql):
    key = uuid.uuid4()
    moment = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    Volume.objects.create(
        title="a",
        data={"x": [1, None]},
        key=key,
        span=datetime.timedelta(days=2),
        price=decimal.Decimal("3.50"),
        stamp=moment,
    )
    got = Volume.objects.get()
    assert (got.data, got.key, got.span, got.price) == (
        {"x": [1, None]},
        key,
        datetime.timedelta(days=2),
        decimal.Decimal("3.50"),
    )
    assert got.stamp == moment and got.stamp.utcoffset() == datetime.timedelta(0)
    assert Volume.objects.filter(key=key, data={"x": [1, None]}).count() == 1


def test_single_insert_returns_its_id_in_the_same_statement(postgresql):
    with assert_num_queries(1) as captured:
        volume = Volume.objects.create(title="a")
    assert captured[0].sql.endswith('RETURNING "id"') and volume.pk is not None


def test_bulk_create_returns_every_id_in_one_statement(postgresql):
    with assert_num_queries(1):
        made = Volume.objects.bulk_create([Volume(title=str(i)) for i in range(5)])
    assert [v.pk for v in made] == sorted(v.pk for v in made) and None not in [v.pk for v in made]


def test_on_conflict_ignore_and_update(postgresql):
    Shelf.objects.create(label="a")
    Shelf.objects.bulk_create([Shelf(label="a"), Shelf(label="b")], ignore_conflicts=True)
    assert sorted(Shelf.objects.values_list("label", flat=True)) == ["a", "b"]
    Volume.objects.create(id=1, title="old")
    Volume.objects.bulk_create(
        [Volume(id=1, title="new")], update_conflicts=True, update_fields=["title"], unique_fields=["id"]
    )
    assert Volume.objects.get(pk=1).title == "new"


def test_percent_and_underscore_in_patterns_are_literal(postgresql):
    Volume.objects.create(title="100% a_b")
    Volume.objects.create(title="100 xab")
    assert Volume.objects.filter(title__contains="0% a_").count() == 1
    # A pattern built from a column: the literal '%' of the SQL text is escaped for the driver.
    assert Volume.objects.filter(title__icontains=models.F("title")).count() == 2
    assert Volume.objects.filter(title__startswith=models.F("title")).count() == 2


def test_case_insensitive_and_regex_lookups_work_on_non_text_columns(postgresql):
    Volume.objects.create(title="Dune", pages=412)
    assert Volume.objects.filter(title__iexact="dUNE").count() == 1
    assert Volume.objects.filter(pages__contains=41).count() == 1
    assert Volume.objects.filter(title__regex="^D").count() == 1
    assert Volume.objects.filter(title__iregex="^d").count() == 1
    assert Volume.objects.filter(title__regex="^d").count() == 0


def test_extract_parts_are_integers(postgresql):
    Volume.objects.create(title="a", stamp=datetime.datetime(2024, 2, 29, 23, 59, 58, 999999, tzinfo=datetime.UTC))
    assert Volume.objects.filter(stamp__year=2024, stamp__month=2, stamp__day=29).count() == 1
    assert Volume.objects.filter(stamp__second=58).count() == 1


def test_bulk_update_casts_each_branch_to_the_column_type(postgresql):
    volumes = Volume.objects.bulk_create([Volume(title="a"), Volume(title="b")])
    for index, volume in enumerate(volumes):
        volume.data, volume.key, volume.pages = {"i": index}, uuid.UUID(int=index), index + 10
    assert Volume.objects.bulk_update(volumes, ["data", "key", "pages"]) == 2
    assert sorted(Volume.objects.values_list("pages", "data")) == [(10, {"i": 0}), (11, {"i": 1})]


def test_foreign_keys_are_deferred_to_commit(postgresql):
    with transaction.atomic():
        Volume.objects.create(title="early", shelf_id=4242)  # the shelf comes later
        Shelf.objects.create(id=4242, label="late")
    assert Volume.objects.get().shelf.label == "late"
    with pytest.raises(exceptions.IntegrityError), transaction.atomic():
        Volume.objects.create(title="orphan", shelf_id=999)
    assert Volume.objects.filter(title="orphan").count() == 0


def test_ddl_rolls_back_with_the_transaction(postgresql):
    spec = TableSpec("b_pg_scratch", (ColumnSpec("id", "BigAutoField", primary_key=True),))
    with pytest.raises(RuntimeError), transaction.atomic():
        with relata.connection.schema_editor() as editor:
            editor.create_table(spec)
        assert "b_pg_scratch" in relata.connection.introspection.table_names()
        raise RuntimeError
    assert "b_pg_scratch" not in relata.connection.introspection.table_names()


def test_a_failed_statement_needs_its_savepoint(postgresql):
    Shelf.objects.create(label="a")
    with transaction.atomic():
        with pytest.raises(exceptions.IntegrityError), transaction.atomic():
            Shelf.objects.create(label="a")
        Shelf.objects.create(label="b")  # the savepoint rolled back: the transaction goes on
    assert sorted(Shelf.objects.values_list("label", flat=True)) == ["a", "b"]
    doomed = pytest.raises(exceptions.TransactionManagementError, match="until the end of the 'atomic' block")
    with doomed, transaction.atomic():
        with pytest.raises(exceptions.IntegrityError):
            Shelf.objects.create(label="a")
        Shelf.objects.count()


def test_errors_are_mapped_to_the_pep249_family(postgresql):
    with pytest.raises(exceptions.IntegrityError) as unique:
        Shelf.objects.bulk_create([Shelf(label="x"), Shelf(label="x")])
    assert isinstance(unique.value, exceptions.DatabaseError)
    with pytest.raises(exceptions.ProgrammingError):
        relata.connection.execute("SELECT no_such_column FROM b_pg_shelf")
    with pytest.raises(exceptions.DataError):
        Volume.objects.create(title="x" * 41)


def test_catalog_introspection(postgresql):
    introspection = relata.connection.introspection
    assert {"b_pg_shelf", "b_pg_volume"} <= set(introspection.table_names())
    cols = columns("b_pg_volume")
    assert cols["id"].primary_key and not cols["id"].null and cols["shelf_id"].null
    indexes = introspection.get_indexes("b_pg_volume")
    assert any(i.columns == ("shelf_id",) and not i.unique for i in indexes)
    assert any(i.primary_key and i.columns == ("id",) for i in indexes)
    assert any(i.unique and i.columns == ("label",) for i in introspection.get_indexes("b_pg_shelf"))
    fks = introspection.get_foreign_keys("b_pg_volume")
    assert [(f.column, f.table, f.target_column) for f in fks] == [("shelf_id", "b_pg_shelf", "id")]


def test_compatible_databases_switch_flags_not_backends(postgresql):
    assert relata.connection.features.flavor == "postgresql"
    assert DatabaseFeatures.flavor_from_version("13.0 cockroachdb", set()) == "cockroachdb"
    assert DatabaseFeatures.flavor_from_version("11.2-YB-2.20.0.0-b0", set()) == "yugabytedb"
    assert DatabaseFeatures.flavor_from_version("15.4", {"citus"}) == "citus"
    url = databases.test_database_url("postgresql")
    relata.connect(url + "?flavor=cockroachdb", alias="crdb")
    try:
        crdb = connections["crdb"]
        assert not crdb.features.supports_deferrable_foreign_keys and not crdb.features.can_rollback_ddl
        spec = ColumnSpec("shelf_id", "ForeignKey", references=Reference("b_pg_shelf", "id"))
        assert "DEFERRABLE" not in crdb.schema_editor().add_foreign_key_sql("t", spec)
        assert "DEFERRABLE" in relata.connection.schema_editor().add_foreign_key_sql("t", spec)
    finally:
        connections.forget("crdb")
    with pytest.raises(exceptions.ImproperlyConfigured, match="Unknown PostgreSQL flavor 'oracle'"):
        relata.connect(url + "?flavor=oracle", alias="bad")
        connections["bad"]
    connections.forget("bad")


def test_pooled_connections_are_shared_and_returned(postgresql):
    url = databases.test_database_url("postgresql")
    relata.connect(url + "?pool=true&pool_min_size=1&pool_max_size=1", alias="pooled")
    try:
        first = connections["pooled"].execute("SELECT pg_backend_pid()").fetchone()[0]
        connections["pooled"].close()  # back to the pool, not closed
        assert connections["pooled"].execute("SELECT pg_backend_pid()").fetchone()[0] == first
    finally:
        connections.forget("pooled")


def test_concat_joins_any_type_as_text(postgresql):
    from relata.models import TextField
    from relata.models.functions import Concat

    Volume.objects.create(title="a", pages=12)
    # Mixed types need output_field= (Django's rule); PostgreSQL then joins each part as text.
    assert Volume.objects.annotate(c=Concat("title", "pages", "shelf", output_field=TextField())).get().c == "a12"


def _open_stream_cursors() -> int:
    row = connections["default"].execute("SELECT count(*) FROM pg_cursors WHERE name LIKE 'relata_stream_%%'")
    return row.fetchone()[0]


@pytest.mark.parametrize("in_transaction", [False, True])
def test_iterator_reads_through_a_server_side_cursor(postgresql, in_transaction):
    Volume.objects.bulk_create([Volume(title=f"v{i}") for i in range(5)])

    def consume() -> list[str]:
        titles = []
        for volume in Volume.objects.order_by("id").iterator(chunk_size=2):
            titles.append(volume.title)
            assert _open_stream_cursors() == 1
        return titles

    if in_transaction:
        with transaction.atomic():
            titles = consume()
    else:
        titles = consume()
    assert titles == [f"v{i}" for i in range(5)]
    assert _open_stream_cursors() == 0
