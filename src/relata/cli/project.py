"""The project a `relata` command runs in: settings, apps and the database.

Settings come from the nearest pyproject.toml's `[tool.relata]` (or
`--settings PATH`, and `--apps a,b` overrides the app list). The current
directory and the project folder go on sys.path so app packages import.
A SQLite path in pyproject.toml is relative to that file, so commands work
from any subfolder. Every misconfiguration becomes one ImproperlyConfigured
line that names the setting and the fix.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import relata
from relata.conf import DEFAULT_DATABASE_URL, ENV_DATABASE_URL, ProjectSettings, load_project_settings, parse_url
from relata.exceptions import Error, ImproperlyConfigured
from relata.migrations.loader import import_apps


@dataclass
class Project:
    settings: ProjectSettings
    root: Path
    apps: dict[str, str] = field(default_factory=dict)
    alias: str = "default"
    url: str = ""
    source: str = ""
    #: Where the app list came from, as error messages name it.
    apps_source: str = "[tool.relata] apps"

    @property
    def labels(self) -> list[str]:
        return list(self.apps)

    def require_app(self, label: str) -> None:
        """Refuse an app label the project does not list, naming the list it came from."""
        if label not in self.apps:
            fix = "pass it in --apps" if self.apps_source == "--apps" else "add it there"
            raise ImproperlyConfigured(
                f"App {label!r} is not in {self.apps_source} ({', '.join(self.apps) or 'none'}); {fix} or "
                f"check the spelling."
            )

    def connection(self) -> Any:
        """The connection for `alias`, opened now so an unreachable server fails here, clearly."""
        conn = relata.connections[self.alias]
        try:
            conn.ensure_connection()
        except Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ImproperlyConfigured(
                f"Cannot connect to database {self.alias!r} ({mask(self.url)}, from {self.source}): {reason}. "
                f"Check the URL and that the server is running."
            ) from None
        return conn

    def display_path(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)


def mask(url: str) -> str:
    """The URL with any password replaced, for messages."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    if ":" in credentials:
        credentials = credentials.split(":", 1)[0] + ":***"
    return f"{scheme}://{credentials}@{host}"


def load_project(
    settings_path: str | None = None, apps: str | None = None, alias: str = "default", import_models: bool = True
) -> Project:
    if settings_path:
        path = Path(settings_path)
        if not path.is_file():
            raise ImproperlyConfigured(f"--settings {settings_path}: no such file; point it at a pyproject.toml.")
        settings = load_project_settings(path.parent)
    else:
        settings = load_project_settings()
    root = settings.path.parent if settings.path else Path.cwd()
    for folder in (str(root), os.getcwd()):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    project = Project(settings, root, alias=alias)
    _configure_database(project)
    packages = [a.strip() for a in apps.split(",") if a.strip()] if apps else settings.apps
    if import_models:
        if not packages:
            where = settings.path or "pyproject.toml (none found)"
            raise ImproperlyConfigured(
                f'No apps configured: add apps = ["yourapp"] under [tool.relata] in {where}, or pass --apps yourapp.'
            )
        if apps:
            project.apps_source = "--apps"
        project.apps = import_apps(packages, project.apps_source)
    return project


def _configure_database(project: Project) -> None:
    settings, alias = project.settings, project.alias
    where = settings.path or "pyproject.toml"
    if alias == "default" and os.environ.get(ENV_DATABASE_URL):
        url, source, from_file = os.environ[ENV_DATABASE_URL], f"the {ENV_DATABASE_URL} environment variable", False
    elif alias == "default" and (settings.databases.get("default") or settings.database):
        url = settings.databases.get("default") or settings.database
        source, from_file = f"[tool.relata] database in {where}", True
    elif alias == "default":
        url, source, from_file = DEFAULT_DATABASE_URL, "the built-in default", True
    elif os.environ.get(f"RELATA_DATABASE_URL_{alias.upper()}"):
        url = os.environ[f"RELATA_DATABASE_URL_{alias.upper()}"]
        source, from_file = f"the RELATA_DATABASE_URL_{alias.upper()} environment variable", False
    elif alias in settings.databases:
        url, source, from_file = settings.databases[alias], f"[tool.relata] databases.{alias} in {where}", True
    else:
        known = ", ".join(["default", *sorted(k for k in settings.databases if k != "default")])
        raise ImproperlyConfigured(
            f"--database {alias}: no such database; configured aliases are {known}. Add it under "
            f"[tool.relata] databases in {where}."
        )
    if not isinstance(url, str):
        raise ImproperlyConfigured(f"{source} must be a string URL such as sqlite:///db.sqlite3.")
    try:
        parsed = parse_url(url)
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(f"{source}: {exc}") from None
    if parsed["ENGINE"] == "sqlite" and from_file and parsed["NAME"] not in ("", ":memory:"):
        name = Path(parsed["NAME"])
        if not name.is_absolute() and not str(name).startswith("file:"):
            url = "sqlite:///" + str(project.root / name)
    try:
        relata.connect(url, alias=alias)
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(f"{source}: {exc}") from None
    project.url, project.source = url, source
