"""pytest plugin: run tests on each backend in RELATA_TEST_BACKENDS.

The session-scoped `relata_backend` fixture is parametrized by the backends
listed (default `sqlite`); each test database is created for the run and
dropped after it. `use_models(*models)` in a test module makes an autouse
fixture that creates the models' tables once per module and empties them
after every test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import relata
from relata.db import connections
from relata.testing import create_tables, drop_tables
from relata.testing.databases import create_test_database, destroy_test_database, test_database_url

ENV_BACKENDS = "RELATA_TEST_BACKENDS"


def selected_backends() -> list[str]:
    return [b.strip() for b in os.environ.get(ENV_BACKENDS, "sqlite").split(",") if b.strip()]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "relata_backend" in metafunc.fixturenames:
        metafunc.parametrize("relata_backend", selected_backends(), indirect=True, scope="session")


@pytest.fixture(scope="session")
def relata_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    vendor = request.param
    url = test_database_url(vendor)
    try:
        create_test_database(url)
    except Exception as error:
        # A backend that was asked for and cannot be reached fails the run; never a silent skip.
        pytest.exit(
            f"{ENV_BACKENDS} asks for {vendor}, but its test database at {url} cannot be made: {error}\n"
            f"Start the server (.ci/run starts PostgreSQL and MariaDB), set RELATA_TEST_{vendor.upper()}_URL, "
            f"or leave {vendor} out of {ENV_BACKENDS}.",
            returncode=3,
        )
    relata.connect(url)
    yield vendor
    connections.close_all()
    destroy_test_database(url)


def use_models(*models: Any) -> Any:
    """Create `models`' tables for this module, and empty them after each test."""

    @pytest.fixture(scope="module", autouse=True)
    def _relata_tables(relata_backend: str) -> Iterator[None]:
        drop_tables(*models)
        create_tables(*models)
        yield
        drop_tables(*models)

    @pytest.fixture(autouse=True)
    def _relata_clean_rows(_relata_tables: None) -> Iterator[None]:
        yield
        from relata.testing import truncate_tables

        truncate_tables(*models)

    # pytest finds fixtures by module attribute: put them in the calling module.
    module_globals = sys._getframe(1).f_globals
    module_globals["_relata_tables"] = _relata_tables
    module_globals["_relata_clean_rows"] = _relata_clean_rows
    return _relata_tables
