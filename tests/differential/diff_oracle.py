"""Django as the campaign's oracle, on the same database engine as relata.

Both ORMs run on one backend, so NULL ordering, collations and numeric
types are the database's on both sides and every difference is an ORM's.
`open_database(vendor)` adds a Django alias (`diff_<vendor>`) holding its own
database next to relata's test database; `close_database` drops it.
"""

from __future__ import annotations

import importlib
import sys
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections

import oracle  # noqa: F401  configures Django
from relata.conf import parse_url
from relata.testing.databases import create_test_database, destroy_test_database, test_database_url

ENGINES = {
    "sqlite": "django.db.backends.sqlite3",
    "postgresql": "django.db.backends.postgresql",
    "mysql": "django.db.backends.mysql",
}


def _url(vendor: str) -> str:
    url = test_database_url(vendor)
    return url if vendor == "sqlite" else url + "_oracle"


def open_database(vendor: str) -> str:
    """A Django alias on `vendor`, with a fresh database of its own."""
    alias = f"diff_{vendor}"
    url = _url(vendor)
    if vendor != "sqlite":
        create_test_database(url)
    parsed = parse_url(url)
    entry = {
        "ENGINE": ENGINES[vendor],
        "NAME": parsed["NAME"],
        "USER": parsed.get("USER") or "",
        "PASSWORD": parsed.get("PASSWORD") or "",
        "HOST": parsed.get("HOST") or "",
        "PORT": str(parsed.get("PORT") or ""),
    }
    if vendor == "mysql":
        _import_django_mysql()
    # Django reads DATABASES once: add the alias to the handler's configured copy too.
    configured = connections.configure_settings({"default": dict(settings.DATABASES["default"]), alias: entry})
    settings.DATABASES[alias] = connections.settings[alias] = configured[alias]
    return alias


def close_database(vendor: str, alias: str) -> None:
    connections[alias].close()
    del connections[alias]
    # The handler's settings are Django's DATABASES dict itself, or a copy of it.
    connections.settings.pop(alias, None)
    settings.DATABASES.pop(alias, None)
    if vendor != "sqlite":
        destroy_test_database(_url(vendor))


def _import_django_mysql() -> None:
    """Import Django's MySQL backend, on PyMySQL when mysqlclient is not installed.

    The `MySQLdb` name is lent to PyMySQL only while Django's modules import,
    so relata's own backend still sees which driver is really installed.
    """
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        pass
    else:
        return
    with _pymysql_as_mysqldb():
        for part in ("base", "client", "creation", "features", "introspection", "operations", "schema"):
            importlib.import_module(f"django.db.backends.mysql.{part}")


@contextmanager
def _pymysql_as_mysqldb() -> Any:
    import pymysql

    before = set(sys.modules)
    sys.modules["MySQLdb"] = pymysql
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            if name == "MySQLdb" or name.startswith("MySQLdb."):
                del sys.modules[name]
