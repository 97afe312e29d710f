"""A value compared with a relation: a model instance becomes the key it holds, checked first.

The same model (or a proxy of it), a parent or child of the target, or an object keyed by the target
give their key; another model's instance or an unsaved one is refused, with Django's messages.
"""

from __future__ import annotations

from typing import Any


def relation_preparer(field: Any, value_model: Any, db_prep: Any) -> Any:
    from relata.models.base import Model

    attname = field.attname

    def prepare(value: Any) -> Any:
        if isinstance(value, Model):
            # As Django: the same rows (a proxy and its concrete model), or a parent/child of the target.
            if isinstance(value, value_model) or value._meta.concrete_model is value_model._meta.concrete_model:
                value = getattr(value, attname)
            elif _keyed_by(value, value_model) or issubclass(value_model, type(value)):
                value = value.pk  # its primary key is this very relation, or the link holds it: the same value
            else:
                raise ValueError(f'Cannot query "{value}": Must be "{value_model.__name__}" instance.')
            if value is None:
                raise ValueError("Model instances passed to related filters must be saved.")
        return db_prep(value) if db_prep is not None and value is not None else value

    return prepare


def _keyed_by(value: Any, model: type) -> bool:
    """Whether `value`'s primary key is a relation to `model` (a one-to-one primary key), as Django
    accepts `Restaurant.objects.filter(pk=restaurant)` when that key points at a Place."""
    pk = value._meta.pk
    return pk.is_relation and issubclass(pk.related_model, model)
