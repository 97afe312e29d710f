"""Render SQL nodes to `(sql, params)`.

`SQLCompiler` writes ANSI-flavoured SQL; a backend subclasses it and overrides
the class tables (`lookups`, `extract_parts`) or single `visit_<Node>` methods
where its database differs. Values never enter the SQL text: each `Param` and
`Slot` becomes a placeholder and is appended to the params list in order.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any, ClassVar

from relata.exceptions import NotSupportedError
from relata.sql import nodes as n
from relata.sql.qualify import qualify_select

#: `{0}`, `{1}` ... and `{args}` in a function template (see SQLCompiler.functions).
_TEMPLATE_SLOT = re.compile(r"\{(\d+|args)\}")
#: Nodes that are conditions: put in parentheses where they are compared.
_CONDITIONS = (n.Lookup, n.IsNull, n.In, n.Between, n.And, n.Or, n.Not)
#: In user-written SQL: a placeholder, or a percent sign written twice.
_RAW_MARKS = re.compile(r"(%s|%%)")


class SQLCompiler:
    """Compile one statement at a time; instances are cheap and single-use."""

    placeholder: ClassVar[str] = "%s"
    #: A literal `%` as written in a compiled statement. Drivers with the `%s` paramstyle read a
    #: bare one as a placeholder, so their dialects double it; compile() undoubles it again for a
    #: statement without parameters, which those drivers send as it is.
    percent: ClassVar[str] = "%"
    identifier_quote: ClassVar[str] = '"'
    like_escape: ClassVar[str] = "ESCAPE '\\'"
    concat_op: ClassVar[str] = "||"
    #: How each lookup is spelled; `{lhs}` and `{rhs}` are compiled operands.
    lookups: ClassVar[dict[str, str]] = {
        "exact": "{lhs} = {rhs}",
        "iexact": "UPPER({lhs}) = UPPER({rhs})",
        "gt": "{lhs} > {rhs}",
        "gte": "{lhs} >= {rhs}",
        "lt": "{lhs} < {rhs}",
        "lte": "{lhs} <= {rhs}",
        "ne": "{lhs} <> {rhs}",
        "contains": "{lhs} LIKE {rhs} {escape}",
        "icontains": "UPPER({lhs}) LIKE UPPER({rhs}) {escape}",
        "startswith": "{lhs} LIKE {rhs} {escape}",
        "istartswith": "UPPER({lhs}) LIKE UPPER({rhs}) {escape}",
        "endswith": "{lhs} LIKE {rhs} {escape}",
        "iendswith": "UPPER({lhs}) LIKE UPPER({rhs}) {escape}",
        "regex": "{lhs} ~ {rhs}",
        "iregex": "{lhs} ~* {rhs}",
    }
    #: Lookups whose right side is a pattern when it is an expression, not a value.
    pattern_lookups: ClassVar[dict[str, tuple[str, str]]] = {
        "contains": ("%", "%"),
        "icontains": ("%", "%"),
        "startswith": ("", "%"),
        "istartswith": ("", "%"),
        "endswith": ("%", ""),
        "iendswith": ("%", ""),
    }
    extract_parts: ClassVar[dict[str, str]] = {
        "year": "EXTRACT(YEAR FROM {expr})",
        "month": "EXTRACT(MONTH FROM {expr})",
        "day": "EXTRACT(DAY FROM {expr})",
        "hour": "EXTRACT(HOUR FROM {expr})",
        "minute": "EXTRACT(MINUTE FROM {expr})",
        "second": "EXTRACT(SECOND FROM {expr})",
        "quarter": "EXTRACT(QUARTER FROM {expr})",
        "week": "EXTRACT(WEEK FROM {expr})",
        "week_day": "(EXTRACT(DOW FROM {expr}) + 1)",
        "iso_week_day": "EXTRACT(ISODOW FROM {expr})",
        "iso_year": "EXTRACT(ISOYEAR FROM {expr})",
        "date": "CAST({expr} AS DATE)",
        "time": "CAST({expr} AS TIME)",
    }

    #: Functions spelled other than `NAME(arg, ...)` here, by neutral name, or by name and the kind of
    #: the first argument ("ROUND:float", see `Func.types`). `{0}`, `{1}` ... stand for the arguments
    #: and `{args}` for all of them, comma-separated; each is compiled where the template writes it,
    #: so parameters follow the text.
    functions: ClassVar[dict[str, str]] = {}

    def __init__(self) -> None:
        self.params: list[Any] = []

    # -- entry points -------------------------------------------------------

    def compile(self, node: n.Node) -> tuple[str, list[Any]]:
        self.params = []
        sql = self.visit(node)
        if not self.params and self.percent != "%":
            sql = sql.replace(self.percent, "%")
        return sql, self.params

    def visit(self, node: n.Node) -> str:
        return getattr(self, "visit_" + type(node).__name__)(node)

    @classmethod
    def quote_name(cls, name: str) -> str:
        """`name` as an identifier in text sent as it is (DDL): quoted, embedded quote characters doubled.

        No name passes through unquoted, even one that looks quoted already: that
        shortcut let a caller's name close the quotes and write its own SQL.
        """
        q = cls.identifier_quote
        return q + name.replace(q, q + q) + q

    @classmethod
    def quote(cls, name: str) -> str:
        """`name` as an identifier inside a compiled statement (a `%` in it written as this dialect's percent)."""
        return cls.escape_percent(cls.quote_name(name))

    @classmethod
    def escape_percent(cls, text: str) -> str:
        """Literal text (a name, an inlined value, an operator) as written among placeholders."""
        return text if cls.percent == "%" else text.replace("%", cls.percent)

    # -- leaves ---------------------------------------------------------------

    def visit_Table(self, node: n.Table) -> str:
        sql = self.quote(node.name)
        if node.alias and node.alias != node.name:
            sql += " " + self.quote(node.alias)
        return sql

    def visit_Derived(self, node: n.Derived) -> str:
        return "(" + self.visit(node.query) + ") " + self.quote(node.alias)

    def visit_Col(self, node: n.Col) -> str:
        if node.alias is None:
            return self.quote(node.column)
        return self.quote(node.alias) + "." + self.quote(node.column)

    def visit_Star(self, node: n.Star) -> str:
        return "*" if node.alias is None else self.quote(node.alias) + ".*"

    def visit_Param(self, node: n.Param) -> str:
        self.params.append(node.value)
        return self.placeholder

    def visit_Slot(self, node: n.Slot) -> str:
        self.params.append(node)
        return self.placeholder

    def visit_RawSQL(self, node: n.RawSQL) -> str:
        parts = []
        params = iter(node.params)
        for piece in _RAW_MARKS.split(node.sql):
            if piece == "%s":
                marker = next(params, None)
                if marker is None:
                    raise ValueError(f"The raw SQL {node.sql!r} has more %s than the {len(node.params)} params given.")
                parts.append(self.visit(marker))
            elif piece == "%%":
                parts.append(self.escape_percent("%"))
            else:
                parts.append(self.escape_percent(piece))
        if next(params, None) is not None:
            raise ValueError(f"The raw SQL {node.sql!r} has fewer %s than the {len(node.params)} params given.")
        return "(" + "".join(parts) + ")"

    def visit_Random(self, node: n.Random) -> str:
        return "RANDOM()"

    def visit_Now(self, node: n.Now) -> str:
        return "CURRENT_TIMESTAMP"

    # -- expressions ----------------------------------------------------------

    def visit_Func(self, node: n.Func) -> str:
        if not (node.distinct or node.filter is not None):
            template = self.function_template(node)
            if template is not None:
                return self.render_template(template, node.args)
        args = ", ".join(self.visit(arg) for arg in node.args) if node.args else ""
        if node.name == "COUNT" and not node.args:
            args = "*"
        if node.distinct:
            args = "DISTINCT " + args
        if node.filter is not None:
            return self.visit_filtered_aggregate(node, args)
        return f"{node.name}({args})"

    def function_template(self, node: n.Func) -> str | None:
        functions = self.functions
        if node.types and node.types[0] is not None:
            template = functions.get(f"{node.name}:{node.types[0]}")
            if template is not None:
                return template
        return functions.get(node.name)

    def render_template(self, template: str, args: tuple[n.Node, ...]) -> str:
        """A `functions` template with its arguments compiled in the order the text names them."""
        parts = _TEMPLATE_SLOT.split(template)
        out = []
        for position, part in enumerate(parts):
            if position % 2 == 0:
                out.append(self.escape_percent(part))
            elif part == "args":
                out.append(", ".join(self.visit(arg) for arg in args))
            else:
                out.append(self.visit(args[int(part)]))
        return "".join(out)

    def visit_Window(self, node: n.Window) -> str:
        parts = []
        if node.partition_by:
            parts.append("PARTITION BY " + ", ".join(self.visit(p) for p in node.partition_by))
        if node.order_by:
            parts.append("ORDER BY " + ", ".join(self.visit(o) for o in node.order_by))
        if node.frame is not None:
            parts.append(self.visit(node.frame))
        return f"{self.visit(node.expr)} OVER ({' '.join(parts)})"

    def visit_WindowFrame(self, node: n.WindowFrame) -> str:
        bounds = []
        for direction, offset in (node.start, node.end):
            bounds.append(direction if offset is None else f"{self.visit(offset)} {direction}")
        sql = f"{node.kind} BETWEEN {bounds[0]} AND {bounds[1]}"
        return sql + f" EXCLUDE {node.exclusion}" if node.exclusion else sql

    def visit_Collate(self, node: n.Collate) -> str:
        return f"{self.visit(node.expr)} COLLATE {self.quote(node.collation)}"

    def visit_filtered_aggregate(self, node: n.Func, args: str) -> str:
        return f"{node.name}({args}) FILTER (WHERE {self.visit(node.filter)})"

    def visit_Cast(self, node: n.Cast) -> str:
        return f"CAST({self.visit(node.expr)} AS {node.type_name})"

    def visit_BinOp(self, node: n.BinOp) -> str:
        if node.types and node.op in ("+", "-"):
            return self.visit_temporal(node)
        op = self.concat_op if node.op == "||" else self.escape_percent(node.op)
        return f"({self.visit(node.lhs)} {op} {self.visit(node.rhs)})"

    def visit_temporal(self, node: n.BinOp) -> str:
        """Date, time and duration arithmetic; native here (timestamp + interval, date - date)."""
        return f"({self.visit(node.lhs)} {node.op} {self.visit(node.rhs)})"

    def visit_Neg(self, node: n.Neg) -> str:
        return f"(-{self.visit(node.expr)})"

    def visit_Extract(self, node: n.Extract) -> str:
        try:
            template = self.extract_parts[node.part]
        except KeyError:
            raise ValueError(f"Cannot extract {node.part!r} from a date on this database.")
        return template.format(expr=self.visit(node.expr))

    def visit_AtTimeZone(self, node: n.AtTimeZone) -> str:
        return f"({self.visit(node.expr)} AT TIME ZONE {self.visit(node.zone)})"

    #: The SQL type a truncated value is cast to, by its kind (a datetime keeps its own type).
    trunc_casts: ClassVar[dict[str, str]] = {"date": "DATE", "time": "TIME"}

    def visit_Trunc(self, node: n.Trunc) -> str:
        expr = self.visit(node.expr)
        if node.kind in ("date", "time"):
            return f"CAST({expr} AS {self.trunc_casts[node.kind]})"
        if node.source == "time":
            expr = f"(CAST('2000-01-01' AS DATE) + {expr})"  # DATE_TRUNC takes no time of day alone
        sql = f"DATE_TRUNC('{node.kind}', {expr})"
        if node.output == "datetime":
            return sql
        return f"CAST({sql} AS {self.trunc_casts[node.output]})"

    def visit_converted(self, node: n.Node, convert: Callable[[Any], Any]) -> str:
        """A Param or Slot whose value `convert` turns into what this dialect sends; other nodes as they are."""
        if isinstance(node, n.Param):
            self.params.append(convert(node.value))
            return self.placeholder
        if isinstance(node, n.Slot):
            prep = node.prep
            self.params.append(n.Slot(node.index, convert if prep is None else lambda value: convert(prep(value))))
            return self.placeholder
        return self.visit(node)

    # -- JSON: each dialect spells these; a database without a spelling refuses ----

    @classmethod
    def json_path(cls, keys: tuple[str, ...] | list[str]) -> str:
        """An SQL/JSON path, `$."owner"[0]`: a key that reads as an integer is an array index (as Django)."""
        parts = ["$"]
        for key in keys:
            try:
                parts.append(f"[{int(key)}]")
            except ValueError:
                cls.check_json_key(key)
                parts.append("." + json.dumps(key))
        return "".join(parts)

    @classmethod
    def check_json_key(cls, key: str) -> None:
        """Refuse a key this database's JSON paths cannot reach, rather than let it match nothing."""

    def visit_JSONPath(self, node: n.JSONPath) -> str:
        raise NotSupportedError("Querying inside a JSONField is not supported on this database backend.")

    def visit_JSONValue(self, node: n.JSONValue) -> str:
        raise NotSupportedError("Querying inside a JSONField is not supported on this database backend.")

    def visit_JSONNull(self, node: n.JSONNull) -> str:
        raise NotSupportedError("Querying inside a JSONField is not supported on this database backend.")

    def visit_JSONHasKeys(self, node: n.JSONHasKeys) -> str:
        raise NotSupportedError("has_key lookups are not supported on this database backend.")

    def visit_JSONContains(self, node: n.JSONContains) -> str:
        # Django's message; SQLite has no JSON containment operator.
        name = "contained_by" if node.contained_by else "contains"
        raise NotSupportedError(f"{name} lookup is not supported on this database backend.")

    def visit_Case(self, node: n.Case) -> str:
        parts = ["CASE"]
        for when in node.whens:
            parts.append(f"WHEN {self.visit(when.condition)} THEN {self.visit(when.result)}")
        if node.default is not None:
            parts.append("ELSE " + self.visit(node.default))
        parts.append("END")
        return " ".join(parts)

    def visit_Subquery(self, node: n.Subquery) -> str:
        return "(" + self.visit(node.query) + ")"

    def visit_Exists(self, node: n.Exists) -> str:
        return "EXISTS(" + self.visit(node.query) + ")"

    # -- conditions -----------------------------------------------------------

    def operand(self, node: n.Node) -> str:
        """A comparison's side; a condition there (a boolean annotation) in parentheses: `a < b = c` is
        no valid SQL on PostgreSQL, and NOT binds looser than `=` (MariaDB reads `a = NOT (b)` as an error)."""
        sql = self.visit(node)
        return f"({sql})" if isinstance(node, _CONDITIONS) else sql

    def visit_Lookup(self, node: n.Lookup) -> str:
        lhs, rhs = self.operand(node.lhs), self.operand(node.rhs)
        if node.name in self.pattern_lookups and not isinstance(node.rhs, n.Param | n.Slot):
            rhs = self.pattern_from_expression(node.name, rhs)
        try:
            template = self.lookups[node.name]
        except KeyError:
            raise ValueError(f"The lookup {node.name!r} is not supported on this database.")
        if node.escape:
            return template.format(lhs=lhs, rhs=rhs, escape=self.like_escape)
        return template.format(lhs=lhs, rhs=rhs, escape="").rstrip()

    def pattern_from_expression(self, lookup: str, rhs: str) -> str:
        before, after = self.pattern_lookups[lookup]
        escaped = self.escape_like_sql(rhs)
        parts = [p for p in (self.quote_pattern(before), escaped, self.quote_pattern(after)) if p]
        return "(" + f" {self.concat_op} ".join(parts) + ")"

    def quote_pattern(self, wildcard: str) -> str:
        return f"'{self.escape_percent(wildcard)}'" if wildcard else ""

    def escape_like_sql(self, sql: str) -> str:
        p = self.percent
        return f"REPLACE(REPLACE(REPLACE({sql}, '\\', '\\\\'), '{p}', '\\{p}'), '_', '\\_')"

    def visit_IsNull(self, node: n.IsNull) -> str:
        return self.visit(node.expr) + (" IS NOT NULL" if node.negated else " IS NULL")

    def visit_Row(self, node: n.Row) -> str:
        return "(" + ", ".join(self.visit(item) for item in node.items) + ")"

    def visit_In(self, node: n.In) -> str:
        lhs = self.visit(node.lhs)
        if isinstance(node.rhs, tuple):
            return f"{lhs} IN ({', '.join(self.visit(v) for v in node.rhs)})"
        return f"{lhs} IN ({self.visit(node.rhs)})"

    def visit_Between(self, node: n.Between) -> str:
        return f"{self.visit(node.lhs)} BETWEEN {self.visit(node.low)} AND {self.visit(node.high)}"

    def visit_And(self, node: n.And) -> str:
        return "(" + " AND ".join(self.visit(c) for c in node.children) + ")"

    def visit_Or(self, node: n.Or) -> str:
        return "(" + " OR ".join(self.visit(c) for c in node.children) + ")"

    def visit_Not(self, node: n.Not) -> str:
        return "NOT (" + self.visit(node.child) + ")"

    def visit_Nothing(self, node: n.Nothing) -> str:
        return "1 = 0"

    def visit_Everything(self, node: n.Everything) -> str:
        return "1 = 1"

    def visit_OrderBy(self, node: n.OrderBy) -> str:
        if node.nulls is None:
            return self.visit(node.expr) + (" DESC" if node.descending else " ASC")
        return self.ordering_with_nulls(node)

    def ordering_with_nulls(self, node: n.OrderBy) -> str:
        return self.visit(node.expr) + (" DESC" if node.descending else " ASC") + " NULLS " + node.nulls

    # -- statements -----------------------------------------------------------

    def visit_Select(self, node: n.Select) -> str:
        if node.qualify is not None:
            return self.visit(qualify_select(node))
        parts = [self.distinct_clause(node) if node.distinct else "SELECT"]
        parts.append(", ".join(self.select_column(expr, alias) for expr, alias in node.columns))
        if node.from_ is not None:
            parts.append("FROM " + self.visit(node.from_))
            for join in node.joins:
                parts.append(self.visit(join))
        if node.where is not None:
            parts.append("WHERE " + self.condition(node.where))
        if node.group_by:
            parts.append("GROUP BY " + ", ".join(self.visit(self.by_position(node, g)) for g in node.group_by))
        if node.having is not None:
            parts.append("HAVING " + self.condition(node.having))
        if node.order_by:
            order_by = node.order_by
            if not node.distinct_on:  # DISTINCT ON must repeat ORDER BY's leading expressions as written
                order_by = tuple(dataclasses.replace(o, expr=self.by_position(node, o.expr)) for o in order_by)
            parts.append("ORDER BY " + ", ".join(self.visit(o) for o in order_by))
        limit = self.limit_offset(node.limit, node.offset)
        if limit:
            parts.append(limit)
        if node.for_update is not None:
            parts.append(self.visit(node.for_update))
        return " ".join(parts)

    @staticmethod
    def by_position(node: n.Select, expr: n.Node) -> n.Node:
        """A computed GROUP BY / ORDER BY entry that is also selected, named by its position.

        A server that binds parameters itself (PostgreSQL) reads `x * $1` in the
        select list and `x * $2` in GROUP BY as two expressions, and refuses the
        query; a position names the one expression. Plain columns stay as written.
        """
        if expr.__class__ is not n.Col:
            for position, (column, _alias) in enumerate(node.columns, 1):
                if column == expr:
                    return n.SelectIndex(position)
        return expr

    def visit_SelectIndex(self, node: n.SelectIndex) -> str:
        return str(node.position)

    def visit_ForUpdate(self, node: n.ForUpdate) -> str:
        sql = "FOR NO KEY UPDATE" if node.no_key else "FOR UPDATE"
        if node.of:
            sql += " OF " + ", ".join(self.quote(alias) for alias in node.of)
        if node.nowait:
            sql += " NOWAIT"
        elif node.skip_locked:
            sql += " SKIP LOCKED"
        return sql

    def distinct_clause(self, node: n.Select) -> str:
        if node.distinct_on:
            raise NotSupportedError(
                "DISTINCT ON fields is not supported by this database backend: distinct(*fields) needs "
                "PostgreSQL. Use distinct() without field names, or values(*fields).distinct()."
            )
        return "SELECT DISTINCT"

    def condition(self, node: n.Node) -> str:
        sql = self.visit(node)
        if isinstance(node, n.And | n.Or) and sql.startswith("(") and sql.endswith(")"):
            return sql[1:-1]
        return sql

    def select_column(self, expr: n.Node, alias: str | None) -> str:
        sql = self.visit(expr)
        return sql if alias is None else f"{sql} AS {self.quote(alias)}"

    def visit_Join(self, node: n.Join) -> str:
        kind = "LEFT OUTER JOIN" if node.kind == "LEFT" else "INNER JOIN"
        return f"{kind} {self.visit(node.table)} ON {self.condition(node.on)}"

    def limit_offset(self, limit: int | None, offset: int | None) -> str:
        sql = []
        if limit is not None:
            sql.append(f"LIMIT {int(limit)}")
        if offset:
            sql.append(f"OFFSET {int(offset)}")
        return " ".join(sql)

    def visit_Compound(self, node: n.Compound) -> str:
        joiner = f" {node.op} ALL " if node.all else f" {node.op} "
        sql = joiner.join(self.compound_part(part) for part in node.parts)
        if node.order_by:
            sql += " ORDER BY " + ", ".join(self.visit(o) for o in node.order_by)
        limit = self.limit_offset(node.limit, node.offset)
        return sql + (" " + limit if limit else "")

    def compound_part(self, part: n.Select | n.Compound) -> str:
        return "(" + self.visit(part) + ")"

    def visit_Insert(self, node: n.Insert) -> str:
        table = self.quote(node.table)
        if not node.columns:
            sql = self.insert_defaults(table, len(node.rows))
        else:
            columns = ", ".join(self.quote(c) for c in node.columns)
            rows = self.insert_rows(node.rows)
            sql = f"{self.insert_verb(node)} INTO {table} ({columns}) VALUES {rows}"
            sql += self.on_conflict(node)
        if node.returning:
            sql += " RETURNING " + ", ".join(self.quote(c) for c in node.returning)
        return sql

    def insert_rows(self, rows: tuple[tuple[n.Node, ...], ...]) -> str:
        first = rows[0]
        if all(row is first for row in rows):
            # bulk_create repeats one row of placeholders: render it once.
            start = len(self.params)
            row_sql = "(" + ", ".join(self.visit(v) for v in first) + ")"
            row_params = self.params[start:]
            self.params.extend(row_params * (len(rows) - 1))
            return ", ".join([row_sql] * len(rows))
        return ", ".join("(" + ", ".join(self.visit(v) for v in row) + ")" for row in rows)

    def insert_verb(self, node: n.Insert) -> str:
        return "INSERT"

    def on_conflict(self, node: n.Insert) -> str:
        if node.on_conflict is None:
            return ""
        if node.on_conflict[0] == "ignore":
            return " ON CONFLICT DO NOTHING"
        _, conflict, update = node.on_conflict
        target = ", ".join(self.quote(c) for c in conflict)
        sets = ", ".join(f"{self.quote(c)} = EXCLUDED.{self.quote(c)}" for c in update)
        return f" ON CONFLICT({target}) DO UPDATE SET {sets}"

    def insert_defaults(self, table: str, count: int) -> str:
        if count != 1:
            raise ValueError("Inserting several rows of only default values at once is not supported.")
        return f"INSERT INTO {table} DEFAULT VALUES"

    def visit_Update(self, node: n.Update) -> str:
        sets = ", ".join(f"{self.quote(col)} = {self.visit(value)}" for col, value in node.assignments)
        sql = f"UPDATE {self.quote(node.table)} SET {sets}"
        if node.where is not None:
            sql += " WHERE " + self.condition(node.where)
        return sql

    def visit_Delete(self, node: n.Delete) -> str:
        sql = f"DELETE FROM {self.quote(node.table)}"
        if node.where is not None:
            sql += " WHERE " + self.condition(node.where)
        return sql
