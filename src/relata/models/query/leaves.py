"""What the tokenizer must know of a filter() leaf, read from the lookup its path resolves to.

Whether the value is a list of values (`in`, `range`), a LIKE pattern, or a
flag (`isnull`) depends on the Lookup class the path names on that field, not
on how the path ends: `leaf_kind()` resolves the path once per model, path and
lookup registry version, and remembers the answer in a bounded memory.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from relata.exceptions import FieldError
from relata.models.fields.lookup_registry import LOOKUPS
from relata.models.lookups import SUFFIXES
from relata.models.lookups.paths import lookup_start, resolve_lookup
from relata.models.query.joins import resolve_names

#: How many (model, path) kinds are remembered; a path may carry JSON keys a client chose.
LIMIT = 4096


@dataclass(frozen=True, slots=True)
class LeafKind:
    #: The value is several values (a list for `in`, two for `range`).
    many: bool
    #: The value becomes a LIKE pattern.
    pattern: bool
    #: The value is a true-or-false flag that shapes the SQL (`isnull`).
    flag: bool
    #: None in the list matches nothing and is left out (`in`).
    drops_none: bool


_KINDS: OrderedDict[tuple[Any, str], tuple[int, LeafKind]] = OrderedDict()


def leaf_kind(state: Any, path: str) -> LeafKind:
    """The kind of the leaf `path` in a filter() of `state` (its model and annotations)."""
    key = (state.model, path)
    known = _KINDS.get(key)
    if known is not None and known[0] == LOOKUPS.version:
        return known[1]
    kind = _resolve(state.model, path, tuple(a.name for a in state.annotations))
    if kind is None:
        return _by_suffix(path)  # not remembered: it depends on the annotations of the query
    _KINDS[key] = (LOOKUPS.version, kind)
    while len(_KINDS) > LIMIT:
        try:
            _KINDS.popitem(last=False)
        except KeyError:  # another thread emptied it
            break
    return kind


def _resolve(model: Any, path: str, annotations: tuple[str, ...]) -> LeafKind | None:
    parts = path.split("__")
    if annotations and any("__".join(parts[:size]) in annotations for size in range(len(parts), 0, -1)):
        return None  # an annotation's lookups depend on its expression, known when the query is built
    try:
        resolved = resolve_names(model, parts, annotations)
        lookup = resolve_lookup(lookup_start(None, resolved), resolved.rest, path).lookup
    except (FieldError, TypeError, ValueError):
        return _by_suffix(path)  # a path that names nothing: the builder reports it
    name = getattr(lookup, "sql_name", "")
    return LeafKind(
        many=getattr(lookup, "arity", 1) not in (0, 1),
        pattern=getattr(lookup, "value_pattern", None) is not None,
        flag=name == "isnull",
        drops_none=name == "in",
    )


def _by_suffix(path: str) -> LeafKind:
    """For a path starting at an annotation: the lookup named by its last part, as registered anywhere."""
    return LeafKind(
        many=path.endswith(SUFFIXES.many),
        pattern=path.endswith(SUFFIXES.pattern),
        flag=path.endswith("__isnull"),
        drops_none=path.endswith("__in"),
    )
