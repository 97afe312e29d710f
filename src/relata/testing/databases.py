"""Test databases: which URL each backend uses, and creating/dropping them.

SQLite tests run in memory. Server backends get their own database
(`relata_test` by default, or RELATA_TEST_<VENDOR>_URL) created for the run.
"""

from __future__ import annotations

import os

DEFAULT_URLS = {
    "sqlite": "sqlite:///:memory:",
    "postgresql": "postgresql://postgres@127.0.0.1:5432/relata_test",
    "mysql": "mysql://root@127.0.0.1:3306/relata_test",
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


def create_test_database(vendor: str, url: str) -> None:
    if vendor == "sqlite":
        return
    from relata.backends import load_backend
    from relata.conf import parse_url

    settings = parse_url(url)
    load_backend(settings["ENGINE"]).create_test_database(settings)


def destroy_test_database(vendor: str, url: str) -> None:
    if vendor == "sqlite":
        return
    from relata.backends import load_backend
    from relata.conf import parse_url

    settings = parse_url(url)
    load_backend(settings["ENGINE"]).destroy_test_database(settings)
