"""System checks of what a relation's key points at, with Django's ids.

- fields.E312: a `to_fields` (or `to_field`) name the target model does not have.
- fields.E311: a single target field that is not unique (a row must be named by it alone).
- fields.E310: several target fields of which no subset is unique.
Each hint names the model and fields and the unique declaration that fixes it.
"""

from __future__ import annotations

from typing import Any

from relata.exceptions import FieldDoesNotExist
from relata.models.checks import CheckMessage, Error
from relata.models.constraints import UniqueConstraint


def check_target_fields(field: Any) -> list[CheckMessage]:
    """The to_fields of a ForeignObject (a ForeignKey's to_field) exist and name one row of the target."""
    target = field.related_model
    if target is None or target._meta.abstract:
        return []  # fields.E300 says so
    opts = target._meta
    missing = [name for name in field.to_fields if name is not None and not _has_field(opts, name)]
    if missing:
        choices = ", ".join(f.name for f in opts.concrete_fields)
        return [
            Error(
                f"The to_field '{name}' doesn't exist on the related model '{opts.label}'.",
                hint=f"Name one of {opts.object_name}'s fields ({choices}) in {field.name}'s to_fields.",
                obj=field,
                id="fields.E312",
            )
            for name in missing
        ]
    if not getattr(field, "requires_unique_target", True):
        return []
    return _check_unique_target(field, opts)


def _has_field(opts: Any, name: str) -> bool:
    try:
        opts.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _unique_sets(opts: Any) -> list[frozenset[str]]:
    """The field-name sets whose values name at most one row: unique fields, unique_together, and
    UniqueConstraints over plain fields without a condition."""
    sets = [frozenset([f.name]) for f in opts.concrete_fields if f.unique]
    sets += [frozenset(names) for names in opts.unique_together]
    for constraint in opts.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.condition is None and not constraint.expressions:
            sets.append(frozenset(constraint.fields))
    return sets


def _check_unique_target(field: Any, opts: Any) -> list[CheckMessage]:
    targets = [f.name for f in field.foreign_related_fields]
    if any(names <= set(targets) for names in _unique_sets(opts)):
        return []
    if len(targets) == 1:
        name = targets[0]
        return [
            Error(
                f"'{opts.object_name}.{name}' must be unique because it is referenced by a foreign key.",
                hint=f"Add unique=True to {opts.object_name}.{name}, or a UniqueConstraint(fields=['{name}'], "
                f"name='{opts.model_name}_{name}_unique') to {opts.object_name}'s Meta.constraints.",
                obj=field,
                id="fields.E311",
            )
        ]
    listed = ", ".join(f"'{name}'" for name in targets)
    return [
        Error(
            f"No subset of the fields {listed} on model '{opts.object_name}' is unique.",
            hint=f"Add unique_together = [({listed})] to {opts.object_name}'s Meta, or mark one of these fields "
            f"unique=True.",
            obj=field,
            id="fields.E310",
        )
    ]
