"""StdDev and Variance (population and sample) on every backend, against the statistics module.

Django on SQLite fails on a NULL in the group or a one-value sample (its
Python aggregate hands them to statistics); PostgreSQL and MariaDB skip NULLs
and give NULL where the spread is undefined, and so does relata everywhere.
"""

import math
import statistics

import pytest

from relata import models
from relata.testing.pytest_plugin import use_models


class Reading(models.Model):
    value = models.FloatField(null=True)
    group = models.CharField(max_length=5)

    class Meta:
        app_label = "q_spread"


use_models(Reading)

VALUES = [("a", 1.0), ("a", 2.0), ("a", 4.0), ("a", None), ("b", 1e9 + 1), ("b", 1e9 + 3), ("c", 5.0)]
REFERENCE = {
    ("StdDev", False): statistics.pstdev,
    ("StdDev", True): statistics.stdev,
    ("Variance", False): statistics.pvariance,
    ("Variance", True): statistics.variance,
}


def expected(name, sample, group):
    values = [v for g, v in VALUES if g == group and v is not None]
    if len(values) < (2 if sample else 1):
        return None
    return REFERENCE[(name, sample)](values)


@pytest.fixture(autouse=True)
def rows():
    for group, value in VALUES:
        Reading.objects.create(group=group, value=value)


@pytest.mark.parametrize("name", ["StdDev", "Variance"])
@pytest.mark.parametrize("sample", [False, True])
def test_per_group(name, sample):
    aggregate = getattr(models, name)("value", sample=sample)
    found = dict(Reading.objects.values("group").annotate(s=aggregate).order_by("group").values_list("group", "s"))
    for group in "abc":
        want = expected(name, sample, group)
        assert (found[group] is None) if want is None else math.isclose(found[group], want, rel_tol=1e-9)


def test_over_the_whole_table_with_a_filter():
    spread = Reading.objects.aggregate(s=models.StdDev("value", filter=models.Q(group="a")))["s"]
    assert spread == pytest.approx(statistics.pstdev([1.0, 2.0, 4.0]))
