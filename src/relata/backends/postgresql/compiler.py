"""PostgreSQL's spelling of the pieces where it leaves the neutral compiler.

psycopg reads `%` as the start of a placeholder whenever parameters are sent,
so every literal percent sign the compiler writes (in names, operators, LIKE
wildcards built from expressions) is doubled (`percent`), and undoubled again
for statements without parameters, which psycopg sends untouched.
"""

from __future__ import annotations

from typing import ClassVar

from relata.sql import nodes as n
from relata.sql.compiler import SQLCompiler


def _int(template: str) -> str:
    # EXTRACT returns numeric since PostgreSQL 14; Django's parts are integers.
    return "CAST(" + template + " AS integer)"


def _text(lhs: str = "{lhs}") -> str:
    # LIKE, UPPER and ~ take text: casting lets `id__contains=1` work as on other databases.
    return "CAST(" + lhs + " AS text)"


_JSON_BUILDERS = {"JSON_ARRAY": "JSONB_BUILD_ARRAY", "JSON_OBJECT": "JSONB_BUILD_OBJECT"}


def _posix_offset(zone: str) -> str:
    if zone[:1] in "+-":
        return ("-" if zone[0] == "+" else "+") + zone[1:]
    return zone


class PostgreSQLCompiler(SQLCompiler):
    placeholder = "%s"
    percent = "%%"
    lookups: ClassVar[dict[str, str]] = {
        **SQLCompiler.lookups,
        "iexact": "UPPER(" + _text() + ") = UPPER({rhs})",
        "contains": _text() + " LIKE {rhs} {escape}",
        "icontains": "UPPER(" + _text() + ") LIKE UPPER({rhs}) {escape}",
        "startswith": _text() + " LIKE {rhs} {escape}",
        "istartswith": "UPPER(" + _text() + ") LIKE UPPER({rhs}) {escape}",
        "endswith": _text() + " LIKE {rhs} {escape}",
        "iendswith": "UPPER(" + _text() + ") LIKE UPPER({rhs}) {escape}",
        "regex": _text() + " ~ {rhs}",
        "iregex": _text() + " ~* {rhs}",
    }
    functions: ClassVar[dict[str, str]] = {
        **SQLCompiler.functions,
        "ORD": "ASCII({0})",
        "STRINDEX": "STRPOS({0}, {1})",
        # LOG and MOD take no double precision: compute in numeric.
        "LOG": "LOG(CAST({0} AS numeric), CAST({1} AS numeric))",
        "MOD": "MOD(CAST({0} AS numeric), CAST({1} AS numeric))",
        # ROUND(double precision, integer) does not exist; an integer's ROUND, CEIL, FLOOR and SIGN are
        # numeric or double: cast back, so an integer in gives an integer out.
        "ROUND:float": "CAST(ROUND(CAST({0} AS numeric), {1}) AS double precision)",
        "ROUND:int": "CAST(ROUND({0}, {1}) AS bigint)",
        "CEILING:int": "CAST(CEILING({0}) AS bigint)",
        "FLOOR:int": "CAST(FLOOR({0}) AS bigint)",
        "SIGN:int": "CAST(SIGN({0}) AS integer)",
        # An untyped text parameter would be ambiguous between the text and bytea versions.
        "MD5": "MD5(CAST({0} AS text))",
        # SHA-1 is in pgcrypto only (CREATE EXTENSION pgcrypto); the SHA-2 family is built in.
        "SHA1": "ENCODE(DIGEST(CAST({0} AS text), 'sha1'), 'hex')",
        "SHA224": "ENCODE(SHA224(CONVERT_TO(CAST({0} AS text), 'UTF8')), 'hex')",
        "SHA256": "ENCODE(SHA256(CONVERT_TO(CAST({0} AS text), 'UTF8')), 'hex')",
        "SHA384": "ENCODE(SHA384(CONVERT_TO(CAST({0} AS text), 'UTF8')), 'hex')",
        "SHA512": "ENCODE(SHA512(CONVERT_TO(CAST({0} AS text), 'UTF8')), 'hex')",
    }
    extract_parts: ClassVar[dict[str, str]] = {
        "year": _int("EXTRACT(YEAR FROM {expr})"),
        "month": _int("EXTRACT(MONTH FROM {expr})"),
        "day": _int("EXTRACT(DAY FROM {expr})"),
        "hour": _int("EXTRACT(HOUR FROM {expr})"),
        "minute": _int("EXTRACT(MINUTE FROM {expr})"),
        "second": _int("FLOOR(EXTRACT(SECOND FROM {expr}))"),
        "quarter": _int("EXTRACT(QUARTER FROM {expr})"),
        "week": _int("EXTRACT(WEEK FROM {expr})"),
        "week_day": _int("EXTRACT(DOW FROM {expr}) + 1"),
        "iso_week_day": _int("EXTRACT(ISODOW FROM {expr})"),
        "iso_year": _int("EXTRACT(ISOYEAR FROM {expr})"),
        "date": "CAST({expr} AS DATE)",
        "time": "CAST({expr} AS TIME)",
    }

    def distinct_clause(self, node: n.Select) -> str:
        if not node.distinct_on:
            return "SELECT DISTINCT"
        return "SELECT DISTINCT ON (" + ", ".join(self.visit(e) for e in node.distinct_on) + ")"

    # -- jsonb: a path is a text[] parameter; `?` operators pass psycopg untouched --

    def visit_JSONPath(self, node: n.JSONPath) -> str:
        operator = "#>>" if node.form == "text" else "#>"
        expr = self.visit(node.expr)
        if not node.keys:
            return expr
        self.params.append(list(node.keys))
        return f"({expr} {operator} {self.placeholder})"

    def visit_JSONValue(self, node: n.JSONValue) -> str:
        # jsonb compares with jsonb: numbers as numbers, strings as strings (Django's way here).
        return f"CAST({self.visit(node.value)} AS jsonb)"

    def visit_JSONNull(self, node: n.JSONNull) -> str:
        return f"{self.visit(node.path)} = 'null'::jsonb"

    def visit_JSONHasKeys(self, node: n.JSONHasKeys) -> str:
        lhs = self.visit(n.JSONPath(node.path.expr, node.path.keys))
        keys = [self.visit_converted(key, str) for key in node.keys]
        if len(keys) == 1:
            return f"({lhs} ? {keys[0]})"
        operator = "?&" if node.all_ else "?|"
        return f"({lhs} {operator} ARRAY[{', '.join(keys)}])"

    def visit_JSONContains(self, node: n.JSONContains) -> str:
        operator = "<@" if node.contained_by else "@>"
        return f"({self.visit(node.lhs)} {operator} CAST({self.visit(node.rhs)} AS jsonb))"

    def visit_AtTimeZone(self, node: n.AtTimeZone) -> str:
        # AT TIME ZONE '+02:00' is POSIX, east of UTC negative: an ISO offset's sign is turned.
        return f"({self.visit(node.expr)} AT TIME ZONE {self.visit_converted(node.zone, _posix_offset)})"

    def visit_Now(self, node: n.Now) -> str:
        return "STATEMENT_TIMESTAMP()"  # not frozen at the transaction's start, as in Django

    def visit_Func(self, node: n.Func) -> str:
        if node.name in _JSON_BUILDERS:
            return self.visit_json_builder(node)
        if node.name == "COALESCE" and len(node.args) == 2 and node.args[1] == n.Param(""):
            # Concat's guard against NULL parts: any type joins as text, as in Django.
            return f"COALESCE(CAST({self.visit(node.args[0])} AS text), {self.visit(node.args[1])})"
        return super().visit_Func(node)

    def visit_temporal(self, node: n.BinOp) -> str:
        if node.op == "-" and node.types == ("date", "date"):
            # date - date is a number of days here; a duration is an interval.
            return f"(({self.visit(node.lhs)} - {self.visit(node.rhs)}) * INTERVAL '1 day')"
        return super().visit_temporal(node)

    def visit_json_builder(self, node: n.Func) -> str:
        # The builders take "any": a text parameter has no type until it is cast.
        args = []
        for index, arg in enumerate(node.args):
            kind = node.types[index] if index < len(node.types) else None
            text = kind == "text" or (kind is None and isinstance(arg, n.Param | n.Slot))
            args.append(f"CAST({self.visit(arg)} AS text)" if text else self.visit(arg))
        return f"{_JSON_BUILDERS[node.name]}({', '.join(args)})"

    def visit_BinOp(self, node: n.BinOp) -> str:
        if node.op == "||":
            # Concatenation takes text on both sides, whatever the operands' types.
            return f"(CAST({self.visit(node.lhs)} AS text) || CAST({self.visit(node.rhs)} AS text))"
        return super().visit_BinOp(node)
