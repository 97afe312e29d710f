"""`qs1[:n] | qs2` and `^`: a sliced side stands for the rows its slice picks (Django's rule), on every backend.

The oracle is each side evaluated alone: the combination must hold exactly the union (or symmetric
difference) of their rows. MariaDB cannot LIMIT inside IN (...); relata must still answer there.
"""

import pytest
from bookshop import declare, fill, relata_meta

from relata import models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

Book, Shelf = declare(models, relata_meta("q_combined_slices"))
use_models(Book, Shelf)


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows):
    fill(Book, Shelf)


def titles(qs):
    return {book.title for book in qs}


SIDES = [
    (lambda: Book.objects.filter(in_print=True), lambda n: Book.objects.filter(in_print=False).order_by("pages")[:n]),
    (lambda: Book.objects.order_by("-pages")[:1], lambda n: Book.objects.filter(genre="scifi").order_by("title")[:n]),
    (lambda: Book.objects.filter(pages__gt=300).order_by("pk")[1:3], lambda n: Book.objects.order_by("-price")[:n]),
]


@pytest.mark.parametrize("sides", range(len(SIDES)))
@pytest.mark.parametrize("n", [1, 2])
def test_or_and_xor_hold_the_rows_each_slice_picks(sides, n):
    left, right = SIDES[sides]
    first, second = titles(left()), titles(right(n))
    assert titles(left() | right(n)) == first | second
    assert titles(right(n) | left()) == first | second
    assert titles(left() ^ right(n)) == first ^ second


def test_the_combination_is_one_query():
    with assert_num_queries(1):
        list(Book.objects.filter(genre="scifi")[:1] | Book.objects.filter(genre="classic")[:1])


def test_and_with_a_slice_is_refused_as_in_django():
    with pytest.raises(TypeError, match="slice has been taken"):
        Book.objects.all()[:1] & Book.objects.filter(genre="scifi")
