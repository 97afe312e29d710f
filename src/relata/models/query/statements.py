"""The statements compiled from a query's shape, each one its own cache key.

A tokenized `Shape` compiled as it is, is the SELECT. Every other kind is a
frozen, hashable `Statement` holding the shape and whatever else its SQL
depends on except values (an UPDATE's assignments, an aggregate's expressions);
`build()` reads nothing but that object and the builder made from its shape, so
a cached compilation cannot hold a value of the call that first built it. The
UPDATE and DELETE kinds live here; count, exists and aggregate in aggregation.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from relata.exceptions import FieldError
from relata.models.query.build import QueryBuilder
from relata.models.query.state import Shape
from relata.sql import nodes as n


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement kind over `shape`; subclasses say how it is built."""

    shape: Shape

    def build(self, builder: QueryBuilder) -> tuple[n.Node, Any]:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class UpdateStatement(Statement):
    """UPDATE of the shape's rows; the values set travel after the filter values."""

    table: str
    #: (column, expression) pairs; None stands for the next value set (a slot counted from the end).
    assignments: tuple[tuple[str, Any], ...]

    def build(self, builder: QueryBuilder) -> tuple[n.Node, Any]:
        where, having = builder.build_conditions()
        plain = sum(1 for _column, expression in self.assignments if expression is None)
        position = -plain
        nodes = []
        for column, expression in self.assignments:
            if expression is None:
                nodes.append((column, n.Slot(position)))
                position += 1
            else:
                node = expression.resolve(builder)[0]
                if type(node) is n.Row:
                    name = getattr(expression, "name", None)
                    shown = f"F({name!r})" if isinstance(name, str) else repr(expression)
                    raise FieldError(
                        f"Composite primary keys expressions are not allowed in this query ({column}={shown})."
                    )
                nodes.append((column, node))
        if builder.joins or having is not None or builder.qualify is not None:
            where = rows_by_pk(builder)
        return n.Update(self.table, tuple(nodes), where), None


@dataclass(frozen=True, slots=True)
class DeleteStatement(Statement):
    def build(self, builder: QueryBuilder) -> tuple[n.Node, Any]:
        where, having = builder.build_conditions()
        if builder.joins or having is not None or builder.qualify is not None:
            where = rows_by_pk(builder)
        return n.Delete(builder.opts.db_table, where), None


def rows_by_pk(builder: QueryBuilder) -> n.Node:
    """`pk IN (SELECT pk ... joins ... WHERE ...)`: an UPDATE or DELETE names one table, so joined filters go inside.

    The subquery is built again from the same shape, with its slots numbered
    from the start: it replaces the outer conditions, so it takes the same values.
    """
    model = builder.model
    columns = [f.column for f in model._meta.pk_fields]  # a composite key compares as a row, (a, b) IN (...)
    sub = QueryBuilder(builder.state, builder.connection, aliases=builder.aliases, subquery=True)
    select = sub.build_filtered_select(tuple((n.Col(sub.base_alias, c), None) for c in columns))
    if sub.annotations and any(aggregate for _node, _field, aggregate in sub.annotations.values()):
        select = n.Select(
            select.columns,
            select.from_,
            select.joins,
            select.where,
            group_by=tuple(n.Col(sub.base_alias, c) for c in columns),
            having=select.having,
            qualify=select.qualify,
        )
    if not builder.connection.features.update_can_self_select:
        select = n.Select(tuple((n.Col("subquery", c), None) for c in columns), n.Derived(select, "subquery"))
    outer = [n.Col(model._meta.db_table, c) for c in columns]
    return n.In(outer[0] if len(outer) == 1 else n.Row(tuple(outer)), select)
