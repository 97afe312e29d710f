"""`python -m relata.cli ...` is the `relata` command."""

import sys

from relata.cli import main

sys.exit(main())
