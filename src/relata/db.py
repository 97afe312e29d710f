"""The connection registry: `relata.connect()`, `connections[alias]`, `connection`.

Settings are process-wide; connection objects are per thread, so two threads
never share a driver connection. Nothing connects until a query runs.
"""

from __future__ import annotations

import threading
from typing import Any

from relata.backends import load_backend
from relata.conf import database_url_for, parse_url
from relata.exceptions import ImproperlyConfigured

DEFAULT_DB_ALIAS = "default"


class ConnectionHandler:
    def __init__(self) -> None:
        self._settings: dict[str, dict[str, Any]] = {}
        self._local = threading.local()
        self._lock = threading.Lock()
        self._generation = 0

    def configure(self, alias: str, url: str, **options: Any) -> None:
        settings = parse_url(url, **options)
        load_backend(settings["ENGINE"])
        with self._lock:
            self._settings[alias] = settings
            self._generation += 1
        self._drop_local(alias)

    def settings_for(self, alias: str) -> dict[str, Any]:
        settings = self._settings.get(alias)
        if settings is None:
            url = database_url_for(alias)
            if url is None:
                raise ImproperlyConfigured(
                    f"The database alias {alias!r} is not configured. Call "
                    f'relata.connect(url, alias="{alias}") or add it to [tool.relata] '
                    f"databases in pyproject.toml."
                )
            settings = parse_url(url)
            with self._lock:
                self._settings.setdefault(alias, settings)
        return settings

    def _wrappers(self) -> dict[str, Any]:
        wrappers = getattr(self._local, "wrappers", None)
        if wrappers is None:
            wrappers = self._local.wrappers = {}
        return wrappers

    def __getitem__(self, alias: str) -> Any:
        wrappers = self._wrappers()
        wrapper = wrappers.get(alias)
        if wrapper is None:
            settings = self.settings_for(alias)
            wrapper = load_backend(settings["ENGINE"])(settings, alias)
            wrappers[alias] = wrapper
        return wrapper

    def __contains__(self, alias: str) -> bool:
        return alias in self._settings

    def __iter__(self):
        return iter(list(self._settings))

    def all(self) -> list[Any]:
        return [self[alias] for alias in self]

    def _drop_local(self, alias: str) -> None:
        wrapper = self._wrappers().pop(alias, None)
        if wrapper is not None:
            wrapper.close()

    def close_all(self) -> None:
        for wrapper in self._wrappers().values():
            wrapper.close()

    def forget(self, alias: str) -> None:
        """Close and remove an alias (tests use this to start clean)."""
        self._drop_local(alias)
        with self._lock:
            self._settings.pop(alias, None)


connections = ConnectionHandler()


def connect(url: str, alias: str = DEFAULT_DB_ALIAS, **options: Any) -> Any:
    """Configure the database for `alias` and return its connection wrapper.

    Connecting is lazy: the driver connection opens on the first query.
    """
    connections.configure(alias, url, **options)
    return connections[alias]


class DefaultConnectionProxy:
    """`relata.connection`: whatever `connections["default"]` is right now."""

    def __getattr__(self, name: str) -> Any:
        return getattr(connections[DEFAULT_DB_ALIAS], name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(connections[DEFAULT_DB_ALIAS], name, value)

    def __repr__(self) -> str:
        return f"<relata.connection -> {connections[DEFAULT_DB_ALIAS]!r}>"


connection = DefaultConnectionProxy()
