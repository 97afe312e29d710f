"""`Q`: filter conditions combined with `&`, `|` and `~`.

A Q is a small tree: a connector (AND/OR), a negation flag and children that
are `(lookup, value)` pairs, expressions, or other Qs. `as_tree()` freezes it
into the tuple form that query state stores; `where_as_q()` thaws it again.
"""

from __future__ import annotations

from typing import Any

AND = "AND"
OR = "OR"
XOR = "XOR"


class Q:
    AND = AND
    OR = OR
    XOR = XOR
    conditional = True
    contains_aggregate = False

    def __init__(self, *args: Any, _connector: str | None = None, _negated: bool = False, **kwargs: Any):
        if _connector not in (None, AND, OR, XOR):
            raise ValueError(f"_connector must be one of {AND!r}, {OR!r}, {XOR!r}, or None; got {_connector!r}.")
        self.children: list[Any] = [*args, *sorted(kwargs.items())]
        self.connector = _connector or AND
        self.negated = _negated

    def _combine(self, other: Any, connector: str) -> Q:
        if getattr(other, "conditional", False) is False:
            raise TypeError(
                f"Cannot combine Q with {other!r} ({type(other).__name__}); use Q objects or "
                f"boolean expressions on both sides of & and |."
            )
        if not self.children:
            return other.copy() if isinstance(other, Q) else Q(other)
        if isinstance(other, Q) and not other.children:
            return self.copy()
        combined = Q(_connector=connector)
        for side in (self, other):
            # (a & b) & c is one AND of three, as Django builds it: deconstruct() and equality see that.
            if isinstance(side, Q) and not side.negated and (side.connector == connector or len(side.children) == 1):
                combined.children.extend(side.children)
            else:
                combined.children.append(side)
        return combined

    def __or__(self, other: Any) -> Q:
        return self._combine(other, OR)

    def __and__(self, other: Any) -> Q:
        return self._combine(other, AND)

    def __xor__(self, other: Any) -> Q:
        return self._combine(other, XOR)

    def __invert__(self) -> Q:
        negated = self.copy()
        negated.negated = not self.negated
        return negated

    def copy(self) -> Q:
        clone = Q(_connector=self.connector, _negated=self.negated)
        clone.children = list(self.children)
        return clone

    def identity(self) -> tuple[Any, ...]:
        """What equality and hashing compare: a list and a tuple of the same values are one value."""
        return (self.connector, self.negated, tuple(_hashable(child) for child in self.children))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Q) and self.identity() == other.identity()

    def __hash__(self) -> int:
        return hash(self.identity())

    def __str__(self) -> str:
        # Django's spelling, which reprs of indexes and constraints quote: "(AND: ('pages__gt', 400))".
        inner = ", ".join(str(c) for c in self.children)
        prefix = "NOT " if self.negated else ""
        return f"({prefix}{self.connector}: {inner})"

    def __repr__(self) -> str:
        return f"<Q: {self}>"

    def as_tree(self) -> tuple[Any, ...]:
        """A hashable tuple: `(connector, negated, children)`; leaves stay as given."""
        children = []
        for child in self.children:
            if isinstance(child, Q):
                children.append(child.as_tree())
            elif isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
                children.append(("leaf", child[0], _condition_value(child[1])))
            else:
                children.append(("expr", child))
        connector = self.connector
        if connector == XOR:
            return _xor_as_tree(children, self.negated)
        return (connector, self.negated, tuple(children))

    def flatten(self) -> Any:
        yield self
        for child in self.children:
            if isinstance(child, Q):
                yield from child.flatten()
            else:
                yield child

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        kwargs: dict[str, Any] = {}
        if self.connector != AND:
            kwargs["_connector"] = self.connector
        if self.negated:
            kwargs["_negated"] = True
        return "relata.models.Q", tuple(self.children), kwargs


def _condition_value(value: Any) -> Any:
    """A Q given as a lookup's value (`short=Q(qty__lt=F("target"))`): its truth per row, as in Django."""
    if not isinstance(value, Q):
        return value
    from relata.models.expressions import ExpressionWrapper
    from relata.models.fields import BooleanField

    return ExpressionWrapper(value, output_field=BooleanField())


def _hashable(value: Any) -> Any:
    if isinstance(value, Q):
        return value.identity()
    if isinstance(value, dict):
        return tuple(sorted((key, _hashable(item)) for key, item in value.items()))
    if isinstance(value, list | tuple | set | frozenset) or type(value).__name__ in ("dict_keys", "dict_values"):
        items = tuple(_hashable(item) for item in value)
        return frozenset(items) if isinstance(value, set | frozenset) else items
    return value  # unhashable and unknown: hash() refuses it, so no cache is keyed by it


def where_as_q(where: tuple[Any, ...]) -> Q:
    """The inverse of `as_tree()` for a query's where: its trees ANDed into one Q."""
    q = Q()
    for tree in where:
        q &= _tree_to_q(tree)
    return q


def _tree_to_q(tree: tuple[Any, ...]) -> Any:
    if tree[0] == "leaf":
        return Q((tree[1], tree[2]))
    if tree[0] == "expr":
        return Q(tree[1])
    connector, negated, children = tree
    q = Q(_connector=connector, _negated=negated)
    q.children = [_tree_child(c) for c in children]
    return q


def _tree_child(tree: tuple[Any, ...]) -> Any:
    if tree[0] == "leaf":
        return (tree[1], tree[2])
    if tree[0] == "expr":
        return tree[1]
    return _tree_to_q(tree)


def _xor_as_tree(children: list[Any], negated: bool) -> tuple[Any, ...]:
    # a XOR b XOR c is true when an odd number hold; spelled with AND/OR/NOT so
    # every database can run it.
    tree = children[0]
    for child in children[1:]:
        tree = (OR, False, ((AND, False, (tree, (AND, True, (child,)))), (AND, False, ((AND, True, (tree,)), child))))
    return (AND, negated, (tree,))
