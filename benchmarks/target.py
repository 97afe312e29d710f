"""Where an implementation connects: a SQLite file or a PostgreSQL URL.

Every implementation receives the same Target and turns it into its own
connection settings, so they all run against equivalent databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

BACKENDS = ("sqlite", "postgresql")
DEFAULT_POSTGRESQL_URL = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Target:
    backend: str  # "sqlite" or "postgresql"
    location: str  # a file path for SQLite, a postgresql:// URL otherwise

    @property
    def url(self) -> str:
        """The location as a URL in the SQLAlchemy/relata spelling."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.location}"
        return self.location

    def pg_params(self) -> dict[str, str]:
        """host, port, user, password and dbname parsed from a PostgreSQL URL."""
        parts = urlsplit(self.location)
        params = {
            "host": parts.hostname or "127.0.0.1",
            "port": str(parts.port or 5432),
            "user": unquote(parts.username or "postgres"),
            "dbname": parts.path.lstrip("/") or "postgres",
        }
        if parts.password:
            params["password"] = unquote(parts.password)
        return params
