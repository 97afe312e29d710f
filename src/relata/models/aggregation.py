"""count(), exists() and aggregate(): statements built around a QuerySet's query.

A simple query is counted or aggregated in place; one with GROUP BY,
DISTINCT, a slice or a set operation is wrapped as a derived table first so
the numbers mean what they mean in Django.
"""

from __future__ import annotations

import dataclasses
import decimal
from dataclasses import dataclass
from typing import Any

from relata.models.expressions import F
from relata.models.output_types import result_field
from relata.models.query.build import QueryBuilder
from relata.models.query.compiled import EMPTY, compile_query
from relata.models.query.state import Annotation
from relata.models.query.statements import Statement
from relata.sql import nodes as n


def _needs_wrapping(state: Any) -> bool:
    return bool(
        state.group_by is not None or state.distinct or state.is_sliced or state.combinator or _filters_windows(state)
    )


def _filters_windows(state: Any) -> bool:
    """A filter may read a window annotation: it is applied around the query, so count around it too."""
    return bool(state.where) and any(getattr(a.expression, "contains_over_clause", False) for a in state.annotations)


@dataclass(frozen=True, slots=True)
class CountStatement(Statement):
    def build(self, builder: QueryBuilder) -> tuple[n.Node, Any]:
        if not _needs_wrapping(self.shape):
            select = builder.build_filtered_select(((n.Func("COUNT", ()), None),))
            return select, None
        inner, _plan = builder.build()
        return n.Select(((n.Func("COUNT", ()), None),), n.Derived(inner, "subquery")), None


def count(queryset: Any) -> int:
    state = queryset._state.evolve(order_by=(), default_ordering=False, select_related=False)
    connection = queryset._connection
    compiled, values = compile_query(state, connection, CountStatement)
    if compiled is EMPTY:
        return 0
    return connection.execute(compiled.sql, compiled.params(values)).fetchone()[0]


@dataclass(frozen=True, slots=True)
class ExistsStatement(Statement):
    def build(self, builder: QueryBuilder) -> tuple[n.Node, Any]:
        shape = self.shape
        if _needs_wrapping(shape):
            inner, _plan = builder.build()
            return n.Select(((n.Param(1), "a"),), n.Derived(inner, "subquery"), limit=1), None
        select = builder.build_filtered_select(((n.Param(1), "a"),))
        return n.Select(select.columns, select.from_, select.joins, select.where, having=select.having, limit=1), None


def exists(queryset: Any) -> bool:
    state = queryset._state
    if not state.is_sliced and not state.combinator:
        state = state.evolve(
            order_by=(),
            default_ordering=False,
            select_related=False,
            high=1,
            low=0,
            distinct=False if state.group_by is None else state.distinct,
        )
    connection = queryset._connection
    compiled, values = compile_query(state, connection, ExistsStatement)
    if compiled is EMPTY:
        return False
    return connection.execute(compiled.sql, compiled.params(values)).fetchone() is not None


def aggregate(queryset: Any, expressions: dict[str, Any]) -> dict[str, Any]:
    if not expressions:
        return {}  # as Django: nothing asked, nothing run
    state = queryset._state.evolve(select_related=False)
    connection = queryset._connection
    if _needs_wrapping(state):
        return _aggregate_wrapped(queryset, state, expressions)
    annotations = state.annotations + tuple(
        Annotation(name, expression, len(state.where), True) for name, expression in expressions.items()
    )
    state = state.evolve(annotations=annotations, order_by=(), default_ordering=False)
    compiled, values = compile_query(state, connection, AggregateStatement, tuple(expressions))
    if compiled is EMPTY:
        return {name: _empty_value(expr) for name, expr in expressions.items()}
    row = connection.execute(compiled.sql, compiled.params(values)).fetchone()
    return _convert(expressions, compiled.plan, row, connection)


@dataclass(frozen=True, slots=True)
class AggregateStatement(Statement):
    """aggregate() in place: the shape carries the aggregates as annotations; `names` picks them."""

    names: tuple[str, ...]

    def build(self, builder: QueryBuilder) -> tuple[n.Node, Any]:
        select = builder.build_filtered_select(())
        columns = tuple((builder.annotations[name][0], name) for name in self.names)
        fields = tuple(builder.annotations[name][1] for name in self.names)
        return n.Select(columns, select.from_, select.joins, select.where, having=select.having), fields


def _aggregate_wrapped(queryset: Any, state: Any, expressions: dict[str, Any]) -> dict[str, Any]:
    """Aggregate over the rows of a grouped/distinct/sliced query: a derived table.

    The derived table keeps the queryset's own columns (for model rows, the pk
    and the annotations), so DISTINCT and GROUP BY mean what they mean for the
    queryset; anything else the aggregates read is added to it as a `__colN` column.
    """
    connection = queryset._connection
    inner_state = state
    if queryset._yields_models and state.values is None:
        inner_state = state.evolve(values=("pk", *(a.name for a in state.annotations if a.selected)))

    compiled, values = compile_query(inner_state, connection, WrappedAggregateStatement, tuple(expressions.items()))
    if compiled is EMPTY:
        return {name: _empty_value(expr) for name, expr in expressions.items()}
    row = connection.execute(compiled.sql, compiled.params(values)).fetchone()
    return _convert(expressions, compiled.plan, row, connection)


@dataclass(frozen=True, slots=True)
class WrappedAggregateStatement(Statement):
    """aggregate() over a derived table of the query's rows; `expressions` are (name, expression) pairs."""

    expressions: tuple[tuple[str, Any], ...]

    def build(self, builder: QueryBuilder) -> tuple[n.Node, Any]:
        inner, plan = builder.build()
        derived = _DerivedTable(builder, dict(zip(plan.names, plan.fields, strict=False)), bool(inner.group_by))
        columns, fields = [], []
        for name, expression in self.expressions:
            node, field = expression.resolve(derived)
            columns.append((node, name))
            fields.append(field)
        # ORDER BY only matters inside when a slice picks the rows.
        order_by = inner.order_by if inner.limit is not None or inner.offset else ()
        named = tuple((col, name) for (col, _), name in zip(inner.columns, plan.names, strict=False))
        inner = dataclasses.replace(
            inner,
            columns=named + tuple(derived.extra),
            joins=builder.join_nodes(),
            group_by=inner.group_by + tuple(derived.extra_group_by),
            order_by=order_by,
        )
        return n.Select(tuple(columns), n.Derived(inner, "subquery")), tuple(fields)


class _DerivedTable:
    """Resolves the aggregates of aggregate() against a derived table, as a query builder would.

    A name the derived table selects is read from it; any other field, and a
    filter= condition, is computed inside (where the joins are) as an extra column.
    """

    def __init__(self, builder: QueryBuilder, fields: dict[str, Any], grouped: bool):
        self.builder = builder
        self.fields = fields
        self.grouped = grouped
        self.connection = builder.connection
        self.outer = None
        self.extra: list[tuple[n.Node, str]] = []
        self.extra_group_by: list[n.Node] = []

    def resolve_ref(self, name: str) -> tuple[n.Node, Any]:
        if name in self.fields:
            return n.Col("subquery", name), self.fields[name]
        node, field, aggregated = self.builder.resolve_expression(F(name))
        return self._add(node, aggregated), field

    def resolve_expression(self, expression: Any) -> tuple[n.Node, Any, bool]:
        node, field = expression.resolve(self)
        return node, field, bool(expression.contains_aggregate)

    def condition_node(self, condition: Any) -> n.Node:
        builder = self.builder
        outer_refs, builder.group_refs = builder.group_refs, []
        try:
            node, aggregated = builder.reading_aggregates(lambda: builder.condition_node(condition))
            read = builder.group_refs
        finally:
            builder.group_refs = outer_refs
        if aggregated:
            return self._add(node, aggregated)
        # As Django: the columns the condition's lookups read come out of the derived table (also those
        # of a lookup that matches nothing) and the condition is tested outside, so DISTINCT inside
        # sees those columns, not one true/false per row.
        own = {builder.base_alias, *(join.alias for join in builder.joins)}
        exported: dict[n.Col, n.Node] = {}

        def export(col: n.Col) -> n.Node:
            if col.alias not in own:
                return col
            if col not in exported:
                exported[col] = self._add(col, False)
            return exported[col]

        try:
            _map_columns(tuple(read), export)
            return _map_columns(node, export)
        except _HoldsSubquery:
            return self._add(node, aggregated)  # a subquery may name the inner tables: tested inside

    def _add(self, node: n.Node, aggregated: bool) -> n.Node:
        alias = f"__col{len(self.extra) + 1}"
        self.extra.append((node, alias))
        if self.grouped and not aggregated:
            self.extra_group_by.append(node)
        return n.Col("subquery", alias)


class _HoldsSubquery(Exception):
    pass


def _map_columns(node: Any, replace: Any) -> Any:
    """`node` with each column replaced by `replace(column)`; _HoldsSubquery if it contains a query."""
    if isinstance(node, n.Col):
        return replace(node)
    if isinstance(node, n.Select | n.Compound | n.Subquery | n.Exists):
        raise _HoldsSubquery
    if isinstance(node, tuple):
        return tuple(_map_columns(item, replace) for item in node)
    if not isinstance(node, n.Node):
        return node
    changes = {}
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        mapped = _map_columns(value, replace)
        if mapped is not value:
            changes[field.name] = mapped
    return dataclasses.replace(node, **changes) if changes else node


def _empty_value(expression: Any) -> Any:
    if expression.default is not None:
        return expression.default
    return expression.empty_result_set_value


def _convert(expressions: dict[str, Any], fields: Any, row: Any, connection: Any) -> dict[str, Any]:
    result = {}
    for (name, expression), field, value in zip(expressions.items(), fields, row, strict=False):
        if value is None:
            value = _empty_value(expression) if expression.empty_result_set_value is not None else expression.default
        elif field is not None:
            # An aggregate is computed, never a column: its decimals keep every place.
            converter = result_field(field).from_db_converter(connection)
            if converter is not None:
                value = converter(value)
            elif isinstance(value, decimal.Decimal) and field.get_internal_type().endswith("IntegerField"):
                # SUM of integers is NUMERIC on PostgreSQL; Django makes an int of it for the integer
                # field types (not for auto fields, whose SUM stays a Decimal there).
                value = int(value)
        result[name] = value
    return result
