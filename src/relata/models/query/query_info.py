"""`qs.query`: a queryset's query as an object of its own, as Django's QuerySet.query is.

It prints the SQL for reading, and stands for the query where Django takes one:
an `__in` value, a pickle, or `other_qs.query = qs.query`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from relata import exceptions
from relata.models.query.compiled import EMPTY, compile_query

if TYPE_CHECKING:
    from relata.models.query.queryset import QuerySet
    from relata.models.query.state import QueryState


class QueryInfo:
    """`qs.query`: prints the SQL with parameters inlined for reading (never for running).

    It also stands for its queryset's query: as an `__in` value, pickled, or
    assigned to another queryset's `query`.
    """

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset

    def __reduce__(self) -> Any:
        return QueryInfo, (self.queryset._query_only(),)

    def _subquery_state(self) -> tuple[QueryState, tuple[str, ...] | None]:
        return self.queryset._subquery_state()

    def sql_with_params(self) -> tuple[str, tuple[Any, ...]]:
        connection = self.queryset._connection
        compiled, values = compile_query(self.queryset._state, connection)
        if compiled is EMPTY:
            raise exceptions.EmptyResultSet
        return compiled.sql, tuple(compiled.params(values))

    def __str__(self) -> str:
        sql, params = self.sql_with_params()
        placeholder = self.queryset._connection.ops.compiler_class.placeholder
        for param in params:
            sql = sql.replace(placeholder, repr(param), 1)
        return sql

    @property
    def model(self) -> Any:
        return self.queryset.model
