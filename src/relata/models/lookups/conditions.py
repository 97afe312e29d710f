"""Conditions the query builder makes from a resolved lookup path beyond relata's plain lookups.

A hand-written lookup runs with the call's values (`custom_condition`); a
bilateral transform (`name__upper="doe"`) is applied to the right side too
(`bilateral_rhs`); `apply_transform_names` reads transforms off a reference
(`F("name__lower")`, `values("pub_date__year")`).
"""

from __future__ import annotations

from typing import Any

from relata.models.expressions import Resolved
from relata.models.lookups.bridge import NeedsValues
from relata.models.lookups.paths import ResolvedLookup, transform_of
from relata.sql import nodes as n


def apply_transform_names(expression: Any, names: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
    """`expression` through the leading `names` that are transforms; the names left over."""
    while names:
        transformed = transform_of(expression, names[0])
        if transformed is None:
            break
        expression, names = transformed, names[1:]
    return expression, names


def custom_condition(builder: Any, found: ResolvedLookup, value: Any) -> n.Node:
    """The condition of a lookup that writes its own SQL, made as Django makes it: `lookup(lhs, value)`."""
    if getattr(value, "stands_for_values", False):
        raise NeedsValues
    lookup_class = found.lookup
    if value is None and not getattr(lookup_class, "can_use_none_as_rhs", False):
        if found.name not in ("exact", "iexact"):
            raise ValueError(f"Cannot use None as a query value with the '{found.name}' lookup; use isnull=True.")
        node, _ = found.lhs.resolve(builder)
        return n.IsNull(node)
    lookup = lookup_class(found.lhs, value)
    field = found.output_field
    if field is not None and hasattr(lookup, "value_preparer"):
        lookup.value_preparer = builder.value_preparer(field, None)
    node, _ = lookup.resolve(builder)
    return node


def bilateral_rhs(
    builder: Any, transforms: list[Any], found: ResolvedLookup, rhs: list[n.Node], value: Any
) -> list[n.Node]:
    """Each right-hand node through the path's bilateral transforms, in their order."""
    if getattr(value, "_subquery_state", None) is not None or any(isinstance(node, n.Subquery) for node in rhs):
        raise NotImplementedError("Bilateral transformations on nested querysets are not implemented.")
    field = found.lhs
    while not isinstance(field, Resolved):
        field = field.lhs
    nodes = []
    for node in rhs:
        expression: Any = Resolved(node, field.field)
        for transform in transforms:
            expression = transform(expression)
        nodes.append(expression.resolve(builder)[0])
    return nodes
