"""Django 5.2, configured in-process (settings.configure + django.setup), no project needed.

The models and the workload code live in benchmarks/django_app, an installed app
labelled "bench"; they can only be imported once settings are configured, so
connect() configures Django first and imports them after.
"""

from __future__ import annotations

from typing import Any

import django
from django.conf import settings

from benchmarks.target import Target


def _database_settings(target: Target) -> dict[str, Any]:
    if target.backend == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": target.location}
    params = target.pg_params()
    return {
        "ENGINE": "django.db.backends.postgresql",  # psycopg 3 when installed
        "NAME": params["dbname"],
        "USER": params["user"],
        "PASSWORD": params.get("password", ""),
        "HOST": params["host"],
        "PORT": params["port"],
    }


def _configure(target: Target) -> None:
    if settings.configured:
        raise RuntimeError("Django can be configured once per process; run one target per process")
    settings.configure(
        DATABASES={"default": _database_settings(target)},
        INSTALLED_APPS=["benchmarks.django_app"],
        USE_TZ=True,
    )
    django.setup()


def connect(target: Target) -> Any:
    _configure(target)
    from benchmarks.django_app.bench import DjangoBench

    return DjangoBench()
