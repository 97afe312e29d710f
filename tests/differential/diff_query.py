"""Generated querysets as small data, rendered into the source code both ORMs run.

A `Shape` is a queryset's structure with `Hole`s where values go; `render(shape,
values)` fills the holes and returns Python source (`Book.objects.filter(...)`)
that is evaluated once against relata's models and once against Django's, so a
failing case prints the exact code both ran. One shape rendered with two value
lists is the same compiled shape with different values: the cache's test.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Hole:
    """A value slot: `kind` names its domain (see diff_strategies.VALUES)."""

    index: int
    kind: str


@dataclass(frozen=True)
class Ref:
    """F(path), optionally combined with an operand: F(path) <op> operand."""

    path: str
    op: str | None = None
    operand: Any = None


@dataclass(frozen=True)
class Leaf:
    path: str
    lookup: str
    rhs: Any  # Hole or Ref


@dataclass(frozen=True)
class Node:
    """A Q-tree node: connector 'and' / 'or' / 'not' over children."""

    connector: str
    children: tuple[Any, ...]


@dataclass(frozen=True)
class Agg:
    func: str  # Count, Sum, Avg, Min, Max
    path: str
    distinct: bool = False
    filter: Any = None  # a Q tree or None


@dataclass(frozen=True)
class Order:
    """An order_by() key with explicit NULL placement: F(path).asc/desc(nulls_first/nulls_last=True)."""

    path: str
    descending: bool
    nulls: str  # "first" or "last"


@dataclass(frozen=True)
class Call:
    """One queryset method call: `.method(*args, **kwargs)` with nodes as values."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Shape:
    root: str
    calls: tuple[Call, ...]
    #: What the result is: "rows" (instances), "values", "scalar" (count, aggregate, ...), "write".
    result: str = "rows"
    #: Annotation names read from each instance when the result is "rows".
    annotations: tuple[str, ...] = ()
    #: Whether the rendered query has a total order (rows compare as lists, else as multisets).
    ordered: bool = False

    def holes(self) -> list[Hole]:
        found: dict[int, Hole] = {}
        for node in walk(self.calls):
            if isinstance(node, Hole):
                found[node.index] = node
        return [found[i] for i in sorted(found)]


def walk(node: Any) -> Any:
    """Every node under `node`, depth first."""
    yield node
    if isinstance(node, tuple | list):
        for child in node:
            yield from walk(child)
    elif isinstance(node, Ref | Leaf | Node | Agg | Order | Call):
        for value in vars(node).values():
            yield from walk(value)


def render(shape: Shape, values: list[Any]) -> str:
    """The Python source of `shape` with `values` in its holes."""
    out = f"{shape.root}.objects"
    for call in shape.calls:
        if call.method == "[]":
            out += f"[{call.args[0]}:{call.args[1]}]"
            continue
        parts = [_expr(a, values) for a in call.args]
        parts += [f"{k}={_expr(v, values)}" for k, v in call.kwargs]
        out += f".{call.method}({', '.join(parts)})"
    return out


def _expr(node: Any, values: list[Any]) -> str:
    if isinstance(node, Hole):
        return _literal(values[node.index])
    if isinstance(node, Ref):
        base = f"F({node.path!r})"
        return base if node.op is None else f"({base} {node.op} {_expr(node.operand, values)})"
    if isinstance(node, Leaf):
        return f"Q({node.path}__{node.lookup}={_expr(node.rhs, values)})"
    if isinstance(node, Node):
        if node.connector == "not":
            return f"~{_expr(node.children[0], values)}"
        joiner = " & " if node.connector == "and" else " | "
        return "(" + joiner.join(_expr(c, values) for c in node.children) + ")"
    if isinstance(node, Order):
        return f"F({node.path!r}).{'desc' if node.descending else 'asc'}(nulls_{node.nulls}=True)"
    if isinstance(node, Agg):
        parts = [repr(node.path)]
        if node.distinct:
            parts.append("distinct=True")
        if node.filter is not None:
            parts.append(f"filter={_expr(node.filter, values)}")
        return f"{node.func}({', '.join(parts)})"
    return repr(node)


def _literal(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"Decimal({str(value)!r})"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ")"
    return repr(value)
