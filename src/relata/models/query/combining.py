"""`qs1 & qs2`, `qs1 | qs2` and `qs1 ^ qs2`: one query whose conditions combine both sides'.

A sliced side stands for the rows its slice picks (`pk__in` its own keys), a queryset without
conditions for every row, and objects either side already knows stay known to the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from relata.models.q import Q, where_as_q


class CombiningOperators:
    """QuerySet's set operators on conditions (union() and friends are SQL set operations instead)."""

    def __and__(self, other: Any) -> Any:
        self._merge_check(other, "&")
        if other._state.empty:
            return other._clone()
        return self._with_known_of(other, self._clone(where=self._state.where + other._state.where))

    def __or__(self, other: Any) -> Any:
        return self._combine_where(other, _where_or, "|")

    def __xor__(self, other: Any) -> Any:
        """Rows in exactly one of the two; a queryset without conditions stands for every row."""
        return self._combine_where(other, _where_xor, "^")

    def _combine_where(self, other: Any, combine: Callable[[Q, Q], tuple[Any, ...] | None], operator: str) -> Any:
        """`self | other` or `self ^ other`: `combine(left, right)` is the new where (None: no row).

        A sliced side stands for the rows its slice picks: `pk__in` its own primary keys, as Django does.
        """
        self._merge_check(other, operator)
        self, other = self._as_filterable(), other._as_filterable()
        if self._state.empty:
            return other._clone()
        if other._state.empty:
            return self._clone()
        where = combine(where_as_q(self._state.where), where_as_q(other._state.where))
        if where is None:
            return self.none()
        return self._with_known_of(other, self._clone(where=where))

    def _as_filterable(self) -> Any:
        if not self._state.is_sliced or self._state.empty:
            return self
        return self._with_known_of(self, self.model._base_manager.filter(pk__in=self.values("pk")))

    def _with_known_of(self, other: Any, combined: Any) -> Any:
        """Objects either side already knows (`t1.pool_set.all() | t2.pool_set.all()`) stay known."""
        extra = tuple(entry for entry in other._known_related if entry not in combined._known_related)
        if extra:
            combined._known_related = (*combined._known_related, *extra)
        return combined

    def _merge_check(self, other: Any, operator: str) -> None:
        if not isinstance(other, CombiningOperators) or other.model is not self.model:
            raise TypeError("Cannot combine queries on two different base models.")
        if self._state.combinator is not None or other._state.combinator is not None:
            raise TypeError(
                f"Cannot use {operator} operator with combined queryset (union(), intersection() or "
                "difference()): filter the querysets before combining them."
            )
        if operator == "&" and (self._state.is_sliced or other._state.is_sliced):
            raise TypeError("Cannot combine queries once a slice has been taken.")


def _where_or(left: Q, right: Q) -> tuple[Any, ...]:
    return ((left | right).as_tree(),) if left.children and right.children else ()


def _where_xor(left: Q, right: Q) -> tuple[Any, ...] | None:
    if left.children and right.children:
        return ((left ^ right).as_tree(),)
    if left.children or right.children:
        return ((~(left if left.children else right)).as_tree(),)  # every row XOR B: the rows outside B
    return None  # every row XOR every row: none
