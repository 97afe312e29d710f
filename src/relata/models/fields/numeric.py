"""Number fields: integers of each size (with their database range checks), auto keys, floats and decimals.

Users import them from `relata.models.fields` or `relata.models`, which re-export them.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from typing import Any, ClassVar

from relata import exceptions
from relata.backends.base.operations import INTEGER_FIELD_RANGES
from relata.models import validators as v
from relata.models.fields import Field
from relata.sql.ddl import ColumnSpec


class IntegerField(Field):
    internal_type = "IntegerField"
    empty_strings_allowed = False
    default_error_messages: ClassVar[dict[str, str]] = {"invalid": "“%(value)s” value must be an integer."}
    #: Range the column holds on every supported database.
    integer_range: ClassVar[tuple[int, int]] = INTEGER_FIELD_RANGES["IntegerField"]

    @property
    def validators(self) -> list[Callable[[Any], None]]:
        low, high = self.integer_range
        return [v.MinValueValidator(low), v.MaxValueValidator(high), *super().validators]

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            return int(value)
        try:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            raise exceptions.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})

    def get_prep_value(self, value: Any) -> Any:
        if value is None or type(value) is int:
            return value
        if isinstance(value, bool):
            return int(value)  # PostgreSQL will not compare an integer column with a boolean
        if hasattr(value, "resolve_expression"):
            return value
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"Field '{self.name}' expected a number but got {value!r}.") from exc


class SmallIntegerField(IntegerField):
    internal_type = "SmallIntegerField"
    integer_range = INTEGER_FIELD_RANGES["SmallIntegerField"]


class BigIntegerField(IntegerField):
    internal_type = "BigIntegerField"
    integer_range = INTEGER_FIELD_RANGES["BigIntegerField"]


class PositiveIntegerField(IntegerField):
    internal_type = "PositiveIntegerField"
    integer_range = INTEGER_FIELD_RANGES["PositiveIntegerField"]

    def column_spec(self) -> ColumnSpec:
        spec = super().column_spec()
        return _with_check(spec, "%(column)s >= 0")


class PositiveSmallIntegerField(PositiveIntegerField):
    internal_type = "PositiveSmallIntegerField"
    integer_range = INTEGER_FIELD_RANGES["PositiveSmallIntegerField"]


class PositiveBigIntegerField(PositiveIntegerField):
    internal_type = "PositiveBigIntegerField"
    integer_range = INTEGER_FIELD_RANGES["PositiveBigIntegerField"]


def _with_check(spec: ColumnSpec, check: str) -> ColumnSpec:
    from dataclasses import replace

    return replace(spec, check=check)


class AutoFieldMixin:
    """A primary key the database numbers itself."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs["blank"] = True
        super().__init__(*args, **kwargs)

    def validate(self, value: Any, model_instance: Any) -> None:
        return None

    def contribute_to_class(self, cls: type, name: str) -> None:
        if cls._meta.auto_field is not None:
            raise ValueError(f"Model {cls._meta.label} can't have more than one auto-generated field.")
        super().contribute_to_class(cls, name)
        cls._meta.auto_field = self


class AutoField(AutoFieldMixin, IntegerField):
    internal_type = "AutoField"


class BigAutoField(AutoFieldMixin, BigIntegerField):
    internal_type = "BigAutoField"


class SmallAutoField(AutoFieldMixin, SmallIntegerField):
    internal_type = "SmallAutoField"


class FloatField(Field):
    internal_type = "FloatField"
    empty_strings_allowed = False
    default_error_messages: ClassVar[dict[str, str]] = {"invalid": "“%(value)s” value must be a float."}

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise exceptions.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, float) or hasattr(value, "resolve_expression"):
            return value
        return float(value)


class DecimalField(Field):
    internal_type = "DecimalField"
    empty_strings_allowed = False
    default_error_messages: ClassVar[dict[str, str]] = {"invalid": "“%(value)s” value must be a decimal number."}

    def __init__(
        self,
        verbose_name: str | None = None,
        name: str | None = None,
        max_digits: int | None = None,
        decimal_places: int | None = None,
        **kwargs: Any,
    ):
        self.max_digits, self.decimal_places = max_digits, decimal_places
        super().__init__(verbose_name, name, **kwargs)

    @property
    def validators(self) -> list[Callable[[Any], None]]:
        return [v.DecimalValidator(self.max_digits, self.decimal_places), *super().validators]

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            return decimal.Context(prec=self.max_digits or 28).create_decimal_from_float(value)
        try:
            return decimal.Decimal(value)
        except (decimal.InvalidOperation, TypeError, ValueError):
            raise exceptions.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        value = self.to_python(value)
        if self.decimal_places is not None:
            value = value.quantize(decimal.Decimal(1).scaleb(-self.decimal_places))
        return value

    def lookup_preparer(self, connection: Any) -> Callable[[Any], Any] | None:
        # save() rounds to decimal_places; a filter compares the value given, so
        # price=Decimal("9.995") does not match a stored 9.99 (as in Django).
        to_python, adapter = self.to_python, connection.ops.adapter_for(self.get_internal_type())

        def prepare(value: Any) -> Any:
            if value is None or hasattr(value, "resolve_expression"):
                return value
            value = to_python(value)
            return value if adapter is None else adapter(value)

        return prepare
