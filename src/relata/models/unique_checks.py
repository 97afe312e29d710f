"""Model.validate_unique(): which uniqueness rules apply to an instance, and the queries that test them.

Two kinds of rule, as Django 5.2 gathers them (`Model._get_unique_checks()`):
- unique checks `(model, (field names...))`: `Meta.unique_together` groups
  (and, when asked, the plain-field UniqueConstraints), then each unique field;
- date checks `(model, lookup_type, field name, date field name)`: a field's
  `unique_for_date` / `unique_for_year` / `unique_for_month`.
Each rule costs one EXISTS query, and only when the instance's values can clash.
"""

from __future__ import annotations

from typing import Any

from relata import exceptions
from relata.models.expressions import Value
from relata.models.fields import NOT_PROVIDED, DatabaseDefault

DATE_RULES = (("date", "unique_for_date"), ("year", "unique_for_year"), ("month", "unique_for_month"))


def _capfirst(text: Any) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def _text_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _chain(model: type) -> list[type]:
    """The model and its concrete parents, whose fields an instance also carries."""
    parents = getattr(model._meta, "get_parent_list", None)
    return [model, *(parents() if parents is not None else ())]


def _local_fields(model_class: type, model: type) -> list[Any]:
    local = getattr(model_class._meta, "local_fields", None)
    if local is not None:
        return list(local)
    return list(model._meta.concrete_fields) if model_class is model else []


def get_unique_checks(
    obj: Any, exclude: Any = None, include_meta_constraints: bool = False
) -> tuple[list[tuple[type, tuple[str, ...]]], list[tuple[type, str, str, str]]]:
    exclude = set() if exclude is None else exclude
    model = type(obj)
    chain = _chain(model)
    unique_checks: list[tuple[type, tuple[str, ...]]] = []
    for model_class in chain:
        for group in model_class._meta.unique_together:
            if not any(name in exclude for name in group):
                unique_checks.append((model_class, tuple(group)))
    if include_meta_constraints:
        for model_class in chain:
            for constraint in model_class._meta.constraints:
                fields = getattr(constraint, "fields", ())
                plain = fields and getattr(constraint, "condition", None) is None
                if plain and not getattr(constraint, "expressions", ()) and not any(f in exclude for f in fields):
                    unique_checks.append((model_class, tuple(fields)))
    date_checks: list[tuple[type, str, str, str]] = []
    for model_class in chain:
        for field in _local_fields(model_class, model):
            name = field.name
            if name in exclude:
                continue
            if field.unique and field is model_class._meta.pk and model_class._meta.is_composite_pk:
                # A CompositePrimaryKey: its parts together, unless one of them is excluded.
                parts = tuple(f.name for f in model_class._meta.pk_fields)
                if exclude.isdisjoint(parts):
                    unique_checks.append((model_class, parts))
            elif field.unique:
                unique_checks.append((model_class, (name,)))
            for lookup_type, option in DATE_RULES:
                date_field = getattr(field, option, None)
                if date_field and date_field not in exclude:
                    date_checks.append((model_class, lookup_type, name, date_field))
    return unique_checks, date_checks


def _database(obj: Any) -> str:
    return obj._state.db or "default"


def _others(model_class: type, obj: Any, lookup: dict[str, Any]) -> Any:
    """Rows other than `obj` matching `lookup`."""
    qs = model_class._default_manager.using(_database(obj)).filter(**lookup)
    if not obj._state.adding and obj._is_pk_set():
        qs = qs.exclude(pk=obj.pk)
    return qs


def perform_unique_checks(obj: Any, checks: list[tuple[type, tuple[str, ...]]]) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}
    for model_class, names in checks:
        lookup = _unique_lookup(obj, model_class, names)
        if lookup is None:
            continue
        if _others(model_class, obj, lookup).exists():
            key = names[0] if len(names) == 1 else "__all__"
            errors.setdefault(key, []).append(obj.unique_error_message(model_class, names))
    return errors


def _unique_lookup(obj: Any, model_class: type, names: tuple[str, ...]) -> dict[str, Any] | None:
    """The filter a unique rule runs, or None when the instance cannot clash (a NULL, an unsaved pk)."""
    opts = model_class._meta
    lookup: dict[str, Any] = {}
    for name in names:
        field = opts.get_field(name)
        value = getattr(obj, field.attname)
        if type(value) is DatabaseDefault:
            if field.db_default is NOT_PROVIDED:
                return None
            # The row will hold the database default: check that value.
            value = field.db_default if hasattr(field.db_default, "resolve_expression") else Value(field.db_default)
        if value is None or (value == "" and _empty_is_null(obj)):
            return None
        if (field.primary_key or field in opts.pk_fields) and not obj._state.adding:
            return None  # an existing row keeps its primary key: nothing to compare
        lookup[name] = value
    return lookup


def _empty_is_null(obj: Any) -> bool:
    from relata.db import connections

    return connections[_database(obj)].features.interprets_empty_strings_as_nulls


def perform_date_checks(obj: Any, checks: list[tuple[type, str, str, str]]) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}
    for model_class, lookup_type, name, date_name in checks:
        day = getattr(obj, date_name)
        if day is None:
            continue
        if lookup_type == "date":
            lookup = {f"{date_name}__day": day.day, f"{date_name}__month": day.month, f"{date_name}__year": day.year}
        else:
            lookup = {f"{date_name}__{lookup_type}": getattr(day, lookup_type)}
        lookup[name] = getattr(obj, name)
        if _others(model_class, obj, lookup).exists():
            errors.setdefault(name, []).append(obj.date_error_message(lookup_type, name, date_name))
    return errors


def date_error_message(obj: Any, lookup_type: str, field_name: str, unique_for: str) -> exceptions.ValidationError:
    opts = obj._meta
    field = opts.get_field(field_name)
    return exceptions.ValidationError(
        message=field.error_messages["unique_for_date"],
        code="unique_for_date",
        params={
            "model": obj,
            "model_name": _capfirst(opts.verbose_name),
            "lookup_type": lookup_type,
            "field": field_name,
            "field_label": _capfirst(field.verbose_name),
            "date_field": unique_for,
            "date_field_label": _capfirst(opts.get_field(unique_for).verbose_name),
        },
    )


def unique_error_message(obj: Any, model_class: type, names: tuple[str, ...]) -> exceptions.ValidationError:
    opts = model_class._meta
    params: dict[str, Any] = {
        "model": obj,
        "model_class": model_class,
        "model_name": _capfirst(opts.verbose_name),
        "unique_check": names,
    }
    if len(names) == 1:
        field = opts.get_field(names[0])
        params["field_label"] = _capfirst(field.verbose_name)
        return exceptions.ValidationError(message=field.error_messages["unique"], code="unique", params=params)
    params["field_labels"] = _text_list([_capfirst(opts.get_field(name).verbose_name) for name in names])
    return exceptions.ValidationError(
        message="%(model_name)s with this %(field_labels)s already exists.", code="unique_together", params=params
    )
