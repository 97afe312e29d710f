"""Serialization helpers; relata has no fixture format of its own, only the JSON encoder models use."""
