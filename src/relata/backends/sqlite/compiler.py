"""SQLite's spelling of the pieces where it leaves ANSI SQL."""

from __future__ import annotations

from typing import ClassVar

from relata.sql import nodes as n
from relata.sql.compiler import SQLCompiler


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
        "time": "TIME({expr})",
    }

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
