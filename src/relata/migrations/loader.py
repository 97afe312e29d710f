"""Finding migration files on disk and what a database has applied.

Apps are Python packages listed in `[tool.relata] apps`; an app's label is
its last package component, and its migrations are the modules
`<package>/migrations/NNNN_name.py`. The loader imports them fresh (files may
have been written by this very process), builds the graph and reads the
recorder.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from pathlib import Path
from typing import Any

from relata.exceptions import ImproperlyConfigured
from relata.migrations.graph import MigrationGraph
from relata.migrations.migration import Migration
from relata.migrations.recorder import MigrationRecorder

MIGRATION_NAME = re.compile(r"^\d{4}_\w+$")


def app_label_of(package: str) -> str:
    return package.rsplit(".", 1)[-1]


def import_apps(packages: list[str], source: str = "[tool.relata] apps") -> dict[str, str]:
    """Import each app's models module (registering its models); label -> package.

    `source` names where the list came from, for error messages (`--apps` on the command line).
    """
    labels: dict[str, str] = {}
    for package in packages:
        try:
            importlib.import_module(package)
        except ModuleNotFoundError as exc:
            if exc.name and package.startswith(exc.name.split(".")[0]) and package.startswith(exc.name):
                raise ImproperlyConfigured(
                    f"{source} lists {package!r}, but no package of that name can be "
                    f"imported from {Path.cwd()}; run relata from the folder that contains it, or "
                    f"fix the name."
                ) from None
            raise
        try:
            importlib.import_module(f"{package}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.models":
                raise
        label = app_label_of(package)
        if label in labels:
            raise ImproperlyConfigured(
                f"{source} lists two apps with the label {label!r} ({labels[label]} and {package}); rename one package."
            )
        labels[label] = package
    return labels


class MigrationLoader:
    def __init__(self, apps: dict[str, str], alias: str = "default", read_applied: bool = True):
        self.apps = dict(apps)
        self.alias = alias
        self.disk_migrations: dict[tuple[str, str], Migration] = {}
        self.migrated_apps: set[str] = set()
        self.unmigrated_apps: set[str] = set()
        self.recorder = MigrationRecorder(alias)
        self.applied: dict[tuple[str, str], Any] = self.recorder.applied() if read_applied else {}
        #: Migrations an interrupted run left partly applied (outside a transaction): what they did.
        self.partial: dict[tuple[str, str], Any] = self.recorder.progress() if read_applied else {}
        self.load_disk()
        self.graph = self.build_graph()

    def migrations_package(self, label: str) -> str:
        return f"{self.apps[label]}.migrations"

    def migrations_path(self, label: str) -> Path:
        module = sys.modules.get(self.apps[label]) or importlib.import_module(self.apps[label])
        return Path(next(iter(module.__path__))) / "migrations"

    def load_disk(self) -> None:
        importlib.invalidate_caches()
        for label in self.apps:
            name = self.migrations_package(label)
            try:
                package = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name in (name, self.apps[label]):
                    self.unmigrated_apps.add(label)
                    continue
                raise
            if not hasattr(package, "__path__"):
                raise ImproperlyConfigured(f"{name} must be a package (a folder with __init__.py).")
            self.migrated_apps.add(label)
            for info in pkgutil.iter_modules(package.__path__):
                if info.ispkg or not MIGRATION_NAME.match(info.name):
                    continue
                module = _fresh_import(f"{name}.{info.name}")
                migration_class = getattr(module, "Migration", None)
                if migration_class is None:
                    raise ImproperlyConfigured(
                        f"Migration file {name}.{info.name} has no Migration class; every file in "
                        f"{label}/migrations/ named NNNN_*.py must define one."
                    )
                self.disk_migrations[label, info.name] = migration_class(info.name, label)

    def build_graph(self) -> MigrationGraph:
        graph = MigrationGraph()
        for key, migration in self.disk_migrations.items():
            graph.add_node(key, migration)
        for key, migration in self.disk_migrations.items():
            for dependency in migration.dependencies:
                parent = self._resolve(tuple(dependency), key)
                if parent is not None:
                    graph.add_dependency(key, parent)
        graph.check_consistent()
        return graph

    def _resolve(self, dependency: tuple[str, str], child: tuple[str, str]) -> tuple[str, str] | None:
        app, name = dependency
        if app == "relata":
            return None
        if name in ("__first__", "__latest__"):
            if app in self.unmigrated_apps or app not in self.apps:
                return None
            keys = sorted(k for k in self.disk_migrations if k[0] == app)
            if not keys:
                return None
            return keys[0] if name == "__first__" else keys[-1]
        return app, name

    def project_state(self, nodes: list[tuple[str, str]] | None = None) -> Any:
        return self.graph.make_state(nodes)

    def detect_conflicts(self) -> dict[str, list[str]]:
        """{app label: its leaf migrations' names} for each app whose history has split in two or more."""
        conflicts = {}
        for label in sorted(self.migrated_apps):
            leaves = self.graph.leaf_nodes(label)
            if len(leaves) > 1:
                conflicts[label] = [name for _app, name in leaves]
        return conflicts

    def refuse_conflicts(self) -> None:
        """Stop, as Django's commands do, while an app has two leaf migrations."""
        conflicts = self.detect_conflicts()
        if conflicts:
            listed = "; ".join(f"{', '.join(names)} in {label}" for label, names in conflicts.items())
            raise ImproperlyConfigured(
                f"Conflicting migrations detected; multiple leaf nodes in the migration graph: ({listed}). "
                f"To fix them run 'relata makemigrations --merge'."
            )

    def leaf(self, label: str) -> tuple[str, str] | None:
        leaves = self.graph.leaf_nodes(label)
        if len(leaves) > 1:
            names = ", ".join(name for _app, name in leaves)
            raise ImproperlyConfigured(
                f"Conflicting migrations in {label}: {names} both follow the same migration. Make one "
                f"depend on the other (edit its dependencies list)."
            )
        return leaves[0] if leaves else None

    def get_migration_by_prefix(self, label: str, prefix: str) -> Migration:
        matches = [m for (app, name), m in self.disk_migrations.items() if app == label and name.startswith(prefix)]
        if not matches:
            if label not in self.apps:
                raise ImproperlyConfigured(
                    f"App {label!r} is not in [tool.relata] apps; installed apps: {', '.join(self.apps)}."
                )
            raise ImproperlyConfigured(f"Cannot find a migration of {label} matching {prefix!r}.")
        if len(matches) > 1:
            names = ", ".join(sorted(m.name for m in matches))
            raise ImproperlyConfigured(f"More than one migration of {label} matches {prefix!r}: {names}.")
        return matches[0]


def _fresh_import(name: str) -> Any:
    if name in sys.modules:
        return importlib.reload(sys.modules[name])
    return importlib.import_module(name)
