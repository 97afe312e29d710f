"""A Select's QUALIFY condition (a filter on window values) as SQL without QUALIFY.

SQL evaluates WHERE before window functions, so `filter(rank=1)` on a Window
annotation cannot stay in the query that computes it. As Django does, the
query runs whole inside `SELECT ... FROM (query) qualify WHERE ...`: every
value the outer condition and ordering read (the window, a column, an
aggregate) is selected inside under a name, and the outer query refers to it.
The outer select list keeps the inner one's order and aliases, so whoever
reads the rows (or selects from this one) sees the same columns.
"""

from __future__ import annotations

import dataclasses

from relata.sql import nodes as n

ALIAS = "qualify"

#: Condition nodes whose operands are values; anything else used as a condition is computed inside.
_CONNECTIVES = (n.And, n.Or, n.Not)


class _Lifter:
    """Names the values the outer query reads, adding each to the inner select list once."""

    def __init__(self, columns: tuple[tuple[n.Node, str | None], ...]):
        self.inner: list[tuple[n.Node, str]] = []
        self.names: dict[n.Node, str] = {}
        for index, (node, _alias) in enumerate(columns, 1):
            name = f"col{index}"
            self.inner.append((node, name))
            self.names.setdefault(node, name)

    def lift(self, node: n.Node) -> n.Node:
        if isinstance(node, n.Param | n.Slot | n.JSONValue | n.Select | n.Compound):
            return node  # a value, or a subquery, reads nothing of the inner query
        name = self.names.get(node)
        if name is None:
            name = self.names[node] = f"qual{len(self.names)}"
            self.inner.append((node, name))
        return n.Col(ALIAS, name)

    def condition(self, node: n.Node) -> n.Node:
        if isinstance(node, n.And | n.Or):
            return type(node)(tuple(self.condition(child) for child in node.children))
        if isinstance(node, n.Not):
            return n.Not(self.condition(node.child))
        if isinstance(node, n.Lookup):
            return dataclasses.replace(node, lhs=self.lift(node.lhs), rhs=self.lift(node.rhs))
        if isinstance(node, n.IsNull):
            return dataclasses.replace(node, expr=self.lift(node.expr))
        if isinstance(node, n.Between):
            return n.Between(self.lift(node.lhs), self.lift(node.low), self.lift(node.high))
        if isinstance(node, n.In):
            rhs = tuple(self.lift(v) for v in node.rhs) if isinstance(node.rhs, tuple) else node.rhs
            return n.In(self.lift(node.lhs), rhs)
        if isinstance(node, n.Nothing | n.Everything):
            return node
        return n.Lookup("exact", self.lift(node), n.Param(True))


def qualify_select(select: n.Select) -> n.Select:
    """`select` with its `qualify` condition applied from outside (the result has none)."""
    assert select.qualify is not None
    lifter = _Lifter(select.columns)
    where = lifter.condition(select.qualify)
    order_by = tuple(dataclasses.replace(o, expr=lifter.lift(o.expr)) for o in select.order_by)
    distinct_on = tuple(lifter.lift(e) for e in select.distinct_on)
    inner = dataclasses.replace(
        select,
        columns=tuple(lifter.inner),
        order_by=(),
        limit=None,
        offset=None,
        distinct=False,
        distinct_on=(),
        qualify=None,
    )
    # A plain column keeps its name outside, so a query selecting from this one finds it.
    outer_columns = tuple(
        (n.Col(ALIAS, f"col{index}"), node.column if alias is None and isinstance(node, n.Col) else alias)
        for index, (node, alias) in enumerate(select.columns, 1)
    )
    return n.Select(
        outer_columns,
        n.Derived(inner, ALIAS),
        where=where,
        order_by=order_by,
        limit=select.limit,
        offset=select.offset,
        distinct=select.distinct,
        distinct_on=distinct_on,
    )
