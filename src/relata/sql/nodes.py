"""SQL statements and expressions as frozen, hashable dataclasses.

Nodes are plain data: building one never touches a database, and two nodes of
the same shape compare equal, so compiled SQL can be cached by node. Values
only ever appear as `Param` (a constant) or `Slot` (filled in at execution).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Node:
    """Base of every SQL node."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Table(Node):
    name: str
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class Derived(Node):
    """A subquery in FROM: `(SELECT ...) alias`."""

    query: Select | Compound
    alias: str


@dataclass(frozen=True, slots=True)
class Col(Node):
    """A column, qualified by its table alias when there is one."""

    alias: str | None
    column: str


@dataclass(frozen=True, slots=True)
class Star(Node):
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class Param(Node):
    """A constant value sent to the driver as a parameter."""

    value: Any


@dataclass(frozen=True, slots=True)
class Slot(Node):
    """A parameter whose value is supplied when the compiled SQL is executed.

    `index` picks the value from the execution's value list; `prep`, when set,
    converts it (for example, wrapping a LIKE pattern) before it is sent.
    """

    index: int
    prep: Callable[[Any], Any] | None = None

    def resolve(self, values: list[Any]) -> Any:
        value = values[self.index]
        return value if self.prep is None else self.prep(value)


@dataclass(frozen=True, slots=True)
class RawSQL(Node):
    """SQL text a user wrote (RawSQL(), extra()), `%s` marking where each of `params` goes, `%%` a percent sign."""

    sql: str
    params: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class Func(Node):
    """A function call: `NAME(arg, ...)`, with optional DISTINCT and FILTER."""

    name: str
    args: tuple[Node, ...] = ()
    distinct: bool = False
    filter: Node | None = None
    #: The kind of value each argument holds ("int", "float", "decimal", "text", "date", ...; None when
    #: unknown), for the dialects whose spelling of a function depends on it (ROUND of a float).
    types: tuple[str | None, ...] = ()
    #: The kind of value the function answers, in the same words (None when not said).
    output: str | None = None


@dataclass(frozen=True, slots=True)
class Cast(Node):
    expr: Node
    type_name: str


@dataclass(frozen=True, slots=True)
class Collate(Node):
    """`expr COLLATE name`; the name was checked to be a plain identifier and is quoted by the dialect."""

    expr: Node
    collation: str


@dataclass(frozen=True, slots=True)
class BinOp(Node):
    """Arithmetic or concatenation: `lhs op rhs`."""

    op: str
    lhs: Node
    rhs: Node
    #: The operands' kinds when one is a date, time, datetime or duration ("datetime", "duration"):
    #: the dialects that keep these as text or numbers compute them their own way.
    types: tuple[str | None, str | None] = ()
    #: The kind of value the result is ("decimal", ...; None when not said), as Func.output.
    output: str | None = None


@dataclass(frozen=True, slots=True)
class Neg(Node):
    expr: Node


@dataclass(frozen=True, slots=True)
class Lookup(Node):
    """A comparison named by its lookup (`exact`, `icontains`, `gt`, ...).

    The dialect decides how each lookup is spelled; the value's preparation
    (escaping a LIKE pattern, say) is done by whoever built the right side.
    """

    name: str
    lhs: Node
    rhs: Node
    #: Whether a pattern lookup needs its ESCAPE clause (False: the text has no wildcard).
    escape: bool = True


@dataclass(frozen=True, slots=True)
class IsNull(Node):
    expr: Node
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Row(Node):
    """A row value, `(a, b)`: the left side of `(a, b) IN (SELECT a, b ...)` for a key of several columns."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class In(Node):
    lhs: Node
    rhs: tuple[Node, ...] | Select | Compound


@dataclass(frozen=True, slots=True)
class Between(Node):
    lhs: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class Extract(Node):
    """A part of a date or datetime: year, month, day, hour, week_day, date ..."""

    part: str
    expr: Node


@dataclass(frozen=True, slots=True)
class AtTimeZone(Node):
    """A UTC datetime read on the wall clock of `zone` (a node holding an IANA name or a +HH:MM offset)."""

    expr: Node
    zone: Node


@dataclass(frozen=True, slots=True)
class Trunc(Node):
    """A date, time or datetime cut down to `kind` (year, quarter, month, week, day, hour, minute,
    second; or date, time: the datetime's date or time part). `source` and `output` say which of
    "date", "time" and "datetime" goes in and comes out."""

    kind: str
    expr: Node
    source: str
    output: str


@dataclass(frozen=True, slots=True)
class JSONPath(Node):
    """The JSON document at `keys` inside the JSON column or expression `expr`.

    Keys are text; one that reads as an integer is an array index (Django's rule).
    `form` says how the value is read: "json" (a JSON document, for SELECT and
    IS NULL), "value" (a scalar to compare with a `JSONValue`) or "text"
    (unquoted text, for LIKE and regex lookups).
    """

    expr: Node
    keys: tuple[str, ...]
    form: str = "json"


@dataclass(frozen=True, slots=True)
class JSONValue(Node):
    """A value compared with a `JSONPath` in "value" form; its parameter holds JSON text."""

    value: Node


@dataclass(frozen=True, slots=True)
class JSONNull(Node):
    """True where the path holds JSON null (not where it is missing)."""

    path: JSONPath


@dataclass(frozen=True, slots=True)
class JSONHasKeys(Node):
    """`has_key`, `has_keys` (`all_`) and `has_any_keys` under `path`; each key node holds a key's text."""

    path: JSONPath
    keys: tuple[Node, ...]
    all_: bool = True


@dataclass(frozen=True, slots=True)
class JSONContains(Node):
    """`lhs` contains the JSON text in `rhs` (or, `contained_by`, is contained in it)."""

    lhs: Node
    rhs: Node
    contained_by: bool = False


@dataclass(frozen=True, slots=True)
class And(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not(Node):
    child: Node


@dataclass(frozen=True, slots=True)
class Nothing(Node):
    """A condition that is never true (an empty `IN`, `none()`)."""


@dataclass(frozen=True, slots=True)
class Everything(Node):
    """A condition that is always true."""


@dataclass(frozen=True, slots=True)
class Exists(Node):
    query: Select


@dataclass(frozen=True, slots=True)
class Subquery(Node):
    query: Select | Compound


@dataclass(frozen=True, slots=True)
class When(Node):
    condition: Node
    result: Node


@dataclass(frozen=True, slots=True)
class Case(Node):
    whens: tuple[When, ...]
    default: Node | None = None


@dataclass(frozen=True, slots=True)
class WindowFrame(Node):
    """ROWS or RANGE BETWEEN start AND end; a bound is (direction, offset node or None), e.g.
    ("PRECEDING", Param(2)), ("CURRENT ROW", None), ("UNBOUNDED FOLLOWING", None)."""

    kind: str
    start: tuple[str, Node | None]
    end: tuple[str, Node | None]
    #: EXCLUDE CURRENT ROW / GROUP / TIES / NO OTHERS, or None.
    exclusion: str | None = None


@dataclass(frozen=True, slots=True)
class Window(Node):
    """`expr OVER (PARTITION BY ... ORDER BY ... frame)`."""

    expr: Node
    partition_by: tuple[Node, ...] = ()
    order_by: tuple[OrderBy, ...] = ()
    frame: WindowFrame | None = None


@dataclass(frozen=True, slots=True)
class Random(Node):
    pass


@dataclass(frozen=True, slots=True)
class Now(Node):
    """The current date and time, as the database sees it."""


@dataclass(frozen=True, slots=True)
class OrderBy(Node):
    expr: Node
    descending: bool = False
    #: "FIRST" or "LAST" to place NULLs; None leaves them where the database puts them.
    nulls: str | None = None

    def reversed(self) -> OrderBy:
        """The opposite order: NULLs asked first come last (as reverse() does in Django)."""
        nulls = {"FIRST": "LAST", "LAST": "FIRST"}.get(self.nulls) if self.nulls else None
        return OrderBy(self.expr, not self.descending, nulls)


@dataclass(frozen=True, slots=True)
class ForUpdate(Node):
    """SELECT's row-locking clause; the backend checked the options before building it."""

    nowait: bool = False
    skip_locked: bool = False
    #: Aliases of the tables whose rows to lock; empty locks every table's.
    of: tuple[str, ...] = ()
    #: FOR NO KEY UPDATE: does not block inserts referencing the row (PostgreSQL).
    no_key: bool = False


@dataclass(frozen=True, slots=True)
class Join(Node):
    table: Table
    on: Node
    kind: str = "INNER"


@dataclass(frozen=True, slots=True)
class Select(Node):
    columns: tuple[tuple[Node, str | None], ...]
    from_: Table | Derived | None
    joins: tuple[Join, ...] = ()
    where: Node | None = None
    group_by: tuple[Node, ...] = ()
    having: Node | None = None
    order_by: tuple[OrderBy, ...] = ()
    limit: int | None = None
    offset: int | None = None
    distinct: bool = False
    for_update: ForUpdate | None = None
    #: DISTINCT ON (...) expressions; only dialects that have it compile them.
    distinct_on: tuple[Node, ...] = ()
    #: A condition on window values, applied after them (sql/qualify.py writes it as a derived table).
    qualify: Node | None = None


@dataclass(frozen=True, slots=True)
class Compound(Node):
    """UNION / INTERSECT / EXCEPT of selects, with its own ORDER BY and LIMIT."""

    op: str
    parts: tuple[Select | Compound, ...]
    all: bool = False
    order_by: tuple[OrderBy, ...] = ()
    limit: int | None = None
    offset: int | None = None


@dataclass(frozen=True, slots=True)
class Insert(Node):
    table: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Node, ...], ...]
    returning: tuple[str, ...] = ()
    #: None; ("ignore",); or ("update", conflict columns, columns to update).
    on_conflict: tuple[Any, ...] | None = None


@dataclass(frozen=True, slots=True)
class Update(Node):
    table: str
    assignments: tuple[tuple[str, Node], ...]
    where: Node | None = None


@dataclass(frozen=True, slots=True)
class Delete(Node):
    table: str
    where: Node | None = None


def and_(*conditions: Node | None) -> Node | None:
    """Join conditions with AND, flattening and dropping the missing ones."""
    parts: list[Node] = []
    for condition in conditions:
        if condition is None or isinstance(condition, Everything):
            continue
        if isinstance(condition, And):
            parts.extend(condition.children)
        else:
            parts.append(condition)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


@dataclass(frozen=True, slots=True)
class SelectIndex(Node):
    """A select-list entry named by its 1-based position, as in GROUP BY 2 or ORDER BY 2."""

    position: int
