"""Date and time functions: Now.

Named after Django's module (`django.db.models.functions.datetime`); inside it
the standard library's module is imported under another name.
"""

from __future__ import annotations

from typing import Any

from relata.models import fields as f
from relata.models.expressions import Func
from relata.sql import nodes as n


class Now(Func):
    output_field = f.DateTimeField()

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        return n.Now(), self.output_field

    def identity(self) -> tuple[Any, ...]:
        return (Now,)
