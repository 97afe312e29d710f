"""`FilteredRelation`: a relation joined with an extra condition in its ON clause.

`annotate(name=FilteredRelation("book", condition=Q(...)))` names a join of its
own; paths that start with `name` (filter, values, order_by, Count) go through
that join, whose ON clause also holds the condition (compiled per query, its
values as parameters, the cache key holding the condition whole).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from relata.exceptions import FieldDoesNotExist, FieldError
from relata.models.fields.reverse_related import ForeignObjectRel
from relata.models.inheritance import steps_to_owner
from relata.models.q import Q
from relata.models.query.joins import ResolvedPath, resolve_names

SEP = "__"


class FilteredRelation:
    """A relation (`relation_name`, may cross several relations) joined only where `condition` holds."""

    contains_aggregate = False
    contains_over_clause = False

    def __init__(self, relation_name: str, *, condition: Q = Q()) -> None:  # noqa: B008 (Q() is immutable here)
        if not relation_name:
            raise ValueError("relation_name cannot be empty.")
        if not isinstance(condition, Q):
            raise ValueError("condition argument must be a Q() instance.")
        self.relation_name = relation_name
        self.condition = condition
        #: The annotation name, set when annotate()/alias() takes it.
        self.alias: str | None = None

    def identity(self) -> tuple[Any, ...]:
        return (self.relation_name, self.alias, self.condition)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FilteredRelation):
            return NotImplemented
        return self.identity() == other.identity()

    def __hash__(self) -> int:
        return hash(self.identity())

    def __repr__(self) -> str:
        return f"FilteredRelation({self.relation_name!r}, condition={self.condition})"

    def named(self, alias: str, model: Any, relations: dict[str, FilteredRelation]) -> FilteredRelation:
        """A copy bound to `alias`, after checking it against `model` and the query's other `relations`."""
        if "." in alias:
            raise ValueError(f"FilteredRelation doesn't support aliases with periods (got {alias!r}).")
        relation_parts = self.relation_name.split(SEP)
        _relation_steps(model, relation_parts, alias, relations)  # the relation exists, and is one
        for path, value in _condition_leaves(self.condition):
            if getattr(value, "_subquery_state", None) is not None:
                raise ValueError("Passing a QuerySet within a FilteredRelation is not supported.")
            if relation_parts[0] not in relations:
                _check_condition_path(model, path, relation_parts, self.relation_name)
        bound = FilteredRelation(self.relation_name, condition=self.condition)
        bound.alias = alias
        return bound


@dataclasses.dataclass(frozen=True, slots=True)
class FilteredKey:
    """A join key of a filtered relation's steps: never shared with the plain relation or another alias."""

    key: Any
    relation: FilteredRelation
    #: The step whose join carries the condition (the relation's last one).
    carries_condition: bool


def _condition_leaves(condition: Q) -> list[tuple[str, Any]]:
    leaves = []
    for child in condition.children:
        if isinstance(child, Q):
            leaves.extend(_condition_leaves(child))
        elif isinstance(child, tuple):
            leaves.append(child)
    return leaves


def _check_condition_path(model: Any, path: str, relation_parts: list[str], relation_name: str) -> None:
    parts = path.split(SEP)
    fields = _field_parts(model, parts)
    # As Django reads it: with an explicit lookup every field but the last is the path; without one,
    # the last two names may be a field and a lookup-less comparison.
    shift = 1 if len(fields) < len(parts) else 2
    for index, name in enumerate(fields[:-shift]):
        if index < len(relation_parts) and relation_parts[index] != name:
            raise ValueError(
                f"FilteredRelation's condition doesn't support relations outside the {relation_name!r} (got {path!r})."
            )
    if len(fields) > len(relation_parts) + 1:
        raise ValueError(
            f"FilteredRelation's condition doesn't support nested relations deeper than the relation_name "
            f"(got {path!r} for {relation_name!r})."
        )


def _field_parts(model: Any, parts: list[str]) -> list[str]:
    """The leading names of `parts` that are fields (the rest are transforms and the lookup)."""
    opts = model._meta
    names = []
    for name in parts:
        try:
            field = opts.get_field(opts.pk.name if name == "pk" else name)
        except FieldDoesNotExist:
            break
        names.append(name)
        if not field.is_relation or field.related_model is None:
            break
        opts = field.related_model._meta
    return names


def _relation_steps(
    model: Any, parts: list[str], alias: str, relations: dict[str, FilteredRelation]
) -> tuple[list[Any], list[Any], Any]:
    """The joins up to the relation `parts` names, the relation's own joins, and its field.

    `parts` may start at another FilteredRelation (`my_books__editor`): its joins, condition included, come first.
    """
    opts = model._meta
    before: list[Any] = []
    last: list[Any] = []
    field = None
    if parts[0] in relations and parts[0] != alias:
        start = filtered_path(model, parts[:1], relations)
        assert start is not None
        last, field, parts = list(start.steps), start.relation, parts[1:]
        opts = field.related_model._meta
    for name in parts:
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            raise FieldError(
                f"Cannot resolve keyword '{name}' into field. Choices are: "
                f"{', '.join(sorted(opts.query_names()))} (in FilteredRelation {alias!r})."
            ) from None
        if not field.is_relation or not hasattr(field, "path_infos"):
            raise ValueError(f"FilteredRelation's relation_name cannot contain lookups (got {SEP.join(parts)!r}).")
        before.extend(last)
        if opts.multi_table:
            before.extend(steps_to_owner(opts, field))
        last = list(field.path_infos)
        opts = field.related_model._meta
    return before, last, field


def filtered_path(model: Any, parts: list[str], relations: dict[str, FilteredRelation]) -> ResolvedPath | None:
    """`parts` resolved through the filtered relation its first name is, or None if it names none."""
    relation = relations.get(parts[0])
    if relation is None:
        return None
    before, last, field = _relation_steps(model, relation.relation_name.split(SEP), parts[0], relations)
    tagged = [
        dataclasses.replace(step, key=FilteredKey(step.key, relation, index == len(last) - 1))
        for index, step in enumerate(last)
    ]
    steps = (*before, *tagged)
    target = field.related_model
    rest = parts[1:]
    if rest and _names_field(target, rest[0]):
        inner = resolve_names(target, rest)
        return dataclasses.replace(inner, steps=(*steps, *inner.steps))
    pk = target._meta.pk
    return ResolvedPath(steps, pk, pk.column, tuple(rest), pk, target, field)


def _names_field(model: Any, name: str) -> bool:
    if name == "pk":
        return True
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def renamed(parts: list[str], renaming: tuple[str, str] | None) -> list[str]:
    """`parts` with the relation's path (`book`) read as its alias (`book_alice`), while its condition compiles."""
    if renaming is None:
        return parts
    old, new = renaming
    size = old.count(SEP) + 1
    return [new, *parts[size:]] if SEP.join(parts[:size]) == old else parts


def on_condition(builder: Any, relation: FilteredRelation, scope: Any) -> Any:
    """The condition as a SQL node for the join just made for `relation` (None when it has none).

    Compiled in that join's scope, so a second join of the same relation (another
    filter() call across a multi-valued one) carries its own copy; never negated
    by the NOT around the condition that made the join.
    """
    if not relation.condition.children:
        return None
    outer = builder.nots, builder.renaming
    builder.nots, builder.renaming = 0, (relation.relation_name, relation.alias)
    try:
        return builder.where_node(relation.condition.as_tree(), scope, in_or=True)
    finally:
        builder.nots, builder.renaming = outer


@dataclasses.dataclass(frozen=True)
class FilteredSelect:
    """select_related() through a FilteredRelation: its joins, and how a row's object is stored.

    It reads as a reverse relation to the hydrator: the object goes in the row's
    `name` attribute, and `field.name` (when set) is the relation back to the row.
    """

    name: str
    steps: tuple[Any, ...]
    target: Any
    field: Any

    def get_cache_name(self) -> str:
        return self.name


@dataclasses.dataclass(frozen=True)
class _Back:
    name: str | None


def filtered_select(model: Any, name: str, relations: dict[str, FilteredRelation]) -> FilteredSelect:
    resolved = filtered_path(model, [name], relations)
    assert resolved is not None
    relation, back = resolved.relation, None
    if SEP not in relations[name].relation_name:  # the related object points back at this row, one hop away
        if isinstance(relation, ForeignObjectRel) and not relation.many_to_many:
            back = relation.field.name
        elif getattr(relation, "one_to_one", False) and not isinstance(relation, ForeignObjectRel):
            back = relation.remote_field.get_cache_name()
    return FilteredSelect(name, resolved.steps, resolved.value_model, _Back(back))


def relation_target(model: Any, name: str, relations: dict[str, FilteredRelation]) -> Any:
    """The model the FilteredRelation `name` joins."""
    resolved = filtered_path(model, [name], relations)
    assert resolved is not None
    return resolved.value_model
