"""Which migrations a database has applied, kept in its `relata_migrations` table.

The table is described by a small private model (in its own registry, so it
never shows up among the user's models) and read and written through the
ORM, so every backend quotes and converts it the same way.
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any

from relata.db import connections
from relata.models.registry import Apps
from relata.models.schema import table_spec

TABLE = "relata_migrations"


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
