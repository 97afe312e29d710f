"""Mathematical functions: Abs."""

from __future__ import annotations

from relata.models.expressions import Func


class Abs(Func):
    function = "ABS"
    arity = 1
