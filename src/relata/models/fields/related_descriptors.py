"""Attribute access for relations, on both ends.

    class Book(Model):
        author = ForeignKey(Author, related_name="books")

- `book.author`: ForwardManyToOneDescriptor (cached; `book.author_id` is the column)
- `author.books`: ReverseManyToOneDescriptor, a manager filtered to this author
- `place.restaurant` / `restaurant.place` for a OneToOneField: ForwardOneToOneDescriptor
  and ReverseOneToOneDescriptor (a single object, or RelatedObjectDoesNotExist)
- `pizza.toppings` / `topping.pizza_set` for a ManyToManyField: ManyToManyDescriptor
  on both sides, each a manager over the through table.
- `membership.person` for a ForeignObject over (person_id, country_id): the same forward and
  reverse descriptors, keyed by the tuple of the local fields' values instead of one column.

The single-object descriptors are data descriptors, so they can keep the object
they load in the instance's `__dict__` under their own name (see instance_state).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from relata.models.instance_state import db_of, refuse, set_key_pending
from relata.models.q import Q
from relata.models.query import prefetch_relations
from relata.models.query.prefetch_relations import PrefetchableRelation
from relata.models.routing import check_relation

_MISSING = object()


def _related_does_not_exist(owner: Any, name: str, related_model: Any) -> type:
    return type(
        "RelatedObjectDoesNotExist",
        (related_model.DoesNotExist, AttributeError),
        {"__module__": owner.__module__, "__qualname__": f"{owner.__qualname__}.{name}.RelatedObjectDoesNotExist"},
    )


class ForwardManyToOneDescriptor(PrefetchableRelation):
    """`book.author`: loads the target once, then serves it from the cache."""

    querysets_function = prefetch_relations.forward_querysets
    loader_function = prefetch_relations.load_forward

    def __init__(self, field: Any):
        self.field = field

    @cached_property
    def RelatedObjectDoesNotExist(self) -> type:
        return _related_does_not_exist(self.field.model, self.field.name, self.field.related_model)

    def is_cached(self, instance: Any) -> bool:
        return self.field.name in instance.__dict__

    @cached_property
    def _names(self) -> tuple[str, str, str] | None:
        """(cache name, key column attname, target's attname), read once the target is resolved.

        None for a ForeignObject, whose key is the values of other fields (see _get_by_fields).
        """
        field = self.field
        if not field.concrete:
            return None
        return field.name, field.attname, field.target_field.attname

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        names = self._names
        if names is None:
            return self._get_by_fields(instance)
        cache = instance.__dict__
        name, attname, target_attname = names
        cached = cache.get(name)
        # The hot path (select_related, prefetch, reverse managers): a cached object
        # that still matches the key column.
        if cached is not None and cached.__dict__.get(target_attname, _MISSING) == cache.get(attname):
            return cached
        return self._load(instance, cache)

    def _get_by_fields(self, instance: Any) -> Any:
        """A ForeignObject's object: the row whose to_fields hold this instance's from_fields values."""
        field = self.field
        cache = instance.__dict__
        values = field.get_local_related_value(instance)
        related = cache.get(field.name, _MISSING)
        if related is _MISSING or (related is not None and field.get_foreign_related_value(related) != values):
            related = None if None in values else self.get_object(instance, values)
            cache[field.name] = related
        return self._check_null(instance, related)

    def _load(self, instance: Any, cache: dict[str, Any]) -> Any:
        field = self.field
        value = cache.get(field.attname)
        if value is None and cache.get(field.name, _MISSING) is None:
            return self._check_null(instance, None)
        if value is None and field.attname not in cache and instance._is_pk_set():
            # The column was left out by only()/defer(): load it before the object.
            value = getattr(instance, field.attname)
        related = None
        if value is not None and instance._meta.multi_table:
            related = _from_ancestor(instance, field, value)
        if value is not None and related is None:
            related = self.get_object(instance, value)
        cache[field.name] = related
        return self._check_null(instance, related)

    def _check_null(self, instance: Any, related: Any) -> Any:
        if related is None and not self.field.null:
            raise refuse(
                instance,
                self.field.name,
                self.RelatedObjectDoesNotExist(f"{type(instance).__name__} has no {self.field.name}."),
            )
        return related

    def get_object(self, instance: Any, value: Any) -> Any:
        """The related row for key `value` (a tuple of the to_fields' values for a ForeignObject)."""
        field = self.field
        model = field.related_model
        db = db_of(instance) or "default"
        if field.concrete:
            keys = {field.target_field.attname: value}
        else:
            keys = {target.attname: v for target, v in zip(field.foreign_related_fields, value, strict=True)}
        source = model._base_manager.db_manager(db)
        extra = field.get_extra_descriptor_filter(instance)
        if extra:
            source = source.filter(extra if isinstance(extra, Q) else Q(**extra))
        try:
            related = source.get(**keys)
        except model.DoesNotExist:
            shown = ", ".join(f"{name}={v!r}" for name, v in keys.items())
            raise refuse(
                instance,
                field.name,
                self.RelatedObjectDoesNotExist(
                    f"{type(instance).__name__} has no {field.name}: no {model.__name__} with {shown}."
                ),
            ) from None
        if field.one_to_one:
            related.__dict__[field.remote_field.get_cache_name()] = instance
        return related

    def __set__(self, instance: Any, value: Any) -> None:
        field = self.field
        model = field.related_model
        if value is not None and model is not None and not isinstance(value, model):
            raise ValueError(
                f'Cannot assign "{value!r}": "{field.model.__name__}.{field.name}" must be a '
                f'"{model.__name__}" instance.'
            )
        cache = instance.__dict__
        if value is None:
            previous = cache.get(field.name)
            if previous is not None and field.one_to_one:
                previous.__dict__[field.remote_field.get_cache_name()] = None
            for local in field.local_related_fields:
                cache[local.attname] = None
            if field.concrete:
                set_key_pending(instance, field.name, False)
        else:
            check_relation(instance, value)
            for local, target in field.related_fields:
                cache[local.attname] = getattr(value, target.attname)
            if field.concrete:
                key = cache[field.attname]
                set_key_pending(instance, field.name, key is None or key == "")
            if field.one_to_one:
                value.__dict__[field.remote_field.get_cache_name()] = instance
        cache[field.name] = value

    def __reduce__(self) -> Any:
        return getattr, (self.field.model, self.field.name)


def _from_ancestor(instance: Any, field: Any, value: Any) -> Any:
    """An inherited relation already loaded on the parent object this child was reached from (no query)."""
    link = instance._meta.get_ancestor_link(field.model)
    ancestor = instance.__dict__.get(link.name) if link is not None else None
    if ancestor is None:
        return None
    related = ancestor.__dict__.get(field.name)
    if related is not None and related.__dict__.get(field.target_field.attname) == value:
        return related
    return None


class ForwardOneToOneDescriptor(ForwardManyToOneDescriptor):
    """`restaurant.place` for a OneToOneField; `restaurant.place_ptr` (a parent link) from the child's own values."""

    def get_object(self, instance: Any, value: Any) -> Any:
        field = self.field
        if field.remote_field.parent_link and instance._meta.multi_table:
            parent_attnames = {f.attname for f in field.related_model._meta.concrete_fields}
            if parent_attnames <= instance.__dict__.keys():
                from relata.models.inheritance import parent_instance

                related = parent_instance(instance, field)
                related.__dict__[field.remote_field.get_cache_name()] = instance
                return related
        return super().get_object(instance, value)

    def __set__(self, instance: Any, value: Any) -> None:
        super().__set__(instance, value)
        field = self.field
        if field.primary_key and field.remote_field.parent_link:
            # A new parent row is a new key for the child: the inherited key fields follow it.
            cache = instance.__dict__
            for inherited in instance._meta.concrete_fields:
                if inherited.primary_key and inherited.is_relation:
                    target_pk = inherited.related_model._meta.pk.attname
                    cache[target_pk] = None if value is None else getattr(value, target_pk)


class ReverseOneToOneDescriptor(PrefetchableRelation):
    """`place.restaurant`: the one object pointing here, or RelatedObjectDoesNotExist."""

    querysets_function = prefetch_relations.reverse_one_querysets
    loader_function = prefetch_relations.load_reverse_one

    def __init__(self, related: Any):
        self.related = related

    @property
    def field(self) -> Any:
        return self.related.field

    @cached_property
    def RelatedObjectDoesNotExist(self) -> type:
        return _related_does_not_exist(self.related.model, self.related.get_accessor_name(), self.related.related_model)

    def is_cached(self, instance: Any) -> bool:
        return self.related.get_cache_name() in instance.__dict__

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        name = self.related.get_cache_name()
        cache = instance.__dict__
        if name in cache:
            related = cache[name]
        else:
            related = None
            target_value = getattr(instance, self.field.target_field.attname)
            if target_value is not None:
                model = self.related.related_model
                db = instance._state.db or "default"
                try:
                    related = model._base_manager.db_manager(db).get(**{self.field.attname: target_value})
                except model.DoesNotExist:
                    related = None
                else:
                    related.__dict__[self.field.name] = instance
            cache[name] = related
        if related is None:
            accessor = self.related.get_accessor_name()
            raise refuse(
                instance, accessor, self.RelatedObjectDoesNotExist(f"{type(instance).__name__} has no {accessor}.")
            )
        return related

    def __set__(self, instance: Any, value: Any) -> None:
        model = self.related.related_model
        name = self.related.get_cache_name()
        if value is None:
            previous = instance.__dict__.get(name)
            if previous is not None:
                setattr(previous, self.field.name, None)
            instance.__dict__[name] = None
            return
        if not isinstance(value, model):
            raise ValueError(
                f'Cannot assign "{value!r}": "{type(instance).__name__}.{self.related.get_accessor_name()}" '
                f'must be a "{model.__name__}" instance.'
            )
        value.__dict__[self.field.attname] = getattr(instance, self.field.target_field.attname)
        instance.__dict__[name] = value
        value.__dict__[self.field.name] = instance


class ReverseManyToOneDescriptor:
    """`author.book_set`: a manager of the books whose FK points at this author."""

    def __init__(self, rel: Any):
        self.rel = rel

    @property
    def field(self) -> Any:
        return self.rel.field

    @cached_property
    def related_manager_cls(self) -> type:
        from relata.models.fields.related_managers import create_reverse_many_to_one_manager

        return create_reverse_many_to_one_manager(self.rel.related_model._default_manager.__class__, self.rel)

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        return self.related_manager_cls(instance)

    def __set__(self, instance: Any, value: Any) -> None:
        raise TypeError(
            f"Direct assignment to the reverse side of a related set is prohibited. "
            f"Use {self.rel.get_accessor_name()}.set() instead."
        )


class ManyToManyDescriptor(ReverseManyToOneDescriptor):
    """`pizza.toppings` and `topping.pizza_set`: managers over the through table."""

    def __init__(self, rel: Any, reverse: bool = False):
        super().__init__(rel)
        self.reverse = reverse

    @property
    def through(self) -> Any:
        return self.rel.through

    @cached_property
    def related_manager_cls(self) -> type:
        from relata.models.fields.related_managers import create_many_to_many_manager

        model = self.rel.related_model if self.reverse else self.rel.model
        return create_many_to_many_manager(model._default_manager.__class__, self.rel, self.reverse)

    def __set__(self, instance: Any, value: Any) -> None:
        name = self.rel.get_accessor_name() if self.reverse else self.field.name
        raise TypeError(
            f"Direct assignment to the {'reverse' if self.reverse else 'forward'} side of a "
            f"many-to-many set is prohibited. Use {name}.set() instead."
        )
