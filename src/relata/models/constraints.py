"""Meta.constraints: `CheckConstraint`, `UniqueConstraint` (fields or expressions) and `Deferrable`.

A constraint is plain data: `models/schema.py` turns it into DDL specs and
`models/constraint_validation.py` checks one instance against it with a query,
as Django's `validate()` does. `Index` lives in `models/indexes.py`.
"""

from __future__ import annotations

import warnings
from enum import Enum
from typing import Any

from relata import exceptions
from relata.deprecation import RemovedInDjango60Warning
from relata.models.expressions import F
from relata.models.indexes import Index, _public_path
from relata.models.q import Q

__all__ = ["BaseConstraint", "CheckConstraint", "Deferrable", "Index", "UniqueConstraint"]


class Deferrable(Enum):
    DEFERRED = "deferred"
    IMMEDIATE = "immediate"

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}.{self._name_}"


def _warn_check_renamed(stacklevel: int) -> None:
    warnings.warn(
        "CheckConstraint.check is deprecated in favor of `.condition`.", RemovedInDjango60Warning, stacklevel=stacklevel
    )


class BaseConstraint:
    default_violation_error_message = "Constraint “%(name)s” is violated."
    violation_error_code: str | None = None
    violation_error_message: str | None = None
    #: Attributes that change no SQL: altering only these runs no DDL.
    non_db_attrs = ("violation_error_code", "violation_error_message")

    def __init__(
        self,
        *args: Any,
        name: str | None = None,
        violation_error_code: str | None = None,
        violation_error_message: str | None = None,
    ):
        if args:  # Django 5.2's deprecated positional form: (name, violation_error_message)
            warnings.warn(
                "Passing positional arguments to BaseConstraint is deprecated.", RemovedInDjango60Warning, stacklevel=2
            )
            if len(args) > 2:
                raise TypeError(f"BaseConstraint takes at most 2 positional arguments ({len(args)} given)")
            name, violation_error_message = (*args, violation_error_message)[:2] if len(args) == 1 else args
        if name is None:
            raise TypeError(f"{type(self).__name__}.__init__() missing 1 required keyword-only argument: 'name'")
        self.name = name
        if violation_error_code is not None:
            self.violation_error_code = violation_error_code
        if violation_error_message is not None:
            self.violation_error_message = violation_error_message
        else:
            self.violation_error_message = self.default_violation_error_message

    @property
    def contains_expressions(self) -> bool:
        return False

    def constraint_sql(self, model: Any, schema_editor: Any) -> str:
        raise NotImplementedError("This method must be implemented by a subclass.")

    def create_sql(self, model: Any, schema_editor: Any) -> str:
        raise NotImplementedError("This method must be implemented by a subclass.")

    def remove_sql(self, model: Any, schema_editor: Any) -> str:
        raise NotImplementedError("This method must be implemented by a subclass.")

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: str = "default") -> None:
        raise NotImplementedError("This method must be implemented by a subclass.")

    def get_violation_error_message(self) -> str:
        return self.violation_error_message % {"name": self.name}  # type: ignore[operator]

    def _custom_message(self) -> bool:
        message = self.violation_error_message
        return message is not None and message != self.default_violation_error_message

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        kwargs: dict[str, Any] = {"name": self.name}
        if self._custom_message():
            kwargs["violation_error_message"] = self.violation_error_message
        if self.violation_error_code is not None:
            kwargs["violation_error_code"] = self.violation_error_code
        return _public_path(self), (), kwargs

    def clone(self) -> BaseConstraint:
        _path, args, kwargs = self.deconstruct()
        return type(self)(*args, **kwargs)

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return self.deconstruct() == other.deconstruct()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash((type(self), self.name))

    def _error_suffix(self) -> str:
        code = "" if self.violation_error_code is None else f" violation_error_code={self.violation_error_code!r}"
        message = f" violation_error_message={self.violation_error_message!r}" if self._custom_message() else ""
        return code + message


class CheckConstraint(BaseConstraint):
    def __init__(
        self,
        *,
        name: str,
        condition: Any = None,
        check: Any = None,
        violation_error_code: str | None = None,
        violation_error_message: str | None = None,
    ):
        if check is not None:
            _warn_check_renamed(3)
            condition = condition if condition is not None else check
        if not getattr(condition, "conditional", False):
            raise TypeError("CheckConstraint.condition must be a Q instance or boolean expression.")
        self.condition = condition
        super().__init__(
            name=name, violation_error_code=violation_error_code, violation_error_message=violation_error_message
        )

    @property
    def check(self) -> Any:
        """Django 5.1's old name for `condition` (deprecated there too)."""
        _warn_check_renamed(3)
        return self.condition

    @check.setter
    def check(self, value: Any) -> None:
        _warn_check_renamed(3)
        self.condition = value

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        path, args, kwargs = super().deconstruct()
        kwargs["condition"] = self.condition
        return path, args, kwargs

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: str = "default") -> None:
        from relata.models.constraint_validation import check_holds

        if not check_holds(model, instance, self.condition, exclude, using):
            raise exceptions.ValidationError(self.get_violation_error_message(), code=self.violation_error_code)

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__}: condition={self.condition} name={self.name!r}{self._error_suffix()}>"


class UniqueConstraint(BaseConstraint):
    def __init__(
        self,
        *expressions: Any,
        fields: Any = (),
        name: str | None = None,
        condition: Any = None,
        deferrable: Deferrable | None = None,
        include: Any = None,
        opclasses: Any = (),
        nulls_distinct: bool | None = None,
        violation_error_code: str | None = None,
        violation_error_message: str | None = None,
    ):
        _check_unique_arguments(expressions, fields, name, condition, deferrable, include, opclasses, nulls_distinct)
        self.fields = tuple(fields)
        self.condition = condition
        self.deferrable = deferrable
        self.include = tuple(include) if include else ()
        self.opclasses = opclasses
        self.expressions = tuple(F(e) if isinstance(e, str) else e for e in expressions)
        self.nulls_distinct = nulls_distinct
        super().__init__(
            name=name,  # type: ignore[arg-type]
            violation_error_code=violation_error_code,
            violation_error_message=violation_error_message,
        )

    @property
    def contains_expressions(self) -> bool:
        return bool(self.expressions)

    @property
    def needs_index(self) -> bool:
        """Made as a UNIQUE index rather than a table constraint (what a constraint cannot say)."""
        return bool(self.condition or self.include or self.opclasses or self.expressions)

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        path, _args, kwargs = super().deconstruct()
        if self.fields:
            kwargs["fields"] = self.fields
        if self.condition:
            kwargs["condition"] = self.condition
        if self.deferrable:
            kwargs["deferrable"] = self.deferrable
        if self.include:
            kwargs["include"] = self.include
        if self.opclasses:
            kwargs["opclasses"] = self.opclasses
        if self.nulls_distinct is not None:
            kwargs["nulls_distinct"] = self.nulls_distinct
        return path, self.expressions, kwargs

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: str = "default") -> None:
        from relata.models.constraint_validation import unique_violated

        if not unique_violated(self, model, instance, exclude, using):
            return
        if self.fields and not self._custom_message() and not self.condition:
            # Django's default for a fields-only constraint: the unique_together wording and code.
            raise instance.unique_error_message(model, self.fields)
        raise exceptions.ValidationError(self.get_violation_error_message(), code=self.violation_error_code)

    def __repr__(self) -> str:
        parts = [
            f" fields={self.fields!r}" if self.fields else "",
            f" expressions={self.expressions!r}" if self.expressions else "",
            f" name={self.name!r}",
            f" condition={self.condition}" if self.condition is not None else "",
            f" deferrable={self.deferrable!r}" if self.deferrable is not None else "",
            f" include={self.include!r}" if self.include else "",
            f" opclasses={self.opclasses!r}" if self.opclasses else "",
            f" nulls_distinct={self.nulls_distinct!r}" if self.nulls_distinct is not None else "",
        ]
        return f"<{type(self).__qualname__}:{''.join(parts)}{self._error_suffix()}>"


def _check_unique_arguments(
    expressions: Any,
    fields: Any,
    name: Any,
    condition: Any,
    deferrable: Any,
    include: Any,
    opclasses: Any,
    nulls_distinct: Any,
) -> None:
    """Django's refusals, in Django's order."""
    if not name:
        raise ValueError("A unique constraint must be named.")
    if not expressions and not fields:
        raise ValueError("At least one field or expression is required to define a unique constraint.")
    if expressions and fields:
        raise ValueError("UniqueConstraint.fields and expressions are mutually exclusive.")
    if condition is not None and not isinstance(condition, Q):
        raise ValueError("UniqueConstraint.condition must be a Q instance.")
    for present, what in ((condition, "conditions"), (include, "include fields")):
        if present and deferrable:
            raise ValueError(f"UniqueConstraint with {what} cannot be deferred.")
    if opclasses and deferrable:
        raise ValueError("UniqueConstraint with opclasses cannot be deferred.")
    if expressions and deferrable:
        raise ValueError("UniqueConstraint with expressions cannot be deferred.")
    if expressions and opclasses:
        raise ValueError(
            "UniqueConstraint.opclasses cannot be used with expressions; use fields=[...] with "
            "opclasses=[...], or expressions without opclasses."
        )
    if deferrable is not None and not isinstance(deferrable, Deferrable):
        raise TypeError("UniqueConstraint.deferrable must be a Deferrable instance.")
    if include is not None and not isinstance(include, list | tuple):
        raise TypeError("UniqueConstraint.include must be a list or tuple.")
    if not isinstance(opclasses, list | tuple):
        raise TypeError("UniqueConstraint.opclasses must be a list or tuple.")
    if nulls_distinct is not None and not isinstance(nulls_distinct, bool):
        raise TypeError("UniqueConstraint.nulls_distinct must be a bool.")
    if opclasses and len(fields) != len(opclasses):
        raise ValueError(
            "UniqueConstraint.fields and UniqueConstraint.opclasses must have the same number of elements."
        )
