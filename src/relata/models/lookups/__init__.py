"""Lookups (`exact`, `icontains`, `in`, ...) and transforms (`year`, `lower`, ...), as `django.db.models.lookups`.

Each is a small class registered on a field class (or one field) by
`lookup_name`; `field.get_lookup(name)` finds it along the class hierarchy.
`base` holds `Lookup` and `Transform` with Django's API for your own,
`builtin` and `dates` the ones every field has, `paths` how a lookup path's
names are resolved, `bridge` how hand-written SQL joins relata's.
"""

from relata.models.lookups import related  # noqa: F401 (registers the relation lookups)
from relata.models.lookups.base import (
    SUFFIXES,
    Lookup,
    LookupSuffixes,
    Transform,
    escape_like,
    writes_own_sql,
)
from relata.models.lookups.builtin import (
    BuiltinLookup,
    Contains,
    EndsWith,
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    IEndsWith,
    IExact,
    In,
    IRegex,
    IsNull,
    IStartsWith,
    LessThan,
    LessThanOrEqual,
    Range,
    Regex,
    StartsWith,
    YearLookup,
)
from relata.models.lookups.dates import DATE_TRANSFORMS, TIME_TRANSFORMS, DateTransform, TimeTransform

__all__ = [
    "DATE_TRANSFORMS",
    "SUFFIXES",
    "TIME_TRANSFORMS",
    "BuiltinLookup",
    "Contains",
    "DateTransform",
    "EndsWith",
    "Exact",
    "GreaterThan",
    "GreaterThanOrEqual",
    "IContains",
    "IEndsWith",
    "IExact",
    "IRegex",
    "IStartsWith",
    "In",
    "IsNull",
    "LessThan",
    "LessThanOrEqual",
    "Lookup",
    "LookupSuffixes",
    "Range",
    "Regex",
    "StartsWith",
    "TimeTransform",
    "Transform",
    "YearLookup",
    "escape_like",
    "writes_own_sql",
]
