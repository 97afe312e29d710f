"""Shared test set-up: the backend fixture comes from relata.testing.pytest_plugin."""
