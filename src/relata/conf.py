"""Where relata's settings come from, in order of precedence.

`relata.connect()` in code wins, then the `RELATA_DATABASE_URL` environment
variable, then `[tool.relata]` in the nearest pyproject.toml, then the
embedded default `sqlite:///db.sqlite3`.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from relata.exceptions import ImproperlyConfigured

DEFAULT_DATABASE_URL = "sqlite:///db.sqlite3"
ENV_DATABASE_URL = "RELATA_DATABASE_URL"
SCHEMES = {
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "pgsql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
}


@dataclass
class ProjectSettings:
    """What `[tool.relata]` says, plus where it was found."""

    path: Path | None = None
    database: str | None = None
    databases: dict[str, str] = field(default_factory=dict)
    apps: list[str] = field(default_factory=list)
    routers: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)


def find_pyproject(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_project_settings(start: Path | None = None) -> ProjectSettings:
    path = find_pyproject(start)
    if path is None:
        return ProjectSettings()
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ImproperlyConfigured(f"Cannot read {path}: {exc}. Fix the TOML syntax.") from exc
    section = data.get("tool", {}).get("relata", {})
    if not isinstance(section, dict):
        raise ImproperlyConfigured(f"[tool.relata] in {path} must be a table.")
    _refuse_unknown_keys(section, path)
    apps = section.get("apps", [])
    if not isinstance(apps, list) or not all(isinstance(a, str) for a in apps):
        raise ImproperlyConfigured(
            f'[tool.relata] apps in {path} must be a list of package names, e.g. apps = ["booktracker"].'
        )
    databases = section.get("databases", {})
    if not isinstance(databases, dict):
        raise ImproperlyConfigured(
            f'[tool.relata] databases in {path} must be a table, e.g. databases = {{replica = "postgresql://..."}}.'
        )
    return ProjectSettings(
        path=path,
        database=section.get("database"),
        databases=dict(databases),
        apps=list(apps),
        routers=list(section.get("routers", [])),
        options={k: v for k, v in section.items() if k not in {"database", "databases", "apps", "routers"}},
    )


#: Every key [tool.relata] may hold; a new setting is added here so that misspellings stay errors.
KNOWN_KEYS = ("database", "databases", "apps", "routers", "media_root", "media_url")


def _refuse_unknown_keys(section: dict[str, Any], path: Path) -> None:
    for key in section:
        if key not in KNOWN_KEYS:
            nearest = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
            guess = f"did you mean {nearest[0]!r}? " if nearest else ""
            raise ImproperlyConfigured(
                f"Unknown setting {key!r} under [tool.relata] in {path}: {guess}"
                f"The settings are {', '.join(KNOWN_KEYS)}."
            )


def database_url_for(alias: str, project: ProjectSettings | None = None) -> str | None:
    """The configured URL for an alias, from the environment or pyproject.toml."""
    if alias == "default":
        env = os.environ.get(ENV_DATABASE_URL)
        if env:
            return env
    project = project if project is not None else load_project_settings()
    if alias == "default":
        return project.databases.get("default") or project.database or DEFAULT_DATABASE_URL
    env = os.environ.get(f"RELATA_DATABASE_URL_{alias.upper()}")
    return env or project.databases.get(alias)


def parse_url(url: str, **options: Any) -> dict[str, Any]:
    """Split a database URL into the settings a backend reads."""
    if not isinstance(url, str) or "://" not in url:
        raise ImproperlyConfigured(
            f"{url!r} is not a database URL; write it as sqlite:///path.db, "
            "postgresql://user@host:5432/dbname or mysql://user@host/dbname."
        )
    scheme, rest = url.split("://", 1)
    vendor = SCHEMES.get(scheme.split("+", 1)[0].lower())
    if vendor is None:
        raise ImproperlyConfigured(
            f"Unknown database scheme {scheme!r} in {redact(url)!r}; use sqlite://, postgresql:// or mysql://."
        )
    if vendor == "sqlite":
        path, _, query = rest.partition("?")
        name = _sqlite_path(path)
        if name.startswith("file:") and query:
            name += "?" + query  # SQLite reads its own URI parameters (mode, cache, ...)
        return {"ENGINE": "sqlite", "NAME": name, "OPTIONS": {**dict(parse_qsl(query)), **options}, "URL": url}
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(
            f"Bad port in database URL {redact(url)!r}; write a number, e.g. {vendor}://user@host:5432/dbname."
        ) from None
    if not parts.path.lstrip("/"):
        raise ImproperlyConfigured(
            f"The database URL {redact(url)!r} names no database; add it after the host, "
            f"e.g. {vendor}://user@host/dbname."
        )
    query = dict(parse_qsl(parts.query))
    return {
        "ENGINE": vendor,
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username) if parts.username else None,
        "PASSWORD": unquote(parts.password) if parts.password else None,
        "HOST": parts.hostname,
        "PORT": port,
        "OPTIONS": {**query, **options},
        "URL": url,
    }


def redact(url: str) -> str:
    """The URL with its password replaced by ***, for messages and logs."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _sqlite_path(rest: str) -> str:
    # sqlite:///relative.db, sqlite:////absolute.db, sqlite:///:memory:
    path = rest[1:] if rest.startswith("/") else rest
    return path or ":memory:"
