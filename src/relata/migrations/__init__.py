"""Schema migrations: model changes recorded as Python files and applied in order.

`from relata import migrations` gives what a migration file needs:
`migrations.Migration` and every operation (`migrations.CreateModel`, ...).
"""

from relata.migrations.migration import Migration
from relata.migrations.operations import *  # noqa: F403
from relata.migrations.operations import __all__ as _operations

__all__ = ["Migration", *_operations]
