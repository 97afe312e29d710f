"""Text functions, as Django offers them.

Lengths, positions and pad strings are arguments like any other: a plain value
travels as a parameter. A negative or zero length that Django refuses is
refused here when the function is built, naming the argument.
"""

from __future__ import annotations

from typing import Any

from relata.models import fields as f
from relata.models.expressions import Func, Value
from relata.models.functions.comparison import Coalesce
from relata.models.functions.mixins import Transform
from relata.models.output_types import common_field
from relata.sql import nodes as n


def _is_expression(value: Any) -> bool:
    return getattr(value, "resolves_in_query", False)


def _check_minimum(name: str, value: Any, minimum: int) -> None:
    """Refuse a plain `value` below `minimum`, in Django's words."""
    if value is None or _is_expression(value):
        return
    if value < minimum:
        if minimum == 0:
            raise ValueError(f"'{name}' must be greater or equal to 0.")
        raise ValueError(f"'{name}' must be greater than {minimum - 1}.")


class Chr(Transform):
    """The character of a Unicode code point."""

    function = "CHR"
    lookup_name = "chr"
    output_field = f.CharField()


class ConcatPair(Func):
    """Two texts joined; a NULL part counts as empty (as in Django)."""

    function = "CONCAT"
    arity = 2

    def coalesce(self) -> ConcatPair:
        """A copy whose parts read '' for NULL, as expressions (the SQL does the same by itself)."""
        parts = [Coalesce(part, Value("")) for part in self.source]
        return ConcatPair(*parts, output_field=self.__dict__.get("output_field"))

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        args, fields = self.resolve_sources(builder)
        empty = n.Param("")
        node = n.BinOp("||", n.Func("COALESCE", (args[0], empty)), n.Func("COALESCE", (args[1], empty)))
        return node, self.output_field or _text_output(fields)


def _text_output(fields: list[Any]) -> Any:
    """The parts' common field, as Django types a concatenation: mixed types need output_field=."""
    return common_field(fields) or f.CharField()


class Concat(Func):
    """Any number of texts joined, NULL parts counting as empty."""

    def __init__(self, *expressions: Any, output_field: Any = None):
        if len(expressions) < 2:
            raise ValueError("Concat must take at least two expressions")
        super().__init__(*expressions, output_field=output_field)

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        args, fields = self.resolve_sources(builder)
        empty = n.Param("")
        node: n.Node = n.Func("COALESCE", (args[0], empty))
        for arg in args[1:]:
            node = n.BinOp("||", node, n.Func("COALESCE", (arg, empty)))
        return node, self.output_field or _text_output(fields)


class Left(Func):
    """The first `length` characters."""

    function = "LEFT"
    arity = 2
    output_field = f.CharField()

    def __init__(self, expression: Any, length: Any, **extra: Any):
        _check_minimum("length", length, 1)
        super().__init__(expression, length, **extra)


class Right(Left):
    """The last `length` characters."""

    function = "RIGHT"


class Length(Transform):
    """The number of characters (not bytes)."""

    function = "LENGTH"
    lookup_name = "length"
    output_field = f.IntegerField()


class Lower(Transform):
    function = "LOWER"
    lookup_name = "lower"


class Upper(Transform):
    function = "UPPER"
    lookup_name = "upper"


class LPad(Func):
    """The text padded on the left with `fill_text` (a space by default) to `length` characters, or cut to it."""

    function = "LPAD"
    arity = None
    output_field = f.CharField()

    def __init__(self, expression: Any, length: Any, fill_text: Any = None, **extra: Any):
        _check_minimum("length", length, 0)
        super().__init__(expression, length, Value(" ") if fill_text is None else fill_text, **extra)


class RPad(LPad):
    function = "RPAD"


class LTrim(Transform):
    function = "LTRIM"
    lookup_name = "ltrim"


class RTrim(Transform):
    function = "RTRIM"
    lookup_name = "rtrim"


class Trim(Transform):
    function = "TRIM"
    lookup_name = "trim"


class MD5(Transform):
    function = "MD5"
    lookup_name = "md5"


class SHA1(Transform):
    function = "SHA1"
    lookup_name = "sha1"


class SHA224(Transform):
    function = "SHA224"
    lookup_name = "sha224"


class SHA256(Transform):
    function = "SHA256"
    lookup_name = "sha256"


class SHA384(Transform):
    function = "SHA384"
    lookup_name = "sha384"


class SHA512(Transform):
    function = "SHA512"
    lookup_name = "sha512"


class Ord(Transform):
    """The code point of the first character."""

    function = "ORD"
    lookup_name = "ord"
    output_field = f.IntegerField()


class Repeat(Func):
    function = "REPEAT"
    arity = 2
    output_field = f.CharField()

    def __init__(self, expression: Any, number: Any, **extra: Any):
        _check_minimum("number", number, 0)
        super().__init__(expression, number, **extra)


class Replace(Func):
    """Every occurrence of `text` replaced by `replacement` (removed, by default)."""

    function = "REPLACE"
    arity = None

    def __init__(self, expression: Any, text: Any, replacement: Any = None, **extra: Any):
        super().__init__(expression, text, Value("") if replacement is None else replacement, **extra)


class Reverse(Transform):
    function = "REVERSE"
    lookup_name = "reverse"


class StrIndex(Func):
    """The 1-based position of `substring` in `string`; 0 when it is absent."""

    function = "STRINDEX"
    arity = 2
    output_field = f.IntegerField()


class Substr(Func):
    """`length` characters from the 1-based position `pos` (to the end without a length)."""

    function = "SUBSTR"
    arity = None
    output_field = f.CharField()

    def __init__(self, expression: Any, pos: Any, length: Any = None, **extra: Any):
        if not _is_expression(pos) and pos < 1:
            raise ValueError("'pos' must be greater than 0")
        parts = (expression, pos) if length is None else (expression, pos, length)
        super().__init__(*parts, **extra)
