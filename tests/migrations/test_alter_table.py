"""ALTER TABLE paths on every backend: type and NULL changes, uniques, foreign keys, renames.

Each scenario changes a table that holds rows, then checks the rows, the
constraints the database reports and that a later change can still find the
constraint or index by name (renames must not strand names). PostgreSQL runs
ALTER COLUMN, MySQL MODIFY, SQLite its table rebuild.
"""

import pytest

from migrations.helpers import apply, tables, unapply
from relata import models
from relata.db import connections
from relata.exceptions import IntegrityError
from relata.migrations import operations as ops
from relata.testing import CaptureQueries
from relata.transaction import atomic

APP = "alt"


@pytest.fixture(autouse=True)
def clean_tables(relata_backend):
    before = tables()
    yield
    editor = connections["default"].schema_editor()
    with editor.constraint_checks_off(), editor:
        for name in sorted(tables() - before, key=lambda t: "_" not in t.split(APP + "_", 1)[-1]):
            editor.drop_table(name)


def pk():
    return ("id", models.BigAutoField(auto_created=True, primary_key=True))


def library(**book_fields):
    fields = {
        "author": models.ForeignKey("alt.author", on_delete=models.CASCADE),
        "title": models.CharField(max_length=200),
        **book_fields,
    }
    return [
        ops.CreateModel("Author", [pk(), ("name", models.CharField(max_length=200))]),
        ops.CreateModel("Book", [pk(), *fields.items()]),
    ]


def fill(project, titles=("T1", "T2")):
    author = project.apps.get_model(APP, "author").objects.create(name="Alex")
    book = project.apps.get_model(APP, "book")
    for title in titles:
        book.objects.create(author=author, title=title)
    return author


def column(table, name):
    return {c.name: c for c in connections["default"].introspection.get_columns(table)}[name]


def index_names(table):
    return {i.name for i in connections["default"].introspection.get_indexes(table)}


def foreign_keys(table):
    return sorted((fk.column, fk.table) for fk in connections["default"].introspection.get_foreign_keys(table))


def refuses_duplicate(project, model_name, **values):
    """A second row with `values` is refused; values name relations by key (author_id=...)."""
    model = project.apps.get_model(APP, model_name)
    model.objects.create(**values)
    with pytest.raises(IntegrityError), atomic():
        model.objects.create(**values)
    model.objects.filter(**values).delete()


def test_type_change_converts_rows_and_back():
    project = apply(APP, library(pages=models.CharField(max_length=10, null=True)))
    author = fill(project)
    project.apps.get_model(APP, "book").objects.update(pages="42")
    change = [ops.AlterField("Book", "pages", models.IntegerField(null=True))]
    after = apply(APP, change, project)
    assert sorted(after.apps.get_model(APP, "book").objects.values_list("pages", flat=True)) == [42, 42]
    assert foreign_keys("alt_book") == [("author_id", "alt_author")]
    back = unapply(APP, change, project)
    assert list(
        back.apps.get_model(APP, "book").objects.filter(author=author.pk).values_list("pages", flat=True).distinct()
    ) == ["42"]


def test_not_null_with_one_off_default_fills_existing_nulls():
    project = apply(APP, library(pages=models.IntegerField(null=True)))
    fill(project)
    change = [ops.AlterField("Book", "pages", models.IntegerField(default=7), preserve_default=False)]
    after = apply(APP, change, project)
    assert sorted(after.apps.get_model(APP, "book").objects.values_list("pages", flat=True)) == [7, 7]
    assert not column("alt_book", "pages").null
    assert not after.models[APP, "book"].fields["pages"].has_default()
    unapply(APP, change, project)
    assert column("alt_book", "pages").null


def test_unique_added_and_dropped_again():
    project = apply(APP, library())
    fill(project)
    to_unique = [ops.AlterField("Book", "title", models.CharField(max_length=200, unique=True))]
    after = apply(APP, to_unique, project)
    author = fill(after, titles=())
    refuses_duplicate(after, "book", author_id=author.pk, title="Only once")
    unapply(APP, to_unique, project)
    book = project.apps.get_model(APP, "book")
    book.objects.create(author_id=author.pk, title="T1")
    assert book.objects.filter(title="T1").count() == 2


def test_foreign_key_retargeted_and_made_nullable():
    project = apply(APP, [*library(), ops.CreateModel("Publisher", [pk()])])
    fill(project)
    nullable = apply(
        APP, [ops.AlterField("Book", "author", models.ForeignKey("alt.author", models.SET_NULL, null=True))], project
    )
    assert column("alt_book", "author_id").null
    assert foreign_keys("alt_book") == [("author_id", "alt_author")]
    retarget = [ops.AlterField("Book", "author", models.ForeignKey("alt.publisher", models.SET_NULL, null=True))]
    nullable.apps.get_model(APP, "book").objects.update(author=None)
    after = apply(APP, retarget, nullable)
    assert foreign_keys("alt_book") == [("author_id", "alt_publisher")]
    assert after.apps.get_model(APP, "book").objects.count() == 2
    unapply(APP, retarget, nullable)
    assert foreign_keys("alt_book") == [("author_id", "alt_author")]


def test_removing_a_foreign_key_column_and_putting_it_back():
    project = apply(APP, library())
    fill(project)
    nullable = apply(
        APP, [ops.AlterField("Book", "author", models.ForeignKey("alt.author", models.CASCADE, null=True))], project
    )
    steps = [ops.RemoveField("Book", "author")]
    apply(APP, steps, nullable)
    assert foreign_keys("alt_book") == []
    unapply(APP, steps, nullable)
    assert foreign_keys("alt_book") == [("author_id", "alt_author")]
    assert column("alt_book", "author_id").null


def test_renamed_field_keeps_its_unique_and_can_drop_it_later():
    project = apply(APP, library(isbn=models.CharField(max_length=13, unique=True, null=True)))
    author = fill(project)
    renamed = apply(APP, [ops.RenameField("Book", "isbn", "code")], project)
    refuses_duplicate(renamed, "book", author_id=author.pk, title="x", code="123")
    plain = [ops.AlterField("Book", "code", models.CharField(max_length=13, null=True))]
    after = apply(APP, plain, renamed)
    book = after.apps.get_model(APP, "book")
    book.objects.create(author_id=author.pk, title="x", code="1")
    book.objects.create(author_id=author.pk, title="y", code="1")


def test_renamed_model_keeps_unique_together_and_can_change_it_later():
    project = apply(APP, [*library(), ops.AlterUniqueTogether("Book", {("author", "title")})])
    author = fill(project)
    renamed = apply(APP, [ops.RenameModel("Book", "Volume")], project)
    refuses_duplicate(renamed, "volume", author_id=author.pk, title="same")
    after = apply(APP, [ops.AlterUniqueTogether("Volume", set())], renamed)
    volume = after.apps.get_model(APP, "volume")
    volume.objects.create(author_id=author.pk, title="same")
    volume.objects.create(author_id=author.pk, title="same")


def test_renamed_field_in_unique_together_follows():
    project = apply(APP, [*library(), ops.AlterUniqueTogether("Book", {("author", "title")})])
    author = fill(project)
    renamed = apply(APP, [ops.RenameField("Book", "title", "name")], project)
    refuses_duplicate(renamed, "book", author_id=author.pk, name="same")
    after = apply(APP, [ops.AlterUniqueTogether("Book", set())], renamed)
    assert after.models[APP, "book"].options.get("unique_together") is None


def test_renamed_model_keeps_its_indexes_without_recreating_them():
    index = models.Index(fields=["title"], name="alt_book_title_idx")
    project = apply(APP, [*library(), ops.AddIndex("Book", index)])
    fill(project)
    with CaptureQueries() as captured:
        apply(APP, [ops.RenameModel("Book", "Volume")], project)
    statements = [q.sql.upper() for q in captured]
    assert not [s for s in statements if "CREATE INDEX" in s and connections["default"].vendor != "sqlite"]
    names = index_names("alt_volume")
    assert "alt_book_title_idx" in names
    fk_indexes = [
        i for i in connections["default"].introspection.get_indexes("alt_volume") if i.columns == ("author_id",)
    ]
    assert len(fk_indexes) == 1


def test_renamed_field_keeps_its_index():
    index = models.Index(fields=["title"], name="alt_book_title_idx")
    project = apply(APP, [*library(), ops.AddIndex("Book", index)])
    fill(project)
    after = apply(APP, [ops.RenameField("Book", "title", "name")], project)
    indexes = {i.name: i.columns for i in connections["default"].introspection.get_indexes("alt_book")}
    assert indexes["alt_book_title_idx"] == ("name",)
    apply(APP, [ops.RemoveIndex("Book", "alt_book_title_idx")], after)
    assert "alt_book_title_idx" not in index_names("alt_book")


def test_added_fields_that_fill_themselves_give_existing_rows_a_value():
    import datetime

    project = apply(APP, library())
    fill(project)
    moment = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    steps = [
        ops.AddField("Book", "changed", models.DateTimeField(auto_now=True)),
        ops.AddField("Book", "note", models.CharField(max_length=20, blank=True)),
        ops.AddField("Book", "added", models.DateTimeField(auto_now_add=True, default=moment), preserve_default=False),
    ]
    started = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    after = apply(APP, steps, project)
    values = list(after.apps.get_model(APP, "book").objects.values_list("changed", "note", "added"))
    assert len(values) == 2
    for changed, note, added in values:
        assert changed >= started and note == "" and added == moment
    assert not after.models[APP, "book"].fields["added"].has_default()
    unapply(APP, steps, project)
    assert "changed" not in {c.name for c in connections["default"].introspection.get_columns("alt_book")}


def test_rename_index_renames_in_place_and_back():
    index = models.Index(fields=["title"], name="alt_book_title_idx")
    project = apply(APP, [*library(), ops.AddIndex("Book", index)])
    fill(project)
    step = [ops.RenameIndex("Book", new_name="alt_book_heading_idx", old_name="alt_book_title_idx")]
    with CaptureQueries() as captured:
        after = apply(APP, step, project)
    names = index_names("alt_book")
    assert "alt_book_heading_idx" in names and "alt_book_title_idx" not in names
    if connections["default"].vendor != "sqlite":
        assert not [q.sql for q in captured if "CREATE INDEX" in q.sql.upper() or "DROP INDEX" in q.sql.upper()]
    assert [i.name for i in after.models[APP, "book"].options["indexes"]] == ["alt_book_heading_idx"]
    unapply(APP, step, project)
    assert "alt_book_title_idx" in index_names("alt_book")
