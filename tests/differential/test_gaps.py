"""The campaign's past findings, each a fixed queryset run on relata and on Django over the same rows.

Each case was a KNOWN_GAPS entry of test_differential (a wrong answer the
generator had to avoid); here it stays as a plain regression test, on every
backend. A case is code that either ORM can run (see test_differential.namespace).
"""

from __future__ import annotations

from typing import Any

import pytest
import test_differential as campaign
from diff_query import Shape

#: name -> (code, whether the result's order is total). Rows are compared as values().
CASES: dict[str, tuple[str, bool]] = {
    # After two joins of one multi-valued relation, a later reference follows the newest join.
    "rejoined_values": (
        "Book.objects.filter(authors__age__gt=1).filter(authors__age__lt=8).values('id', 'authors__age')",
        False,
    ),
    "rejoined_annotate": (
        "Book.objects.filter(authors__age__gt=1).filter(authors__age__lt=8)"
        ".annotate(m=Max('authors__age')).values('id', 'm')",
        False,
    ),
    "rejoined_after_annotate": (
        "Book.objects.annotate(c=Count('authors')).filter(authors__age__gt=1).values('id', 'c', 'authors__age')",
        False,
    ),
    "rejoined_order_by": (
        "Book.objects.filter(authors__name='a').filter(authors__age__gt=1)"
        ".order_by('authors__age', 'id').values_list('id', 'authors__age')",
        True,
    ),
}

#: The campaign's fixture: both ORMs' models over the same rows.
sides = campaign.sides


def outcome(sides: Any, code: str, ordered: bool) -> tuple[Any, Any]:
    shape = Shape("Book", (), "values", ordered=ordered)
    ours, _statements = campaign.run_relata(code, sides.ours, shape)
    return ours, campaign.run_django(code, sides.theirs, shape, sides.alias)


@pytest.mark.parametrize("case", list(CASES))
def test_same_answer_as_django(sides: Any, case: str) -> None:
    code, ordered = CASES[case]
    ours, theirs = outcome(sides, code, ordered)
    assert ours[0] == "ok", ours
    assert ours == theirs
