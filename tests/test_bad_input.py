"""Bad input is refused before any SQL runs, with Django's exception type and message.

Each case runs the same call on Django (the oracle) and compares; the
relata side must run no query and leave the table as it was.
"""

import base64

import pytest

import oracle
import relata
from relata import exceptions, models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Writer(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "e_input"


class Piece(models.Model):
    title = models.CharField(max_length=20, unique=True)
    n = models.IntegerField(default=0)
    big = models.BigIntegerField(default=0)
    data = models.BinaryField(null=True)
    writer = models.ForeignKey(Writer, models.CASCADE, null=True)
    fans = models.ManyToManyField(Writer, related_name="liked")

    class Meta:
        app_label = "e_input"


class dj:
    class Writer(dm.Model):
        name = dm.CharField(max_length=20)

        class Meta(oracle.Meta("e_input")):
            pass

    class Piece(dm.Model):
        title = dm.CharField(max_length=20, unique=True)
        n = dm.IntegerField(default=0)
        big = dm.BigIntegerField(default=0)
        data = dm.BinaryField(null=True)
        writer = dm.ForeignKey("Writer", dm.CASCADE, null=True)
        fans = dm.ManyToManyField("Writer", related_name="liked")

        class Meta(oracle.Meta("e_input")):
            pass


use_models(Writer, Piece)
oracle.use_django_models(dj.Writer, dj.Piece)


def rows():
    return list(Piece.objects.order_by("title").values_list("title", "n", "big"))


def refused_like_django(ours, theirs):
    """`ours()` raises what `theirs()` raises on Django, running no query and changing no row."""
    before = rows()
    expected = oracle.error_of(theirs)
    with assert_num_queries(0), pytest.raises(Exception) as info:
        ours()
    assert type(info.value).__name__ == type(expected).__name__
    assert str(info.value) == str(expected)
    assert rows() == before
    return info.value


# -- save(force_update=...) --------------------------------------------------------


@pytest.mark.parametrize("options", [{"force_update": True}, {"update_fields": ["title"]}], ids=str)
def test_an_update_without_a_primary_key_is_refused(options):
    refused_like_django(lambda: Piece(title="a").save(**options), lambda: dj.Piece(title="a").save(**options))


def test_force_update_and_force_insert_together_are_refused():
    refused_like_django(
        lambda: Piece(title="a").save(force_update=True, force_insert=True),
        lambda: dj.Piece(title="a").save(force_update=True, force_insert=True),
    )


def test_force_update_matching_no_row():
    theirs = oracle.error_of(dj.Piece(id=99, title="a").save, force_update=True)
    with pytest.raises(exceptions.DatabaseError) as info:
        Piece(id=99, title="a").save(force_update=True)
    assert str(info.value) == str(theirs)
    assert rows() == []


# -- bulk_create(update_conflicts=True) --------------------------------------------------


def _upsert(model, **options):
    return lambda: model.objects.bulk_create([model(title="a")], update_conflicts=True, **options)


@pytest.mark.parametrize("update_fields", [[], ["id"], ["fans"], ["nope"]], ids=str)
def test_bulk_create_upsert_update_fields_are_checked(update_fields):
    Piece.objects.create(title="a", n=1)
    theirs = _upsert(dj.Piece, update_fields=update_fields, unique_fields=["title"])
    # MySQL finds the conflicting key itself and takes no unique_fields.
    target = {"unique_fields": ["title"]} if relata.connection.features.supports_update_conflicts_with_target else {}
    refused_like_django(_upsert(Piece, update_fields=update_fields, **target), theirs)


@pytest.mark.parametrize("unique_fields", [["fans"], ["nope"]], ids=str)
def test_bulk_create_upsert_unique_fields_are_checked(unique_fields):
    if not relata.connection.features.supports_update_conflicts_with_target:
        pytest.skip("MySQL takes no unique_fields (see below)")
    Piece.objects.create(title="a", n=1)
    options = {"update_fields": ["n"], "unique_fields": unique_fields}
    refused_like_django(_upsert(Piece, **options), _upsert(dj.Piece, **options))


def test_bulk_create_upsert_needs_unique_fields_where_the_database_names_them():
    Piece.objects.create(title="a", n=1)
    options = {"update_fields": ["n"]}
    if relata.connection.features.supports_update_conflicts_with_target:
        refused_like_django(_upsert(Piece, **options), _upsert(dj.Piece, **options))
    else:  # MySQL finds the conflicting key itself
        Piece.objects.bulk_create([Piece(title="a", n=5)], update_conflicts=True, **options)
        assert rows() == [("a", 5, 0)]


def test_bulk_create_upsert_refuses_unique_fields_where_the_database_cannot_name_them():
    if relata.connection.features.supports_update_conflicts_with_target:
        pytest.skip("this database takes a conflict target")
    with assert_num_queries(0), pytest.raises(exceptions.NotSupportedError, match="unique fields"):
        _upsert(Piece, update_fields=["n"], unique_fields=["title"])()
    assert rows() == []


# -- update() with a joined F() -----------------------------------------------------


def test_update_with_a_joined_field_reference_is_refused():
    Piece.objects.create(title="a")
    theirs = oracle.error_of(lambda: dj.Piece.objects.update(title=dm.F("writer__name")))
    with assert_num_queries(0), pytest.raises(exceptions.FieldError) as ours:
        Piece.objects.update(title=models.F("writer__name"))
    assert str(theirs) in str(ours.value) and "Subquery" in str(ours.value)  # Django's words, then the way out


def test_update_with_a_foreign_key_column_reference_needs_no_join():
    w = Writer.objects.create(name="w")
    Piece.objects.create(title="a", writer=w)
    Piece.objects.update(n=models.F("writer__id") + 1)
    assert rows() == [("a", w.pk + 1, 0)]


# -- subqueries in __in ---------------------------------------------------------------


@pytest.mark.parametrize("lookup", ["id__in", "writer__in"])
@pytest.mark.parametrize("method", ["values", "values_list"])
def test_in_with_a_two_column_subquery_is_refused(lookup, method):
    refused_like_django(
        lambda: Piece.objects.filter(**{lookup: getattr(Writer.objects, method)("id", "name")}),
        lambda: dj.Piece.objects.filter(**{lookup: getattr(dj.Writer.objects, method)("id", "name")}),
    )


# -- iterator() -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda qs: qs.prefetch_related("fans").iterator(),
        lambda qs: qs.iterator(chunk_size=0),
        lambda qs: qs.iterator(chunk_size=-1),
    ],
    ids=["prefetch-without-chunk-size", "zero", "negative"],
)
def test_iterator_arguments_are_checked_when_called(call):
    refused_like_django(lambda: call(Piece.objects.all()), lambda: call(dj.Piece.objects.all()))


# -- values of the wrong type -----------------------------------------------------------


@pytest.mark.parametrize(
    "write",
    [
        lambda m: m.objects.create(title="s", data="text"),
        lambda m: m.objects.bulk_create([m(title="s", data="text")]),
        lambda m: m.objects.update(data="text"),
        lambda m: m.objects.filter(data="text").count(),
    ],
    ids=["create", "bulk_create", "update", "filter"],
)
def test_a_str_for_a_binary_field_is_refused(write):
    Piece.objects.create(title="a", data=b"keep")
    dj.Piece.objects.create(title="a", data=b"keep")
    theirs = oracle.error_of(write, dj.Piece)
    with assert_num_queries(0), pytest.raises(TypeError) as info:
        write(Piece)
    assert type(theirs) is TypeError
    assert "BinaryField" in str(info.value) and "'data'" in str(info.value) and "bytes" in str(info.value)
    assert list(Piece.objects.values_list("title", "data")) == [("a", b"keep")]


def test_binary_field_to_python_decodes_base64_text_as_django():
    text = base64.b64encode(b"\x00\xffraw").decode()
    ours = Piece._meta.get_field("data").to_python(text)
    theirs = dj.Piece._meta.get_field("data").to_python(text)
    assert bytes(ours) == bytes(theirs) == b"\x00\xffraw"


def test_integer_field_takes_a_bool_as_django():
    dj.Piece.objects.create(title="t", n=True, big=False)
    piece = Piece.objects.create(title="t", n=True, big=False)
    assert Piece.objects.filter(n=True, big=False).count() == dj.Piece.objects.filter(n=True, big=False).count() == 1
    Piece.objects.filter(pk=piece.pk).update(big=True)
    dj.Piece.objects.update(big=True)
    assert rows() == list(dj.Piece.objects.values_list("title", "n", "big")) == [("t", 1, 1)]


# -- integer lookups beyond the column's range -------------------------------------------------


@pytest.mark.parametrize(
    "lookup",
    [
        {"n": 2**70},
        {"n": -(2**70)},
        {"n__gt": 2**70},
        {"n__gt": -(2**70)},
        {"n__gte": -(2**70)},
        {"n__lt": 2**70},
        {"n__lte": 2**70},
        {"n__lt": -(2**70)},
        {"pk": 2**70},
        {"big": 2**63},
        {"big__lt": 2**63},
    ],
    ids=str,
)
@pytest.mark.parametrize("method", ["filter", "exclude"])
def test_integer_lookups_beyond_the_range_match_as_django(lookup, method):
    for model in (Piece, dj.Piece):
        model.objects.create(title="a", n=1, big=1)
        model.objects.create(title="b", n=-1, big=-1)
    theirs = sorted(getattr(dj.Piece.objects, method)(**lookup).values_list("title", flat=True))
    ours = getattr(Piece.objects, method)(**lookup)
    assert sorted(ours.values_list("title", flat=True)) == theirs


@pytest.mark.parametrize(
    ("ours", "same_as"),
    [({"n__in": [2**70, 1]}, {"n__in": [1]}), ({"n__range": (0, 2**70)}, {"n__gte": 0})],
    ids=str,
)
def test_lists_holding_integers_beyond_the_range(ours, same_as):
    # Django's SQLite driver overflows on these; the rows they match are those of the in-range twin.
    for model in (Piece, dj.Piece):
        model.objects.create(title="a", n=1)
        model.objects.create(title="b", n=-1)
    assert list(Piece.objects.filter(**ours).values_list("title", flat=True)) == list(
        dj.Piece.objects.filter(**same_as).values_list("title", flat=True)
    )


def test_a_foreign_key_lookup_beyond_the_range_matches_no_row():
    # Django's oracle overflows here on SQLite: a foreign key reads as its target's integer.
    Piece.objects.create(title="a", writer=Writer.objects.create(name="w"))
    assert list(Piece.objects.filter(writer=2**70)) == []
    assert list(Piece.objects.exclude(writer_id=-(2**70)).values_list("title", flat=True)) == ["a"]


# -- values compared with a relation, checked when filter() is called ----------------------------


def _related_value_cases(W, P, w, p):
    """Each case given the models and a saved writer `w` and piece `p` of that side."""
    return {
        "unsaved_instance": lambda: P.objects.filter(writer=W(name="new")),
        "unsaved_in_list": lambda: P.objects.exclude(writer__in=[w, W(name="new")]),
        "unsaved_reverse": lambda: W.objects.filter(piece=P(title="new")),
        "wrong_model_instance": lambda: P.objects.filter(writer=p),
        "wrong_model_in_list": lambda: P.objects.filter(writer__in=[w, p]),
        "wrong_model_m2m": lambda: P.objects.filter(fans=p),
        "wrong_model_queryset": lambda: P.objects.filter(writer__in=P.objects.all()),
        "key_of_wrong_type": lambda: P.objects.filter(writer="abc"),
        "key_of_wrong_type_in_list": lambda: P.objects.filter(writer__in=[1, "abc"]),
        "q_options_as_lookups": lambda: P.objects.filter(title="p", _negated=True, _connector="OR"),
    }


@pytest.mark.parametrize("case", list(_related_value_cases(None, None, None, None)))
def test_a_bad_related_value_is_refused_at_the_filter_call(case):
    sides = []
    for W, P in ((Writer, Piece), (dj.Writer, dj.Piece)):
        w = W.objects.create(id=7, name="w")  # explicit keys: the messages name the objects
        sides.append(_related_value_cases(W, P, w, P.objects.create(id=9, title="p", writer=w))[case])
    refused_like_django(*sides)


def test_good_related_values_still_match():
    for W, P in ((Writer, Piece), (dj.Writer, dj.Piece)):
        P.objects.create(title="p", writer=W.objects.create(name="w"))

    def matches(W, P):
        w = W.objects.get()
        return [
            P.objects.filter(writer=w).count(),
            P.objects.filter(writer__in=[w.pk, str(w.pk)]).count(),
            P.objects.filter(writer__in=W.objects.all()).count(),
            P.objects.filter(writer__in=W.objects.values("pk")).count(),
            W.objects.filter(piece__in=P.objects.all()).count(),
        ]

    assert matches(Writer, Piece) == matches(dj.Writer, dj.Piece) == [1, 1, 1, 1, 1]


# -- defer()/only() paths and annotation names ------------------------------------------------------


@pytest.mark.parametrize("method", ["defer", "only"])
@pytest.mark.parametrize("path", ["missing", "title__missing", "writer__missing"])
def test_defer_and_only_paths_are_checked(method, path):
    ours = oracle.error_of(lambda: list(getattr(Piece.objects, method)(path)))
    theirs = oracle.error_of(lambda: list(getattr(dj.Piece.objects, method)(path)))
    assert type(ours).__name__ == type(theirs).__name__
    assert "missing" in str(ours)


@pytest.mark.parametrize(
    ("method", "path"), [("only", "pk"), ("only", "writer"), ("defer", "title"), ("defer", "writer"), ("only", "title")]
)
def test_defer_and_only_take_pk_and_relations(method, path):
    Piece.objects.create(title="p", writer=Writer.objects.create(name="w"))
    dj.Piece.objects.create(title="p", writer=dj.Writer.objects.create(name="w"))
    ours = sorted(getattr(Piece.objects, method)(path).get().get_deferred_fields())
    theirs = sorted(getattr(dj.Piece.objects, method)(path).get().get_deferred_fields())
    assert ours == theirs


def test_a_named_annotation_may_not_take_a_default_name():
    def annotate(m, P):
        return lambda: P.objects.annotate(m.Max("writer__id"), writer__id__max=m.Max("writer__id"))

    ours = oracle.error_of(annotate(models, Piece))
    theirs = oracle.error_of(annotate(dm, dj.Piece))
    assert type(ours) is ValueError and type(theirs) is ValueError
    assert str(theirs).rstrip(".") in str(ours)


# -- update() values that an UPDATE cannot compute --------------------------------------------------


def _update_cases(m, W, P):
    from django.db.models.functions import Lower as DLower

    from relata.models.functions import Lower

    lower = Lower if m is models else DLower
    return {
        "aggregate_through_annotation": lambda: P.objects.annotate(top=m.Max("n")).update(big=m.F("top")),
        "joined_through_annotation": lambda: P.objects.annotate(w=m.F("writer__name")).update(title=m.F("w")),
        "joined_function_through_annotation": lambda: P.objects.annotate(w=lower("writer__name")).update(
            title=m.F("w")
        ),
        "joined_directly": lambda: P.objects.update(title=m.F("writer__name")),
        "ordered_by_aggregate": lambda: P.objects.annotate(c=m.Count("fans")).order_by("c").update(n=2),
    }


@pytest.mark.parametrize("case", list(_update_cases(models, None, None)))
def test_update_values_an_update_cannot_compute_are_refused(case):
    for W, P in ((Writer, Piece), (dj.Writer, dj.Piece)):
        P.objects.create(title="p", writer=W.objects.create(name="w"))
    ours = oracle.error_of(_update_cases(models, Writer, Piece)[case])
    theirs = oracle.error_of(_update_cases(dm, dj.Writer, dj.Piece)[case])
    assert type(ours).__name__ == type(theirs).__name__ == "FieldError"
    assert rows() == [("p", 0, 0)]


def test_update_through_a_plain_annotation_still_works():
    Piece.objects.create(title="p", n=3)
    assert Piece.objects.annotate(twice=models.F("n") * 2).filter(twice=6).update(big=models.F("twice")) == 1
    assert rows() == [("p", 3, 6)]


# -- aggregate() over an alias() -----------------------------------------------------


def test_aggregate_over_an_alias_is_refused_and_names_the_fix():
    error = refused_like_django(
        lambda: Piece.objects.alias(twice=models.F("n") * 2).aggregate(models.Sum("twice")),
        lambda: dj.Piece.objects.alias(twice=dm.F("n") * 2).aggregate(dm.Sum("twice")),
    )
    assert "annotate()" in str(error)
