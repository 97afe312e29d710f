"""select_related(): the relations a query loads with its rows, their joins and columns.

Also which concrete fields only()/defer() leave loaded on each model of the
row (the queryset's own and every select_related one).
"""

from __future__ import annotations

from typing import Any

from relata.exceptions import FieldError
from relata.models.fields.reverse_related import ForeignObjectRel
from relata.models.inheritance import steps_to_owner
from relata.models.query.filtered_relation import FilteredSelect, filtered_select
from relata.models.query.joins import SELECT_SCOPE
from relata.models.query.plan import ModelPlan
from relata.models.query.state import QueryState
from relata.sql import nodes as n

MAX_SELECT_RELATED_DEPTH = 5


def related_plans(builder: Any, columns: list[Any], group_candidates: list[n.Node]) -> tuple[Any, ...]:
    """The plans of the relations select_related() loads; their columns are appended to `columns`."""
    requested = builder.state.select_related
    tree = _paths_tree(requested) if requested is not True else True
    top = (builder.model, builder.base_alias, "", builder.model_fields())
    return _related_plans(builder, top, tree, columns, group_candidates, 0)


def _related_plans(
    builder: Any,
    parent: tuple[Any, str, str, list[Any]],
    tree: Any,
    columns: list[Any],
    group_candidates: list[n.Node],
    depth: int,
) -> tuple[Any, ...]:
    """Plans for the relations in `tree` below `parent` (model, alias, only/defer prefix, loaded fields)."""
    model, alias, prefix, loaded = parent
    opts = model._meta
    plans = []
    if tree is True:
        if depth >= MAX_SELECT_RELATED_DEPTH:
            return ()
        # Every non-null key the query loads, as Django: parent links and deferred keys are not followed.
        chosen = [
            (f, True)
            for f in opts.fields
            if f.is_relation and not f.null and not f.remote_field.parent_link and _keys_loaded(f, loaded)
        ]
    else:
        relations = builder.filtered if depth == 0 else {}
        chosen = [(_select_related_target(model, name, relations), sub) for name, sub in tree.items()]
    for field, sub in chosen:
        is_reverse = isinstance(field, ForeignObjectRel | FilteredSelect)
        if not is_reverse and not _keys_loaded(field, loaded):
            raise FieldError(
                f"Field {opts.object_name}.{field.name} cannot be both deferred and traversed using "
                f"select_related at the same time."
            )
        steps = field.steps if isinstance(field, FilteredSelect) else field.path_infos
        target = steps[-1].to_model
        if opts.multi_table and not isinstance(field, FilteredSelect):
            steps = [*steps_to_owner(opts, field), *steps]
        join_alias, _ = builder.setup_steps(tuple(steps), SELECT_SCOPE, reuse_any=True, parent=alias)
        start = len(columns)
        sub_prefix = f"{prefix}{field.name}__"
        builder.related_aliases[sub_prefix[:-2]] = join_alias
        fields = loaded_fields(target._meta, builder.state, sub_prefix)
        for node in builder.field_columns(join_alias, target._meta, fields):
            columns.append((node, None))
            group_candidates.append(node)
        below = (target, join_alias, sub_prefix, fields)
        nested = _related_plans(builder, below, sub, columns, group_candidates, depth + 1) if sub else ()
        plans.append((field, is_reverse, ModelPlan(target, tuple(fields), start, nested)))
    return tuple(plans)


def _keys_loaded(field: Any, loaded: list[Any]) -> bool:
    """The query loads the field's key: its column, or a ForeignObject's local fields."""
    if field.concrete:
        return field in loaded
    return all(local in loaded for local in field.local_related_fields)


def loaded_fields(opts: Any, state: QueryState, prefix: str) -> list[Any]:
    """The concrete fields only()/defer() leave loaded on the model reached by `prefix` ("", "author__").

    As in Django, only("title", "author__name") keeps the author_id column and,
    with select_related("author"), loads the author's pk and name only.
    """
    fields = list(opts.concrete_fields)
    key = opts.pk_fields  # a composite key's parts are always loaded, as a plain key is
    if state.only is not None:
        names = [name[len(prefix) :] for name in state.only if name.startswith(prefix)]
        if names or not prefix:
            kept = {name.split("__", 1)[0] for name in names}
            fields = [f for f in fields if f is opts.pk or f in key or f.name in kept or f.attname in kept]
    if state.deferred:
        deferred = {name[len(prefix) :] for name in state.deferred if name.startswith(prefix)}
        deferred = {name for name in deferred if "__" not in name}
        fields = [
            f for f in fields if f is opts.pk or f in key or (f.name not in deferred and f.attname not in deferred)
        ]
    return fields


def _paths_tree(paths: tuple[str, ...]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for part in path.split("__"):
            node = node.setdefault(part, {})
    return tree


def _select_related_target(model: Any, name: str, relations: dict[str, Any]) -> Any:
    """What select_related(name) follows: a FilteredRelation's join (named at the top), else a relation field."""
    if name in relations:
        return filtered_select(model, name, relations)
    return _select_related_field(model._meta, name)


def _select_related_field(opts: Any, name: str) -> Any:
    from relata.exceptions import FieldDoesNotExist

    choices = sorted(f.name for f in opts.fields if f.is_relation and not f.many_to_many)
    choices += sorted(rel.name for rel in opts.related_objects if rel.one_to_one)
    try:
        field = opts.get_field(name)
    except FieldDoesNotExist:
        raise FieldError(
            f"Invalid field name(s) given in select_related: '{name}'. Choices are: {', '.join(choices) or '(none)'}"
        ) from None
    listed = ", ".join(choices) or "(none)"
    if not field.is_relation:
        raise FieldError(f"Non-relational field given in select_related: '{name}'. Choices are: {listed}")
    if not hasattr(type(field), "path_infos"):  # a GenericForeignKey: its target's table depends on the row
        raise FieldError(
            f"Invalid field name(s) given in select_related: '{name}'. Choices are: {listed}. "
            f"'{name}' may point at any model: load it with prefetch_related('{name}')."
        )
    if field.many_to_many or getattr(field, "one_to_many", False):
        # Django's wording, plus what to use instead.
        accessor = field.get_accessor_name() if isinstance(field, ForeignObjectRel) else field.name
        raise FieldError(
            f"Invalid field name(s) given in select_related: '{name}'. Choices are: {listed}. "
            f"'{name}' is many-valued: load it with prefetch_related('{accessor}')."
        )
    return field
