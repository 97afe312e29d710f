"""The bridge to lookups and transforms that write their own SQL text, in Django's way.

Their `as_sql(compiler, connection)` (or `as_<vendor>`) receives a `SQLBridge`
as the compiler: `compiler.compile(expression)` gives relata's SQL for it, in
Django's notation (`%s` for each parameter, `%%` for a percent sign). What they
return becomes a `RawSQL` node whose parameters are still parameters.
"""

from __future__ import annotations

import functools
from typing import Any

from relata.sql import nodes as n


class NeedsValues(Exception):
    """A lookup written by hand met a tokenized value: its SQL may read the value, so compile with the values.

    Raised by the builder; the compile layer builds the statement again from
    the state with its values in it, and does not cache that compilation.
    """


class SQLBridge:
    """What a hand-written `as_sql()` receives as `compiler`."""

    def __init__(self, builder: Any):
        self.builder = builder
        self.connection = builder.connection

    def compile(self, expression: Any) -> tuple[str, list[Any]]:
        if isinstance(expression, n.Node):
            return render(expression, self.connection)
        method = sql_method(expression, self.connection)
        if method is not None:
            sql, params = method(self, self.connection)
            return sql, list(params)
        if getattr(expression, "_subquery_state", None) is not None:
            from relata.models.query.state import Shape

            state, fields = expression._subquery_state()
            return render(n.Subquery(self.builder.sub_select(Shape.of_constant(state), fields)), self.connection)
        node, _ = expression.resolve(self.builder)
        return render(node, self.connection)


def sql_method(expression: Any, connection: Any) -> Any:
    """The expression's `as_<vendor>` or `as_sql` when it writes its own SQL, else None."""
    from relata.models.lookups.base import writes_own_sql

    if not writes_own_sql(type(expression)) and not getattr(expression, "bilateral_transforms", None):
        return None
    vendor_method = getattr(expression, f"as_{connection.vendor}", None)
    return vendor_method if vendor_method is not None else expression.as_sql


def custom_node(expression: Any, builder: Any) -> n.Node:
    """A hand-written lookup or transform as a node: its SQL text, its values as parameters."""
    method = sql_method(expression, builder.connection) or expression.as_sql
    sql, params = method(SQLBridge(builder), builder.connection)
    if not isinstance(sql, str):
        raise TypeError(
            f"{type(expression).__name__}.as_sql() must return (sql, params) with the SQL as a string, "
            f"not {type(sql).__name__}."
        )
    return n.RawSQL(sql, tuple(p if isinstance(p, n.Node) else n.Param(p) for p in params))


def render(node: n.Node, connection: Any) -> tuple[str, list[Any]]:
    """`node` in Django's notation; parameters are values, or slots filled at execution."""
    compiler = _django_notation(connection.ops.compiler_class)()
    compiler.params = []
    sql = compiler.visit(node)
    return sql, compiler.params


@functools.cache
def _django_notation(compiler_class: type) -> type:
    # One subclass per dialect (a handful): the dialect's spelling with Django's placeholder marks,
    # which the RawSQL node reads back into the dialect's own.
    return type(f"DjangoNotation{compiler_class.__name__}", (compiler_class,), {"placeholder": "%s", "percent": "%%"})
