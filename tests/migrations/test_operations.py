"""Operations against a real database: SQL only when a table changes, data kept, reversible.

Runs on every backend in RELATA_TEST_BACKENDS; SQLite exercises the
create-copy-swap rebuild, the others their ALTER TABLE statements.
"""

import pytest

from migrations.helpers import apply, tables, unapply
from relata import models
from relata.db import connections
from relata.migrations import operations as ops
from relata.migrations.state import ProjectState
from relata.testing import CaptureQueries

APP = "mig"


@pytest.fixture(autouse=True)
def clean_tables(relata_backend):
    before = tables()
    yield
    connection = connections["default"]
    editor = connection.schema_editor()
    with editor.constraint_checks_off(), editor:
        for name in sorted(tables() - before, key=lambda t: "_" not in t.split(APP + "_", 1)[-1]):
            editor.drop_table(name)


def author_ops():
    return [
        ops.CreateModel(
            "Author",
            [
                ("id", models.BigAutoField(auto_created=True, primary_key=True)),
                ("name", models.CharField(max_length=200)),
            ],
        ),
        ops.CreateModel(
            "Book",
            [
                ("id", models.BigAutoField(auto_created=True, primary_key=True)),
                ("author", models.ForeignKey("mig.author", on_delete=models.CASCADE)),
                ("title", models.CharField(max_length=200)),
            ],
        ),
    ]


def load(project: ProjectState):
    registry = project.apps
    author_model = registry.get_model(APP, "author")
    book_model = registry.get_model(APP, "book")
    alex = author_model.objects.create(name="Alex Smith")
    sam = author_model.objects.create(name="Sam Jones")
    book_model.objects.create(author=alex, title="How Django Works")
    book_model.objects.create(author=alex, title="How to Sell Django Books")
    book_model.objects.create(author=sam, title="What Alex Got Wrong")
    return registry


def rows(project: ProjectState, name: str, *fields):
    return sorted(project.apps.get_model(APP, name).objects.values_list(*fields))


def fk_indexes():
    return [
        i
        for i in connections["default"].introspection.get_indexes("mig_book")
        if i.columns == ("author_id",) and not i.primary_key
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"related_name": "books"},
        {"related_name": "+"},
        {"related_query_name": "work"},
        {"on_delete": models.PROTECT},
        {"verbose_name": "writer"},
        {"help_text": "who wrote it"},
        {"validators": [lambda value: None]},
        {"choices": [(1, "one")]},
    ],
)
def test_python_only_alter_field_runs_no_sql(change):
    project = apply(APP, author_ops())
    load(project)
    field = models.ForeignKey("mig.author", **{"on_delete": models.CASCADE, **change})
    with CaptureQueries() as captured:
        after = apply(APP, [ops.AlterField("Book", "author", field)], project)
        unapply(APP, [ops.AlterField("Book", "author", field)], project)
    schema_sql = [q.sql for q in captured if not q.sql.startswith("PRAGMA")]
    assert schema_sql == []
    assert after.models[APP, "book"].fields["author"].deconstruct()[3].get(next(iter(change))) is not None
    assert len(fk_indexes()) == 1


def test_create_models_and_back_to_nothing():
    apply(APP, author_ops())
    assert {"mig_author", "mig_book"} <= tables()
    unapply(APP, author_ops(), ProjectState())
    assert not {"mig_author", "mig_book"} & tables()


def test_alter_column_keeps_rows_index_and_foreign_key():
    project = apply(APP, author_ops())
    load(project)
    change = [ops.AlterField("Book", "title", models.CharField(max_length=300, null=True))]
    after = apply(APP, change, project)
    assert rows(after, "book", "title", "author__name") == [
        ("How Django Works", "Alex Smith"),
        ("How to Sell Django Books", "Alex Smith"),
        ("What Alex Got Wrong", "Sam Jones"),
    ]
    assert len(fk_indexes()) == 1
    fks = connections["default"].introspection.get_foreign_keys("mig_book")
    assert [(fk.column, fk.table) for fk in fks] == [("author_id", "mig_author")]
    columns = {c.name: c for c in connections["default"].introspection.get_columns("mig_book")}
    assert columns["title"].null
    unapply(APP, change, project)
    assert not {c.name: c for c in connections["default"].introspection.get_columns("mig_book")}["title"].null


def test_add_remove_rename_field_keep_data():
    project = apply(APP, author_ops())
    load(project)
    steps = [
        ops.AddField("Author", "born", models.IntegerField(default=1970)),
        ops.RenameField("Author", "name", "full_name"),
        ops.RemoveField("Author", "born"),
    ]
    after = apply(APP, steps, project)
    assert rows(after, "author", "full_name") == [("Alex Smith",), ("Sam Jones",)]
    assert rows(after, "book", "title")[0] == ("How Django Works",)
    back = unapply(APP, steps, project)
    assert rows(back, "author", "name") == [("Alex Smith",), ("Sam Jones",)]


def test_add_not_null_field_with_one_off_default():
    project = apply(APP, author_ops())
    load(project)
    after = apply(
        APP, [ops.AddField("Book", "pages", models.IntegerField(default=100), preserve_default=False)], project
    )
    assert rows(after, "book", "pages") == [(100,), (100,), (100,)]
    assert not after.models[APP, "book"].fields["pages"].has_default()


def test_a_one_off_default_leaves_no_database_default():
    project = apply(APP, author_ops())
    load(project)
    apply(APP, [ops.AddField("Book", "pages", models.IntegerField(default=100), preserve_default=False)], project)
    columns = {c.name: c for c in connections["default"].introspection.get_columns("mig_book")}
    assert columns["pages"].default is None
    assert not columns["pages"].null


def test_rename_model_moves_table_and_keeps_references():
    project = apply(APP, author_ops())
    load(project)
    after = apply(APP, [ops.RenameModel("Author", "Writer")], project)
    assert "mig_writer" in tables() and "mig_author" not in tables()
    fks = connections["default"].introspection.get_foreign_keys("mig_book")
    assert [(fk.column, fk.table) for fk in fks] == [("author_id", "mig_writer")]
    assert rows(after, "book", "author__name")[0] == ("Alex Smith",)


def test_indexes_constraints_and_unique_together():
    project = apply(APP, author_ops())
    index = models.Index(fields=["title"], name="mig_book_title_idx")
    unique = models.UniqueConstraint(fields=["title"], name="mig_book_title_uniq")
    steps = [
        ops.AddIndex("Book", index),
        ops.AddConstraint("Book", unique),
        ops.AlterUniqueTogether("Book", {("author", "title")}),
    ]
    after = apply(APP, steps, project)
    names = {i.name for i in connections["default"].introspection.get_indexes("mig_book")}
    assert "mig_book_title_idx" in names
    book = after.apps.get_model(APP, "book")
    author = after.apps.get_model(APP, "author").objects.create(name="A")
    book.objects.create(author=author, title="T")
    from relata.exceptions import IntegrityError
    from relata.transaction import atomic

    with pytest.raises(IntegrityError), atomic():
        book.objects.create(author=author, title="T")
    unapply(APP, steps, project)
    names = {i.name for i in connections["default"].introspection.get_indexes("mig_book")}
    assert "mig_book_title_idx" not in names


def test_many_to_many_through_table_created_and_dropped():
    project = apply(APP, author_ops())
    steps = [ops.AddField("Book", "coauthors", models.ManyToManyField("mig.author", related_name="cowritten"))]
    after = apply(APP, steps, project)
    assert "mig_book_coauthors" in tables()
    book = after.apps.get_model(APP, "book")
    author = after.apps.get_model(APP, "author").objects.create(name="A")
    b = book.objects.create(author=author, title="T")
    b.coauthors.add(author)
    assert list(author.cowritten.values_list("title", flat=True)) == ["T"]
    unapply(APP, steps, project)
    assert "mig_book_coauthors" not in tables()


def test_run_sql_and_run_python_with_reverse():
    project = apply(APP, author_ops())

    def forwards(apps, schema_editor):
        apps.get_model(APP, "Author").objects.create(name="from RunPython")

    def backwards(apps, schema_editor):
        apps.get_model(APP, "Author").objects.filter(name="from RunPython").delete()

    quote = connections["default"].ops.quote_name
    steps = [
        ops.RunPython(forwards, backwards),
        ops.RunSQL(
            f"UPDATE {quote('mig_author')} SET {quote('name')} = 'sql'",
            reverse_sql=f"UPDATE {quote('mig_author')} SET {quote('name')} = 'from RunPython'",
        ),
    ]
    apply(APP, steps, project)
    assert rows(project, "author", "name") == [("sql",)]
    unapply(APP, steps, project)
    assert rows(project, "author", "name") == []


def test_expression_index_and_functional_unique_constraint_through_migrations():
    from relata.exceptions import IntegrityError
    from relata.models.functions import Lower
    from relata.transaction import atomic

    features = connections["default"].features
    project = apply(APP, author_ops())
    index = models.Index(Lower("title").desc(), name="mig_book_lower_title_idx")
    unique = models.UniqueConstraint(Lower("title"), name="mig_book_lower_title_uniq")
    steps = [ops.AddIndex("Book", index), ops.AddConstraint("Book", unique)]
    assert (
        steps[0].describe()
        == "Create index mig_book_lower_title_idx on OrderBy(Lower(F(title)), descending=True) on model Book"
    )
    after = apply(APP, steps, project)
    names = {i.name for i in connections["default"].introspection.get_indexes("mig_book")}
    made = features.supports_expression_indexes
    assert ({"mig_book_lower_title_idx", "mig_book_lower_title_uniq"} <= names) is made
    book = after.apps.get_model(APP, "book")
    author = after.apps.get_model(APP, "author").objects.create(name="A")
    book.objects.create(author=author, title="Tale")
    if made:
        with pytest.raises(IntegrityError), atomic():
            book.objects.create(author=author, title="TALE")
    unapply(APP, steps, project)
    names = {i.name for i in connections["default"].introspection.get_indexes("mig_book")}
    assert not {"mig_book_lower_title_idx", "mig_book_lower_title_uniq"} & names


def test_deferrable_unique_constraint_waits_for_commit_where_supported():
    from relata.exceptions import IntegrityError
    from relata.transaction import atomic

    features = connections["default"].features
    project = apply(APP, author_ops())
    unique = models.UniqueConstraint(
        fields=["title"], name="mig_book_title_deferred", deferrable=models.Deferrable.DEFERRED
    )
    after = apply(APP, [ops.AddConstraint("Book", unique)], project)
    book = after.apps.get_model(APP, "book")
    author = after.apps.get_model(APP, "author").objects.create(name="A")
    first = book.objects.create(author=author, title="One")
    second = book.objects.create(author=author, title="Two")
    with atomic():  # a swap passes through a moment where both rows hold one title
        book.objects.filter(pk=first.pk).update(title="Two")
        book.objects.filter(pk=second.pk).update(title="One")
    if features.supports_deferrable_unique_constraints:
        assert "mig_book_title_deferred" in connections["default"].introspection.get_constraints(None, "mig_book")
        with pytest.raises(IntegrityError), atomic():
            book.objects.filter(pk=first.pk).update(title="One")
    unapply(APP, [ops.AddConstraint("Book", unique)], project)
