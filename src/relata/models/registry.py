"""The model registry: every concrete model by app label and model name.

Relations name their targets by string ("Book", "booktracker.Book"); the
registry runs the waiting callbacks when the named model is defined, so
models may refer to each other in any order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from relata.exceptions import ImproperlyConfigured


class Apps:
    def __init__(self) -> None:
        self.all_models: dict[str, dict[str, Any]] = defaultdict(dict)
        self._pending_operations: dict[tuple[str, str], list[Callable[[Any], None]]] = defaultdict(list)
        self._on_unregister: dict[Any, list[Callable[[], None]]] = defaultdict(list)
        #: A model keyed by several fields (CompositePrimaryKey) joined: filters then look for
        #: conditions on such keys to rewrite (query/composite.py); until then they need not.
        self.has_composite_keys = False

    def register_model(self, app_label: str, model: Any) -> None:
        name = model._meta.model_name
        previous = self.all_models[app_label].get(name)
        if previous is not None and previous is not model:
            self.unregister_model(previous)
        self.all_models[app_label][name] = model
        self.clear_cache()
        for callback in self._pending_operations.pop((app_label, name), []):
            callback(model)

    def unregister_model(self, model: Any) -> None:
        """Forget a model and undo what its relations added to other models."""
        meta = model._meta
        models = self.all_models.get(meta.app_label, {})
        if models.get(meta.model_name) is model:
            del models[meta.model_name]
        for undo in self._on_unregister.pop(model, []):
            undo()
        self.clear_cache()

    def on_unregister(self, model: Any, undo: Callable[[], None]) -> None:
        self._on_unregister[model].append(undo)

    def clear_cache(self) -> None:
        for models in self.all_models.values():
            for model in models.values():
                model._meta.expire_cache()

    def get_models(self, app_label: str | None = None) -> list[Any]:
        if app_label is not None:
            return list(self.all_models.get(app_label, {}).values())
        return [m for models in self.all_models.values() for m in models.values()]

    def get_app_labels(self) -> list[str]:
        return [label for label, models in self.all_models.items() if models]

    def get_model(self, app_label: str, model_name: str | None = None) -> Any:
        if model_name is None:
            if "." not in app_label:
                raise ValueError(f"get_model() needs 'app_label.ModelName', got {app_label!r}.")
            app_label, model_name = app_label.split(".", 1)
        models = self.all_models.get(app_label)
        if not models:
            raise LookupError(f"No installed app with label '{app_label}'.")
        try:
            return models[model_name.lower()]
        except KeyError:
            raise LookupError(f"App '{app_label}' doesn't have a '{model_name}' model.") from None

    def lazy_model_operation(self, callback: Callable[[Any], None], key: tuple[str, str]) -> None:
        """Call `callback(model)` now if the model exists, else when it is registered."""
        model = self.all_models.get(key[0], {}).get(key[1])
        if model is not None:
            callback(model)
        else:
            self._pending_operations[key].append(callback)

    def pending_references(self) -> list[tuple[tuple[str, str], list[Any]]]:
        """Unresolved relation targets, with the fields that name them."""
        found = []
        for key, callbacks in self._pending_operations.items():
            fields = [getattr(cb, "__self__", None) for cb in callbacks]
            fields = [f for f in fields if f is not None]
            if fields:
                found.append((key, fields))
        return found


apps = Apps()


def resolve_relation_key(model: Any, target: Any) -> tuple[str, str] | Any:
    """A target as `(app_label, model_name)`, or the class itself when given one."""
    if isinstance(target, str):
        if target == "self":
            return model
        if "." in target:
            app_label, name = target.split(".", 1)
            return app_label, name.lower()
        return model._meta.app_label, target.lower()
    if isinstance(target, type):
        return target
    raise ImproperlyConfigured(
        f"{model.__name__}: a relation target must be a model class, 'Model', 'app_label.Model' "
        f"or 'self', not {target!r}."
    )
