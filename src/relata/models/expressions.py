"""Expressions: `F`, `Value`, arithmetic, functions, aggregates, `Case`, subqueries.

An expression is immutable and hashable (query state holds it). `resolve()`
turns it into a SQL node against a query builder, which knows the joins and
the connection; the expression itself never writes SQL text.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import uuid
from typing import Any

from relata.exceptions import FieldError, NotSupportedError
from relata.models import fields as f
from relata.models.output_types import combined_field, common_field, value_kind
from relata.models.q import Q
from relata.sql import nodes as n


class Combinable:
    """Arithmetic operators that build `CombinedExpression`s."""

    # The connectors, by Django's names.
    ADD, SUB, MUL, DIV, MOD = "+", "-", "*", "/", "%"

    def _combine(self, other: Any, op: str, reverse: bool) -> CombinedExpression:
        if not getattr(other, "resolves_in_query", False):
            other = Value(other)
        return CombinedExpression(other, op, self) if reverse else CombinedExpression(self, op, other)

    def __add__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "+", False)

    def __sub__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "-", False)

    def __mul__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "*", False)

    def __truediv__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "/", False)

    def __mod__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "%", False)

    def __radd__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "+", True)

    def __rsub__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "-", True)

    def __rmul__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "*", True)

    def __rtruediv__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "/", True)

    def __neg__(self) -> CombinedExpression:
        return CombinedExpression(Value(0), "-", self)

    def __and__(self, other: Any) -> Q:
        if getattr(self, "conditional", False) and getattr(other, "conditional", False):
            return Q(self) & Q(other)
        raise NotImplementedError("Use .bitand() and .bitor() for bitwise operations.")

    def __or__(self, other: Any) -> Q:
        if getattr(self, "conditional", False) and getattr(other, "conditional", False):
            return Q(self) | Q(other)
        raise NotImplementedError("Use .bitand() and .bitor() for bitwise operations.")

    def __invert__(self) -> Any:
        if getattr(self, "conditional", False):
            return ~Q(self)
        if isinstance(self, Expression):
            return NegatedExpression(self)  # a boolean field or value: checked when resolved
        raise TypeError(f"Cannot negate {type(self).__name__}; only boolean expressions can be negated.")


class Expression(Combinable):
    resolves_in_query = True
    contains_aggregate = False
    conditional = False
    output_field: Any = None

    def __init__(self, output_field: Any = None):
        if output_field is not None:
            self.output_field = output_field

    def identity(self) -> tuple[Any, ...]:
        return (type(self), tuple(sorted(vars(self).items(), key=lambda kv: kv[0])))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and self.identity() == other.identity()

    def __hash__(self) -> int:
        return hash(self.identity())

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        raise NotImplementedError

    @property
    def contains_over_clause(self) -> bool:
        """Whether a window function is inside (a filter on it is applied around the query)."""
        return any(getattr(source, "contains_over_clause", False) for source in self.source_expressions())

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Expression:
        return self

    def source_expressions(self) -> list[Any]:
        return []

    def refs(self) -> set[str]:
        """Field names and annotation names this expression reads."""
        names: set[str] = set()
        for source in self.source_expressions():
            if isinstance(source, Expression):
                names |= source.refs()
        return names

    def flatten(self) -> Any:
        """This expression and every expression inside it, depth first."""
        yield self
        for source in self.source_expressions():
            if isinstance(source, Expression):
                yield from source.flatten()

    def asc(self, **kwargs: Any) -> OrderBy:
        return OrderBy(self, descending=False, **kwargs)

    def import_path(self) -> str:
        """Where a migration imports this class from: `relata.models` when it is public there."""
        import relata.models

        cls = type(self)
        if getattr(relata.models, cls.__name__, None) is cls:
            return f"relata.models.{cls.__name__}"
        return f"{cls.__module__}.{cls.__qualname__}"

    def desc(self, **kwargs: Any) -> OrderBy:
        return OrderBy(self, descending=True, **kwargs)


class F(Expression):
    """A reference to a field (or annotation) of the row, e.g. F("price") * 2."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"F({self.name})"

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        return builder.resolve_ref(self.name)

    def refs(self) -> set[str]:
        return {self.name}

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return self.import_path(), (self.name,), {}

    def __getitem__(self, subscript: Any) -> Sliced:
        return Sliced(self, subscript)

    # With __getitem__, Python would iterate (and test `in`) by indexing 0, 1, 2... without end.
    def __iter__(self) -> Any:
        raise TypeError(f"'{type(self).__name__}' object is not iterable")

    def __contains__(self, item: Any) -> bool:
        raise TypeError(f"argument of type '{type(self).__name__}' is not iterable")


class OuterRef(F):
    """A reference to a field of the enclosing query, inside a Subquery."""

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        if builder.outer is None:
            raise ValueError("OuterRef() can only be used inside a Subquery or Exists.")
        if isinstance(self.name, Expression):
            return self.name.resolve(builder.outer)  # OuterRef(OuterRef("x")): two queries out
        return builder.outer.resolve_ref(self.name)

    def refs(self) -> set[str]:
        return set()


class Sliced(Expression):
    """`F("name")[2:5]`: characters of a text field, 0-based as Python slices (SQL's SUBSTR is 1-based)."""

    def __init__(self, expression: F, subscript: Any):
        if isinstance(subscript, int):
            start, stop = subscript, subscript + 1
        elif isinstance(subscript, slice):
            if subscript.step is not None:
                raise ValueError("Step argument is not supported.")
            start, stop = subscript.start or 0, subscript.stop
        else:
            raise TypeError("Argument to slice must be either int or slice instance.")
        if start < 0 or (stop is not None and stop < 0):
            raise ValueError("Negative indexing is not supported.")
        if stop is not None and stop <= start:
            raise ValueError("Slice stop must be greater than slice start.")
        self.expression, self.start, self.length = expression, start, None if stop is None else stop - start

    def __repr__(self) -> str:
        stop = "" if self.length is None else self.start + self.length
        return f"{self.expression!r}[{self.start}:{stop}]"

    def source_expressions(self) -> list[Any]:
        return [self.expression]

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        node, field = self.expression.resolve(builder)
        if not getattr(field, "sliceable", False):
            raise NotSupportedError(
                f"This field does not support slicing. {self.expression!r} is a {type(field).__name__}; "
                "only text fields (CharField, TextField) can be sliced."
            )
        bounds = (Value(self.start + 1),) if self.length is None else (Value(self.start + 1), Value(self.length))
        return Func(Resolved(node, field), *bounds, function="SUBSTR", output_field=field).resolve(builder)


class Value(Expression):
    """A constant, sent as a parameter."""

    def __init__(self, value: Any, output_field: Any = None):
        self.value = value
        self.output_field = output_field

    def __repr__(self) -> str:
        return f"Value({self.value!r})"

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        kwargs = {"output_field": self.output_field} if self.output_field is not None else {}
        return self.import_path(), (self.value,), kwargs

    def identity(self) -> tuple[Any, ...]:
        return (Value, type(self.value), self.value, _field_key(self.output_field))

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        field = self.output_field or _infer_field(self.value)
        value = self.value
        if field is not None and value is not None:
            value = field.get_db_prep_value(value, builder.connection)
        return n.Param(value), field


class RawSQL(Expression):
    """SQL text used as a value or a condition: `RawSQL("SELECT MAX(id) FROM t WHERE x = %s", [x])`.

    The params are sent as parameters (never formatted into the text); the text
    is the caller's, so it is theirs to keep free of user input. As in Django,
    it is wrapped in parentheses.
    """

    def __init__(self, sql: str, params: Any, output_field: Any = None):
        if not isinstance(sql, str):
            raise TypeError(f"RawSQL() takes the SQL as a string, not {type(sql).__name__}.")
        self.sql, self.params, self.output_field = sql, tuple(params), output_field

    @property
    def conditional(self) -> bool:  # type: ignore[override]
        return isinstance(self.output_field, f.BooleanField)

    def identity(self) -> tuple[Any, ...]:
        return (RawSQL, self.sql, tuple((type(p), p) for p in self.params), _field_key(self.output_field))

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        return n.RawSQL(self.sql, tuple(n.Param(value) for value in self.params)), self.output_field

    def __repr__(self) -> str:
        return f"RawSQL({self.sql}, {self.params})"


def _field_key(field: Any) -> Any:
    """What of an output field shapes the SQL (a Cast's type): its class and sizes."""
    if field is None:
        return None
    return (
        type(field),
        getattr(field, "max_digits", None),
        getattr(field, "decimal_places", None),
        getattr(field, "max_length", None),
    )


def _infer_field(value: Any) -> Any:
    kinds = [
        (bool, f.BooleanField),
        (int, f.IntegerField),
        (float, f.FloatField),
        (str, f.CharField),
        (decimal.Decimal, f.DecimalField),
        (datetime.datetime, f.DateTimeField),
        (datetime.date, f.DateField),
        (datetime.time, f.TimeField),
        (datetime.timedelta, f.DurationField),
        (uuid.UUID, f.UUIDField),
        (bytes | bytearray | memoryview, f.BinaryField),
    ]
    for kind, field_class in kinds:
        if isinstance(value, kind):
            return field_class()
    return None


class CombinedExpression(Expression):
    def __init__(self, lhs: Any, connector: str, rhs: Any, output_field: Any = None):
        self.lhs, self.connector, self.rhs = lhs, connector, rhs
        self.explicit_output = output_field

    @property
    def output_field(self) -> Any:  # type: ignore[override]
        """The given output field, else what the operands' known fields combine to (FieldError when they cannot).

        Compiling never reads this: it combines the fields the operands resolve to in the query.
        """
        if self.explicit_output is not None:
            return self.explicit_output
        if any(_known_field(side) is None and not isinstance(side, Value) for side in (self.lhs, self.rhs)):
            return None  # an F() or the like: only the query knows its field
        return combined_field(_known_field(self.lhs), self.connector, _known_field(self.rhs))

    def __repr__(self) -> str:
        return f"{self.lhs} {self.connector} {self.rhs}"

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        kwargs = {"output_field": self.explicit_output} if self.explicit_output is not None else {}
        return self.import_path(), (self.lhs, self.connector, self.rhs), kwargs

    def identity(self) -> tuple[Any, ...]:
        return (CombinedExpression, self.lhs, self.connector, self.rhs, _field_key(self.explicit_output))

    @property
    def contains_aggregate(self) -> bool:  # type: ignore[override]
        return _aggregates(self.lhs) or _aggregates(self.rhs)

    def source_expressions(self) -> list[Any]:
        return [self.lhs, self.rhs]

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        lhs, lhs_field = self.lhs.resolve(builder)
        rhs, rhs_field = self.rhs.resolve(builder)
        refuse_key_row("CombinedExpression", lhs, rhs)
        field = self.explicit_output or combined_field(lhs_field, self.connector, rhs_field)
        kinds = (value_kind(lhs_field), value_kind(rhs_field))
        if kinds[0] in _TEMPORAL or kinds[1] in _TEMPORAL:
            # Dates, times and durations: each database computes these its own way (see visit_temporal).
            return n.BinOp(self.connector, lhs, rhs, kinds), field
        return n.BinOp(self.connector, lhs, rhs, output=value_kind(field)), field


def _known_field(operand: Any) -> Any:
    """An operand's field before any query resolves it: None where only the query knows (an F())."""
    if isinstance(operand, Value):
        return operand.output_field or _infer_field(operand.value)
    return getattr(operand, "output_field", None)


def refuse_key_row(owner: str, *nodes: n.Node) -> None:
    """A composite primary key (resolved as a row of columns) is no single value to compute with."""
    if any(type(node) is n.Row for node in nodes):
        raise ValueError(f"{owner} expression does not support composite primary keys.")


def _q_leaves(q: Q) -> list[tuple[str, Any]]:
    leaves = []
    for child in q.children:
        if isinstance(child, Q):
            leaves += _q_leaves(child)
        elif isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
            leaves.append(child)
    return leaves


_TEMPORAL = frozenset(("date", "datetime", "time", "duration"))


def _aggregates(expression: Any) -> bool:
    return bool(getattr(expression, "contains_aggregate", False))


class ExpressionWrapper(Expression):
    def __init__(self, expression: Any, output_field: Any):
        self.expression, self.output_field = expression, output_field

    def identity(self) -> tuple[Any, ...]:
        return (ExpressionWrapper, self.expression, _field_key(self.output_field))

    @property
    def contains_aggregate(self) -> bool:  # type: ignore[override]
        return _aggregates(self.expression)

    @property
    def conditional(self) -> bool:  # type: ignore[override]
        """A wrapper typed BooleanField is a condition (CheckConstraint, filter()), as in Django."""
        return isinstance(self.output_field, f.BooleanField)

    def source_expressions(self) -> list[Any]:
        return [self.expression] if isinstance(self.expression, Expression) else []

    def refs(self) -> set[str]:
        if isinstance(self.expression, Q):
            return {path for path, _value in _q_leaves(self.expression)}
        return super().refs()

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        if isinstance(self.expression, Q):
            return builder.condition_node(self.expression), self.output_field
        node, _ = self.expression.resolve(builder)
        return node, self.output_field


class NegatedExpression(Expression):
    """`~F("is_active")`: NOT of a boolean field, value or annotation, usable in filter(), annotate() and update()."""

    conditional = True
    output_field = f.BooleanField()

    def __init__(self, expression: Expression):
        self.expression = expression

    def __repr__(self) -> str:
        return f"~{self.expression!r}"

    def __invert__(self) -> Expression:
        return copy.copy(self.expression)

    def identity(self) -> tuple[Any, ...]:
        return (NegatedExpression, self.expression)

    @property
    def contains_aggregate(self) -> bool:  # type: ignore[override]
        return _aggregates(self.expression)

    def source_expressions(self) -> list[Any]:
        return [self.expression]

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        node, field = self.expression.resolve(builder)
        if not isinstance(field, f.BooleanField):
            raise TypeError(
                f"Cannot negate non-conditional expressions. {self.expression!r} is a {type(field).__name__}, "
                "not a BooleanField."
            )
        return n.Not(node), self.output_field


class Func(Expression):
    """`FUNCTION(expr, ...)`; subclasses set `function` and maybe `output_field`.

    A function is spelled by its neutral name (`n.Func`); a dialect whose database
    spells it otherwise says how in its compiler's `functions` table.
    """

    function: str = ""
    arity: int | None = None
    #: The name it is found by when registered on a field class as a transform (`name__lower`).
    lookup_name: str = ""

    def __init__(self, *expressions: Any, output_field: Any = None, function: str | None = None):
        if self.arity is not None and len(expressions) != self.arity:
            noun = "argument" if self.arity == 1 else "arguments"
            raise TypeError(f"'{type(self).__name__}' takes exactly {self.arity} {noun} ({len(expressions)} given)")
        self.source = tuple(_to_expression(e) for e in expressions)
        if function is not None:
            self.function = function
        if output_field is not None:
            self.output_field = output_field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(e) for e in self.source)})"

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        """For migrations (a field's db_default): the class, its source expressions, what was passed."""
        kwargs = {name: self.__dict__[name] for name in ("output_field", "function") if name in self.__dict__}
        return self.import_path(), self.source, kwargs

    def identity(self) -> tuple[Any, ...]:
        return (type(self), self.function, self.source, _field_key(self.output_field))

    @property
    def contains_aggregate(self) -> bool:  # type: ignore[override]
        return any(_aggregates(e) for e in self.source)

    def source_expressions(self) -> list[Any]:
        return list(self.source)

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        args, fields = self.resolve_sources(builder)
        output = self.output_field or self.resolve_output(fields)
        return self.func_node(args, fields, output), output

    def func_node(self, args: list[n.Node], fields: list[Any], output: Any) -> n.Func:
        kinds = tuple(value_kind(field) for field in fields)
        return n.Func(self.function, tuple(args), types=kinds, output=value_kind(output))

    def resolve_output(self, fields: list[Any]) -> Any:
        """The output field when none was given: by default the arguments' common field (Django's rule)."""
        return common_field(fields)

    def resolve_sources(self, builder: Any) -> tuple[list[n.Node], list[Any]]:
        args, fields = [], []
        for source in self.source:
            node, field = source.resolve(builder)
            refuse_key_row(type(self).__name__, node)
            args.append(node)
            fields.append(field)
        return args, fields


class Resolved(Expression):
    """A node already resolved, with its field: the left side a lookup path's transforms start from."""

    def __init__(self, node: n.Node | None, field: Any):
        self.node, self.field = node, field

    @property
    def output_field(self) -> Any:  # type: ignore[override]
        return self.field

    def identity(self) -> tuple[Any, ...]:
        return (Resolved, self.node, _field_key(self.field))

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        return self.node, self.field  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"Col({self.node!r})"


def _to_expression(value: Any) -> Any:
    if isinstance(value, str):
        return F(value)
    if getattr(value, "resolves_in_query", False):
        return value
    if getattr(value, "_subquery_state", None) is not None:
        return Subquery(value)  # a queryset as a function's argument, as Django takes it
    return Value(value)


# -- aggregates ------------------------------------------------------------------


class Aggregate(Func):
    contains_aggregate = True  # type: ignore[assignment]
    allow_distinct = False
    empty_result_set_value: Any = None
    #: How many expressions it aggregates (None: any number).
    arity: int | None = 1

    def __init__(
        self,
        *expressions: Any,
        distinct: bool = False,
        filter: Any = None,
        default: Any = None,
        output_field: Any = None,
    ):
        name = type(self).__name__
        if distinct and not self.allow_distinct:
            raise TypeError(f"{name} does not allow distinct.")
        if self.arity is not None and len(expressions) != self.arity:
            raise TypeError(
                f"'{name}' takes exactly {self.arity} argument{'s' if self.arity != 1 else ''} "
                f"({len(expressions)} given)"
            )
        if default is not None and self.empty_result_set_value is not None:
            # COUNT of no rows is already 0: a default could never apply.
            raise TypeError(f"{name} does not allow default.")
        super().__init__(*expressions, output_field=output_field)
        self.distinct, self.filter, self.default = distinct, filter, default

    def identity(self) -> tuple[Any, ...]:
        # The function too: StdDev(sample=True) and StdDev() differ only in it (a cached shape must tell them apart).
        return (
            type(self),
            self.function,
            self.source,
            self.distinct,
            self.filter,
            self.default,
            _field_key(self.output_field),
        )

    @property
    def default_alias(self) -> str:
        if len(self.source) == 1 and isinstance(self.source[0], F):
            return f"{self.source[0].name}__{self.name.lower()}"
        raise TypeError("Complex aggregates require an alias")

    @property
    def name(self) -> str:
        # The class that names the SQL aggregate (a subclass of Max is still a Max, as in Django).
        for klass in type(self).__mro__:
            if "function" in klass.__dict__ or klass is Aggregate:
                return klass.__name__
        return type(self).__name__

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        args, fields = [], []
        for source in self.source:
            node, field, aggregated = builder.resolve_expression(source)
            if aggregated:
                label = getattr(source, "name", None) or repr(source)
                raise FieldError(
                    f"Cannot compute {self.name}('{label}'): '{label}' is an aggregate. An aggregate cannot "
                    f"contain another: to aggregate per-row aggregates, annotate() them and call aggregate()."
                )
            if type(node) is n.Row and self.name == "Count":
                if self.distinct:
                    raise ValueError("COUNT(DISTINCT) doesn't support composite primary keys")
                node = node.items[0]  # the key's parts are never NULL together or apart: count the first
            refuse_key_row(self.name, node)
            args.append(node)
            fields.append(field)
        field = self.output_field or self.output_for(fields[0] if fields else None)
        condition = builder.condition_node(self.filter) if self.filter is not None else None
        if condition is not None and not builder.connection.features.supports_filtered_aggregates:
            args = [n.Case((n.When(condition, args[0] if args else n.Param(1)),), None)]
            condition = None
        output = value_kind(field)
        node: n.Node = n.Func(self.function, tuple(args), self.distinct, condition, output=output)
        if self.default is not None:
            default, _ = _to_expression(self.default).resolve(builder)
            node = n.Func("COALESCE", (node, default), output=output)
        return node, field

    def output_for(self, source_field: Any) -> Any:
        return source_field


class Count(Aggregate):
    function = "COUNT"
    allow_distinct = True
    output_field = f.IntegerField()
    empty_result_set_value = 0

    def __init__(self, expression: Any = "*", **kwargs: Any):
        if expression == "*":
            expression = Star()
        if isinstance(expression, Star) and kwargs.get("filter") is not None:
            # Django's words, and the fix: COUNT(*) FILTER counts rows, a field says which.
            raise ValueError(
                "Star cannot be used with filter. Please specify a field. Count('pk', filter=...) counts the "
                "rows that pass the filter."
            )
        super().__init__(expression, **kwargs)


class Star(Expression):
    def identity(self) -> tuple[Any, ...]:
        return (Star,)

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        return n.Star(), None

    def __repr__(self) -> str:
        return "'*'"


class Sum(Aggregate):
    function = "SUM"
    allow_distinct = True


class Avg(Aggregate):
    function = "AVG"
    allow_distinct = True

    def output_for(self, source_field: Any) -> Any:
        if isinstance(source_field, f.DecimalField):
            # A mean has more decimal places than its inputs: do not round it to theirs.
            return f.DecimalField(max_digits=source_field.max_digits)
        if isinstance(source_field, f.DurationField):
            return source_field
        return f.FloatField()


class Min(Aggregate):
    function = "MIN"


class Max(Aggregate):
    function = "MAX"


class StdDev(Aggregate):
    function = "STDDEV_POP"
    output_field = f.FloatField()

    def __init__(self, expression: Any, sample: bool = False, **kwargs: Any):
        self.function = "STDDEV_SAMP" if sample else "STDDEV_POP"
        super().__init__(expression, **kwargs)


class Variance(Aggregate):
    function = "VAR_POP"
    output_field = f.FloatField()

    def __init__(self, expression: Any, sample: bool = False, **kwargs: Any):
        self.function = "VAR_SAMP" if sample else "VAR_POP"
        super().__init__(expression, **kwargs)


# -- conditionals and ordering -----------------------------------------------------


class When(Expression):
    def __init__(self, condition: Any = None, then: Any = None, **lookups: Any):
        if lookups and (condition is None or _is_condition(condition)):
            condition, lookups = Q(condition, **lookups) if condition is not None else Q(**lookups), {}
        if condition is None or lookups or not _is_condition(condition):
            raise TypeError(
                "When() supports a Q object, a boolean expression, or lookups as a condition. "
                f"Got {condition!r}{' with lookups' if lookups else ''}."
            )
        if isinstance(condition, Q) and not condition.children:
            raise ValueError("An empty Q() can't be used as a When() condition. It would match every row.")
        self.condition = condition
        self.result = _to_expression(then)  # as Django: a string names a field (then="rating" is F("rating"))

    def identity(self) -> tuple[Any, ...]:
        return (When, self.condition, self.result)

    def source_expressions(self) -> list[Any]:
        return [self.result]


def _is_condition(value: Any) -> bool:
    """A Q, a boolean expression, or a lookup used as an expression (`GreaterThan(F("a"), 1)`)."""
    return bool(getattr(value, "conditional", False) or getattr(type(value), "lookup_name", None))


class Case(Expression):
    def __init__(self, *cases: When, default: Any = None, output_field: Any = None):
        if not all(isinstance(c, When) for c in cases):
            raise TypeError("Positional arguments must all be When objects. Case() takes its default as default=.")
        self.cases = tuple(cases)
        self.default = _to_expression(default)
        self.output_field = output_field

    def identity(self) -> tuple[Any, ...]:
        return (Case, self.cases, self.default, _field_key(self.output_field))

    @property
    def contains_aggregate(self) -> bool:  # type: ignore[override]
        return any(_aggregates(c.result) for c in self.cases) or _aggregates(self.default)

    def source_expressions(self) -> list[Any]:
        return [*self.cases, self.default]

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        whens, field = [], self.output_field
        for case in self.cases:
            result, result_field = case.result.resolve(builder)
            refuse_key_row("When", result)
            field = field or result_field
            whens.append(n.When(builder.condition_node(case.condition), result))
        default, default_field = self.default.resolve(builder)
        refuse_key_row("Case", default)
        return n.Case(tuple(whens), default), field or default_field


class OrderBy(Expression):
    def __init__(
        self, expression: Any, descending: bool = False, nulls_first: bool | None = None, nulls_last: bool | None = None
    ):
        if nulls_first and nulls_last:
            raise ValueError("nulls_first and nulls_last are mutually exclusive")
        if nulls_first is False or nulls_last is False:
            raise ValueError(
                "nulls_first and nulls_last values must be True or None (leave one out to let the database decide)."
            )
        self.expression, self.descending = expression, descending
        self.nulls_first, self.nulls_last = nulls_first, nulls_last

    def identity(self) -> tuple[Any, ...]:
        return (OrderBy, self.expression, self.descending, self.nulls_first, self.nulls_last)

    @property
    def nulls(self) -> str | None:
        """Where NULLs go, as the SQL node spells it."""
        return "FIRST" if self.nulls_first else "LAST" if self.nulls_last else None

    def reverse_ordering(self) -> OrderBy:
        return OrderBy(self.expression, not self.descending, nulls_first=self.nulls_last, nulls_last=self.nulls_first)

    def source_expressions(self) -> list[Any]:
        return [self.expression]

    def __repr__(self) -> str:
        return f"OrderBy({self.expression!r}, descending={self.descending})"


# -- subqueries ------------------------------------------------------------------


class Subquery(Expression):
    """A queryset used as a value; it may refer to the outer row with OuterRef."""

    #: The value of an annotation whose queryset can match no row (none(), pk__in=[]).
    empty_result_set_value: Any = None

    def __init__(self, queryset: Any, output_field: Any = None):
        self.queryset, self.output_field = queryset, output_field

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        query_only = getattr(self.queryset, "_query_only", None)
        if query_only is not None:
            state["queryset"] = query_only()  # pickled as a query: its rows would mean nothing alone
        return state

    def identity(self) -> tuple[Any, ...]:
        return (type(self), self.queryset.query_key(), _field_key(self.output_field))

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        select, fields = builder.subquery(self.queryset)
        field = self.output_field or (fields[0] if fields else None)
        return n.Subquery(select), field


class Exists(Subquery):
    conditional = True
    output_field = f.BooleanField()
    empty_result_set_value = False

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        select, _ = builder.subquery(self.queryset, exists=True)
        return n.Exists(select), f.BooleanField()


def check_annotation_name(name: str, model: Any, picked: Any = None) -> None:
    """Refuse names that would hide a column; a name may hold '__' (Django's default aliases do: 'pages__max').

    After values(), only the names it picked are taken (`picked`), as in Django: values("title")
    may annotate a "pages" count, which then stands for the count in that queryset.
    """
    if picked is not None:
        if name in picked:
            raise ValueError(
                f"The annotation '{name}' conflicts with a field picked by values() on {model.__name__}; "
                f"pick another name."
            )
        return
    try:
        model._meta.get_field(name)
    except Exception:
        return
    raise ValueError(
        f"The annotation '{name}' conflicts with a field on the model {model.__name__}; pick another name."
    )
