"""The reverse side of a relation: ForeignObjectRel, ManyToOneRel, OneToOneRel, ManyToManyRel.

A relation field's `remote_field` is one of these. It describes the relation
as its target model sees it: the accessor name on the target's instances
(`book_set`, or `related_name`), the query name filter() uses, whether it is
hidden (`related_name="+"`), and where the target caches what it loads.
missing_accessor_hint() explains a default accessor name that related_name changed.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from relata.models.fields import BLANK_CHOICE_DASH
from relata.models.fields.mixins import FieldCacheMixin


class ForeignObjectRel(FieldCacheMixin):
    """The reverse side of a relation, as seen from its target model."""

    auto_created = True
    concrete = False
    editable = False
    is_relation = True
    null = True
    empty_strings_allowed = False

    def __init__(
        self,
        field: Any,
        to: Any,
        related_name: str | None = None,
        related_query_name: str | None = None,
        limit_choices_to: Any = None,
        parent_link: bool = False,
        on_delete: Any = None,
    ):
        self.field = field
        self.model = to
        self.related_name = related_name
        self.related_query_name = related_query_name
        self.limit_choices_to = {} if limit_choices_to is None else limit_choices_to
        self.parent_link = parent_link
        self.on_delete = on_delete
        self.symmetrical = False
        self.multiple = True

    def __repr__(self) -> str:
        if self.field.model is None:
            return f"<{type(self).__name__}>"
        return f"<{type(self).__name__}: {self.field.model._meta.label_lower}.{self.field.name}>"

    @property
    def related_model(self) -> Any:
        return self.field.model

    @property
    def remote_field(self) -> Any:
        return self.field

    @property
    def target_field(self) -> Any:
        return self.field.target_field

    @property
    def hidden(self) -> bool:
        return bool(self.related_name) and self.related_name[-1] == "+"

    @property
    def name(self) -> str:
        return self.field.related_query_name()

    @property
    def many_to_many(self) -> bool:
        return self.field.many_to_many

    @property
    def many_to_one(self) -> bool:
        return self.field.one_to_many

    @property
    def one_to_many(self) -> bool:
        return self.field.many_to_one

    @property
    def one_to_one(self) -> bool:
        return self.field.one_to_one

    def get_accessor_name(self, model: Any = None) -> str | None:
        """The attribute on the target's instances; None when hidden."""
        opts = (model or self.field.model)._meta
        model_ = model or self.model
        if self.symmetrical and model_ == self.field.model:
            return None
        if self.related_name:
            return None if self.hidden else self.related_name
        return opts.model_name + ("" if self.one_to_one else "_set")

    @property
    def accessor_name(self) -> str | None:
        """Django's spelling: for a hidden relation, the related_name ("+"...), which no attribute has."""
        return self.get_accessor_name() or self.related_name

    def get_cache_name(self) -> str:
        return self.get_accessor_name() or ("+" + self.field.name)

    def get_path_info(self, filtered_relation: Any = None) -> list[Any]:
        return self.field.get_reverse_path_info(filtered_relation)

    @cached_property
    def path_infos(self) -> list[Any]:
        return self.get_path_info()

    def __getstate__(self) -> dict[str, Any]:
        # Copies and pickles work the joins out again (they name the field's models).
        state = self.__dict__.copy()
        state.pop("path_infos", None)
        return state

    def get_choices(
        self,
        include_blank: bool = True,
        blank_choice: list[tuple[Any, str]] = BLANK_CHOICE_DASH,
        limit_choices_to: Any = None,
        ordering: Any = (),
    ) -> list[Any]:
        """(pk, str(row)) of each row of the model on this side, as Django's forms list them."""
        rows = related_rows(self.related_model, limit_choices_to or self.limit_choices_to, ordering)
        return (list(blank_choice) if include_blank else []) + [(row.pk, str(row)) for row in rows]

    def get_joining_columns(self) -> tuple[str, str]:
        return self.field.target_field.column, self.field.column


def related_rows(model: Any, limit_choices_to: Any, ordering: Any) -> Any:
    """`model`'s rows a relation may point at: limited by a dict or Q, in `ordering` or Meta.ordering."""
    rows = model._default_manager.complex_filter(limit_choices_to or {})
    return rows.order_by(*ordering) if ordering else rows


class ManyToOneRel(ForeignObjectRel):
    def __init__(self, field: Any, to: Any, field_name: str | None, **kwargs: Any):
        super().__init__(field, to, **kwargs)
        self.field_name = field_name

    def get_related_field(self) -> Any:
        """The target's field the key holds: its primary key unless to_field names another."""
        return self.field.target_field

    # A path ending on the reverse relation (`article__in=...` from Author) takes the foreign key's lookups.
    def get_lookup(self, lookup_name: str) -> Any:
        return self.field.get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return self.field.get_transform(lookup_name)

    def get_lookups(self) -> dict[str, Any]:
        return self.field.get_lookups()


class OneToOneRel(ManyToOneRel):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.multiple = False


class ManyToManyRel(ForeignObjectRel):
    def __init__(
        self,
        field: Any,
        to: Any,
        related_name: str | None = None,
        related_query_name: str | None = None,
        limit_choices_to: Any = None,
        symmetrical: bool = True,
        through: Any = None,
        through_fields: Any = None,
        db_constraint: bool = True,
    ):
        super().__init__(
            field,
            to,
            related_name=related_name,
            related_query_name=related_query_name,
            limit_choices_to=limit_choices_to,
        )
        self.symmetrical = symmetrical
        self.through = through
        self.through_fields = through_fields
        self.db_constraint = db_constraint


def missing_accessor_hint(model: Any, name: str) -> tuple[bool, str] | None:
    """Why `instance.<name>` is missing when it is a reverse accessor's default name.

    Returns `(renamed, text)`: renamed when related_name gave the accessor
    another name (the text names it), else hidden with '+'.
    """
    model_name = model._meta.model_name
    for rel in model._meta.all_related_objects:
        own = getattr(rel, "missing_accessor_hint", None)
        if own is not None:  # a relation defined outside models (contenttypes) explains itself
            found = own(model, name)
            if found is not None:
                return found
            continue
        field = rel.field
        if field.model is None or field.model._meta.auto_created:
            continue
        default = field.model._meta.model_name + ("" if rel.one_to_one else "_set")
        if default != name:
            continue
        where = f"{field.model.__name__}.{field.name}"
        related_name = rel.related_name or ""
        if rel.hidden:
            return False, (
                f"{where} sets related_name='{related_name}', which hides the reverse accessor; "
                f"query {field.model.__name__}.objects.filter({field.name}={model_name}) instead."
            )
        accessor = rel.get_accessor_name()
        if accessor and accessor != name:
            return True, f"{where} sets related_name='{related_name}', use {model_name}.{accessor}"
    for field in model._meta.private_fields:
        own = getattr(field, "missing_accessor_hint", None)
        found = None if own is None else own(model, name)
        if found is not None:
            return found
    return None
