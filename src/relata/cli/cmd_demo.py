"""`relata demo`: the related_name article, replayed on the booktracker example.

Copies examples/booktracker to a temporary folder (so the committed project
stays as it is), creates a fresh SQLite database there, migrates, loads the
article's authors and books, and replays the article's shell sessions line
by line. For `related_name="books"` and `related_name="+"` it edits
models.py, shows the migration makemigrations writes (an AlterField) and
that it runs no SQL. Two claims of the article are corrected on the way.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from relata.conf import ENV_DATABASE_URL, load_project_settings
from relata.exceptions import ImproperlyConfigured

ARTICLE = 'Sentry Answers, "What is related_name used for?"'
FK_LINE = "    author = models.ForeignKey(Author, on_delete=models.CASCADE)"
LOAD_DATA = """\
from booktracker.models import Author, Book
alex = Author.objects.create(name="Alex Smith")
sam = Author.objects.create(name="Sam Jones")
Book.objects.create(author=alex, title="How Django Works")
Book.objects.create(author=alex, title="How to Sell Django Books")
Book.objects.create(author=sam, title="What Alex Got Wrong")
"""
SESSION_ALL = [
    "from booktracker.models import Book, Author",
    "Author.objects.all()",
    "Book.objects.all()",
]
SESSION_FILTER = [
    "from booktracker.models import Book, Author",
    'alex = Author.objects.get(name="Alex Smith")',
    "alex_books = Book.objects.filter(author=alex)",
    "alex_books",
]


def reverse_session(accessor: str) -> list[str]:
    return [
        "from booktracker.models import Author",
        'alex = Author.objects.get(name="Alex Smith")',
        f"alex.{accessor}.all()",
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep", action="store_true", help="keep the working copy and print where it is")


def find_example() -> Path:
    cwd = Path.cwd()
    settings = load_project_settings()
    if settings.path is not None and "booktracker" in settings.apps:
        return settings.path.parent
    for candidate in (cwd / "booktracker", cwd / "examples" / "booktracker"):
        if (candidate / "pyproject.toml").is_file() and (candidate / "booktracker" / "models.py").is_file():
            return candidate
    raise ImproperlyConfigured(
        "relata demo needs the booktracker example project: run it from the repository's examples/ "
        "folder (cd examples && relata demo)."
    )


class Demo:
    def __init__(self, source: Path, workdir: Path):
        self.workdir = workdir / "booktracker"
        shutil.copytree(source, self.workdir, ignore=shutil.ignore_patterns("db.sqlite3*", "__pycache__"))
        self.models = self.workdir / "booktracker" / "models.py"
        self.env = {k: v for k, v in os.environ.items() if k != ENV_DATABASE_URL}
        self.env["PYTHONDONTWRITEBYTECODE"] = "1"

    def say(self, *lines: str) -> None:
        for line in lines:
            print(f"# {line}" if line else "#")
        sys.stdout.flush()

    def run(self, *args: str, show: bool = True, stdin: str | None = None, module: str = "relata.cli") -> str:
        if show:
            print(f"$ relata {' '.join(args)}", flush=True)
        result = subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=self.workdir,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise ImproperlyConfigured(
                f"demo step `relata {' '.join(args)}` failed: {(result.stderr or result.stdout).strip()}"
            )
        if show:
            print(result.stdout, end="", flush=True)
        return result.stdout

    def session(self, title: str, lines: list[str]) -> None:
        print()
        self.say(title)
        print(self.run(stdin="\n".join(lines) + "\n", show=False, module="relata.cli.replay"), end="")
        sys.stdout.flush()

    def change_related_name(self, value: str) -> None:
        before = self.models.read_text()
        lines = [line for line in before.splitlines() if "models.ForeignKey(Author" in line]
        after = before.replace(lines[0], f'{FK_LINE[:-1]}, related_name="{value}")')
        self.models.write_text(after)
        print()
        self.say(f'Edit booktracker/models.py: related_name="{value}" on Book.author.')
        diff = difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            "booktracker/models.py (before)",
            "booktracker/models.py (after)",
            n=0,
            lineterm="",
        )
        print("\n".join(line for line in diff if not line.startswith("@@")))
        self.run("makemigrations")
        written = sorted((self.workdir / "booktracker" / "migrations").glob("0*.py"))[-1]
        print(f"$ cat booktracker/migrations/{written.name}")
        print(written.read_text(), end="")
        self.run("sqlmigrate", "booktracker", written.name[:4])
        self.run("migrate")

    def fk_schema(self) -> list[str]:
        import relata

        conn = relata.connect(f"sqlite:///{self.workdir / 'db.sqlite3'}", alias="__demo__")
        try:
            columns = [c for c in conn.introspection.get_columns("booktracker_book") if c.name == "author_id"]
            indexes = [i for i in conn.introspection.get_indexes("booktracker_book") if i.columns == ("author_id",)]
            out = [f"column booktracker_book.author_id ({c.type}, NOT NULL)" for c in columns]
            out += [f"index {i.name} on booktracker_book (author_id)" for i in indexes]
            return out
        finally:
            relata.connections.forget("__demo__")


def run(args: argparse.Namespace) -> int:
    source = find_example()
    workdir = Path(tempfile.mkdtemp(prefix="relata-demo-"))
    try:
        demo = Demo(source, workdir)
        play(demo)
    finally:
        if args.keep:
            print(f"\n(working copy kept in {workdir / 'booktracker'})")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def play(demo: Demo) -> None:
    demo.say(
        f"relata demo: {ARTICLE}, replayed with relata.",
        "The booktracker app has the article's Author and Book models; a fresh SQLite database",
        "(db.sqlite3) is created in a temporary copy of the project.",
    )
    print()
    demo.run("migrate")
    demo.say("Loading the article's data: Alex Smith wrote two books, Sam Jones one.")
    demo.run("shell", "-c", LOAD_DATA, show=False)
    demo.session("The article's first session: every author and every book.", SESSION_ALL)
    demo.session("Filtering books by author, the way you would in SQL.", SESSION_FILTER)
    demo.session("The reverse accessor Django (and relata) create by default: book_set.", reverse_session("book_set"))
    demo.change_related_name("books")
    demo.say(
        "The article says this is a database change that needs migrations. Half right: makemigrations",
        "records the new related_name in a migration (an AlterField), but the table does not change,",
        "so sqlmigrate shows no SQL and migrate ran none. related_name lives only in Python.",
    )
    demo.session('With related_name="books", the accessor is alex.books.', reverse_session("books"))
    before = demo.fk_schema()
    demo.change_related_name("+")
    after = demo.fk_schema()
    demo.session('With related_name="+", there is no book_set at all.', reverse_session("book_set"))
    print()
    demo.say(
        'The article says related_name="+" saves space in the database index. It does not: the',
        "foreign key column and its index stay exactly as they were, because Book still points at",
        "Author. Only the reverse accessor (book_set) and the reverse query name (book) go away;",
        "Book.objects.filter(author=alex) still works. The schema, before and after:",
    )
    for line in after:
        demo.say(f"  {line}{'   (unchanged)' if line in before else '   (changed!)'}")
    print()
    demo.run("relations", "Author")
