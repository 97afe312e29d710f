"""Meta.indexes and Meta.constraints: created in the database, enforced, and validated by full_clean."""

import pytest

import oracle
import relata
from relata import exceptions, models
from relata.testing.pytest_plugin import use_models

dm = oracle.models


def declare(m, base):
    class Pair(m.Model):
        low = m.IntegerField()
        high = m.IntegerField()
        code = m.CharField(max_length=5, null=True, blank=True)

        class Meta(base):
            indexes = [m.Index(fields=["low", "-high"]), m.Index(fields=["code"], name="code_idx")]
            constraints = [
                m.CheckConstraint(condition=m.Q(low__lte=m.F("high")), name="low_le_high"),
                m.UniqueConstraint(fields=["low", "high"], name="uniq_pair"),
                m.UniqueConstraint(fields=["code"], condition=m.Q(low__gt=0), name="uniq_code_pos"),
            ]

    return Pair


Pair = declare(models, type("Meta", (), {"app_label": "m_constraints"}))
DPair = declare(dm, oracle.Meta("m_constraints"))

use_models(Pair)
oracle.use_django_models(DPair)


def rows():
    return sorted(Pair.objects.values_list("low", "high", "code"))


def clean_errors(model, **values):
    try:
        model(**values).full_clean()
    except Exception as error:
        return error.message_dict
    return None


def both(**values):
    ours, theirs = clean_errors(Pair, **values), clean_errors(DPair, **values)
    assert ours == theirs
    return ours


def test_indexes_exist_in_the_database():
    indexes = {i.name: i for i in relata.connection.introspection.get_indexes("m_constraints_pair")}
    assert indexes["code_idx"].columns == ("code",) and not indexes["code_idx"].unique
    assert any(i.columns == ("low", "high") and not i.unique for i in indexes.values())
    if relata.connection.features.supports_partial_indexes:
        assert indexes["uniq_code_pos"].unique


def test_check_constraint_validated_and_enforced():
    assert both(low=2, high=1) == {"__all__": ["Constraint “low_le_high” is violated."]}
    with pytest.raises(exceptions.IntegrityError):
        Pair.objects.create(low=2, high=1)
    assert rows() == []


def test_unique_constraint_validated_once_and_enforced():
    Pair.objects.create(low=1, high=2)
    DPair.objects.create(low=1, high=2)
    assert both(low=1, high=2) == {"__all__": ["Pair with this Low and High already exists."]}
    with pytest.raises(exceptions.IntegrityError):
        Pair.objects.create(low=1, high=2)
    assert rows() == [(1, 2, None)]


def test_conditional_unique_constraint_only_where_the_condition_holds():
    for model in (Pair, DPair):
        model.objects.create(low=5, high=6, code="x")
    assert both(low=7, high=8, code="x") == {"__all__": ["Constraint “uniq_code_pos” is violated."]}
    assert both(low=-1, high=8, code="x") is None
    if not relata.connection.features.supports_partial_indexes:
        return  # MySQL: as in Django, only full_clean() checks a conditional constraint
    with pytest.raises(exceptions.IntegrityError):
        Pair.objects.create(low=7, high=8, code="x")
    Pair.objects.create(low=-1, high=8, code="x")
    Pair.objects.create(low=-2, high=8, code="x")
    assert rows() == [(-2, 8, "x"), (-1, 8, "x"), (5, 6, "x")]


def test_saved_instance_does_not_violate_its_own_constraints():
    pair = Pair.objects.create(low=5, high=6, code="x")
    pair.full_clean()


def test_constraint_needs_a_name():
    with pytest.raises((TypeError, ValueError)):
        models.UniqueConstraint(fields=["low"])
    with pytest.raises(TypeError, match="Q instance or boolean expression"):
        models.CheckConstraint(condition="low < high", name="bad")


def test_deprecated_spellings_of_django_5_2_still_work_and_warn():
    import warnings

    from relata.deprecation import RemovedInDjango60Warning
    from relata.models.constraints import BaseConstraint

    condition = models.Q(price__gt=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        constraint = models.CheckConstraint(name="positive", check=condition)
        assert constraint.condition is condition and constraint.check is condition
        constraint.check = ~condition
        assert constraint.condition == ~condition
        positional = BaseConstraint("named", "custom %(name)s message")
    assert [w.category for w in caught] == [RemovedInDjango60Warning] * 4
    assert {w.filename for w in caught} == {__file__}
    assert positional.get_violation_error_message() == "custom named message"
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'name'"):
        BaseConstraint()
