"""The data every implementation inserts and queries, and the parameters of each workload.

Generated deterministically from the scale, with explicit primary keys, so every
implementation stores identical rows and answers can be compared id by id.
Titles are lower case so that LIKE behaves the same on every database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

BOOKS_PER_AUTHOR = 10
AUTHORS_PER_SCALE = 2_000
ITERATOR_ROWS_PER_SCALE = 200_000
SAVED_SUFFIX = " revised"

# No word is a prefix of another, so "<word> <word> " prefixes never overlap.
WORDS = (
    "amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "heron", "iris", "jade",
    "kelp", "lotus", "maple", "nectar", "opal", "pine", "quartz", "raven", "sage", "tide",
)  # fmt: skip

AuthorRow = tuple[int, str]
BookRow = tuple[int, str, int]


@dataclass(frozen=True)
class Dataset:
    authors: list[AuthorRow]  # (id, name)
    books: list[BookRow]  # (id, title, author_id)
    get_ids: list[int]  # book pks for get-by-pk, in request order
    count_prefixes: list[str]  # one filtered count per prefix
    distinct_prefixes: list[str]  # one join-filter-distinct query per prefix
    annotate_repeats: int
    save_upto: int  # books with id <= save_upto are loaded and saved
    delete_ids: list[int]  # authors deleted (with their books)


def n_authors_for(scale: float) -> int:
    return max(10, round(AUTHORS_PER_SCALE * scale))


def make_dataset(n_authors: int, seed: int = 6) -> Dataset:
    rng = random.Random(seed)
    authors = [(i, f"author {i:06d}") for i in range(1, n_authors + 1)]
    books = []
    for author_id, _name in authors:
        for _ in range(BOOKS_PER_AUTHOR):
            book_id = len(books) + 1
            title = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {book_id}"
            books.append((book_id, title, author_id))
    prefixes = [f"{a} {b} " for a in WORDS for b in WORDS]
    rng.shuffle(prefixes)
    return Dataset(
        authors=authors,
        books=books,
        get_ids=rng.sample(range(1, len(books) + 1), n_authors),
        count_prefixes=prefixes[:200],
        distinct_prefixes=prefixes[200:250],
        annotate_repeats=20,
        save_upto=n_authors,
        delete_ids=list(range(10, n_authors + 1, 10)),
    )


def make_iterator_dataset(scale: float) -> Dataset:
    """A larger data set for the streaming workload: 200,000 books at scale 1."""
    rows = max(1_000, round(ITERATOR_ROWS_PER_SCALE * scale))
    return make_dataset(rows // BOOKS_PER_AUTHOR)
