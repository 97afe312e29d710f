"""A plain Python value in an expression takes the field its type implies (Value, When(then=...)), as in Django."""

import datetime
import uuid
from decimal import Decimal

import pytest

import oracle
from relata import models
from relata.testing.pytest_plugin import use_models

dm = oracle.models


def declare(m, base):
    class Ticket(m.Model):
        number = m.IntegerField()
        code = m.UUIDField(null=True)
        blob = m.BinaryField(null=True)

        class Meta(base):
            app_label = "q_value_types"

    return Ticket


Ticket = declare(models, object)
DTicket = declare(dm, oracle.Meta("q_value_types"))
use_models(Ticket)
oracle.use_django_models(DTicket)


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows, _django_clean_rows):
    for model in (Ticket, DTicket):
        for number in (1, 2, 3):
            model.objects.create(id=number, number=number)


def table(model):
    return [
        (n, c, bytes(b) if b is not None else None)
        for n, c, b in model.objects.order_by("pk").values_list("number", "code", "blob")
    ]


@pytest.mark.parametrize("seed", [1, 7])
def test_case_of_uuids_and_bytes_in_update(seed):
    for model, m in ((Ticket, models), (DTicket, dm)):
        model.objects.update(
            code=m.Case(m.When(number=1, then=uuid.UUID(int=seed)), m.When(number=2, then=uuid.UUID(int=seed + 1))),
            blob=m.Case(m.When(number=1, then=bytes([seed])), default=m.Value(None)),
        )
    assert table(Ticket) == table(DTicket)


@pytest.mark.parametrize(
    "value",
    [uuid.UUID(int=5), b"\x00raw", Decimal("1.50"), datetime.timedelta(hours=2), datetime.date(2020, 2, 29)]
    + [7, "s", 2.5],
    ids=repr,
)
def test_a_value_annotation_reads_back_as_its_type(value):
    ours = Ticket.objects.annotate(v=models.Value(value)).values_list("v", flat=True).first()
    theirs = DTicket.objects.annotate(v=dm.Value(value)).values_list("v", flat=True).first()
    assert type(ours) is type(theirs)
    assert ours == theirs
