"""`relata makemigrations --merge`, and the refusal of both commands while an app's history is split."""

import shutil

import pytest

from cli.test_commands import EXAMPLE, add_to_book, relata

BRANCH = """from relata import migrations, models


class Migration(migrations.Migration):
    dependencies = [("booktracker", "0001_initial")]
    operations = [migrations.AddField("book", "FIELD", DEFINITION)]
"""


@pytest.fixture
def split(tmp_path):
    """The booktracker example after two branches each added a field in their own 0002."""
    project = tmp_path / "booktracker"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("db.sqlite3", "__pycache__"))
    folder = project / "booktracker" / "migrations"
    fields = (("pages", "models.IntegerField(default=0)"), ("isbn", "models.CharField(max_length=13, default='')"))
    for field, definition in fields:
        (folder / f"0002_{field}.py").write_text(BRANCH.replace("FIELD", field).replace("DEFINITION", definition))
        add_to_book(project, f"    {field} = {definition}")
    return project


def test_split_history_stops_makemigrations_and_migrate(split):
    for command in (["makemigrations"], ["migrate"]):
        result = relata(split, *command)
        assert result.returncode == 1
        assert "Conflicting migrations detected" in result.stderr
        assert "(0002_isbn, 0002_pages in booktracker)" in result.stderr
        assert "relata makemigrations --merge" in result.stderr
    assert " [ ] 0001_initial" in relata(split, "showmigrations").stdout


def test_merge_shows_each_branch_and_writes_a_migration_on_both_leaves(split):
    merged = relata(split, "makemigrations", "--merge", "--no-input")
    assert merged.returncode == 0, merged.stderr
    assert "Merging booktracker\n  Branch 0002_isbn\n    - Add field isbn to book\n" in merged.stdout
    assert "  Branch 0002_pages\n    - Add field pages to book\n" in merged.stdout
    written = split / "booktracker" / "migrations" / "0003_merge_0002_isbn_0002_pages.py"
    assert f"Created new merge migration {written.relative_to(split)}" in merged.stdout
    assert '("booktracker", "0002_isbn")' in written.read_text()
    assert '("booktracker", "0002_pages")' in written.read_text()
    migrated = relata(split, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "Applying booktracker.0003_merge_0002_isbn_0002_pages... OK (no SQL)" in migrated.stdout
    assert relata(split, "makemigrations", "--check").returncode == 0
    assert relata(split, "makemigrations", "--merge").stdout.strip() == "No conflicts detected to merge."


def test_merge_asks_first_and_a_no_writes_nothing(split):
    refused = relata(split, "makemigrations", "--merge", stdin="n\n")
    assert refused.returncode == 0, refused.stderr
    assert "Should these migration branches be merged? [y/N]" in refused.stdout
    assert not list((split / "booktracker" / "migrations").glob("0003_*.py"))
    named = relata(split, "makemigrations", "--merge", "--name", "join", stdin="y\n")
    assert named.returncode == 0, named.stderr
    assert (split / "booktracker" / "migrations" / "0003_join.py").exists()
