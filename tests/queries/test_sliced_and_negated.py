"""`F("name")[a:b]` (characters of a text field) and `~F("flag")` (NOT of a boolean), compared with Django.

Each case runs twice with different values, so a cached statement that kept the first call's values would show.
"""

import pytest

import oracle
from relata import exceptions, models
from relata.testing.pytest_plugin import use_models

dm = oracle.models


def declare(m, base):
    class Firm(m.Model):
        name = m.CharField(max_length=30)
        staff = m.IntegerField()
        in_eu = m.BooleanField()
        boss = m.ForeignKey("self", m.SET_NULL, null=True)

        class Meta(base):
            app_label = "q_sliced"

    return Firm


Firm = declare(models, object)
DFirm = declare(dm, oracle.Meta("q_sliced"))
use_models(Firm)
oracle.use_django_models(DFirm)

ROWS = [("Example Inc.", 2300, True), ("Foobar Ltd.", 3, False), ("Test GmbH", 32, True), ("Ex", 7, False)]


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows, _django_clean_rows):
    for model in (Firm, DFirm):
        made = [model.objects.create(name=name, staff=staff, in_eu=in_eu) for name, staff, in_eu in ROWS]
        model.objects.filter(pk=made[1].pk).update(boss=made[3])


def sliced(M, m, subscript):
    return sorted(M.objects.annotate(part=m.F("name")[subscript]).values_list("name", "part"))


CASES = {
    "slice_prefix": lambda M, m, v: sliced(M, m, slice(None, v)),
    "slice_suffix": lambda M, m, v: sliced(M, m, slice(v, None)),
    "slice_middle": lambda M, m, v: sliced(M, m, slice(v, v + 3)),
    "index": lambda M, m, v: sliced(M, m, v),
    "slice_in_filter": lambda M, m, v: sorted(
        M.objects.filter(name__startswith=m.F("boss__name")[:v]).values_list("name", flat=True)
    ),
    "slice_of_outer_ref": lambda M, m, v: sorted(
        M.objects.filter(
            m.Exists(M.objects.filter(name__startswith=m.OuterRef("name")[:v]).exclude(pk=m.OuterRef("pk")))
        ).values_list("name", flat=True)
    ),
    "negated_field_in_filter": lambda M, m, v: sorted(
        M.objects.filter(~m.F("in_eu"), staff__gt=v).values_list("name", flat=True)
    ),
    "negated_value_annotation": lambda M, m, v: sorted(
        M.objects.annotate(flag=~m.Value(v > 5)).filter(in_eu=m.F("flag")).values_list("name", "flag")
    ),
    "double_negation": lambda M, m, v: sorted(
        M.objects.filter(in_eu=~~m.F("in_eu"), staff__gt=v).values_list("name", flat=True)
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_same_answers_as_django(case):
    for value in (1, 3, 2):
        assert CASES[case](Firm, models, value) == CASES[case](DFirm, dm, value), value


def test_update_with_negated_field_flips_each_row():
    Firm.objects.filter(staff__lt=100).update(in_eu=~models.F("in_eu"))
    DFirm.objects.filter(staff__lt=100).update(in_eu=~dm.F("in_eu"))
    assert sorted(Firm.objects.values_list("name", "in_eu")) == sorted(DFirm.objects.values_list("name", "in_eu"))


def test_negation_is_its_own_inverse():
    flag = models.F("in_eu")
    assert ~flag == models.expressions.NegatedExpression(flag)
    assert ~~flag == flag and ~~flag is not flag


@pytest.mark.parametrize(
    ("subscript", "error", "message"),
    [
        (slice(0, -4), ValueError, "Negative indexing"),
        (-1, ValueError, "Negative indexing"),
        (slice(4, 2), ValueError, "stop must be greater"),
        (slice(None, None, 2), ValueError, "Step"),
        ("a", TypeError, "int or slice"),
    ],
)
def test_bad_subscripts_are_refused_before_any_sql(subscript, error, message):
    with pytest.raises(error, match=message):
        models.F("name")[subscript]


def test_slicing_a_number_or_negating_text_names_the_field():
    with pytest.raises(exceptions.NotSupportedError, match="IntegerField"):
        Firm.objects.update(staff=models.F("staff")[:2])
    with pytest.raises(TypeError, match="CharField"):
        Firm.objects.update(in_eu=~models.F("name"))
    assert sorted(Firm.objects.values_list("staff", flat=True)) == [3, 7, 32, 2300]


def test_a_field_reference_is_not_iterable():
    """F() can be indexed (a slice), but `in` and iteration must fail at once, not index without end."""
    with pytest.raises(TypeError, match="not iterable"):
        "" in models.F("name")  # noqa: B015
    with pytest.raises(TypeError, match="not iterable"):
        list(models.OuterRef("name"))
