"""`django.db.models.fields.related_lookups`: the lookups of relation fields (defined in models/lookups/related.py)."""

from relata.models.lookups.related import (  # noqa: F401
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedIsNull,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
