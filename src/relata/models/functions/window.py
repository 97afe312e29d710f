"""Window functions: ranks, distributions and values read from other rows of a window.

Each is used inside `Window(expression, partition_by=, order_by=, frame=)`
(models/window.py), which writes the OVER clause; aggregates (Sum, Avg ...)
may be used there too. Offsets and bucket counts are values: they travel as
parameters.
"""

from __future__ import annotations

from typing import Any

from relata.exceptions import NotSupportedError
from relata.models import fields as f
from relata.models.expressions import Func
from relata.sql import nodes as n


class WindowFunction(Func):
    """A function that only has a meaning over a window (Django refuses it outside one)."""

    window_compatible = True
    contains_over_clause = False  # type: ignore[assignment]


def _check_positive(value: Any, message: str) -> None:
    if (
        value is not None
        and not getattr(value, "resolves_in_query", False)
        and (not isinstance(value, int) or isinstance(value, bool) or value <= 0)
    ):
        raise ValueError(message)


class CumeDist(WindowFunction):
    function = "CUME_DIST"
    arity = 0
    output_field = f.FloatField()


class DenseRank(WindowFunction):
    function = "DENSE_RANK"
    arity = 0
    output_field = f.IntegerField()


class FirstValue(WindowFunction):
    function = "FIRST_VALUE"
    arity = 1


class LastValue(WindowFunction):
    function = "LAST_VALUE"
    arity = 1


class LagLeadFunction(WindowFunction):
    """The value `offset` rows before (Lag) or after (Lead) the current row, or `default` past the edge."""

    def __init__(self, expression: Any, offset: int = 1, default: Any = None, **extra: Any):
        name = type(self).__name__
        if expression is None:
            raise ValueError(f"{name} requires a non-null source expression.")
        if offset is None or (not getattr(offset, "resolves_in_query", False) and offset <= 0):
            raise ValueError(f"{name} requires a positive integer for the offset.")
        args = (expression, offset) if default is None else (expression, offset, default)
        super().__init__(*args, **extra)

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        if len(self.source) == 3 and not builder.connection.features.supports_default_in_lead_lag:
            raise NotSupportedError(
                f"{builder.connection.display_name} does not support a default for {type(self).__name__}(); "
                f"leave default= out and wrap the window in Coalesce() instead."
            )
        return super().resolve(builder)

    def resolve_output(self, fields: list[Any]) -> Any:
        return fields[0] if len(fields) < 3 else super().resolve_output([fields[0], fields[2]])


class Lag(LagLeadFunction):
    function = "LAG"


class Lead(LagLeadFunction):
    function = "LEAD"


class NthValue(WindowFunction):
    function = "NTH_VALUE"

    def __init__(self, expression: Any, nth: int = 1, **extra: Any):
        if expression is None:
            raise ValueError(f"{type(self).__name__} requires a non-null source expression.")
        _check_positive(nth, f"{type(self).__name__} requires a positive integer as for nth.")
        if nth is None:
            raise ValueError(f"{type(self).__name__} requires a positive integer as for nth.")
        super().__init__(expression, nth, **extra)

    def resolve_output(self, fields: list[Any]) -> Any:
        return fields[0]


class Ntile(WindowFunction):
    function = "NTILE"
    output_field = f.IntegerField()

    def __init__(self, num_buckets: int = 1, **extra: Any):
        if not getattr(num_buckets, "resolves_in_query", False) and num_buckets <= 0:
            raise ValueError("num_buckets must be greater than 0.")
        super().__init__(num_buckets, **extra)


class PercentRank(WindowFunction):
    function = "PERCENT_RANK"
    arity = 0
    output_field = f.FloatField()


class Rank(WindowFunction):
    function = "RANK"
    arity = 0
    output_field = f.IntegerField()


class RowNumber(WindowFunction):
    function = "ROW_NUMBER"
    arity = 0
    output_field = f.IntegerField()
