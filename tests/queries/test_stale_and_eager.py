"""A queryset forgets rows it wrote, and a mistake in filter()/values() fails at the call that made it.

Both as Django: delete() and update() clear the queryset's result cache (so
evaluating it again reads the table), None is a query value only for exact and
iexact, and a values() name that reaches no field raises FieldError at once.
"""

import pytest

from relata import exceptions, models
from relata.testing.pytest_plugin import use_models


class Shelf(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "q_stale"


class Volume(models.Model):
    title = models.CharField(max_length=20, null=True)
    shelf = models.ForeignKey(Shelf, models.CASCADE, null=True)
    pages = models.IntegerField(default=0)
    added = models.DateField(null=True)

    class Meta:
        app_label = "q_stale"


use_models(Shelf, Volume)


def test_delete_clears_the_result_cache():
    Volume.objects.create(title="a")
    Volume.objects.create(title="b")
    doomed = Volume.objects.filter(title="a")
    assert len(doomed) == 1  # evaluated and cached
    doomed.delete()
    assert list(doomed) == []
    assert Volume.objects.count() == 1


def test_update_clears_the_result_cache():
    Volume.objects.create(title="a", pages=1)
    volumes = Volume.objects.all()
    assert [v.pages for v in volumes] == [1]
    volumes.update(pages=5)
    assert [v.pages for v in volumes] == [5]


@pytest.mark.parametrize(
    "lookup", ["id__gt", "title__contains", "title__startswith", "shelf__id__lt", "pages__in", "title__regex"]
)
def test_none_is_refused_outside_exact_when_filter_is_called(lookup):
    with pytest.raises(ValueError, match="Cannot use None as a query value"):
        Volume.objects.filter(**{lookup: None})
    with pytest.raises(ValueError, match="Cannot use None as a query value"):
        Volume.objects.exclude(**{lookup: None})


@pytest.mark.parametrize("lookup", ["title", "title__exact", "title__iexact", "shelf", "shelf__name"])
def test_none_means_null_for_exact(lookup):
    Volume.objects.create(title=None)
    Volume.objects.create(title="x", shelf=Shelf.objects.create(name="s"))
    assert Volume.objects.filter(**{lookup: None}).count() == 1


def test_values_with_a_bad_name_fails_at_the_call():
    with pytest.raises(exceptions.FieldError, match=r"Cannot resolve keyword 'nope' into field\. Choices are: .*name"):
        Volume.objects.values_list("shelf__nope")
    with pytest.raises(exceptions.FieldError, match="Cannot resolve keyword 'nope' into field"):
        Volume.objects.values("nope")
    with pytest.raises(exceptions.FieldError, match="Join on 'title' not permitted"):
        Volume.objects.values("title__nope")


def test_values_accepts_transforms():
    import datetime

    Volume.objects.create(title="abc", added=datetime.date(2024, 5, 6))
    assert list(Volume.objects.values_list("added__year", flat=True)) == [2024]
