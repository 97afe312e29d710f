"""CharField/TextField(db_collation=...): the column is created with that collation (COLLATE in its
definition), so comparisons on it follow the collation; deconstruct() keeps the argument."""

from relata import models
from relata.testing import create_tables, drop_tables

#: Per database, a collation it ships with that differs from the default of our test databases, and
#: whether "PYTHON" then equals "Python" (SQLite compares case-sensitively by default, MariaDB not).
COLLATIONS = {"sqlite": ("NOCASE", True), "mysql": ("utf8mb4_bin", False), "postgresql": ("C", False)}


class Tag(models.Model):
    label = models.CharField(max_length=20, db_collation="NOCASE")

    class Meta:
        app_label = "models_db_collation"


def test_deconstruct_keeps_the_collation():
    for field in (models.CharField(max_length=5, db_collation="C"), models.TextField(db_collation="C")):
        assert field.deconstruct()[3]["db_collation"] == "C"
    assert "db_collation" not in models.CharField(max_length=5).deconstruct()[3]


def test_column_spec_carries_it():
    assert Tag._meta.get_field("label").column_spec().collation == "NOCASE"
    assert models.IntegerField(name="n").column_spec().collation is None


def test_comparisons_follow_the_collation(relata_backend):
    collation, case_insensitive = COLLATIONS[relata_backend]
    field = Tag._meta.get_field("label")
    field.db_collation = collation
    drop_tables(Tag)
    create_tables(Tag)
    try:
        Tag.objects.create(label="Python")
        assert Tag.objects.filter(label="PYTHON").exists() is case_insensitive
        assert Tag.objects.filter(label="Python").exists()
    finally:
        drop_tables(Tag)
        field.db_collation = "NOCASE"
