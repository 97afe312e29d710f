"""The per-connection cache of compiled statements: bounded, the least recently used goes first.

A key holds everything its entry depends on except the values of a call: a
query statement (frozen, hashable, built from a tokenized shape), or a tuple
`(kind, *items)` whose first item is the `StatementKind` that builds the entry.
Two settings, read once from the environment and switchable from
`relata.testing`: RELATA_COMPILE_CACHE=off keeps nothing (every call compiles
its own statement); RELATA_COMPILE_CHECK=1 makes callers recompile on every hit
and fail when the cached result differs from the fresh one.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

ENV_CACHE = "RELATA_COMPILE_CACHE"
ENV_CHECK = "RELATA_COMPILE_CHECK"
#: Enough for every shape of a large application; a bound so generated queries cannot grow it for ever.
LIMIT = 4096


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "on", "true", "yes"}:
        return True
    if lowered in {"0", "off", "false", "no"}:
        return False
    raise ValueError(f"{name}={value!r} is not understood; set it to 'on' or 'off' (or 1 / 0).")


class CompileSettings:
    """The two switches; a mutable object so `relata.testing` can flip them for a block of code."""

    __slots__ = ("check", "enabled")

    def __init__(self) -> None:
        self.enabled = _flag(ENV_CACHE, True)
        self.check = _flag(ENV_CHECK, False)


settings = CompileSettings()


class StaleStatementError(AssertionError):
    """Check mode found a cached statement that differs from a fresh compilation of the same key."""


class StatementCache:
    """Statement -> compiled entry, at most `limit` of them; a hit makes an entry the most recent."""

    __slots__ = ("_entries", "limit")

    def __init__(self, limit: int = LIMIT):
        self._entries: OrderedDict[Any, Any] = OrderedDict()
        self.limit = limit

    def get(self, key: Any) -> Any:
        """The entry for `key`, or None; raises TypeError for an unhashable key (compile without caching)."""
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def add(self, key: Any, entry: Any) -> None:
        if not settings.enabled:
            return
        entries = self._entries
        entries[key] = entry
        if len(entries) > self.limit:
            entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __iter__(self) -> Iterator[Any]:
        """The keys, least recently used first (for inspection)."""
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Any) -> bool:
        return key in self._entries


class StatementKind:
    """A kind of entry keyed `(kind, *items)`: `build(connection, *items, *inputs)` makes it.

    `inputs` are objects the items determine but that are slow to hash (the
    fields of a model named by their attnames).
    """

    @classmethod
    def build(cls, connection: Any, *args: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def fingerprint(cls, entry: Any) -> Any:
        """What check mode compares between a cached entry and a fresh one."""
        return entry


def cached(connection: Any, key: tuple[Any, ...], *inputs: Any) -> Any:
    """The entry for `key` from the connection's cache, built by its kind on a miss."""
    cache = connection.statements
    entry = cache.get(key)
    if entry is None:
        entry = key[0].build(connection, *key[1:], *inputs)
        cache.add(key, entry)
    elif settings.check:
        kind = key[0]
        verify(key, kind.fingerprint(entry), kind.fingerprint(kind.build(connection, *key[1:], *inputs)))
    return entry


def verify(key: Any, cached: Any, fresh: Any) -> None:
    """Check mode: fail loudly when a cached entry is not what compiling its key again gives."""
    if cached != fresh:
        raise StaleStatementError(
            f"The compiled-statement cache returned a stale entry for {key!r}:\n"
            f"  cached: {cached!r}\n  fresh:  {fresh!r}\n"
            "Something the SQL depends on is missing from the statement's key."
        )
