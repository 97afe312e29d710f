"""Date, time and duration fields: ISO text parsing, `auto_now` and `auto_now_add`.

Users import them from `relata.models.fields` or `relata.models`, which
re-export them; the backend converters turn database values into these types.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, ClassVar

from relata import exceptions
from relata.models.fields import Field

_DATE_SHAPE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DATETIME_SHAPE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$")


class DateTimeCheckMixin:
    def __init__(self, *args: Any, auto_now: bool = False, auto_now_add: bool = False, **kwargs: Any):
        self.auto_now, self.auto_now_add = auto_now, auto_now_add
        if auto_now or auto_now_add:
            kwargs["editable"] = False
            kwargs["blank"] = True
        super().__init__(*args, **kwargs)

    def pre_save(self, instance: Any, add: bool) -> Any:
        if self.auto_now or (self.auto_now_add and add):
            value = self.now()
            instance.__dict__[self.attname] = value
            return value
        return super().pre_save(instance, add)


class DateField(DateTimeCheckMixin, Field):
    internal_type = "DateField"
    empty_strings_allowed = False
    default_error_messages: ClassVar[dict[str, str]] = {
        "invalid": "“%(value)s” value has an invalid date format. It must be in YYYY-MM-DD format.",
        "invalid_date": "“%(value)s” value has the correct format (YYYY-MM-DD) but it is an invalid date.",
    }

    def now(self) -> datetime.date:
        return datetime.date.today()

    def contribute_to_class(self, cls: type, name: str) -> None:
        super().contribute_to_class(cls, name)
        if not self.null:
            # As Django: a row's neighbours by this date (ties broken by primary key).
            for direction, is_next in (("next", True), ("previous", False)):
                method = f"get_{direction}_by_{self.name}"
                if method not in cls.__dict__:
                    setattr(cls, method, _neighbour_method(self, is_next))

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            code = "invalid_date" if _DATE_SHAPE.match(str(value)) else "invalid"
            raise exceptions.ValidationError(self.error_messages[code], code=code, params={"value": value})

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return self.to_python(value)


class DateTimeField(DateField):
    internal_type = "DateTimeField"
    default_error_messages: ClassVar[dict[str, str]] = {
        "invalid": "“%(value)s” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.",
        "invalid_datetime": "“%(value)s” value has the correct format (YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ]) "
        "but it is an invalid date/time.",
    }

    def now(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.UTC)

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            return value
        if isinstance(value, datetime.date):
            return datetime.datetime(value.year, value.month, value.day)
        try:
            return datetime.datetime.fromisoformat(str(value))
        except ValueError:
            code = "invalid"
            if _DATETIME_SHAPE.match(str(value)):
                code = "invalid_datetime"
            elif _DATE_SHAPE.match(str(value)):
                code = "invalid_date"
            raise exceptions.ValidationError(self.error_messages[code], code=code, params={"value": value})


class TimeField(DateTimeCheckMixin, Field):
    internal_type = "TimeField"
    empty_strings_allowed = False
    default_error_messages: ClassVar[dict[str, str]] = {
        "invalid": "“%(value)s” value has an invalid format. It must be in HH:MM[:ss[.uuuuuu]] format."
    }

    def now(self) -> datetime.time:
        return datetime.datetime.now().time()

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, datetime.time):
            return value
        if isinstance(value, datetime.datetime):
            return value.time()
        try:
            return datetime.time.fromisoformat(str(value))
        except ValueError:
            raise exceptions.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return self.to_python(value)


_DURATION = re.compile(r"^(?:(?P<days>-?\d+) (days?, )?)?(?P<h>-?\d+):(?P<m>\d+):(?P<s>\d+(?:\.\d+)?)$")


class DurationField(Field):
    internal_type = "DurationField"
    empty_strings_allowed = False
    default_error_messages: ClassVar[dict[str, str]] = {
        "invalid": "“%(value)s” value has an invalid format. It must be in [DD] [[HH:]MM:]ss[.uuuuuu] format."
    }

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, datetime.timedelta):
            return value
        match = _DURATION.match(str(value))
        if not match:
            raise exceptions.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})
        return datetime.timedelta(
            days=int(match["days"] or 0), hours=int(match["h"]), minutes=int(match["m"]), seconds=float(match["s"])
        )

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return self.to_python(value)


def _neighbour_method(field: Field, is_next: bool) -> Any:
    def neighbour(self: Any, **filters: Any) -> Any:
        if not self._is_pk_set():
            raise ValueError("get_next/get_previous cannot be used on unsaved objects.")
        from relata.models.q import Q

        value = getattr(self, field.attname)
        op = "gt" if is_next else "lt"
        order = "" if is_next else "-"
        after = Q(**{f"{field.name}__{op}": value}) | Q(**{field.name: value, f"pk__{op}": self.pk})
        queryset = type(self)._default_manager.using(self._state.db).filter(**filters).filter(after)
        found = queryset.order_by(f"{order}{field.name}", f"{order}pk")[:1]
        for obj in found:
            return obj
        raise type(self).DoesNotExist(f"{type(self).__name__} matching query does not exist.")

    neighbour.__name__ = f"get_{'next' if is_next else 'previous'}_by_{field.name}"
    return neighbour
