"""Creating every model's ContentType row up front, as Django's post_migrate handler does.

relata creates a row the first time a model's content type is asked for, so nothing needs this;
it serves code that reads the table directly, and test set-ups that re-create the tables.
"""

from __future__ import annotations

from typing import Any

from relata.contrib.contenttypes.models import ContentType
from relata.models.registry import apps


def create_contenttypes(models: Any = None, using: str = "default") -> list[Any]:
    """A ContentType row for each of `models` (default: every registered model); returns the new rows.

    The manager's cache is cleared first: it may hold rows of a table since emptied or re-created.
    """
    manager = ContentType.objects.db_manager(using)
    manager.clear_cache()
    models = apps.get_models() if models is None else list(models)
    wanted = {(m._meta.app_label, m._meta.model_name) for m in models if not m._meta.auto_created}
    existing = set(manager.values_list("app_label", "model"))
    new = [ContentType(app_label=label, model=name) for label, name in sorted(wanted - existing)]
    if new:
        manager.bulk_create(new)
    return new
