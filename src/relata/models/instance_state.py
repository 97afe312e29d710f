"""Per-instance bookkeeping: `instance._state` (which database, saved or not) and the relation cache.

The instance dict's "_state" entry says it in the cheapest form for the common cases:

- absent: saved in (or loaded from) the default database; loaded rows carry nothing;
- None: new and unsaved (what `Model(...)` puts there);
- a ModelState: anything else, or once somebody reads `instance._state`.

The first two keep the dict free of objects, so the garbage collector need not
track it. A relation's loaded object also lives in the instance dict, under the
relation's cache name (a forward field's name, a reverse one-to-one's accessor);
the relation's data descriptor shadows that entry and serves it;
`instance._state.fields_cache` (Django's name) is a view of those entries.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator, MutableMapping
from typing import Any

DEFAULT_DB_ALIAS = "default"
_SAVED_IN_DEFAULT = object()  # what a missing "_state" entry means


class Deferred:
    """The value a row's deferred (not loaded) field has in pre_init's `args`."""

    def __repr__(self) -> str:
        return "<Deferred field>"

    def __reduce__(self) -> str:
        return "DEFERRED"


DEFERRED = Deferred()


class ModelState:
    """Which database an instance came from or went to, and whether it is saved yet.

    `pending_keys` names the forward relations assigned an unsaved object: save()
    takes their key from that object once it is saved (and from nowhere else, so
    a key set to None by hand stays None).
    """

    def __init__(self, db: str | None = None, adding: bool = True):
        self.db = db
        self.adding = adding
        self.pending_keys: set[str] | None = None
        # The instance this state belongs to (bound when the instance hands the state out).
        self.owner: weakref.ref[Any] | None = None

    @property
    def fields_cache(self) -> FieldsCache:
        """The related objects the instance holds, by cache name (a live view of the instance's dict)."""
        instance = self.owner() if self.owner is not None else None
        if instance is None:
            raise AttributeError(
                "This ModelState belongs to no instance: read fields_cache through instance._state.fields_cache."
            )
        return FieldsCache(instance)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["owner"] = None  # a weak reference does not pickle; the new instance binds its own
        return state

    def __copy__(self) -> ModelState:
        copied = ModelState(self.db, self.adding)
        copied.pending_keys = None if self.pending_keys is None else set(self.pending_keys)
        return copied


class FieldsCache(MutableMapping):
    """`instance._state.fields_cache`: {cache name: related object} for the relations the instance holds.

    A view: the objects stay in the instance's dict, where the relation
    descriptors read them, so deleting an entry makes the next access load again.
    """

    def __init__(self, instance: Any):
        self._instance = instance

    def _names(self) -> tuple[str, ...]:
        return relation_cache_names(type(self._instance))

    def _check(self, name: str) -> None:
        if name not in self._names():
            model = type(self._instance).__name__
            raise KeyError(
                f"{name!r} is not a single-object relation of {model}: fields_cache holds "
                f"{', '.join(self._names()) or 'none'}."
            )

    def __getitem__(self, name: str) -> Any:
        values = self._instance.__dict__
        if name not in values or name not in self._names():
            raise KeyError(name)
        return values[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self._check(name)
        self._instance.__dict__[name] = value

    def __delitem__(self, name: str) -> None:
        self._check(name)
        del self._instance.__dict__[name]

    def __iter__(self) -> Iterator[str]:
        values = self._instance.__dict__
        return iter([name for name in self._names() if name in values])

    def __len__(self) -> int:
        return len(list(iter(self)))

    def __repr__(self) -> str:
        return repr(dict(self))


def relation_cache_names(model: Any) -> tuple[str, ...]:
    """The names under which `model`'s instances keep single related objects (forward and reverse one-to-one)."""
    names = []
    for field in model._meta.get_fields(include_hidden=True):
        if not field.is_relation or field.many_to_many or field.one_to_many:
            continue
        names.append(field.get_cache_name() if field.auto_created and not field.concrete else field.name)
    return tuple(names)


class ModelStateDescriptor:
    """`instance._state`: the ModelState, made from the compact form on first use."""

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        cache = instance.__dict__
        state = cache.get("_state", _SAVED_IN_DEFAULT)
        if state is _SAVED_IN_DEFAULT:
            state = cache["_state"] = ModelState(DEFAULT_DB_ALIAS, adding=False)
        elif state is None:
            state = cache["_state"] = ModelState()
        if state.owner is None:  # bound once: a state belongs to one instance (a copy gets its own)
            state.owner = weakref.ref(instance)
        return state

    def __set__(self, instance: Any, value: Any) -> None:
        if type(value) is ModelState:
            value.owner = weakref.ref(instance)
        instance.__dict__["_state"] = value


def adding_and_db(instance: Any) -> tuple[bool, str | None]:
    """(`_state.adding`, `_state.db`), without making a state object."""
    state = instance.__dict__.get("_state", _SAVED_IN_DEFAULT)
    if state is _SAVED_IN_DEFAULT:
        return False, DEFAULT_DB_ALIAS
    if state is None:
        return True, None
    return state.adding, state.db


def db_of(instance: Any) -> str | None:
    """`instance._state.db`, without making a state object."""
    return adding_and_db(instance)[1]


def set_key_pending(instance: Any, name: str, pending: bool) -> None:
    """Record whether relation `name` holds an object that had no key when it was assigned."""
    state = instance.__dict__.get("_state", _SAVED_IN_DEFAULT)
    if type(state) is not ModelState:
        if not pending:
            return  # the compact forms have no pending keys: nothing to clear
        state = instance._state
    if pending:
        if state.pending_keys is None:
            state.pending_keys = set()
        state.pending_keys.add(name)
    elif state.pending_keys:
        state.pending_keys.discard(name)


def take_pending_key(instance: Any, name: str) -> bool:
    """Whether `name` was pending (and forget it)."""
    state = instance.__dict__.get("_state")
    if type(state) is not ModelState or not state.pending_keys or name not in state.pending_keys:
        return False
    state.pending_keys.discard(name)
    return True


def mark_saved(instance: Any, db: str) -> None:
    """After an INSERT or UPDATE on `db`: saved there."""
    cache = instance.__dict__
    state = cache.get("_state", _SAVED_IN_DEFAULT)
    if type(state) is ModelState:
        state.db = db
        state.adding = False
    elif db == DEFAULT_DB_ALIAS:
        cache.pop("_state", None)
    else:
        cache["_state"] = ModelState(db, adding=False)


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
