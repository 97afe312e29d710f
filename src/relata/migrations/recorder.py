"""Which migrations a database has applied, kept in its `relata_migrations` table.

A migration that runs outside a transaction (the database cannot roll DDL
back) also records, in `relata_migrations_progress`, each operation as it
finishes, so a failure halfway is reported and the next run resumes there.
Both tables are described by small private models (in their own registry, so
they never show up among the user's models) and read and written through
the ORM, so every backend quotes and converts them the same way.
"""

from __future__ import annotations

import datetime
import json
from functools import cache
from typing import Any

from relata.db import connections
from relata.models.registry import Apps
from relata.models.schema import table_spec

TABLE = "relata_migrations"
PROGRESS_TABLE = "relata_migrations_progress"


@cache
def migration_model() -> Any:
    from relata import models

    class Migration(models.Model):
        app = models.CharField(max_length=255)
        name = models.CharField(max_length=255)
        applied = models.DateTimeField()

        class Meta:
            app_label = "relata"
            db_table = TABLE
            apps = Apps()

    return Migration


@cache
def progress_model() -> Any:
    from relata import models

    class MigrationProgress(models.Model):
        app = models.CharField(max_length=255)
        name = models.CharField(max_length=255)
        #: JSON list: describe() of each operation that ran, in order.
        operations = models.TextField()
        #: JSON list: statements those operations left for the migration's end (foreign keys), not yet run.
        deferred = models.TextField()

        class Meta:
            app_label = "relata"
            db_table = PROGRESS_TABLE
            apps = Apps()

    return MigrationProgress


class PartialRun:
    """What an interrupted migration already did: its finished operations and its pending statements."""

    def __init__(self, operations: list[str], deferred: list[str]):
        self.operations = operations
        self.deferred = deferred


class MigrationRecorder:
    def __init__(self, alias: str = "default"):
        self.alias = alias

    @property
    def connection(self) -> Any:
        return connections[self.alias]

    def has_table(self) -> bool:
        return TABLE in self.connection.introspection.table_names()

    def ensure_table(self) -> None:
        if self.has_table():
            return
        with self.connection.schema_editor() as editor:
            editor.create_table(table_spec(migration_model(), self.connection))

    def applied(self) -> dict[tuple[str, str], datetime.datetime]:
        if not self.has_table():
            return {}
        rows = migration_model().objects.using(self.alias).order_by("id").values_list("app", "name", "applied")
        return {(app, name): when for app, name, when in rows}

    def record_applied(self, app: str, name: str) -> None:
        self.ensure_table()
        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        migration_model().objects.using(self.alias).create(app=app, name=name, applied=now)

    def record_unapplied(self, app: str, name: str) -> None:
        self.ensure_table()
        migration_model().objects.using(self.alias).filter(app=app, name=name).delete()

    def flush(self) -> None:
        if self.has_table():
            migration_model().objects.using(self.alias).all().delete()
        if self.has_progress_table():
            progress_model().objects.using(self.alias).all().delete()

    # -- migrations interrupted outside a transaction ---------------------------------

    def has_progress_table(self) -> bool:
        return PROGRESS_TABLE in self.connection.introspection.table_names()

    def ensure_progress_table(self) -> None:
        if self.has_progress_table():
            return
        with self.connection.schema_editor() as editor:
            editor.create_table(table_spec(progress_model(), self.connection))

    def progress(self) -> dict[tuple[str, str], PartialRun]:
        """Per partly applied migration, what its interrupted run did."""
        if not self.has_progress_table():
            return {}
        rows = progress_model().objects.using(self.alias).values_list("app", "name", "operations", "deferred")
        return {(app, name): PartialRun(json.loads(ops), json.loads(deferred)) for app, name, ops, deferred in rows}

    def record_progress(self, app: str, name: str, progress: PartialRun) -> None:
        """Each call autocommits: it must outlive a later operation's failure."""
        values = {"operations": json.dumps(progress.operations), "deferred": json.dumps(progress.deferred)}
        rows = progress_model().objects.using(self.alias)
        if not rows.filter(app=app, name=name).update(**values):
            rows.create(app=app, name=name, **values)

    def clear_progress(self, app: str, name: str) -> None:
        progress_model().objects.using(self.alias).filter(app=app, name=name).delete()
