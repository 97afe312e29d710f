"""Per-instance bookkeeping: `instance._state` (which database, saved or not) and the relation cache.

A relation's loaded object lives in the instance's own `__dict__`, under the
relation's cache name (a forward field's name, a reverse one-to-one's accessor).
The relation's data descriptor shadows that entry and serves it, so a row with
a cached relation costs no container beyond its dict.
"""

from __future__ import annotations

import threading
from typing import Any

DEFAULT_DB_ALIAS = "default"


class ModelState:
    """Which database an instance came from or went to, and whether it is saved yet.

    The defaults are class attributes, so a new instance's state is a bare object
    (`ModelState.__new__(ModelState)`), made without running `__init__`.
    """

    db: str | None = None
    adding: bool = True

    def __init__(self, db: str | None = None, adding: bool = True):
        self.db = db
        self.adding = adding


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


def db_of(instance: Any) -> str | None:
    """`instance._state.db`, without making the state of a loaded row that has none yet."""
    state = instance.__dict__.get("_state")
    return DEFAULT_DB_ALIAS if state is None else state.db


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
