"""Custom fields through Django's documented API: from_db_value, get_prep_value, db_type, descriptor_class."""

import decimal

import pytest

import relata
from relata import models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models


class Cash(decimal.Decimal):
    currency = "EUR"


class CashField(models.DecimalField):
    def __init__(self, **kwargs):
        kwargs.update(max_digits=12, decimal_places=2)
        super().__init__(**kwargs)

    def from_db_value(self, value, expression, connection):
        CashField.calls.append((value, expression, connection))
        if value is None:
            return Cash("0")
        cash = Cash(value)
        cash.vendor = connection.vendor
        return cash


CashField.calls = []


class Tags:
    """A value a custom field stores as comma-separated text."""

    def __init__(self, *names):
        self.names = list(names)

    def __eq__(self, other):
        return isinstance(other, Tags) and self.names == other.names


class TagsField(models.TextField):
    def from_db_value(self, value, expression, connection):
        return None if value is None else Tags(*value.split(","))

    def to_python(self, value):
        if isinstance(value, Tags) or value is None:
            return value
        return Tags(*value.split(","))

    def get_prep_value(self, value):
        return None if value is None else ",".join(value.names)


class UpperDbPrepField(models.CharField):
    def get_db_prep_value(self, value, connection, prepared=False):
        return None if value is None else value.upper()


class Wallet(models.Model):
    cash = CashField()
    spare = CashField(null=True)
    tags = TagsField(null=True)
    shout = UpperDbPrepField(max_length=20, default="")

    class Meta:
        app_label = "m_custom_fields"


class Payment(models.Model):
    wallet = models.ForeignKey(Wallet, models.CASCADE)
    amount = models.IntegerField(default=0)

    class Meta:
        app_label = "m_custom_fields"


use_models(Wallet, Payment)


@pytest.fixture(autouse=True)
def _no_calls():
    CashField.calls.clear()


def test_from_db_value_on_load_values_values_list_and_defer():
    Wallet.objects.create(cash="12.50")
    loaded = Wallet.objects.get()
    assert isinstance(loaded.cash, Cash) and loaded.cash == decimal.Decimal("12.50")
    assert loaded.cash.vendor == relata.connection.vendor
    assert isinstance(Wallet.objects.values("cash").get()["cash"], Cash)
    assert isinstance(Wallet.objects.values_list("cash", flat=True).get(), Cash)
    deferred = Wallet.objects.defer("cash").get()
    with assert_num_queries(1):
        assert isinstance(deferred.cash, Cash)


def test_from_db_value_sees_nulls_as_django_does():
    Wallet.objects.create(cash="1")
    loaded = Wallet.objects.get()
    assert loaded.spare == Cash("0")  # the field turned NULL into a value
    assert (None, Wallet._meta.get_field("spare")) in [(v, e) for v, e, _c in CashField.calls]


def test_from_db_value_on_aggregates_and_across_relations():
    wallet = Wallet.objects.create(cash="3.00")
    Wallet.objects.create(cash="7.25")
    assert isinstance(Wallet.objects.aggregate(m=models.Max("cash"))["m"], Cash)
    Payment.objects.create(wallet=wallet)
    assert isinstance(Payment.objects.values_list("wallet__cash", flat=True).get(), Cash)
    assert isinstance(Payment.objects.select_related("wallet").get().wallet.cash, Cash)


def test_to_python_and_get_prep_value_round_trip():
    wallet = Wallet.objects.create(cash="1", tags=Tags("a", "b"))
    assert Wallet.objects.get(pk=wallet.pk).tags == Tags("a", "b")
    assert Wallet.objects.filter(tags=Tags("a", "b")).count() == 1
    assert Wallet._meta.get_field("tags").clean("x,y", wallet) == Tags("x", "y")


def test_get_db_prep_value_is_used_on_save():
    Wallet.objects.create(cash="1", shout="quiet")
    assert Wallet.objects.values_list("shout", flat=True).get() == "QUIET"


def test_plain_fields_get_no_converter_call():
    # The loader calls a converter only where one is needed: a plain integer column has none.
    converter = Payment._meta.get_field("amount").from_db_converter(relata.connection)
    assert converter is None or not getattr(converter, "takes_none", False)
    assert getattr(Wallet._meta.get_field("cash").from_db_converter(relata.connection), "takes_none", False)


# -- db_type -------------------------------------------------------------------------------


class PointField(models.Field):
    def db_type(self, connection):
        return "varchar(40)"

    def from_db_value(self, value, expression, connection):
        return None if value is None else tuple(float(p) for p in value.split(";"))

    def get_prep_value(self, value):
        return None if value is None else f"{value[0]};{value[1]}"


class Place(models.Model):
    where = PointField(null=True)

    class Meta:
        app_label = "m_custom_fields_db_type"


use_models(Wallet, Payment, Place)


def test_db_type_sets_the_column_type():
    from relata.models.schema import table_spec

    [column] = [c for c in table_spec(Place, relata.connection).columns if c.name == "where"]
    assert relata.connection.schema_editor().column_type(column) == "varchar(40)"
    field = Place._meta.get_field("where")
    assert field.db_parameters(relata.connection) == {"type": "varchar(40)", "check": None}
    place = Place.objects.create(where=(1.5, 2.0))
    assert Place.objects.get(pk=place.pk).where == (1.5, 2.0)


def test_db_parameters_of_builtin_fields():
    field = Payment._meta.get_field("amount")
    params = field.db_parameters(relata.connection)
    assert params["type"] == relata.connection.schema_editor().column_type(field.column_spec())
    positive = models.PositiveIntegerField(name="n")
    positive.set_attributes_from_name("n")
    assert positive.db_check(relata.connection) == f"{relata.connection.ops.quote_name('n')} >= 0"


# -- descriptor_class ----------------------------------------------------------------------


class CountingDescriptor(models.DeferredAttribute):
    def __get__(self, instance, owner=None):
        if instance is not None:
            instance.__dict__.setdefault("gets", 0)
            instance.__dict__["gets"] += 1
        return super().__get__(instance, owner)

    def __set__(self, instance, value):
        instance.__dict__["sets"] = instance.__dict__.get("sets", 0) + 1
        instance.__dict__[self.field.attname] = value


class CountedField(models.CharField):
    descriptor_class = CountingDescriptor


class Counted(models.Model):
    name = CountedField(max_length=10, default="x")

    class Meta:
        app_label = "m_custom_fields_descriptor"


def test_descriptor_class_gets_the_first_value_through_set():
    item = Counted()
    assert item.sets == 1 and "gets" not in item.__dict__
    item.name = "y"
    assert item.sets == 2 and item.name == "y" and item.gets == 1
    assert Counted(name="z").sets == 1
    positional = Counted(None, "pos")
    assert positional.sets == 1 and positional.name == "pos"


# -- a custom auto field -------------------------------------------------------------------


class Ticket(int):
    """An id a custom auto field hands out."""


class TicketField(models.BigAutoField):
    def from_db_value(self, value, expression, connection):
        return None if value is None else Ticket(value)


class OnlyKey(models.Model):
    id = TicketField(primary_key=True)

    class Meta:
        app_label = "m_custom_fields_auto"


use_models(Wallet, Payment, Place, OnlyKey)


def test_custom_auto_field_with_bulk_create_of_key_only_rows():
    OnlyKey.objects.bulk_create([OnlyKey()])  # a row of no values: the generated row reader takes none
    assert all(isinstance(pk, Ticket) for pk in OnlyKey.objects.values_list("pk", flat=True))
    single = OnlyKey.objects.create()
    assert isinstance(single.pk, Ticket) and OnlyKey.objects.count() == 2
