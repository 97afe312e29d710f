"""Lookup paths to joins: `"book__author__name__icontains"` -> tables, column, lookup.

`resolve_names()` walks the names through fields and reverse relations and
reports the relation steps, the final field and the leftover transform and
lookup names, without touching SQL. The builder then turns steps into joins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from relata.exceptions import FieldDoesNotExist, FieldError
from relata.models.fields.related import PathStep
from relata.models.fields.reverse_related import ForeignObjectRel
from relata.models.inheritance import steps_to_owner

#: The join scope of references made outside filter() calls (values, order_by, select_related, F() in
#: annotations): their multi-valued joins are shared by all of them.
SELECT_SCOPE = "select"


@dataclass(frozen=True, slots=True)
class ResolvedPath:
    steps: tuple[PathStep, ...]
    #: The field whose column the condition reads (after trimming joins).
    field: Any
    #: The column on the last step's table holding the value.
    column: str
    #: Transform and lookup names after the field.
    rest: tuple[str, ...]
    #: For relation-valued targets: the field that gives the compared value.
    value_field: Any
    #: A related model whose instances may be passed as the value.
    value_model: Any = None
    #: The relation when the path ends on it, not on a field of its target (order_by('author')
    #: sorts by the target's Meta.ordering, order_by('tags__id') by the column).
    relation: Any = None
    #: The column may hold NULL though `field` cannot (book__author__id reads a nullable author_id).
    null_column: bool = False

    @property
    def multivalued(self) -> bool:
        return any(step.multivalued for step in self.steps)


def field_choices(opts: Any, extra: list[str] | tuple[str, ...] = ()) -> str:
    """Every name filter() accepts on `opts`, attnames included (as Django lists them)."""
    attnames = (f.attname for f in opts.concrete_fields)
    return ", ".join(sorted({*opts.query_names(), *attnames, *extra}))


def resolve_names(model: Any, parts: list[str], annotations: tuple[str, ...] = ()) -> ResolvedPath:
    """Follow `parts` from `model`; raise FieldError naming the valid choices."""
    opts = model._meta
    steps: list[PathStep] = []
    index = 0
    while True:
        name = parts[index]
        if name == "pk":
            name = opts.pk.name
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            where = f" on {opts.object_name}" if steps else ""
            extra = annotations if not steps else ()
            raise FieldError(
                f"Cannot resolve keyword '{name}' into field{where}. Choices are: {field_choices(opts, extra)}"
            ) from None
        if opts.multi_table:
            steps = [*steps, *steps_to_owner(opts, field)]  # an inherited field: through the parents' tables
        rest = tuple(parts[index + 1 :])
        if not field.is_relation:
            return ResolvedPath(tuple(steps), field, field.column, rest, field)
        if isinstance(field, ForeignObjectRel) or field.one_to_many:
            # A reverse relation, or a forward field that reads like one (a GenericRelation).
            resolved = _through_reverse(field, steps, rest)
        elif not hasattr(type(field), "path_infos"):
            raise FieldError(
                f"Field '{name}' does not generate an automatic reverse relation and therefore cannot be used "
                f"for reverse querying. If it is a GenericForeignKey, consider adding a GenericRelation."
            )
        elif field.many_to_many:
            resolved = _through_m2m(field, steps, rest)
        else:
            resolved = _through_forward(field, steps, rest)
        if isinstance(resolved, ResolvedPath):
            return resolved
        steps, opts = resolved
        index += 1


def _next_is_field(opts: Any, rest: tuple[str, ...]) -> bool:
    if not rest:
        return False
    name = rest[0]
    if name == "pk":
        return True
    try:
        opts.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _through_forward(field: Any, steps: list[PathStep], rest: tuple[str, ...]) -> Any:
    target_opts = field.related_model._meta
    if len(field.to_fields) > 1:
        path = [*steps, *field.path_infos]
        if _next_is_field(target_opts, rest):
            return path, target_opts
        # A relation over several columns is compared through its join (ON every column pair),
        # by the target's primary key: filter(person=bob) matches the rows whose pairs name bob's row.
        pk = target_opts.pk
        return ResolvedPath(tuple(path), pk, pk.column, rest, pk, field.related_model, field)
    target = field.target_field
    # The column holding the key: a ForeignKey's own, a ForeignObject's local field's.
    local = field.local_related_fields[0]
    if not _next_is_field(target_opts, rest):
        return ResolvedPath(tuple(steps), field, local.column, rest, target, field.related_model, field)
    next_name = target_opts.pk.name if rest[0] == "pk" else rest[0]
    if next_name == target.name and not _next_is_field(target_opts, rest[1:]) and not target.is_relation:
        # book__author__id reads book.author_id: no join needed; lookups and transforms are the target's.
        return ResolvedPath(tuple(steps), target, local.column, rest[1:], target, null_column=local.null)
    return [*steps, *field.path_infos], target_opts


def _names_target_pk(opts: Any, rest: tuple[str, ...]) -> bool:
    """`rest` starts with the target's pk and nothing after it is a field."""
    return bool(rest) and rest[0] in ("pk", opts.pk.name) and not _next_is_field(opts, rest[1:])


def _through_reverse(rel: Any, steps: list[PathStep], rest: tuple[str, ...]) -> Any:
    related_opts = rel.related_model._meta
    path = [*steps, *rel.path_infos]
    if rel.many_to_many:
        by_pk = _names_target_pk(related_opts, rest)
        if by_pk:
            rest = rest[1:]
        elif _next_is_field(related_opts, rest):
            return path, related_opts
        source = rel.field._through_fields()[0]
        if not source.concrete:
            return _to_end_pk(path, rel.related_model, rest, None if by_pk else rel)
        # From Tag, book__id__<lookup> compares the through row's column by the target key's lookups.
        field, relation = (source.target_field, None) if by_pk else (source, rel)
        return ResolvedPath(
            tuple(path[:-1]), field, source.column, rest, source.target_field, rel.related_model, relation
        )
    if not _next_is_field(related_opts, rest):
        pk = related_opts.pk
        return ResolvedPath(tuple(path), pk, pk.column, rest, pk, rel.related_model, rel)
    return path, related_opts


def _through_m2m(field: Any, steps: list[PathStep], rest: tuple[str, ...]) -> Any:
    target_opts = field.related_model._meta
    path = [*steps, *field.path_infos]
    by_pk = _names_target_pk(target_opts, rest)
    if by_pk:
        rest = rest[1:]
    if not _next_is_field(target_opts, rest):
        target = field._through_fields()[1]
        if not target.concrete:
            return _to_end_pk(path, field.related_model, rest, None if by_pk else field)
        # book__tags__id__<lookup> compares the through row's column by the target key's lookups.
        lookup_field, relation = (target.target_field, None) if by_pk else (target, field)
        return ResolvedPath(
            tuple(path[:-1]), lookup_field, target.column, rest, target.target_field, field.related_model, relation
        )
    return path, target_opts


def _to_end_pk(path: list[PathStep], model: Any, rest: tuple[str, ...], relation: Any) -> ResolvedPath:
    """A many-to-many whose through model names its ends by a ForeignObject (no key column of its
    own to compare): the condition reads the far end's primary key, through both joins."""
    pk = model._meta.pk
    return ResolvedPath(tuple(path), pk, pk.column, rest, pk, model, relation)
