"""The ORDER BY of a query: names, expressions, a relation's Meta.ordering, values() picks and composite keys.

`order_by("author")` sorts by the target's Meta.ordering (once per relation, so cycles end); a name
values() picked sorts by the very column it selects; an aggregate in the ordering never joins GROUP BY.
"""

from __future__ import annotations

from typing import Any

from relata.models.query.composite import composite_part_paths
from relata.sql import nodes as n


def order_by_nodes(builder: Any) -> tuple[n.OrderBy, ...]:
    state = builder.state
    items = state.order_by
    if items is None:
        items = tuple(builder.opts.ordering) if state.default_ordering and state.group_by is None else ()
    nodes: list[n.OrderBy] = []
    for item in items:
        nodes.extend(_order_item(builder, item, builder.model, "", set()))
    nodes = _first_of_each(nodes)
    if state.reversed:
        nodes = [o.reversed() for o in nodes]
    return tuple(nodes)


def _first_of_each(nodes: list[n.OrderBy]) -> list[n.OrderBy]:
    """A term sorting by an expression already sorted by decides nothing: only the first one is kept."""
    kept: list[n.OrderBy] = []
    for node in nodes:
        if isinstance(node.expr, n.Random) or all(node.expr != other.expr for other in kept):
            kept.append(node)
    return kept


def _target_ordering(builder: Any, name: str, descending: bool, seen: set[Any]) -> list[n.OrderBy] | None:
    """order_by("author") sorts by Author's Meta.ordering; None where the name sorts by a column."""
    resolved = builder.resolve_path(name)
    relation = resolved.relation
    if relation is None or resolved.rest or resolved.value_model is None:
        return None
    attname = getattr(relation, "attname", None)
    if attname != relation.name and attname == name.rpartition("__")[2]:
        return None  # order_by("author_id"): the column
    if name.rpartition("__")[2] == "pk":
        return None  # order_by("pk") on a multi-table child: its key column, as Django sorts it
    target_ordering = resolved.value_model._meta.ordering
    key = (resolved.value_model, name)
    if not target_ordering or key in seen:
        return None
    nodes = []
    for sub in target_ordering:
        sub_nodes = _order_item(builder, sub, resolved.value_model, name + "__", seen | {key})
        # '-author' turns the target's names and plain expressions around, not its
        # OrderBy()s, which keep the direction they state (as in Django).
        flip = descending and type(sub).__name__ != "OrderBy"
        nodes.extend(o.reversed() if flip else o for o in sub_nodes)
    return nodes


def _order_item(builder: Any, item: Any, model: Any, prefix: str, seen: set[Any]) -> list[n.OrderBy]:
    if isinstance(item, str):
        if item == "?":
            return [n.OrderBy(n.Random())]
        descending = item.startswith("-")
        name = prefix + item.lstrip("-+")
        if name in builder.annotations:
            node, _field, aggregated = builder.annotations[name]
            if aggregated:
                builder.aggregate_orderings.append(node)
            return [n.OrderBy(node, descending)]
        # A name values() selected sorts by that column, even when it names a relation.
        selected = not prefix and builder.state.values is not None and name in builder.state.values
        if builder.annotations and builder.annotation_prefix(name.split("__")):
            selected = True  # transforms of an annotation (attrs__key): no relation to sort by
        target_nodes = None if selected else _target_ordering(builder, name, descending, seen)
        if target_nodes is not None:
            return target_nodes
        key_parts = composite_part_paths(builder.model, name)
        if key_parts is not None:  # a composite key sorts by its parts, in the key's order
            sign = "-" if descending else ""
            return [o for part in key_parts for o in _order_item(builder, sign + part, model, "", seen)]
        # A name values() picked sorts by the very column it selects, as Django's ORDER BY <position>.
        node, _ = builder.values_ref(name) if selected else builder.resolve_ref(name)
        if isinstance(node, n.JSONPath):
            node = n.JSONPath(node.expr, node.keys, "value")  # a JSON key sorts by its value
        return [n.OrderBy(node, descending)]
    expression, descending, nulls = item, False, None
    if type(item).__name__ == "OrderBy":
        expression, descending, nulls = item.expression, item.descending, item.nulls
    outer_prefix, builder.ref_prefix = builder.ref_prefix, prefix
    try:
        node, _, aggregated = builder.resolve_expression(expression)
    finally:
        builder.ref_prefix = outer_prefix
    if aggregated:
        builder.aggregate_orderings.append(node)
    if type(node) is n.Row:  # order_by(F("pk")) of a composite key: by each part in turn
        return [n.OrderBy(part, descending, nulls) for part in node.items]
    return [n.OrderBy(node, descending, nulls)]
