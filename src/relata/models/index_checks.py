"""System checks for Meta.indexes and Meta.constraints, with Django's ids.

The names and fields an index or constraint refers to (models.E012, E013,
E016, E033, E034, E041) are checked always; what a database cannot make
(models.W027, W036-W040, W043, W044, W047) only for the databases named, as
Django checks them only with `databases=`.
"""

from __future__ import annotations

from typing import Any

from relata.models.checks import CheckMessage, Error, Warning
from relata.models.expressions import Expression
from relata.models.q import Q

_SILENCE = "Silence this warning if you don't care about it."


def expression_references(node: Any) -> list[tuple[str, ...]]:
    """The lookup paths a Q or expression reads, each split at '__' (Django's _get_expr_references)."""
    found: list[tuple[str, ...]] = []
    if isinstance(node, Q):
        for child in node.children:
            if isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
                found.append(tuple(child[0].split("__")))
                found += expression_references(child[1])
            else:
                found += expression_references(child)
    elif isinstance(node, Expression):
        found += [tuple(ref.split("__")) for ref in sorted(node.refs())]
    return found


def check_local_fields(model: Any, names: Any, option: str) -> list[CheckMessage]:
    """models.E012/E013/E016: each name is a local, non-many-to-many field of the model."""
    opts = model._meta
    forward = {}
    for field in [*opts.local_fields, *opts.local_many_to_many, *_inherited(model)]:
        forward.setdefault(field.name, field)
        forward.setdefault(getattr(field, "attname", field.name), field)
    errors = []
    for name in dict.fromkeys(names):
        field = forward.get(name)
        if field is None:
            errors.append(Error(f"'{option}' refers to the nonexistent field '{name}'.", obj=model, id="models.E012"))
        elif field.many_to_many:
            errors.append(
                Error(
                    f"'{option}' refers to a ManyToManyField '{name}', but ManyToManyFields are not permitted "
                    f"in '{option}'.",
                    obj=model,
                    id="models.E013",
                )
            )
        elif field not in opts.local_fields:
            errors.append(
                Error(
                    f"'{option}' refers to field '{name}' which is not local to model '{opts.object_name}'.",
                    hint="This issue may be caused by multi-table inheritance.",
                    obj=model,
                    id="models.E016",
                )
            )
    return errors


def _inherited(model: Any) -> list[Any]:
    """Fields a model reaches through its concrete parents (none while relata has only abstract bases)."""
    fields = []
    for parent in getattr(model._meta, "parents", {}) or {}:
        fields += list(parent._meta.local_fields)
    return fields


def check_indexes(model: Any, databases: Any = ()) -> list[CheckMessage]:
    opts = model._meta
    errors: list[CheckMessage] = []
    references: list[str] = []
    for index in opts.indexes:
        if index.name and (index.name[0] == "_" or index.name[0].isdigit()):
            errors.append(
                Error(
                    f"The index name '{index.name}' cannot start with an underscore or a number.",
                    obj=model,
                    id="models.E033",
                )
            )
        if len(index.name) > index.max_name_length:
            errors.append(
                Error(
                    f"The index name '{index.name}' cannot be longer than {index.max_name_length} characters.",
                    obj=model,
                    id="models.E034",
                )
            )
        for expression in index.expressions:
            references += [path[0] for path in expression_references(expression)]
    for alias in databases:
        errors += _index_support(model, alias)
    names = [name for index in opts.indexes for name, _order in index.fields_orders]
    names += [name for index in opts.indexes for name in index.include]
    return errors + check_local_fields(model, names + references, "indexes")


def _index_support(model: Any, alias: str) -> list[CheckMessage]:
    from relata.db import connections

    connection = connections[alias]
    features, display = connection.features, connection.display_name
    required = set(model._meta.required_db_features or ())
    indexes = model._meta.indexes
    rules = [
        ("supports_partial_indexes", any(i.condition is not None for i in indexes), "models.W037",
         "indexes with conditions", "Conditions will be ignored."),
        ("supports_covering_indexes", any(i.include for i in indexes), "models.W040",
         "indexes with non-key columns", "Non-key columns will be ignored."),
        ("supports_expression_indexes", any(i.contains_expressions for i in indexes), "models.W043",
         "indexes on expressions", "An index won't be created."),
    ]  # fmt: skip
    return [
        Warning(f"{display} does not support {what}.", hint=f"{effect} {_SILENCE}", obj=model, id=ident)
        for flag, used, ident, what, effect in rules
        if used and not getattr(features, flag) and flag not in required
    ]


def check_constraints(model: Any, databases: Any = ()) -> list[CheckMessage]:
    from relata.models.constraints import CheckConstraint, UniqueConstraint

    errors: list[CheckMessage] = []
    for constraint in model._meta.constraints:
        references: list[tuple[str, ...]] = []
        if isinstance(constraint, CheckConstraint):
            references = expression_references(constraint.condition)
        elif isinstance(constraint, UniqueConstraint):
            references = [(name,) for name in (*constraint.fields, *constraint.include)]
            for expression in constraint.expressions:
                references += expression_references(expression)
            if constraint.condition is not None:
                references += expression_references(constraint.condition)
        for alias in databases:
            errors += _constraint_support(model, constraint, alias)
        errors += _check_references(model, references)
    return errors


def _constraint_support(model: Any, constraint: Any, alias: str) -> list[CheckMessage]:
    from relata.db import connections
    from relata.models.constraints import CheckConstraint

    connection = connections[alias]
    features, display = connection.features, connection.display_name
    required = set(model._meta.required_db_features or ())
    if isinstance(constraint, CheckConstraint):
        rules = [("supports_table_check_constraints", True, "models.W027", "check constraints")]
    else:
        rules = [
            ("supports_partial_indexes", constraint.condition is not None, "models.W036",
             "unique constraints with conditions"),
            ("supports_deferrable_unique_constraints", constraint.deferrable is not None, "models.W038",
             "deferrable unique constraints"),
            ("supports_covering_indexes", bool(constraint.include), "models.W039",
             "unique constraints with non-key columns"),
            ("supports_expression_indexes", constraint.contains_expressions, "models.W044",
             "unique constraints on expressions"),
            ("supports_nulls_distinct_unique_constraints", constraint.nulls_distinct is not None, "models.W047",
             "unique constraints with nulls distinct"),
        ]  # fmt: skip
    return [
        Warning(
            f"{display} does not support {what}.",
            hint=f"A constraint won't be created. {_SILENCE}",
            obj=model,
            id=ident,
        )
        for flag, used, ident, what in rules
        if used and not getattr(features, flag) and flag not in required
    ]


def _check_references(model: Any, references: list[tuple[str, ...]]) -> list[CheckMessage]:
    """models.E012/E013/E016 for the fields read, E041 for a lookup that would need a JOIN."""
    from relata.exceptions import FieldDoesNotExist

    errors: list[CheckMessage] = []
    fields: list[str] = []
    for field_name, *lookups in references:
        if field_name != "pk":  # an alias get_field() does not know
            fields.append(field_name)
        if not lookups:
            continue
        try:
            field = model._meta.pk if field_name == "pk" else model._meta.get_field(field_name)
        except FieldDoesNotExist:
            continue
        if not field.is_relation or field.many_to_many or field.one_to_many:
            continue
        if field.get_transform(lookups[0]) is None and field.get_lookup(lookups[0]) is None:
            errors.append(
                Error(
                    f"'constraints' refers to the joined field '{'__'.join([field_name, *lookups])}'.",
                    obj=model,
                    id="models.E041",
                )
            )
    return errors + check_local_fields(model, fields, "constraints")
