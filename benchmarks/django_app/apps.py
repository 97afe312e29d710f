"""App config: the label "bench" gives the same table names as every other implementation."""

from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "benchmarks.django_app"
    label = "bench"
    default_auto_field = "django.db.models.AutoField"
