"""count(), exists() and aggregate(): statements built around a QuerySet's query.

A simple query is counted or aggregated in place; one with GROUP BY,
DISTINCT, a slice or a set operation is wrapped as a derived table first so
the numbers mean what they mean in Django.
"""

from __future__ import annotations

from typing import Any

from relata.models.query.build import QueryBuilder
from relata.models.query.compiled import EMPTY, compile_query
from relata.models.query.state import Annotation
from relata.sql import nodes as n


def _needs_wrapping(state: Any) -> bool:
    return bool(state.group_by is not None or state.distinct or state.is_sliced or state.combinator)


def count(queryset: Any) -> int:
    state = queryset._state.evolve(order_by=(), default_ordering=False, select_related=False)
    wrap = _needs_wrapping(state)

    def make(builder: QueryBuilder) -> tuple[n.Node, Any]:
        if not wrap:
            select = builder.build_filtered_select(((n.Func("COUNT", ()), None),))
            return select, None
        inner, _plan = builder.build()
        return n.Select(((n.Func("COUNT", ()), None),), n.Derived(inner, "subquery")), None

    connection = queryset._connection
    compiled, values = compile_query(state, connection, "count", make)
    if compiled is EMPTY:
        return 0
    return connection.execute(compiled.sql, compiled.params(values)).fetchone()[0]


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

    def make(builder: QueryBuilder) -> tuple[n.Node, Any]:
        if state.combinator or state.group_by is not None or state.distinct or state.is_sliced:
            inner, _plan = builder.build()
            return n.Select(((n.Param(1), "a"),), n.Derived(inner, "subquery"), limit=1), None
        select = builder.build_filtered_select(((n.Param(1), "a"),))
        return n.Select(select.columns, select.from_, select.joins, select.where, having=select.having, limit=1), None

    connection = queryset._connection
    compiled, values = compile_query(state, connection, "exists", make)
    if compiled is EMPTY:
        return False
    return connection.execute(compiled.sql, compiled.params(values)).fetchone() is not None


def aggregate(queryset: Any, expressions: dict[str, Any]) -> dict[str, Any]:
    state = queryset._state.evolve(select_related=False)
    connection = queryset._connection
    if _needs_wrapping(state):
        return _aggregate_wrapped(queryset, state, expressions)
    annotations = state.annotations + tuple(
        Annotation(name, expression, len(state.where), True) for name, expression in expressions.items()
    )
    state = state.evolve(annotations=annotations, order_by=(), default_ordering=False)

    def make(builder: QueryBuilder) -> tuple[n.Node, Any]:
        select = builder.build_filtered_select(())
        columns = tuple((builder.annotations[name][0], name) for name in expressions)
        fields = tuple(builder.annotations[name][1] for name in expressions)
        return n.Select(columns, select.from_, select.joins, select.where, having=select.having), fields

    compiled, values = compile_query(state, connection, "aggregate", make)
    if compiled is EMPTY:
        return {name: _empty_value(expr) for name, expr in expressions.items()}
    row = connection.execute(compiled.sql, compiled.params(values)).fetchone()
    return _convert(expressions, compiled.plan, row, connection)


def _aggregate_wrapped(queryset: Any, state: Any, expressions: dict[str, Any]) -> dict[str, Any]:
    """Aggregate over the rows of a grouped/distinct/sliced query: a derived table."""
    connection = queryset._connection
    inner_state = state
    if queryset._iterable == "model" and state.values is None:
        names = tuple(a.name for a in state.annotations if a.selected)
        refs = set()
        for expression in expressions.values():
            refs |= expression.refs()
        names += tuple(sorted(r for r in refs if r not in names))
        inner_state = state.evolve(values=names or ("pk",))

    def make(builder: QueryBuilder) -> tuple[n.Node, Any]:
        inner, plan = builder.build()
        names = plan.names
        # ORDER BY only matters inside when a slice picks the rows.
        order_by = inner.order_by if inner.limit is not None or inner.offset else ()
        inner = n.Select(
            tuple((col, name) for (col, _), name in zip(inner.columns, names, strict=False)),
            inner.from_,
            inner.joins,
            inner.where,
            inner.group_by,
            inner.having,
            order_by,
            inner.limit,
            inner.offset,
            inner.distinct,
            distinct_on=inner.distinct_on,
        )
        outer = _DerivedRefs(builder, dict(zip(names, plan.fields, strict=False)))
        columns, fields = [], []
        for name, expression in expressions.items():
            node, field = expression.resolve(outer)
            columns.append((node, name))
            fields.append(field)
        return n.Select(tuple(columns), n.Derived(inner, "subquery")), tuple(fields)

    compiled, values = compile_query(inner_state, connection, "aggregate-wrapped:" + ",".join(expressions), make)
    if compiled is EMPTY:
        return {name: _empty_value(expr) for name, expr in expressions.items()}
    row = connection.execute(compiled.sql, compiled.params(values)).fetchone()
    return _convert(expressions, compiled.plan, row, connection)


class _DerivedRefs:
    """Resolves F() names against the columns of a derived table."""

    def __init__(self, builder: QueryBuilder, fields: dict[str, Any]):
        self.builder = builder
        self.fields = fields
        self.connection = builder.connection
        self.outer = None

    def resolve_ref(self, name: str) -> tuple[n.Node, Any]:
        if name not in self.fields:
            from relata.exceptions import FieldError

            raise FieldError(f"Cannot aggregate over '{name}': it is not a column of the grouped query.")
        return n.Col("subquery", name), self.fields[name]

    def condition_node(self, condition: Any) -> n.Node:
        raise NotImplementedError("filter= on an aggregate over a grouped query is not supported.")


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
            converter = field.from_db_converter(connection)
            if converter is not None:
                value = converter(value)
        result[name] = value
    return result
