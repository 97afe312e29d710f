"""Compiled SQL cached per query shape, per connection.

`compile_query()` tokenizes the state (values out, shape in), looks the shape
up in the connection's cache, and builds + compiles only on a miss. The
returned params are the execution's values placed into the cached template.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from relata.exceptions import EmptyResultSet, TransactionManagementError
from relata.models.query.build import QueryBuilder
from relata.models.query.plan import SelectPlan
from relata.models.query.state import QueryState, tokenize
from relata.sql import nodes as n

CACHE_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class Compiled:
    sql: str
    template: tuple[Any, ...]
    plan: Any
    has_slots: bool

    def params(self, values: list[Any]) -> list[Any] | tuple[Any, ...]:
        if not self.has_slots:
            return self.template
        slot = n.Slot
        return [p.resolve(values) if p.__class__ is slot else p for p in self.template]


EMPTY = Compiled("", (), None, False)


@dataclass(frozen=True, slots=True)
class LockingCompiled(Compiled):
    """A SELECT ... FOR UPDATE: checked at each execution, since its compilation is reused.

    In autocommit its locks would end with the statement, so running it there
    is a mistake, refused before the SQL runs. The connection is held weakly:
    this object lives in that connection's own cache.
    """

    connection: Any = None

    def params(self, values: list[Any]) -> list[Any] | tuple[Any, ...]:
        if not self.connection().in_atomic_block:
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction: its row locks would end with the "
                "query. Evaluate the queryset inside `with transaction.atomic():`."
            )
        return Compiled.params(self, values)


def compile_query(
    state: QueryState,
    connection: Any,
    kind: Any = "select",
    make: Callable[[QueryBuilder], tuple[n.Node, Any]] | None = None,
) -> tuple[Compiled, list[Any]]:
    """(compiled, values) for a state; `kind` and `make` select the statement shape."""
    values: list[Any] = []
    shape = tokenize(state, values)
    return compile_shape(shape, connection, kind, make), values


def compile_shape(
    shape: QueryState,
    connection: Any,
    kind: Any = "select",
    make: Callable[[QueryBuilder], tuple[n.Node, Any]] | None = None,
) -> Compiled:
    """The compiled statement for an already tokenized state, from the cache when possible."""
    cache = connection.compile_cache
    key = (kind, shape)
    try:
        compiled = cache.get(key)
        cacheable = True
    except TypeError:
        compiled, cacheable = None, False
    if compiled is None:
        compiled = _compile(shape, connection, make or _select)
        if cacheable:
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            cache[key] = compiled
    return compiled


def _select(builder: QueryBuilder) -> tuple[n.Node, SelectPlan]:
    return builder.build()


def _compile(state: QueryState, connection: Any, make: Callable[[QueryBuilder], tuple[n.Node, Any]]) -> Compiled:
    builder = QueryBuilder(state, connection)
    try:
        node, plan = make(builder)
    except EmptyResultSet:
        return EMPTY
    sql, params = connection.ops.compiler().compile(node)
    has_slots = any(p.__class__ is n.Slot for p in params)
    if getattr(node, "for_update", None) is not None:
        return LockingCompiled(sql, tuple(params), plan, has_slots, weakref.ref(connection))
    return Compiled(sql, tuple(params), plan, has_slots)
