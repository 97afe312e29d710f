"""Every scalar field: values round-trip with the right Python type, and each option works."""

import copy
import datetime
import decimal
import uuid

import pytest

import relata
from relata import exceptions, models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

UTC = datetime.UTC
PLUS2 = datetime.timezone(datetime.timedelta(hours=2))


def next_counter():
    next_counter.value += 1
    return next_counter.value


next_counter.value = 0


class Everything(models.Model):
    small = models.SmallIntegerField(null=True)
    integer = models.IntegerField(null=True)
    big = models.BigIntegerField(null=True)
    positive = models.PositiveIntegerField(null=True)
    floating = models.FloatField(null=True)
    money = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    flag = models.BooleanField(null=True)
    char = models.CharField(max_length=20, null=True)
    text = models.TextField(null=True)
    email = models.EmailField(null=True)
    slug = models.SlugField(null=True)
    day = models.DateField(null=True)
    moment = models.DateTimeField(null=True)
    clock = models.TimeField(null=True)
    span = models.DurationField(null=True)
    ident = models.UUIDField(null=True)
    blob = models.BinaryField(null=True)
    doc = models.JSONField(null=True)

    class Meta:
        app_label = "m_fields"


class Options(models.Model):
    code = models.CharField("the code", max_length=5, unique=True, help_text="short code")
    size = models.CharField(max_length=1, choices=[("S", "Small"), ("L", "Large")], default="S")
    counter = models.IntegerField(default=next_counter)
    tags = models.JSONField(default=list)
    legacy = models.IntegerField(db_column="old_col", default=0, db_index=True)
    hidden = models.CharField(max_length=5, editable=False, default="")
    even = models.IntegerField(default=0, validators=[lambda v: _require_even(v)])

    class Meta:
        app_label = "m_fields"


def _require_even(value):
    if value % 2:
        raise exceptions.ValidationError("%(value)s is odd.", code="odd", params={"value": value})


class Keyed(models.Model):
    key = models.UUIDField(primary_key=True, default=uuid.uuid4)
    note = models.CharField(max_length=10, blank=True)

    class Meta:
        app_label = "m_fields"


use_models(Everything, Options, Keyed)


VALUES = {
    "small": -32768,
    "integer": 2147483647,
    "big": 9223372036854775807,
    "positive": 0,
    "floating": 1.5,
    "money": decimal.Decimal("123456.78"),
    "flag": False,
    "char": "héllo wörld",
    "text": "x" * 5000,
    "email": "a@example.com",
    "slug": "a-slug",
    "day": datetime.date(2024, 2, 29),
    "moment": datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=UTC),
    "clock": datetime.time(13, 14, 15, 16),
    "span": datetime.timedelta(days=-1, hours=3, microseconds=7),
    "ident": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "blob": b"\x00\x01binary\xff",
    "doc": {"a": [1, 2.5, None, True], "b": {"c": "d"}},
}


def test_every_field_round_trips_with_its_type():
    Everything.objects.create(**VALUES)
    loaded = Everything.objects.get()
    for name, value in VALUES.items():
        got = getattr(loaded, name)
        assert got == value, name
        assert type(got) is type(value), name


def test_values_and_values_list_convert_too():
    Everything.objects.create(**VALUES)
    row = Everything.objects.values(*VALUES).get()
    assert row == VALUES
    assert [type(v) for v in row.values()] == [type(v) for v in VALUES.values()]
    assert Everything.objects.values_list("day", flat=True).get() == VALUES["day"]


def test_nulls_round_trip():
    Everything.objects.create()
    loaded = Everything.objects.get()
    for name in VALUES:
        assert getattr(loaded, name) is None, name


@pytest.mark.parametrize("name", [n for n in VALUES if n not in ("blob", "doc", "text")])
def test_each_value_can_be_filtered_on(name):
    Everything.objects.create(**VALUES)
    Everything.objects.create()
    assert Everything.objects.filter(**{name: VALUES[name]}).count() == 1


def test_decimal_is_quantized_to_decimal_places():
    Everything.objects.create(money=decimal.Decimal("1.5"))
    assert str(Everything.objects.get().money) == "1.50"


def test_boolean_true_and_json_scalars():
    Everything.objects.create(flag=True, doc=[1, "two"])
    Everything.objects.create(flag=False, doc="just a string")
    assert list(Everything.objects.order_by("pk").values_list("flag", "doc")) == [
        (True, [1, "two"]),
        (False, "just a string"),
    ]


def test_aware_datetime_stays_aware():
    moment = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=PLUS2)
    obj = Everything.objects.create(moment=moment)
    loaded = Everything.objects.get(pk=obj.pk).moment
    assert loaded.tzinfo is not None
    assert loaded == moment  # the same instant
    assert loaded.utcoffset() == datetime.timedelta(0)


def test_naive_datetime_stays_naive():
    moment = datetime.datetime(2024, 5, 6, 7, 8, 9)
    Everything.objects.create(moment=moment)
    loaded = Everything.objects.get().moment
    if relata.connection.features.can_return_naive_datetimes:
        assert loaded.tzinfo is None and loaded == moment
    else:  # PostgreSQL and MySQL store an instant: a naive value is taken as UTC.
        assert loaded == moment.replace(tzinfo=UTC)


def test_aware_datetime_filter_matches_same_instant():
    Everything.objects.create(moment=datetime.datetime(2024, 5, 6, 7, 0, tzinfo=PLUS2))
    assert Everything.objects.filter(moment=datetime.datetime(2024, 5, 6, 5, 0, tzinfo=UTC)).count() == 1


def test_integer_field_rejects_text_with_field_name():
    with pytest.raises(ValueError, match="Field 'integer' expected a number but got 'abc'"):
        Everything.objects.create(integer="abc")
    with pytest.raises(ValueError, match="expected a number"):
        Everything.objects.filter(integer="abc").count()
    assert Everything.objects.count() == 0


def test_field_attributes_are_kept():
    code = Options._meta.get_field("code")
    assert (code.verbose_name, code.help_text, code.unique, code.max_length) == ("the code", "short code", True, 5)
    assert Options._meta.get_field("size").verbose_name == "size"
    assert Options._meta.get_field("hidden").editable is False
    assert Options._meta.get_field("legacy").column == "old_col"


def test_callable_default_is_called_per_instance():
    a, b = Options(code="a"), Options(code="b")
    assert b.counter == a.counter + 1
    assert a.tags == [] and a.tags is not b.tags


def test_db_column_is_used_in_sql_and_reads_back():
    with assert_num_queries(1) as captured:
        Options.objects.create(code="a", legacy=7)
    assert relata.connection.ops.quote_name("old_col") in captured[0].sql
    assert Options.objects.filter(legacy=7).values_list("legacy", flat=True).get() == 7
    columns = [c.name for c in relata.connection.introspection.get_columns("m_fields_options")]
    assert "old_col" in columns and "legacy" not in columns


def test_db_index_and_unique_create_indexes():
    indexes = relata.connection.introspection.get_indexes("m_fields_options")
    assert any(i.columns == ("old_col",) and not i.unique for i in indexes)
    assert any(i.columns == ("code",) and i.unique for i in indexes)


def test_unique_violation_is_integrity_error_and_leaves_first_row():
    Options.objects.create(code="a")
    with pytest.raises(exceptions.IntegrityError):
        Options.objects.create(code="a")
    assert Options.objects.count() == 1


def test_choices_display():
    obj = Options(code="a", size="L")
    assert obj.get_size_display() == "Large"
    obj.size = "X"
    assert obj.get_size_display() == "X"


def test_uuid_primary_key_with_default():
    obj = Keyed.objects.create()
    assert isinstance(obj.key, uuid.UUID)
    assert Keyed.objects.get(pk=obj.key) == obj
    assert Keyed.objects.get(pk=str(obj.key)) == obj


def test_not_null_column_rejects_none_and_writes_nothing():
    with pytest.raises(exceptions.IntegrityError):
        Options.objects.create(code=None)
    assert Options.objects.count() == 0


def test_charfield_without_max_length_is_refused_with_a_hint():
    with pytest.raises(exceptions.ImproperlyConfigured) as info:

        class NoLength(models.Model):
            title = models.CharField()

            class Meta:
                app_label = "m_fields"

    message = str(info.value)
    assert "NoLength.title" in message and "max_length" in message and "TextField" in message


def test_charfield_with_bad_max_length_is_refused():
    with pytest.raises(exceptions.ImproperlyConfigured, match="positive integer"):

        class BadLength(models.Model):
            title = models.CharField(max_length=0)

            class Meta:
                app_label = "m_fields"


def test_a_copied_field_is_a_new_field():
    # copy.copy() must not follow pickling's __reduce__ (which names the model's own field).
    field = Everything._meta.get_field("money")
    clone = copy.copy(field)
    assert clone is not field and clone == field
    clone.decimal_places = None
    assert field.decimal_places == Everything._meta.get_field("money").decimal_places is not None


def test_a_computed_decimal_leaves_its_field_rounding():
    # Reading F("money") * 2 unrounded must not unround what later saves and reads of the column do.
    Everything.objects.create(money=decimal.Decimal("1.25"))
    list(Everything.objects.annotate(x=models.F("money") * decimal.Decimal("1.5")).values_list("x", flat=True))
    Everything.objects.update(money=decimal.Decimal("1.255"))
    assert Everything.objects.values_list("money", flat=True).get() == decimal.Decimal("1.26")
