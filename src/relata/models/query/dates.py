"""QuerySet.dates() and datetimes(): the distinct dates (or datetimes) a field holds, cut to a period.

As in Django: `Entry.objects.dates("pub_date", "month")` is the first day of
every month that has an entry, NULLs left out, ascending unless order="DESC";
datetimes() does the same for a DateTimeField down to the second, in `tzinfo`.
"""

from __future__ import annotations

from typing import Any

from relata.models import fields as f
from relata.models.expressions import F
from relata.models.query.joins import resolve_names

DATE_KINDS = ("year", "month", "week", "day")
DATETIME_KINDS = (*DATE_KINDS, "hour", "minute", "second")
#: The annotations' names: a user's field or annotation is unlikely to be called so.
_TRUNCATED, _PLAIN = "relata_dates_period", "relata_dates_plain"


def _check(kind: str, kinds: tuple[str, ...], order: str) -> None:
    if kind not in kinds:
        listed = ", ".join(f"'{k}'" for k in kinds[:-1]) + f", or '{kinds[-1]}'"
        raise ValueError(f"'kind' must be one of {listed}.")
    if order not in ("ASC", "DESC"):
        raise ValueError("'order' must be either 'ASC' or 'DESC'.")


def _check_field(queryset: Any, field_name: str) -> None:
    """An unknown name is refused at the call, naming the choices (Django's FieldError), not at evaluation.

    An annotation or alias (`alias(d=F("pubdate")).dates("d", "month")`) is a name it may use too.
    """
    annotations = queryset._annotation_names()
    parts = field_name.split("__")
    if any("__".join(parts[:size]) in annotations for size in range(len(parts), 0, -1)):
        return
    resolve_names(queryset.model, parts, annotations)


def dates(queryset: Any, field_name: str, kind: str, order: str = "ASC") -> Any:
    _check_field(queryset, field_name)
    _check(kind, DATE_KINDS, order)
    from relata.models.functions import Trunc

    return _distinct_periods(queryset, field_name, Trunc(field_name, kind, output_field=f.DateField()), order)


def datetimes(queryset: Any, field_name: str, kind: str, order: str = "ASC", tzinfo: Any = None) -> Any:
    _check_field(queryset, field_name)
    _check(kind, DATETIME_KINDS, order)
    from relata.models.functions import Trunc

    period = Trunc(field_name, kind, output_field=f.DateTimeField(), tzinfo=tzinfo)
    return _distinct_periods(queryset, field_name, period, order)


def _distinct_periods(queryset: Any, field_name: str, period: Any, order: str) -> Any:
    annotated = queryset.annotate(**{_TRUNCATED: period, _PLAIN: F(field_name)})
    picked = annotated.values_list(_TRUNCATED, flat=True).distinct()
    ordering = ("-" if order == "DESC" else "") + _TRUNCATED
    return picked.filter(**{f"{_PLAIN}__isnull": False}).order_by(ordering)
