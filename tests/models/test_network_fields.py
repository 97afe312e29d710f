"""GenericIPAddressField and IPAddressField, compared with Django where the answer is Django's."""

import pytest
from django.db import models as dm

import oracle  # noqa: F401 (configures Django)
from relata import checks, exceptions, models
from relata.testing.pytest_plugin import use_models


class Host(models.Model):
    address = models.GenericIPAddressField(null=True, blank=True)
    v4 = models.GenericIPAddressField(protocol="IPv4", null=True)
    unpacked = models.GenericIPAddressField(unpack_ipv4=True, null=True)

    class Meta:
        app_label = "m_network"


use_models(Host)


@pytest.mark.parametrize(
    "value", ["192.168.0.1", "2001:0db8:0000:0000:0000:0000:0000:0001", "::ffff:10.0.0.1", " 10.1.1.1 ", "::1"]
)
def test_values_are_normalised_as_django_does(value):
    ours = Host.objects.create(address=value, unpacked=value)
    loaded = Host.objects.get(pk=ours.pk)
    theirs = dm.GenericIPAddressField(null=True)
    theirs_unpacked = dm.GenericIPAddressField(unpack_ipv4=True, null=True)
    assert loaded.address == theirs.get_prep_value(value)
    assert loaded.unpacked == theirs_unpacked.get_prep_value(value)
    assert Host._meta.get_field("address").to_python(value) == theirs.to_python(value)


def test_an_empty_address_is_stored_as_null():
    host = Host.objects.create(address="")
    assert Host.objects.get(pk=host.pk).address is None
    assert Host.objects.filter(address__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("v4", "::1", "Enter a valid IPv4 address."),
        ("address", "300.1.1.1", "Enter a valid IPv4 or IPv6 address."),
        ("address", "1:2", "Enter a valid IPv6 address."),
    ],
)
def test_validation_messages(field, value, message):
    with pytest.raises(exceptions.ValidationError) as error:
        Host._meta.get_field(field).clean(value, Host())
    assert error.value.messages == [message]


def test_protocol_arguments_are_checked():
    with pytest.raises(ValueError, match="only use `unpack_ipv4` if `protocol` is set to 'both'"):
        models.GenericIPAddressField(protocol="IPv4", unpack_ipv4=True)
    with pytest.raises(ValueError, match="protocol 'ipv5' is unknown"):
        models.GenericIPAddressField(protocol="ipv5")


def test_blank_needs_null_and_deconstruct():
    class Bad(models.Model):
        address = models.GenericIPAddressField(blank=True)

        class Meta:
            app_label = "m_network_checks"

    [message] = Bad._meta.get_field("address").check()
    assert message.id == "fields.E150" and "null=True" in message.hint
    field = Host._meta.get_field("v4")
    assert field.max_length == 39
    assert field.deconstruct()[3] == {"null": True, "protocol": "IPv4"}


def test_ip_address_field_is_reported_as_removed():
    class Legacy(models.Model):
        ip = models.IPAddressField()

        class Meta:
            app_label = "m_network_legacy"

    field = Legacy._meta.get_field("ip")
    assert field.max_length == 15 and field.deconstruct()[3] == {}
    [message] = [m for m in checks.run_checks(models=[Legacy]) if m.obj is field]
    assert (message.id, message.level, message.hint) == (
        "fields.E900",
        checks.ERROR,
        "Use GenericIPAddressField instead.",
    )
    assert message.msg == "IPAddressField has been removed except for support in historical migrations."
