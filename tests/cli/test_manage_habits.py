"""Habits a manage.py user brings: answers from a pipe, and system checks before migrations.

`echo y | relata makemigrations` answers the rename question as a terminal would;
an empty pipe answers as --no-input and says so. makemigrations and migrate run
the system checks first and stop on errors, unless --skip-checks.
"""

import shutil

import pytest

from cli.test_commands import EXAMPLE, add_to_book, relata


@pytest.fixture
def project(tmp_path):
    target = tmp_path / "booktracker"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("db.sqlite3", "__pycache__"))
    return target


RENAMED = "    heading = models.CharField(max_length=200)\n"


def rename_title(project):
    models = project / "booktracker" / "models.py"
    text = models.read_text().replace("    title = models.CharField(max_length=200)\n", RENAMED)
    models.write_text(text.replace('return f"{self.title}', 'return f"{self.heading}'))


def test_a_piped_yes_answers_the_rename_question_and_keeps_the_data(project):
    assert relata(project, "migrate").returncode == 0
    relata(project, "shell", "-c", "Book.objects.create(author=Author.objects.create(name='A'), title='Kept')")
    rename_title(project)
    made = relata(project, "makemigrations", "--name", "heading", stdin="y\n")
    assert made.returncode == 0, made.stdout + made.stderr
    assert "Was Book.title renamed to Book.heading (a CharField)? [y/N]" in made.stdout
    assert "~ Rename field title on Book to heading" in made.stdout
    written = (project / "booktracker" / "migrations" / "0002_heading.py").read_text()
    assert "RenameField" in written and "RemoveField" not in written
    assert relata(project, "migrate").returncode == 0
    out = relata(project, "shell", "-c", "print(list(Book.objects.values_list('heading', flat=True)))")
    assert out.stdout.strip() == "['Kept']", out.stderr


def test_a_piped_no_answers_no_and_the_next_line_gives_the_default(project):
    rename_title(project)
    made = relata(project, "makemigrations", "--name", "heading", stdin="n\n'untitled'\n")
    assert made.returncode == 0, made.stderr
    written = (project / "booktracker" / "migrations" / "0002_heading.py").read_text()
    assert "RemoveField" in written and "AddField" in written and 'default="untitled"' in written
    assert "standard input ended" not in made.stderr


def test_an_empty_pipe_answers_as_no_input_and_says_so(project):
    rename_title(project)
    made = relata(project, "makemigrations", "--name", "heading", stdin="")
    assert made.returncode == 1
    assert "standard input ended before the question was answered" in made.stderr
    assert "non-nullable field 'heading'" in made.stderr and "Give the field a default" in made.stderr
    assert not list((project / "booktracker" / "migrations").glob("0002_*.py"))


def add_clashing_key(project):
    add_to_book(project, "    editor = models.ForeignKey(Author, on_delete=models.CASCADE, null=True)")


def test_makemigrations_stops_on_a_check_error(project):
    add_clashing_key(project)
    made = relata(project, "makemigrations")
    assert made.returncode == 1
    assert "SystemCheckError" in made.stderr and "fields.E304" in made.stderr
    assert "related_name" in made.stderr
    assert not list((project / "booktracker" / "migrations").glob("0002_*.py"))
    skipped = relata(project, "makemigrations", "--skip-checks", "--dry-run")
    assert skipped.returncode == 0, skipped.stderr
    assert "+ Add field editor to Book" in skipped.stdout


def test_migrate_stops_on_a_check_error_before_touching_the_database(project):
    add_clashing_key(project)
    migrated = relata(project, "migrate")
    assert migrated.returncode == 1
    assert "fields.E304" in migrated.stderr
    assert "Applying" not in migrated.stdout
    shown = relata(project, "showmigrations")
    assert " [ ] 0001_initial" in shown.stdout
    assert relata(project, "migrate", "--skip-checks").returncode == 0


def test_warnings_are_shown_and_do_not_stop(project):
    key = "models.ForeignKey(Author, on_delete=models.CASCADE, unique=True, null=True, related_name='+')"
    add_to_book(project, f"    isbn = {key}")
    made = relata(project, "makemigrations", "--dry-run")
    assert made.returncode == 0, made.stderr
    assert "fields.W342" in made.stderr and "SystemCheckError" not in made.stderr


RUN_PYTHON = """from relata import migrations


def add_author(apps, schema_editor):
    apps.get_model("booktracker", "Author").objects.create(name="From code")


class Migration(migrations.Migration):
    dependencies = [("booktracker", "0001_initial")]
    operations = [migrations.RunPython(add_author, migrations.RunPython.noop)]
"""


def test_run_python_is_reported_as_python_code(project):
    (project / "booktracker" / "migrations" / "0002_data.py").write_text(RUN_PYTHON)
    migrated = relata(project, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "Applying booktracker.0002_data... OK (ran Python code)" in migrated.stdout
    assert "Applying booktracker.0001_initial... OK\n" in migrated.stdout


def test_an_unknown_setting_names_the_nearest_one(project):
    settings = project / "pyproject.toml"
    settings.write_text(settings.read_text().replace("apps =", "app ="))
    checked = relata(project, "check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert "Unknown setting 'app' under [tool.relata]" in checked.stderr
    assert "did you mean 'apps'?" in checked.stderr


def test_a_closed_pipe_ends_quietly(project):
    import subprocess
    import sys

    reader = subprocess.Popen(
        [sys.executable, "-m", "relata.cli", "sqlmigrate", "booktracker", "0001"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reader.stdout.close()  # as `| head` does once it has read enough
    stderr = reader.stderr.read()
    reader.wait()
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_relations_without_columns_says_none(project):
    shown = relata(project, "relations", "Author", "--no-columns")
    assert shown.returncode == 0, shown.stderr
    assert "Forward fields:\n  (none)\n" in shown.stdout


def test_a_database_in_a_missing_folder_names_the_path(project):
    result = relata(project, "inspectdb", env={"RELATA_DATABASE_URL": "sqlite:///no/such/folder/db.sqlite3"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    missing = project / "no" / "such" / "folder"
    assert f"the folder {missing.resolve()} does not exist" in result.stderr
