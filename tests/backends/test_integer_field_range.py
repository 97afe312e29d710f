"""connection.ops.integer_field_range(): the range of each integer field type, the one its validators
enforce and its column holds on every database."""

import pytest

from relata import models
from relata.db import connection
from relata.exceptions import ValidationError


@pytest.mark.parametrize(
    "field",
    [models.SmallIntegerField(), models.IntegerField(), models.BigIntegerField(), models.PositiveIntegerField()],
    ids=lambda f: type(f).__name__,
)
def test_the_validators_enforce_the_range(field, relata_backend):
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    field.run_validators(low)
    field.run_validators(high)
    for outside in (low - 1, high + 1):
        with pytest.raises(ValidationError):
            field.run_validators(outside)


def test_auto_fields_share_their_integer_type_range(relata_backend):
    ops = connection.ops
    assert ops.integer_field_range("AutoField") == ops.integer_field_range("IntegerField")
    assert ops.integer_field_range("BigAutoField") == (-(2**63), 2**63 - 1)
    assert ops.integer_field_range("PositiveSmallIntegerField") == (0, 32767)


def test_a_non_integer_type_is_refused(relata_backend):
    with pytest.raises(ValueError, match="'CharField' is not an integer field type"):
        connection.ops.integer_field_range("CharField")
