"""Database-neutral SQL: plain node dataclasses and the compiler that renders them.

Nothing here knows about models or drivers. Dialects subclass `SQLCompiler`
in their backend and override the visit methods that differ.
"""
