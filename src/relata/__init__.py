"""relata: Django's model-layer API as a standalone ORM, built around relations."""

from relata.db import DefaultConnectionProxy, connect, connection, connections

__all__ = ["DefaultConnectionProxy", "connect", "connection", "connections"]
__version__ = "0.1.0"
