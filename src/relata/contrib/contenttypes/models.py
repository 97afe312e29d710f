"""ContentType: one row naming each model, and the manager that finds and caches those rows.

A generic relation stores a ContentType key and an object key; the manager turns a model into its
row (creating it the first time) and a key back into a row, keeping both in a per-process cache
per database: the rows never change once made, so reading them once per process is enough.
"""

from __future__ import annotations

from typing import Any

from relata import models
from relata.contrib.contenttypes import checks as _checks  # noqa: F401 (registers contenttypes.E005)
from relata.models.registry import apps


class ContentTypeManager(models.Manager):
    """`ContentType.objects`: get_for_model() and friends read through a cache per database."""

    use_in_migrations = True

    def __init__(self) -> None:
        super().__init__()
        #: database alias -> {(app_label, model_name): ct, id: ct}. db_manager() copies share it.
        self._cache: dict[str, dict[Any, Any]] = {}

    def _cached(self) -> dict[Any, Any]:
        return self._cache.setdefault(self.db, {})

    def _add_to_cache(self, using: str, ct: Any) -> None:
        cache = self._cache.setdefault(using, {})
        cache[(ct.app_label, ct.model)] = ct
        cache[ct.id] = ct

    def clear_cache(self) -> None:
        """Forget every cached row (after the table was emptied or re-created)."""
        self._cache.clear()

    def get_by_natural_key(self, app_label: str, model: str) -> Any:
        ct = self._cached().get((app_label, model))
        if ct is None:
            ct = self.get(app_label=app_label, model=model)
            self._add_to_cache(self.db, ct)
        return ct

    def get_for_model(self, model: Any, for_concrete_model: bool = True) -> Any:
        """The row for `model` (a class or an instance), created if missing; a proxy's concrete model's unless
        for_concrete_model=False."""
        opts = _opts_for(model, for_concrete_model)
        ct = self._cached().get((opts.app_label, opts.model_name))
        if ct is not None:
            return ct
        # One read when the row exists (the usual case), a read and an INSERT the first time.
        ct, _ = self.get_or_create(app_label=opts.app_label, model=opts.model_name)
        self._add_to_cache(self.db, ct)
        return ct

    def get_for_models(self, *model_list: Any, for_concrete_models: bool = True) -> dict[Any, Any]:
        """{model: row} for several models, reading the uncached ones in one query (and creating the missing)."""
        results: dict[Any, Any] = {}
        wanted: dict[tuple[str, str], list[Any]] = {}
        cache = self._cached()
        for model in model_list:
            opts = _opts_for(model, for_concrete_models)
            key = (opts.app_label, opts.model_name)
            ct = cache.get(key)
            if ct is not None:
                results[model] = ct
            else:
                wanted.setdefault(key, []).append(model)
        if wanted:
            labels = {label for label, _ in wanted}
            names = {name for _, name in wanted}
            found = self.filter(app_label__in=labels, model__in=names)
            for ct in found:
                key = (ct.app_label, ct.model)
                if key in wanted:
                    self._add_to_cache(self.db, ct)
                    for model in wanted.pop(key):
                        results[model] = ct
            for (app_label, model_name), models_for_key in wanted.items():
                ct = self.create(app_label=app_label, model=model_name)
                self._add_to_cache(self.db, ct)
                for model in models_for_key:
                    results[model] = ct
        return results

    def get_for_id(self, id: Any) -> Any:
        """The row with this key, from the cache when it was read before."""
        ct = self._cached().get(id)
        if ct is None:
            ct = self.get(pk=id)
            self._add_to_cache(self.db, ct)
        return ct


def _opts_for(model: Any, for_concrete_model: bool) -> Any:
    if not isinstance(model, type):
        model = type(model)
    opts = model._meta
    if for_concrete_model:
        opts = getattr(opts, "concrete_model", model)._meta
    return opts


class ContentType(models.Model):
    app_label = models.CharField(max_length=100)
    model = models.CharField("python model class name", max_length=100)

    objects = ContentTypeManager()

    class Meta:
        app_label = "contenttypes"
        db_table = "django_content_type"
        verbose_name = "content type"
        verbose_name_plural = "content types"
        unique_together = [("app_label", "model")]

    def __str__(self) -> str:
        return self.app_labeled_name

    @property
    def name(self) -> str:
        """The model's verbose name, or the stored model name when the model no longer exists."""
        model = self.model_class()
        return self.model if model is None else str(model._meta.verbose_name)

    @property
    def app_labeled_name(self) -> str:
        model = self.model_class()
        if model is None:
            return self.model
        # Django shows the app config's verbose name, which defaults to the label in title case.
        return f"{self.app_label.title()} | {model._meta.verbose_name}"

    def model_class(self) -> Any:
        """The model class this row names, or None when no such model is defined."""
        try:
            return apps.get_model(self.app_label, self.model)
        except LookupError:
            return None

    def _model_or_error(self) -> Any:
        model = self.model_class()
        if model is None:
            raise LookupError(
                f"ContentType {self.app_label}.{self.model} names no defined model: import the module that "
                f"defines it, or delete this stale row."
            )
        return model

    def get_object_for_this_type(self, using: str | None = None, **kwargs: Any) -> Any:
        """`get(**kwargs)` on the model's base manager (which filters nothing)."""
        return self._model_or_error()._base_manager.using(using).get(**kwargs)

    def get_all_objects_for_this_type(self, **kwargs: Any) -> Any:
        return self._model_or_error()._base_manager.filter(**kwargs)

    def natural_key(self) -> tuple[str, str]:
        return (self.app_label, self.model)


def create_contenttypes(models: Any = None, using: str = "default") -> list[Any]:
    """Every model's row up front (see management.py): what Django's post_migrate handler does, and where
    harnesses running Django's tests look for it, to have the rows before any test transaction."""
    from relata.contrib.contenttypes.management import create_contenttypes as create

    return create(models, using)
