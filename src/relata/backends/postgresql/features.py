"""What PostgreSQL (12 or newer) can do, and where compatible databases differ.

CockroachDB, YugabyteDB and Citus speak PostgreSQL's protocol and SQL; the
connection detects them (or takes `?flavor=`) and switches the flags below
that their documentation says differ, instead of forking the backend.
"""

from __future__ import annotations

from relata.backends.base.features import BaseDatabaseFeatures


class DatabaseFeatures(BaseDatabaseFeatures):
    #: Collations Collate() can name here, by what they do (for tests, as Django lists them).
    test_collations = {"deterministic": "C", "non_default": "sv-x-icu", "swedish_ci": "sv-x-icu", "virtual": "sv-x-icu"}
    can_return_columns_from_insert = True
    insert_id_via_lastrowid = False
    can_return_rows_from_bulk_insert = True
    can_rollback_ddl = True
    supports_timezones = True
    can_return_naive_datetimes = False
    has_largest_nulls = True
    has_native_uuid_field = True
    has_native_duration_field = True
    has_native_json_field = True
    supports_distinct_on = True
    can_group_by_parameterized_expressions = False
    supports_comments = True
    has_select_for_update_nowait = True
    has_select_for_update_skip_locked = True
    has_select_for_update_of = True
    has_select_for_no_key_update = True
    max_query_params = 65535
    has_fast_executemany = True
    #: Foreign keys are DEFERRABLE INITIALLY DEFERRED (CockroachDB has no deferrable constraints).
    supports_deferrable_foreign_keys = True
    #: Which PostgreSQL-compatible database answered: postgresql, cockroachdb, yugabytedb, citus.
    flavor = "postgresql"
    supports_covering_indexes = True
    supports_deferrable_unique_constraints = True
    supports_tablespaces = True
    #: PostgreSQL computes only stored generated columns (virtual ones arrive in 18).
    supports_virtual_generated_columns = False
    #: server_version_num, read when the connection opens (150000 for 15.0).
    server_version_num = 0

    @property
    def supports_nulls_distinct_unique_constraints(self) -> bool:  # type: ignore[override]
        if not self.server_version_num:
            self.connection.ensure_connection()
        return self.server_version_num >= 150000

    FLAVORS = {
        "postgresql": {},
        "citus": {},
        "cockroachdb": {
            "supports_deferrable_foreign_keys": False,
            "can_rollback_ddl": False,
        },
        "yugabytedb": {
            "can_rollback_ddl": False,
        },
    }

    def set_flavor(self, flavor: str) -> None:
        if flavor not in self.FLAVORS:
            from relata.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                f"Unknown PostgreSQL flavor {flavor!r}; use one of {', '.join(sorted(self.FLAVORS))}."
            )
        self.flavor = flavor
        for name, value in self.FLAVORS[flavor].items():
            setattr(self, name, value)

    @staticmethod
    def flavor_from_version(version: str, extensions: set[str]) -> str:
        text = version.lower()
        if "cockroachdb" in text:
            return "cockroachdb"
        if "-yb-" in text or "yugabyte" in text:
            return "yugabytedb"
        if "citus" in extensions:
            return "citus"
        return "postgresql"
