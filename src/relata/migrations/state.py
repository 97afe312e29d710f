"""Frozen model definitions: what the schema looks like at one point in history.

A `ModelState` holds a model's fields (rebuilt from `field.deconstruct()`)
and options, detached from any class; a `ProjectState` holds every model.
Operations change a ProjectState; the autodetector compares two of them.
When SQL needs real models (table specs, RunPython), the state renders
throwaway classes into a private registry, never into `relata.models.apps`.
"""

from __future__ import annotations

import copy
import importlib
from typing import Any

from relata.exceptions import ImproperlyConfigured
from relata.models.registry import Apps

#: Meta options a migration records; others (managers, permissions) do not shape the schema.
STATE_OPTIONS = (
    "db_table",
    "ordering",
    "unique_together",
    "indexes",
    "constraints",
    "verbose_name",
    "verbose_name_plural",
    "managed",
    "default_related_name",
    "get_latest_by",
    "db_table_comment",
)
#: Options that change no SQL: AlterModelOptions carries these.
ALTER_OPTION_KEYS = (
    "ordering",
    "verbose_name",
    "verbose_name_plural",
    "managed",
    "default_related_name",
    "get_latest_by",
)


def field_from_deconstruction(path: str, args: Any, kwargs: dict[str, Any]) -> Any:
    module_name, _, class_name = path.rpartition(".")
    return getattr(importlib.import_module(module_name), class_name)(*args, **kwargs)


def clone_field(field: Any) -> Any:
    """A fresh, unbound copy of a field built from its deconstruction."""
    _name, path, args, kwargs = field.deconstruct()
    return field_from_deconstruction(path, copy.deepcopy(args), dict(kwargs))


def field_signature(field: Any) -> tuple[str, list[Any], dict[str, Any]]:
    """What makes two field definitions equal, for the autodetector."""
    _name, path, args, kwargs = field.deconstruct()
    return path, list(args), dict(kwargs)


class ModelState:
    """One model as a migration sees it: name, fields and options, no class."""

    def __init__(
        self,
        app_label: str,
        name: str,
        fields: list[tuple[str, Any]] | dict[str, Any],
        options: dict[str, Any] | None = None,
    ):
        self.app_label = app_label
        self.name = name
        self.fields: dict[str, Any] = dict(fields)
        self.options: dict[str, Any] = dict(options or {})
        self.options.setdefault("indexes", [])
        self.options.setdefault("constraints", [])
        for name_, field in self.fields.items():
            if getattr(field, "model", None) is not None:
                raise ValueError(f"ModelState {app_label}.{name} got field {name_!r} already bound to a model.")

    @property
    def name_lower(self) -> str:
        return self.name.lower()

    @property
    def key(self) -> tuple[str, str]:
        return self.app_label, self.name_lower

    @property
    def db_table(self) -> str:
        return self.options.get("db_table") or f"{self.app_label}_{self.name_lower}"

    @classmethod
    def from_model(cls, model: Any) -> ModelState:
        opts = model._meta
        fields = [(f.name, clone_field(f)) for f in opts.local_fields + opts.local_many_to_many]
        fields.sort(key=lambda item: (not getattr(item[1], "auto_created", False), _order(opts, item[0])))
        options: dict[str, Any] = {}
        for key in STATE_OPTIONS:
            if key not in opts.original_attrs:
                continue
            value = opts.original_attrs[key]
            if key == "unique_together":
                value = {tuple(group) for group in opts.unique_together}
            elif key == "ordering":
                value = list(value)
            options[key] = value
        indexes = []
        for index in opts.indexes:
            if not index.name:
                index.set_name_with_model(model)
            indexes.append(index.clone())
        options["indexes"] = indexes
        options["constraints"] = [c.clone() for c in opts.constraints]
        return cls(opts.app_label, opts.object_name, fields, options)

    def clone(self) -> ModelState:
        options = dict(self.options)
        options["indexes"] = [i.clone() for i in self.options["indexes"]]
        options["constraints"] = [c.clone() for c in self.options["constraints"]]
        if "unique_together" in options:
            options["unique_together"] = set(options["unique_together"])
        return ModelState(self.app_label, self.name, [(n, clone_field(f)) for n, f in self.fields.items()], options)

    def get_field(self, name: str) -> Any:
        try:
            return self.fields[name]
        except KeyError:
            raise ImproperlyConfigured(
                f"The migration state of {self.app_label}.{self.name} has no field {name!r}; "
                f"fields are {', '.join(self.fields)}."
            ) from None

    def render(self, apps: Apps) -> Any:
        """Create a real model class for this state inside `apps`."""
        from relata.models.base import Model

        meta_attrs: dict[str, Any] = {"app_label": self.app_label, "apps": apps}
        for key, value in self.options.items():
            if key == "indexes":
                value = [i.clone() for i in value]
            elif key == "constraints":
                value = [c.clone() for c in value]
            elif key == "unique_together":
                value = tuple(sorted(tuple(g) for g in value))
            meta_attrs[key] = value
        attrs: dict[str, Any] = {
            "__module__": f"relata.migrations.frozen.{self.app_label}",
            "Meta": type("Meta", (), meta_attrs),
        }
        for name, field in self.fields.items():
            attrs[name] = clone_field(field)
        return type(self.name, (Model,), attrs)

    def __repr__(self) -> str:
        return f"<ModelState: {self.app_label}.{self.name}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelState):
            return NotImplemented
        return (
            self.key == other.key
            and self.name == other.name
            and list(self.fields) == list(other.fields)
            and all(field_signature(f) == field_signature(other.fields[n]) for n, f in self.fields.items())
            and _comparable_options(self.options) == _comparable_options(other.options)
        )


def _order(opts: Any, name: str) -> int:
    for position, field in enumerate(opts.forward_fields):
        if field.name == name:
            return position
    return 0


def _comparable_options(options: dict[str, Any]) -> dict[str, Any]:
    out = dict(options)
    out["indexes"] = [i.deconstruct() for i in options.get("indexes", [])]
    out["constraints"] = [c.deconstruct() for c in options.get("constraints", [])]
    return out


class ProjectState:
    """Every model's state; renders them on demand as real classes (`.apps`)."""

    def __init__(self, models: dict[tuple[str, str], ModelState] | None = None):
        self.models: dict[tuple[str, str], ModelState] = dict(models or {})
        self._apps: Apps | None = None

    @classmethod
    def from_apps(cls, registry: Any, app_labels: list[str] | None = None) -> ProjectState:
        """The state of the live models of `app_labels` (all apps when None)."""
        state = cls()
        labels = app_labels if app_labels is not None else registry.get_app_labels()
        for label in labels:
            for model in registry.get_models(label):
                opts = model._meta
                if getattr(opts, "auto_created", False) or opts.proxy or opts.abstract:
                    continue
                state.add_model(ModelState.from_model(model))
        return state

    def clone(self) -> ProjectState:
        return ProjectState({key: model.clone() for key, model in self.models.items()})

    def add_model(self, model_state: ModelState) -> None:
        self.models[model_state.key] = model_state
        self.reload()

    def remove_model(self, app_label: str, name: str) -> ModelState:
        removed = self.models.pop((app_label, name.lower()))
        self.reload()
        return removed

    def get_model(self, app_label: str, name: str) -> ModelState:
        try:
            return self.models[app_label, name.lower()]
        except KeyError:
            raise ImproperlyConfigured(
                f"The migration state has no model {app_label}.{name}; check the migration's "
                f"dependencies list so the migration that creates it runs first."
            ) from None

    def reload(self) -> None:
        """Forget rendered classes: the next `.apps` renders the changed state."""
        self._apps = None

    @property
    def apps(self) -> Apps:
        if self._apps is None:
            self._apps = self.render()
        return self._apps

    def render(self) -> Apps:
        registry = Apps()
        for model_state in self.models.values():
            model_state.render(registry)
        missing = [key for key, callbacks in registry._pending_operations.items() if callbacks]
        if missing:
            names = ", ".join(f"{a}.{m}" for a, m in missing)
            raise ImproperlyConfigured(
                f"Migrations point at models that no migration creates: {names}. Add the app that "
                f"defines them to [tool.relata] apps, and a dependency on its migration."
            )
        return registry

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProjectState):
            return NotImplemented
        return self.models == other.models
