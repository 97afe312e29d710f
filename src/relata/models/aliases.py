"""The rule for column aliases a caller chooses (annotate, alias, aggregate, values).

Such a name becomes a quoted identifier in SQL. Quoting already makes any text
safe; this rule refuses, as Django 5.2 does, the characters that only make sense
in an attempt to break out of the quotes, so the same call fails on both.
"""

from __future__ import annotations

import re

#: Whitespace, control characters (C0, DEL, C1), quotation marks, hashes,
#: semicolons, brackets, and the openers of SQL comments.
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f\"'`#;\[\]]|--|/\*|\*/")


def check_alias(name: str) -> None:
    """Raise ValueError when `name` may not be a column alias."""
    if _FORBIDDEN.search(name):
        raise ValueError(
            "Column aliases cannot contain whitespace characters, hashes, control characters, quotation marks, "
            f"semicolons, or SQL comments. {name!r} does: choose a name of letters, digits and underscores."
        )
