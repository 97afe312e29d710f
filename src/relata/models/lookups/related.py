"""The lookups a relation field (a foreign key) takes: its value is the target's key, or a target row.

Django registers these on `ForeignObject` only, and a relation ignores the
lookups registered on `Field`: `author__exact`, `author__in`, `author__gt` ...
but not `author__contains`. The value becomes the key by the query builder.
"""

from __future__ import annotations

from relata.models.fields.related import ForeignObject
from relata.models.lookups.builtin import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    IsNull,
    LessThan,
    LessThanOrEqual,
)


class RelatedExact(Exact):
    pass


class RelatedLessThan(LessThan):
    pass


class RelatedGreaterThan(GreaterThan):
    pass


class RelatedGreaterThanOrEqual(GreaterThanOrEqual):
    pass


class RelatedLessThanOrEqual(LessThanOrEqual):
    pass


class RelatedIn(In):
    pass


class RelatedIsNull(IsNull):
    pass


for _lookup in (
    RelatedExact,
    RelatedLessThan,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedLessThanOrEqual,
    RelatedIn,
    RelatedIsNull,
):
    ForeignObject.register_lookup(_lookup)
