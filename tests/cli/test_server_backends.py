"""The `relata` command against each backend in RELATA_TEST_BACKENDS (the test database, by URL).

The booktracker example is migrated there as a subprocess would on a user's
server: a related_name change records a migration that runs no SQL, a new
NOT NULL column with a default fills existing rows, and everything unapplies
to zero. The tables and records are removed afterwards.
"""

import shutil

import pytest

from cli.test_commands import EXAMPLE, add_to_book, relata, set_related_name
from relata.db import connections
from relata.testing import databases


@pytest.fixture
def server(tmp_path, relata_backend):
    if relata_backend == "sqlite":
        pytest.skip("the other CLI tests run on SQLite files; the test database here lives in memory")
    project = tmp_path / "booktracker"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("db.sqlite3", "__pycache__"))
    env = {"RELATA_DATABASE_URL": databases.test_database_url(relata_backend)}
    yield project, env
    relata(project, "migrate", "booktracker", "zero", env=env)
    from relata.migrations.recorder import MigrationRecorder, migration_model, progress_model

    MigrationRecorder().ensure_table()
    migration_model().objects.filter(app="booktracker").delete()
    MigrationRecorder().ensure_progress_table()
    progress_model().objects.filter(app="booktracker").delete()


def tables():
    return set(connections["default"].introspection.table_names())


def test_migrate_change_and_back_to_zero_on_each_backend(server):
    project, env = server
    applied = relata(project, "migrate", env=env)
    assert applied.returncode == 0, applied.stderr
    assert "Applying booktracker.0001_initial... OK" in applied.stdout
    assert {"booktracker_author", "booktracker_book"} <= tables()
    shell = "Book.objects.create(author=Author.objects.create(name='Alex Smith'), title='How Django Works')"
    assert relata(project, "shell", "-c", shell, env=env).returncode == 0

    set_related_name(project, "books")
    assert relata(project, "makemigrations", env=env).returncode == 0
    sql = relata(project, "sqlmigrate", "booktracker", "0002", env=env)
    assert sql.returncode == 0 and "-- (no-op)" in sql.stdout
    assert not [
        line
        for line in sql.stdout.splitlines()
        if line and line not in ("BEGIN;", "COMMIT;") and not line.startswith("--")
    ]
    no_sql = relata(project, "migrate", env=env)
    assert "Applying booktracker.0002_alter_book_author... OK (no SQL)" in no_sql.stdout, no_sql.stderr

    add_to_book(project, "    pages = models.IntegerField(default=100)")
    assert relata(project, "makemigrations", "--name", "pages", env=env).returncode == 0
    assert relata(project, "migrate", env=env).returncode == 0
    out = relata(
        project, "shell", "-c", "print(list(Author.objects.values_list('books__title', 'books__pages')))", env=env
    )
    assert out.stdout.strip() == "[('How Django Works', 100)]", out.stderr
    shown = relata(project, "showmigrations", env=env)
    assert shown.stdout.splitlines() == [
        "booktracker",
        " [X] 0001_initial",
        " [X] 0002_alter_book_author",
        " [X] 0003_pages",
    ]

    back = relata(project, "migrate", "booktracker", "zero", env=env)
    assert back.returncode == 0, back.stderr
    assert "Unapplying booktracker.0001_initial... OK" in back.stdout
    assert not {"booktracker_author", "booktracker_book"} & tables()


def test_inspectdb_reads_the_servers_catalog(server):
    project, env = server
    assert relata(project, "migrate", env=env).returncode == 0
    inspected = relata(project, "inspectdb", env=env)
    assert inspected.returncode == 0, inspected.stderr
    out = inspected.stdout
    assert "class BooktrackerAuthor(models.Model):" in out
    assert "class BooktrackerBook(models.Model):" in out
    assert "author = models.ForeignKey('BooktrackerAuthor', on_delete=models.DO_NOTHING)" in out
    assert "title = models.CharField(max_length=200)" in out
    assert "db_table = 'booktracker_book'" in out
    assert "relata_migrations" not in out  # relata's own bookkeeping, including migration progress
    compile(out, "inspected.py", "exec")


COLUMNS_MIGRATION = """from relata import migrations, models


class Migration(migrations.Migration):
    dependencies = [("booktracker", "0001_initial")]

    operations = [
        migrations.AddField("book", "a", models.IntegerField(default=0)),
        migrations.AddField("book", "b", models.IntegerField(default=0)),
        migrations.AddField("book", "c", models.IntegerField(default=0)),
        FOURTH,
        migrations.AddField("book", "e", models.IntegerField(default=0)),
    ]
"""


def test_a_migration_failing_halfway_without_transactional_ddl_is_reported_and_resumed(server):
    project, env = server
    if connections["default"].features.can_rollback_ddl:
        pytest.skip("the database rolls the whole migration back")
    assert relata(project, "migrate", env=env).returncode == 0
    migration = project / "booktracker" / "migrations" / "0002_columns.py"
    migration.write_text(COLUMNS_MIGRATION.replace("FOURTH", 'migrations.RunSQL("SELECT * FROM no_such_table")'))

    failed = relata(project, "migrate", env=env)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert "booktracker.0002_columns failed at operation 4 of 5 (Raw SQL operation)" in failed.stderr
    assert "1. Add field a to book; 2. Add field b to book; 3. Add field c to book" in failed.stderr
    shown = relata(project, "showmigrations", env=env).stdout.splitlines()
    assert shown[-1] == " [-] 0002_columns (partly applied: 3 of 5 operations; `relata migrate` continues it)"

    migration.write_text(COLUMNS_MIGRATION.replace("FOURTH", 'migrations.RunSQL("SELECT 1")'))
    resumed = relata(project, "migrate", env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "Applying booktracker.0002_columns... (resuming at operation 4 of 5) OK" in resumed.stdout
    assert relata(project, "showmigrations", env=env).stdout.splitlines()[-1] == " [X] 0002_columns"
    book = {c.name for c in connections["default"].introspection.get_columns("booktracker_book")}
    assert {"a", "b", "c", "e"} <= book
