"""The names after a field in a lookup path: transforms, then one lookup, found as Django finds them.

`resolve_lookup()` applies each middle name as a transform (asking the field,
then each transform in turn); the last name is a lookup if the last transform
or field has one by that name, else a transform followed by `exact`. It needs
no SQL: the validation at filter() and the query builder both use it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from relata.exceptions import FieldError
from relata.models.expressions import Resolved
from relata.models.fields.reverse_related import ForeignObjectRel
from relata.models.lookups.base import NodeTransform


@dataclass(frozen=True, slots=True)
class ResolvedLookup:
    #: The left side after every transform (the starting `Resolved` when there is none).
    lhs: Any
    #: The lookup class (or factory) found for the last name.
    lookup: Any
    #: The name it was found by (`exact` when the path ends on a transform or a field).
    name: str

    @property
    def transformed(self) -> bool:
        return not isinstance(self.lhs, Resolved)

    @property
    def output_field(self) -> Any:
        return output_field_of(self.lhs)

    def bilateral(self) -> list[Any]:
        below = getattr(self.lhs, "get_bilateral_transforms", None)
        return below() if below is not None else []


class RelationResolved(Resolved):
    """The left side of a path ending on a relation: the key's column, typed as the key it holds (a
    transform reads a date key as a date), with the lookups and transforms registered on the relation."""

    def __init__(self, node: Any, field: Any, relation: Any):
        super().__init__(node, field)
        self.lookup_registry = relation


def lookup_start(node: Any, resolved: Any) -> Resolved:
    """Where a lookup path's transforms and lookup start, for a path `resolve_names()` resolved.

    As in Django: `author__...` asks the foreign key for its lookups, `article__...` (a reverse
    foreign key) asks that foreign key too.
    """
    relation = resolved.relation
    if relation is None or not hasattr(relation, "get_lookup"):
        return Resolved(node, resolved.field)
    if isinstance(relation, ForeignObjectRel) and relation.one_to_many:
        return RelationResolved(node, resolved.field, relation)
    if relation is resolved.field and resolved.value_field is not None and not relation.many_to_many:
        return RelationResolved(node, resolved.value_field, relation)
    return Resolved(node, resolved.field)


def output_field_of(expression: Any) -> Any:
    typed = getattr(expression, "transform_field", None)
    return typed() if typed is not None else expression.output_field


def _registry_of(expression: Any) -> Any:
    """Who is asked for the next name: the transform itself when it has a registry, else its field."""
    relation = getattr(expression, "lookup_registry", None)
    if relation is not None:
        return relation
    if hasattr(expression, "get_lookups") and not isinstance(expression, Resolved | NodeTransform):
        return expression
    return output_field_of(expression)


def transform_of(expression: Any, name: str) -> Any:
    registry = _registry_of(expression)
    found = registry.get_transform(name) if hasattr(registry, "get_transform") else None
    if found is None:
        return None
    if hasattr(found, "node"):  # relata's older form (a JSON key): a node maker, not an expression class
        return NodeTransform(found, expression)
    return found(expression)


def _lookup(expression: Any, name: str) -> Any:
    registry = _registry_of(expression)
    if registry is None:
        from relata.models.fields import Field

        return Field.get_class_lookups().get(name)
    return registry.get_lookup(name) if hasattr(registry, "get_lookup") else None


def resolve_lookup(lhs: Resolved, names: tuple[str, ...], path: str) -> ResolvedLookup:
    """The transforms and lookup `names` stand for after `lhs`; FieldError naming the first that fits nothing."""
    names = names or ("exact",)
    expression = lhs
    for index, name in enumerate(names[:-1]):
        transformed = transform_of(expression, name)
        if transformed is None:
            raise FieldError(unsupported_lookup(expression, names[index:], path))
        expression = transformed
    last = names[-1]
    found = _lookup(expression, last)
    if found is not None:
        return ResolvedLookup(expression, found, last)
    transformed = transform_of(expression, last)
    if transformed is None:
        raise FieldError(unsupported_lookup(expression, names[-1:], path))
    found = _lookup(transformed, "exact")
    if found is None:
        raise FieldError(unsupported_lookup(transformed, ("exact",), path))
    return ResolvedLookup(transformed, found, "exact")


def unsupported_lookup(expression: Any, names: tuple[str, ...], path: str) -> str:
    """Django's message (with its suggestions), and for a relation the fields its target has."""
    field = getattr(expression, "lookup_registry", None) or output_field_of(expression)
    kind = type(field).__name__ if field is not None else "expression"
    known = list(field.get_lookups()) if hasattr(field, "get_lookups") else []
    close = difflib.get_close_matches(names[0], known)
    suggestion = f", perhaps you meant {' or '.join(close)}?" if close else "."
    message = f"Unsupported lookup '{'__'.join(names)}' for {kind} or join on the field not permitted{suggestion}"
    target = getattr(field, "related_model", None) if getattr(field, "is_relation", False) else None
    if target is not None and isinstance(expression, Resolved):
        from relata.models.query.joins import field_choices

        message += (
            f" {target._meta.object_name} has no field named '{names[0]}'; its fields are: "
            f"{field_choices(target._meta)}."
        )
    return f"{message} (in '{path}')"
