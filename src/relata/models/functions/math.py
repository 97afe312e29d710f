"""Mathematical functions, typed as Django types them.

Trigonometry, logarithms, Mod and Power give a float for integer input and a
decimal for decimal input (NumericOutputFieldMixin); Abs, Ceil, Floor, Round
and Sign keep their input's field. SQLite gets the functions its core lacks
from the connection (see backends/sqlite/functions.py).
"""

from __future__ import annotations

from typing import Any

from relata.models import fields as f
from relata.models.expressions import Func, Value
from relata.models.functions.mixins import NumericOutputFieldMixin, Transform
from relata.sql import nodes as n


class Abs(Transform):
    function = "ABS"
    lookup_name = "abs"


class ACos(NumericOutputFieldMixin, Transform):
    function = "ACOS"
    lookup_name = "acos"


class ASin(NumericOutputFieldMixin, Transform):
    function = "ASIN"
    lookup_name = "asin"


class ATan(NumericOutputFieldMixin, Transform):
    function = "ATAN"
    lookup_name = "atan"


class ATan2(NumericOutputFieldMixin, Func):
    function = "ATAN2"
    arity = 2


class Ceil(Transform):
    function = "CEILING"
    lookup_name = "ceil"


class Cos(NumericOutputFieldMixin, Transform):
    function = "COS"
    lookup_name = "cos"


class Cot(NumericOutputFieldMixin, Transform):
    function = "COT"
    lookup_name = "cot"


class Degrees(NumericOutputFieldMixin, Transform):
    function = "DEGREES"
    lookup_name = "degrees"


class Exp(NumericOutputFieldMixin, Transform):
    function = "EXP"
    lookup_name = "exp"


class Floor(Transform):
    function = "FLOOR"
    lookup_name = "floor"


class Ln(NumericOutputFieldMixin, Transform):
    function = "LN"
    lookup_name = "ln"


class Log(NumericOutputFieldMixin, Func):
    """Log(base, x): the logarithm of the second argument to the base of the first."""

    function = "LOG"
    arity = 2


class Mod(NumericOutputFieldMixin, Func):
    function = "MOD"
    arity = 2


class Pi(Func):
    function = "PI"
    arity = 0
    output_field = f.FloatField()


class Power(NumericOutputFieldMixin, Func):
    function = "POWER"
    arity = 2


class Radians(NumericOutputFieldMixin, Transform):
    function = "RADIANS"
    lookup_name = "radians"


class Random(Func):
    """A float in [0, 1), drawn again for each row."""

    function = "RANDOM"
    arity = 0
    output_field = f.FloatField()


class Round(Transform):
    """Round(expression, precision=0): rounded to `precision` decimal places (negative: tens, hundreds ...)."""

    function = "ROUND"
    lookup_name = "round"
    arity = None

    def __init__(self, expression: Any, precision: Any = 0, **extra: Any):
        super().__init__(expression, precision, **extra)

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        precision = self.source[1]
        negative = isinstance(precision, Value) and isinstance(precision.value, int) and precision.value < 0
        if negative and not builder.connection.features.supports_negative_round_precision:
            raise ValueError(f"{builder.connection.display_name} does not support negative precision.")
        return super().resolve(builder)

    def resolve_output(self, fields: list[Any]) -> Any:
        return fields[0]


class Sign(Transform):
    function = "SIGN"
    lookup_name = "sign"


class Sin(NumericOutputFieldMixin, Transform):
    function = "SIN"
    lookup_name = "sin"


class Sqrt(NumericOutputFieldMixin, Transform):
    function = "SQRT"
    lookup_name = "sqrt"


class Tan(NumericOutputFieldMixin, Transform):
    function = "TAN"
    lookup_name = "tan"


__all__ = [
    "ACos",
    "ASin",
    "ATan",
    "ATan2",
    "Abs",
    "Ceil",
    "Cos",
    "Cot",
    "Degrees",
    "Exp",
    "Floor",
    "Ln",
    "Log",
    "Mod",
    "Pi",
    "Power",
    "Radians",
    "Random",
    "Round",
    "Sign",
    "Sin",
    "Sqrt",
    "Tan",
]
