"""Backend-specific tests: fixtures that pick a server backend and talk to it from outside.

A test asks for `server` (PostgreSQL or MySQL), `postgresql` or `mysql`; on other
backends it is skipped, since it checks something only that database has.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from servers import SESSION_SQL

import relata
from relata.db import connections
from relata.testing import databases


@pytest.fixture
def server(relata_backend: str) -> str:
    if relata_backend not in SESSION_SQL:
        pytest.skip(f"a server backend's behaviour; {relata_backend} is a file")
    return relata_backend


@pytest.fixture
def postgresql(relata_backend: str) -> str:
    if relata_backend != "postgresql":
        pytest.skip("PostgreSQL's own behaviour")
    return relata_backend


@pytest.fixture
def mysql(relata_backend: str) -> str:
    if relata_backend != "mysql":
        pytest.skip("MySQL's own behaviour")
    return relata_backend


@pytest.fixture
def killer(server: str) -> Iterator[object]:
    """A second connection that ends another session the way an admin (or a failover) would."""
    relata.connect(databases.test_database_url(server), alias="killer")

    def kill(target: int) -> None:
        _, terminate, alive = SESSION_SQL[server]
        connections["killer"].execute(terminate, (target,))
        deadline = time.monotonic() + 5
        while connections["killer"].execute(alive, (target,)).fetchone()[0]:
            if time.monotonic() > deadline:
                raise AssertionError(f"session {target} still alive after termination")
            time.sleep(0.01)
        time.sleep(0.05)  # let the closed socket reach the client

    yield kill
    connections.forget("killer")
