"""Querying inside a JSONField: key transforms and the JSON lookups, as Django documents them.

Any name after a JSONField that is not a lookup is a key (`data__owner__name`,
`data__items__0`); `KeyTransform` turns it into a `JSONPath` node. Lookups on a
key compare JSON values (`KeyExact`, `KeyGreaterThan`, ...) or its text
(`KeyIContains`, ...); `contains`, `contained_by`, `has_key`, `has_keys` and
`has_any_keys` work on the field and on its keys. Backends spell the nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from relata.models import fields as f
from relata.models import lookups as lk
from relata.sql import nodes as n


def _path(lhs: n.Node, form: str = "json") -> n.JSONPath:
    if isinstance(lhs, n.JSONPath):
        return n.JSONPath(lhs.expr, lhs.keys, form)
    return n.JSONPath(lhs, (), form)


class KeyValueField(f.JSONField):
    """What a key transform yields: a value inside a JSON document, read back like the document."""


class KeyTransform:
    """`data__<key>`: one key (or array index) deeper into the document."""

    is_transform = True

    def __init__(self, key: str, output_field: Any):
        self.key, self.output_field = key, output_field

    def __call__(self) -> KeyTransform:
        return self

    def node(self, lhs: n.Node) -> n.Node:
        if isinstance(lhs, n.JSONPath):
            return n.JSONPath(lhs.expr, (*lhs.keys, self.key))
        return n.JSONPath(lhs, (self.key,))


def _key_transform(field: Any, name: str) -> KeyTransform:
    return KeyTransform(name, _key_field(field))


def _key_field(field: Any) -> KeyValueField:
    """The field a key inside `field`'s documents reads as: one per JSONField, same encoder and decoder."""
    if isinstance(field, KeyValueField):
        return field
    key_field = field.__dict__.get("_key_field")
    if key_field is None:
        key_field = field.__dict__["_key_field"] = KeyValueField(encoder=field.encoder, decoder=field.decoder)
    return key_field


f.JSONField.key_transform = _key_transform


# -- lookups on the field and on its keys -------------------------------------------


class JSONExact(lk.Exact):
    """`data=None` matches a JSON null, as in Django; `data__isnull=True` matches SQL NULL."""

    def match_none(self) -> n.Node | None:
        return n.JSONNull(_path(self.lhs.node))


class DataContains(lk.Lookup):
    lookup_name = "contains"
    contained_by = False

    def build(self, rhs: list[n.Node]) -> n.Node:
        lhs = _path(self.lhs.node) if isinstance(self.lhs.node, n.JSONPath) else self.lhs.node
        return n.JSONContains(lhs, rhs[0], self.contained_by)


class ContainedBy(DataContains):
    lookup_name = "contained_by"
    contained_by = True


class HasKey(lk.Lookup):
    lookup_name = "has_key"
    all_ = True

    def value_prep(self, field_prep: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
        return str

    def build(self, rhs: list[n.Node]) -> n.Node:
        if not rhs:
            raise ValueError(f"The '{self.lookup_name}' lookup needs at least one key, e.g. ['owner'].")
        return n.JSONHasKeys(_path(self.lhs.node), tuple(rhs), self.all_)


class HasKeys(HasKey):
    lookup_name = "has_keys"
    arity = "many"


class HasAnyKeys(HasKeys):
    lookup_name = "has_any_keys"
    all_ = False


for _lookup in (JSONExact, DataContains, ContainedBy, HasKey, HasKeys, HasAnyKeys):
    f.JSONField.register_lookup(_lookup)


# -- lookups on a key ----------------------------------------------------------------


class KeyValueLookup(lk.Lookup):
    """Compares the key's JSON value with JSON values: 10 matches 10, not "10"; True matches true, not 1."""

    def lhs_node(self) -> n.Node:
        return _path(self.lhs.node, "value")

    def build(self, rhs: list[n.Node]) -> n.Node:
        return super().build([n.JSONValue(r) if isinstance(r, n.Param | n.Slot) else r for r in rhs])


class KeyTextLookup(lk.Lookup):
    """Reads the key as unquoted text (Django's KeyTextTransform): for LIKE, case-insensitive and regex lookups."""

    def lhs_node(self) -> n.Node:
        return _path(self.lhs.node, "text")

    def value_prep(self, field_prep: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
        return super().value_prep(None)


class KeyExact(KeyValueLookup, lk.Exact):
    def match_none(self) -> n.Node | None:
        return n.JSONNull(_path(self.lhs.node))


def _key_lookup(base: type[lk.Lookup], mixin: type[lk.Lookup]) -> type[lk.Lookup]:
    return type("Key" + base.__name__, (mixin, base), {})


KEY_LOOKUPS = [
    KeyExact,
    *(
        _key_lookup(base, KeyValueLookup)
        for base in (lk.GreaterThan, lk.GreaterThanOrEqual, lk.LessThan, lk.LessThanOrEqual, lk.In, lk.Range)
    ),
    *(
        _key_lookup(base, KeyTextLookup)
        for base in (
            lk.IExact,
            lk.IContains,
            lk.StartsWith,
            lk.IStartsWith,
            lk.EndsWith,
            lk.IEndsWith,
            lk.Regex,
            lk.IRegex,
        )
    ),
]
for _lookup in KEY_LOOKUPS:
    KeyValueField.register_lookup(_lookup)
