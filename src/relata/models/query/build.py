"""Query state -> SQL nodes: joins, WHERE/HAVING, SELECT list, GROUP BY, ORDER BY.

One `QueryBuilder` builds one SELECT (subqueries get their own builder that
shares the alias counter and slot counter). It follows Django's join rules:
single-valued joins are shared by the whole query; a multi-valued join made
by one filter() call is shared only within that call; a negated condition
across a multi-valued relation becomes a subquery; joins that a row may lack
are LEFT OUTER unless a required condition makes them INNER.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from relata.exceptions import EmptyResultSet, FieldError, ProgrammingError
from relata.models.expressions import F, OuterRef, Resolved, Value
from relata.models.fields.composite import is_composite
from relata.models.inheritance import select_columns as inherited_columns
from relata.models.lookups.base import writes_own_sql
from relata.models.lookups.conditions import apply_transform_names, bilateral_rhs, custom_condition
from relata.models.lookups.paths import ResolvedLookup, lookup_start, output_field_of, resolve_lookup
from relata.models.output_types import result_field
from relata.models.query.composite import composite_part_paths, expand_where
from relata.models.query.compound import build_compound
from relata.models.query.filtered_relation import (
    FilteredKey,
    FilteredRelation,
    filtered_path,
    on_condition,
    renamed,
)
from relata.models.query.joins import SELECT_SCOPE, ResolvedPath, resolve_names
from relata.models.query.locking import row_lock_node
from relata.models.query.ordering import order_by_nodes
from relata.models.query.plan import ModelPlan, SelectPlan
from relata.models.query.relation_values import relation_preparer
from relata.models.query.select_related import loaded_fields, related_plans
from relata.models.query.state import Shape, SubqueryToken, Token
from relata.sql import nodes as n


class AliasCounter:
    """Table aliases for one statement and its subqueries: deterministic per shape."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.count = 1

    def take(self, table: str | None = None, prefix: str = "T") -> str:
        if table is not None and table not in self.used:
            self.used.add(table)
            return table
        self.count += 1
        alias = f"{prefix}{self.count}"
        self.used.add(alias)
        return alias


class SlotCounter:
    def __init__(self) -> None:
        self.next = 0

    def take(self, count: int = 1) -> range:
        start = self.next
        self.next += count
        return range(start, self.next)


@dataclass
class JoinInfo:
    alias: str
    table: str
    parent: str
    step: Any
    scope: Any
    kind: str = "INNER"
    #: A FilteredRelation's condition, added to the ON clause.
    on: n.Node | None = None


class QueryBuilder:
    def __init__(
        self,
        state: Shape,
        connection: Any,
        *,
        aliases: AliasCounter | None = None,
        slots: SlotCounter | None = None,
        outer: QueryBuilder | None = None,
        subquery: bool = False,
    ):
        if type(state) is not Shape:
            # Compiled SQL is cached by shape: a value read from anything else would be served to later calls.
            raise TypeError(f"QueryBuilder builds from a tokenized Shape (see tokenize()), not {type(state).__name__}.")
        self.state = state
        self.model = state.model
        self.opts = state.model._meta
        self.connection = connection
        self.aliases = aliases or AliasCounter()
        self.slots = slots or SlotCounter()
        self.outer = outer
        table = self.opts.db_table
        self.base_alias = self.aliases.take(None if subquery else table, prefix="U" if subquery else "T")
        self.joins: list[JoinInfo] = []
        self.required: set[str] = set()
        self.annotations: dict[str, tuple[n.Node, Any, bool]] = {}
        #: select_related path ("author__publisher") -> its join's alias, for select_for_update(of=...).
        self.related_aliases: dict[str, str] = {}
        self._touched_aggregate = False
        #: Annotations holding a window function, and whether the condition being built read one.
        self.windows: set[str] = set()
        self._touched_window = False
        #: Conditions on window values: applied outside the query that computes them (qualify.py).
        self.qualify: n.Node | None = None
        #: Where F() joins go: a condition's F() shares the joins of its filter() call (its scope).
        self.ref_scope: tuple[Any, bool] = (SELECT_SCOPE, True)
        #: Put before F() names: a related model's Meta.ordering expressions name its own fields.
        self.ref_prefix = ""
        #: How many NOTs enclose the condition being built; under any (even two), a condition
        #: across a multi-valued relation is a subquery, so it never repeats the query's rows.
        self.nots = 0
        #: False while building an expression's condition (aggregate filter=, When): there, as in
        #: Django, a negated condition across a multi-valued relation joins instead of a subquery.
        self.split_negated = True
        #: ORDER BY expressions holding an aggregate: never added to GROUP BY.
        self.aggregate_orderings: list[n.Node] = []
        #: The non-aggregate sides of the conditions being built, and those of the HAVING conditions:
        #: as in Django, HAVING's columns join the GROUP BY (`a0__lt=F("pages")` groups by pages too).
        self.group_refs: list[n.Node] = []
        #: The field paths values() picked ("values"), and those GROUP BY names ("group_by"), resolved at
        #: the point of the values() call that picked them.
        self.named_refs: dict[str, dict[str, tuple[n.Node, Any]]] = {}
        self.having_group_by: list[n.Node] = []
        #: FilteredRelation annotations by name: paths starting with one go through its own join.
        self.filtered: dict[str, FilteredRelation] = {}
        #: While a FilteredRelation's condition compiles: (its relation path, its alias).
        self.renaming: tuple[str, str] | None = None

    # -- joins --------------------------------------------------------------------

    def setup_steps(
        self, steps: tuple[Any, ...], scope: Any, reuse_any: bool, parent: str | None = None
    ) -> tuple[str, list[str]]:
        parent = parent or self.base_alias
        path_aliases = []
        for step in steps:
            join = self._find_join(parent, step, scope, reuse_any)
            if join is None:
                table = step.to_model._meta.db_table
                join = JoinInfo(self.aliases.take(table), table, parent, step, scope if step.multivalued else None)
                self.joins.append(join)
                if isinstance(step.key, FilteredKey) and step.key.carries_condition:
                    join.on = on_condition(self, step.key.relation, scope)
                    # After the joins its condition made (`book__author__name`): ON reads only tables to its left.
                    self.joins.remove(join)
                    self.joins.append(join)
            parent = join.alias
            path_aliases.append(parent)
        return parent, path_aliases

    def _find_join(self, parent: str, step: Any, scope: Any, reuse_any: bool) -> JoinInfo | None:
        # The newest match: a reference outside the filter() calls (values, order_by, annotate) follows
        # the latest join of a relation that two calls joined, as Django's does.
        for join in reversed(self.joins):
            if join.parent != parent or join.step.key != step.key:
                continue
            if not step.multivalued or reuse_any or join.scope == scope:
                return join
        return None

    def join_nodes(self) -> tuple[n.Join, ...]:
        kinds: dict[str, str] = {self.base_alias: "INNER"}
        nodes = []
        for join in self.joins:
            if join.alias in self.required:
                kind = "INNER"
            elif join.step.nullable or kinds.get(join.parent) == "LEFT":
                kind = "LEFT"
            else:
                kind = "INNER"
            kinds[join.alias] = kind
            step = join.step
            pairs = ((step.from_column, step.to_column), *step.more_columns)
            ons = [n.Lookup("exact", n.Col(join.alias, to), n.Col(join.parent, frm)) for frm, to in pairs]
            if step.condition is not None:
                ons.append(step.condition.node(join.parent, join.alias))
            if join.on is not None:
                ons.append(join.on)
            on = ons[0] if len(ons) == 1 else n.And(tuple(ons))
            nodes.append(n.Join(n.Table(join.table, join.alias), on, kind))
        return tuple(nodes)

    def field_columns(self, alias: str, opts: Any, fields: Any) -> list[n.Node]:
        """The columns of a model's `fields` for the row at `alias` (a multi-table model's reach its parents)."""
        if not opts.multi_table:
            return [n.Col(alias, f.column) for f in fields]
        return inherited_columns(self, alias, opts, fields, SELECT_SCOPE)

    # -- references ---------------------------------------------------------------

    def resolve_ref(self, name: str) -> tuple[n.Node, Any]:
        """A field path or annotation name as a column node (F(), values(), order_by())."""
        name = self.ref_prefix + name
        if name in self.annotations:
            node, field, is_aggregate = self.annotations[name]
            if is_aggregate:
                self._touched_aggregate = True
            if name in self.windows:
                self._touched_window = True
            return node, field
        if self.annotations and "__" in name:
            transformed = self.transformed_annotation(name)
            if transformed is not None:
                return transformed
        resolved = self.resolve_path(name)
        scope, reuse_any = self.ref_scope
        alias, _ = self.setup_steps(resolved.steps, scope, reuse_any)
        if is_composite(resolved.field) and not resolved.rest:
            # F("pk") of a composite key: its parts' columns as a row (ordering spreads it; values
            # unpacks it; an expression that needs one value refuses it).
            return n.Row(tuple(n.Col(alias, part.column) for part in resolved.field.fields)), resolved.field
        field = resolved.field
        if resolved.rest and resolved.relation is field and resolved.value_field is not None:
            field = resolved.value_field  # transforms of a foreign key read the key it holds (`date__month`)
        node, field, rest = self.apply_transforms(n.Col(alias, resolved.column), field, resolved.rest)
        if rest:
            raise FieldError(f"Cannot resolve '{name}': '{rest[0]}' is not a field or transform here.")
        return node, field

    def transformed_annotation(self, name: str) -> tuple[n.Node, Any] | None:
        """An annotation followed by transforms (`attrs__alias` on a JSONObject), or None."""
        parts = name.split("__")
        size = self.annotation_prefix(parts)
        if not size:
            return None
        node, field, is_aggregate = self.annotations["__".join(parts[:size])]
        if is_aggregate:
            self._touched_aggregate = True
        if "__".join(parts[:size]) in self.windows:
            self._touched_window = True
        node, field, rest = self.apply_transforms(node, field, tuple(parts[size:]))
        if rest:
            raise FieldError(f"Cannot resolve '{name}': '{rest[0]}' is not a transform of the annotation.")
        return node, field

    def resolve_path(self, path: str) -> ResolvedPath:
        parts = renamed(path.split("__"), self.renaming)
        if self.filtered:
            resolved = filtered_path(self.model, parts, self.filtered)
            if resolved is not None:
                return resolved
        return resolve_names(self.model, parts, (*self.annotations, *self.filtered))

    def apply_transforms(self, lhs: n.Node, field: Any, rest: tuple[str, ...]) -> tuple[n.Node, Any, tuple[str, ...]]:
        """`lhs` through the transforms `rest` names, as far as they are transforms (F("name__lower"))."""
        expression, rest = apply_transform_names(Resolved(lhs, field), rest)
        if isinstance(expression, Resolved):
            return lhs, field, rest
        node, _ = expression.resolve(self)
        return node, output_field_of(expression), rest

    # -- conditions ---------------------------------------------------------------

    def where_node(
        self, tree: tuple[Any, ...], scope: Any, negated: bool = False, in_or: bool = False, reuse_any: bool = False
    ) -> n.Node:
        kind = tree[0]
        if kind == "leaf" or kind == "expr":
            try:
                return self.condition_leaf(tree, scope, negated, in_or, reuse_any)
            except EmptyResultSet:
                # A subquery that can match no row (`book__in=[]` under exclude): this condition is
                # false, and only this one; a NOT or OR above it decides what the query matches.
                return n.Nothing()
        connector, node_negated, children = tree
        child_negated = negated != node_negated
        # Under a NOT, AND joins its children as OR does (De Morgan): NOT (NOT a AND b) is (a OR NOT b),
        # so `a` no longer needs its join to match: the join a row may lack stays LEFT OUTER.
        effective = connector if not child_negated else {"AND": "OR", "OR": "AND"}.get(connector, connector)
        child_in_or = in_or or (effective == "OR" and len(children) > 1)
        self.nots += node_negated
        try:
            parts = [self.where_node(child, scope, child_negated, child_in_or, reuse_any) for child in children]
        finally:
            self.nots -= node_negated
        node = _combine(connector, parts)
        return _negate(node) if node_negated else node

    def condition_leaf(self, tree: tuple[Any, ...], scope: Any, negated: bool, in_or: bool, reuse_any: bool) -> n.Node:
        if tree[0] == "leaf":
            return self.leaf(tree[1], tree[2], scope, negated, in_or, reuse_any)
        # Its F()s join as a keyword lookup of the same filter() call does (one related row for both).
        outer_scope, self.ref_scope = self.ref_scope, (scope, reuse_any)
        try:
            node, _ = tree[1].resolve(self)
        finally:
            self.ref_scope = outer_scope
        if getattr(tree[1], "contains_aggregate", False):
            self._touched_aggregate = True
        return node

    def condition_node(self, condition: Any) -> n.Node:
        """A Q or boolean expression inside an expression (aggregate filter=, When)."""
        tree = condition.as_tree() if hasattr(condition, "as_tree") else ("expr", condition)
        tree = expand_where(self.model, tree)  # When(pk=(1, 2)): a composite key's parts
        outer, self.split_negated = self.split_negated, False
        try:
            return self.where_node(tree, SELECT_SCOPE, in_or=True, reuse_any=True)
        finally:
            self.split_negated = outer

    def leaf(self, path: str, value: Any, scope: Any, negated: bool, in_or: bool, reuse_any: bool) -> n.Node:
        parts = path.split("__")
        nullable = False
        path_aliases: list[str] = []
        value_model = value_field = None
        annotation = self.annotation_prefix(parts)
        if annotation:
            annotation_name = "__".join(parts[:annotation])
            lhs, field, is_aggregate = self.annotations[annotation_name]
            self._touched_aggregate = self._touched_aggregate or is_aggregate
            self._touched_window = self._touched_window or annotation_name in self.windows
            rest = tuple(parts[annotation:])
            value_field = field
        else:
            resolved = self.resolve_path(path)
            # In an ON clause (renaming) or an expression's condition (split_negated off): a plain NOT.
            if self.nots and resolved.multivalued and self.split_negated and self.renaming is None:
                return self.negated_subquery(path, value, resolved.steps, scope)
            alias, path_aliases = self.setup_steps(resolved.steps, scope, reuse_any)
            lhs, field, rest = n.Col(alias, resolved.column), resolved.field, resolved.rest
            value_model, value_field = resolved.value_model, resolved.value_field
            nullable = resolved.null_column or any(step.nullable for step in resolved.steps)
            nullable = nullable or getattr(field, "null", False)
        column = lhs
        start = Resolved(lhs, field) if annotation else lookup_start(lhs, resolved)
        found = resolve_lookup(start, rest, path)
        lookup_name = found.lookup.sql_name if isinstance(found.lookup, type) else ""
        if found.transformed:
            lhs, _ = found.lhs.resolve(self)
            value_field, value_model = found.output_field, None
        if not (annotation and self.annotations[annotation_name][2]):
            self.group_refs.append(lhs)  # also when the lookup turns out empty (`in=[]`), as Django's
        outer_scope, self.ref_scope = self.ref_scope, (scope, reuse_any)
        try:
            node = self.lookup_node(found.lookup, lhs, value_field, value_model, value, found)
        finally:
            self.ref_scope = outer_scope
        is_null_match = (lookup_name == "isnull" and value) or (value is None and lookup_name in ("exact", "iexact"))
        if not annotation and not negated and not in_or and not is_null_match:
            self.required.update(path_aliases)
        if not negated or lookup_name == "isnull" or value is None:
            return node
        # NOT (x < NULL) is NULL, not true: without these, exclude() would drop the rows that read NULL.
        not_null = []
        if nullable:
            # The column itself, not a transform of it: a JSON key may be missing where the column is not NULL.
            not_null.append(n.IsNull(column, negated=True))
        if isinstance(node, n.Lookup) and isinstance(node.rhs, n.Col) and self.may_be_null(value):
            not_null.append(n.IsNull(node.rhs, negated=True))
        return n.And((node, *not_null)) if not_null else node

    def may_be_null(self, reference: Any) -> bool:
        """Whether the column an F() names is nullable (as Django asks it: a NULL that comes from an
        outer join to a NOT NULL column does not count); when unsure, yes (the check is harmless)."""
        name = getattr(reference, "name", None)
        if not isinstance(name, str) or name in self.annotations:
            return False
        try:
            resolved = self.resolve_path(name)
        except FieldError:
            return True  # named from an enclosing query: its model is not this one
        return resolved.null_column or getattr(resolved.field, "null", False)

    def annotation_prefix(self, parts: list[str]) -> int:
        """How many leading names form an annotation's name (default aliases hold '__')."""
        for size in range(len(parts), 0, -1):
            if "__".join(parts[:size]) in self.annotations:
                return size
        return 0

    def lookup_node(
        self,
        lookup_class: Any,
        lhs: n.Node,
        value_field: Any,
        value_model: Any,
        value: Any,
        found: ResolvedLookup | None = None,
    ) -> n.Node:
        if found is not None and writes_own_sql(lookup_class):
            return custom_condition(self, found, value)
        name = lookup_class.sql_name
        if name == "isnull":
            if not isinstance(value, bool):
                raise ValueError("The QuerySet value for an isnull lookup must be True or False.")
            return n.IsNull(lhs, negated=not value)
        lookup = lookup_class.unprepared(Resolved(lhs, value_field), value)
        if value is None:
            none_node = lookup.match_none()
            if none_node is None:
                raise ValueError(f"Cannot use None as a query value with the '{name}' lookup; use isnull=True.")
            return none_node
        bilateral = found.bilateral() if found is not None else []
        prep = self.value_preparer(value_field, value_model)
        # A value a bilateral transform changes becomes a pattern after it (in SQL), not before.
        rhs = self.rhs_nodes(value, prep if bilateral else lookup.value_prep(prep), lookup_class)
        if bilateral:
            rhs = bilateral_rhs(self, bilateral, found, rhs, value)
        if lookup_class.arity == 2 and len(rhs) != 2:
            raise ValueError(f"The '{name}' lookup needs exactly two values (start, end).")
        node = lookup.build(rhs)
        if type(value) is Token and value.plain and type(node) is n.Lookup and lookup.value_pattern:
            node = n.Lookup(node.name, node.lhs, node.rhs, escape=False)
        return node

    def value_preparer(self, field: Any, value_model: Any) -> Any:
        if field is None:
            return None
        db_prep = field.lookup_preparer(self.connection)
        prep = db_prep if value_model is None else relation_preparer(field, value_model, db_prep)
        last = self.connection.ops.lookup_value_adapter(field.get_internal_type())
        if last is None:
            return prep
        if prep is None:
            return last
        return lambda value: last(prep(value))

    def rhs_nodes(self, value: Any, prep: Any, lookup_class: Any) -> list[n.Node]:
        if isinstance(value, Token):
            return [n.Slot(index, prep) for index in self.slots.take(value.count)]
        if isinstance(value, SubqueryToken):
            return [n.Subquery(self.sub_select(value.state, value.fields))]
        if getattr(value, "resolves_in_query", False):
            (node, _), aggregated = self.reading_aggregates(lambda: value.resolve(self))
            if not aggregated:
                self.group_refs.append(node)
            if type(node) is n.Row:
                raise ValueError("CompositePrimaryKey cannot be used as a lookup value.")
            return [node]
        state_of = getattr(value, "_subquery_state", None)
        if state_of is not None:
            sub_state, fields = state_of()  # inside a Q of an expression, which the key holds whole
            return [n.Subquery(self.sub_select(Shape.of_constant(sub_state), fields))]
        if lookup_class.arity != 1 and not isinstance(value, str | bytes):
            return [n.Param(prep(v) if prep else v) for v in value]
        return [n.Param(prep(value) if prep else value)]

    def negated_subquery(self, path: str, value: Any, steps: tuple[Any, ...], scope: Any) -> n.Node:
        """`pk IN (subquery)` for a condition across a multi-valued relation that a NOT surrounds.

        As in Django, a plain F() in the value names this query's row (its joins
        made in this filter() call); any other expression is computed inside the
        subquery, though its joins are still made here (where they repeat rows, as
        in Django). When this call made the query's first join to the table of the
        relation's first multi-valued step (by any path), the subquery stays on
        that row of it: Django's rule, which compares alias names, and only a
        table's first alias is named after the table.
        """
        if getattr(value, "resolves_in_query", False) and value.refs() and not isinstance(value, OuterRef):
            outer_scope, self.ref_scope = self.ref_scope, (scope, False)
            try:
                resolved = ResolvedValue(*value.resolve(self))
            finally:
                self.ref_scope = outer_scope
            value = resolved if type(value) is F else value
        # The subquery reads the same FilteredRelations (their joins and conditions) as this query.
        relations = tuple(
            dataclasses.replace(a, after_filters=0)
            for a in self.state.annotations
            if isinstance(a.expression, FilteredRelation)
        )
        sub_state = Shape(self.model, where=(("AND", False, (("leaf", path, value),)),), annotations=relations)
        builder = QueryBuilder(
            sub_state, self.connection, aliases=self.aliases, slots=self.slots, outer=self.outer, subquery=True
        )
        pk = self.opts.pk
        select = builder.build_filtered_select(((n.Col(builder.base_alias, pk.column), None),))
        inner = builder.first_multivalued_join(steps, 0)
        shared = next((join for join in self.joins if join.table == inner.table), None) if inner else None
        # A LEFT OUTER join inside (`isnull=True` matches a missing row) is not trimmed by Django, which
        # then ties nothing to the outer related row.
        if shared is not None and shared.scope == scope and inner.alias in builder.required:
            column = inner.step.to_model._meta.pk.column
            same_row = n.Lookup("exact", n.Col(inner.alias, column), n.Col(shared.alias, column))
            select = dataclasses.replace(select, where=_combine("AND", [select.where, same_row]))
        return n.In(n.Col(self.base_alias, pk.column), select)

    def first_multivalued_join(self, steps: tuple[Any, ...], scope: Any) -> JoinInfo | None:
        """The join this scope made for `steps` up to their first multi-valued one, if it made it."""
        parent = self.base_alias
        for step in steps:
            join = self._find_join(parent, step, scope, reuse_any=False)
            if join is None or step.multivalued:
                return join
            parent = join.alias
        return None

    # -- subqueries ---------------------------------------------------------------

    def sub_select(self, state: Shape, fields: tuple[str, ...] | None) -> n.Select | n.Compound:
        builder = QueryBuilder(
            state, self.connection, aliases=self.aliases, slots=self.slots, outer=self, subquery=True
        )
        select, _plan = builder.build()
        if fields is None and state.values is None:
            select = _replace_columns(select, _key_columns(builder.base_alias, state.model))
        if not state.is_sliced:
            select = _without_order(select)
        return select

    def subquery(self, queryset: Any, exists: bool = False) -> tuple[n.Select | n.Compound, list[Any]]:
        """Build a Subquery()/Exists() expression's queryset, with OuterRef() bound to self."""
        state = Shape.of_constant(queryset._state)  # the expression, in the key, compares by this state
        builder = QueryBuilder(
            state, self.connection, aliases=self.aliases, slots=SlotCounter(), outer=self, subquery=True
        )
        select, plan = builder.build()
        if exists and isinstance(select, n.Select):
            select = _replace_columns(_without_order(select), ((n.Param(1), "a"),))
            return n.Select(
                select.columns,
                select.from_,
                select.joins,
                select.where,
                select.group_by,
                select.having,
                (),
                1,
                None,
                False,
            ), []
        fields = list(plan.fields) if plan.kind == "values" else [state.model._meta.pk]
        if plan.kind == "model":
            select = _replace_columns(select, _key_columns(builder.base_alias, state.model))
        return select, fields

    # -- the statement ------------------------------------------------------------

    def build_conditions(self) -> tuple[n.Node | None, n.Node | None]:
        """WHERE and HAVING, with annotations resolved in the order they were added."""
        state = self.state
        where_parts: list[n.Node] = []
        having_parts: list[n.Node] = []
        qualify_parts: list[n.Node] = []
        pending = list(state.annotations)
        for position, tree in enumerate(state.where):
            self.catch_up(pending, position)
            # Each conjunct goes to WHERE, HAVING or QUALIFY by what it reads, as in Django.
            for conjunct in _conjuncts(tree):
                self._touched_aggregate = self._touched_window = False
                self.group_refs = []
                if conjunct[0] == "expr" and getattr(conjunct[1], "contains_over_clause", False):
                    self._touched_window = True
                node = self.where_node(conjunct, position)
                if self._touched_window:
                    qualify_parts.append(node)
                elif self._touched_aggregate:
                    having_parts.append(node)
                    self.having_group_by += self.group_by_refs(self.group_refs)
                else:
                    where_parts.append(node)
        self.qualify = _combine("AND", qualify_parts) if qualify_parts else None
        self.catch_up(pending, len(state.where))
        if state.empty:
            raise EmptyResultSet
        where = _combine("AND", where_parts) if where_parts else None
        having = _combine("AND", having_parts) if having_parts else None
        if isinstance(where, n.Nothing) or isinstance(having, n.Nothing):
            raise EmptyResultSet
        return where, having

    def catch_up(self, pending: list[Any], position: int) -> None:
        """Resolve what was added before the filter() call at `position`: annotations, values() names."""
        state = self.state
        while True:
            added = len(state.annotations) - len(pending)
            for kind, after, names in (
                ("values", state.values_after, state.values),
                ("group_by", state.group_by_after, state.group_by),
            ):
                due = after is not None and isinstance(names, tuple) and after[0] <= position and after[1] <= added
                if due and kind not in self.named_refs:
                    self.named_refs[kind] = self.refs_now(names)
            if not pending or pending[0].after_filters > position:
                return
            self.add_annotation(pending.pop(0))

    def refs_now(self, names: Any) -> dict[str, tuple[n.Node, Any]]:
        """The field paths among `names` resolved with the joins made so far (annotations resolve later)."""
        annotated = {a.name for a in self.state.annotations}
        return {name: self.resolve_ref(name) for name in names if name not in annotated}

    def values_ref(self, name: str, kind: str = "values") -> tuple[n.Node, Any]:
        """A name values() picked, resolved where values() was called (see catch_up)."""
        resolved = self.named_refs.get(kind, {}).get(name)
        return resolved if resolved is not None else self.resolve_ref(name)

    def group_by_refs(self, refs: list[n.Node]) -> list[n.Node]:
        """What HAVING's non-aggregate sides add to GROUP BY: each one that reads a column."""
        grouped = []
        by_expression = self.connection.features.can_group_by_parameterized_expressions
        for ref in refs:
            parts = list(_parts(ref))
            columns = [part for part in parts if isinstance(part, n.Col)]
            if not columns:
                continue  # a constant adds nothing
            if by_expression or not any(isinstance(part, n.Param | n.Slot) for part in parts):
                grouped.append(ref)
            else:
                grouped += columns
        return grouped

    def add_annotation(self, annotation: Any) -> None:
        expression = annotation.expression
        if isinstance(expression, FilteredRelation):
            self.filtered[annotation.name] = expression
            return
        self._touched_window = False
        try:
            self.annotations[annotation.name] = self.resolve_expression(expression)
        except EmptyResultSet:
            # `annotate(e=Exists(X.objects.none()))`: the subquery matches nothing, so the column is its
            # empty value (False, NULL) and the rows stay, as in Django; in a filter it empties the query.
            empty = getattr(expression, "empty_result_set_value", NotImplemented)
            if empty is NotImplemented:
                raise
            value = Value(empty, output_field=getattr(expression, "output_field", None))
            self.annotations[annotation.name] = self.resolve_expression(value)
        if self._touched_window or getattr(expression, "contains_over_clause", False):
            self.windows.add(annotation.name)

    def resolve_expression(self, expression: Any) -> tuple[n.Node, Any, bool]:
        """(node, field, aggregated): aggregated also when it names an aggregate annotation (F("n"))."""
        (node, field), aggregated = self.reading_aggregates(lambda: expression.resolve(self))
        return node, field, aggregated or bool(getattr(expression, "contains_aggregate", False))

    def reading_aggregates(self, resolve: Callable[[], Any]) -> tuple[Any, bool]:
        """resolve()'s result, and whether it read an aggregate annotation (HAVING, not GROUP BY, material)."""
        touched, self._touched_aggregate = self._touched_aggregate, False
        result = resolve()
        aggregated = self._touched_aggregate
        self._touched_aggregate = touched or aggregated
        return result, aggregated

    def build_filtered_select(self, columns: tuple[tuple[n.Node, str | None], ...]) -> n.Select:
        where, having = self.build_conditions()
        for name in self.state.values or ():
            # values() joins stay, as in Django: across a multi-valued relation they multiply the rows counted.
            self.values_ref(name)
        select = n.Select(
            columns, n.Table(self.opts.db_table, self.base_alias), self.join_nodes(), where, having=having
        )
        return select if self.qualify is None else dataclasses.replace(select, qualify=self.qualify)

    def build(self) -> tuple[n.Select | n.Compound, SelectPlan]:
        state = self.state
        if state.combinator is not None:
            return build_compound(self)
        where, having = self.build_conditions()
        columns, plan, group_candidates = self.select_columns()
        group_by: tuple[n.Node, ...] = ()
        if state.group_by is not None:
            group_by = self.group_by_nodes(group_candidates)
            group_by += tuple(dict.fromkeys(ref for ref in self.having_group_by if ref not in group_by))
        order_by = order_by_nodes(self)
        if group_by and order_by:
            group_by = group_by + tuple(
                o.expr
                for o in order_by
                if o.expr not in group_by
                and o.expr not in self.aggregate_orderings
                and not isinstance(o.expr, n.Random)
            )
        distinct_on = self.distinct_on_nodes(order_by) if state.distinct and state.distinct_fields else ()
        if state.distinct and order_by and not distinct_on:
            present = {c[0] for c in columns}
            columns = columns + tuple(
                (o.expr, None) for o in order_by if o.expr not in present and not isinstance(o.expr, n.Random)
            )
        low, high = state.low, state.high
        select = n.Select(
            columns=columns,
            from_=n.Table(self.opts.db_table, self.base_alias),
            joins=self.join_nodes(),
            where=where,
            group_by=group_by,
            having=having,
            order_by=order_by,
            limit=None if high is None else high - low,
            offset=low or None,
            distinct=state.distinct,
            for_update=None if state.for_update is None else row_lock_node(self, state.for_update),
            distinct_on=distinct_on,
            qualify=self.qualify,
        )
        return select, plan

    def distinct_on_nodes(self, order_by: tuple[n.OrderBy, ...]) -> tuple[n.Node, ...]:
        """distinct(*fields) as expressions; ORDER BY must start with them (PostgreSQL's rule, as in Django)."""
        fields = self.state.distinct_fields
        nodes = tuple(self.resolve_ref(name)[0] for name in fields)
        if not order_by or not self.connection.features.supports_distinct_on:
            return nodes
        remaining = set(nodes)
        for item in order_by:
            if not remaining:
                break
            if item.expr not in remaining:
                names = ", ".join(map(repr, fields))
                raise ProgrammingError(
                    f"distinct({names}) needs an ordering that starts with those fields, in any order and "
                    f"direction: call order_by({names}, ...) (Meta.ordering counts when order_by() is not called)."
                )
            remaining.discard(item.expr)
        return nodes

    # -- select list --------------------------------------------------------------

    def select_columns(self) -> tuple[tuple[tuple[n.Node, str | None], ...], SelectPlan, list[n.Node]]:
        state = self.state
        if state.values is not None:
            return self.values_columns()
        fields = self.model_fields()
        columns: list[tuple[n.Node, str | None]] = [
            (c, None) for c in self.field_columns(self.base_alias, self.opts, fields)
        ]
        group_candidates = [c[0] for c in columns]
        annotations = []
        for annotation in state.annotations:
            if not annotation.selected:
                continue
            node, field, is_aggregate = self.annotations[annotation.name]
            annotations.append((annotation.name, len(columns), result_field(field, isinstance(node, n.Col))))
            columns.append((node, annotation.name))
            if not is_aggregate and annotation.name not in self.windows:  # a window is per row, never grouped
                group_candidates.append(node)
        related: tuple[Any, ...] = ()
        if state.select_related:
            related = self.select_related_plans(columns, group_candidates)
        model_plan = ModelPlan(self.model, tuple(fields), 0, related)
        return tuple(columns), SelectPlan("model", model_plan, annotations=tuple(annotations)), group_candidates

    def model_fields(self) -> list[Any]:
        return loaded_fields(self.opts, self.state, "")

    def values_columns(self) -> tuple[tuple[tuple[n.Node, str | None], ...], SelectPlan, list[n.Node]]:
        state = self.state
        names: list[str] = list(state.values)
        if not names:
            names = [f.attname for f in self.opts.concrete_fields]
            names += [a.name for a in state.annotations if a.selected]
        columns, fields, group_candidates = [], [], []
        for name in names:
            key_parts = None if name in self.annotations else composite_part_paths(self.model, name)
            if key_parts is not None:
                # A composite key: a column per part, which the row converter packs into one tuple.
                nodes = [self.resolve_ref(part)[0] for part in key_parts]
                columns.extend((node, None) for node in nodes)
                fields.append(self.resolve_path(name).field)
                group_candidates.extend(nodes)
                continue
            node, field = self.values_ref(name)
            columns.append((node, None))
            fields.append(result_field(field, isinstance(node, n.Col)))
            if name not in self.annotations or not (self.annotations[name][2] or name in self.windows):
                group_candidates.append(node)
        plan = SelectPlan("values", None, tuple(names), tuple(fields))
        return tuple(columns), plan, group_candidates

    def group_by_nodes(self, candidates: list[n.Node]) -> tuple[n.Node, ...]:
        group_by = self.state.group_by
        nodes: list[n.Node] = []
        if group_by is True:
            # Grouped per model row: values() after annotate() keeps that grouping (Django's rule).
            nodes = list(candidates)
            if self.state.values is not None:
                nodes = self.field_columns(self.base_alias, self.opts, self.opts.concrete_fields) + nodes
        else:
            for name in group_by:
                node, _ = self.values_ref(name, "group_by")
                nodes.extend(node.items if type(node) is n.Row else (node,))  # a composite key: each part
            # Then every selected non-aggregate, as Django's: a name values() picks again after the
            # grouping (on a newer join) groups too.
            nodes += candidates
        unique: list[n.Node] = []
        for node in nodes:
            if node not in unique:
                unique.append(node)
        return tuple(unique)

    def select_related_plans(self, columns: list[Any], group_candidates: list[n.Node]) -> tuple[Any, ...]:
        return related_plans(self, columns, group_candidates)


class ResolvedValue:
    """A lookup value already resolved in the outer query, used inside a negated subquery."""

    __slots__ = ("field", "node")
    resolves_in_query = True

    def __init__(self, node: n.Node, field: Any):
        self.node, self.field = node, field

    def resolve(self, builder: QueryBuilder) -> tuple[n.Node, Any]:
        return self.node, self.field


def _combine(connector: str, parts: list[n.Node]) -> n.Node:
    if connector == "AND":
        if any(isinstance(p, n.Nothing) for p in parts):
            return n.Nothing()
        kept = [p for p in parts if not isinstance(p, n.Everything)]
        if not kept:
            return n.Everything()
        return kept[0] if len(kept) == 1 else n.And(tuple(kept))
    if any(isinstance(p, n.Everything) for p in parts):
        return n.Everything()
    kept = [p for p in parts if not isinstance(p, n.Nothing)]
    if not kept:
        return n.Nothing()
    return kept[0] if len(kept) == 1 else n.Or(tuple(kept))


def _conjuncts(tree: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """The parts of a where tree that must all hold (the children of nested plain ANDs)."""
    if tree[0] != "AND" or tree[1]:
        return [tree]
    return [part for child in tree[2] for part in _conjuncts(child)]


def _parts(node: Any) -> Any:
    """`node` and every node inside it, not entering subqueries (their columns are their own)."""
    if isinstance(node, tuple):
        for item in node:
            yield from _parts(item)
    elif isinstance(node, n.Node) and not isinstance(node, n.Select | n.Compound):
        yield node
        for field in dataclasses.fields(node):
            yield from _parts(getattr(node, field.name))


def _negate(node: n.Node) -> n.Node:
    if isinstance(node, n.Nothing):
        return n.Everything()
    if isinstance(node, n.Everything):
        return n.Nothing()
    return n.Not(node)


def _replace_columns(select: Any, columns: tuple[tuple[n.Node, str | None], ...]) -> Any:
    if not isinstance(select, n.Select):
        return select
    return dataclasses.replace(select, columns=columns)


def _key_columns(alias: str, model: Any) -> tuple[tuple[n.Node, None], ...]:
    """The key's columns, to select a model's rows by (several for a composite key)."""
    return tuple((n.Col(alias, f.column), None) for f in model._meta.pk_fields)


def _without_order(select: Any) -> Any:
    if not isinstance(select, n.Select) or not select.order_by:
        return select
    return dataclasses.replace(select, order_by=())
