"""Compiled SQL cached per statement, per connection.

`compile_query()` tokenizes a state (values out, shape in), makes the
statement of the asked kind over that shape, and looks it up in the
connection's statement cache; it builds and compiles only on a miss. The
returned params are the call's values placed into the cached template.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from relata.backends.base.statements import settings, verify
from relata.exceptions import EmptyResultSet, TransactionManagementError
from relata.models.fields.lookup_registry import LOOKUPS
from relata.models.lookups.bridge import NeedsValues
from relata.models.query.build import QueryBuilder
from relata.models.query.leaves import leaf_kind
from relata.models.query.state import QueryState, Shape, tokenize
from relata.sql import nodes as n


@dataclass(frozen=True, slots=True)
class Compiled:
    sql: str
    template: tuple[Any, ...]
    plan: Any
    has_slots: bool
    #: The lookup registry's version when compiled (see fields/lookup_registry.py).
    lookups_version: int = 0
    #: A mark, not SQL: this statement holds a hand-written lookup, compiled per call with the values.
    needs_values: bool = False

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
        if self.connection().get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction: its row locks would end with the "
                "query. Evaluate the queryset inside `with transaction.atomic():`."
            )
        return Compiled.params(self, values)


def compile_query(
    state: QueryState, connection: Any, kind: Any = None, *details: Any, values: list[Any] | None = None
) -> tuple[Compiled, list[Any]]:
    """(compiled, values) for a state: a SELECT, or `kind(shape, *details)` (a Statement class).

    `values` may hold values the statement places after the filter's (an UPDATE's).
    """
    filter_values: list[Any] = []
    shape = tokenize(state, filter_values)
    if values:
        filter_values.extend(values)
    statement = shape if kind is None else kind(shape, *details)
    try:
        return compile_statement(statement, connection, filter_values), filter_values
    except NeedsValues:
        return compile_with_values(state, connection, kind, *details, values=values)


def compile_with_values(
    state: QueryState, connection: Any, kind: Any = None, *details: Any, values: list[Any] | None = None
) -> tuple[Compiled, list[Any]]:
    """The statement compiled from the state with its filter values in it, for this call only.

    For a lookup written by hand (its SQL may depend on the value it compares
    with): nothing of this compilation is cached.
    """
    shape = constant_shape(state)
    statement = shape if kind is None else kind(shape, *details)
    return _compile(statement, connection), list(values or ())


def constant_shape(state: QueryState) -> Shape:
    """`state` as a shape that keeps its values, the parts of a union included."""
    if state.combinator is None:
        return Shape.of_constant(state)
    op, all_, parts = state.combinator
    shape = object.__new__(Shape)
    combined = (op, all_, tuple(constant_shape(part) for part in parts))
    object.__setattr__(shape, "__dict__", {**state.__dict__, "combinator": combined})
    return shape


def compile_statement(statement: Any, connection: Any, values: list[Any]) -> Compiled:
    """The compiled statement, from the cache when possible; `values` only serve check mode."""
    cache = connection.statements
    try:
        compiled = cache.get(statement)
    except TypeError:  # an unhashable value inside an expression: compile for this call only
        return _compile(statement, connection)
    if compiled is not None and compiled is not EMPTY and compiled.lookups_version != LOOKUPS.version:
        compiled = None  # compiled before a lookup was registered or removed: its names may mean another now
    elif compiled is not None and compiled.needs_values:
        raise NeedsValues
    if compiled is None:
        try:
            compiled = _compile(statement, connection)
        except NeedsValues:
            cache.add(statement, Compiled("", (), None, False, LOOKUPS.version, needs_values=True))
            raise
        cache.add(statement, compiled)
    elif settings.check:
        fresh = _compile(statement, connection)
        verify(statement, (compiled.sql, list(compiled.params(values))), (fresh.sql, list(fresh.params(values))))
    return compiled


def _compile(statement: Any, connection: Any) -> Compiled:
    if type(statement) is Shape:
        shape, build = statement, QueryBuilder.build
    else:
        shape, build = statement.shape, statement.build
    builder = QueryBuilder(shape, connection)
    try:
        node, plan = build(builder)
    except EmptyResultSet:
        return EMPTY
    sql, params = connection.ops.compiler().compile(node)
    has_slots = any(p.__class__ is n.Slot for p in params)
    version = LOOKUPS.version
    if getattr(node, "for_update", None) is not None:
        return LockingCompiled(sql, tuple(params), plan, has_slots, version, False, weakref.ref(connection))
    return Compiled(sql, tuple(params), plan, has_slots, version)


class OneValueGet:
    """Key kind of `Model.objects.get(name=value)`'s entry: (sql, value preparer, row plan), or NONE."""

    #: No shortcut for this name: its shape depends on the value (see one_value_select).
    NONE = ("none",)


def one_value_select(
    connection: Any, model: Any, name: str, value: Any, make_state: Callable[[], QueryState]
) -> tuple[str, Any, Any] | None:
    """One compiled SELECT for every plain value of `name`, or None when the shape depends on the value.

    Lookups whose shape changes with the value get no shortcut: a LIKE pattern
    (with or without wildcards), a list (its length), isnull (True or False).
    `make_state()` is the filtered state, called only to compile (and in check mode).
    """
    key = (OneValueGet, model, name, LOOKUPS.version)
    entry = connection.statements.get(key)
    if entry is None or settings.check:
        state = make_state()
        compiled, values = compile_query(state, connection)
        template = compiled.template
        kind = leaf_kind(state, name)
        if compiled is EMPTY or len(template) != 1 or type(template[0]) is not n.Slot or kind.pattern or kind.many:
            fresh = OneValueGet.NONE
        else:
            fresh = (compiled.sql, template[0].prep, compiled.plan)
        if entry is None:
            entry = fresh
            connection.statements.add(key, entry)
        elif entry is not OneValueGet.NONE:
            sent = [value if entry[1] is None else entry[1](value)]
            verify(key, (entry[0], sent), (compiled.sql, list(compiled.params(values))))
    return None if entry is OneValueGet.NONE else entry
