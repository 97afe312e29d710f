"""Validators run by `full_clean()`: callables that raise ValidationError."""

from __future__ import annotations

import decimal
import ipaddress
import re
from typing import Any

from relata.exceptions import ValidationError

EMPTY_VALUES = (None, "", [], (), {})


class BaseValidator:
    message = "Ensure this value is %(limit_value)s (it is %(show_value)s)."
    code = "limit_value"

    def __init__(self, limit_value: Any, message: str | None = None):
        self.limit_value = limit_value
        if message is not None:
            self.message = message

    def __call__(self, value: Any) -> None:
        cleaned = self.clean(value)
        limit = self.limit_value() if callable(self.limit_value) else self.limit_value
        if self.compare(cleaned, limit):
            raise ValidationError(
                self.message, code=self.code, params={"limit_value": limit, "show_value": cleaned, "value": value}
            )

    def compare(self, a: Any, b: Any) -> bool:
        return a is not b

    def clean(self, value: Any) -> Any:
        return value

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self), repr(self.limit_value)))

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return f"relata.models.validators.{type(self).__name__}", (self.limit_value,), {}


class MaxValueValidator(BaseValidator):
    message = "Ensure this value is less than or equal to %(limit_value)s."
    code = "max_value"

    def compare(self, a: Any, b: Any) -> bool:
        return a > b


class MinValueValidator(BaseValidator):
    message = "Ensure this value is greater than or equal to %(limit_value)s."
    code = "min_value"

    def compare(self, a: Any, b: Any) -> bool:
        return a < b


class MaxLengthValidator(BaseValidator):
    message = "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d)."
    code = "max_length"

    def compare(self, a: Any, b: Any) -> bool:
        return a > b

    def clean(self, value: Any) -> int:
        return len(value)


class MinLengthValidator(BaseValidator):
    message = "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d)."
    code = "min_length"

    def compare(self, a: Any, b: Any) -> bool:
        return a < b

    def clean(self, value: Any) -> int:
        return len(value)


class RegexValidator:
    def __init__(
        self,
        regex: str,
        message: str = "Enter a valid value.",
        code: str = "invalid",
        inverse_match: bool = False,
        flags: int = 0,
    ):
        self.regex = re.compile(regex, flags)
        self.message, self.code, self.inverse_match = message, code, inverse_match

    def __call__(self, value: Any) -> None:
        matched = bool(self.regex.search(str(value)))
        if matched == self.inverse_match:
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RegexValidator) and self.regex.pattern == other.regex.pattern

    def __hash__(self) -> int:
        return hash(self.regex.pattern)


class PluralMessage:
    """A message in a singular and a plural form, picked by the number `% {"max": n}` gives it."""

    def __init__(self, singular: str, plural: str):
        self.singular, self.plural = singular, plural

    def pick(self, count: int) -> str:
        return self.singular if count == 1 else self.plural

    def __mod__(self, params: dict[str, Any]) -> str:
        return self.pick(params["max"]) % params


class DecimalValidator:
    #: Django's names for the messages; each takes {"max": n}.
    messages: dict[str, Any] = {
        "invalid": "Enter a number.",
        "max_digits": PluralMessage(
            "Ensure that there are no more than %(max)s digit in total.",
            "Ensure that there are no more than %(max)s digits in total.",
        ),
        "max_decimal_places": PluralMessage(
            "Ensure that there are no more than %(max)s decimal place.",
            "Ensure that there are no more than %(max)s decimal places.",
        ),
        "max_whole_digits": PluralMessage(
            "Ensure that there are no more than %(max)s digit before the decimal point.",
            "Ensure that there are no more than %(max)s digits before the decimal point.",
        ),
    }

    def __init__(self, max_digits: int | None, decimal_places: int | None):
        self.max_digits, self.decimal_places = max_digits, decimal_places

    def _error(self, code: str, limit: int, value: Any) -> ValidationError:
        message = self.messages[code].pick(limit)
        return ValidationError(message, code=code, params={"max": limit, "value": value})

    def __call__(self, value: decimal.Decimal) -> None:
        if not isinstance(value, decimal.Decimal) or not value.is_finite():
            if isinstance(value, decimal.Decimal):
                raise ValidationError(self.messages["invalid"], code="invalid", params={"value": value})
            return
        _sign, digit_tuple, exponent = value.as_tuple()
        if exponent >= 0:
            digits = len(digit_tuple) + exponent
            decimals = 0
        else:
            digits = max(len(digit_tuple), -exponent)
            decimals = -exponent
        whole = digits - decimals
        if self.max_digits is not None and digits > self.max_digits:
            raise self._error("max_digits", self.max_digits, value)
        if self.decimal_places is not None and decimals > self.decimal_places:
            raise self._error("max_decimal_places", self.decimal_places, value)
        if (
            self.max_digits is not None
            and self.decimal_places is not None
            and whole > (self.max_digits - self.decimal_places)
        ):
            raise self._error("max_whole_digits", self.max_digits - self.decimal_places, value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DecimalValidator) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((self.max_digits, self.decimal_places))


validate_email = RegexValidator(
    r"^[^@\s]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$|^[^@\s]+@localhost$",
    message="Enter a valid email address.",
)
validate_slug = RegexValidator(
    r"^[-a-zA-Z0-9_]+\Z",
    message="Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
)
validate_url = RegexValidator(r"^(?:http|ftp)s?://[^\s/$.?#].[^\s]*$", message="Enter a valid URL.")


def validate_ip_address(value: str) -> None:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValidationError("Enter a valid IPv4 or IPv6 address.", code="invalid", params={"value": value})


def validate_ipv4_address(value: str) -> None:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        raise ValidationError(
            "Enter a valid IPv4 address.", code="invalid", params={"protocol": "IPv4", "value": value}
        )


def validate_ipv6_address(value: str) -> None:
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        raise ValidationError(
            "Enter a valid IPv6 address.", code="invalid", params={"protocol": "IPv6", "value": value}
        )


validate_ipv46_address = validate_ip_address


def ip_address_validators(protocol: str, unpack_ipv4: bool) -> list[Any]:
    """The validators for a GenericIPAddressField's `protocol` ("both", "IPv4" or "IPv6", any case)."""
    if protocol != "both" and unpack_ipv4:
        raise ValueError("You can only use `unpack_ipv4` if `protocol` is set to 'both'")
    by_protocol = {"both": validate_ipv46_address, "ipv4": validate_ipv4_address, "ipv6": validate_ipv6_address}
    try:
        return [by_protocol[protocol.lower()]]
    except KeyError:
        raise ValueError(f"The protocol '{protocol}' is unknown. Supported: ['both', 'ipv4', 'ipv6']") from None
