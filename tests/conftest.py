"""Shared test set-up: the backend fixture comes from relata.testing.pytest_plugin.

The suite runs with the compiled-statement cache checked: every cache hit is
compiled again and must give the same SQL and parameters. An explicit
RELATA_COMPILE_CHECK in the environment decides instead.
"""

import os

from relata.backends.base.statements import ENV_CHECK
from relata.testing import compile_check

if ENV_CHECK not in os.environ:
    compile_check(True)
