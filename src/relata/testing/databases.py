"""Test databases: which URL each backend uses, and creating/dropping them.

SQLite tests run in memory. Server backends get their own database, created
for the run and dropped after it: `relata_test_<pid>` by default, so two runs
on one machine never drop each other's, or RELATA_TEST_<VENDOR>_URL. Each
backend's connection class knows how to create and drop its own.
"""

from __future__ import annotations

import os

from relata.backends import load_backend
from relata.conf import parse_url

DEFAULT_URLS = {
    "sqlite": "sqlite:///:memory:",
    "postgresql": f"postgresql://postgres@127.0.0.1:5432/relata_test_{os.getpid()}",
    "mysql": f"mysql://root@127.0.0.1:3306/relata_test_{os.getpid()}",
}


def test_database_url(vendor: str) -> str:
    env = os.environ.get(f"RELATA_TEST_{vendor.upper()}_URL")
    if env:
        return env
    try:
        return DEFAULT_URLS[vendor]
    except KeyError:
        raise ValueError(
            f"Unknown backend {vendor!r} in RELATA_TEST_BACKENDS; use sqlite, postgresql or mysql."
        ) from None


def create_test_database(url: str) -> None:
    settings = parse_url(url)
    load_backend(settings["ENGINE"]).create_test_database(settings)


def destroy_test_database(url: str) -> None:
    settings = parse_url(url)
    load_backend(settings["ENGINE"]).destroy_test_database(settings)
