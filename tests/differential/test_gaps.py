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
    # A decimal aggregate compares with a decimal as a number (on SQLite the parameter is text).
    "having_on_decimal_max": (
        "Book.objects.values('publisher').annotate(m=Max('price')).filter(m__gt=Decimal('9.99'))"
        ".values_list('publisher', 'm')",
        False,
    ),
    "having_on_decimal_sum": (
        "Book.objects.annotate(s=Sum('price')).filter(s__gt=Decimal('2.2')).values_list('id', 's')",
        False,
    ),
    "having_on_decimal_avg": (
        "Author.objects.annotate(s=Avg('rating')).filter(s__lte=Decimal('9.99')).values_list('id', 's')",
        False,
    ),
    "filter_on_decimal_arithmetic": (
        "Book.objects.annotate(x=F('price') * 2).filter(x__lt=Decimal('4.5')).values_list('id', flat=True)",
        False,
    ),
    # Arithmetic on a decimal keeps the places it computes; only a column is rounded to its field's.
    "decimal_product_places": ("Book.objects.annotate(x=F('price') * Decimal('2.25')).values_list('id', 'x')", False),
    "decimal_sum_places": ("Book.objects.annotate(x=F('price') + Decimal('9.995')).values_list('id', 'x')", False),
    "decimal_aggregate_places": ("Book.objects.aggregate(x=Sum(F('price') * Decimal('0.125')))", False),
    # A negation inside a negation keeps the rows whose relation is NULL (the join stays LEFT OUTER).
    "double_negation_nullable_fk": (
        "Book.objects.exclude(~Q(editor__name='a') & Q(pages__gt=1)).values_list('id', flat=True)",
        False,
    ),
    "double_negation_two_hops": (
        "Author.objects.exclude(~Q(publisher__city='a') & Q(age__gte=0)).values_list('id', flat=True)",
        False,
    ),
    "double_negation_or": (
        "Book.objects.filter(~Q(~Q(editor__age__gt=3) | Q(pages=1))).values_list('id', flat=True)",
        False,
    ),
    # In an aggregate's filter=, a negated condition across a multi-valued relation joins (no subquery).
    "negated_many_in_filter_count_id": (
        "Book.objects.annotate(c=Count('id', filter=~Q(authors__age__gt=3))).values_list('id', 'c')",
        False,
    ),
    "negated_many_in_filter_two_hops": (
        "Publisher.objects.annotate(c=Count('books', filter=~Q(books__authors__age__gt=3))).values_list('id', 'c')",
        False,
    ),
    "negated_many_in_filter_max": (
        "Publisher.objects.annotate(c=Max('founded', filter=~Q(books__pages=1))).values_list('id', 'c')",
        False,
    ),
    "negated_many_in_aggregate": ("Book.objects.aggregate(c=Count('authors', filter=~Q(authors__age__gt=3)))", False),
    # Over distinct(), the filter= reads the inner rows' columns; the condition is tested outside.
    "filter_over_distinct": ("Publisher.objects.distinct().aggregate(x=Count('id', filter=Q(books__id__gt=0)))", False),
    # A computed integer reads back as an int (MySQL answers `id / 2` with a decimal).
    "integer_division": ("Publisher.objects.annotate(a0=F('id') / 2).values_list('id', 'a0')", False),
    "filter_over_distinct_empty_in": (
        "Book.objects.distinct().aggregate(x=Count('authors', filter=Q(title__isnull=False) | "
        "Q(publisher__books__id__in=[])))",
        False,
    ),
    "filter_over_distinct_nothing_matches": (
        "Publisher.objects.distinct().aggregate(x=Min('name', filter=Q(id__in=[])))",
        False,
    ),
    # A HAVING condition's columns join the GROUP BY; a plain conjunct beside it stays in WHERE.
    "having_with_f_column": (
        "Book.objects.values('publisher').annotate(a0=Count('id')).filter(a0__lt=F('pages'))"
        ".values_list('publisher', 'a0')",
        False,
    ),
    "having_with_f_across_many": (
        "Book.objects.values('publisher').annotate(a0=Count('id')).filter(a0__lt=F('authors__age'))"
        ".values_list('publisher', 'a0')",
        False,
    ),
    "having_with_f_arithmetic": (
        "Book.objects.values('title').annotate(a0=Sum('pages')).filter(a0__gt=F('pages') * 2)"
        ".values_list('title', 'a0')",
        False,
    ),
    "having_with_f_plus_zero": (
        "Publisher.objects.values('name').annotate(a0=Count('id', distinct=True)).filter(a0=F('id') + 0)"
        ".values_list('name', 'a0')",
        False,
    ),
    "having_with_f_count": (
        "Book.objects.values('publisher').annotate(a0=Count('id')).filter(a0__lt=F('pages')).count()",
        False,
    ),
    "having_beside_where": (
        "Book.objects.values('publisher').annotate(a0=Count('id')).filter(Q(a0__gt=1) | Q(pages=1), pages__gt=2)"
        ".values_list('publisher', 'a0')",
        False,
    ),
    # exclude() with F() across a multi-valued relation: a plain F() names the outer row's join; any other
    # expression is computed in the subquery; the subquery keeps to the outer related row only when this
    # call made the outer query's first join to that table.
    "negated_f_plain": (
        "Tag.objects.filter(books__id__gt=0).exclude(books__publisher__founded=F('books__id'))"
        ".values_list('id', flat=True)",
        False,
    ),
    "negated_f_expression_after_join": (
        "Tag.objects.filter(books__id=F('id')).exclude(books__publisher__founded=F('books__id') + 1)"
        ".values_list('id', flat=True)",
        False,
    ),
    "negated_f_expression_first_join": (
        "Tag.objects.exclude(books__publisher__founded=F('books__id') + 1).values_list('id', flat=True)",
        False,
    ),
    "negated_f_same_table_other_path": (
        "Book.objects.exclude(authors__mentor__id=F('editor__books__id')).values_list('id', flat=True)",
        False,
    ),
    "negated_isnull_beside_f": (
        "Publisher.objects.filter(id=1).filter(~(Q(name=F('books__title')) & Q(books__score__isnull=True)))"
        ".values_list('id', flat=True)",
        False,
    ),
    "negated_f_other_relation": (
        "Book.objects.exclude(authors__age__lt=F('tags__tagging__weight')).values_list('id', flat=True)",
        False,
    ),
    # values() makes its joins when it is called: a later filter() across the relation joins it again, and
    # every selected non-aggregate groups (a name picked again later, on the newer join, too).
    "values_then_having_f_across_many": (
        "Book.objects.values('authors').annotate(a0=Min('id')).annotate(a1=Count('id', distinct=True))"
        ".filter(a0=F('authors__mentor__age'))",
        False,
    ),
    "values_then_filter_then_values": (
        "Book.objects.values('authors__name').annotate(c=Count('id')).filter(authors__age__gt=3)"
        ".values_list('authors__name', 'c')",
        False,
    ),
    "values_then_having_then_order_by": (
        "Book.objects.values('authors__age').annotate(a0=Min('id')).filter(a0=F('authors__id'))"
        ".order_by('authors__age')",
        True,
    ),
    "values_then_having_on_other_join": (
        "Book.objects.values('tags__name').annotate(m=Max('tags__tagging__weight')).filter(m__gt=F('tags__id'))"
        ".values_list('tags__name', 'm')",
        False,
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
    if theirs[0] == "raises" and theirs[1] in campaign.DATABASE_ERRORS:
        pytest.skip(f"the database refuses Django's query too ({theirs[1]}): nothing to compare")
    assert ours[0] == "ok", ours
    assert ours == theirs


def test_empty_filter_over_distinct_counts_the_rows(sides: Any) -> None:
    """Where Django answers 0 (a KNOWN_GAPS entry), relata counts: distinct() of unique rows changes nothing."""
    code = "Publisher.objects{}.aggregate(n=Count('id'), none=Count('id', filter=Q(id__in=[])))"
    plain, _ = outcome(sides, code.format(""), False)
    distinct, _ = outcome(sides, code.format(".distinct()"), False)
    assert plain[0] == "ok" and plain[1]["n"] != ("int", 0)
    assert distinct == plain


def test_filter_on_an_empty_filtered_count(sides: Any) -> None:
    """Where Django matches nothing on SQLite and PostgreSQL (a KNOWN_GAPS entry), relata compares the 0."""
    code = "Publisher.objects.values('id').annotate(n=Count('id', filter=Q(id__in=[]))).filter(n{})"
    everything, _ = outcome(sides, "Publisher.objects.values('id').annotate(n=Count('id'))", False)
    zero, _ = outcome(sides, code.format("=0"), False)
    assert zero[0] == "ok" and len(zero[1]) == len(everything[1]) > 0
    assert outcome(sides, code.format("__gt=0"), False)[0] == ("ok", [])
