"""Lookups, exclude(), ordering and expressions across relations, run on relata and on Django.

Each case is a function of one side's models (`M`: a namespace holding the
models and `m`, that side's `models` module); both sides hold the same rows.
Results are compared as plain data; a case that raises must raise the same
exception class with the same message on both sides. Each shape runs with at
least two different values, so a cached compilation that kept the first
call's values shows.
"""

import decimal

import pytest
from bookshop import normalize

import oracle
from relata import models
from relata.models import lookups
from relata.testing import CaptureQueries
from relata.testing.pytest_plugin import use_models

APP = "q_lookups"
D = decimal.Decimal


def define(m, base):
    class Author(m.Model):
        name = m.CharField(max_length=50)
        born = m.IntegerField(null=True)

        class Meta(base):
            app_label = APP

    class Tag(m.Model):
        name = m.CharField(max_length=50)

        class Meta(base):
            app_label = APP
            ordering = ["name"]

    class Book(m.Model):
        title = m.CharField(max_length=50)
        price = m.DecimalField(max_digits=6, decimal_places=2)
        pages = m.IntegerField(null=True)
        author = m.ForeignKey(Author, on_delete=m.CASCADE)
        tags = m.ManyToManyField(Tag)
        shelves = m.ManyToManyField("Shelf", through="Placement")

        class Meta(base):
            app_label = APP

    class Review(m.Model):
        book = m.ForeignKey(Book, on_delete=m.CASCADE, related_name="reviews", related_query_name="review")
        stars = m.IntegerField()

        class Meta(base):
            app_label = APP

    class Shelf(m.Model):
        name = m.CharField(max_length=50)
        rank = m.IntegerField(null=True)

        class Meta(base):
            app_label = APP
            # An OrderBy keeps its direction under order_by("-shelf"); a plain expression turns.
            ordering = [m.F("rank").asc(nulls_last=True), lower(m)("name")]

    class Placement(m.Model):
        book = m.ForeignKey(Book, on_delete=m.CASCADE)
        shelf = m.ForeignKey(Shelf, on_delete=m.CASCADE)

        class Meta(base):
            app_label = APP

    return Author, Tag, Book, Review, Shelf, Placement


def lower(m):
    if hasattr(m, "Lower"):
        return m.Lower
    from django.db.models.functions import Lower

    return Lower


class R:
    m = models
    Author, Tag, Book, Review, Shelf, Placement = define(models, object)


class Dj:
    m = oracle.models
    Author, Tag, Book, Review, Shelf, Placement = define(oracle.models, oracle.Meta(APP))


use_models(R.Author, R.Tag, R.Book, R.Review, R.Shelf, R.Placement)
oracle.use_django_models(Dj.Author, Dj.Tag, Dj.Book, Dj.Review, Dj.Shelf, Dj.Placement)


def load(M):
    """The same rows on either side, with explicit ids."""
    alex = M.Author.objects.create(id=1, name="Alex", born=1980)
    sam = M.Author.objects.create(id=2, name="Sam", born=1990)
    kim = M.Author.objects.create(id=3, name="Kim")
    M.Author.objects.create(id=4, name="Lee", born=2000)
    python, web, misc = (M.Tag.objects.create(id=i, name=n) for i, n in ((1, "python"), (2, "web"), (3, "misc")))
    books = {}
    for ident, title, price, pages, author in (
        (1, "Django", "9.99", 300, alex),
        (2, "Sell", "10.00", None, alex),
        (3, "Wrong", "9.99", 3, sam),
        (4, "Lonely", "5.50", 120, kim),
    ):
        books[title] = M.Book.objects.create(id=ident, title=title, price=D(price), pages=pages, author=author)
    books["Django"].tags.add(python, web)
    books["Sell"].tags.add(web, misc)
    books["Wrong"].tags.add(python)
    for ident, (title, stars) in enumerate((("Django", 5), ("Django", 3), ("Sell", 1), ("Wrong", 4), ("Wrong", 2)), 1):
        M.Review.objects.create(id=ident, book=books[title], stars=stars)
    shelves = [M.Shelf.objects.create(id=i, name=n, rank=r) for i, n, r in ((1, "b", None), (2, "A", 2), (3, "c", 2))]
    for ident, (title, shelf) in enumerate((("Django", 0), ("Sell", 1), ("Wrong", 2), ("Lonely", 0), ("Sell", 2)), 1):
        M.Placement.objects.create(id=ident, book=books[title], shelf=shelves[shelf])


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows, _django_clean_rows):
    load(R)
    load(Dj)


def fn(M, name):
    """A database function: relata.models has them all; Django keeps most in models.functions."""
    if hasattr(M.m, name):
        return getattr(M.m, name)
    from django.db.models import functions

    return getattr(functions, name)


def ids(qs):
    return sorted(o.pk for o in qs)


def ordered(qs):
    return [o.pk for o in qs]


def after_update(M, qs, **values):
    """update() on `qs`: the count, then every author's row."""
    count = qs.update(**values)
    return count, list(M.Author.objects.order_by("pk").values_list("pk", "born"))


def after_delete(M, qs):
    """delete() on `qs`: the total, then the ids of every review and book left."""
    total = qs.delete()[0]
    return total, ids(M.Review.objects.all()), ids(M.Book.objects.all())


CASES = {
    # -- exclude() against an F() that reads NULL: NOT (x = NULL) is not true, the row stays --------
    "exclude_equal_to_nullable_f": lambda M: ids(M.Author.objects.exclude(pk=M.m.F("born"))),
    "exclude_greater_than_nullable_f": lambda M: ids(M.Author.objects.exclude(born__gt=M.m.F("id"))),
    "exclude_lt_nullable_f_across": lambda M: ids(M.Book.objects.exclude(pages__lt=M.m.F("author__born"))),
    "exclude_gt_nullable_f_across": lambda M: ids(M.Book.objects.exclude(pages__gt=M.m.F("author__id"))),
    "not_q_nullable_f_or": lambda M: ids(
        M.Book.objects.filter(~M.m.Q(price__gt=M.m.F("pages")) | M.m.Q(title="Django"))
    ),
    # -- empty __in under negation, across multi-valued relations ------------------------------
    "exclude_reverse_fk_in_empty": lambda M: ids(M.Author.objects.exclude(book__in=[])),
    "exclude_reverse_fk_field_in_empty": lambda M: ids(M.Author.objects.exclude(book__title__in=[])),
    "exclude_m2m_in_empty": lambda M: ids(M.Book.objects.exclude(tags__in=[])),
    "exclude_m2m_field_in_empty": lambda M: ids(M.Book.objects.exclude(tags__name__in=[])),
    "exclude_two_levels_in_empty": lambda M: ids(M.Author.objects.exclude(book__tags__name__in=[])),
    "exclude_in_empty_and_other": lambda M: ids(M.Author.objects.exclude(book__in=[], name="Alex")),
    "exclude_in_empty_and_other_2": lambda M: ids(M.Author.objects.exclude(book__in=[], name="Kim")),
    "not_q_in_empty_or_field": lambda M: ids(M.Author.objects.filter(~M.m.Q(book__in=[]) | M.m.Q(name="Kim"))),
    "not_q_in_empty_and_field": lambda M: ids(M.Author.objects.filter(~M.m.Q(book__in=[]), name="Sam")),
    "not_of_or_with_in_empty": lambda M: ids(
        M.Author.objects.filter(~(M.m.Q(book__in=[]) | M.m.Q(book__title="Sell")))
    ),
    "not_of_or_with_in_empty_2": lambda M: ids(
        M.Author.objects.filter(~(M.m.Q(book__in=[]) | M.m.Q(book__title="Wrong")))
    ),
    "exclude_or_with_in_empty": lambda M: ids(M.Author.objects.exclude(M.m.Q(book__in=[]) | M.m.Q(name="Sam"))),
    "exclude_and_of_in_empty": lambda M: ids(M.Author.objects.exclude(M.m.Q(book__in=[]) & M.m.Q(book__pages=300))),
    "double_negation_in_empty": lambda M: ids(M.Author.objects.filter(~~M.m.Q(book__in=[]))),
    "not_in_empty_nested_in_or": lambda M: ids(
        M.Author.objects.filter(M.m.Q(name="Lee") | ~(M.m.Q(book__title__in=[]) & M.m.Q(book__pages=3)))
    ),
    "exclude_single_valued_in_empty": lambda M: ids(M.Book.objects.exclude(author__name__in=[])),
    "exclude_in_none_queryset": lambda M: ids(M.Author.objects.exclude(book__in=M.Book.objects.none())),
    "exclude_in_empty_subquery": lambda M: ids(
        M.Author.objects.exclude(pk__in=M.Author.objects.filter(book__title__in=[]).values("pk"))
    ),
    "filter_in_empty_subquery_or_field": lambda M: ids(
        M.Author.objects.filter(M.m.Q(pk__in=M.Author.objects.filter(pk__in=[])) | M.m.Q(name="Sam"))
    ),
    "not_exists_empty": lambda M: ids(
        M.Author.objects.filter(~M.m.Exists(M.Book.objects.filter(author=M.m.OuterRef("pk"), pk__in=[])))
    ),
    "update_exclude_in_empty": lambda M: after_update(M, M.Author.objects.exclude(book__in=[]), born=1),
    "update_exclude_m2m_in_empty": lambda M: after_update(
        M, M.Author.objects.exclude(book__tags__name__in=[]).filter(born__gt=1985), born=2
    ),
    "delete_exclude_in_empty": lambda M: after_delete(M, M.Review.objects.exclude(book__tags__in=[])),
    "delete_exclude_in_empty_filtered": lambda M: after_delete(
        M, M.Book.objects.exclude(tags__name__in=[]).filter(pages__gt=100)
    ),
    # -- two NOTs around a multi-valued condition: a subquery, so rows are not repeated ---------------
    "exclude_negated_multi_valued": lambda M: ids(M.Author.objects.exclude(~M.m.Q(book__pages__lte=300))),
    "exclude_negated_multi_valued_2": lambda M: ids(M.Author.objects.exclude(~M.m.Q(book__review__stars__gt=1))),
    "not_around_negated_multi_valued": lambda M: ids(
        M.Author.objects.filter(~(~M.m.Q(book__review__stars__gt=1) | M.m.Q(name="Kim")))
    ),
    "not_around_negated_multi_valued_2": lambda M: ids(
        M.Author.objects.filter(~(~M.m.Q(book__review__stars__gt=3) | M.m.Q(name="Alex")))
    ),
    "double_invert_is_plain_q": lambda M: ids(M.Book.objects.filter(~~M.m.Q(tags__name__lt="x"))),
    "double_invert_is_plain_q_2": lambda M: ids(M.Book.objects.filter(~~M.m.Q(tags__name__gt="a"))),
    # -- an M2M through= hop and the through model's reverse FK are one join ------------------------
    "through_hop_and_reverse_fk": lambda M: list(
        M.Book.objects.filter(shelves__rank=2).order_by("pk", "placement__id").values_list("pk", "placement__id")
    ),
    "through_hop_and_reverse_fk_2": lambda M: list(
        M.Book.objects.filter(shelves__name="b").order_by("pk", "placement__id").values_list("pk", "placement__id")
    ),
    "reverse_fk_and_through_hop": lambda M: list(
        M.Book.objects.order_by("pk", "placement__id", "shelves__id").values_list("pk", "placement__id", "shelves__id")
    ),
    # -- lookup values are not rounded to the field's decimal places ----------------------------
    "decimal_exact_more_places": lambda M: ids(M.Review.objects.filter(book__price=D("9.995"))),
    "decimal_exact_more_places_2": lambda M: ids(M.Review.objects.filter(book__price=D("9.985"))),
    "decimal_exact_same_places": lambda M: ids(M.Review.objects.filter(book__price=D("9.99"))),
    "decimal_gt_more_places": lambda M: ids(M.Book.objects.filter(price__gt=D("9.989"))),
    "decimal_gt_more_places_2": lambda M: ids(M.Book.objects.filter(price__gt=D("9.991"))),
    "decimal_in_more_places": lambda M: ids(M.Book.objects.filter(price__in=[D("9.994"), D("5.5")])),
    "decimal_in_more_places_2": lambda M: ids(M.Book.objects.filter(price__in=[D("9.995"), D("10.001")])),
    "decimal_range_more_places": lambda M: ids(M.Book.objects.filter(price__range=(D("9.991"), D("10.004")))),
    "decimal_range_more_places_2": lambda M: ids(M.Book.objects.filter(price__range=(D("5.495"), D("9.989")))),
    "decimal_exclude_more_places": lambda M: ids(M.Book.objects.exclude(price=D("10.001"))),
    "decimal_exclude_more_places_2": lambda M: ids(M.Book.objects.exclude(price=D("10.000"))),
    # -- ordering with nulls_first / nulls_last, across relations and not ----------------------
    "nulls_last_asc": lambda M: ordered(M.Author.objects.order_by(M.m.F("born").asc(nulls_last=True))),
    "nulls_first_desc": lambda M: ordered(M.Author.objects.order_by(M.m.F("born").desc(nulls_first=True))),
    "nulls_first_asc": lambda M: ordered(M.Author.objects.order_by(M.m.F("born").asc(nulls_first=True))),
    "nulls_last_desc": lambda M: ordered(M.Author.objects.order_by(M.m.F("born").desc(nulls_last=True))),
    "nulls_last_across_fk": lambda M: ordered(
        M.Book.objects.order_by(M.m.F("author__born").asc(nulls_last=True), "pk")
    ),
    "nulls_first_across_fk_desc": lambda M: ordered(
        M.Book.objects.order_by(M.m.F("author__born").desc(nulls_first=True), "pk")
    ),
    "nulls_first_across_reverse": lambda M: list(
        M.Author.objects.order_by(M.m.F("book__pages").asc(nulls_first=True), "pk").values_list("pk", "book__pages")
    ),
    "nulls_last_across_reverse_desc": lambda M: list(
        M.Author.objects.order_by(M.m.F("book__pages").desc(nulls_last=True), "pk").values_list("pk", "book__pages")
    ),
    "nulls_last_reversed": lambda M: ordered(
        M.Book.objects.order_by(M.m.F("author__born").asc(nulls_last=True), "pk").reverse()
    ),
    "nulls_first_reversed": lambda M: ordered(
        M.Book.objects.order_by(M.m.F("pages").desc(nulls_first=True), "pk").reverse()
    ),
    "meta_ordering_with_nulls": lambda M: ordered(M.Shelf.objects.all()),
    "meta_ordering_with_nulls_reversed": lambda M: ordered(M.Shelf.objects.reverse()),
    "order_by_relation_meta_ordering_with_nulls": lambda M: ordered(M.Placement.objects.order_by("shelf", "pk")),
    "order_by_relation_meta_ordering_with_nulls_desc": lambda M: ordered(M.Placement.objects.order_by("-shelf", "pk")),
    "order_by_two_levels_meta_ordering_with_nulls": lambda M: ordered(
        M.Book.objects.order_by("placement__shelf", "pk")
    ),
    "order_by_two_levels_meta_ordering_with_nulls_desc": lambda M: ordered(
        M.Book.objects.order_by("-placement__shelf", "-pk")
    ),
    # a name values() selected sorts by its column, not by the target's Meta.ordering
    "order_by_selected_relation": lambda M: list(
        M.Book.objects.values_list("pk", "placement__shelf").order_by("placement__shelf", "pk")
    ),
    "order_by_selected_relation_desc": lambda M: list(
        M.Placement.objects.values("pk", "shelf").order_by("-shelf", "pk")
    ),
    # -- ordering by a path through a relation whose target has Meta.ordering -------------------
    # (only rows with tags: where NULLs sort differs between databases)
    "order_by_m2m_id_desc": lambda M: list(
        M.Book.objects.filter(pk__in=[1, 2, 3]).order_by("-tags__id", "pk").values_list("pk", "tags__id")
    ),
    "order_by_two_levels_m2m_id_desc": lambda M: list(
        M.Author.objects.filter(pk__in=[1, 2]).order_by("-book__tags__id", "pk").values_list("pk", flat=True)
    ),
    "order_by_two_levels_m2m_pk": lambda M: list(
        M.Author.objects.filter(pk__in=[1, 2]).order_by("book__tags__pk", "-pk").values_list("pk", flat=True)
    ),
    "order_by_two_levels_m2m_relation": lambda M: list(
        M.Author.objects.filter(pk__in=[1, 2]).order_by("-book__tags", "pk").values_list("pk", flat=True)
    ),
    "order_by_m2m_relation": lambda M: list(
        M.Book.objects.filter(pk__in=[1, 2, 3]).order_by("tags", "pk").values_list("pk", flat=True)
    ),
    "order_by_reverse_m2m_id": lambda M: list(M.Tag.objects.order_by("-book__id", "pk").values_list("pk", "book__id")),
    # -- F() across multi-valued relations: join reuse per filter() call, exclude subquery ---------
    "filter_f_same_call": lambda M: ids(M.Author.objects.filter(book__review__stars__gt=M.m.F("book__pages"))),
    "filter_f_same_call_2": lambda M: ids(M.Author.objects.filter(book__review__stars__lt=M.m.F("book__pages"))),
    "chained_filter_f": lambda M: ids(
        M.Author.objects.filter(book__pages=3).filter(book__review__stars__gt=M.m.F("book__pages"))
    ),
    "chained_filter_f_2": lambda M: ids(
        M.Author.objects.filter(book__pages=300).filter(book__review__stars__lt=M.m.F("book__pages"))
    ),
    "chained_filter_f_lhs_single": lambda M: ids(
        M.Author.objects.filter(book__pages=3).filter(born__lt=M.m.F("book__pages") * 700)
    ),
    "chained_filter_f_lhs_single_2": lambda M: ids(
        M.Author.objects.filter(book__pages=300).filter(born__lt=M.m.F("book__pages") * 7)
    ),
    "exclude_f_outer_field": lambda M: ids(M.Author.objects.exclude(book__pages__gt=M.m.F("born") / 10)),
    "exclude_f_outer_field_2": lambda M: ids(M.Author.objects.exclude(book__pages__lt=M.m.F("born") / 10)),
    "exclude_f_across": lambda M: ids(M.Author.objects.exclude(book__review__stars__gt=M.m.F("book__pages"))),
    "exclude_f_across_2": lambda M: ids(M.Author.objects.exclude(book__review__stars__lt=M.m.F("book__pages"))),
    "exclude_f_combined_across": lambda M: ids(
        M.Author.objects.exclude(book__review__stars__gt=M.m.F("book__pages") + 1)
    ),
    "exclude_f_combined_across_2": lambda M: ids(
        M.Author.objects.exclude(book__review__stars__lt=M.m.F("book__pages") - 1)
    ),
    "exclude_f_deeper_than_condition": lambda M: ids(
        M.Author.objects.exclude(book__tags__id__lt=M.m.F("book__review__stars"))
    ),
    "exclude_f_deeper_than_condition_2": lambda M: ids(
        M.Author.objects.exclude(book__tags__id__gt=M.m.F("book__review__stars"))
    ),
    "q_join_then_negated_same_row": lambda M: ids(
        M.Author.objects.filter(M.m.Q(book__title="Sell"), ~M.m.Q(book__review__stars__gt=4))
    ),
    "q_join_then_negated_same_row_2": lambda M: ids(
        M.Author.objects.filter(M.m.Q(book__title="Django"), ~M.m.Q(book__review__stars__gt=2))
    ),
    "q_negated_then_join": lambda M: ids(
        M.Author.objects.filter(~M.m.Q(book__review__stars__gt=4), M.m.Q(book__title="Sell"))
    ),
    "q_negated_then_join_2": lambda M: ids(
        M.Author.objects.filter(~M.m.Q(book__review__stars__gt=2), M.m.Q(book__title="Wrong"))
    ),
    "filter_then_exclude_other_call": lambda M: ids(
        M.Author.objects.filter(book__pages=300).exclude(book__review__stars__gt=4)
    ),
    "filter_then_exclude_other_call_2": lambda M: ids(
        M.Author.objects.filter(book__pages=3).exclude(book__review__stars__gt=3)
    ),
    "filter_then_exclude_f": lambda M: ids(
        M.Author.objects.filter(book__pages=3).exclude(book__review__stars__gt=M.m.F("book__pages"))
    ),
    "filter_then_exclude_f_2": lambda M: ids(
        M.Author.objects.filter(book__pages=300).exclude(book__review__stars__lt=M.m.F("book__pages"))
    ),
    "exclude_f_m2m": lambda M: ids(M.Book.objects.exclude(tags__id__lt=M.m.F("author__id"))),
    "exclude_f_m2m_2": lambda M: ids(M.Book.objects.exclude(tags__id__gt=M.m.F("author__id"))),
    # -- bad values ----------------------------------------------------------------------------
    "isnull_string": lambda M: M.Book.objects.filter(pages__isnull="yes"),
    "isnull_int": lambda M: M.Book.objects.filter(pages__isnull=1),
    "isnull_string_across": lambda M: M.Author.objects.filter(book__isnull="no"),
    "isnull_string_in_exclude": lambda M: M.Author.objects.exclude(book__pages__isnull="no"),
    # -- a registered lookup on a path that ends at the related primary key ----------------------
    "custom_lookup_fk_id": lambda M: ids(M.Book.objects.filter(author__id__ne=1)),
    "custom_lookup_fk_id_2": lambda M: ids(M.Book.objects.filter(author__id__ne=3)),
    "custom_lookup_fk_pk": lambda M: ids(M.Book.objects.filter(author__pk__ne=2)),
    "custom_lookup_fk_id_exclude": lambda M: ids(M.Book.objects.exclude(author__id__ne=2)),
    "custom_lookup_reverse_id": lambda M: ids(M.Author.objects.filter(book__id__ne=1)),
    "custom_lookup_m2m_id": lambda M: ids(M.Book.objects.filter(tags__id__ne=2)),
    "custom_lookup_on_fk_itself": lambda M: ids(M.Book.objects.filter(author__ne=1)),
    "custom_lookup_unsupported_field": lambda M: ids(M.Book.objects.filter(author__name__ne="Alex")),
    # -- Cast to a CharField without max_length ---------------------------------------------------
    "cast_to_char": lambda M: list(
        M.Book.objects.annotate(s=fn(M, "Cast")("pages", M.m.CharField())).order_by("pk").values_list("s", flat=True)
    ),
    "cast_to_char_filtered": lambda M: ids(
        M.Book.objects.annotate(s=fn(M, "Cast")(M.m.F("pages") * 2, M.m.CharField())).filter(s__startswith="6")
    ),
}


class NotEqual(lookups.Lookup):
    """A user's own lookup, registered on IntegerField only (the primary keys here are integers)."""

    lookup_name = "ne"


class DjangoNotEqual(oracle.models.Lookup):
    lookup_name = "ne"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} <> {rhs}", [*lhs_params, *rhs_params]


@pytest.fixture(autouse=True)
def not_equal_lookup():
    from django.test.utils import register_lookup

    models.IntegerField.register_lookup(NotEqual)
    try:
        with register_lookup(oracle.models.IntegerField, DjangoNotEqual):
            yield
    finally:
        models.IntegerField._unregister_lookup(NotEqual)


def run(func, M):
    try:
        result = normalize(func(M))
    except Exception as error:
        return ("raises", type(error).__name__)
    return ("ok", result)


@pytest.mark.parametrize("case", list(CASES))
def test_same_result_as_django(case):
    ours = run(CASES[case], R)
    theirs = run(CASES[case], Dj)
    assert ours == theirs


@pytest.mark.parametrize("value", ["yes", 1, 0, "", [True]])
def test_isnull_refuses_what_is_not_a_bool_before_any_query(value):
    expected = oracle.error_of(lambda: list(Dj.Book.objects.filter(pages__isnull=value)))
    with CaptureQueries() as captured, pytest.raises(ValueError) as raised:
        list(R.Book.objects.filter(pages__isnull=value))
    assert str(raised.value) == str(expected)
    assert captured.queries == []
