"""What every migration operation provides.

An operation changes the project state (`state_forwards`), changes the
database to match (`database_forwards`, `database_backwards`, given the states
before and after), says what it does (`describe`) and can be written back to
a migration file (`deconstruct`). Operations never read live model classes.
"""

from __future__ import annotations

import inspect
from typing import Any

from relata.models.schema import table_spec


class Operation:
    #: Whether database_backwards can undo it.
    reversible = True
    #: Whether the operation may run SQL at all (RunPython says no: it runs code).
    reduces_to_sql = True

    def __new__(cls, *args: Any, **kwargs: Any) -> Operation:
        self = object.__new__(cls)
        self._constructor_args = (args, kwargs)
        return self

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        """(class name, args, kwargs): every argument by keyword, defaults left out, for the writer."""
        args, kwargs = self._constructor_args
        signature = inspect.signature(type(self).__init__)
        bound = signature.bind(self, *args, **kwargs).arguments
        out = {}
        for name, value in bound.items():
            if name == "self":
                continue
            default = signature.parameters[name].default
            if default is not inspect.Parameter.empty and (value is default or value == default):
                continue
            if name in ("options", "bases", "managers") and not value:
                continue
            out[name] = value
        return type(self).__name__, (), out

    def state_forwards(self, app_label: str, state: Any) -> None:
        raise NotImplementedError

    def database_forwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        raise NotImplementedError

    def database_backwards(self, app_label: str, editor: Any, from_state: Any, to_state: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot be reversed.")

    def describe(self) -> str:
        return type(self).__name__

    @property
    def migration_name_fragment(self) -> str | None:
        return None

    def references_model(self, name: str, app_label: str) -> bool:
        return True

    def __repr__(self) -> str:
        name, args, kwargs = self.deconstruct()
        parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
        return f"<{name} {', '.join(parts)}>"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and repr(self) == repr(other)

    __hash__ = object.__hash__


def allowed(editor: Any, model: Any) -> bool:
    """Whether to touch this model's table on this connection (managed, router)."""
    from relata.models.routing import router

    opts = model._meta
    if not opts.managed or opts.proxy:
        return False
    return router.allow_migrate(editor.connection.alias, opts.app_label, model_name=opts.model_name)


def spec(model: Any, editor: Any) -> Any:
    return table_spec(model, editor.connection)


def sync_schema(
    editor: Any,
    from_state: Any,
    to_state: Any,
    *,
    model_renames: dict | None = None,
    field_renames: dict | None = None,
    defaults: dict | None = None,
) -> None:
    """Make the database match `to_state`, given that it matches `from_state`.

    Every table of both states is compared as specs; only those that differ
    get DDL, so an operation that changes no column (related_name, choices,
    verbose_name, on_delete ...) runs no SQL at all. `model_renames` maps old
    model keys to new ones, `field_renames` maps a new model key to
    {new field name: old field name}, `defaults` maps a new model key to
    {column: one-off value} for added NOT NULL columns.
    """
    model_renames = model_renames or {}
    field_renames = field_renames or {}
    defaults = defaults or {}
    old_apps, new_apps = from_state.apps, to_state.apps
    old_models = _concrete_models(old_apps)
    new_models = _concrete_models(new_apps)
    inverse = {new: old for old, new in model_renames.items()}
    pairs, created = [], []
    for key, new in new_models.items():
        old = old_models.get(inverse.get(key, key))
        if old is None:
            created.append(new)
        else:
            pairs.append((old, new, _field_map(old, new, field_renames.get(key, {}))))
    paired_old = {id(old) for old, _new, _map in pairs}
    removed = [old for old in old_models.values() if id(old) not in paired_old]
    through_pairs, through_created, through_removed = [], [], []
    for old, new, names in pairs:
        _pair_throughs(old, new, names, through_pairs, through_created, through_removed)
    for model in removed:
        through_removed.extend(_auto_throughs(model))
    for model in created:
        through_created.extend(_auto_throughs(model))

    for model in through_removed + _dependents_first(removed):
        if allowed(editor, model):
            editor.drop_table(model._meta.db_table)
    for model in _dependencies_first(created) + through_created:
        if allowed(editor, model):
            editor.create_table(spec(model, editor))
    for old, new, names in pairs + through_pairs:
        if not (allowed(editor, old) and allowed(editor, new)):
            continue
        old_spec, new_spec = spec(old, editor), spec(new, editor)
        column_map = _column_map(old, new, names)
        unchanged = all(k == v for k, v in column_map.items()) and len(column_map) == len(old_spec.columns)
        if old_spec == new_spec and unchanged:
            continue
        key = (new._meta.app_label, new._meta.model_name)
        fills = {**_field_defaults(new, editor.connection), **defaults.get(key, {})}
        editor.alter_table(old_spec, new_spec, column_map, fills)


def _field_defaults(model: Any, connection: Any) -> dict[str, Any]:
    """Column -> value for NOT NULL fields that fill existing rows when their column appears.

    A default (a callable is called once, so every existing row gets the same
    value, as Django does), else the current time for auto_now / auto_now_add,
    else '' for a blank string field.
    """
    values = {}
    for field in model._meta.local_fields:
        if not field.concrete or field.null or field.primary_key or field.has_db_default() or field.generated:
            continue  # NULL, the column's own DEFAULT, or the database's computation fills the rows
        if field.has_default():
            value = field.get_default()
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = field.now()
        elif field.blank and field.empty_strings_allowed and not field.is_relation:
            value = ""
        else:
            continue
        values[field.column] = field.get_db_prep_value(value, connection)
    return values


def _concrete_models(apps: Any) -> dict[tuple[str, str], Any]:
    return {
        (m._meta.app_label, m._meta.model_name): m
        for m in apps.get_models()
        if not getattr(m._meta, "auto_created", False)
    }


def _auto_throughs(model: Any) -> list[Any]:
    throughs = []
    for field in model._meta.local_many_to_many:
        through = field.remote_field.through
        if isinstance(through, type) and getattr(through._meta, "auto_created", False):
            throughs.append(through)
    return throughs


def _field_map(old: Any, new: Any, renames: dict[str, str]) -> dict[str, str]:
    """New field name -> old field name, for fields that exist on both sides."""
    old_names = {f.name for f in old._meta.local_fields + old._meta.local_many_to_many}
    mapping = {}
    for field in new._meta.local_fields + new._meta.local_many_to_many:
        source = renames.get(field.name, field.name)
        if source in old_names:
            mapping[field.name] = source
    return mapping


def _column_map(old: Any, new: Any, names: dict[str, str]) -> dict[str, str]:
    mapping = {}
    for field in new._meta.local_fields:
        source = names.get(field.name)
        if source is None or not field.concrete:
            continue
        old_field = old._meta.get_field(source)
        if old_field.concrete and not old_field.many_to_many:
            mapping[field.column] = old_field.column
    return mapping


def _pair_throughs(old: Any, new: Any, names: dict[str, str], pairs: list, created: list, removed: list) -> None:
    old_m2m = {f.name: f for f in old._meta.local_many_to_many}
    matched = set()
    for field in new._meta.local_many_to_many:
        new_through = field.remote_field.through
        new_auto = getattr(new_through._meta, "auto_created", False)
        source = old_m2m.get(names.get(field.name, ""))
        old_through = source.remote_field.through if source is not None else None
        old_auto = old_through is not None and getattr(old_through._meta, "auto_created", False)
        if source is not None:
            matched.add(source.name)
        if new_auto and old_auto:
            # An auto-created through has (id, source, target) in order: pair them by position.
            positional = {
                nf.name: of.name
                for nf, of in zip(new_through._meta.local_fields, old_through._meta.local_fields, strict=False)
            }
            pairs.append((old_through, new_through, positional))
        else:
            if new_auto:
                created.append(new_through)
            if old_auto:
                removed.append(old_through)
    for name, field in old_m2m.items():
        through = field.remote_field.through
        if name not in matched and getattr(through._meta, "auto_created", False):
            removed.append(through)


def _dependencies_first(models: list[Any]) -> list[Any]:
    from relata.models.schema import dependency_order

    return dependency_order(models)


def _dependents_first(models: list[Any]) -> list[Any]:
    return list(reversed(_dependencies_first(models)))
