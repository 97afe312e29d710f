"""Immutable query state, and its split into a shape plus values.

Every QuerySet method returns a new `QueryState` (immutable), so states are
hashable. `tokenize()` replaces each filter value with a `Token` and collects
the values in order: the result is a `Shape`, the only kind of state the query
builder accepts, so compiled SQL (cached by shape) never holds a call's value;
the values fill that SQL's slots at execution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from relata.models.query.leaves import leaf_kind

# The leaf forms inside a where tree (see Q.as_tree): ("leaf", path, value)
# and ("expr", expression); inner nodes are (connector, negated, children).


@dataclass(frozen=True, slots=True)
class Token:
    """Stands for `count` consecutive values in the execution's value list."""

    count: int
    many: bool = False
    #: A pattern lookup's text with no LIKE wildcard or escape character in
    #: it: the SQL can leave out the ESCAPE clause (measurably faster on SQLite).
    plain: bool = False
    #: Not a value: a lookup that must read the value itself asks for a compilation with the values.
    stands_for_values = True


@dataclass(frozen=True, slots=True)
class SubqueryToken:
    """A queryset used as a filter value: its own tokenized state."""

    state: QueryState
    fields: tuple[str, ...] | None
    stands_for_values = True


ONE = Token(1)
PLAIN = Token(1, plain=True)


@dataclass(frozen=True, slots=True)
class RowLock:
    """select_for_update()'s options; `of` names relations ("self" or select_related paths)."""

    nowait: bool = False
    skip_locked: bool = False
    of: tuple[str, ...] = ()
    no_key: bool = False


@dataclass(frozen=True, slots=True)
class Annotation:
    name: str
    expression: Any
    #: How many filter() calls preceded it: decides which joins it may share.
    after_filters: int
    selected: bool = True


_STATE_DEFAULTS: dict[str, Any] = {
    "model": None,
    "where": (),
    "annotations": (),
    "order_by": None,
    "default_ordering": True,
    "reversed": False,
    "low": 0,
    "high": None,
    "distinct": False,
    "distinct_fields": (),
    "select_related": False,
    # Names picked by values()/values_list(); None selects model instances.
    "values": None,
    # (filter() calls, annotations) made before values(): its joins are made at that point, as Django's
    # are, so a later filter() across the same multi-valued relation joins it again. None: made last.
    "values_after": None,
    # The same point for group_by's names: those values() picked before the aggregate was annotated.
    "group_by_after": None,
    # None: no GROUP BY; True: group by every model column; tuple: those names.
    "group_by": None,
    "deferred": frozenset(),
    "only": None,
    "combinator": None,
    # A RowLock when select_for_update() was called.
    "for_update": None,
    "empty": False,
}


class QueryState:
    """Immutable and hashable; `evolve()` makes a changed copy.

    A plain dict-backed class rather than a frozen dataclass: QuerySet methods
    copy state on every call, and a dict merge is several times cheaper than
    `dataclasses.replace`.
    """

    __slots__ = ("__dict__", "_hash", "_shape")

    def __init__(self, model: Any, **values: Any):
        unknown = set(values) - set(_STATE_DEFAULTS)
        if unknown:
            raise TypeError(f"Unknown query state field(s): {', '.join(sorted(unknown))}")
        state = dict(_STATE_DEFAULTS)
        state["model"] = model
        state.update(values)
        object.__setattr__(self, "__dict__", state)

    if TYPE_CHECKING:
        model: Any
        where: tuple[Any, ...]
        annotations: tuple[Annotation, ...]
        order_by: tuple[Any, ...] | None
        default_ordering: bool
        reversed: bool
        low: int
        high: int | None
        distinct: bool
        distinct_fields: tuple[str, ...]
        select_related: bool | tuple[str, ...]
        values: tuple[Any, ...] | None
        values_after: tuple[int, int] | None
        group_by_after: tuple[int, int] | None
        group_by: bool | tuple[str, ...] | None
        deferred: frozenset[str]
        only: frozenset[str] | None
        combinator: tuple[str, bool, tuple[QueryState, ...]] | None
        for_update: RowLock | None
        empty: bool

    def evolve(self, **changes: Any) -> QueryState:
        new = object.__new__(QueryState)
        object.__setattr__(new, "__dict__", {**self.__dict__, **changes})
        return new

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("QueryState is immutable; use evolve().")

    def __reduce__(self) -> Any:
        # The values only: the cached hash and shape belong to this process (string hashes differ per process).
        # A queryset among the filter values is part of the query: it pickles as one, not as its rows.
        values = dict(self.__dict__)
        values["where"] = tuple(_as_queries(tree) for tree in self.where)
        return _rebuilt_state, (type(self), values)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:  # type: ignore[override]
        # Looked up in the compile cache on every execution: hash once.
        try:
            return self._hash
        except AttributeError:
            value = hash(tuple(self.__dict__.values()))
            object.__setattr__(self, "_hash", value)
            return value

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.__dict__.items() if k != "model" and v != _STATE_DEFAULTS[k]}
        return f"QueryState({self.model.__name__}, {changed})"

    @property
    def is_sliced(self) -> bool:
        return self.low != 0 or self.high is not None


def _as_queries(tree: tuple[Any, ...]) -> tuple[Any, ...]:
    """A where tree whose querysets (`pk__in=qs`) pickle as queries (QuerySet._query_only)."""
    kind = tree[0]
    if kind == "leaf":
        value = tree[2]
        query_only = getattr(value, "_query_only", None)
        return tree if query_only is None else ("leaf", tree[1], query_only())
    if kind == "expr":
        return tree
    connector, negated, children = tree
    return (connector, negated, tuple(_as_queries(child) for child in children))


def _rebuilt_state(cls: type, values: dict[str, Any]) -> QueryState:
    """A pickled state back, its caches to be made again."""
    state = object.__new__(cls)
    object.__setattr__(state, "__dict__", values)
    return state


class Shape(QueryState):
    """A state whose filter values are Tokens: what a cache key and the query builder hold.

    Made by `tokenize()`, or by `Shape.of_constant()` for a state that a cache
    key already holds whole, values included.
    """

    __slots__ = ()

    @staticmethod
    def of_constant(state: QueryState) -> Shape:
        """`state` as it is, values and all.

        Only for a state with no filter values, one the cache key holds whole (a
        Subquery() expression's queryset compares equal by its values), or one
        never cached (a CHECK constraint's condition).
        """
        if type(state) is Shape:
            return state
        try:
            return state._shape
        except AttributeError:
            pass
        shape = object.__new__(Shape)
        # The fields dict is never changed after construction: sharing it is safe.
        object.__setattr__(shape, "__dict__", state.__dict__)
        object.__setattr__(state, "_shape", shape)
        return shape


def tokenize(state: QueryState, values: list[Any]) -> Shape:
    """The state's shape: filter values replaced by Tokens and appended to `values` in order."""
    if type(state) is Shape:
        return state
    if not state.where and state.combinator is None:
        return Shape.of_constant(state)  # nothing to take out: the state is its own shape
    changes: dict[str, Any] = {"where": tuple(_tokenize_tree(state, tree, values) for tree in state.where)}
    combinator = state.combinator
    if combinator is not None:
        op, all_, parts = combinator
        changes["combinator"] = (op, all_, tuple(tokenize(part, values) for part in parts))
    shape = object.__new__(Shape)
    object.__setattr__(shape, "__dict__", {**state.__dict__, **changes})
    return shape


def _tokenize_tree(state: QueryState, tree: tuple[Any, ...], values: list[Any]) -> tuple[Any, ...]:
    kind = tree[0]
    if kind == "leaf":
        return ("leaf", tree[1], _tokenize_value(state, tree[1], tree[2], values))
    if kind == "expr":
        return tree
    connector, negated, children = tree
    return (connector, negated, tuple(_tokenize_tree(state, child, values) for child in children))


def _tokenize_value(state: QueryState, path: str, value: Any, values: list[Any]) -> Any:
    if value is None or getattr(value, "resolves_in_query", False):
        return value
    state_of = getattr(value, "_subquery_state", None)
    if state_of is not None:
        sub_state, fields = state_of()
        return SubqueryToken(tokenize(sub_state, values), fields)
    kind = leaf_kind(state, path)
    if kind.flag:
        # True/False is part of the shape; anything else reaches the builder, which refuses it.
        return value
    if kind.many:
        items = list(value)  # as Django, a string is iterated too: title__in="ab" means "a" or "b"
        if kind.drops_none:
            # NULL equals nothing: as Django, leave it out (`pk__in=[None]` then runs no query at all).
            items = [item for item in items if item is not None]
        for item in items:
            if getattr(item, "_subquery_state", None) is not None or getattr(item, "resolves_in_query", False):
                raise TypeError(f"A list for {path} must hold plain values or model instances.")
        values.extend(items)
        return Token(len(items), many=True)
    values.append(value)
    if type(value) is str and kind.pattern and not ("%" in value or "_" in value or "\\" in value):
        return PLAIN
    return ONE
