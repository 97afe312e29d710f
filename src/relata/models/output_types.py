"""The output field of arithmetic, and of functions typed by their arguments, without output_field=.

Django's rules: an operator over two field types gives the type its table
lists (integer + decimal is decimal, date - date is a duration); a function
such as Coalesce needs its arguments of one type. Anything else has no type
to infer: a FieldError asks for output_field= before any SQL runs.
"""

from __future__ import annotations

import copy
from typing import Any

from relata.exceptions import FieldError
from relata.models import fields as f

_ARITHMETIC = ("+", "-", "*", "/", "%")
_NUMBERS = (f.IntegerField, f.FloatField, f.DecimalField)

#: connector -> (left type, right type, result type); the first row whose types match wins.
_RULES: dict[str, list[tuple[type, type, type]]] = {connector: [] for connector in _ARITHMETIC}
for _connector in _ARITHMETIC:
    if _connector != "-":  # a difference of positive numbers may be negative
        _RULES[_connector].append((f.PositiveIntegerField, f.PositiveIntegerField, f.PositiveIntegerField))
    _RULES[_connector] += [(kind, kind, kind) for kind in _NUMBERS]
    _RULES[_connector] += [
        (f.IntegerField, f.DecimalField, f.DecimalField),
        (f.DecimalField, f.IntegerField, f.DecimalField),
        (f.IntegerField, f.FloatField, f.FloatField),
        (f.FloatField, f.IntegerField, f.FloatField),
    ]
_RULES["+"] += [
    (f.DateField, f.DurationField, f.DateTimeField),
    (f.DurationField, f.DateField, f.DateTimeField),
    (f.DurationField, f.DurationField, f.DurationField),
    (f.TimeField, f.DurationField, f.TimeField),
    (f.DurationField, f.TimeField, f.TimeField),
]
_RULES["-"] += [
    (f.DateField, f.DurationField, f.DateTimeField),
    (f.DateField, f.DateField, f.DurationField),
    (f.DurationField, f.DurationField, f.DurationField),
    (f.TimeField, f.DurationField, f.TimeField),
    (f.TimeField, f.TimeField, f.DurationField),
]


def combined_field(lhs: Any, connector: str, rhs: Any) -> Any:
    """The field of `lhs <connector> rhs`; an operand's own field when it has the result's type (keeps its scale)."""
    if lhs is None or rhs is None:
        return rhs if lhs is None else lhs
    lhs, rhs = _value_field(lhs), _value_field(rhs)
    for left, right, result in _RULES.get(connector, ()):
        if isinstance(lhs, left) and isinstance(rhs, right):
            for operand in (lhs, rhs):
                if type(operand) is result:
                    return operand
            return result()
    raise FieldError(
        f"Cannot infer type of '{connector}' expression involving these types: {type(lhs).__name__}, "
        f"{type(rhs).__name__}. You must set output_field: wrap it as "
        f"ExpressionWrapper(expression, output_field=...) or Cast() one side."
    )


def common_field(fields: list[Any]) -> Any:
    """The field shared by a function's arguments (those of unknown type aside)."""
    known = [_value_field(field) for field in fields if field is not None]
    if not known:
        return None
    first = known[0]
    for other in known[1:]:
        if not isinstance(first, type(other)):
            raise FieldError(
                f"Expression contains mixed types: {type(first).__name__}, {type(other).__name__}. "
                f"You must set output_field (e.g. Coalesce(..., output_field=...))."
            )
    return first


def _value_field(field: Any) -> Any:
    """A foreign key column computes as the field it points at (an id is an integer)."""
    while getattr(field, "is_relation", False) and getattr(field, "concrete", False):
        field = field.target_field
    if getattr(field, "generated", False):
        field = field.output_field  # a generated column computes as what it holds
    return field


#: The kind of value each internal type holds, as SQL nodes name it (`n.Func.types`).
_KINDS = {
    "FloatField": "float",
    "DecimalField": "decimal",
    "BooleanField": "bool",
    "DateField": "date",
    "DateTimeField": "datetime",
    "TimeField": "time",
    "DurationField": "duration",
    "JSONField": "json",
    "UUIDField": "uuid",
    "BinaryField": "binary",
}


def value_kind(field: Any) -> str | None:
    """ "int", "float", "decimal", "text", "date", ... for a field's values; None when there is no field."""
    if field is None:
        return None
    field = _value_field(field)
    if isinstance(field, f.IntegerField):
        return "int"
    if isinstance(field, f.CharField):
        return "text"
    return _KINDS.get(field.get_internal_type())


def result_field(field: Any, column: bool = False) -> Any:
    """The field converting a selected value, as Django's expressions convert theirs.

    Only a column's decimal is rounded to its field's decimal_places:
    `F("price") * Decimal("2.25")` or `Max("price")` read back as the database
    answers. A computed integer or float is made one (MySQL answers `id / 2`
    with a decimal, which Django truncates to an int).
    """
    if column or field is None:
        return field
    if isinstance(field, f.DecimalField) and field.decimal_places is not None:
        computed = copy.copy(field)  # a new field: the model's own keeps its places
        computed.decimal_places = None
        return computed
    cast = {"FloatField": float}.get(field.get_internal_type())
    if field.get_internal_type().endswith("IntegerField") and not field.is_relation:
        cast = int
    if cast is None:
        return field
    computed = copy.copy(field)
    computed.computed_type = cast
    return computed
