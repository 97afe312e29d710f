"""A foreign key whose to_field is itself a foreign key: the column takes the type at the end of the chain."""

from relata import models
from relata.testing.pytest_plugin import use_models


class Head(models.Model):
    code = models.IntegerField(unique=True)

    class Meta:
        app_label = "r_chain"


class Middle(models.Model):
    head = models.ForeignKey(Head, models.CASCADE, unique=True, to_field="code")

    class Meta:
        app_label = "r_chain"


class Tail(models.Model):
    middle = models.ForeignKey(Middle, models.CASCADE, unique=True, to_field="head")

    class Meta:
        app_label = "r_chain"


use_models(Head, Middle, Tail)


def test_chained_to_fields_create_and_query():
    head = Head.objects.create(code=42)
    middle = Middle.objects.create(head=head)
    tail = Tail.objects.create(middle=middle)
    assert Tail.objects.values_list("middle_id", flat=True).get() == 42
    assert Tail.objects.get(middle__head__code=42) == tail
    assert Tail.objects.select_related("middle__head").get().middle.head.code == 42
