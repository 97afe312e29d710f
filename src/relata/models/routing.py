"""Database routing: which alias reads, which writes, what may relate or migrate.

Routers are plain objects with any of `db_for_read`, `db_for_write`,
`allow_relation`, `allow_migrate`; the first one that answers decides, as in
Django. They come from `router.set_routers([...])` or `[tool.relata] routers`.
"""

from __future__ import annotations

import importlib
from typing import Any

from relata.models.instance_state import db_of

DEFAULT_DB_ALIAS = "default"


class ConnectionRouter:
    def __init__(self) -> None:
        self._routers: list[Any] | None = None

    @property
    def routers(self) -> list[Any]:
        if self._routers is None:
            from relata.conf import load_project_settings

            self._routers = [_load(path) for path in load_project_settings().routers]
        return self._routers

    def set_routers(self, routers: list[Any]) -> None:
        self._routers = [_load(r) if isinstance(r, str) else r for r in routers]

    def _route(self, action: str, model: Any, **hints: Any) -> str:
        for router in self.routers:
            method = getattr(router, action, None)
            if method is None:
                continue
            chosen = method(model, **hints)
            if chosen:
                return chosen
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db
        return DEFAULT_DB_ALIAS

    def db_for_read(self, model: Any, **hints: Any) -> str:
        if not self.routers and "instance" not in hints:
            return DEFAULT_DB_ALIAS
        return self._route("db_for_read", model, **hints)

    def db_for_write(self, model: Any, **hints: Any) -> str:
        if not self.routers and "instance" not in hints:
            return DEFAULT_DB_ALIAS
        return self._route("db_for_write", model, **hints)

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        for router in self.routers:
            method = getattr(router, "allow_relation", None)
            if method is None:
                continue
            allowed = method(obj1, obj2, **hints)
            if allowed is not None:
                return allowed
        return obj1._state.db == obj2._state.db

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        for router in self.routers:
            method = getattr(router, "allow_migrate", None)
            if method is None:
                continue
            allowed = method(db, app_label, **hints)
            if allowed is not None:
                return allowed
        return True


def check_relation(instance: Any, value: Any) -> None:
    """Refuse `instance.<fk> = value` when the routers forbid it, as Django does.

    An unsaved side first takes the database the other side would be written to.
    """
    if not router.routers:
        _check_relation_unrouted(instance, value)
        return
    if instance._state.db is None:
        instance._state.db = router.db_for_write(type(instance), instance=value)
    if value._state.db is None:
        value._state.db = router.db_for_write(type(value), instance=instance)
    if not router.allow_relation(value, instance):
        raise ValueError(f'Cannot assign "{value!r}": the current database router prevents this relation.')


def _check_relation_unrouted(instance: Any, value: Any) -> None:
    """check_relation() when no router is configured: the same outcome, reading the states without making them
    (`Book(author=author)` runs it for every object built). An unsaved object related to one of the default
    database keeps no database of its own (`_state.db` None): saving it writes to the default database all the same."""
    db, other = db_of(instance), db_of(value)
    if db is None:
        if other in (None, DEFAULT_DB_ALIAS):
            return  # both are written to the default database, where an unsaved object goes anyway
        db = instance._state.db = other
    if other is None:
        other = value._state.db = db
    if db != other:
        raise ValueError(f'Cannot assign "{value!r}": the current database router prevents this relation.')


def _load(path: Any) -> Any:
    if not isinstance(path, str):
        return path
    module_name, _, name = path.rpartition(".")
    router = getattr(importlib.import_module(module_name), name)
    return router() if isinstance(router, type) else router


router = ConnectionRouter()
