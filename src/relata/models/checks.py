"""System checks for models and relations, with Django's message ids.

Each check returns `CheckMessage`s; relation clashes name both fields and
suggest a concrete `related_name=` that would fix them, which Django's
messages do not.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Any

from relata.models.registry import apps

DEBUG, INFO, WARNING, ERROR, CRITICAL = 10, 20, 30, 40, 50


@dataclass(frozen=True)
class CheckMessage:
    level: int
    msg: str
    hint: str | None = None
    obj: Any = None
    id: str | None = None

    def is_serious(self, level: int = ERROR) -> bool:
        return self.level >= level

    def __str__(self) -> str:
        where = f"{self.obj}: " if self.obj is not None else ""
        ident = f"({self.id}) " if self.id else ""
        hint = f"\n\tHINT: {self.hint}" if self.hint else ""
        return f"{where}{ident}{self.msg}{hint}"


def Error(msg: str, hint: str | None = None, obj: Any = None, id: str | None = None) -> CheckMessage:
    return CheckMessage(ERROR, msg, hint, obj, id)


def Warning(msg: str, hint: str | None = None, obj: Any = None, id: str | None = None) -> CheckMessage:
    return CheckMessage(WARNING, msg, hint, obj, id)


#: Checks of the whole model set that packages add (contenttypes' model name length):
#: `check(models) -> messages`, run by check_all_models() after the built-in ones.
registered_checks: list[Any] = []


def register_check(check: Any) -> Any:
    if check not in registered_checks:
        registered_checks.append(check)
    return check


def check_all_models(models: list[Any] | None = None, databases: Any = ()) -> list[CheckMessage]:
    """Every check of the models; what a database cannot do only for the `databases` named, as Django."""
    from relata.models.index_checks import check_constraints, check_indexes

    models = apps.get_models() if models is None else models
    messages: list[CheckMessage] = []
    for model in models:
        messages.extend(check_indexes(model, databases))
        messages.extend(check_constraints(model, databases))
        for field in model._meta.local_fields + model._meta.local_many_to_many:
            messages.extend(field.check(databases=databases))
        messages.extend(check_inheritance(model))
        for field in model._meta.private_fields:
            # Fields without a column come from packages (contenttypes), which check them themselves.
            check = getattr(field, "check", None)
            if check is not None and field.model is model:
                messages.extend(check())
    messages.extend(m for m in check_lazy_references() if m.obj.model in models)
    for check in registered_checks:
        messages.extend(check(models))
    return messages


def check_field(field: Any) -> list[CheckMessage]:
    """What every field is checked for: its name and, for a relation, its target and accessors."""
    messages = check_field_name(field)
    if field.is_relation:
        messages.extend(check_relation(field))
    messages.extend(check_retired_field(field))
    return messages


def check_retired_field(field: Any) -> list[CheckMessage]:
    """A field class Django removed (an error) or deprecated (a warning), as its class describes."""
    removed = getattr(field, "system_check_removed_details", None)
    if removed is not None:
        return [Error(removed["msg"], hint=removed.get("hint"), obj=field, id=removed["id"])]
    deprecated = getattr(field, "system_check_deprecated_details", None)
    if deprecated is not None:
        return [Warning(deprecated["msg"], hint=deprecated.get("hint"), obj=field, id=deprecated["id"])]
    return []


def check_inheritance(model: Any) -> list[CheckMessage]:
    """A proxy without fields (models.E017); no field hiding a parent's (models.E005, models.E006)."""
    opts = model._meta
    if opts.proxy:
        if opts.local_fields or opts.local_many_to_many:
            return [Error(f"Proxy model '{model.__name__}' contains model fields.", obj=model, id="models.E017")]
        return []
    messages: list[CheckMessage] = []
    used: dict[str, Any] = {}
    for parent in opts.all_parents:
        for field in parent._meta.local_fields:
            clash = used.get(field.name) or used.get(field.attname)
            if clash is not None:
                messages.append(
                    Error(
                        f"The field '{clash.name}' from parent model '{clash.model._meta}' clashes with the field "
                        f"'{field.name}' from parent model '{field.model._meta}'.",
                        obj=model,
                        id="models.E005",
                    )
                )
            used[field.name] = used[field.attname] = field
    for parent in opts.all_parents:
        for field in parent._meta.get_fields():
            used.setdefault(field.name, field)
    for link in opts.parents.values():
        clash = used.get(link.name) if link is not None else None
        if clash is not None:
            messages.append(_hiding(link, clash, model))
    for field in opts.local_fields:
        clash = used.get(field.name) or used.get(field.attname)
        if clash is not None and not (field.name == "id" and clash.name == "id" and clash.model is model):
            messages.append(_hiding(field, clash, field))
        used[field.name] = used[field.attname] = field
    return messages


def _hiding(field: Any, clash: Any, obj: Any) -> CheckMessage:
    return Error(
        f"The field '{field.name}' clashes with the field '{clash.name}' from model '{clash.model._meta}'.",
        obj=obj,
        id="models.E006",
    )


def _label(field: Any) -> str:
    return f"{field.model._meta.label}.{field.name}"


def check_field_name(field: Any) -> list[CheckMessage]:
    """Names a query could not spell: Django's fields.E001-E003, with the fix in the hint."""
    name = field.name
    if name.endswith("_"):
        return [
            Error(
                "Field names must not end with an underscore.",
                hint=f"Rename {_label(field)} to '{name.rstrip('_')}', or pass db_column= to keep the column.",
                obj=field,
                id="fields.E001",
            )
        ]
    if "__" in name:
        return [
            Error(
                'Field names must not contain "__".',
                hint=f"Rename {_label(field)} to '{name.replace('__', '_')}': '__' separates lookups in filter().",
                obj=field,
                id="fields.E002",
            )
        ]
    if name == "pk":
        return [
            Error(
                "'pk' is a reserved word that cannot be used as a field name.",
                hint=f"Rename {_label(field)}: 'pk' always means the primary key in queries.",
                obj=field,
                id="fields.E003",
            )
        ]
    return []


def check_relation(field: Any) -> list[CheckMessage]:
    rel = field.remote_field
    target = rel.model
    if isinstance(target, str) or target._meta.abstract:
        name = target if isinstance(target, str) else target._meta.object_name
        return [
            Error(
                f"Field defines a relation with model '{name}', which is either not installed, or is abstract.",
                hint=f"Define the model '{name}' (or make it concrete), or point {_label(field)} at an existing model.",
                obj=field,
                id="fields.E300",
            )
        ]
    messages = check_related_names(field)
    if not messages:
        messages = check_clashes(field)
    return messages


def check_related_names(field: Any) -> list[CheckMessage]:
    rel = field.remote_field
    name = rel.related_name
    messages = []
    if name and not name.endswith("+") and (not name.isidentifier() or keyword.iskeyword(name)):
        messages.append(
            Error(
                f"The name '{name}' is invalid related_name for field {_label(field)}.",
                hint=f"related_name must be a valid Python identifier or end with '+', e.g. "
                f"related_name='{_suggest(field, set())}'.",
                obj=field,
                id="fields.E306",
            )
        )
    query_name = rel.related_query_name
    if query_name and query_name.endswith("_"):
        messages.append(
            Error(
                f"Reverse query name '{query_name}' must not end with an underscore.",
                hint=f"Add or change a related_name or related_query_name argument for {_label(field)}.",
                obj=field,
                id="fields.E308",
            )
        )
    if query_name and "__" in query_name:
        messages.append(
            Error(
                f"Reverse query name '{query_name}' must not contain '__'.",
                hint=f"Add or change a related_name or related_query_name argument for {_label(field)}.",
                obj=field,
                id="fields.E309",
            )
        )
    return messages


def _taken_names(opts: Any) -> set[str]:
    names = {f.name for f in opts.fields}
    for rel in opts.related_objects:
        accessor = rel.get_accessor_name()
        if accessor:
            names.add(accessor)
        names.add(rel.name)
    return names


def _suggest(field: Any, taken: set[str]) -> str:
    base = f"{field.name}_{field.model._meta.model_name}s"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    return candidate


def check_clashes(field: Any) -> list[CheckMessage]:
    rel = field.remote_field
    target_opts = rel.model._meta
    hidden = rel.hidden
    accessor = rel.get_accessor_name()
    query_name = field.related_query_name()
    me = _label(field)
    taken = _taken_names(target_opts)
    fix = f"related_name='{_suggest(field, taken)}'"
    messages = []
    for other in target_opts.fields:
        other_name = f"{target_opts.label}.{other.name}"
        if not hidden and other.name == accessor:
            messages.append(
                Error(
                    f"Reverse accessor '{target_opts.object_name}.{accessor}' for '{me}' clashes with field "
                    f"name '{other_name}'.",
                    hint=f"Rename field '{other_name}', or give '{me}' a related_name, e.g. {fix}.",
                    obj=field,
                    id="fields.E302",
                )
            )
        if other.name == query_name:
            messages.append(
                Error(
                    f"Reverse query name '{query_name}' for '{me}' clashes with field name '{other_name}'.",
                    hint=f"Rename field '{other_name}', or give '{me}' a related_name, e.g. {fix}.",
                    obj=field,
                    id="fields.E303",
                )
            )
    for other_rel in target_opts.related_objects:
        if other_rel.field is field:
            continue
        other_name = _label(other_rel.field)
        other_accessor = other_rel.get_accessor_name()
        if not hidden and other_accessor == accessor:
            messages.append(
                Error(
                    f"Reverse accessor '{target_opts.object_name}.{accessor}' for '{me}' clashes with the reverse "
                    f"accessor for '{other_name}'.",
                    hint=f"Give '{me}' or '{other_name}' a distinct related_name, e.g. {fix} on '{me}'.",
                    obj=field,
                    id="fields.E304",
                )
            )
        if other_accessor == query_name:
            messages.append(
                Error(
                    f"Reverse query name '{query_name}' for '{me}' clashes with the reverse accessor of "
                    f"'{other_name}'.",
                    hint=f"Give '{me}' or '{other_name}' a distinct related_name, e.g. {fix} on '{me}'.",
                    obj=field,
                    id="fields.E305",
                )
            )
    return messages


def check_lazy_references() -> list[CheckMessage]:
    messages = []
    for (app_label, model_name), callbacks in apps.pending_references():
        for field in callbacks:
            if app_label in apps.get_app_labels():
                detail = f"app '{app_label}' doesn't provide model '{model_name}'"
            else:
                detail = f"app '{app_label}' isn't installed"
            messages.append(
                Error(
                    f"The field {_label(field)} was declared with a lazy reference to '{app_label}.{model_name}', "
                    f"but {detail}.",
                    hint=f"Define {model_name} in {app_label}, or fix the target string of {_label(field)}.",
                    obj=field,
                    id="fields.E307",
                )
            )
    return messages
