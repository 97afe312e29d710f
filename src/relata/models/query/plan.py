"""What a compiled SELECT returns, column by column, so rows can become results.

A plan is built with the SQL and cached with it: which model each run of
columns belongs to, which columns are annotations, and how select_related
objects nest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ModelPlan:
    model: Any
    fields: tuple[Any, ...]
    start: int
    #: (relation field or reverse rel, is_reverse, nested plan) for select_related.
    related: tuple[tuple[Any, bool, ModelPlan], ...] = ()


@dataclass(frozen=True)
class SelectPlan:
    kind: str  # "model" or "values"
    model_plan: ModelPlan | None
    #: For "values": the output names in order, with the field that converts each.
    names: tuple[str, ...] = ()
    fields: tuple[Any, ...] = ()
    #: For "model": annotations as (name, column index, output field).
    annotations: tuple[tuple[str, int, Any], ...] = ()
    #: Generated loaders by (alias, known relation); a plan belongs to one connection's cache.
    loaders: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
