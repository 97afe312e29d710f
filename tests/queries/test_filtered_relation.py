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
    "values_keep_rows_without_match": lambda W, N, m: (
        W.objects.annotate(poem=poems(m)).values_list("name", "poem__title").order_by("name")
    ),
    "filter_through_it": lambda W, N, m: (
        W.objects.annotate(poem=poems(m)).filter(poem__pages__gt=15).values_list("name", flat=True)
    ),
    "isnull_false": lambda W, N, m: (
        W.objects.alias(poem=poems(m)).filter(poem__isnull=False).values_list("name", flat=True).order_by("name")
    ),
    "isnull_true": lambda W, N, m: (
        W.objects.alias(poem=poems(m)).filter(poem__isnull=True).values_list("name", flat=True)
    ),
    "count": lambda W, N, m: (
        W.objects.annotate(poem=poems(m)).annotate(n=m.Count("poem")).values_list("name", "n").order_by("name")
    ),
    "order_by_it": lambda W, N, m: (
        W.objects.annotate(poem=poems(m))
        .filter(poem__isnull=False)
        .order_by("-poem__pages")
        .values_list("name", flat=True)
    ),
    "two_on_one_relation": lambda W, N, m: (
        W.objects.annotate(poem=poems(m), long=m.FilteredRelation("novel", condition=m.Q(novel__pages__gte=200)))
        .values_list("name", "poem__title", "long__title")
        .order_by("name", "poem__title", "long__title")
    ),
    "exclude_across_it": lambda W, N, m: (
        W.objects.annotate(poem=poems(m)).exclude(poem__pages__lt=15).values_list("name", flat=True).order_by("name")
    ),
    "forward_fk": lambda W, N, m: (
        N.objects.annotate(bob_edits=m.FilteredRelation("editor", condition=m.Q(editor__name="Bob")))
        .values_list("title", "bob_edits__name")
        .order_by("title")
    ),
    "m2m": lambda W, N, m: (
        W.objects.annotate(fav=m.FilteredRelation("favorites", condition=m.Q(favorites__pages__gt=100)))
        .values_list("name", "fav__title")
        .order_by("name", "fav__title")
    ),
    "nested_relation_name": lambda W, N, m: (
        N.objects.annotate(
            editor_poem=m.FilteredRelation("editor__novel", condition=m.Q(editor__novel__title__contains="poem"))
        )
        .values_list("title", "editor_poem__title")
        .order_by("title", "editor_poem__title")
    ),
    "negated_condition": lambda W, N, m: (
        W.objects.annotate(prose=m.FilteredRelation("novel", condition=~m.Q(novel__title__contains="poem")))
        .values_list("name", "prose__title")
        .order_by("name", "prose__title")
    ),
    "chained": lambda W, N, m: (
        W.objects.annotate(
            poem=poems(m),
            poem_bob=m.FilteredRelation("poem__editor", condition=m.Q(poem__editor__name="Bob")),
        )
        .values_list("name", "poem__title", "poem_bob__name")
        .order_by("name", "poem__title")
    ),
    "condition_outside_relation": lambda W, N, m: (
        W.objects.annotate(ann_edits=m.FilteredRelation("novel__editor", condition=m.Q(novel__writer__name="Ann")))
        .values_list("name", "novel__title", "ann_edits__name")
        .order_by("name", "novel__title")
    ),
    "condition_with_f": lambda W, N, m: (
        W.objects.annotate(own_edit=m.FilteredRelation("novel", condition=m.Q(novel__editor=m.F("pk"))))
        .values_list("name", "own_edit__title")
        .order_by("name")
    ),
}


#: Compared in order; the others are compared sorted (databases place NULLs differently).
ORDERED = {"order_by_it"}


def _run(case, side):
    if side == "relata":
        rows = list(CASES[case](Writer, Novel, models))
    else:
        rows = list(CASES[case](DWriter, DNovel, oracle.models))
    return rows if case in ORDERED else sorted(rows, key=repr)


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_rows_as_django(case):
    assert _run(case, "relata") == _run(case, "django")


def test_select_related_through_it_runs_one_query():
    rows = Writer.objects.annotate(poem=poems(models)).select_related("poem__editor").order_by("name")
    with assert_num_queries(1):
        got = [(w.name, w.poem and (w.poem.title, w.poem.writer.name, w.poem.editor.name)) for w in rows]
    drows = DWriter.objects.annotate(poem=poems(oracle.models)).select_related("poem__editor").order_by("name")
    # Django leaves the attribute unset where no row matched; relata sets it to None.
    expected = [(w.name, getattr(w, "poem", None)) for w in drows]
    assert got == [(name, p and (p.title, p.writer.name, p.editor.name)) for name, p in expected]


def test_defer_under_it():
    rows = Writer.objects.alias(poem=poems(models)).select_related("poem").defer("poem__title").order_by("name")
    with assert_num_queries(1):
        loaded = [w.poem.pages if w.poem else None for w in rows]
    assert loaded == [10, 20, None]


@pytest.mark.parametrize(("word", "expected"), [("poem", ["Ann", "Bob"]), ("sea", ["Bob"]), ("novel", ["Ann"])])
def test_same_shape_with_other_condition_values(word, expected):
    # The cache must hold the condition's values, not serve the first call's to the next.
    for _ in range(2):
        rows = Writer.objects.alias(hit=FilteredRelation("novel", condition=Q(novel__title__contains=word))).filter(
            hit__isnull=False
        )
        assert sorted(rows.values_list("name", flat=True)) == expected


def test_condition_values_are_parameters():
    marker = "x' OR 1=1 --"
    rows = Writer.objects.alias(hit=FilteredRelation("novel", condition=Q(novel__title=marker)))
    assert list(rows.filter(hit__isnull=False)) == []


def test_two_aliases_join_twice():
    rows = Writer.objects.annotate(
        a=FilteredRelation("novel", condition=Q(novel__pages__lt=15)),
        b=FilteredRelation("novel", condition=Q(novel__pages__gt=250)),
    ).filter(a__isnull=False, b__isnull=False)
    assert list(rows.values_list("name", flat=True)) == ["Ann"]


def test_condition_on_another_relation_is_refused():
    with pytest.raises(ValueError, match="doesn't support relations outside the 'novel'"):
        Writer.objects.annotate(x=FilteredRelation("novel", condition=Q(edited__title__contains="a")))


def test_condition_deeper_than_relation_is_refused():
    with pytest.raises(ValueError, match="doesn't support nested relations deeper than the relation_name"):
        Writer.objects.annotate(x=FilteredRelation("novel", condition=Q(novel__editor__name="Bob")))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: FilteredRelation(""), "relation_name cannot be empty"),
        (lambda: FilteredRelation("novel", condition="title"), "condition argument must be a Q"),
        (
            lambda: Writer.objects.annotate(x=FilteredRelation("novel", condition=Q(novel__in=Novel.objects.all()))),
            "Passing a QuerySet within a FilteredRelation is not supported",
        ),
        (lambda: Writer.objects.annotate(**{"a.b": FilteredRelation("novel")}), "aliases with periods"),
        (lambda: Writer.objects.annotate(x=FilteredRelation("name")), "relation_name cannot contain lookups"),
        (lambda: Writer.objects.alias(x=FilteredRelation("novel")).only("x__title"), r"only\(\) is not supported"),
        (
            lambda: Writer.objects.alias(x=FilteredRelation("novel")).prefetch_related("x"),
            r"prefetch_related\(\) is not supported",
        ),
    ],
)
def test_bad_input(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_unknown_relation_names_the_choices():
    with pytest.raises(FieldError, match=r"Cannot resolve keyword 'nope' into field\. Choices are: .*novel"):
        Writer.objects.annotate(x=FilteredRelation("nope"))
