"""`relata demo`, run the way the README says (from examples/), checked against the article.

Every `>>>` line of the article's sessions and the output the article shows
must appear, exactly and in order; the two corrections must be there too.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ALEX = "<QuerySet [How Django Works by Alex Smith, How to Sell Django Books by Alex Smith]>"
ARTICLE_SESSIONS = [
    [
        ">>> from booktracker.models import Book, Author",
        ">>> Author.objects.all()",
        "<QuerySet [Alex Smith, Sam Jones]>",
        ">>> Book.objects.all()",
        "<QuerySet [How Django Works by Alex Smith, How to Sell Django Books by Alex Smith, "
        "What Alex Got Wrong by Sam Jones]>",
    ],
    [
        ">>> from booktracker.models import Book, Author",
        '>>> alex = Author.objects.get(name="Alex Smith")',
        ">>> alex_books = Book.objects.filter(author=alex)",
        ">>> alex_books",
        ALEX,
    ],
    [
        ">>> from booktracker.models import Author",
        '>>> alex = Author.objects.get(name="Alex Smith")',
        ">>> alex.book_set.all()",
        ALEX,
    ],
    [
        ">>> from booktracker.models import Author",
        '>>> alex = Author.objects.get(name="Alex Smith")',
        ">>> alex.books.all()",
        ALEX,
    ],
    [
        ">>> from booktracker.models import Author",
        '>>> alex = Author.objects.get(name="Alex Smith")',
        ">>> alex.book_set.all()",
        "Traceback (most recent call last):",
        '  File "<console>", line 1, in <module>',
        "AttributeError: 'Author' object has no attribute 'book_set'",
    ],
]


@pytest.fixture(scope="module")
def demo_output():
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELATA_DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "relata.cli", "demo"], cwd=EXAMPLES, capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.splitlines()


def test_sessions_match_the_article_line_by_line(demo_output):
    position = 0
    for session in ARTICLE_SESSIONS:
        start = demo_output.index(session[0], position)
        assert demo_output[start : start + len(session)] == session
        position = start + len(session)


def test_related_name_changes_record_a_migration_that_runs_no_sql(demo_output):
    text = "\n".join(demo_output)
    for number, value in (("0002", "books"), ("0003", "+")):
        assert f"booktracker/migrations/{number}_alter_book_author.py" in text
        assert f'related_name="{value}"' in text
        assert f"Applying booktracker.{number}_alter_book_author... OK (no SQL)" in text
    assert text.count("-- (no-op)") == 2
    assert "CREATE" not in text.split("$ relata sqlmigrate booktracker 0002")[1].split("$ relata migrate")[0]


def test_the_two_wrong_claims_are_corrected(demo_output):
    text = "\n".join(demo_output)
    assert "no SQL and migrate ran none" in text.replace("\n# ", " ")
    assert "It does not" in text and "index stay" in text.replace("\n# ", " ")
    assert any(
        line.startswith("#   index booktracker_book_author_id") and "(unchanged)" in line for line in demo_output
    )


def test_ends_with_relations_of_author(demo_output):
    start = demo_output.index("$ relata relations Author")
    assert demo_output[start + 1] == "booktracker.Author (table booktracker_author)"
    assert any("nothing: related_name='+'" in line for line in demo_output[start:])


def test_committed_example_is_left_untouched():
    migrations = sorted(p.name for p in (EXAMPLES / "booktracker" / "booktracker" / "migrations").glob("0*.py"))
    assert migrations == ["0001_initial.py"]
    assert "related_name" not in (EXAMPLES / "booktracker" / "booktracker" / "models.py").read_text()
