"""SQLite's spelling of the pieces where it leaves ANSI SQL."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from relata.exceptions import NotSupportedError
from relata.sql import nodes as n
from relata.sql.compiler import SQLCompiler

#: JSON_EXTRACT reads these as 1, 0 and NULL; comparing by their type names keeps
#: true apart from 1 and null apart from a missing key, as Django does on SQLite.
_JSON_NAMED = "('null', 'false', 'true')"


#: Casts to the types SQLite keeps as text, by the cast's type name.
_DATE_CASTS = {
    "date": "DATE({expr})",
    "datetime": "STRFTIME('%Y-%m-%d %H:%M:%f', {expr})",
    "time": "STRFTIME('%H:%M:%f', {expr})",
}


def _kinds(node: n.Func) -> list[tuple[n.Node, str | None]]:
    """Each argument with its kind (None past the kinds given)."""
    return [(arg, node.types[i] if i < len(node.types) else None) for i, arg in enumerate(node.args)]


def _int_part(fmt: str) -> str:
    return "CAST(STRFTIME('" + fmt + "', {expr}) AS INTEGER)"


class SQLiteCompiler(SQLCompiler):
    placeholder = "?"
    lookups: ClassVar[dict[str, str]] = {
        **SQLCompiler.lookups,
        "iexact": "LOWER({lhs}) = LOWER({rhs})",
        "icontains": "LOWER({lhs}) LIKE LOWER({rhs}) {escape}",
        "istartswith": "LOWER({lhs}) LIKE LOWER({rhs}) {escape}",
        "iendswith": "LOWER({lhs}) LIKE LOWER({rhs}) {escape}",
        "regex": "{lhs} REGEXP {rhs}",
        "iregex": "{lhs} REGEXP ('(?i)' || {rhs})",
    }
    #: The rest of the functions SQLite's core lacks come from the connection (functions.py).
    functions: ClassVar[dict[str, str]] = {
        **SQLCompiler.functions,
        "GREATEST": "MAX({args})",
        "LEAST": "MIN({args})",
        # RANDOM() is a 64-bit integer here; Random() is a float in [0, 1).
        "RANDOM": "RELATA_RANDOM()",
        "CHR": "CHAR({0})",
        "ORD": "UNICODE({0})",
        "LEFT": "SUBSTR({0}, 1, {1})",
        "RIGHT": "SUBSTR({0}, -({1}), {1})",
        "STRINDEX": "INSTR({0}, {1})",
        # ROUND always answers a REAL: an integer rounded stays an integer.
        "ROUND:int": "CAST(ROUND({0}, {1}) AS INTEGER)",
    }
    extract_parts: ClassVar[dict[str, str]] = {
        "year": _int_part("%Y"),
        "month": _int_part("%m"),
        "day": _int_part("%d"),
        "hour": _int_part("%H"),
        "minute": _int_part("%M"),
        "second": _int_part("%S"),
        "week_day": "(" + _int_part("%w") + " + 1)",
        "quarter": "((" + _int_part("%m") + " + 2) / 3)",
        "week": "RELATA_EXTRACT('week', {expr})",
        "iso_week_day": "RELATA_EXTRACT('iso_week_day', {expr})",
        "iso_year": "RELATA_EXTRACT('iso_year', {expr})",
        "date": "DATE({expr})",
        # TIME() drops the microseconds a datetime keeps.
        "time": "RELATA_TRUNC('time', 'time', {expr})",
    }

    def visit_Func(self, node: n.Func) -> str:
        if node.name in ("JSON_ARRAY", "JSON_OBJECT"):
            return self.visit_json_builder(node)
        sql = super().visit_Func(node)
        if node.output == "decimal":
            # A function's result has no column affinity: as NUMERIC it compares with a decimal
            # parameter (sent as text) as a number, the way a DecimalField column does.
            return f"CAST({sql} AS NUMERIC)"
        return sql

    def visit_BinOp(self, node: n.BinOp) -> str:
        sql = super().visit_BinOp(node)
        # As a function's: arithmetic has no affinity, and a decimal parameter is text here.
        return f"CAST({sql} AS NUMERIC)" if node.output == "decimal" else sql

    def visit_Window(self, node: n.Window) -> str:
        expr = node.expr
        if isinstance(expr, n.Func) and expr.output == "decimal":
            # The NUMERIC cast goes around the whole window: CAST(LAG(x) AS NUMERIC) OVER (...) is no SQL.
            inner = dataclasses.replace(node, expr=dataclasses.replace(expr, output=None))
            return f"CAST({super().visit_Window(inner)} AS NUMERIC)"
        return super().visit_Window(node)

    def visit_json_builder(self, node: n.Func) -> str:
        # JSON text from a column is a string to JSON_ARRAY unless JSON() marks it a document.
        args = [f"JSON({self.visit(arg)})" if kind == "json" else self.visit(arg) for arg, kind in _kinds(node)]
        return f"{node.name}({', '.join(args)})"

    def visit_Cast(self, node: n.Cast) -> str:
        template = _DATE_CASTS.get(node.type_name.lower())
        if template is None:
            return super().visit_Cast(node)
        # CAST(... AS date) would read '2026-12-07' as the number 2026; the date functions read it as a date.
        return template.format(expr=self.visit(node.expr))

    def visit_temporal(self, node: n.BinOp) -> str:
        # Dates are text and durations microseconds here: "+" would add a number to text.
        left, right = node.types
        lhs, rhs = self.visit(node.lhs), self.visit(node.rhs)
        return f"RELATA_TEMPORAL('{node.op}', '{left}', {lhs}, '{right}', {rhs})"

    def visit_AtTimeZone(self, node: n.AtTimeZone) -> str:
        return f"RELATA_TO_ZONE({self.visit(node.expr)}, {self.visit(node.zone)})"

    def visit_Trunc(self, node: n.Trunc) -> str:
        # kind and output are words from a fixed list, not values.
        return f"RELATA_TRUNC('{node.kind}', '{node.output}', {self.visit(node.expr)})"

    def visit_Random(self, node: n.Random) -> str:
        return "RANDOM()"

    def visit_Now(self, node: n.Now) -> str:
        # The same text form relata stores naive datetimes in (UTC).
        return "STRFTIME('%Y-%m-%d %H:%M:%f', 'now')"

    def limit_offset(self, limit: int | None, offset: int | None) -> str:
        if offset and limit is None:
            return f"LIMIT -1 OFFSET {int(offset)}"
        return super().limit_offset(limit, offset)

    def compound_part(self, part: n.Select | n.Compound) -> str:
        # SQLite takes no parentheses around compound members and no ORDER BY
        # or LIMIT inside them: such a member becomes a derived table.
        if isinstance(part, n.Select) and not (part.order_by or part.limit or part.offset):
            return self.visit(part)
        return "SELECT * FROM (" + self.visit(part) + ")"

    # -- JSON1: paths travel as parameters ---------------------------------------

    @classmethod
    def check_json_key(cls, key: str) -> None:
        if '"' in key:
            # SQLite ends a quoted path label at the first double quote, escaped or not.
            raise NotSupportedError(
                f"SQLite's JSON paths cannot reach the key {key!r}, which contains a double quote. "
                "Use a key without one, or query it on PostgreSQL or MySQL."
            )

    def path_param(self, keys: tuple[str, ...]) -> str:
        self.params.append(self.json_path(keys))
        return self.placeholder

    def visit_JSONPath(self, node: n.JSONPath) -> str:
        if node.form == "json":
            # `->` (SQLite 3.38) returns JSON text, so a string and a JSON null read back as such.
            return f"({self.visit(node.expr)} -> {self.path_param(node.keys)})"
        if node.form == "text":
            return f"JSON_EXTRACT({self.visit(node.expr)}, {self.path_param(node.keys)})"
        typed = f"JSON_TYPE({self.visit(node.expr)}, {self.path_param(node.keys)})"
        named = f"JSON_TYPE({self.visit(node.expr)}, {self.path_param(node.keys)})"
        value = f"JSON_EXTRACT({self.visit(node.expr)}, {self.path_param(node.keys)})"
        return f"(CASE WHEN {typed} IN {_JSON_NAMED} THEN {named} ELSE {value} END)"

    def visit_JSONValue(self, node: n.JSONValue) -> str:
        # The parameter is JSON text: true, false and null compare by name, the rest as SQL values.
        first = self.visit(node.value)
        second = self.visit(node.value)
        third = self.visit(node.value)
        return f"(CASE WHEN {first} IN {_JSON_NAMED} THEN {second} ELSE JSON_EXTRACT({third}, '$') END)"

    def visit_JSONNull(self, node: n.JSONNull) -> str:
        path = node.path
        return f"JSON_TYPE({self.visit(path.expr)}, {self.path_param(path.keys)}) = 'null'"

    def visit_JSONHasKeys(self, node: n.JSONHasKeys) -> str:
        prefix, path_of = node.path.keys, self.json_path
        tests = []
        for key in node.keys:
            expr = self.visit(node.path.expr)
            path = self.visit_converted(key, lambda k: path_of((*prefix, str(k))))
            tests.append(f"JSON_TYPE({expr}, {path}) IS NOT NULL")
        return "(" + (" AND " if node.all_ else " OR ").join(tests) + ")"
