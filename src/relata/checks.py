"""`from relata import checks`: run the model and relation checks.

for message in checks.run_checks():
    if message.level >= checks.ERROR: ...
"""

from __future__ import annotations

from typing import Any

from relata.models.checks import (
    CRITICAL,
    DEBUG,
    ERROR,
    INFO,
    WARNING,
    CheckMessage,
    Error,
    Warning,
    check_all_models,
)

__all__ = ["CRITICAL", "DEBUG", "ERROR", "INFO", "WARNING", "CheckMessage", "Error", "Warning", "run_checks"]


def run_checks(
    models: list[Any] | None = None, app_labels: list[str] | None = None, databases: Any = ()
) -> list[CheckMessage]:
    """Check every registered model (or the given ones, or those of the given apps).

    With `databases` (aliases), also what each of those databases cannot make, as Django's
    `check --database`.
    """
    if models is None and app_labels is not None:
        from relata.models.registry import apps

        models = [m for label in app_labels for m in apps.get_models(label)]
    return check_all_models(models, databases)
