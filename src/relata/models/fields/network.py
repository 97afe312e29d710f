"""IP address fields: GenericIPAddressField, and IPAddressField kept only for old migrations.

GenericIPAddressField stores addresses as text (at most 39 characters), IPv6
normalised to its compressed form; an empty value is stored as NULL, which is
why blank=True needs null=True (check fields.E150), as in Django.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, ClassVar

from relata import exceptions
from relata.models import validators as v
from relata.models.fields import CharField, Field


def clean_ipv6_address(
    value: str, unpack_ipv4: bool = False, error_message: str = "This is not a valid IPv6 address."
) -> str:
    """An IPv6 address in its compressed form; with `unpack_ipv4`, a mapped IPv4 address as plain IPv4."""
    try:
        address = ipaddress.IPv6Address(int(value) if value.isdigit() else value)
    except ValueError:
        raise exceptions.ValidationError(error_message, code="invalid", params={"protocol": "IPv6"}) from None
    mapped = address.ipv4_mapped
    if mapped is not None:
        return str(mapped) if unpack_ipv4 else f"::ffff:{mapped}"
    return str(address)


class GenericIPAddressField(CharField):
    """An IPv4 or IPv6 address (`protocol` "both", "IPv4" or "IPv6")."""

    internal_type = "CharField"
    empty_strings_allowed = False
    default_error_messages: ClassVar[dict[str, str]] = {"invalid": "Enter a valid %(protocol)s address."}

    def __init__(
        self,
        verbose_name: str | None = None,
        name: str | None = None,
        protocol: str = "both",
        unpack_ipv4: bool = False,
        *args: Any,
        **kwargs: Any,
    ):
        self.protocol, self.unpack_ipv4 = protocol, unpack_ipv4
        self._protocol_validators = v.ip_address_validators(protocol, unpack_ipv4)
        kwargs["max_length"] = 39
        super().__init__(verbose_name, name, *args, **kwargs)

    @property
    def validators(self) -> list[Callable[[Any], None]]:
        return [*self._protocol_validators, *super().validators]

    def check(self, **kwargs: Any) -> list[Any]:
        from relata.models.checks import Error

        messages = super().check(**kwargs)
        if self.blank and not self.null:
            messages.append(
                Error(
                    "GenericIPAddressFields cannot have blank=True if null=False, as blank values are stored as nulls.",
                    hint=f"Add null=True to {self}, or remove blank=True.",
                    obj=self,
                    id="fields.E150",
                )
            )
        return messages

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)  # always 39
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        value = str(value).strip()
        if ":" in value:
            return clean_ipv6_address(value, self.unpack_ipv4, self.error_messages["invalid"] % {"protocol": "IPv6"})
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        value = str(value)
        if value and ":" in value:
            try:
                return clean_ipv6_address(value, self.unpack_ipv4)
            except exceptions.ValidationError:
                pass  # not an address: validation reports it, the database stores it as given
        return value

    def db_preparer(self, connection: Any) -> Callable[[Any], Any] | None:
        prep = self.get_prep_value

        def prepare(value: Any) -> Any:
            return prep(value) or None  # an empty address is NULL, as Django stores it

        return prepare


class IPAddressField(Field):
    """Removed in Django (use GenericIPAddressField); kept so historical migrations still load."""

    internal_type = "IPAddressField"
    empty_strings_allowed = False
    #: Reported by check() as fields.E900: the field exists only for old migrations.
    system_check_removed_details: ClassVar[dict[str, str] | None] = {
        "msg": "IPAddressField has been removed except for support in historical migrations.",
        "hint": "Use GenericIPAddressField instead.",
        "id": "fields.E900",
    }

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs["max_length"] = 15
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return str(value)
