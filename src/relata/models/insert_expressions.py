"""INSERTs whose values include expressions (`Lower(Value("X"))`, `Now()`, a Subquery), for save() and bulk_create().

The cached INSERTs send every value as a parameter. An expression is SQL, so a row holding one is compiled
here, for this call only (never cached). It may not read a column (an F()) or aggregate: the row it would read
does not exist yet, as Django says.
"""

from __future__ import annotations

from typing import Any

from relata import exceptions
from relata.models.constraint_validation import row_builder
from relata.sql import nodes as n


def insert_rows(
    connection: Any,
    opts: Any,
    fields: tuple[Any, ...],
    rows: list[list[Any]],
    returning: tuple[str, ...] = (),
    on_conflict: Any = None,
) -> Any:
    """Run one INSERT of `rows` (prepared values, expressions among them) and return its cursor."""
    builder = row_builder(opts.model, connection)
    nodes = tuple(tuple(_value_node(builder, opts, f, v) for f, v in zip(fields, row, strict=True)) for row in rows)
    node = n.Insert(opts.db_table, tuple(f.column for f in fields), nodes, returning, on_conflict)
    sql, params = connection.ops.compiler().compile(node)
    return connection.execute(sql, params)


def _value_node(builder: Any, opts: Any, field: Any, value: Any) -> n.Node:
    if not getattr(value, "resolves_in_query", False):
        return n.Param(value)
    where = f"{opts.object_name}.{field.name}"
    if value.refs():
        raise ValueError(
            f'Failed to insert expression "{value!r}" on {where}. F() expressions can only be used to update, '
            "not to insert: save the row first, then update it."
        )
    if getattr(value, "contains_aggregate", False):
        raise exceptions.FieldError(f"Aggregate functions are not allowed in this query ({where}={value!r}).")
    node, _ = value.resolve(builder)
    return node
