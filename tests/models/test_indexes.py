"""Index and UniqueConstraint on expressions: the API as Django's, the schema made, and enforcement."""

import pytest

import oracle
import relata
from relata import exceptions, models
from relata.models import F, Q, functions
from relata.models.functions import Length, Lower, Upper
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models
from django.db.models import functions as dfunctions  # noqa: E402 (after oracle configures Django)


def declare(m, fn, base):
    class Tag(m.Model):
        name = m.CharField(max_length=40)
        rank = m.IntegerField(null=True, blank=True)
        note = m.CharField(max_length=40, null=True, blank=True)

        class Meta(base):
            indexes = [
                m.Index(fn.Lower("name"), name="tag_lower_idx"),
                m.Index(m.F("rank").desc(), "name", name="tag_rank_desc_idx"),
                m.Index(fields=["-rank"]),
                m.Index(fields=["note"], name="tag_note_cover_idx", include=["rank"]),
                m.Index(fields=["note"], name="tag_note_partial_idx", condition=m.Q(rank__gt=0)),
            ]
            constraints = [
                m.UniqueConstraint(
                    fn.Lower("name"),
                    name="tag_lower_name_uniq",
                    violation_error_message="Name %(name)s taken",
                    violation_error_code="taken",
                ),
                m.UniqueConstraint(
                    fn.Upper("note"),
                    "rank",
                    name="tag_note_rank_uniq",
                    condition=m.Q(rank__gte=10),
                ),
            ]

    return Tag


Tag = declare(models, functions, type("Meta", (), {"app_label": "m_indexes"}))
DTag = declare(dm, dfunctions, oracle.Meta("m_indexes"))

use_models(Tag)
oracle.use_django_models(DTag)


def features():
    return relata.connection.features


def index_names():
    return {i.name for i in relata.connection.introspection.get_indexes("m_indexes_tag")}


def clean_errors(model, **values):
    try:
        model(**values).full_clean()
    except exceptions.ValidationError as error:
        return error.message_dict
    except Exception as error:  # Django's own ValidationError
        return error.message_dict
    return None


def both(**values):
    ours, theirs = clean_errors(Tag, **values), clean_errors(DTag, **values)
    assert ours == theirs
    return ours


# -- the schema -----------------------------------------------------------------


def test_expression_indexes_are_made_where_the_database_has_them():
    names = index_names()
    expected = {"tag_note_cover_idx"}
    if features().supports_expression_indexes:
        expected |= {"tag_lower_idx", "tag_rank_desc_idx", "tag_lower_name_uniq"}
        if features().supports_partial_indexes:
            expected.add("tag_note_rank_uniq")
    if features().supports_partial_indexes:
        expected.add("tag_note_partial_idx")
    assert expected <= names
    # The auto-named index of fields=["-rank"] carries Django's derived name.
    assert Tag._meta.indexes[2].name == DTag._meta.indexes[2].name
    assert Tag._meta.indexes[2].name in names


def test_a_functional_unique_constraint_is_enforced_by_the_database():
    Tag.objects.create(name="Alpha")
    if not features().supports_expression_indexes:
        pytest.skip("no expression indexes here (MariaDB): Django makes no such constraint either")
    with pytest.raises(exceptions.IntegrityError):
        Tag.objects.create(name="ALPHA")


def test_a_conditional_functional_unique_constraint_only_covers_its_rows():
    if not (features().supports_expression_indexes and features().supports_partial_indexes):
        pytest.skip("no partial expression indexes here")
    Tag.objects.create(name="a", note="x", rank=5)
    Tag.objects.create(name="b", note="X", rank=5)
    Tag.objects.create(name="c", note="x", rank=10)
    with pytest.raises(exceptions.IntegrityError):
        Tag.objects.create(name="d", note="X", rank=10)


# -- validation: as Django ---------------------------------------------------------


def test_functional_unique_constraint_validates_as_django():
    for model in (Tag, DTag):
        model.objects.create(name="Alpha")
    assert both(name="ALPHA") == {"__all__": ["Name tag_lower_name_uniq taken"]}
    assert both(name="Beta") is None
    with pytest.raises(exceptions.ValidationError) as caught:
        Tag(name="alpha").validate_constraints()
    assert caught.value.error_dict["__all__"][0].code == "taken"


def test_a_saved_row_does_not_clash_with_itself():
    tag = Tag.objects.create(name="Alpha")
    tag.full_clean()
    tag.name = "ALPHA"
    tag.full_clean()


def test_excluded_fields_skip_the_constraints_that_read_them():
    Tag.objects.create(name="Alpha")
    Tag(name="alpha").full_clean(exclude={"name"})
    DTag.objects.create(name="Alpha")
    DTag(name="alpha").full_clean(exclude={"name"})


def test_conditional_functional_unique_validates_as_django():
    for model in (Tag, DTag):
        model.objects.create(name="a", note="x", rank=10)
    assert both(name="b", note="X", rank=10) == {"__all__": ["Constraint “tag_note_rank_uniq” is violated."]}
    assert both(name="c", note="X", rank=5) is None
    assert both(name="d", note="X", rank=11) is None


def test_conditional_validation_is_one_query():
    Tag.objects.create(name="a", note="x", rank=10)
    constraint = Tag._meta.constraints[1]
    with assert_num_queries(1), pytest.raises(exceptions.ValidationError):
        constraint.validate(Tag, Tag(name="b", note="X", rank=10))


def test_check_constraint_on_functions_validates_with_a_query():
    # Length, not Lower: MySQL compares text without regard to case.
    constraint = models.CheckConstraint(condition=Q(rank__gte=Length("name")), name="rank_covers_name")
    with assert_num_queries(1):
        constraint.validate(Tag, Tag(name="abc", rank=3))
    with pytest.raises(exceptions.ValidationError, match="rank_covers_name"):
        constraint.validate(Tag, Tag(name="abcd", rank=3))
    constraint.validate(Tag, Tag(name="abcd", rank=3), exclude={"name"})
    constraint.validate(Tag, Tag(name="abcd", rank=3), exclude={"rank"})


def test_check_constraint_null_passes_as_in_sql():
    constraint = models.CheckConstraint(condition=Q(rank__gt=0), name="positive_rank")
    constraint.validate(Tag, Tag(name="x", rank=None))
    with pytest.raises(exceptions.ValidationError):
        constraint.validate(Tag, Tag(name="x", rank=-1))


def test_values_reach_the_check_as_parameters():
    hostile = "x'); DROP TABLE m_indexes_tag; --"
    constraint = models.CheckConstraint(condition=Q(rank__gte=Length("name")), name="rank_covers_name")
    with pytest.raises(exceptions.ValidationError):
        constraint.validate(Tag, Tag(name=hostile, rank=1))
    constraint.validate(Tag, Tag(name=hostile, rank=len(hostile)))
    assert Tag.objects.count() == 0  # the table is still there


# -- the API ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fields": "title"}, "Index.fields must be a list or tuple."),
        ({"fields": [F("title")]}, "Index.fields must contain only strings with field names."),
        ({}, "At least one field or expression is required to define an index."),
        ({"opclasses": ["x"]}, "An index must be named to use opclasses."),
        ({"fields": ["a"], "name": "i", "opclasses": "x"}, "Index.opclasses must be a list or tuple."),
        ({"fields": ["a", "b"], "name": "i", "opclasses": ["x"]}, "must have the same number of elements"),
        ({"condition": Q(a__gt=1)}, "An index must be named to use condition."),
        ({"condition": "a > 1", "name": "i"}, "Index.condition must be a Q instance."),
        ({"fields": ["a"], "include": ["b"]}, "A covering index must be named."),
        ({"fields": ["a"], "name": "i", "include": "b"}, "Index.include must be a list or tuple."),
    ],
)
def test_index_refuses_what_django_refuses(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        models.Index(**kwargs)
    with pytest.raises(ValueError):
        dm.Index(**kwargs)


def test_index_expressions_refusals():
    with pytest.raises(ValueError, match="mutually exclusive"):
        models.Index(Upper("a"), fields=["a"])
    with pytest.raises(ValueError, match="must be named to use expressions"):
        models.Index(Lower("a"))
    with pytest.raises(ValueError, match="opclasses cannot be used with expressions"):
        models.Index(Lower("a"), name="i", opclasses=["x"])


def test_index_repr_deconstruct_clone_eq_as_django():
    ours = models.Index(Lower("title"), "subtitle", name="book_func_idx")
    assert repr(ours) == "<Index: expressions=(Lower(F(title)), F(subtitle)) name='book_func_idx'>"
    partial = models.Index(fields=["title"], name="long_idx", condition=Q(pages__gt=400))
    theirs = dm.Index(fields=["title"], name="long_idx", condition=dm.Q(pages__gt=400))
    assert repr(partial) == repr(theirs)
    cover = models.Index(fields=["title"], name="inc", include=["author"], db_tablespace="t")
    assert repr(cover) == repr(dm.Index(fields=["title"], name="inc", include=["author"], db_tablespace="t"))
    path, args, kwargs = ours.deconstruct()
    assert (
        path == "relata.models.Index"
        and args == (Lower("title"), F("subtitle"))
        and kwargs == {"name": "book_func_idx"}
    )
    assert cover.deconstruct()[2] == {"fields": ["title"], "name": "inc", "db_tablespace": "t", "include": ("author",)}
    assert ours.clone() == ours and ours.clone() is not ours
    assert models.Index(Lower("title"), F("author"), name="x") == models.Index(Lower("title"), "author", name="x")
    assert models.Index(Lower("title"), name="x") != models.Index(Upper("title"), name="x")


def test_index_names_derive_as_django():
    for fields in (["name"], ["-rank"], ["rank", "name"], ["note"]):
        ours, theirs = models.Index(fields=fields), dm.Index(fields=fields)
        ours.set_name_with_model(Tag)
        theirs.set_name_with_model(DTag)
        assert ours.name == theirs.name
    long_suffix = models.Index(fields=["name"])
    long_suffix.suffix = "suffixx"
    with pytest.raises(ValueError, match="Index too long"):
        long_suffix.set_name_with_model(Tag)


def test_unique_constraint_api_as_django():
    ours = models.UniqueConstraint(
        Lower("name"), name="u", nulls_distinct=False, violation_error_code="c", violation_error_message="m"
    )
    theirs = dm.UniqueConstraint(
        dfunctions.Lower("name"), name="u", nulls_distinct=False, violation_error_code="c", violation_error_message="m"
    )
    assert repr(ours) == repr(theirs)
    deferred = models.UniqueConstraint(fields=["a"], name="d", deferrable=models.Deferrable.DEFERRED)
    assert repr(deferred) == repr(dm.UniqueConstraint(fields=["a"], name="d", deferrable=dm.Deferrable.DEFERRED))
    assert deferred.deconstruct()[2] == {"fields": ("a",), "name": "d", "deferrable": models.Deferrable.DEFERRED}
    assert ours.clone() == ours
    assert ours != models.UniqueConstraint(Lower("name"), name="u")
    with pytest.raises(ValueError, match="cannot be deferred"):
        models.UniqueConstraint(Lower("a"), name="x", deferrable=models.Deferrable.DEFERRED)
    with pytest.raises(TypeError, match="must be a Deferrable instance"):
        models.UniqueConstraint(fields=["a"], name="x", deferrable="deferred")
    with pytest.raises(TypeError, match="nulls_distinct must be a bool"):
        models.UniqueConstraint(fields=["a"], name="x", nulls_distinct="no")
    with pytest.raises(ValueError, match="mutually exclusive"):
        models.UniqueConstraint(Lower("a"), fields=["a"], name="x")


def test_check_constraint_repr_as_django():
    ours = models.CheckConstraint(condition=Q(price__gt=F("cost")), name="p", violation_error_code="c")
    theirs = dm.CheckConstraint(condition=dm.Q(price__gt=dm.F("cost")), name="p", violation_error_code="c")
    assert repr(ours) == repr(theirs)


def test_bad_opclass_is_refused_before_any_sql():
    from relata.models.schema import index_spec

    index = models.Index(fields=["name"], name="op_idx", opclasses=["text_pattern_ops; DROP TABLE x"])
    with pytest.raises(ValueError, match="operator class"):
        index_spec(Tag, index, relata.connection)


def test_boolean_expression_wrapper_is_a_check_condition_as_in_django():
    from relata.models import BooleanField, ExpressionWrapper

    condition = ExpressionWrapper(Q(rank__gt=500) | Q(rank__lt=500), output_field=BooleanField())
    constraint = models.CheckConstraint(condition=condition, name="rank_not_500")
    with pytest.raises(exceptions.ValidationError, match="rank_not_500"):
        constraint.validate(Tag, Tag(name="x", rank=500))
    constraint.validate(Tag, Tag(name="x", rank=501))
    constraint.validate(Tag, Tag(name="x", rank=500), exclude={"rank"})
    assert list(Tag.objects.filter(condition)) == []
    with pytest.raises(TypeError, match="Q instance or boolean expression"):
        models.CheckConstraint(condition=ExpressionWrapper(F("rank"), output_field=models.IntegerField()), name="x")
