"""DjangoJSONEncoder writes what Django's writes (compared value by value)."""

import datetime
import decimal
import json
import uuid

import pytest
from django.core.serializers.json import DjangoJSONEncoder as TheirEncoder

import oracle  # noqa: F401 (configures Django)
from relata.serializers.json import DjangoJSONEncoder

UTC = datetime.UTC
VALUES = [
    datetime.datetime(2024, 1, 2, 3, 4, 5),
    datetime.datetime(2024, 1, 2, 3, 4, 5, 123456),
    datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
    datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
    datetime.date(2024, 2, 29),
    datetime.time(1, 2, 3),
    datetime.time(1, 2, 3, 456789),
    datetime.timedelta(days=1, hours=2, minutes=3, seconds=4),
    datetime.timedelta(microseconds=5),
    -datetime.timedelta(days=1, seconds=1),
    decimal.Decimal("12.50"),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    {"nested": [decimal.Decimal("1"), datetime.date(2000, 1, 1)]},
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_same_text_as_django(value):
    assert json.dumps(value, cls=DjangoJSONEncoder) == json.dumps(value, cls=TheirEncoder)


def test_aware_times_and_unknown_types_are_refused():
    with pytest.raises(ValueError, match="timezone-aware times"):
        json.dumps(datetime.time(1, 2, tzinfo=UTC), cls=DjangoJSONEncoder)
    with pytest.raises(TypeError, match="not JSON serializable"):
        json.dumps(object(), cls=DjangoJSONEncoder)
