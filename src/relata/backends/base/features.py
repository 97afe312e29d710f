"""Feature flags: what a database can do, as data the ORM and tests read."""

from __future__ import annotations


class BaseDatabaseFeatures:
    can_return_columns_from_insert = False
    #: A single INSERT's new id comes from cursor.lastrowid, not RETURNING.
    insert_id_via_lastrowid = True
    can_return_rows_from_bulk_insert = False
    supports_transactions = True
    #: Savepoints inside a transaction (every supported database has them).
    uses_savepoints = True
    can_release_savepoints = True
    #: A UNIQUE column may hold NULL in several rows.
    supports_nullable_unique_constraints = True
    can_rollback_ddl = False
    supports_filtered_aggregates = True
    supports_select_for_update = True
    #: select_for_update() options; each missing one raises NotSupportedError rather than
    #: being dropped (a dropped NOWAIT waits where the caller asked not to).
    has_select_for_update_nowait = False
    has_select_for_update_skip_locked = False
    #: FOR UPDATE OF <table aliases>: lock only some of the joined tables' rows.
    has_select_for_update_of = False
    #: FOR NO KEY UPDATE: a lock that lets other transactions insert rows referencing the row.
    has_select_for_no_key_update = False
    supports_regex = True
    #: Row values, `(a, b) = (1, 2)` (every supported database). relata spells composite-key
    #: conditions out column by column whatever this says, so both answers give the same rows.
    supports_tuple_lookups = True
    #: GROUP BY may name a text or binary column (every supported database; Oracle, which relata
    #: does not support, cannot): values(<TextField>).annotate(...) groups by it.
    allows_group_by_lob = True
    #: GROUP BY (x * ?) matches the same (x * ?) in HAVING: the driver writes the values into the
    #: statement, or the database does not check. Where each value is bound as its own $n (PostgreSQL),
    #: the two never match and such an expression is grouped by the columns it reads instead.
    can_group_by_parameterized_expressions = True
    supports_json_field = True
    #: A JSONField holds a bare number, string, boolean or null as well as objects and arrays.
    supports_primitives_in_json_field = True
    supports_select_intersection = True
    supports_select_difference = True
    supports_slicing_ordering_in_compound = True
    supports_ignore_conflicts = True
    supports_update_conflicts = True
    #: An upsert names the unique columns it conflicts on (ON CONFLICT (...)); MySQL picks the key itself.
    supports_update_conflicts_with_target = True
    supports_timezones = True
    #: ROUND(x, -1) rounds to tens; SQLite's ROUND ignores a negative precision, so Round() refuses it there.
    supports_negative_round_precision = True
    #: A window frame may leave rows out (EXCLUDE CURRENT ROW ...): SQLite and PostgreSQL, not MySQL.
    supports_frame_exclusion = True
    #: Window functions (OVER clauses): every supported database has them.
    supports_over_clause = True
    #: LAG(x, offset, default): a value for the rows past the window's edge (not MariaDB).
    supports_default_in_lead_lag = True
    #: Fractional second digits a Cast() to a time or datetime keeps (SQLite's STRFTIME('%f'): milliseconds).
    time_cast_precision = 6
    #: Collations Collate() can name on this database, by what they do ("ci", "cs", ...), for tests.
    test_collations: dict[str, str] = {}
    #: A foreign key's column has exactly the type of the column it references (a key to a
    #: PositiveIntegerField is unsigned too): the schema writes the target's type on every database.
    related_fields_match_type = True
    #: A naive datetime comes back naive (SQLite keeps text); servers that store
    #: an instant take naive values as UTC and return them aware.
    can_return_naive_datetimes = True
    #: NULL sorts after every value in ascending order (PostgreSQL); else before.
    has_largest_nulls = False
    supports_foreign_keys = True
    #: CREATE INDEX ... WHERE (conditional UniqueConstraint and Index(condition=...)).
    supports_partial_indexes = True
    has_native_uuid_field = False
    has_native_duration_field = False
    has_native_json_field = False
    interprets_empty_strings_as_nulls = False
    #: The driver's executemany() pipelines rows (bulk_create sends one statement per row).
    has_fast_executemany = False
    #: Most parameters one statement may carry (bulk_create splits batches).
    max_query_params: int | None = None
    #: Rows a single multi-row INSERT may carry.
    max_insert_rows: int | None = None
    #: Parameters per multi-row INSERT beyond which parsing the statement costs more than
    #: batching saves (SQLite: 10,000-row VALUES lists are twice as slow as 333-row ones).
    max_insert_params: int | None = None
    #: DELETE/UPDATE may not read its own table in a subquery (MySQL).
    update_can_self_select = True
    #: Foreign keys are checked after each row, even inside one statement (MySQL).
    has_row_by_row_foreign_key_checks = False
    #: One writer at a time: a transaction holds the write lock from its first write to its end,
    #: so no other commit lands between two of its statements (SQLite). Servers at READ COMMITTED
    #: let each statement see the commits made since the last one.
    has_single_writer = False
    #: distinct(*fields): SELECT DISTINCT ON (...) (PostgreSQL).
    supports_distinct_on = False
    #: Column and table comments (db_comment, Meta.db_table_comment) are kept; SQLite has none.
    supports_comments = False
    #: A comment is written inside the column definition (MySQL) rather than by COMMENT ON.
    supports_comments_inline = False
    #: The JSONField `contains` and `contained_by` lookups (no JSON containment in SQLite).
    supports_json_field_contains = True
    #: CHECK constraints on the table (Meta.constraints CheckConstraint).
    supports_table_check_constraints = True
    #: Indexes on expressions (Index(Lower("name")), UniqueConstraint(Lower("name"))); where
    #: missing, such an index or constraint is not made, as Django does (MariaDB).
    supports_expression_indexes = True
    #: Functions inside a partial index's WHERE.
    supports_functions_in_partial_indexes = True
    #: INCLUDE (...) columns in an index (PostgreSQL); elsewhere an Index keeps its key columns
    #: only and a UniqueConstraint(include=...) is not made, as Django does.
    supports_covering_indexes = False
    #: UNIQUE ... DEFERRABLE (PostgreSQL); elsewhere such a constraint is not made, as Django does.
    supports_deferrable_unique_constraints = False
    #: UNIQUE NULLS [NOT] DISTINCT (PostgreSQL 15); elsewhere such a constraint is not made.
    supports_nulls_distinct_unique_constraints = False
    #: ASC/DESC per index column.
    supports_index_column_ordering = True
    #: Index(db_tablespace=...) reaches the DDL (PostgreSQL); elsewhere it is accepted and ignored.
    supports_tablespaces = False
    #: GeneratedField(db_persist=True) and db_persist=False.
    supports_stored_generated_columns = True
    supports_virtual_generated_columns = True
    #: NULL compared with a boolean expression inside COALESCE(<condition>, TRUE) (constraint validation).
    supports_comparing_boolean_expr = True

    def __init__(self, connection):
        self.connection = connection

    @property
    def supported_explain_formats(self) -> set[str]:
        """The explain(format=...) names this database accepts (Django's flag)."""
        return set(self.connection.ops.explain_formats)
