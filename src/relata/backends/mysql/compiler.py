"""MySQL's and MariaDB's spelling of the pieces where they leave ANSI SQL.

Backticks quote names; `||` is CONCAT(); a backslash inside a string literal
is an escape, so the LIKE escape character is written `'\\\\'`. Like psycopg,
the MySQL drivers read `%` as a placeholder when parameters are sent, so
literal percent signs are doubled (and undoubled for parameterless SQL).
Case-sensitivity never rides on the column's collation: `contains` uses
LIKE BINARY, `regex` asks PCRE for it with `(?-i)`, i-lookups fold with LOWER.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from relata.exceptions import NotSupportedError
from relata.sql import nodes as n
from relata.sql.compiler import SQLCompiler

_BIGGEST_LIMIT = 18446744073709551615


def _unquoted(text: Any) -> Any:
    """A JSON value as JSON_UNQUOTE(JSON_EXTRACT(...)) reads it: strings bare, numbers as numbers."""
    value = json.loads(text) if isinstance(text, str) else text
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


_JSON_NUMBERS = "('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL')"


def _document(path: n.JSONPath) -> n.JSONPath:
    return n.JSONPath(path.expr, path.keys)


#: DATE_FORMAT patterns that cut a datetime down to a kind; then cast back to a DATETIME or DATE.
_DATETIME_TRUNC = {
    "year": "%Y-01-01 00:00:00",
    "month": "%Y-%m-01 00:00:00",
    "day": "%Y-%m-%d 00:00:00",
    "hour": "%Y-%m-%d %H:00:00",
    "minute": "%Y-%m-%d %H:%i:00",
    "second": "%Y-%m-%d %H:%i:%s",
}
_TIME_TRUNC = {"hour": "%H:00:00", "minute": "%H:%i:00", "second": "%H:%i:%s"}
_TRUNC_TYPES = {"datetime": "DATETIME", "date": "DATE", "time": "TIME"}


class MySQLCompiler(SQLCompiler):
    placeholder = "%s"
    percent = "%%"
    identifier_quote = "`"
    like_escape = "ESCAPE '\\\\'"
    lookups: ClassVar[dict[str, str]] = {
        **SQLCompiler.lookups,
        "iexact": "LOWER({lhs}) = LOWER({rhs})",
        "contains": "{lhs} LIKE BINARY {rhs} {escape}",
        "icontains": "LOWER({lhs}) LIKE LOWER({rhs}) {escape}",
        "startswith": "{lhs} LIKE BINARY {rhs} {escape}",
        "istartswith": "LOWER({lhs}) LIKE LOWER({rhs}) {escape}",
        "endswith": "{lhs} LIKE BINARY {rhs} {escape}",
        "iendswith": "LOWER({lhs}) LIKE LOWER({rhs}) {escape}",
        "regex": "{lhs} REGEXP CONCAT('(?-i)', {rhs})",
        "iregex": "{lhs} REGEXP CONCAT('(?i)', {rhs})",
    }
    functions: ClassVar[dict[str, str]] = {
        **SQLCompiler.functions,
        "RANDOM": "RAND()",
        "CHR": "CHAR({0} USING utf16)",
        "LENGTH": "CHAR_LENGTH({0})",  # LENGTH counts bytes here
        "STRINDEX": "INSTR({0}, {1})",
        "SHA224": "SHA2({0}, 224)",
        "SHA256": "SHA2({0}, 256)",
        "SHA384": "SHA2({0}, 384)",
        "SHA512": "SHA2({0}, 512)",
        # MOD of integers is an integer here; Mod() is a float for integer input, as in Django.
        "MOD:int": "CAST(MOD({0}, {1}) AS DOUBLE)",
    }
    extract_parts: ClassVar[dict[str, str]] = {
        "year": "YEAR({expr})",
        "month": "MONTH({expr})",
        "day": "DAYOFMONTH({expr})",
        "hour": "HOUR({expr})",
        "minute": "MINUTE({expr})",
        "second": "SECOND({expr})",
        "quarter": "QUARTER({expr})",
        "week": "WEEK({expr}, 3)",
        "week_day": "DAYOFWEEK({expr})",
        "iso_week_day": "(WEEKDAY({expr}) + 1)",
        "iso_year": "FLOOR(YEARWEEK({expr}, 3) / 100)",
        "date": "DATE({expr})",
        "time": "TIME({expr})",
    }

    def visit_Random(self, node: n.Random) -> str:
        return "RAND()"

    @classmethod
    def quote_name(cls, name: str) -> str:
        if name and (max(name) > "\uffff" or "\x00" in name):
            # MySQL's identifiers hold the Basic Multilingual Plane only, without NUL.
            raise ValueError(
                f"The name {name!r} cannot be a MySQL identifier: it holds a character outside Unicode's "
                "Basic Multilingual Plane (such as an emoji) or NUL. Choose a name without it."
            )
        return super().quote_name(name)

    # -- JSON: paths are SQL/JSON path parameters ----------------------------------

    @classmethod
    def check_json_key(cls, key: str) -> None:
        if key.startswith("-"):
            # MariaDB's path parser reads a leading '-' as part of an array index, even inside quotes.
            raise NotSupportedError(
                f"MariaDB's JSON paths cannot reach the key {key!r}, which starts with '-'. "
                "Use a key that does not, or query it on PostgreSQL or SQLite."
            )

    def path_param(self, keys: tuple[str, ...]) -> str:
        self.params.append(self.json_path(keys))
        return self.placeholder

    def visit_JSONPath(self, node: n.JSONPath) -> str:
        extract = f"JSON_EXTRACT({self.visit(node.expr)}, {self.path_param(node.keys)})"
        # MariaDB's JSON is text: unquoted, a string compares as a string and a number as a number.
        return extract if node.form == "json" else f"JSON_UNQUOTE({extract})"

    def visit_JSONValue(self, node: n.JSONValue) -> str:
        return self.visit_converted(node.value, _unquoted)

    def visit_Lookup(self, node: n.Lookup) -> str:
        if node.name == "exact" and isinstance(node.rhs, n.JSONValue) and isinstance(node.lhs, n.JSONPath):
            return self.json_equals(node.lhs, node.rhs)
        return super().visit_Lookup(node)

    def json_equals(self, path: n.JSONPath, value: n.JSONValue) -> str:
        # Same JSON type and same text, so 10 does not match "10" nor 1 true (MariaDB's JSON = JSON does).
        same_type = (
            f"JSON_TYPE({self.visit(_document(path))}) = JSON_TYPE(JSON_EXTRACT({self.visit(value.value)}, '$'))"
        )
        lhs = f"JSON_UNQUOTE({self.visit(_document(path))})"
        same_text = f"{lhs} = JSON_UNQUOTE(JSON_EXTRACT({self.visit(value.value)}, '$'))"
        return f"({same_type} AND {same_text})"

    def visit_OrderBy(self, node: n.OrderBy) -> str:
        expr = node.expr
        if not (isinstance(expr, n.JSONPath) and expr.form == "value"):
            return super().visit_OrderBy(node)
        # MariaDB's JSON is text: numbers sort as numbers first, then everything by its text.
        direction = " DESC" if node.descending else " ASC"
        document = _document(expr)
        number = (
            f"CASE WHEN JSON_TYPE({self.visit(document)}) IN {_JSON_NUMBERS} "
            f"THEN CAST(JSON_UNQUOTE({self.visit(document)}) AS DOUBLE) END"
        )
        return f"{number}{direction}, {self.visit(expr)}{direction}"

    def ordering_with_nulls(self, node: n.OrderBy) -> str:
        # No NULLS FIRST/LAST here: sort on whether the value is NULL first (false sorts before true).
        test = " IS NOT NULL, " if node.nulls == "FIRST" else " IS NULL, "
        return self.visit(node.expr) + test + self.visit(n.OrderBy(node.expr, node.descending))

    def visit_JSONNull(self, node: n.JSONNull) -> str:
        return f"JSON_TYPE({self.visit(_document(node.path))}) = 'NULL'"

    def visit_JSONHasKeys(self, node: n.JSONHasKeys) -> str:
        prefix, path_of = node.path.keys, self.json_path
        expr = self.visit(node.path.expr)
        paths = [self.visit_converted(key, lambda k: path_of((*prefix, str(k)))) for key in node.keys]
        return f"JSON_CONTAINS_PATH({expr}, '{'all' if node.all_ else 'one'}', {', '.join(paths)})"

    def visit_JSONContains(self, node: n.JSONContains) -> str:
        # Parameters follow the text: the container is written (and visited) first.
        container, candidate = (node.rhs, node.lhs) if node.contained_by else (node.lhs, node.rhs)
        return f"JSON_CONTAINS({self.visit(container)}, {self.visit(candidate)})"

    def visit_temporal(self, node: n.BinOp) -> str:
        # Durations are microseconds in a BIGINT here: "+" would add a number to a date's digits.
        left, right = node.types
        if left == "duration" and right == "duration":
            return super().visit_temporal(node)
        if left == right or {left, right} == {"date", "datetime"}:  # a difference: microseconds
            lhs, rhs = self.visit_moment(node.lhs, left), self.visit_moment(node.rhs, right)
            return f"TIMESTAMPDIFF(MICROSECOND, {rhs}, {lhs})"
        moment, duration, kind = (node.lhs, node.rhs, left) if right == "duration" else (node.rhs, node.lhs, right)
        sql = f"({self.visit_moment(moment, kind)} {node.op} INTERVAL {self.visit(duration)} MICROSECOND)"
        return f"TIME({sql})" if kind == "time" else sql

    def visit_moment(self, node: n.Node, kind: str | None) -> str:
        """A date, time or datetime as a DATETIME(6), so every operation sees microseconds."""
        if kind == "time":
            return f"TIMESTAMP('2000-01-01', {self.visit(node)})"
        return f"CAST({self.visit(node)} AS DATETIME(6))"

    def visit_AtTimeZone(self, node: n.AtTimeZone) -> str:
        # Named zones need MySQL's time zone tables loaded (mysql_tzinfo_to_sql); offsets work without.
        return f"CONVERT_TZ({self.visit(node.expr)}, '+00:00', {self.visit(node.zone)})"

    def visit_Trunc(self, node: n.Trunc) -> str:
        if node.kind in ("date", "time"):
            return f"{node.kind.upper()}({self.visit(node.expr)})"
        if node.source == "time":
            sql = f"TIME_FORMAT({self.visit(node.expr)}, '{self.escape_percent(_TIME_TRUNC[node.kind])}')"
            return f"CAST({sql} AS TIME)"
        if node.kind == "quarter":
            year, quarter = self.visit(node.expr), self.visit(node.expr)
            sql = f"MAKEDATE(YEAR({year}), 1) + INTERVAL QUARTER({quarter}) QUARTER - INTERVAL 1 QUARTER"
        elif node.kind == "week":
            day, weekday = self.visit(node.expr), self.visit(node.expr)
            sql = f"DATE_SUB(DATE({day}), INTERVAL WEEKDAY({weekday}) DAY)"
        else:
            sql = f"DATE_FORMAT({self.visit(node.expr)}, '{self.escape_percent(_DATETIME_TRUNC[node.kind])}')"
        return f"CAST({sql} AS {_TRUNC_TYPES[node.output]})"

    def visit_Func(self, node: n.Func) -> str:
        if node.name in ("JSON_ARRAY", "JSON_OBJECT") and "json" in node.types:
            # MariaDB's JSON column is text: JSON_EXTRACT(x, '$') hands it over as a document.
            args = [
                f"JSON_EXTRACT({self.visit(arg)}, '$')" if kind == "json" else self.visit(arg)
                for arg, kind in zip(node.args, node.types, strict=False)
            ]
            return f"{node.name}({', '.join(args)})"
        return super().visit_Func(node)

    def visit_Now(self, node: n.Now) -> str:
        return "CURRENT_TIMESTAMP(6)"  # microseconds, as DATETIME(6) keeps them

    def visit_BinOp(self, node: n.BinOp) -> str:
        if node.op == "||":
            return f"CONCAT({self.visit(node.lhs)}, {self.visit(node.rhs)})"
        return super().visit_BinOp(node)

    def visit_In(self, node: n.In) -> str:
        rhs = node.rhs
        if isinstance(rhs, tuple) and isinstance(node.lhs, n.JSONPath) and all(isinstance(v, n.JSONValue) for v in rhs):
            return "(" + " OR ".join(self.json_equals(node.lhs, value) for value in rhs) + ")"
        if isinstance(rhs, n.Select | n.Compound) and (rhs.limit is not None or rhs.offset):
            # MySQL takes no LIMIT inside IN (...), but does inside a derived table.
            return f"{self.visit(node.lhs)} IN (SELECT * FROM ({self.visit(rhs)}) AS `subquery`)"
        return super().visit_In(node)

    def pattern_from_expression(self, lookup: str, rhs: str) -> str:
        before, after = self.pattern_lookups[lookup]
        escaped = self.escape_like_sql(rhs)
        parts = [p for p in (self.quote_pattern(before), escaped, self.quote_pattern(after)) if p]
        return "CONCAT(" + ", ".join(parts) + ")"

    def escape_like_sql(self, sql: str) -> str:
        p = self.percent
        return f"REPLACE(REPLACE(REPLACE({sql}, '\\\\', '\\\\\\\\'), '{p}', '\\{p}'), '_', '\\_')"

    def limit_offset(self, limit: int | None, offset: int | None) -> str:
        if offset and limit is None:
            # MySQL has no OFFSET without LIMIT: its manual suggests the largest LIMIT.
            return f"LIMIT {_BIGGEST_LIMIT} OFFSET {int(offset)}"
        return super().limit_offset(limit, offset)

    def on_conflict(self, node: n.Insert) -> str:
        if node.on_conflict is None:
            return ""
        if node.on_conflict[0] == "ignore":
            # Not INSERT IGNORE: that also swallows foreign key and NOT NULL errors.
            column = self.quote(node.columns[0])
            return f" ON DUPLICATE KEY UPDATE {column} = {column}"
        _, _conflict, update = node.on_conflict
        # MySQL picks the conflicting unique key itself: the target columns are not named.
        sets = ", ".join(f"{self.quote(c)} = VALUES({self.quote(c)})" for c in update)
        return f" ON DUPLICATE KEY UPDATE {sets}"

    def insert_defaults(self, table: str, count: int) -> str:
        return f"INSERT INTO {table} () VALUES " + ", ".join(["()"] * count)
