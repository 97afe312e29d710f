"""Text functions: Concat, Length, Lower, Upper."""

from __future__ import annotations

from typing import Any

from relata.models import fields as f
from relata.models.expressions import Func
from relata.sql import nodes as n


class Concat(Func):
    """Concatenate text; NULL parts count as empty, as in Django."""

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        args, _ = self.resolve_sources(builder)
        empty = n.Param("")
        node: n.Node = n.Func("COALESCE", (args[0], empty))
        for arg in args[1:]:
            node = n.BinOp("||", node, n.Func("COALESCE", (arg, empty)))
        return node, self.output_field or f.TextField()


class Length(Func):
    function = "LENGTH"
    arity = 1
    output_field = f.IntegerField()


class Lower(Func):
    function = "LOWER"
    arity = 1


class Upper(Func):
    function = "UPPER"
    arity = 1
