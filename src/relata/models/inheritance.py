"""Model inheritance: proxies and multi-table children, as Django 5.2 has them.

Class set-up (parent links, proxy checks, the Meta options a child inherits),
the joins from a child's table to its ancestors', and the writes that span
those tables: save() parents first, update() per table, the deletion of the
parent rows. Abstract bases need none of this (their fields are copied).
"""

from __future__ import annotations

from typing import Any

from relata import exceptions

#: Meta options a concrete child takes from its concrete parent when its own Meta does not set them.
INHERITED_META = ("ordering", "get_latest_by")


# -- class set-up -------------------------------------------------------------------


def concrete_bases(parents: list[type]) -> list[type]:
    return [p for p in parents if getattr(p, "_meta", None) is not None and not p._meta.abstract]


def proxy_base(name: str, parents: list[type]) -> Any:
    """The model a proxy stands for; TypeError (Django's wording) when there is none or several."""
    base = None
    for parent in parents:
        meta = getattr(parent, "_meta", None)
        if meta is None:
            continue
        if meta.abstract:
            if meta.forward_fields:
                raise TypeError(f"Abstract base class containing model fields not permitted for proxy model '{name}'.")
            continue
        if base is None:
            base = parent
        elif meta.concrete_model is not base._meta.concrete_model:
            raise TypeError(f"Proxy model '{name}' has more than one non-abstract model base class.")
    if base is None:
        raise TypeError(f"Proxy model '{name}' has no non-abstract model base class.")
    return base


def inherit_meta(opts: Any, meta: Any, parent_opts: Any) -> None:
    """A concrete child of a concrete model keeps the parent's ordering and get_latest_by unless it sets them."""
    own = {} if meta is None else {k for klass in meta.__mro__ for k in vars(klass)}
    for name in INHERITED_META:
        if name not in own:
            value = getattr(parent_opts, name)
            setattr(opts, name, list(value) if name == "ordering" else value)


def setup_parents(cls: Any, parents: list[type], declared: set[str]) -> None:
    """Fill `_meta.parents`: each concrete base with the OneToOneField that links to its row.

    A declared `OneToOneField(parent_link=True)` is that link; otherwise one named
    `<parent>_ptr` is added (a proxy adds none: its rows are its base's rows).
    """
    from relata.models.deletion import CASCADE
    from relata.models.fields.related import OneToOneField
    from relata.models.registry import resolve_relation_key

    opts = cls._meta
    links = {}
    for field in opts.local_fields:
        if field.one_to_one and field.remote_field.parent_link:
            links[_model_key(resolve_relation_key(cls, field.remote_field.model))] = field
    for base in parents:
        meta = getattr(base, "_meta", None)
        if meta is None:
            continue
        if meta.abstract:
            # The abstract base's parent links were copied into this class: link by the copies.
            copies = {f.name: f for f in opts.local_fields}
            for parent, link in meta.parents.items():
                opts.parents.setdefault(parent, copies.get(link.name, link) if link is not None else None)
            continue
        for field in meta.local_fields + meta.local_many_to_many:
            if field.name in declared:
                raise exceptions.FieldError(
                    f"Local field '{field.name}' in class '{cls.__name__}' clashes with field of the same name "
                    f"from base class '{base.__name__}'."
                )
        concrete = meta.concrete_model
        if opts.proxy:
            opts.parents.setdefault(concrete, None)
            continue
        link = links.get(_model_key(concrete))
        if link is None:
            attname = f"{concrete._meta.model_name}_ptr"
            if attname in declared:
                raise exceptions.FieldError(
                    f"Auto-generated field '{attname}' in class '{cls.__name__}' for parent_link to base class "
                    f"'{base.__name__}' clashes with declared field of the same name."
                )
            link = OneToOneField(concrete, on_delete=CASCADE, auto_created=True, parent_link=True)
            cls.add_to_class(attname, link)
        opts.parents[concrete] = link
    if opts.parents and not opts.proxy and not opts.abstract:
        opts.multi_table = True
        opts.expire_cache()


def _model_key(target: Any) -> Any:
    if isinstance(target, type):
        return target._meta.app_label, target._meta.model_name
    return target


def promote_parent_link(opts: Any) -> None:
    """A child without a primary key of its own takes its first parent link as one, as Django does."""
    link = next(iter(opts.parents.values()))
    link.primary_key = True
    link.serialize = False
    # Migrations rebuild the link from its constructor arguments: record the promotion there too.
    args, kwargs = getattr(link, "_constructor_args", ((), {}))
    link._constructor_args = (args, {**kwargs, "primary_key": True, "serialize": False})
    opts.pk = link
    opts.expire_cache()


def inherited_relations(opts: Any) -> tuple[Any, ...]:
    """The reverse relations of a model and its ancestors; an ancestor's links to its children stay out."""
    found: dict[Any, None] = dict.fromkeys(opts._reverse_relations)
    concrete = opts.concrete_model
    for parent in opts.parents:
        for rel in parent._meta.all_related_objects:
            if not rel.parent_link or rel.model._meta.concrete_model is concrete:
                found.setdefault(rel)
    return tuple(found)


# -- joins --------------------------------------------------------------------------


def path_to_ancestor(opts: Any, ancestor: Any) -> tuple[Any, ...]:
    """The joins (PathSteps) from the table of `opts`' rows to the table of `ancestor`'s; () for the same table."""
    concrete = opts.concrete_model
    target = ancestor._meta.concrete_model
    if target is concrete:
        return ()
    paths = concrete._meta.parent_paths
    path = paths.get(target)
    if path is None:
        steps: list[Any] = []
        model = concrete
        for parent in concrete._meta.get_base_chain(target):
            steps.extend(model._meta.parents[parent].path_infos)
            model = parent
        if not steps:
            raise exceptions.FieldError(f"{target._meta.object_name} is not an ancestor of {opts.object_name}.")
        path = paths[target] = tuple(steps)
    return path


def steps_to_owner(opts: Any, field: Any) -> tuple[Any, ...]:
    """The joins from `opts`' table to the table that holds `field` (a forward field or a reverse relation)."""
    owner = field.model
    if owner is None or owner._meta.concrete_model is opts.concrete_model:
        return ()
    return path_to_ancestor(opts, owner)


def select_columns(builder: Any, alias: str, opts: Any, fields: Any, scope: Any) -> list[Any]:
    """Column nodes for `fields` of a multi-table model read from `alias`: inherited ones from the joined parents."""
    from relata.sql import nodes as n

    columns = []
    for field in fields:
        steps = steps_to_owner(opts, field)
        where = builder.setup_steps(steps, scope, True, parent=alias)[0] if steps else alias
        columns.append(n.Col(where, field.column))
    return columns


def parent_instance(child: Any, link: Any) -> Any:
    """The parent row's object built from the child's own attributes: `restaurant.place_ptr` runs no query."""
    from relata.models.instance_state import DEFAULT_DB_ALIAS, ModelState, adding_and_db

    parent = link.related_model
    cache = child.__dict__
    values = {f.attname: cache[f.attname] for f in parent._meta.concrete_fields if f.attname in cache}
    target = link.target_field
    values[target.attname] = cache.get(link.attname)
    if target.attname not in cache and target.model._meta.concrete_model is parent._meta.concrete_model:
        cache[target.attname] = values[target.attname]  # the same value under the parent's name: no deferred load
    obj = parent.__new__(parent)
    obj.__dict__.update(values)
    adding, db = adding_and_db(child)
    if adding or db != DEFAULT_DB_ALIAS:
        obj.__dict__["_state"] = ModelState(db, adding=adding)
    return obj


# -- save ---------------------------------------------------------------------------


def check_force_insert(model: Any, force_insert: Any) -> tuple[Any, ...]:
    """save(force_insert=...) as Django takes it: a bool, or a tuple of the model's bases whose rows to insert."""
    if force_insert is False:
        return ()
    if force_insert is True:
        return (model,)
    if not isinstance(force_insert, tuple):
        raise TypeError("force_insert must be a bool or tuple.")
    for member in force_insert:
        if not isinstance(member, type(model)):  # the metaclass of models: Model itself counts
            raise TypeError(f"Invalid force_insert member. {member!r} must be a model subclass.")
        if not issubclass(model, member):
            raise TypeError(
                f"Invalid force_insert member. {member.__qualname__} must be a base of {model.__qualname__}."
            )
    return force_insert


class TableChainSave:
    """One save() of a multi-table instance: each ancestor's row first (once, even in a diamond), then its own."""

    def __init__(
        self, obj: Any, connection: Any, fields: Any, forced: tuple[Any, ...], force_update: bool, update_fields: Any
    ):
        self.obj = obj
        self.connection = connection
        self.chosen = set(fields)
        self.forced = forced
        self.force_update = force_update
        self.update_fields = update_fields
        self.done: dict[Any, bool] = {}

    def run(self, with_parents: bool = True) -> bool:
        """Save; True when the instance's own row was updated (False: inserted)."""
        model = self.obj._meta.concrete_model
        inserted = self.save_parents(model) if with_parents else False
        return self.save_table(model, bool(self.forced) or inserted)

    def save_parents(self, model: Any) -> bool:
        """Save `model`'s ancestors' rows; True when one of them was inserted."""
        cache = self.obj.__dict__
        inserted = False
        for parent, link in model._meta.parents.items():
            parent_pk = parent._meta.pk.attname
            if cache.get(parent_pk) is None and cache.get(link.attname) is not None:
                cache[parent_pk] = cache[link.attname]
            updated = self.done.get(parent)
            if updated is None:
                parent_inserted = self.save_parents(parent)
                updated = self.save_table(parent, parent_inserted or issubclass(parent, self.forced))
                self.done[parent] = updated
            inserted = inserted or not updated
            cache[link.attname] = cache.get(parent_pk)
            cache.pop(link.name, None)  # a stale parent object would disagree with the key just set
        return inserted

    def save_table(self, model: Any, force_insert: bool) -> bool:
        """UPDATE or INSERT `model`'s own row; True when it was updated."""
        from relata.models.persistence import insert_table_row, update_row

        obj, opts, cache = self.obj, model._meta, self.obj.__dict__
        pk = opts.pk
        pk_value = cache.get(pk.attname)
        if pk_value is None and pk.has_default():
            pk_value = cache[pk.attname] = pk.get_default()
        adding = obj._state.adding
        if not force_insert and adding and pk.has_default() and self.update_fields is None and not self.force_update:
            force_insert = True
        fields = [f for f in opts.local_concrete_fields if f in self.chosen]
        if pk_value is not None and not force_insert:
            non_pk = [f for f in fields if not f.primary_key and not f.generated]
            if non_pk:
                rows = update_row(self.connection, obj, non_pk, pk_value, opts=opts)
            elif self.update_fields is not None:
                rows = 1  # nothing of this table to write, and Django counts that as done
            else:
                rows = int(model._base_manager.using(self.connection.alias).filter(pk=pk_value).exists())
            if self.force_update and not rows:
                raise exceptions.DatabaseError("Forced update did not affect any rows.")
            if self.update_fields is not None and not rows:
                raise exceptions.DatabaseError("Save with update_fields did not affect any rows.")
            if rows:
                return True
        insert_fields = [
            f
            for f in opts.local_concrete_fields
            if not f.generated and not (f.primary_key and f is opts.auto_field and pk_value is None)
        ]
        insert_table_row(self.connection, obj, opts, insert_fields, pk_value)
        return False


# -- update() and delete() ----------------------------------------------------------


def split_by_table(opts: Any, fields: list[Any]) -> dict[Any, list[int]]:
    """Indexes of `fields` grouped by the model whose table holds each (this model's own first)."""
    groups: dict[Any, list[int]] = {opts.concrete_model: []}
    for index, field in enumerate(fields):
        owner = field.model._meta.concrete_model
        groups.setdefault(owner, []).append(index)
    return groups


def update_across_tables(queryset: Any, fields: list[Any], changes: dict[str, Any], update: Any) -> int:
    """update() whose fields live in several tables: one UPDATE per table, on the keys read first (as Django)."""
    from relata import transaction

    opts = queryset.model._meta
    names = list(changes)
    groups = split_by_table(opts, fields)
    using = queryset.db_for_write()
    rows = None
    with transaction.atomic(using=using, savepoint=False):
        # Every table's keys before any UPDATE: an UPDATE may change what the filter matches.
        keys = {
            model: list(queryset.values_list("pk" if model is opts.concrete_model else model._meta.pk.name, flat=True))
            for model, indexes in groups.items()
            if indexes
        }
        for model, found in keys.items():
            target = model._base_manager.using(using).filter(pk__in=found)
            count = update(target, {names[i]: changes[names[i]] for i in groups[model]})
            if rows is None or model is opts.concrete_model:
                rows = count
    return rows or 0


def parent_objects(objs: list[Any]) -> list[tuple[Any, list[Any]]]:
    """For deletion: each parent model with the parent rows of `objs` (one multi-table model's instances)."""
    concrete = objs[0]._meta.concrete_model
    found = []
    for parent, link in concrete._meta.parents.items():
        if link is not None:
            found.append((parent, [parent_instance(obj, link) for obj in objs]))
    return found
