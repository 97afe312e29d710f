"""The Window expression: a function or aggregate computed over a window of rows (OVER (...)).

`Window(expression, partition_by=, order_by=, frame=)`: rows are split into
partitions, ordered, and the function sees the frame of rows around each one,
given by `RowRange` (rows counted) or `ValueRange` (by the ordering value).
A window's result is per row: it adds no GROUP BY, and Django 5.2's rules for
what may be windowed are kept (an aggregate or a window function only).
"""

from __future__ import annotations

import enum
from typing import Any

from relata.exceptions import NotSupportedError
from relata.models.expressions import Expression, F, OrderBy, _field_key
from relata.sql import nodes as n


class WindowFrameExclusion(enum.Enum):
    """Rows left out of a frame: the current row, its peers, or both (SQL's EXCLUDE)."""

    CURRENT_ROW = "CURRENT ROW"
    GROUP = "GROUP"
    TIES = "TIES"
    NO_OTHERS = "NO OTHERS"

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}.{self._name_}"


class WindowFrame(Expression):
    """The rows around the current one a window function sees: from `start` to `end`.

    A bound is None (unbounded), 0 (the current row), or a number of rows (values,
    for ValueRange) before (negative start) or after (positive end) the current row.
    """

    frame_type = ""
    #: What each bound may be, in the error for one that is not an integer (Django's words per frame type).
    start_kind = end_kind = "an integer"

    def __init__(self, start: int | None = None, end: int | None = None, exclusion: Any = None):
        if start is not None and (not isinstance(start, int) or isinstance(start, bool)):
            raise ValueError(f"start argument must be {self.start_kind}, zero, or None, but got '{start}'.")
        if end is not None and (not isinstance(end, int) or isinstance(end, bool)):
            raise ValueError(f"end argument must be {self.end_kind}, zero, or None, but got '{end}'.")
        if exclusion is not None and not isinstance(exclusion, WindowFrameExclusion):
            raise TypeError(f"{type(self).__qualname__}.exclusion must be a WindowFrameExclusion instance.")
        self.start, self.end, self.exclusion = start, end, exclusion

    def identity(self) -> tuple[Any, ...]:
        return (type(self), self.start, self.end, self.exclusion)

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__}: {self.frame_type} BETWEEN {self.bounds_text()}>"

    def bounds_text(self) -> str:
        text = f"{_bound(self.start, 'PRECEDING')} AND {_bound(self.end, 'FOLLOWING')}"
        return text + f" EXCLUDE {self.exclusion.value}" if self.exclusion is not None else text

    def get_group_by_cols(self) -> list[Any]:
        return []  # a frame adds nothing to GROUP BY

    def window_frame_start_end(self, connection: Any, start: Any, end: Any) -> Any:
        raise NotImplementedError("Subclasses must implement window_frame_start_end().")

    def check_bounds(self) -> None:
        """What each frame type accepts beyond integers (RowRange: start before end)."""
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError("start cannot be greater than end.")

    def node(self, connection: Any) -> n.WindowFrame:
        self.check_bounds()
        if self.exclusion is not None and not connection.features.supports_frame_exclusion:
            raise NotSupportedError(f"{connection.display_name} does not support window frame exclusions.")
        return n.WindowFrame(
            self.frame_type,
            _bound_node(self.start, start=True),
            _bound_node(self.end, start=False),
            self.exclusion.value if self.exclusion is not None else None,
        )


def _bound(value: int | None, unbounded: str) -> str:
    if value is None:
        return f"UNBOUNDED {unbounded}"
    if value == 0:
        return "CURRENT ROW"
    return f"{abs(value)} {'PRECEDING' if value < 0 else 'FOLLOWING'}"


def _bound_node(value: int | None, start: bool) -> tuple[str, n.Node | None]:
    """(direction, offset): the offset travels as a parameter."""
    if value is None:
        return ("UNBOUNDED PRECEDING" if start else "UNBOUNDED FOLLOWING", None)
    if value == 0:
        return ("CURRENT ROW", None)
    return ("PRECEDING" if value < 0 else "FOLLOWING", n.Param(abs(value)))


class RowRange(WindowFrame):
    """Rows counted from the current one: start=-2 is two rows before it."""

    frame_type = "ROWS"

    def window_frame_start_end(self, connection: Any, start: Any, end: Any) -> Any:
        return _bound(start, "PRECEDING"), _bound(end, "FOLLOWING")


class ValueRange(WindowFrame):
    """Rows whose ordering value lies within start..end of the current row's (start <= 0 <= end)."""

    frame_type = "RANGE"
    start_kind, end_kind = "a negative integer", "a positive integer"

    def window_frame_start_end(self, connection: Any, start: Any, end: Any) -> Any:
        return _bound(start, "PRECEDING"), _bound(end, "FOLLOWING")

    def check_bounds(self) -> None:
        if self.start is not None and self.start > 0:
            raise ValueError(f"start argument must be {self.start_kind}, zero, or None, but got '{self.start}'.")
        if self.end is not None and self.end < 0:
            raise ValueError(f"end argument must be {self.end_kind}, zero, or None, but got '{self.end}'.")


class Window(Expression):
    """`expression OVER (PARTITION BY ... ORDER BY ... frame)`."""

    contains_aggregate = False
    contains_over_clause = True

    def __init__(
        self,
        expression: Any,
        partition_by: Any = None,
        order_by: Any = None,
        frame: WindowFrame | None = None,
        output_field: Any = None,
    ):
        if not getattr(expression, "window_compatible", False) and not getattr(expression, "contains_aggregate", False):
            raise ValueError(f"Expression '{type(expression).__name__}' isn't compatible with OVER clauses.")
        self.expression = expression
        self.partition_by = _expressions(partition_by, "partition_by")
        self.order_by = _orderings(order_by)
        self.frame = frame
        self.output_field = output_field

    def identity(self) -> tuple[Any, ...]:
        return (Window, self.expression, self.partition_by, self.order_by, self.frame, _field_key(self.output_field))

    def source_expressions(self) -> list[Any]:
        return [self.expression, *self.partition_by, *self.order_by]

    def __repr__(self) -> str:
        over = []
        if self.partition_by:
            over.append("PARTITION BY " + ", ".join(repr(e) for e in self.partition_by))
        over.extend(repr(o) for o in self.order_by)
        if self.frame is not None:
            over.append(f"{self.frame.frame_type} BETWEEN {self.frame.bounds_text()}")
        return f"<Window: {self.expression!r} OVER ({' '.join(over)})>"

    def get_group_by_cols(self) -> list[Any]:
        return []  # a window's value is per row: it is never grouped by

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        if not builder.connection.features.supports_over_clause:
            raise NotSupportedError("This backend does not support window expressions.")
        node, field = _resolve_inside(builder, self.expression)
        partitions = tuple(_resolve_inside(builder, e)[0] for e in self.partition_by)
        orderings = []
        for ordering in self.order_by:
            inner, _ = _resolve_inside(builder, ordering.expression)
            orderings.append(n.OrderBy(inner, ordering.descending, ordering.nulls))
        frame = self.frame.node(builder.connection) if self.frame is not None else None
        return n.Window(node, partitions, tuple(orderings), frame), self.output_field or field


def _resolve_inside(builder: Any, expression: Any) -> tuple[n.Node, Any]:
    """An expression inside OVER: an aggregate there is computed per window, so no GROUP BY follows."""
    return expression.resolve(builder)


def _expressions(value: Any, name: str) -> tuple[Any, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(F(item))
        elif getattr(item, "resolves_in_query", False):
            out.append(item)
        else:
            raise ValueError(
                f"Window.{name} must be either a string reference to a field, an expression, or a list or "
                "tuple of them."
            )
    return tuple(out)


def _orderings(value: Any) -> tuple[OrderBy, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            descending = item.startswith("-")
            out.append(OrderBy(F(item.lstrip("-")), descending=descending))
        elif isinstance(item, OrderBy):
            out.append(item)
        elif getattr(item, "resolves_in_query", False):
            out.append(OrderBy(item))
        else:
            raise ValueError(
                "Window.order_by must be either a string reference to a field, an expression, or a list or "
                "tuple of them."
            )
    return tuple(out)
