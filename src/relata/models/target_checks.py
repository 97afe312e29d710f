"""System checks of a relation's key and what it points at, with Django's ids.

- fields.E312: a `to_fields` (or `to_field`) name the target model does not have.
- fields.E311 / E310: target fields (one / several) that do not name a single row.
- fields.E320 / E321: a ForeignKey whose on_delete (SET_NULL / SET_DEFAULT) it cannot carry out;
  fields.W342: a unique ForeignKey, which is a OneToOneField. Each hint says what fixes it.
"""

from __future__ import annotations

from typing import Any

from relata.exceptions import FieldDoesNotExist
from relata.models.checks import CheckMessage, Error, Warning
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
    if opts.is_composite_pk:
        sets.append(frozenset(f.name for f in opts.pk_fields))  # the parts of a composite key, together
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


def check_foreign_key(field: Any) -> list[CheckMessage]:
    """A ForeignKey's own: an on_delete it can carry out, and unique=True (a OneToOneField)."""
    from relata.models.deletion import SET_DEFAULT, SET_NULL

    messages = []
    on_delete = field.remote_field.on_delete
    if on_delete is SET_NULL and not field.null:
        messages.append(
            Error(
                "Field specifies on_delete=SET_NULL, but cannot be null.",
                hint=f"Set null=True on {field.model._meta.object_name}.{field.name}, or change the on_delete rule.",
                obj=field,
                id="fields.E320",
            )
        )
    if on_delete is SET_DEFAULT and not field.has_default():
        messages.append(
            Error(
                "Field specifies on_delete=SET_DEFAULT, but has no default value.",
                hint=f"Give {field.model._meta.object_name}.{field.name} a default=, or change the on_delete rule.",
                obj=field,
                id="fields.E321",
            )
        )
    if field.unique and not field.one_to_one:
        messages.append(
            Warning(
                "Setting unique=True on a ForeignKey has the same effect as using a OneToOneField.",
                hint="ForeignKey(unique=True) is usually better served by a OneToOneField.",
                obj=field,
                id="fields.W342",
            )
        )
    return messages
