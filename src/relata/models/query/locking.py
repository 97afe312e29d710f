"""select_for_update()'s options -> the SELECT's FOR UPDATE clause.

Each option the database lacks raises NotSupportedError before any SQL runs:
silently dropping NOWAIT or SKIP LOCKED would make the query wait where the
caller asked it not to. `of` names become the aliases of the tables joined
for them: "self" is the queried model, any other name a select_related() path.
"""

from __future__ import annotations

from typing import Any

from relata.exceptions import FieldError, NotSupportedError
from relata.models.query.state import RowLock
from relata.sql import nodes as n

#: (option set, feature flag, what the database cannot do)
_OPTIONS = (
    ("nowait", "has_select_for_update_nowait", "NOWAIT (select_for_update(nowait=True))"),
    ("skip_locked", "has_select_for_update_skip_locked", "SKIP LOCKED (select_for_update(skip_locked=True))"),
    ("of", "has_select_for_update_of", "FOR UPDATE OF (select_for_update(of=...))"),
    ("no_key", "has_select_for_no_key_update", "FOR NO KEY UPDATE (select_for_update(no_key=True))"),
)


def row_lock_node(builder: Any, lock: RowLock) -> n.ForUpdate:
    """The FOR UPDATE clause for `lock`, after select_related joins are set up."""
    features = builder.connection.features
    for option, flag, what in _OPTIONS:
        if getattr(lock, option) and not getattr(features, flag):
            raise NotSupportedError(
                f"{what} is not supported on this database backend ({builder.connection.vendor}); "
                f"leave the option out, or run the query on a database that has it."
            )
    return n.ForUpdate(lock.nowait, lock.skip_locked, tuple(_alias(builder, name) for name in lock.of), lock.no_key)


def _alias(builder: Any, name: str) -> str:
    if name == "self":
        return builder.base_alias
    alias = builder.related_aliases.get(name)
    if alias is None:
        choices = ", ".join(["self", *builder.related_aliases])
        raise FieldError(
            f"Invalid field name(s) given in select_for_update(of=(...)): '{name}'. Only 'self' and relations "
            f"followed with select_related() can be locked on {builder.opts.object_name}; choices are: {choices}. "
            f"Add select_related('{name}') if it is a relation, or lock 'self'."
        )
    return alias
