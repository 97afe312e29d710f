"""Aggregation and grouping run on relata and on Django: results (or the error raised) must match.

Each case is a function of (A, B, T, m): Author, Book, Tag of one side and
`relata.models` or `django.db.models`. Both sides hold the same rows, and
every case runs on two data sets with different values, so an answer that
matches by accident on one set (a total that equals a maximum, two authors
that happen not to share a name) is caught on the other. Rows of an
unordered queryset are compared sorted. Averages come out exact, since MySQL
rounds AVG() to four places where the oracle (SQLite) does not.
"""

import decimal

import django.db
import pytest
from bookshop import normalize

import oracle
from relata import exceptions, models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

LABEL = "q_grouping"


def declare(m, base):
    class Author(m.Model):
        name = m.CharField(max_length=50)
        age = m.IntegerField()

        class Meta(base):
            ordering = ["name"]

    class Tag(m.Model):
        label = m.CharField(max_length=20)

        class Meta(base):
            pass

    class Book(m.Model):
        title = m.CharField(max_length=50)
        pages = m.IntegerField()
        price = m.DecimalField(max_digits=6, decimal_places=2)
        rating = m.FloatField()
        author = m.ForeignKey(Author, on_delete=m.CASCADE)
        tags = m.ManyToManyField(Tag)

        class Meta(base):
            pass

    return Author, Book, Tag


class R:
    Author, Book, Tag = declare(models, type("Meta", (), {"app_label": LABEL}))


class D:
    Author, Book, Tag = declare(oracle.models, oracle.Meta(LABEL))


use_models(R.Author, R.Tag, R.Book)
oracle.use_django_models(D.Author, D.Tag, D.Book)

#: Two data sets: (authors as (name, age), books as (title, pages, price, rating, author index, tag indexes)).
#: In both, two authors share a name and some books carry several tags, so joins multiply rows.
DATA = {
    "first": (
        [("Ann", 30), ("Bob", 41), ("Ann", 52), ("Cy", 28)],
        [
            ("Dune", 412, "12.50", 4.5, 0, (0, 1)),
            ("Emma", 474, "7.25", 3.9, 0, (1,)),
            ("Hobbit", 310, "9.99", 4.7, 1, (0, 1, 2)),
            ("Road", 287, "14.00", 2.5, 2, ()),
            ("Solo", 50, "1.00", 2.0, 0, (2,)),
        ],
    ),
    "second": (
        [("Zoe", 64), ("Yan", 19), ("Yan", 33), ("Xi", 47), ("Wu", 25)],
        [
            ("Ark", 120, "3.10", 1.5, 1, (2, 0)),
            ("Bay", 640, "22.00", 4.9, 2, (0,)),
            ("Cove", 99, "5.55", 3.3, 2, (1, 2)),
            ("Dell", 480, "18.20", 4.0, 2, (0, 1, 2)),
            ("Eve", 335, "9.00", 3.0, 3, (1,)),
            ("Fen", 120, "3.10", 1.5, 1, ()),
        ],
    ),
}


def fill(M, data):
    authors_data, books_data = data
    authors = [M.Author.objects.create(name=name, age=age) for name, age in authors_data]
    tags = [M.Tag.objects.create(label=label) for label in ("red", "green", "blue")]
    for title, pages, price, rating, author, tag_indexes in books_data:
        book = M.Book.objects.create(
            title=title, pages=pages, price=decimal.Decimal(price), rating=rating, author=authors[author]
        )
        book.tags.add(*(tags[i] for i in tag_indexes))


def fn(m, name):
    if hasattr(m, name):
        return getattr(m, name)
    from django.db.models import functions

    return getattr(functions, name)


CASES = {
    # -- annotate() then values()/values_list()/aggregate(): still one group per author ------
    "annotate_values_list_flat": lambda A, B, T, m: A.objects.annotate(n=m.Count("book")).values_list("n", flat=True),
    "annotate_values_list_two": lambda A, B, T, m: A.objects.annotate(n=m.Count("book")).values_list("name", "n"),
    "annotate_values_shared_name": lambda A, B, T, m: A.objects.annotate(n=m.Count("book")).values("name", "n"),
    "annotate_values_all": lambda A, B, T, m: A.objects.annotate(n=m.Count("book")).values(),
    "annotate_aggregate_max": lambda A, B, T, m: A.objects.annotate(n=m.Count("book")).aggregate(m=m.Max("n")),
    "annotate_aggregate_sum_avg": lambda A, B, T, m: A.objects.annotate(p=m.Sum("book__pages")).aggregate(
        s=m.Sum("p"), a=m.Avg("p"), c=m.Count("id")
    ),
    "annotate_values_list_filter": lambda A, B, T, m: (
        A.objects.annotate(n=m.Count("book")).filter(n__gt=0).values_list("name", "n")
    ),
    "annotate_values_order": lambda A, B, T, m: (
        A.objects.annotate(n=m.Count("book")).order_by("-n", "age").values_list("age", "n")
    ),
    "annotate_values_count": lambda A, B, T, m: A.objects.annotate(n=m.Count("book")).values("name").count(),
    "annotate_values_annotate_regroups": lambda A, B, T, m: (
        A.objects.annotate(n=m.Count("book")).values("name").annotate(k=m.Max("book__pages"))
    ),
    # values() before annotate() groups by the values
    "values_annotate": lambda A, B, T, m: A.objects.values("name").annotate(n=m.Count("book")),
    "values_annotate_values": lambda A, B, T, m: (
        A.objects.values("name").annotate(n=m.Count("book")).values("name", "n")
    ),
    "values_annotate_aggregate": lambda A, B, T, m: (
        A.objects.values("name").annotate(n=m.Count("book")).aggregate(m=m.Max("n"))
    ),
    # -- aggregate over distinct / values() querysets ----------------------------------------
    "distinct_join_avg": lambda A, B, T, m: (
        B.objects.filter(tags__label__in=["red", "green", "blue"]).distinct().aggregate(m.Avg("pages"), m.Sum("price"))
    ),
    "distinct_avg": lambda A, B, T, m: B.objects.distinct().aggregate(m.Avg("pages")),
    "values_distinct_count_id": lambda A, B, T, m: T.objects.values("book__title").distinct().aggregate(m.Count("id")),
    "values_distinct_count_filter": lambda A, B, T, m: (
        T.objects.values("book__title").distinct().aggregate(n=m.Count("id", filter=m.Q(label="red")))
    ),
    "values_distinct_sum_selected": lambda A, B, T, m: B.objects.values("pages").distinct().aggregate(s=m.Sum("pages")),
    "sum_not_distinct_after_annotate": lambda A, B, T, m: A.objects.annotate(p=m.Max("book__pages")).aggregate(
        s=m.Sum("p", distinct=False), d=m.Sum("p", distinct=True)
    ),
    "aggregate_distinct_then_not": lambda A, B, T, m: [
        A.objects.annotate(p=m.Count("book")).aggregate(s=m.Sum("p", distinct=True)),
        A.objects.annotate(p=m.Count("book")).aggregate(s=m.Sum("p", distinct=False)),
        A.objects.annotate(p=m.Count("book")).aggregate(s=m.Sum("p", filter=m.Q(age__gt=30))),
        A.objects.annotate(p=m.Count("book")).aggregate(s=m.Sum("p", filter=m.Q(age__gt=40))),
    ],
    # -- F() of an aggregate, functions of aggregates -----------------------------------------
    "f_of_aggregate": lambda A, B, T, m: (
        A.objects.annotate(x=m.Max("book__pages")).annotate(y=m.F("x")).values_list("name", "x", "y")
    ),
    "f_of_aggregate_arithmetic": lambda A, B, T, m: (
        A.objects.annotate(x=m.Max("book__pages")).annotate(y=m.F("x") + 1).values_list("age", "y")
    ),
    "coalesce_of_sum": lambda A, B, T, m: A.objects.annotate(s=fn(m, "Coalesce")(m.Sum("book__pages"), 0)).values_list(
        "age", "s"
    ),
    "coalesce_of_sum_values": lambda A, B, T, m: (
        A.objects.values("name").annotate(s=fn(m, "Coalesce")(m.Sum("book__pages"), 0)).order_by("name")
    ),
    "order_by_coalesce_of_sum": lambda A, B, T, m: (
        A.objects.annotate(s=fn(m, "Coalesce")(m.Sum("book__pages"), 0)).order_by("-s", "age").values_list("age", "s")
    ),
    "order_by_f_of_aggregate": lambda A, B, T, m: (
        A.objects.annotate(x=m.Count("book"), y=m.F("x") * 2).order_by("y", "age").values_list("age", "y")
    ),
    # -- count() across a multi-valued values() join -------------------------------------------
    "values_multi_count": lambda A, B, T, m: B.objects.values("tags__id").count(),
    "values_multi_count_filter": lambda A, B, T, m: B.objects.filter(pages__gt=100).values("tags__label").count(),
    "values_list_multi_count": lambda A, B, T, m: A.objects.values_list("book__title").count(),
    "values_multi_aggregate": lambda A, B, T, m: B.objects.values("tags__id").aggregate(s=m.Sum("pages")),
    # -- errors (Django's class, before any SQL) -----------------------------------------------
    "count_star_filter": lambda A, B, T, m: B.objects.aggregate(n=m.Count("*", filter=m.Q(pages__gt=100))),
    "annotate_aggregate_of_aggregate": lambda A, B, T, m: A.objects.annotate(x=m.Max("book__pages")).annotate(
        y=m.Sum("x")
    ),
    "mixed_decimal_float": lambda A, B, T, m: B.objects.annotate(x=m.F("price") * m.F("rating")).values_list("x"),
    "mixed_decimal_float_literal": lambda A, B, T, m: B.objects.annotate(x=m.F("price") * 2.5).values_list("x"),
    "mixed_int_char": lambda A, B, T, m: B.objects.annotate(x=m.F("pages") + m.F("title")).values_list("x"),
    "mixed_in_aggregate": lambda A, B, T, m: B.objects.aggregate(x=m.Sum(m.F("price") + m.F("rating"))),
    "mixed_in_function": lambda A, B, T, m: B.objects.annotate(x=fn(m, "Coalesce")("pages", "price")).values_list("x"),
    "int_plus_decimal": lambda A, B, T, m: (
        B.objects.annotate(x=m.F("pages") + m.F("price")).order_by("pk").values_list("x", flat=True)
    ),
    "int_times_float": lambda A, B, T, m: (
        B.objects.annotate(x=m.F("pages") * m.F("rating")).order_by("pk").values_list("x", flat=True)
    ),
    "foreign_key_arithmetic": lambda A, B, T, m: (
        B.objects.annotate(x=m.F("author") + 1, y=m.F("author__id") * 2, z=fn(m, "Coalesce")("author", "pages"))
        .order_by("pk")
        .values_list("x", "y", "z")
    ),
    # -- annotation names after values() -------------------------------------------------------
    "values_annotate_field_name": lambda A, B, T, m: (
        B.objects.values("title").annotate(pages=m.Count("tags")).order_by("title")
    ),
    "values_annotate_selected_name": lambda A, B, T, m: B.objects.values("title").annotate(title=m.Count("tags")),
    "values_list_annotate_field_name": lambda A, B, T, m: (
        A.objects.values_list("name").annotate(age=m.Max("book__pages")).order_by("name")
    ),
    "values_empty_annotate_field_name": lambda A, B, T, m: A.objects.values().annotate(age=m.Count("book")),
}


def run(func, M, m):
    try:
        result = func(M.Author, M.Book, M.Tag, m)
        normalized = normalize(result)
    except Exception as error:
        return ("raises", type(error).__name__)
    if getattr(result, "ordered", True) is False:
        normalized = sorted(normalized, key=repr)
    return ("ok", normalized)


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("case", list(CASES))
def test_same_result_as_django(case, data):
    fill(R, DATA[data])
    fill(D, DATA[data])
    ours = run(CASES[case], R, models)
    theirs = run(CASES[case], D, oracle.models)
    assert ours == theirs


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda m: m.Count("*", filter=m.Q(pages__gt=100)), "Star cannot be used with filter"),
        (
            lambda m: list(R.Author.objects.annotate(x=m.Max("book__pages")).annotate(y=m.Sum("x"))),
            "Cannot compute Sum('x')",
        ),
        (lambda m: list(R.Book.objects.annotate(x=m.F("price") * 2.5)), "DecimalField, FloatField"),
        (lambda m: list(R.Book.objects.annotate(x=m.Coalesce("pages", "price"))), "mixed types"),
    ],
)
def test_refusals_name_the_problem_and_run_no_sql(call, words):
    with assert_num_queries(0):
        error = oracle.error_of(call, models)
    assert words in str(error)
    assert "output_field" in str(error) or "aggregate" in str(error) or "field" in str(error)


def test_aggregate_of_an_aggregate_is_refused_before_sql():
    # Django lets the database refuse Sum(Max(...)) in aggregate(); relata says why before any SQL.
    fill(R, DATA["first"])
    fill(D, DATA["first"])
    with assert_num_queries(0):
        error = oracle.error_of(R.Book.objects.aggregate, x=models.Sum(models.Max("pages")))
    assert type(error).__name__ == "FieldError"
    assert "Cannot compute Sum('Max')" in str(error)
    django_error = oracle.error_of(D.Book.objects.aggregate, x=oracle.models.Sum(oracle.models.Max("pages")))
    assert isinstance(django_error, django.db.DatabaseError)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda m, Book: m.Avg(m.Value(1), m.Value(2)), id="two_arguments"),
        pytest.param(lambda m, Book: m.Max(m.Value(1), m.Value(2)), id="two_arguments_max"),
        pytest.param(lambda m, Book: m.Count("pages", default=0), id="count_default"),
        pytest.param(lambda m, Book: Book.objects.aggregate(is_book=True), id="aggregate_non_expression"),
        pytest.param(lambda m, Book: Book.objects.annotate(m.Max("id")).annotate(m.Sum("id__max")), id="sum_of_max"),
        pytest.param(lambda m, Book: m.Count("*", filter=m.Q(pages__gt=1)), id="star_with_filter"),
        pytest.param(lambda m, Book: Book.objects.order_by(m.Max("pages")), id="aggregate_in_order_by"),
        pytest.param(lambda m, Book: Book.objects.order_by(m.Max("pages").desc()), id="aggregate_desc_in_order_by"),
    ],
)
def test_refused_at_the_call_as_django(make):
    ours = oracle.error_of(make, models, R.Book)
    theirs = oracle.error_of(make, oracle.models, D.Book)
    assert type(ours).__name__ == type(theirs).__name__
    assert str(theirs).split(":")[0].split(" (")[0] in str(ours)


def test_a_subclass_of_an_aggregate_is_named_by_its_sql_aggregate():
    class MyMax(models.Max):
        pass

    with pytest.raises(exceptions.FieldError, match=r"Cannot compute Max\('id__max'\)"):
        R.Book.objects.annotate(models.Max("id")).annotate(my=MyMax("id__max"))
    assert MyMax("pages").default_alias == "pages__max"
