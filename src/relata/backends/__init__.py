"""Database backends: one package per database, each with the same modules.

A backend turns neutral SQL nodes into its dialect, adapts values both ways,
speaks DDL and reads its catalog. Backends never see model classes.
"""

from __future__ import annotations

import importlib

VENDORS = {
    "sqlite": "relata.backends.sqlite",
    "postgresql": "relata.backends.postgresql",
    "mysql": "relata.backends.mysql",
}


def load_backend(vendor: str):
    """Return the backend's connection wrapper class for a URL scheme name."""
    from relata.exceptions import ImproperlyConfigured

    try:
        module_name = VENDORS[vendor]
    except KeyError:
        raise ImproperlyConfigured(
            f"Unknown database scheme {vendor!r}; use one of "
            f"{', '.join(sorted(VENDORS))} (for example sqlite:///db.sqlite3)."
        )
    try:
        module = importlib.import_module(module_name + ".connection")
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"The {vendor} backend needs a driver that is not installed ({exc}); "
            f"install it with: pip install 'relata[{vendor}]'"
        ) from exc
    return module.DatabaseWrapper
