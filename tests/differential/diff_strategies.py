"""Hypothesis strategies for the campaign: query shapes over diff_schema, and values for their holes.

`shapes(vendor)` draws a `Shape`: filter/exclude Q trees across relations
with F() and arithmetic, annotations (aggregates with distinct= and filter=,
F() expressions), then one ending (rows, values/values_list, a values()
grouping, aggregate, count, exists, update, delete). `values_for(shape)` draws
a value for each hole from the schema's small domains.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from diff_query import Agg, Call, Hole, Leaf, Node, Order, Ref, Shape
from diff_schema import DECIMALS, FIELDS, FLOATS, INTS, MODEL_NAMES, NULLABLE, RELATIONS, STRINGS, UPDATABLE
from hypothesis import strategies as st

SCALARS = {
    "str": st.sampled_from([*STRINGS, "A", "zz"]),
    "int": st.sampled_from([*INTS, -1, 4, 100]),
    "nzint": st.sampled_from([1, 2, 3, -2]),
    "dec": st.sampled_from([*DECIMALS, Decimal("2.2"), Decimal("9.995")]),
    "float": st.sampled_from([*FLOATS, 1.0, 3.5]),
    "bool": st.booleans(),
}

NUMERIC_LOOKUPS = ["exact", "gt", "gte", "lt", "lte", "in", "range", "isnull"]
STRING_LOOKUPS = ["exact", "in", "isnull", "gt"]
#: Case-insensitive lookups: Django's rely on the column's collation on MySQL, and the test databases
#: are utf8mb4_bin, where Django's answers are case-sensitive (not an oracle there).
CASELESS_LOOKUPS = ["iexact", "icontains", "istartswith", "iendswith"]
#: Case-sensitive patterns: relata keeps them case-sensitive on SQLite, where Django's LIKE ignores
#: case (a documented choice, see tests/queries/test_against_django.py).
CASED_LOOKUPS = ["contains", "startswith", "endswith"]
STRING_LOOKUPS_BY_VENDOR = {
    "sqlite": STRING_LOOKUPS + CASELESS_LOOKUPS,
    "postgresql": STRING_LOOKUPS + CASELESS_LOOKUPS + CASED_LOOKUPS,
    "mysql": STRING_LOOKUPS + CASED_LOOKUPS,
}


def value_strategy(kind: str) -> st.SearchStrategy[Any]:
    if kind.startswith("in:"):
        return st.lists(SCALARS[kind[3:]], max_size=3)
    if kind.startswith("range:"):
        return st.lists(SCALARS[kind[6:]], min_size=2, max_size=2).map(lambda pair: tuple(sorted(pair)))
    return SCALARS[kind]


def values_for(shape: Shape) -> st.SearchStrategy[list[Any]]:
    return st.tuples(*(value_strategy(hole.kind) for hole in shape.holes())).map(list)


@cache
def paths(model: str, hops: int = 2) -> tuple[tuple[str, str, bool], ...]:
    """(path, kind, crosses a multi-valued relation) for every field reachable in `hops` relations.

    A relation's own name is listed with kind "rel" (Count, order_by and values take it).
    """
    found = [(name, kind, False) for name, kind in FIELDS[model].items()]
    if hops:
        for name, (target, multi) in RELATIONS[model].items():
            found.append((name, "rel", multi))
            for sub, kind, sub_multi in paths(target, hops - 1):
                found.append((f"{name}__{sub}", kind, multi or sub_multi))
    return tuple(found)


def nullable(model: str, path: str) -> bool:
    """Whether `path` can be NULL: a nullable column, or any path through a relation."""
    return "__" in path or (model, path) in NULLABLE


class Builder:
    """Draws one shape: allocates holes and remembers the annotations made so far."""

    def __init__(self, draw: Any, vendor: str, root: str):
        self.draw = draw
        self.vendor = vendor
        self.root = root
        self.holes = 0
        #: annotation name -> (value kind, is an aggregate)
        self.annotations: dict[str, tuple[str, bool]] = {}

    def hole(self, kind: str) -> Hole:
        self.holes += 1
        return Hole(self.holes - 1, kind)

    def pick(self, options: Any) -> Any:
        return self.draw(st.sampled_from(list(options)))

    def chance(self, p: float) -> bool:
        return self.draw(st.floats(0, 1)) < p

    def field_path(self, kinds: tuple[str, ...] = ("int", "dec", "float", "str")) -> tuple[str, str]:
        path, kind, _ = self.pick(p for p in paths(self.root) if p[1] in kinds)
        return path, kind

    # -- expressions -------------------------------------------------------------
    def ref(self, kind: str) -> Ref:
        """F() of a same-kind path, sometimes with arithmetic (int, dec and float only)."""
        path, _ = self.field_path((kind,))
        if kind == "str" or not self.chance(0.5):
            return Ref(path)
        op = self.pick(["+", "-", "*", "/"])
        operand_kind = "nzint" if (op == "/" and kind == "int") else kind
        if op == "/" and kind != "int":
            op = "*"  # dividing by a drawn zero would differ by database, not by ORM
        return Ref(path, op, self.hole(operand_kind))

    def leaf(self) -> Leaf:
        path, kind = self.field_path()
        lookups = STRING_LOOKUPS_BY_VENDOR[self.vendor] if kind == "str" else NUMERIC_LOOKUPS
        lookup = self.pick(lookups)
        return Leaf(path, lookup, self.rhs(kind, lookup))

    def rhs(self, kind: str, lookup: str) -> Any:
        if lookup == "isnull":
            return self.hole("bool")
        if lookup in ("in", "range"):
            return self.hole(f"{lookup}:{kind}")
        if lookup in ("exact", "gt", "gte", "lt", "lte") and self.chance(0.3):
            return self.ref(kind)
        return self.hole(kind)

    def q_tree(self, depth: int = 2) -> Any:
        if depth == 0 or self.chance(0.5):
            return self.leaf()
        connector = self.pick(["and", "or", "not"])
        if connector == "not":
            return Node("not", (self.q_tree(depth - 1),))
        return Node(connector, (self.q_tree(depth - 1), self.q_tree(depth - 1)))

    def aggregate(self, over_annotations: bool = False) -> tuple[Agg, str]:
        """An aggregate and the kind of its result."""
        names = [n for n, (_, is_agg) in self.annotations.items() if over_annotations or not is_agg]
        if over_annotations and names and self.chance(0.6):
            path = self.pick(names)
            kind = self.annotations[path][0]
        else:
            path, kind, _ = self.pick(paths(self.root))
        funcs = ["Count", "Min", "Max"] if kind in ("str", "rel") else ["Count", "Sum", "Avg", "Min", "Max"]
        if kind == "rel":
            funcs = ["Count"]
        func = self.pick(funcs)
        distinct = func in ("Count", "Sum", "Avg") and self.chance(0.3)
        condition = self.q_tree(1) if self.chance(0.25) else None
        result = {"Count": "int", "Avg": "dec" if kind == "dec" else "float"}.get(func, kind)
        return Agg(func, path, distinct, condition), result

    def annotate(self, aggregate: bool = False) -> Call:
        name = f"a{len(self.annotations)}"
        if aggregate or self.chance(0.6):
            expression, kind = self.aggregate()
            self.annotations[name] = (kind, True)
        else:
            kind = self.pick(["int", "dec", "float", "str"])
            expression = self.ref(kind)
            self.annotations[name] = (kind, False)
        return Call("annotate", kwargs=((name, expression),))

    def having(self) -> Call:
        name = self.pick(self.annotations)
        kind = self.annotations[name][0]
        lookup = self.pick(["exact", "gt", "lte", "in"] if kind != "str" else ["exact", "in"])
        return Call("filter", (Leaf(name, lookup, self.rhs(kind, lookup)),))

    def order_keys(self, extra: list[str]) -> list[Any]:
        keys: list[Any] = []
        for _ in range(self.draw(st.integers(0, 2))):
            options = [p for p, kind, _ in paths(self.root)] + list(self.annotations) + extra
            path, descending = self.pick(options), self.chance(0.4)
            if self.chance(0.25):
                keys.append(Order(path, descending, self.pick(["first", "last"])))
            else:
                keys.append(("-" if descending else "") + path)
        return keys

    def slice(self) -> Call | None:
        if not self.chance(0.3):
            return None
        start = self.draw(st.integers(0, 3))
        return Call("[]", (start, start + self.draw(st.integers(0, 5))))


FILTERS = ["filter", "exclude"]


@st.composite
def shapes(draw: Any, vendor: str) -> Shape:
    root = draw(st.sampled_from(MODEL_NAMES))
    b = Builder(draw, vendor, root)
    ending = b.pick(["rows", "values", "values_list", "group", "aggregate", "count", "exists", "update", "delete"])
    writes = ending in ("update", "delete")
    calls: list[Call] = []
    for _ in range(draw(st.integers(0, 3))):
        step = b.pick(FILTERS if writes else [*FILTERS, "annotate", "annotate", "having"])
        if step in FILTERS:
            calls.append(Call(step, (b.q_tree(),)))
        elif step == "annotate" and ending != "group":
            calls.append(b.annotate())
        elif step == "having" and b.annotations:
            calls.append(b.having())
    return ENDINGS[ending](b, calls)


def _rows(b: Builder, calls: list[Call]) -> Shape:
    if b.chance(0.3):
        calls.append(Call("distinct"))
    # pk, then the annotations (a join can repeat a row with other annotation values): a total order.
    calls.append(Call("order_by", tuple([*b.order_keys(["publisher", "pk"]), "pk", *b.annotations])))
    if (cut := b.slice()) is not None:
        calls.append(cut)
    return Shape(b.root, tuple(calls), "rows", tuple(b.annotations), ordered=True)


def _values(b: Builder, calls: list[Call], method: str = "values") -> Shape:
    options = [p for p, kind, multi in paths(b.root) if kind != "rel" or not multi] + list(b.annotations)
    fields = [b.pick(options) for _ in range(b.draw(st.integers(1, 3)))]
    flat = method == "values_list" and len(fields) == 1 and b.chance(0.5)
    calls.append(Call(method, tuple(fields), (("flat", True),) if flat else ()))
    if b.chance(0.3):
        calls.append(Call("distinct"))
    ordered = b.chance(0.6)
    if ordered:
        calls.append(Call("order_by", tuple([*b.order_keys([]), "pk", *dict.fromkeys(fields)])))
        if (cut := b.slice()) is not None:
            calls.append(cut)
    return Shape(b.root, tuple(calls), "values", ordered=ordered)


def _values_list(b: Builder, calls: list[Call]) -> Shape:
    return _values(b, calls, "values_list")


def _group(b: Builder, calls: list[Call]) -> Shape:
    group = list(dict.fromkeys(b.pick(p for p, kind, _ in paths(b.root)) for _ in range(b.draw(st.integers(1, 2)))))
    calls.append(Call("values", tuple(group)))
    for _ in range(b.draw(st.integers(1, 2))):
        calls.append(b.annotate(aggregate=True))
    if b.chance(0.3):
        calls.append(b.having())
    ordered = b.chance(0.5)
    if ordered:
        calls.append(Call("order_by", tuple(group)))
        if (cut := b.slice()) is not None:
            calls.append(cut)
    return Shape(b.root, tuple(calls), "values", ordered=ordered)


def _aggregate(b: Builder, calls: list[Call]) -> Shape:
    if b.chance(0.2):
        calls.append(Call("distinct"))
    aggregates = tuple((f"x{i}", b.aggregate(over_annotations=True)[0]) for i in range(b.draw(st.integers(1, 2))))
    calls.append(Call("aggregate", kwargs=aggregates))
    return Shape(b.root, tuple(calls), "scalar")


def _count(b: Builder, calls: list[Call], method: str = "count") -> Shape:
    if b.chance(0.3):
        calls.append(Call("distinct"))
    calls.append(Call(method))
    return Shape(b.root, tuple(calls), "scalar")


def _exists(b: Builder, calls: list[Call]) -> Shape:
    return _count(b, calls, "exists")


def _update(b: Builder, calls: list[Call]) -> Shape:
    assignments = {}
    # dict, not set: a set's order follows the process's hash seed, and the draws must not.
    for name in dict.fromkeys(b.pick(UPDATABLE[b.root]) for _ in range(b.draw(st.integers(1, 2)))):
        kind = FIELDS[b.root][name]
        if kind != "str" and b.chance(0.5):
            op = b.pick(["+", "-", "*"])
            assignments[name] = Ref(name, op, b.hole(kind))
        else:
            assignments[name] = b.hole(kind)
    calls.append(Call("update", kwargs=tuple(sorted(assignments.items()))))
    return Shape(b.root, tuple(calls), "write")


def _delete(b: Builder, calls: list[Call]) -> Shape:
    calls.append(Call("delete"))
    return Shape(b.root, tuple(calls), "write")


ENDINGS = {
    "rows": _rows,
    "values": _values,
    "values_list": _values_list,
    "group": _group,
    "aggregate": _aggregate,
    "count": _count,
    "exists": _exists,
    "update": _update,
    "delete": _delete,
}
