"""union(), intersection() and difference(): each part built as its own SELECT, then combined and ordered.

A combined query orders by the names its first SELECT outputs, so that SELECT names its values()
expressions; a name it does not output falls back to the field's column, which the database may refuse.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from relata.exceptions import EmptyResultSet, FieldError
from relata.models.expressions import F, OrderBy
from relata.models.query.plan import SelectPlan
from relata.sql import nodes as n


def build_compound(builder: Any) -> tuple[n.Compound, SelectPlan]:
    state = builder.state
    op, all_, parts = state.combinator
    selects, plan = [], None
    for index, part in enumerate(parts):
        part_builder = type(builder)(part, builder.connection, aliases=builder.aliases, slots=builder.slots)
        try:
            select, part_plan = part_builder.build()
        except EmptyResultSet:
            # A part with no row adds nothing to a UNION and takes nothing from an EXCEPT (after the
            # first); it empties an INTERSECT, or an EXCEPT it starts.
            if op == "UNION" or (op == "EXCEPT" and index > 0):
                continue
            raise
        selects.append(select)
        plan = plan or part_plan
    if not selects:
        raise EmptyResultSet
    if state.order_by:
        selects[0] = _name_outputs(selects[0], plan)
    outputs = _output_names(selects[0], plan)
    order = [_order_term(builder.opts, item, outputs) for item in state.order_by or ()]
    low, high = state.low, state.high
    compound = n.Compound(op, tuple(selects), all_, tuple(order), None if high is None else high - low, low or None)
    return compound, plan


def _order_term(opts: Any, item: Any, outputs: dict[str, str]) -> n.OrderBy:
    """An ORDER BY term of a combined query: a name the first query outputs, or a field's column."""
    descending, nulls = False, None
    if isinstance(item, OrderBy):
        item, descending, nulls = item.expression, item.descending, item.nulls
    if isinstance(item, str):
        descending = descending != item.startswith("-")
        item = F(item.lstrip("-"))
    if type(item) is not F:
        raise FieldError(f"Ordering a combined query takes the names of its columns (or F() of them), not {item!r}.")
    name = outputs.get(item.name)
    if name is None:
        name = opts.pk.column if item.name == "pk" else opts.get_field(item.name).column
    return n.OrderBy(n.Col(None, name), descending, nulls)


def _name_outputs(select: Any, plan: Any) -> Any:
    """The first query with each unnamed values() expression named, so ORDER BY can say it."""
    if not isinstance(select, n.Select) or plan is None or plan.kind != "values":
        return select
    columns = tuple(
        (node, alias if alias or isinstance(node, n.Col) else name)
        for (node, alias), name in zip(select.columns, plan.names, strict=False)
    )
    return dataclasses.replace(select, columns=columns + select.columns[len(columns) :])


def _output_names(select: Any, plan: Any) -> dict[str, str]:
    """Name in the query (values() name or annotation) -> the column name the combined query outputs."""
    columns = [alias or getattr(node, "column", None) for node, alias in getattr(select, "columns", ())]
    names: dict[str, str] = {}
    if plan is not None and plan.kind == "values":
        names.update((name, column) for name, column in zip(plan.names, columns, strict=False) if column)
    elif plan is not None:
        names.update((name, columns[index]) for name, index, _field in plan.annotations if columns[index])
    return names
