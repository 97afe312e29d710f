"""The query machinery behind QuerySet: state, joins, SQL building, loading.

The package also offers the names code written for Django imports from
`django.db.models.query` (the iterables, `get_prefetcher`...). They load on
first use: the modules here are imported while `relata.models` itself loads.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "QuerySet": "queryset",
    "EmptyQuerySet": "queryset",
    "MAX_GET_RESULTS": "queryset",
    "BaseIterable": "iterables",
    "ModelIterable": "iterables",
    "ValuesIterable": "iterables",
    "ValuesListIterable": "iterables",
    "NamedValuesListIterable": "iterables",
    "FlatValuesListIterable": "iterables",
    "Prefetch": "prefetch",
    "prefetch_related_objects": "prefetch",
    "get_prefetcher": "prefetch",
    "prefetch_one_level": "prefetch",
    "normalize_prefetch_lookups": "prefetch",
    "RawQuerySet": "raw",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
