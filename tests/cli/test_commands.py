"""The `relata` command run as a subprocess, on a copy of the booktracker example.

Each test checks output and exit code. These run on SQLite files (the
project's own database); they do not depend on RELATA_TEST_BACKENDS.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "booktracker"


def relata(cwd, *args, env=None, stdin=None, stdin_fd=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RELATA_DATABASE_URL")}
    environment.update(env or {})
    # Never the test run's own standard input: a question would wait on it (a pipe is read for answers).
    extra = {"stdin": stdin_fd} if stdin_fd is not None else {"input": stdin if stdin is not None else ""}
    return subprocess.run(
        [sys.executable, "-m", "relata.cli", *args], cwd=cwd, capture_output=True, text=True, env=environment, **extra
    )


@pytest.fixture
def project(tmp_path):
    target = tmp_path / "booktracker"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("db.sqlite3", "__pycache__"))
    return target


def set_related_name(project, value):
    models = project / "booktracker" / "models.py"
    text = models.read_text()
    models.write_text(text.replace("on_delete=models.CASCADE)", f'on_delete=models.CASCADE, related_name="{value}")'))


def assert_one_line_error(result, *fragments):
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_committed_migrations_match_the_models(project):
    result = relata(project, "makemigrations", "--check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "No changes detected"


def test_round_trip_migrate_change_migrate_no_changes(project):
    result = relata(project, "migrate")
    assert result.returncode == 0, result.stderr
    assert "Applying booktracker.0001_initial... OK" in result.stdout
    set_related_name(project, "books")
    check = relata(project, "makemigrations", "--check")
    assert check.returncode == 1
    assert "0002_alter_book_author.py" in check.stdout
    assert not (project / "booktracker" / "migrations" / "0002_alter_book_author.py").exists()
    dry = relata(project, "makemigrations", "--dry-run")
    assert dry.returncode == 0 and "~ Alter field author on Book" in dry.stdout
    assert not (project / "booktracker" / "migrations" / "0002_alter_book_author.py").exists()
    made = relata(project, "makemigrations")
    assert made.returncode == 0
    written = (project / "booktracker" / "migrations" / "0002_alter_book_author.py").read_text()
    assert "migrations.AlterField(" in written and 'related_name="books"' in written
    sql = relata(project, "sqlmigrate", "booktracker", "0002")
    assert sql.returncode == 0
    assert [line for line in sql.stdout.splitlines() if not line.startswith("--")] == ["BEGIN;", "COMMIT;"]
    assert "-- (no-op)" in sql.stdout
    applied = relata(project, "migrate")
    assert "Applying booktracker.0002_alter_book_author... OK (no SQL)" in applied.stdout
    again = relata(project, "makemigrations")
    assert again.returncode == 0 and again.stdout.strip() == "No changes detected"
    shown = relata(project, "showmigrations")
    assert shown.stdout.splitlines() == ["booktracker", " [X] 0001_initial", " [X] 0002_alter_book_author"]


def test_migrate_to_zero_and_back(project):
    relata(project, "migrate")
    result = relata(project, "migrate", "booktracker", "zero")
    assert result.returncode == 0
    assert "Unapplying booktracker.0001_initial... OK" in result.stdout
    shown = relata(project, "showmigrations", "booktracker")
    assert shown.stdout.splitlines() == ["booktracker", " [ ] 0001_initial"]
    assert relata(project, "migrate").returncode == 0


def test_new_field_migrates_with_data_kept(project):
    relata(project, "migrate")
    relata(project, "shell", "-c", "Book.objects.create(author=Author.objects.create(name='A'), title='T')")
    models = project / "booktracker" / "models.py"
    models.write_text(
        models.read_text().replace(
            "    title = models.CharField(max_length=200)",
            "    title = models.CharField(max_length=300)\n    pages = models.IntegerField(default=1)",
        )
    )
    assert relata(project, "makemigrations", "--name", "pages").returncode == 0
    assert (project / "booktracker" / "migrations" / "0002_pages.py").exists()
    assert relata(project, "migrate", "-v", "2").returncode == 0
    out = relata(project, "shell", "-c", "print(list(Book.objects.values_list('title', 'pages', 'author__name')))")
    assert out.stdout.strip() == "[('T', 1, 'A')]"
    back = relata(project, "migrate", "booktracker", "0001")
    assert back.returncode == 0, back.stderr
    out = relata(project, "shell", "-c", "print(list(Book.objects.values_list('title', flat=True)))")
    assert out.stdout.strip() == "['T']"


def test_empty_migration(project):
    result = relata(project, "makemigrations", "booktracker", "--empty", "--name", "data")
    assert result.returncode == 0
    text = (project / "booktracker" / "migrations" / "0002_data.py").read_text()
    assert "operations = [\n    ]" in text and '("booktracker", "0001_initial")' in text


def test_relations_lists_forward_and_reverse(project):
    result = relata(project, "relations", "Author")
    assert result.returncode == 0
    assert re.search(r"book_set\s+book\s+reverse ForeignKey\s+Book\.author\s+manager of Book", result.stdout)
    set_related_name(project, "+")
    hidden = relata(project, "relations", "booktracker.Author")
    assert "nothing: related_name='+'" in hidden.stdout
    assert "The column and its index stay" in hidden.stdout
    assert_one_line_error(relata(project, "relations", "Nope"), "No model named 'Nope'", "booktracker.Author")


def test_check_and_shell_and_inspectdb(project):
    assert relata(project, "check").stdout.strip() == "System check identified no issues."
    relata(project, "migrate")
    shell = relata(project, "shell", "-i", "python", stdin="print(sorted(n for n in dir() if n[0].isupper()))\n")
    assert "2 objects imported automatically" in shell.stderr + shell.stdout
    assert "from booktracker.models import Author, Book" in shell.stderr + shell.stdout
    assert "['Author', 'Book']" in shell.stdout
    inspected = relata(project, "inspectdb")
    assert inspected.returncode == 0
    assert "class BooktrackerBook(models.Model):" in inspected.stdout
    assert "author = models.ForeignKey('BooktrackerAuthor', on_delete=models.DO_NOTHING)" in inspected.stdout
    assert "relata_migrations" not in inspected.stdout


def test_dbshell_opens_the_databases_own_client(project):
    relata(project, "migrate")
    shell = relata(project, "dbshell", stdin="SELECT name FROM sqlite_master WHERE name = 'booktracker_book';\n")
    assert shell.returncode == 0
    assert shell.stdout.strip() == "booktracker_book"


def test_dbshell_command_per_backend():
    from relata.backends import load_backend
    from relata.conf import parse_url

    for url, expected, env in [
        ("sqlite:///books.db", ["sqlite3", "books.db"], {}),
        (
            "postgresql://app:pw@db.example:5433/books",
            ["psql", "-U", "app", "-h", "db.example", "-p", "5433", "books"],
            {"PGPASSWORD": "pw"},
        ),
        (
            "mysql://app:pw@db.example:3307/books",
            ["mysql", "--user=app", "--host=db.example", "--port=3307", "books"],
            {"MYSQL_PWD": "pw"},
        ),
    ]:
        settings = parse_url(url)
        assert load_backend(settings["ENGINE"]).shell_command(settings) == (expected, env)


def test_check_reports_clashes_and_exits_1(project):
    models = project / "booktracker" / "models.py"
    models.write_text(
        models.read_text()
        + (
            "\n\nclass Review(models.Model):\n"
            "    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name='author')\n"
            "    other = models.ForeignKey(Book, on_delete=models.CASCADE, related_name='author')\n"
        )
    )
    result = relata(project, "check")
    assert result.returncode == 1
    assert "fields.E30" in result.stdout


def test_unknown_app_is_one_line(project):
    result = relata(project, "migrate", "--apps", "no_such_app")
    assert_one_line_error(result, "--apps lists 'no_such_app'")
    assert "[tool.relata]" not in result.stderr
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('apps = ["booktracker"]', 'apps = ["no_such_app"]'))
    assert_one_line_error(relata(project, "migrate"), "[tool.relata] apps lists 'no_such_app'")


@pytest.mark.parametrize(
    "command",
    [["migrate", "shop"], ["makemigrations", "shop"], ["showmigrations", "shop"], ["sqlmigrate", "shop", "0001"]],
)
def test_app_outside_the_list_names_the_list_it_came_from(project, command):
    from_file = relata(project, *command)
    assert_one_line_error(from_file, "'shop' is not in [tool.relata] apps (booktracker)", "add it there")
    overridden = relata(project, *command, "--apps", "booktracker")
    assert_one_line_error(overridden, "'shop' is not in --apps (booktracker)", "pass it in --apps")
    assert "[tool.relata]" not in overridden.stderr


def test_bad_url_is_one_line(project):
    result = relata(project, "migrate", env={"RELATA_DATABASE_URL": "nonsense"})
    assert_one_line_error(result, "RELATA_DATABASE_URL", "sqlite:///")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("sqlite:///db.sqlite3", "oracle://x/y"))
    assert_one_line_error(relata(project, "showmigrations"), "[tool.relata] database", "postgresql://")


def test_unreachable_server_is_one_line(project):
    result = relata(project, "migrate", env={"RELATA_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert_one_line_error(result, "RELATA_DATABASE_URL")


def test_unknown_migration_and_app_in_commands(project):
    assert_one_line_error(relata(project, "sqlmigrate", "booktracker", "0042"), "0042")
    assert_one_line_error(relata(project, "migrate", "shop"), "'shop'", "[tool.relata] apps")


def add_to_book(project, line):
    models = project / "booktracker" / "models.py"
    models.write_text(
        models.read_text().replace(
            "    title = models.CharField(max_length=200)\n", f"    title = models.CharField(max_length=200)\n{line}\n"
        )
    )


def relata_on_a_terminal(cwd, *args, typed=""):
    """Run relata with a pseudo-terminal as standard input (so it asks), `typed` already waiting there."""
    import pty

    leader, follower = pty.openpty()
    try:
        os.write(leader, typed.encode())
        return relata(cwd, *args, stdin_fd=follower)
    finally:
        os.close(leader)
        os.close(follower)


@pytest.mark.parametrize(
    "line", ["    pages = models.IntegerField()", "    added = models.DateTimeField(auto_now_add=True)"]
)
def test_not_null_field_without_default_fails_clearly_without_input(project, line):
    add_to_book(project, line)
    name = line.split()[0]
    result = relata(project, "makemigrations", "--no-input")
    assert_one_line_error(result, f"'{name}'", "Book", "Give the field a default")
    assert not list((project / "booktracker" / "migrations").glob("0002_*.py"))


def test_not_null_field_asks_for_a_one_off_default_on_a_terminal(project):
    relata(project, "migrate")
    relata(project, "shell", "-c", "Book.objects.create(author=Author.objects.create(name='A'), title='T')")
    add_to_book(project, "    pages = models.IntegerField()")
    result = relata_on_a_terminal(project, "makemigrations", "--name", "pages", typed="oops(\n120\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "impossible to add a non-nullable field 'pages' to Book" in result.stdout
    assert "Invalid input" in result.stdout
    written = (project / "booktracker" / "migrations" / "0002_pages.py").read_text()
    assert "default=120" in written and "preserve_default=False" in written
    assert relata(project, "migrate").returncode == 0
    out = relata(project, "shell", "-c", "print(list(Book.objects.values_list('title', 'pages')))")
    assert out.stdout.strip() == "[('T', 120)]"
    assert relata(project, "makemigrations", "--check").returncode == 0


def test_field_becoming_not_null_warns_without_input_and_asks_on_a_terminal(project):
    models = project / "booktracker" / "models.py"
    models.write_text(
        models.read_text().replace(
            "max_length=200)\n\n    def __repr__(self):\n        return f",
            "max_length=200, null=True)\n\n    def __repr__(self):\n        return f",
        )
    )
    assert relata(project, "makemigrations", "--name", "nullable").returncode == 0
    relata(project, "migrate")
    relata(project, "shell", "-c", "Book.objects.create(author=Author.objects.create(name='A'), title=None)")
    models.write_text(models.read_text().replace("max_length=200, null=True)", "max_length=200)"))
    dry = relata(project, "makemigrations", "--no-input", "--dry-run")
    assert dry.returncode == 0 and "~ Alter field title on Book" in dry.stdout
    assert "'title' on Book becomes non-nullable" in dry.stderr and "Give the field a default" in dry.stderr
    asked = relata_on_a_terminal(project, "makemigrations", "--name", "title", typed="'untitled'\n")
    assert asked.returncode == 0, asked.stdout + asked.stderr
    assert "nullable field 'title' on Book to non-nullable" in asked.stdout
    assert relata(project, "migrate").returncode == 0
    out = relata(project, "shell", "-c", "print(list(Book.objects.values_list('title', flat=True)))")
    assert out.stdout.strip() == "['untitled']"
