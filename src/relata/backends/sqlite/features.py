"""What SQLite (3.35 or newer) can do."""

from __future__ import annotations

from relata.backends.base.features import BaseDatabaseFeatures


class DatabaseFeatures(BaseDatabaseFeatures):
    #: Collations Collate() can name here, by what they do (for tests, as Django lists them).
    test_collations = {"ci": "nocase", "cs": "binary", "non_default": "nocase", "virtual": "nocase"}
    can_return_columns_from_insert = True
    can_return_rows_from_bulk_insert = True
    can_rollback_ddl = True
    supports_select_for_update = False
    supports_timezones = False
    supports_negative_round_precision = False
    time_cast_precision = 3
    max_query_params = 999
    max_insert_params = 999
    supports_json_field_contains = False
    has_single_writer = True
