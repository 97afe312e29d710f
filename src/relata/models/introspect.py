"""What a model's relations look like from the outside, as data.

`describe_relations(model)` lists every forward field and every reverse
relation of a model: the attribute to use on an instance (accessor), the
name to use in `filter()` (query name), and the field that creates it. It
backs `relata relations MODEL`, and answers the seed article's question
("what is book_set, and what does related_name change?") for any model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RelationInfo:
    #: "forward" (a field on this model) or "reverse" (a field elsewhere pointing here).
    direction: str
    #: The attribute on an instance, or None when related_name="+" hides it.
    accessor: str | None
    #: The name for filter()/order_by(), or None when hidden.
    query_name: str | None
    #: "ForeignKey", "OneToOneField", "ManyToManyField", a scalar type, or "reverse ForeignKey" ...
    kind: str
    #: The field that creates it, as "Model.field".
    field: str
    #: The model on the other side ("app_label.Model"), or None for a plain column.
    target: str | None
    #: What the accessor returns on an instance.
    returns: str
    #: The related_name as declared on the field, if any.
    related_name: str | None = None
    column: str | None = None


def describe_relations(model: Any, include_columns: bool = True) -> list[RelationInfo]:
    """Forward fields (in declaration order) then reverse relations, hidden ones included."""
    opts = model._meta
    rows: list[RelationInfo] = []
    for field in opts.forward_fields:
        if not field.is_relation and not include_columns:
            continue
        rows.append(_forward(model, field))
    for rel in opts.all_related_objects:
        if rel.field.model is None or getattr(rel.field.model._meta, "auto_created", False):
            continue
        rows.append(_reverse(rel))
    return rows


def _forward(model: Any, field: Any) -> RelationInfo:
    kind = type(field).__name__
    if not field.is_relation:
        return RelationInfo(
            "forward",
            field.name,
            field.name,
            kind,
            f"{model.__name__}.{field.name}",
            None,
            "value",
            column=field.column,
        )
    target = field.related_model
    label = target._meta.label if target is not None else str(field.remote_field.model)
    name = target.__name__ if target is not None else label
    returns = f"{name} instance" if not field.many_to_many else f"manager of {name}"
    return RelationInfo(
        "forward",
        field.name,
        field.name,
        kind,
        f"{model.__name__}.{field.name}",
        label,
        returns,
        related_name=field.remote_field.related_name,
        column=None if field.many_to_many else field.column,
    )


def _reverse(rel: Any) -> RelationInfo:
    field = rel.field
    source = field.model
    hidden = rel.hidden
    accessor = None if hidden else rel.get_accessor_name()
    query_name = None if hidden else field.related_query_name()
    if field.many_to_many:
        kind, returns = "reverse ManyToManyField", f"manager of {source.__name__}"
    elif field.one_to_one:
        kind, returns = "reverse OneToOneField", f"{source.__name__} instance"
    else:
        # A ForeignObject reads its own columns, a ForeignKey has one: say which the reverse side is of.
        kind = "reverse ForeignKey" if field.concrete else "reverse ForeignObject"
        returns = f"manager of {source.__name__}"
    declared = "+" if hidden else field.remote_field.related_name
    return RelationInfo(
        "reverse",
        accessor,
        query_name,
        kind,
        f"{source.__name__}.{field.name}",
        source._meta.label,
        returns,
        related_name=declared,
    )
