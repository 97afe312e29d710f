"""Per-instance bookkeeping (`instance._state`): which database, saved or not, relation cache."""

from __future__ import annotations

import threading
from typing import Any

DEFAULT_DB_ALIAS = "default"


class ModelState:
    """Per-instance bookkeeping: which database, and whether it is saved yet."""

    __slots__ = ("adding", "db", "fields_cache")

    def __init__(self, db: str | None = None, adding: bool = True):
        self.db = db
        self.adding = adding
        self.fields_cache: dict[str, Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"db": self.db, "adding": self.adding, "fields_cache": self.fields_cache}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.db, self.adding, self.fields_cache = state["db"], state["adding"], state["fields_cache"]


class LazyModelState:
    """`instance._state` for rows loaded from the default database, made on first use.

    Loading skips building a ModelState per row (most rows never need one);
    `__init__` and loads from other databases set `_state` eagerly, and once it
    sits in the instance's `__dict__` this non-data descriptor is bypassed.
    """

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        state = instance.__dict__["_state"] = ModelState(DEFAULT_DB_ALIAS, adding=False)
        return state


# A descriptor that refuses with an AttributeError (RelatedObjectDoesNotExist,
# a manager read from an instance) makes Python fall back to
# Model.__getattr__, which would otherwise replace the error with a generic
# one. The descriptor parks its error here; __getattr__ re-raises it.
_refusals = threading.local()


def refuse(instance: Any, name: str, error: BaseException) -> BaseException:
    _refusals.last = (id(instance), name, error)
    return error


def take_refusal(instance: Any, name: str) -> BaseException | None:
    last = getattr(_refusals, "last", None)
    _refusals.last = None
    if last is not None and last[0] == id(instance) and last[1] == name:
        return last[2]
    return None
