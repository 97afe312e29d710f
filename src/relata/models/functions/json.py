"""JSON functions: JSONArray and JSONObject build a JSON document from expressions.

Keys are values (parameters); each argument keeps its JSON type: a text is a
JSON string, a number a number, and a JSON column or another JSONArray or
JSONObject is nested as a document rather than quoted. Each database names the
builders in its compiler (`JSON_ARRAY`, `JSON_OBJECT`).
"""

from __future__ import annotations

from typing import Any

from relata.models import fields as f
from relata.models.expressions import Func, Value
from relata.sql import nodes as n


class JSONArray(Func):
    """A JSON array of the expressions' values, in order."""

    function = "JSON_ARRAY"
    output_field = f.JSONField()

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        args, fields = self.resolve_sources(builder)
        return self.func_node(args, fields, self.output_field), self.output_field


class JSONObject(JSONArray):
    """A JSON object of `key=expression` pairs (a string value names a field, as elsewhere)."""

    function = "JSON_OBJECT"

    def __init__(self, **fields: Any):
        pairs: list[Any] = []
        for key, value in fields.items():
            pairs.extend((Value(key), value))
        super().__init__(*pairs)
