"""Comparison and conversion functions: Cast, Coalesce, Greatest, Least.

Each picks its output field from its arguments as Django does (mixed types
need output_field=); Greatest and Least are spelled by the backend.
"""

from __future__ import annotations

from typing import Any

from relata.models.expressions import Func
from relata.sql import nodes as n


class Cast(Func):
    def __init__(self, expression: Any, output_field: Any):
        super().__init__(expression, output_field=output_field)

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        args, _ = self.resolve_sources(builder)
        type_name = self.output_field.cast_db_type(builder.connection)
        return n.Cast(args[0], builder.connection.ops.cast_type(type_name)), self.output_field


class Coalesce(Func):
    function = "COALESCE"

    def __init__(self, *expressions: Any, output_field: Any = None):
        if len(expressions) < 2:
            raise ValueError("Coalesce must take at least two expressions")
        super().__init__(*expressions, output_field=output_field)


class Greatest(Func):
    function = "GREATEST"

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        node, field = super().resolve(builder)
        return n.Func(builder.connection.ops.greatest_function("GREATEST"), node.args), field


class Least(Func):
    function = "LEAST"

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        node, field = super().resolve(builder)
        return n.Func(builder.connection.ops.greatest_function("LEAST"), node.args), field
