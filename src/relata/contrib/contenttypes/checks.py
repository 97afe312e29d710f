"""System checks for generic relations, with Django's ids (contenttypes.E001-E005, fields.E3xx).

Each message says what to change, naming the model and field, beyond Django's wording.
"""

from __future__ import annotations

from typing import Any

from relata.exceptions import FieldDoesNotExist
from relata.models.checks import Error, check_field_name, check_related_names, register_check


def _content_type_model() -> Any:
    from relata.contrib.contenttypes.models import ContentType

    return ContentType


def check_generic_foreign_key(field: Any) -> list[Any]:
    return [*check_field_name(field), *_check_object_id_field(field), *_check_content_type_field(field)]


def _check_object_id_field(field: Any) -> list[Any]:
    try:
        field.model._meta.get_field(field.fk_field)
    except FieldDoesNotExist:
        return [
            Error(
                f"The GenericForeignKey object ID references the nonexistent field '{field.fk_field}'.",
                hint=f"Add a field '{field.fk_field}' holding the object's key to {field.model._meta.object_name}, "
                f"or pass fk_field= naming yours.",
                obj=field,
                id="contenttypes.E001",
            )
        ]
    return []


def _check_content_type_field(field: Any) -> list[Any]:
    from relata.models.fields.related import ForeignKey

    object_name = field.model._meta.object_name
    fix = "GenericForeignKeys must use a ForeignKey to 'contenttypes.ContentType' as the 'content_type' field."
    try:
        ct_field = field.model._meta.get_field(field.ct_field)
    except FieldDoesNotExist:
        return [
            Error(
                "The GenericForeignKey content type references the nonexistent field "
                f"'{object_name}.{field.ct_field}'.",
                hint=f"Add `{field.ct_field} = ForeignKey(ContentType, on_delete=CASCADE)` to {object_name}, "
                f"or pass ct_field= naming yours.",
                obj=field,
                id="contenttypes.E002",
            )
        ]
    if not isinstance(ct_field, ForeignKey):
        message = f"'{object_name}.{field.ct_field}' is not a ForeignKey."
        return [Error(message, hint=fix, obj=field, id="contenttypes.E003")]
    if ct_field.remote_field.model is not _content_type_model():
        return [
            Error(
                f"'{object_name}.{field.ct_field}' is not a ForeignKey to 'contenttypes.ContentType'.",
                hint=fix,
                obj=field,
                id="contenttypes.E004",
            )
        ]
    return []


def check_generic_relation(field: Any) -> list[Any]:
    messages = [*check_field_name(field)]
    target = field.remote_field.model
    label = f"{field.model._meta.label}.{field.name}"
    if isinstance(target, str) or target._meta.abstract:
        name = target if isinstance(target, str) else target._meta.object_name
        messages.append(
            Error(
                f"Field defines a relation with model '{name}', which is either not installed, or is abstract.",
                hint=f"Define the model '{name}' (or make it concrete), or point {label} at an existing model.",
                obj=field,
                id="fields.E300",
            )
        )
        return messages
    messages.extend(m for m in check_related_names(field) if m.id != "fields.E306")
    messages.extend(_check_query_name_clashes(field))
    if field.generic_foreign_key() is None:
        messages.append(
            Error(
                f"The GenericRelation defines a relation with the model '{target._meta.label}', but that model "
                f"does not have a GenericForeignKey.",
                hint=f"Add a GenericForeignKey('{field.content_type_field_name}', '{field.object_id_field_name}') to "
                f"{target._meta.object_name}, or give {label} the content_type_field= and object_id_field= of the "
                f"one it has.",
                obj=field,
                id="contenttypes.E004",
            )
        )
    return messages


def _check_query_name_clashes(field: Any) -> list[Any]:
    """fields.E303 / E305 for the query name related_query_name gives the target (the only name it adds)."""
    rel = field.remote_field
    if rel.hidden:
        return []
    target_opts = rel.model._meta
    query_name = field.related_query_name()
    me = f"{field.model._meta.label}.{field.name}"
    messages = []
    for other in (*target_opts.forward_fields, *target_opts.private_fields):
        if other.name == query_name:
            other_name = f"{target_opts.label}.{other.name}"
            messages.append(
                Error(
                    f"Reverse query name '{query_name}' for '{me}' clashes with field name '{other_name}'.",
                    hint=f"Rename field '{other_name}', or give '{me}' another related_query_name, "
                    f"e.g. related_query_name='{field.model._meta.model_name}_{field.name}'.",
                    obj=field,
                    id="fields.E303",
                )
            )
    for other_rel in target_opts.related_objects:
        if other_rel.field is field or other_rel.get_accessor_name() != query_name:
            continue
        other_name = f"{other_rel.field.model._meta.label}.{other_rel.field.name}"
        messages.append(
            Error(
                f"Reverse query name '{query_name}' for '{me}' clashes with the reverse accessor of '{other_name}'.",
                hint=f"Give '{me}' another related_query_name, e.g. "
                f"related_query_name='{field.model._meta.model_name}_{field.name}'.",
                obj=field,
                id="fields.E305",
            )
        )
    return messages


def check_model_name_lengths(models: list[Any]) -> list[Any]:
    """contenttypes.E005: the ContentType row stores the model name in 100 characters."""
    return [
        Error(
            f"Model names must be at most 100 characters (got {len(model._meta.model_name)}).",
            hint=f"Rename {model.__name__}: its ContentType row stores the lower-cased class name in 100 characters.",
            obj=model,
            id="contenttypes.E005",
        )
        for model in models
        if len(model._meta.model_name) > 100
    ]


register_check(check_model_name_lengths)
