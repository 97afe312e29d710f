"""What several function families share: the transform role and Django's numeric output rule.

A `Transform` is a one-argument function that a field class may register
(`register_lookup`) and a lookup path then names (`name__lower__exact`).
`NumericOutputFieldMixin` types trigonometry and friends as Django does.
"""

from __future__ import annotations

from typing import Any

from relata.models import fields as f
from relata.models.lookups.base import Transform  # noqa: F401 (the functions' base, Django's public Transform)
from relata.models.output_types import common_field, value_kind


class NumericOutputFieldMixin:
    """A decimal in gives a decimal out; an integer in gives a float (sin(1) is not an integer)."""

    def resolve_output(self, fields: list[Any]) -> Any:
        kinds = {value_kind(field) for field in fields}
        if "decimal" in kinds:
            return f.DecimalField()
        if "int" in kinds:
            return f.FloatField()
        known = [field for field in fields if field is not None]
        return common_field(known) if known else f.FloatField()


def literal(expression: Any) -> Any:
    """The plain value an argument was given as (before it became a Value), or None for an expression."""
    return expression if not getattr(expression, "resolves_in_query", False) else None
