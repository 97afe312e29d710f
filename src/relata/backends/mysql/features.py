"""What MySQL 8 and MariaDB 10.5+ can do; some flags depend on which answered."""

from __future__ import annotations

from relata.backends.base.features import BaseDatabaseFeatures


class DatabaseFeatures(BaseDatabaseFeatures):
    can_rollback_ddl = False
    supports_filtered_aggregates = False
    supports_timezones = False
    can_return_naive_datetimes = False
    update_can_self_select = False
    has_row_by_row_foreign_key_checks = True
    supports_partial_indexes = False
    supports_update_conflicts_with_target = False
    supports_comments = True
    supports_comments_inline = True
    max_query_params = 65535

    @property
    def is_mariadb(self) -> bool:
        return "mariadb" in self.connection.server_info().lower()

    @property
    def can_return_columns_from_insert(self) -> bool:  # type: ignore[override]
        # INSERT ... RETURNING arrived in MariaDB 10.5; MySQL has none.
        return self.is_mariadb

    @property
    def can_return_rows_from_bulk_insert(self) -> bool:  # type: ignore[override]
        return self.is_mariadb
