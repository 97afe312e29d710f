"""Meta.indexes and Meta.constraints: Index, UniqueConstraint, CheckConstraint."""

from __future__ import annotations

import hashlib
from typing import Any

from relata import exceptions
from relata.models.q import Q


def _auto_name(model: Any, columns: list[str], suffix: str) -> str:
    table = model._meta.db_table
    digest = hashlib.md5((table + "_" + "_".join(columns)).encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{table[:11]}_{'_'.join(c[:7] for c in columns)[:20]}_{digest}_{suffix}"


class Index:
    suffix = "idx"

    def __init__(
        self,
        *expressions: Any,
        fields: Any = (),
        name: str | None = None,
        db_tablespace: str | None = None,
        opclasses: Any = (),
        condition: Any = None,
        include: Any = None,
    ):
        if not fields and not expressions:
            raise ValueError("At least one field is required to define an index.")
        if expressions:
            raise ValueError("relata indexes take fields=[...]; expression indexes are not supported yet.")
        if not isinstance(fields, list | tuple):
            raise ValueError("Index.fields must be a list or tuple.")
        self.fields = list(fields)
        self.name = name or ""
        self.condition = condition

    def set_name_with_model(self, model: Any) -> None:
        columns = [model._meta.get_field(f.lstrip("-")).column for f in self.fields]
        self.name = _auto_name(model, columns, self.suffix)

    def columns(self, model: Any) -> tuple[tuple[str, ...], tuple[bool, ...]]:
        cols = tuple(model._meta.get_field(f.lstrip("-")).column for f in self.fields)
        return cols, tuple(f.startswith("-") for f in self.fields)

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return "relata.models.Index", (), {"fields": list(self.fields), "name": self.name}

    def clone(self) -> Index:
        _path, args, kwargs = self.deconstruct()
        return type(self)(*args, **kwargs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Index) and self.deconstruct() == other.deconstruct()

    def __hash__(self) -> int:
        return hash((tuple(self.fields), self.name))

    def __repr__(self) -> str:
        return f"<Index: fields={self.fields!r} name={self.name!r}>"


class BaseConstraint:
    violation_error_message = "Constraint “%(name)s” is violated."

    def __init__(
        self, *, name: str, violation_error_code: str | None = None, violation_error_message: str | None = None
    ):
        self.name = name
        self.violation_error_code = violation_error_code
        if violation_error_message is not None:
            self.violation_error_message = violation_error_message

    def get_violation_error_message(self) -> str:
        return self.violation_error_message % {"name": self.name}

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.deconstruct() == other.deconstruct()

    def __hash__(self) -> int:
        return hash(self.name)

    def clone(self) -> BaseConstraint:
        _path, args, kwargs = self.deconstruct()
        return type(self)(*args, **kwargs)

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        raise NotImplementedError


class UniqueConstraint(BaseConstraint):
    def __init__(
        self,
        *expressions: Any,
        fields: Any = (),
        name: str | None = None,
        condition: Any = None,
        deferrable: Any = None,
        include: Any = None,
        opclasses: Any = (),
        nulls_distinct: bool | None = None,
        violation_error_code: str | None = None,
        violation_error_message: str | None = None,
    ):
        if not name:
            raise ValueError("A unique constraint must be named.")
        if not fields and not expressions:
            raise ValueError("At least one field is required to define a unique constraint.")
        if expressions:
            raise ValueError("relata unique constraints take fields=[...]; expressions are not supported yet.")
        super().__init__(
            name=name, violation_error_code=violation_error_code, violation_error_message=violation_error_message
        )
        self.fields = tuple(fields)
        self.condition = condition
        self.expressions = ()

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        kwargs: dict[str, Any] = {"fields": list(self.fields), "name": self.name}
        if self.condition is not None:
            kwargs["condition"] = self.condition
        return "relata.models.UniqueConstraint", (), kwargs

    def validate(self, model: Any, instance: Any, exclude: set[str] | None = None, using: str = "default") -> None:
        if exclude and exclude.intersection(self.fields):
            return
        lookup = {}
        for name in self.fields:
            field = model._meta.get_field(name)
            value = getattr(instance, field.attname)
            if value is None:
                return
            lookup[field.attname] = value
        if self.condition is not None:
            from relata.models.check_eval import evaluate_condition

            if evaluate_condition(self.condition, instance) is False:
                return  # the constraint does not cover this row
        qs = model._default_manager.using(using).filter(**lookup)
        if self.condition is not None:
            qs = qs.filter(self.condition)
        if not instance._state.adding and instance.pk is not None:
            qs = qs.exclude(pk=instance.pk)
        if qs.exists():
            if self.condition is not None:
                raise exceptions.ValidationError(self.get_violation_error_message(), code=self.violation_error_code)
            labels = [str(model._meta.get_field(f).verbose_name).capitalize() for f in self.fields]
            label = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
            raise exceptions.ValidationError(
                f"{model._meta.verbose_name.capitalize()} with this {label} already exists.", code="unique"
            )

    def __repr__(self) -> str:
        return f"<UniqueConstraint: fields={self.fields!r} name={self.name!r}>"


class CheckConstraint(BaseConstraint):
    def __init__(
        self,
        *,
        condition: Any = None,
        check: Any = None,
        name: str,
        violation_error_code: str | None = None,
        violation_error_message: str | None = None,
    ):
        condition = condition if condition is not None else check
        if not isinstance(condition, Q) and not getattr(condition, "conditional", False):
            raise TypeError("CheckConstraint.condition must be a Q instance or boolean expression.")
        super().__init__(
            name=name, violation_error_code=violation_error_code, violation_error_message=violation_error_message
        )
        self.condition = condition

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return "relata.models.CheckConstraint", (), {"condition": self.condition, "name": self.name}

    def validate(self, model: Any, instance: Any, exclude: set[str] | None = None, using: str = "default") -> None:
        from relata.models.check_eval import evaluate_condition

        result = evaluate_condition(self.condition, instance)
        if result is False:
            raise exceptions.ValidationError(self.get_violation_error_message(), code=self.violation_error_code)

    def __repr__(self) -> str:
        return f"<CheckConstraint: condition={self.condition!r} name={self.name!r}>"
