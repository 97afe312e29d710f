"""What MySQL 8 and MariaDB 10.5+ can do; some flags depend on which answered."""

from __future__ import annotations

import re

from relata.backends.base.features import BaseDatabaseFeatures


class DatabaseFeatures(BaseDatabaseFeatures):
    #: Collations Collate() can name here, by what they do (for tests, as Django lists them).
    supports_frame_exclusion = False
    test_collations = {
        "ci": "utf8mb4_general_ci",
        "non_default": "utf8mb4_esperanto_ci",
        "swedish_ci": "utf8mb4_swedish_ci",
        "virtual": "utf8mb4_esperanto_ci",
    }
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
    def server_version(self) -> tuple[int, ...]:
        """(major, minor, patch) from the server's version string ("10.11.6-MariaDB-...", "8.0.36")."""
        # MariaDB may announce itself as "5.5.5-10.11.6-MariaDB" to clients that expect MySQL 5.
        info = self.connection.server_info().removeprefix("5.5.5-")
        digits = re.match(r"[\d.]+", info)
        return tuple(int(part) for part in digits.group().strip(".").split(".")) if digits else (0,)

    @property
    def supports_default_in_lead_lag(self) -> bool:  # type: ignore[override]
        return not self.is_mariadb  # MariaDB's LAG and LEAD take no default

    @property
    def supports_expression_indexes(self) -> bool:  # type: ignore[override]
        # Functional key parts arrived in MySQL 8.0.13; MariaDB has none.
        return not self.is_mariadb and self.server_version >= (8, 0, 13)

    @property
    def supports_index_column_ordering(self) -> bool:  # type: ignore[override]
        # MySQL 8 and MariaDB 10.8 honour DESC in an index; older ones parse and ignore it.
        return self.server_version >= ((10, 8) if self.is_mariadb else (8,))

    @property
    def supports_table_check_constraints(self) -> bool:  # type: ignore[override]
        return self.is_mariadb or self.server_version >= (8, 0, 16)

    @property
    def has_select_for_update_nowait(self) -> bool:  # type: ignore[override]
        return self.server_version >= ((10, 3) if self.is_mariadb else (8, 0, 1))

    @property
    def has_select_for_update_skip_locked(self) -> bool:  # type: ignore[override]
        return self.server_version >= ((10, 6) if self.is_mariadb else (8, 0, 1))

    @property
    def has_select_for_update_of(self) -> bool:  # type: ignore[override]
        # MariaDB has no OF clause at all.
        return not self.is_mariadb and self.server_version >= (8, 0, 1)

    @property
    def can_return_columns_from_insert(self) -> bool:  # type: ignore[override]
        # INSERT ... RETURNING arrived in MariaDB 10.5; MySQL has none.
        return self.is_mariadb

    @property
    def can_return_rows_from_bulk_insert(self) -> bool:  # type: ignore[override]
        return self.is_mariadb
