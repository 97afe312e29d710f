"""QuerySet.extra(): Django's old hook for SQL fragments, kept for code that still uses it.

Django documents it as discouraged (prefer annotate(), filter() with RawSQL or
expressions); relata offers it for compatibility, built from those: each
`select` entry is a RawSQL annotation, each `where` entry a RawSQL condition,
`order_by` orders by fields or by those select names. Values always travel as
parameters: `select_params` and `params` are handed out to the `%s` of each
fragment in order. `tables=` (extra FROM tables) is not offered.
"""

from __future__ import annotations

import re
from typing import Any

from relata.models import fields as f
from relata.models.expressions import RawSQL

_PLACEHOLDER = re.compile(r"%s")


def _take(sql: str, params: list[Any]) -> list[Any]:
    """The leading params the fragment's `%s` use, removed from `params`."""
    count = len(_PLACEHOLDER.findall(sql.replace("%%", "")))
    if count > len(params):
        raise ValueError(f"The extra() fragment {sql!r} needs {count} params; only {len(params)} are left.")
    taken = params[:count]
    del params[:count]
    return taken


def apply_extra(
    queryset: Any,
    select: dict[str, str] | None,
    where: list[str] | None,
    params: list[Any] | None,
    tables: list[str] | None,
    order_by: list[str] | None,
    select_params: list[Any] | None,
) -> Any:
    if tables:
        raise NotImplementedError(
            "extra(tables=...) is not supported: join the model through a relation, or use "
            "Model.objects.raw() for SQL that reads other tables."
        )
    clone = queryset
    if select:
        left = list(select_params or ())
        clone = clone.annotate(**{name: RawSQL(sql, _take(sql, left)) for name, sql in select.items()})
        if left:
            raise ValueError(f"extra() got {len(left)} select_params more than its select fragments use.")
    if where:
        left = list(params or ())
        conditions = [RawSQL(sql, _take(sql, left), output_field=f.BooleanField()) for sql in where]
        if left:
            raise ValueError(f"extra() got {len(left)} params more than its where fragments use.")
        clone = clone.filter(*conditions)
    if order_by:
        clone = clone.order_by(*order_by)
    return clone
