"""checks.run_checks() on field names a query could not spell: fields.E001-E003, as in Django."""

from __future__ import annotations

import pytest

import oracle
from relata import checks, models


def relata_messages(model):
    return {(m.obj.name, m.id): m for m in checks.run_checks(models=[model]) if m.id < "fields.E1"}


def django_messages(model):
    return {(e.obj.name, e.id): e for e in model.check() if e.id and e.id < "fields.E1"}


def define(m, meta_base, label, **fields):
    meta = type("Meta", (meta_base,), {"app_label": label}) if meta_base else type("Meta", (), {"app_label": label})
    return type("Shelf", (m.Model,), {"__module__": __name__, "Meta": meta, **fields})


@pytest.mark.parametrize(
    ("name", "expected_id"),
    [("title_", "fields.E001"), ("shelf__title", "fields.E002"), ("pk", "fields.E003"), ("title", None)],
)
def test_field_name_errors_match_django(name, expected_id):
    label = f"ck_name_{expected_id or 'ok'}".replace(".", "_")
    ours = define(models, None, label, **{name: models.CharField(max_length=20)})
    theirs = define(oracle.models, oracle.Meta(label), label, **{name: oracle.models.CharField(max_length=20)})
    found, expected = relata_messages(ours), django_messages(theirs)
    assert sorted(found) == sorted(expected)
    if expected_id is None:
        assert found == {}
        return
    message = found[(name, expected_id)]
    assert message.msg == expected[(name, expected_id)].msg
    assert message.level == checks.ERROR
    assert f"{label}.Shelf.{name}" in message.hint


def test_model_with_a_double_underscore_field_still_builds_instances():
    Odd = define(models, None, "ck_name_odd", **{"a__b": models.IntegerField(default=3)})
    odd = Odd()
    assert odd.a__b == 3
    assert Odd(**{"a__b": 4}).a__b == 4
