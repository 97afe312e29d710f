"""What the MySQL/MariaDB backend does its own way: backticks, case-sensitive
pattern lookups whatever the collation, conflicts as ON DUPLICATE KEY, row-by-row
foreign key checks, self-selecting UPDATE/DELETE, non-transactional DDL,
information_schema introspection and the PEP 249 error mapping.
"""

from __future__ import annotations

import datetime

import pytest

import relata
from relata import exceptions, models, transaction
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models


class Folder(models.Model):
    name = models.CharField(max_length=20, unique=True)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, related_name="children")

    class Meta:
        app_label = "b_my"


class Doc(models.Model):
    folder = models.ForeignKey(Folder, on_delete=models.CASCADE, null=True)
    title = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    at = models.TimeField(null=True)
    stamp = models.DateTimeField(null=True)

    class Meta:
        app_label = "b_my"


use_models(Folder, Doc)


def test_names_are_quoted_with_backticks(mysql):
    with assert_num_queries(1) as captured:
        Doc.objects.create(title="a")
    assert captured[0].sql.startswith("INSERT INTO `b_my_doc` (`folder_id`, `title`")


def test_pattern_lookups_keep_case_whatever_the_collation(mysql):
    Doc.objects.create(title="The Road")
    Doc.objects.create(title="the end")
    assert Doc.objects.filter(title__contains="The").count() == 1
    assert Doc.objects.filter(title__icontains="THE").count() == 2
    assert Doc.objects.filter(title__regex="^T").count() == 1
    assert Doc.objects.filter(title__iregex="^t").count() == 2
    assert Doc.objects.filter(title__contains=models.F("title")).count() == 2


def test_conflicts_use_on_duplicate_key(mysql):
    Folder.objects.create(name="a")
    Folder.objects.bulk_create([Folder(name="a"), Folder(name="b")], ignore_conflicts=True)
    assert sorted(Folder.objects.values_list("name", flat=True)) == ["a", "b"]
    with pytest.raises(exceptions.IntegrityError):  # ignoring conflicts must not ignore a bad foreign key
        Doc.objects.bulk_create([Doc(title="x", folder_id=999)], ignore_conflicts=True)


def test_deleting_a_tree_of_self_referencing_rows(mysql):
    root = Folder.objects.create(name="root")
    child = Folder.objects.create(name="child", parent=root)
    Folder.objects.create(name="leaf", parent=child)
    Doc.objects.create(title="d", folder=child)
    deleted, counts = root.delete()
    assert deleted == 4 and counts == {"b_my.Folder": 3, "b_my.Doc": 1}
    assert Folder.objects.count() == 0


def test_update_and_delete_through_a_join_read_their_own_table(mysql):
    folder = Folder.objects.create(name="f")
    Doc.objects.create(title="a", folder=folder)
    Doc.objects.create(title="b")
    assert Doc.objects.filter(folder__name="f").update(size=7) == 1
    assert Doc.objects.filter(folder__name="f").delete()[0] == 1
    assert list(Doc.objects.values_list("title", "size")) == [("b", 0)]


def test_ddl_is_not_transactional(mysql):
    assert relata.connection.features.can_rollback_ddl is False
    assert relata.connection.features.supports_filtered_aggregates is False
    Doc.objects.create(title="a", size=1)
    Doc.objects.create(title="b", size=2)
    assert Doc.objects.aggregate(big=models.Count("id", filter=models.Q(size__gt=1))) == {"big": 1}


def test_times_and_datetimes(mysql):
    moment = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    Doc.objects.create(title="a", at=datetime.time(13, 14, 15, 16), stamp=moment)
    doc = Doc.objects.get()
    assert doc.at == datetime.time(13, 14, 15, 16)
    assert doc.stamp == moment and doc.stamp.utcoffset() == datetime.timedelta(0)
    assert Doc.objects.filter(stamp__hour=5).count() == 1  # stored in UTC


def test_errors_are_mapped_to_the_pep249_family(mysql):
    with pytest.raises(exceptions.DataError):
        Doc.objects.create(title="a", size=-1)  # UNSIGNED refuses first, as with Django on MySQL
    with pytest.raises(exceptions.IntegrityError):
        relata.connection.execute("INSERT INTO b_my_doc (title, size) VALUES (NULL, 0)")
    with pytest.raises(exceptions.DataError):
        Doc.objects.create(title="x" * 41)  # strict sql_mode: no silent truncation
    with pytest.raises(exceptions.ProgrammingError):
        relata.connection.execute("SELECT no_such_column FROM b_my_doc")
    with pytest.raises(exceptions.IntegrityError), transaction.atomic():
        Doc.objects.create(title="x", folder_id=999)


def test_information_schema_introspection(mysql):
    introspection = relata.connection.introspection
    assert {"b_my_doc", "b_my_folder"} <= set(introspection.table_names())
    columns = {c.name: c for c in introspection.get_columns("b_my_doc")}
    assert columns["id"].primary_key and columns["title"].type == "varchar(40)"
    assert columns["size"].type.endswith("unsigned") and columns["folder_id"].null
    indexes = introspection.get_indexes("b_my_folder")
    assert any(i.unique and i.columns == ("name",) for i in indexes)
    assert any(i.primary_key for i in indexes)
    fks = introspection.get_foreign_keys("b_my_folder")
    assert [(f.column, f.table, f.target_column) for f in fks] == [("parent_id", "b_my_folder", "id")]


def test_driver_is_mysqlclient_or_pymysql(mysql):
    assert relata.connection.driver in {"mysqlclient", "PyMySQL"}


def test_a_sliced_subquery_inside_in(mysql):
    for title in ("a", "b", "c"):
        Doc.objects.create(title=title)
    first_two = Doc.objects.order_by("title").values("pk")[:2]
    assert sorted(Doc.objects.filter(pk__in=first_two).values_list("title", flat=True)) == ["a", "b"]
