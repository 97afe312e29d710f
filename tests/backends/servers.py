"""How each server backend names a session, ends one from outside, and lists the living."""

from __future__ import annotations

from relata.db import connections

#: How each server names a session, ends one from outside, and lists the living.
SESSION_SQL = {
    "postgresql": (
        "SELECT pg_backend_pid()",
        "SELECT pg_terminate_backend(%s)",
        "SELECT count(*) FROM pg_stat_activity WHERE pid = %s",
    ),
    "mysql": (
        "SELECT CONNECTION_ID()",
        "KILL CONNECTION %s",
        "SELECT COUNT(*) FROM information_schema.processlist WHERE id = %s",
    ),
}


def session_id(alias: str = "default") -> int:
    vendor = connections[alias].vendor
    return connections[alias].execute(SESSION_SQL[vendor][0]).fetchone()[0]
