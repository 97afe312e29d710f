"""FilteredRelation on relata and on Django, same rows: the results must match.

A FilteredRelation joins a relation with its condition in the ON clause, so a
row whose related rows all fail the condition still appears (with NULLs), unlike
a filter() across the relation.
"""

import pytest

import oracle
from relata import models
from relata.exceptions import FieldError
from relata.models import FilteredRelation, Q
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

LABEL = "q_filtered"


def declare(m, meta):
    class Writer(m.Model):
        name = m.CharField(max_length=40)

        class Meta(meta):
            pass

    class Novel(m.Model):
        title = m.CharField(max_length=60)
        pages = m.IntegerField()
        writer = m.ForeignKey(Writer, m.CASCADE)
        editor = m.ForeignKey(Writer, m.SET_NULL, null=True, related_name="edited")
        # Declared here so the oracle empties the through table before the writers.
        fans = m.ManyToManyField(Writer, related_name="favorites")

        class Meta(meta):
            pass

    return Writer, Novel


def relata_meta(label):
    return type("Meta", (), {"app_label": label})


Writer, Novel = declare(models, relata_meta(LABEL))
DWriter, DNovel = declare(oracle.models, oracle.Meta(LABEL))
use_models(Writer, Novel)
oracle.use_django_models(DWriter, DNovel)


def fill(W, N):
    ann, bob, cy = (W.objects.create(name=name) for name in ("Ann", "Bob", "Cy"))
    N.objects.create(title="Ann's poem", pages=10, writer=ann, editor=bob)
    N.objects.create(title="Ann's novel", pages=300, writer=ann)
    sea = N.objects.create(title="Bob's sea", pages=200, writer=bob, editor=ann)
    N.objects.create(title="Bob's poem", pages=20, writer=bob, editor=bob)
    ann.favorites.add(sea)
    cy.favorites.add(*N.objects.filter(writer=ann))


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows, _django_clean_rows):
    fill(Writer, Novel)
    fill(DWriter, DNovel)


def poems(m, relation="novel"):
    return m.FilteredRelation(relation, condition=m.Q(**{f"{relation}__title__contains": "poem"}))


CASES = {
    "values_keep_rows_without_match": lambda W, N, m: W.objects.annotate(poem=poems(m))
    .values_list("name", "poem__title")
    .order_by("name"),
    "filter_through_it": lambda W, N, m: W.objects.annotate(poem=poems(m))
    .filter(poem__pages__gt=15)
    .values_list("name", flat=True),
    "isnull_false": lambda W, N, m: W.objects.alias(poem=poems(m))
    .filter(poem__isnull=False)
    .values_list("name", flat=True)
    .order_by("name"),
    "isnull_true": lambda W, N, m: W.objects.alias(poem=poems(m))
    .filter(poem__isnull=True)
    .values_list("name", flat=True),
    "count": lambda W, N, m: W.objects.annotate(poem=poems(m))
    .annotate(n=m.Count("poem"))
    .values_list("name", "n")
    .order_by("name"),
    "order_by_it": lambda W, N, m: W.objects.annotate(poem=poems(m))
    .filter(poem__isnull=False)
    .order_by("-poem__pages")
    .values_list("name", flat=True),
    "two_on_one_relation": lambda W, N, m: W.objects.annotate(
        poem=poems(m), long=m.FilteredRelation("novel", condition=m.Q(novel__pages__gte=200))
    )
    .values_list("name", "poem__title", "long__title")
    .order_by("name", "poem__title", "long__title"),
    "exclude_across_it": lambda W, N, m: W.objects.annotate(poem=poems(m))
    .exclude(poem__pages__lt=15)
    .values_list("name", flat=True)
    .order_by("name"),
    "forward_fk": lambda W, N, m: N.objects.annotate(
        bob_edits=m.FilteredRelation("editor", condition=m.Q(editor__name="Bob"))
    )
    .values_list("title", "bob_edits__name")
    .order_by("title"),
    "m2m": lambda W, N, m: W.objects.annotate(
        fav=m.FilteredRelation("favorites", condition=m.Q(favorites__pages__gt=100))
    )
    .values_list("name", "fav__title")
    .order_by("name", "fav__title"),
    "nested_relation_name": lambda W, N, m: N.objects.annotate(
        editor_poem=m.FilteredRelation("editor__novel", condition=m.Q(editor__novel__title__contains="poem"))
    )
    .values_list("title", "editor_poem__title")
    .order_by("title", "editor_poem__title"),
    "condition_with_f": lambda W, N, m: W.objects.annotate(
        own_edit=m.FilteredRelation("novel", condition=m.Q(novel__editor=m.F("pk")))
    )
    .values_list("name", "own_edit__title")
    .order_by("name"),
}


def _run(case, side):
    if side == "relata":
        return list(CASES[case](Writer, Novel, models))
    return list(CASES[case](DWriter, DNovel, oracle.models))


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_rows_as_django(case):
    assert _run(case, "relata") == _run(case, "django")
