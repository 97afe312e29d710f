"""Lookups and transforms a user writes, registered as Django documents it, on every backend.

The SQL they write by hand (`as_sql`) is joined with relata's; the value a
lookup compares with must reach each call's SQL (a query run twice with two
values gives two answers), and a registration changed later is obeyed.
"""

from __future__ import annotations

import datetime
from unittest import mock

import pytest

from relata import models
from relata.exceptions import FieldError
from relata.models import F, Q
from relata.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, In, LessThan, Lookup, Transform
from relata.testing import CaptureQueries
from relata.testing.pytest_plugin import use_models


class Shelf(models.Model):
    label = models.CharField(max_length=30)

    class Meta:
        app_label = "q_custom_lookups"


class Volume(models.Model):
    title = models.CharField(max_length=60)
    subtitle = models.CharField(max_length=60)
    pages = models.IntegerField()
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, null=True)

    class Meta:
        app_label = "q_custom_lookups"


class Published(models.Model):
    title = models.CharField(max_length=30)
    day = models.DateField()

    class Meta:
        app_label = "q_custom_lookups"


use_models(Shelf, Volume, Published)


class DivisibleBy(Lookup):
    """`pages__divisible_by=7`: written by hand; by zero it means 'is zero' (SQL that depends on the value)."""

    lookup_name = "divisible_by"

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if self.rhs == 0:
            return f"{lhs} = 0", params
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} %% {rhs} = 0", params + rhs_params


class Tens(Transform):
    """`pages__tens`: the number of whole tens, written by hand."""

    lookup_name = "tens"

    def as_sql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        return f"FLOOR({lhs} / 10)", params

    @property
    def output_field(self):
        return models.IntegerField()


class Shout(Transform):
    """`title__shout="dune"`: upper case on both sides of the comparison."""

    lookup_name = "shout"
    function = "UPPER"
    bilateral = True


class SameAs(Exact):
    """`exact` under another name, with Django's hook for the operator."""

    lookup_name = "same_as"

    def get_rhs_op(self, connection, rhs):
        return connection.operators["exact"] % rhs


@pytest.fixture
def volumes():
    top, low = Shelf.objects.create(label="top"), Shelf.objects.create(label="low")
    for title, pages, shelf in [("Dune", 412, top), ("Emma", 474, low), ("Ubik", 202, top), ("Kim", 0, None)]:
        Volume.objects.create(title=title, subtitle=title.lower(), pages=pages, shelf=shelf)


def titles(queryset):
    return sorted(v.title for v in queryset)


@pytest.fixture
def registered():
    """Register lookups for one test; always unregister them."""
    done = []

    def register(owner, lookup, name=None):
        owner.register_lookup(lookup, name)
        done.append((owner, lookup, name))

    yield register
    for owner, lookup, name in reversed(done):
        owner._unregister_lookup(lookup, name)


def test_a_hand_written_lookup_takes_each_calls_value(volumes, registered):
    registered(models.IntegerField, DivisibleBy)
    assert titles(Volume.objects.filter(pages__divisible_by=2)) == ["Dune", "Emma", "Kim", "Ubik"]
    assert titles(Volume.objects.filter(pages__divisible_by=103)) == ["Dune", "Kim"]
    assert titles(Volume.objects.filter(pages__divisible_by=0)) == ["Kim"]
    assert titles(Volume.objects.filter(pages__divisible_by=101)) == ["Kim", "Ubik"]
    assert titles(Volume.objects.exclude(pages__divisible_by=103)) == ["Emma", "Ubik"]


def test_a_hand_written_lookup_inside_a_subquery_and_a_count(volumes, registered):
    registered(models.IntegerField, DivisibleBy)
    inner = Volume.objects.filter(pages__divisible_by=101)
    assert titles(Volume.objects.filter(pk__in=inner)) == ["Kim", "Ubik"]
    assert Volume.objects.filter(pages__divisible_by=2).count() == 4
    assert Volume.objects.filter(shelf__label="top", pages__divisible_by=103).count() == 1


def test_a_hand_written_transform_in_filter_values_order_by_and_f(volumes, registered):
    registered(models.IntegerField, Tens)
    assert titles(Volume.objects.filter(pages__tens=41)) == ["Dune"]
    assert titles(Volume.objects.filter(pages__tens__gte=41)) == ["Dune", "Emma"]
    assert titles(Volume.objects.filter(pages__tens__in=[0, 20])) == ["Kim", "Ubik"]
    ordered = Volume.objects.order_by("-pages__tens").values_list("pages__tens", flat=True)
    assert list(ordered) == [47, 41, 20, 0]
    annotated = Volume.objects.annotate(t=F("pages__tens") + 1).order_by("t").values_list("t", flat=True)
    assert list(annotated) == [1, 21, 42, 48]


def test_a_bilateral_transform_applies_to_the_value_too(volumes, registered):
    registered(models.CharField, Shout)
    assert titles(Volume.objects.filter(title__shout="dUNE")) == ["Dune"]
    assert titles(Volume.objects.filter(title__shout__in=["emma", "KIM", "none"])) == ["Emma", "Kim"]
    assert titles(Volume.objects.filter(title__shout__startswith="u")) == ["Ubik"]
    assert titles(Volume.objects.filter(title__shout=F("subtitle"))) == ["Dune", "Emma", "Kim", "Ubik"]


def test_a_bilateral_transform_refuses_a_queryset_when_filter_is_called(registered):
    registered(models.CharField, Shout)
    with pytest.raises(NotImplementedError, match="Bilateral transformations on nested querysets"):
        Volume.objects.filter(title__shout__in=Volume.objects.values_list("subtitle"))


def test_a_lookup_with_djangos_operator_hook(volumes, registered):
    registered(models.CharField, SameAs)
    assert titles(Volume.objects.filter(title__same_as="Emma")) == ["Emma"]
    assert titles(Volume.objects.filter(title__same_as="Ubik")) == ["Ubik"]


def test_a_lookup_registered_on_one_field_only(volumes, registered):
    title = Volume._meta.get_field("title")
    registered(title, SameAs)
    assert title.get_lookup("same_as") is SameAs
    assert Volume._meta.get_field("subtitle").get_lookup("same_as") is None
    assert titles(Volume.objects.filter(title__same_as="Kim")) == ["Kim"]
    with pytest.raises(FieldError, match="Unsupported lookup 'same_as' for CharField"):
        Volume.objects.filter(subtitle__same_as="kim")


def test_registrations_show_in_get_lookups_and_go_away(registered):
    assert "tens" not in models.IntegerField.get_lookups()
    registered(Tens, SameAs)
    registered(models.IntegerField, Tens)
    assert models.IntegerField.get_lookups()["tens"] is Tens
    assert Tens.get_lookups() == {"same_as": SameAs}
    assert Volume._meta.get_field("pages").get_transform("tens") is Tens
    assert Volume._meta.get_field("pages").get_lookup("tens") is None


def test_a_name_registered_again_is_not_served_from_an_earlier_compilation(volumes):
    models.IntegerField.register_lookup(Tens, "part")
    try:
        assert titles(Volume.objects.filter(pages__part=20)) == ["Ubik"]
    finally:
        models.IntegerField._unregister_lookup(Tens, "part")
    models.IntegerField.register_lookup(DivisibleBy, "part")
    try:
        assert titles(Volume.objects.filter(pages__part=20)) == ["Kim"]
    finally:
        models.IntegerField._unregister_lookup(DivisibleBy, "part")
    with pytest.raises(FieldError, match="Unsupported lookup 'part'"):
        Volume.objects.filter(pages__part=20)


def test_lookups_as_expressions_in_filter_annotate_and_q(volumes):
    assert titles(Volume.objects.filter(GreaterThan(F("pages"), 400))) == ["Dune", "Emma"]
    assert titles(Volume.objects.filter(LessThan(F("pages"), 300) | Exact(F("title"), "Emma"))) == [
        "Emma",
        "Kim",
        "Ubik",
    ]
    assert titles(Volume.objects.filter(~Q(GreaterThan(F("pages"), 400)))) == ["Kim", "Ubik"]
    long = Volume.objects.annotate(long=GreaterThan(F("pages"), 300)).order_by("title").values_list("title", "long")
    assert [(title, bool(flag)) for title, flag in long] == [
        ("Dune", True),
        ("Emma", True),
        ("Kim", False),
        ("Ubik", False),
    ]


def test_lookup_expressions_compare_and_hash_by_their_sides():
    assert GreaterThan(F("pages"), 3) == GreaterThan(F("pages"), 3)
    assert hash(GreaterThan(F("pages"), 3)) == hash(GreaterThan(F("pages"), 3))
    assert GreaterThan(F("pages"), 3) != GreaterThan(F("pages"), 4)
    assert GreaterThan(F("pages"), 3) != LessThan(F("pages"), 3)
    assert repr(GreaterThan(F("pages"), 3)) == "GreaterThan(F(pages), 3)"


def test_a_foreign_key_takes_relation_lookups_only(volumes, registered):
    shelf = Volume._meta.get_field("shelf")
    registered(models.Field, SameAs)
    assert shelf.get_lookup("same_as") is None
    registered(models.ForeignObject, SameAs, "same_row")
    assert shelf.get_lookup("same_row") is SameAs
    top = Shelf.objects.get(label="top")
    assert titles(Volume.objects.filter(shelf__same_row=top.pk)) == ["Dune", "Ubik"]
    assert titles(Volume.objects.filter(shelf__gt=top.pk)) == ["Emma"]


def test_an_unknown_lookup_names_the_close_ones(volumes):
    with pytest.raises(FieldError, match=r"lookup 'startwith' for CharField .*perhaps you meant startswith"):
        Volume.objects.filter(title__startwith="D")
    with pytest.raises(FieldError, match="Unsupported lookup 'gt__lt' for IntegerField"):
        Volume.objects.filter(pages__gt__lt=3)


def test_a_hand_written_lookup_runs_one_query_per_evaluation(volumes, registered):
    registered(models.IntegerField, DivisibleBy)
    with CaptureQueries() as captured:
        for divisor in (2, 103, 101):
            list(Volume.objects.filter(pages__divisible_by=divisor))
    assert len(captured) == 3
    assert all("%" in query.sql for query in captured.queries)


class YearOf(Transform):
    """`day__year_of`: the year, through the backend's own EXTRACT spelling (Django's ops hook)."""

    lookup_name = "year_of"

    def as_sql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        return connection.ops.date_extract_sql("year", lhs, params)

    @property
    def output_field(self):
        return models.IntegerField()


def test_a_transform_built_on_the_backends_date_extract_sql(registered):
    Published.objects.create(title="old", day=datetime.date(1999, 5, 1))
    Published.objects.create(title="new", day=datetime.date(2021, 5, 1))
    registered(models.DateField, YearOf)
    assert [p.title for p in Published.objects.filter(day__year_of__gt=2000)] == ["new"]
    assert [p.title for p in Published.objects.filter(day__year_of=1999)] == ["old"]


def test_a_float_compared_with_an_integer_column_is_rounded_up(volumes):
    assert titles(Volume.objects.filter(pages__lt=202.5)) == ["Kim", "Ubik"]
    assert titles(Volume.objects.filter(pages__gte=411.5)) == ["Dune", "Emma"]
    # A lookup made over F() sends the float as it is, as Django does.
    below = Volume.objects.annotate(below=LessThan(F("pages"), 202.5)).filter(below=True)
    assert titles(below) == ["Kim", "Ubik"]


def test_a_q_object_as_an_annotation(volumes):
    flagged = Volume.objects.annotate(big=Q(pages__gt=400) | Q(title="Kim")).filter(big=True)
    assert titles(flagged) == ["Dune", "Emma", "Kim"]


def test_a_lookup_expression_shares_the_join_of_its_filter_call(volumes):
    Volume.objects.create(title="Solaris", subtitle="solaris", pages=204, shelf=Shelf.objects.get(label="low"))
    found = Shelf.objects.filter(Exact(F("volume__title"), "Emma"), volume__pages=204)
    assert list(found) == []
    found = Shelf.objects.filter(Exact(F("volume__title"), "Solaris"), volume__pages=204)
    assert [s.label for s in found] == ["low"]


def test_a_lookup_leaves_equality_with_other_objects_to_them():
    assert GreaterThan(F("pages"), 3) == mock.ANY


def test_a_reverse_relation_takes_its_foreign_keys_lookups(volumes, registered):
    registered(Volume._meta.get_field("shelf"), SameAs, "same_row")
    dune = Volume.objects.get(title="Dune")
    assert [s.label for s in Shelf.objects.filter(volume__same_row=dune.pk)] == ["top"]
    with pytest.raises(FieldError, match=r"'same_rows' for ManyToOneRel .*perhaps you meant same_row"):
        Shelf.objects.filter(volume__same_rows=dune.pk)


class OneOf(In):
    """A many-valued lookup named `pick` on text fields."""

    lookup_name = "pick"


class AtLeast(GreaterThanOrEqual):
    """A single-valued lookup with the same name on integer fields."""

    lookup_name = "pick"


def test_one_name_many_valued_on_one_field_single_valued_on_another(volumes, registered):
    registered(models.CharField, OneOf)
    registered(models.IntegerField, AtLeast)
    assert titles(Volume.objects.filter(title__pick=["Dune", "Kim"])) == ["Dune", "Kim"]
    assert titles(Volume.objects.filter(pages__pick=412)) == ["Dune", "Emma"]
    assert titles(Volume.objects.filter(pages__pick=203, title__pick=["Ubik", "Emma"])) == ["Emma"]
