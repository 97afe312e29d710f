"""Django as a test oracle: run the same scenario on Django and compare.

Django (a test-only dependency) is configured in-process on its own SQLite
:memory: database. Each test module declares its Django twins in an isolated
app registry, so two modules may both have a model named `Author`:

    import oracle
    dm = oracle.models                     # django.db.models
    class dj:                              # a namespace; names match relata's
        class Author(dm.Model):
            name = dm.CharField(max_length=50)
            class Meta(oracle.Meta("q_repr")):
                pass
    oracle.use_django_models(dj.Author)    # tables per module, rows emptied per test

`oracle.num_queries()` counts Django's queries the way assert_num_queries
counts relata's.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import django
import pytest
from django.conf import settings

if not settings.configured:
    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        # contenttypes: its ContentType model and generic relations are compared too (tests/contrib).
        INSTALLED_APPS=["django.contrib.contenttypes"],
        USE_TZ=False,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    django.setup()

from django.apps import AppConfig
from django.apps.registry import Apps
from django.db import connection as django_connection
from django.db import models
from django.db import transaction as django_transaction
from django.test.utils import CaptureQueriesContext

__all__ = ["Meta", "django_connection", "django_transaction", "models", "num_queries", "use_django_models"]

_registries: dict[str, Apps] = {}


def Meta(app_label: str) -> type:
    """A base for a Django model's `class Meta`: the app label and an isolated registry."""
    apps = _registries.get(app_label)
    if apps is None:
        apps = _registries[app_label] = _isolated_apps(app_label)
    return type("Meta", (), {"app_label": app_label, "apps": apps})


def _isolated_apps(app_label: str) -> Apps:
    """A registry holding one app config for `app_label`.

    Django lists a model's reverse relations from the registry's app configs:
    without one, `_meta.related_objects` is empty and `filter(book__...)` fails.
    """
    module = types.ModuleType(f"oracle_app_{app_label}")
    module.__file__ = __file__
    config = AppConfig(module.__name__, module)
    config.label = app_label
    return Apps([config])


def create_django_tables(*django_models: Any) -> None:
    with django_connection.schema_editor() as editor:
        for model in django_models:
            editor.create_model(model)


def drop_django_tables(*django_models: Any) -> None:
    with django_connection.schema_editor() as editor:
        for model in reversed(django_models):
            editor.delete_model(model)


def use_django_models(*django_models: Any) -> Any:
    """In the calling test module: create the Django tables once, empty them after each test."""

    # Made again for each relata backend, so ids on both sides start together.
    @pytest.fixture(scope="module", autouse=True)
    def _django_tables(relata_backend: str) -> Iterator[None]:
        create_django_tables(*django_models)
        yield
        drop_django_tables(*django_models)

    @pytest.fixture(autouse=True)
    def _django_clean_rows(_django_tables: None) -> Iterator[None]:
        yield
        for model in reversed(django_models):
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                if through._meta.auto_created:  # its table came with the model's
                    through._base_manager.all()._raw_delete(using="default")
            model._base_manager.all()._raw_delete(using="default")

    module_globals = sys._getframe(1).f_globals
    module_globals["_django_tables"] = _django_tables
    module_globals["_django_clean_rows"] = _django_clean_rows
    return _django_tables


@contextmanager
def num_queries() -> Iterator[CaptureQueriesContext]:
    """`with oracle.num_queries() as ctx: ...; len(ctx)` counts Django's queries."""
    with CaptureQueriesContext(django_connection) as ctx:
        yield ctx


def error_of(func: Any, *args: Any, **kwargs: Any) -> BaseException:
    """The exception `func(*args, **kwargs)` raises (fails if it raises none)."""
    try:
        func(*args, **kwargs)
    except Exception as error:
        return error
    raise AssertionError(f"{func!r} raised nothing")
