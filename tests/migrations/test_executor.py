"""The executor with migration files on disk: plans, recording, zero, and failing halfway."""

import sys
import uuid

import pytest

from migrations.helpers import tables
from relata import models
from relata.db import connections
from relata.exceptions import DatabaseError
from relata.migrations import operations as ops
from relata.migrations.executor import MigrationExecutor
from relata.migrations.loader import MigrationLoader
from relata.migrations.migration import Migration
from relata.migrations.recorder import MigrationRecorder
from relata.migrations.writer import MigrationWriter


def make_migration(app, name, operations, dependencies=()):
    return type(
        "Migration",
        (Migration,),
        {"operations": operations, "dependencies": list(dependencies), "initial": not dependencies or None},
    )(name, app)


@pytest.fixture
def app(tmp_path, relata_backend):
    """A fresh app package on sys.path; its tables and records are removed afterwards."""
    package = f"exapp{uuid.uuid4().hex[:8]}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    before = tables()
    yield package, tmp_path / package / "migrations"
    sys.path.remove(str(tmp_path))
    editor = connections["default"].schema_editor()
    with editor.constraint_checks_off(), editor:
        for name in sorted(tables() - before - {"relata_migrations", "relata_migrations_progress"}, reverse=True):
            editor.drop_table(name)
    MigrationRecorder().ensure_table()
    MigrationRecorder().ensure_progress_table()
    from relata.migrations.recorder import migration_model, progress_model

    migration_model().objects.filter(app=package).delete()
    progress_model().objects.filter(app=package).delete()


def initial(package):
    return make_migration(
        package,
        "0001_initial",
        [
            ops.CreateModel(
                "Author",
                [
                    ("id", models.BigAutoField(auto_created=True, primary_key=True)),
                    ("name", models.CharField(max_length=200)),
                ],
            ),
        ],
    )


def second(package, extra=()):
    return make_migration(
        package,
        "0002_book",
        [
            ops.CreateModel(
                "Book",
                [
                    ("id", models.BigAutoField(auto_created=True, primary_key=True)),
                    ("author", models.ForeignKey(f"{package}.author", on_delete=models.CASCADE)),
                ],
            ),
            *extra,
        ],
        [(package, "0001_initial")],
    )


def write(directory, *migrations):
    for migration in migrations:
        MigrationWriter(migration).write(directory)


def migrate(package, target=None):
    loader = MigrationLoader({package: package})
    executor = MigrationExecutor(loader)
    executor.migrate(executor.migration_plan(executor.targets_for(package, target)))
    return MigrationLoader({package: package})


def test_forwards_records_and_back_to_zero(app):
    package, directory = app
    write(directory, initial(package), second(package))
    loader = migrate(package)
    assert set(loader.applied) == {(package, "0001_initial"), (package, "0002_book")}
    assert {f"{package}_author", f"{package}_book"} <= tables()
    loader = migrate(package, "0001")
    assert set(loader.applied) == {(package, "0001_initial")}
    assert f"{package}_book" not in tables()
    loader = migrate(package, "zero")
    assert loader.applied == {}
    assert not {f"{package}_author", f"{package}_book"} & tables()


def test_written_file_reads_back_as_the_same_operations(app):
    package, directory = app
    write(directory, initial(package), second(package))
    loader = MigrationLoader({package: package}, read_applied=False)
    loaded = loader.disk_migrations[package, "0002_book"]
    assert loaded.dependencies == [(package, "0001_initial")]
    assert [op.describe() for op in loaded.operations] == ["Create model Book"]
    state = loader.project_state()
    assert list(state.models[package, "book"].fields) == ["id", "author"]


def test_failure_halfway_leaves_schema_and_records_unchanged(app):
    package, directory = app
    if not connections["default"].features.can_rollback_ddl:
        pytest.skip("the database cannot roll back DDL")
    broken = ops.RunSQL("SELECT * FROM relata_table_that_does_not_exist")
    write(directory, initial(package), second(package, [broken]))
    migrate(package, "0001")
    before_tables = tables()
    with pytest.raises(DatabaseError):
        migrate(package)
    assert tables() == before_tables
    assert f"{package}_book" not in tables()
    assert set(MigrationLoader({package: package}).applied) == {(package, "0001_initial")}


def test_failure_without_transactional_ddl_records_only_what_finished(app):
    """MySQL commits each DDL statement: what ran stays, but the failed migration is not recorded."""
    package, directory = app
    if connections["default"].features.can_rollback_ddl:
        pytest.skip("the database rolls DDL back (tested above)")
    broken = ops.RunSQL("SELECT * FROM relata_table_that_does_not_exist")
    write(directory, initial(package), second(package, [broken]))
    with pytest.raises(DatabaseError):
        migrate(package)
    assert set(MigrationLoader({package: package}).applied) == {(package, "0001_initial")}
    assert f"{package}_book" in tables()
    migrate(package, "zero")
    assert MigrationLoader({package: package}).applied == {}
    assert f"{package}_author" not in tables()


def test_irreversible_operation_refuses_to_unapply(app):
    package, directory = app
    write(
        directory,
        initial(package),
        make_migration(package, "0002_sql", [ops.RunSQL("SELECT 1")], [(package, "0001_initial")]),
    )
    migrate(package)
    from relata.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="cannot be reversed"):
        migrate(package, "0001")


def test_circular_foreign_keys_across_apps_migrate_forwards_and_to_zero(app, tmp_path):
    """makemigrations' split (a second migration for one app) applies on every backend, and unapplies."""
    from migrations.helpers import detect, model, state

    package, _directory = app
    other = f"{package}x"
    (tmp_path / other).mkdir()
    (tmp_path / other / "__init__.py").write_text("")
    after = state(
        model(package, "Person", ("favourite", models.ForeignKey(f"{other}.order", models.SET_NULL, null=True))),
        model(other, "Order", ("buyer", models.ForeignKey(f"{package}.person", models.CASCADE))),
    )
    apps = {package: package, other: other}
    for label, migrations in detect(state(), after).items():
        write(tmp_path / label / "migrations", *migrations)
    loader = MigrationLoader(apps)
    assert len(loader.disk_migrations) == 3
    executor = MigrationExecutor(loader)
    executor.migrate(executor.migration_plan(executor.targets_for()))
    assert {f"{package}_person", f"{other}_order"} <= tables()
    fks = connections["default"].introspection.get_foreign_keys(f"{package}_person")
    assert [(fk.column, fk.table) for fk in fks] == [("favourite_id", f"{other}_order")]
    loader = MigrationLoader(apps)
    assert len(loader.applied) == 3
    executor = MigrationExecutor(loader)
    executor.migrate(executor.migration_plan([(other, None), (package, None)]))
    assert not {f"{package}_person", f"{other}_order"} & tables()
    assert MigrationLoader(apps).applied == {}
    from relata.migrations.recorder import migration_model

    migration_model().objects.filter(app=other).delete()


def columns(table):
    return {c.name for c in connections["default"].introspection.get_columns(table)}


def add_fields(package, *names):
    return [ops.AddField("author", name, models.IntegerField(default=0)) for name in names]


def partial(package, fourth):
    """0002: three columns, then `fourth`, then one more column."""
    return make_migration(
        package,
        "0002_columns",
        [*add_fields(package, "a", "b", "c"), fourth, *add_fields(package, "e")],
        [(package, "0001_initial")],
    )


BROKEN = ops.RunSQL("SELECT * FROM relata_table_that_does_not_exist")


def test_failure_without_transactional_ddl_names_what_stays_and_the_rerun_continues(app):
    package, directory = app
    if connections["default"].features.can_rollback_ddl:
        pytest.skip("the database rolls DDL back (tested above)")
    write(directory, initial(package), partial(package, BROKEN))
    with pytest.raises(DatabaseError) as failure:
        migrate(package)
    note = "\n".join(failure.value.__notes__)
    assert "failed at operation 4 of 5 (Raw SQL operation)" in note
    assert "1. Add field a to author; 2. Add field b to author; 3. Add field c to author" in note
    assert "continues from there" in note
    assert {"a", "b", "c"} <= columns(f"{package}_author") and "e" not in columns(f"{package}_author")
    loader = MigrationLoader({package: package})
    assert (package, "0002_columns") not in loader.applied
    assert loader.partial[package, "0002_columns"].operations == [f"Add field {c} to author" for c in "abc"]

    # Running it again unfixed fails at the same operation, without "Duplicate column name".
    with pytest.raises(DatabaseError, match="relata_table_that_does_not_exist"):
        migrate(package)

    write(directory, partial(package, ops.AddField("author", "d", models.IntegerField(default=0))))
    loader = migrate(package)
    assert (package, "0002_columns") in loader.applied and (package, "0002_columns") not in loader.partial
    assert {"a", "b", "c", "d", "e"} <= columns(f"{package}_author")
    loader = migrate(package, "0001")
    assert not {"a", "b", "c", "d", "e"} & columns(f"{package}_author")


def test_rerun_refuses_when_the_applied_operations_were_edited(app):
    package, directory = app
    if connections["default"].features.can_rollback_ddl:
        pytest.skip("the database rolls DDL back")
    write(directory, initial(package), partial(package, BROKEN))
    with pytest.raises(DatabaseError):
        migrate(package)
    edited = make_migration(
        package, "0002_columns", [*add_fields(package, "a", "x", "c"), BROKEN], [(package, "0001_initial")]
    )
    write(directory, edited)
    from relata.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=r"2\. Add field b to author.*2\. Add field x to author"):
        migrate(package)
    assert "x" not in columns(f"{package}_author")


def test_deferred_foreign_keys_of_finished_operations_survive_a_resume(app):
    package, directory = app
    if connections["default"].features.can_rollback_ddl:
        pytest.skip("the database rolls DDL back")
    book = second(package, [BROKEN])
    write(directory, initial(package), book)
    with pytest.raises(DatabaseError):
        migrate(package)
    write(directory, second(package, [ops.RunSQL("SELECT 1")]))
    migrate(package)
    connections["default"].execute(f"INSERT INTO {package}_author (name) VALUES ('a')")
    with pytest.raises(DatabaseError):  # the foreign key deferred by CreateModel Book exists
        connections["default"].execute(f"INSERT INTO {package}_book (author_id) VALUES (999)")


def test_a_finished_migration_is_recorded_and_its_progress_dropped_together(app, monkeypatch):
    package, directory = app
    if connections["default"].features.can_rollback_ddl:
        pytest.skip("the database rolls DDL back")
    write(directory, initial(package), partial(package, ops.RunSQL("SELECT 1")))
    migrate(package, "0001")

    def crash(*args):
        raise RuntimeError("interrupted between recording the migration and dropping its progress")

    monkeypatch.setattr(MigrationRecorder, "clear_progress", crash)
    with pytest.raises(RuntimeError):
        migrate(package)
    monkeypatch.undo()
    loader = MigrationLoader({package: package})
    assert (package, "0002_columns") not in loader.applied
    assert len(loader.partial[package, "0002_columns"].operations) == 5
    loader = migrate(package)  # every operation ran: only the record is left to write
    assert (package, "0002_columns") in loader.applied and (package, "0002_columns") not in loader.partial
