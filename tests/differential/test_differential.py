"""Generated querysets run on relata and on Django over the same rows: results must match.

Each example draws a query shape (diff_strategies) and two value lists for it,
renders each into source code, and evaluates that code against relata's models
and Django's (diff_oracle puts Django on the same database engine). Writes run
in a rolled-back transaction and compare every table's rows afterwards. Every
relata run is repeated with a cleared compile cache: the SQL, params and result
of a cached compilation must equal a fresh one's.

RELATA_DIFF_PROFILE=long runs many more examples (.ci/run does, on each backend);
RELATA_DIFF_SEED picks another generated data set. Both runs are derandomized.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from typing import Any

import diff_oracle
import pytest
from diff_query import Agg, Call, Hole, Leaf, Node, Ref, Shape, render, walk
from diff_schema import RELATIONS, crosses_many, dataset, declare, load, table_models
from diff_strategies import shapes, values_for
from django.db import connections as django_connections
from django.db import transaction as django_transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import oracle
import relata
from relata import models, transaction
from relata.testing import CaptureQueries, create_tables, drop_tables

LABEL = "diff"
OURS = declare(models, type("Meta", (), {"app_label": LABEL}))
THEIRS = declare(oracle.models, oracle.Meta(LABEL))

#: Examples per backend: the default run stays well under a minute; `long` is .ci/run's campaign.
PROFILES = {"default": 100, "long": 1000}
PROFILE = os.environ.get("RELATA_DIFF_PROFILE", "default")
SEED = int(os.environ.get("RELATA_DIFF_SEED", "0"))
EXAMPLES = settings(
    max_examples=PROFILES[PROFILE],
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def _negated_leaves(call: Call) -> list[Leaf]:
    """The leaves a NOT surrounds in one call: all of an exclude(), those under ~Q() in a filter()."""
    if call.method == "exclude":
        return [n for n in walk(call.args) if isinstance(n, Leaf)]
    nots = [node for node in walk(call.args) if isinstance(node, Node) and node.connector == "not"]
    return [n for node in nots for n in walk(node) if isinstance(n, Leaf)]


def _models_on(model: str, path: str) -> list[str]:
    """The models a lookup path joins, the root first (author__mentees from Profile: Profile, Author, Author)."""
    seen = [model]
    for hop in path.split("__"):
        relation = RELATIONS[model].get(hop)
        if relation is None:
            break
        model = relation[0]
        seen.append(model)
    return seen


def _many_prefix(model: str, path: str) -> str:
    """The path up to and including its first multi-valued relation ("author__mentees")."""
    hops = []
    for hop in path.split("__"):
        hops.append(hop)
        relation = RELATIONS[model].get(hop)
        if relation is None or relation[1]:
            break
        model = relation[0]
    return "__".join(hops)


def alias_name_coincidence(shape: Shape, values: list[Any]) -> bool:
    """A NOT across a multi-valued relation in a call that joins one of its tables along another path.

    Django ties its subquery to any outer join of this call whose generated alias name equals the
    subquery's (a table's first alias bears its name, a second one T<n>), whatever relation made it.
    """
    for call in shape.calls:
        paths = [n.path for n in walk(call.args) if isinstance(n, Leaf | Ref) and "__" in n.path]
        for leaf in _negated_leaves(call):
            if not crosses_many(shape.root, leaf.path):
                continue
            mine = _models_on(shape.root, leaf.path)
            prefix = _many_prefix(shape.root, leaf.path)
            others = [p for p in paths if p != leaf.path and p != prefix and not p.startswith(prefix + "__")]
            if len(mine) != len(set(mine)) and any(p != leaf.path for p in paths):
                return True
            if any(set(_models_on(shape.root, p)[1:]) & set(mine[1:]) for p in others):
                return True
    return False


def _matches_nothing(node: Any, values: list[Any]) -> bool:
    """Whether a Q tree is empty before any SQL runs (`in=[]` where every branch needs it)."""
    if isinstance(node, Leaf):
        return node.lookup == "in" and isinstance(node.rhs, Hole) and not values[node.rhs.index]
    if isinstance(node, Node) and node.connector != "not":
        parts = [_matches_nothing(child, values) for child in node.children]
        return any(parts) if node.connector == "and" else all(parts)
    return False


def empty_filter_over_derived_table(shape: Shape, values: list[Any]) -> bool:
    """aggregate() over distinct()/a grouping/a slice where one aggregate's filter= matches nothing."""
    wrapped = any(
        call.method in ("distinct", "[]")
        or (call.method == "annotate" and any(isinstance(v, Agg) for _, v in call.kwargs))
        for call in shape.calls
    )
    aggregates = [agg for call in shape.calls if call.method == "aggregate" for _, agg in call.kwargs]
    return wrapped and any(agg.filter is not None and _matches_nothing(agg.filter, values) for agg in aggregates)


def having_on_empty_filter(shape: Shape, values: list[Any]) -> bool:
    """A filter() on an aggregate annotation whose filter= matches nothing."""
    empty = {
        name
        for call in shape.calls
        if call.method == "annotate"
        for name, agg in call.kwargs
        if isinstance(agg, Agg) and agg.filter is not None and _matches_nothing(agg.filter, values)
    }
    leaves = [n for call in shape.calls if call.method == "filter" for n in walk(call.args) if isinstance(n, Leaf)]
    return any(leaf.path in empty for leaf in leaves)


#: Shapes the generator avoids, each with its reason. Today only where Django's answer is wrong: relata
#: does not copy it.
KNOWN_GAPS: dict[str, tuple[str, Any]] = {
    "alias_name_coincidence": (
        "Django is wrong here: its exclude() subquery is tied to an outer join whose generated alias "
        "name merely equals the subquery's (T3 and T3), so Profile.objects.exclude(author__mentees__name="
        "F('author__mentor__name')) compares each mentee with the mentor's own row, and "
        "Tagging.objects.exclude(Q(id=F('book__tags__id')) | Q(tag__books__id=1)) loses its correlation "
        "(the long profile's SQLite finding exclude((Q(author__profile__id=F('id')) | Q(bio__in=[])) & "
        "Q(author__mentees__name__iexact='b')) is one more; Book.objects.filter(Q(editor__publisher__name__in=[]) "
        "| ~Q(publisher__authors__id=1)) ties publisher's authors to the editor's row)",
        alias_name_coincidence,
    ),
    "empty_filter_over_derived_table": (
        "Django is wrong here: Publisher.objects.distinct().aggregate(n=Count('id'), "
        "none=Count('id', filter=Q(id__in=[]))) gives n=0 (it answers every aggregate's empty value "
        "without a query); relata counts",
        empty_filter_over_derived_table,
    ),
    "having_on_empty_filter": (
        "Django is wrong here, where the database has FILTER (SQLite, PostgreSQL): "
        "values('id').annotate(n=Count('id', filter=Q(id__in=[]))).filter(n=0) matches no row (the "
        "empty filter= empties the whole HAVING); relata compares n, 0 here",
        having_on_empty_filter,
    ),
}


def known_gap(shape: Shape, values: list[Any]) -> str | None:
    for name, (_item, matches) in KNOWN_GAPS.items():
        if matches(shape, values):
            return name
    return None


# -- fixtures -----------------------------------------------------------------------------


class Sides:
    """The backend under test and each ORM's namespace for the rendered code."""

    def __init__(self, vendor: str, alias: str, ours: dict[str, Any], theirs: dict[str, Any]):
        self.vendor, self.alias, self.ours, self.theirs = vendor, alias, ours, theirs

    def __repr__(self) -> str:
        # Hypothesis prints the arguments of a failing example: the namespaces would bury the code.
        return f"Sides({self.vendor!r})"


class DjangoModel:
    """Django's model as the rendered code sees it: `.objects` bound to the oracle's database."""

    def __init__(self, model: Any, alias: str):
        self.objects = model._default_manager.db_manager(alias)


def namespace(m: Any, classes: dict[str, Any]) -> dict[str, Any]:
    names = {"__builtins__": {}, "Q": m.Q, "F": m.F, "Decimal": Decimal, "datetime": datetime}
    names.update({f: getattr(m, f) for f in ("Count", "Sum", "Avg", "Min", "Max")})
    return {**names, **classes}


@pytest.fixture(scope="module")
def sides(relata_backend: str) -> Any:
    rows = dataset(SEED)
    drop_tables(*OURS.values())
    create_tables(*OURS.values())
    load(OURS, rows)
    alias = diff_oracle.open_database(relata_backend)
    with django_connections[alias].schema_editor() as editor:
        for model in THEIRS.values():
            editor.create_model(model)
    load(THEIRS, rows, lambda model: model._default_manager.db_manager(alias))
    ours = namespace(models, OURS)
    theirs = namespace(oracle.models, {name: DjangoModel(model, alias) for name, model in THEIRS.items()})
    yield Sides(relata_backend, alias, ours, theirs)
    drop_tables(*OURS.values())
    diff_oracle.close_database(relata_backend, alias)


# -- running one case ----------------------------------------------------------------------


def normalize(value: Any, annotations: tuple[str, ...] = ()) -> Any:
    """Plain comparable data: instances become (model, pk, annotations), floats lose their last bits."""
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return (type(value).__name__, value.pk, *(normalize(getattr(value, a)) for a in annotations))
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(v, annotations) for v in value]
    if hasattr(value, "__iter__") and not isinstance(value, str | bytes):
        return [normalize(v, annotations) for v in value]
    if isinstance(value, float):
        return ("float", float(f"{value:.9g}"))
    if isinstance(value, Decimal):
        # Django leaves aggregates of decimals unquantized on SQLite (Decimal('12.5')); compare by value.
        return ("Decimal", value.normalize())
    return value if value is None else (type(value).__name__, value)


def evaluate(code: str, names: dict[str, Any], shape: Shape) -> Any:
    try:
        result = normalize(eval(code, names), shape.annotations)
    except Exception as error:
        return ("raises", type(error).__name__)
    if isinstance(result, list) and not shape.ordered:
        result = sorted(result, key=repr)
    return ("ok", result)


def dump(classes: dict[str, Any], manager: Any) -> list[Any]:
    """Every table's rows, in primary key order."""
    tables = []
    for model in table_models(classes):
        columns = [f.attname for f in model._meta.concrete_fields]
        tables.append(normalize(list(manager(model).order_by("pk").values_list(*columns))))
    return tables


def run_relata(code: str, names: dict[str, Any], shape: Shape) -> tuple[Any, list[Any]]:
    """relata's outcome (with the tables after a write) and the statements it ran."""
    with CaptureQueries() as captured:
        if shape.result != "write":
            outcome = evaluate(code, names, shape)
        else:
            with transaction.atomic():
                with transaction.atomic():
                    outcome = evaluate(code, names, shape)
                outcome = (outcome, dump(OURS, lambda model: model.objects))
                transaction.set_rollback(True)
    statements = [(q.sql, tuple(q.params or ())) for q in captured.queries if "SAVEPOINT" not in q.sql]
    return outcome, statements


def run_django(code: str, names: dict[str, Any], shape: Shape, alias: str) -> Any:
    if shape.result != "write":
        return evaluate(code, names, shape)
    with django_transaction.atomic(using=alias):
        with django_transaction.atomic(using=alias):
            outcome = evaluate(code, names, shape)
        outcome = (outcome, dump(THEIRS, lambda model: model._default_manager.db_manager(alias)))
        django_transaction.set_rollback(True, using=alias)
    return outcome


def _integral_decimals_as_int(outcome: Any) -> Any:
    """MySQL sums integers as DECIMAL and Django passes that on (Decimal('7')) where relata gives 7."""
    if isinstance(outcome, tuple) and len(outcome) == 2 and outcome[0] == "Decimal":
        value = outcome[1]
        return ("int", int(value)) if value == value.to_integral_value() else outcome
    if isinstance(outcome, dict):
        return {k: _integral_decimals_as_int(v) for k, v in outcome.items()}
    if isinstance(outcome, list | tuple):
        return type(outcome)(_integral_decimals_as_int(v) for v in outcome)
    return outcome


DATABASE_ERRORS = {"OperationalError", "ProgrammingError", "DataError", "DatabaseError"}


def _raised(outcome: Any) -> str | None:
    while isinstance(outcome, tuple) and outcome and isinstance(outcome[0], tuple):
        outcome = outcome[0]  # a write: (outcome, tables)
    return outcome[1] if isinstance(outcome, tuple) and outcome[:1] == ("raises",) else None


def check(sides: Any, shape: Shape, values: list[Any]) -> None:
    vendor, alias, ours, theirs = sides.vendor, sides.alias, sides.ours, sides.theirs
    code = render(shape, values)
    cached, statements = run_relata(code, ours, shape)
    relata.connection.statements.clear()
    fresh, fresh_statements = run_relata(code, ours, shape)
    expected = run_django(code, theirs, shape, alias)
    # A statement the database refuses from Django (SQLite's expression depth, ...) says nothing of relata.
    assume(not (_raised(expected) in DATABASE_ERRORS and _raised(expected) != _raised(cached)))
    assert cached == fresh and statements == fresh_statements, (
        f"relata's cached compilation differs from a fresh one on {vendor}:\n  {code}\n"
        f"cached: {cached}\n  {statements}\nfresh:  {fresh}\n  {fresh_statements}"
    )
    if vendor == "mysql":
        cached, expected = _integral_decimals_as_int(cached), _integral_decimals_as_int(expected)
    assert cached == expected, f"relata and Django differ on {vendor}:\n  {code}\nrelata: {cached}\ndjango: {expected}"


@EXAMPLES
@given(data=st.data())
def test_same_answers_as_django(sides: Any, data: st.DataObject) -> None:
    shape = data.draw(shapes(sides.vendor), label="shape")
    first = data.draw(values_for(shape), label="values")
    # The same shape again with other values: a cached compilation must carry them.
    second = data.draw(values_for(shape).filter(lambda v: v != first or not v), label="other values")
    for values in (first, second):
        assume(known_gap(shape, values) is None)
    for values in (first, second):
        check(sides, shape, values)


def test_rendering_reads_as_code() -> None:
    """A failing case prints code a person can paste into either ORM."""

    shape = Shape(
        "Book",
        (
            Call(
                "filter",
                (
                    Node(
                        "or",
                        (
                            Leaf("authors__name", "in", Hole(0, "in:str")),
                            Leaf("pages", "gt", Ref("price", "*", Hole(1, "dec"))),
                        ),
                    ),
                ),
            ),
            Call("annotate", kwargs=(("a0", Agg("Count", "tags", True, Leaf("tags__name", "exact", Hole(2, "str")))),)),
            Call("order_by", ("-a0", "pk")),
            Call("[]", (1, 3)),
        ),
    )
    assert render(shape, [["a", "b"], Decimal("1.50"), "x"]) == (
        "Book.objects.filter((Q(authors__name__in=['a', 'b']) | Q(pages__gt=(F('price') * Decimal('1.50')))))"
        ".annotate(a0=Count('tags', distinct=True, filter=Q(tags__name__exact='x'))).order_by('-a0', 'pk')[1:3]"
    )
