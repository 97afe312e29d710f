"""Evaluate a CheckConstraint's condition against an instance, in Python.

`full_clean()` uses it to report a violated check before the database would.
Conditions it cannot judge (unknown lookups, relations) count as passing;
the database still enforces them.
"""

from __future__ import annotations

import operator
from typing import Any

from relata.models.q import Q

_OPERATORS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda a, b: a in b,
    "contains": lambda a, b: b in a,
    "startswith": lambda a, b: a.startswith(b),
    "endswith": lambda a, b: a.endswith(b),
    "range": lambda a, b: b[0] <= a <= b[1],
    "isnull": lambda a, b: (a is None) == b,
}


class _Unknown(Exception):
    pass


def evaluate_condition(condition: Any, instance: Any) -> bool | None:
    try:
        return _evaluate(condition, instance)
    except (_Unknown, TypeError, AttributeError):
        return None


def _evaluate(node: Any, instance: Any) -> bool:
    if isinstance(node, Q):
        results = [_evaluate(child, instance) for child in node.children]
        value = all(results) if node.connector == "AND" else any(results)
        return not value if node.negated else value
    if isinstance(node, tuple):
        path, expected = node
        parts = path.split("__")
        lookup = parts[-1] if len(parts) > 1 and parts[-1] in _OPERATORS else "exact"
        name = "__".join(parts[:-1]) if lookup != "exact" or parts[-1] == "exact" else path
        if "__" in name:
            raise _Unknown
        actual = _value(instance, name)
        expected = _value(instance, expected.name) if type(expected).__name__ == "F" else expected
        if actual is None and lookup != "isnull":
            return True
        return bool(_OPERATORS[lookup](actual, expected))
    raise _Unknown


def _value(instance: Any, name: str) -> Any:
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)
