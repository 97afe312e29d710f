from relata import models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models


class Writer(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        app_label = "smoke"

    def __repr__(self):
        return self.name


class Novel(models.Model):
    writer = models.ForeignKey(Writer, on_delete=models.CASCADE, related_name="novels")
    title = models.CharField(max_length=100)

    class Meta:
        app_label = "smoke"


use_models(Writer, Novel)


def test_reverse_manager_uses_related_name():
    w = Writer.objects.create(name="W")
    Novel.objects.create(writer=w, title="A")
    with assert_num_queries(1):
        novels = list(w.novels.all())
    with assert_num_queries(0):
        assert novels[0].writer is w
