"""`from relata import models`: the names Django users know from django.db.models."""

from relata.exceptions import ObjectDoesNotExist, ProtectedError, RestrictedError
from relata.models import json_lookups, lookups  # noqa: F401 (they register the default lookups and transforms)
from relata.models.base import Model
from relata.models.constraints import BaseConstraint, CheckConstraint, Index, UniqueConstraint
from relata.models.deletion import CASCADE, DO_NOTHING, PROTECT, RESTRICT, SET, SET_DEFAULT, SET_NULL
from relata.models.expressions import (
    Abs,
    Aggregate,
    Avg,
    Case,
    Cast,
    Coalesce,
    CombinedExpression,
    Concat,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    Greatest,
    Least,
    Length,
    Lower,
    Max,
    Min,
    Now,
    OrderBy,
    OuterRef,
    StdDev,
    Subquery,
    Sum,
    Upper,
    Value,
    Variance,
    When,
)
from relata.models.fields import (
    NOT_PROVIDED,
    AutoField,
    BigAutoField,
    BigIntegerField,
    BinaryField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    DurationField,
    EmailField,
    Field,
    FloatField,
    GenericIPAddressField,
    IntegerField,
    JSONField,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SlugField,
    SmallAutoField,
    SmallIntegerField,
    TextField,
    TimeField,
    URLField,
    UUIDField,
)
from relata.models.fields.related import (
    ForeignKey,
    ForeignObjectRel,
    ManyToManyField,
    ManyToManyRel,
    ManyToOneRel,
    OneToOneField,
    OneToOneRel,
)
from relata.models.manager import BaseManager, Manager
from relata.models.q import Q
from relata.models.query.prefetch import Prefetch, prefetch_related_objects
from relata.models.query.queryset import EmptyQuerySet, QuerySet
from relata.models.registry import apps

__all__ = [
    "CASCADE", "DO_NOTHING", "NOT_PROVIDED", "PROTECT", "RESTRICT", "SET", "SET_DEFAULT", "SET_NULL",
    "Abs", "Aggregate", "AutoField", "Avg", "BaseConstraint", "BaseManager", "BigAutoField",
    "BigIntegerField", "BinaryField", "BooleanField", "Case", "Cast", "CharField", "CheckConstraint",
    "Coalesce", "CombinedExpression", "Concat", "Count", "DateField", "DateTimeField", "DecimalField",
    "DurationField", "EmailField", "EmptyQuerySet", "Exists", "Expression", "ExpressionWrapper", "F",
    "Field", "FloatField", "ForeignKey", "ForeignObjectRel", "Func", "GenericIPAddressField", "Greatest",
    "Index", "IntegerField", "JSONField", "Least", "Length", "Lower", "Manager", "ManyToManyField",
    "ManyToManyRel", "ManyToOneRel", "Max", "Min", "Model", "Now", "ObjectDoesNotExist", "OneToOneField",
    "OneToOneRel", "OrderBy", "OuterRef", "PositiveBigIntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "Prefetch", "ProtectedError", "Q", "QuerySet", "RestrictedError",
    "SlugField", "SmallAutoField", "SmallIntegerField", "StdDev", "Subquery", "Sum", "TextField",
    "TimeField", "URLField", "UUIDField", "UniqueConstraint", "Upper", "Value", "Variance", "When",
    "apps", "lookups", "prefetch_related_objects",
]
