"""A relation that is its model's primary key compares with a queryset of that model (its keys are
the target's keys), as Django allows; a queryset of an unrelated model is still refused."""

import pytest

from relata import models
from relata.testing.pytest_plugin import use_models


class Site(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "rel_pk_subquery"


class Shop(models.Model):
    site = models.OneToOneField(Site, models.CASCADE, primary_key=True)
    open = models.BooleanField(default=True)

    class Meta:
        app_label = "rel_pk_subquery"


class Visitor(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "rel_pk_subquery"


use_models(Site, Shop, Visitor)


def test_key_relation_takes_a_queryset_of_its_own_model():
    a, b = Site.objects.create(name="a"), Site.objects.create(name="b")
    Shop.objects.create(site=a, open=True)
    Shop.objects.create(site=b, open=False)
    open_shops = Shop.objects.filter(open=True)
    assert [s.pk for s in Shop.objects.filter(site__in=open_shops)] == [a.pk]
    assert [s.pk for s in Shop.objects.filter(site_id__in=open_shops)] == [a.pk]
    assert [s.pk for s in Shop.objects.filter(site__in=Site.objects.filter(name="b"))] == [b.pk]


def test_a_queryset_of_an_unrelated_model_is_refused():
    with pytest.raises(ValueError, match='Cannot use QuerySet for "Visitor": Use a QuerySet for "Site"'):
        Shop.objects.filter(site__in=Visitor.objects.all())
