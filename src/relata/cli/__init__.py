"""The `relata` command: Django's management commands for a relata project.

One module per subcommand, each with `add_arguments(parser)` and
`run(args) -> int`. Every failure a user can fix (configuration, a missing
app, an unreachable database) prints one line on stderr and exits 1; only
bugs print a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from relata import exceptions

COMMANDS = {
    "makemigrations": "Create migrations for model changes.",
    "migrate": "Apply (or unapply) migrations.",
    "showmigrations": "List migrations and whether each is applied.",
    "sqlmigrate": "Print the SQL of one migration.",
    "check": "Run the model and relation checks.",
    "shell": "Python shell with every model imported.",
    "dbshell": "The database's own command-line client.",
    "relations": "Every forward field and reverse accessor of a model.",
    "inspectdb": "Models for the tables of an existing database.",
    "demo": "Replay the related_name article on the booktracker example.",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relata", description="Manage a relata project.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.add_argument(
            "-v",
            "--verbosity",
            type=int,
            choices=[0, 1, 2, 3],
            default=1,
            help="0 quiet, 1 normal, 2 verbose, 3 very verbose",
        )
        command.add_argument("--settings", help="path of the pyproject.toml to read [tool.relata] from")
        command.add_argument("--apps", help="comma-separated app packages, instead of [tool.relata] apps")
        _module(name).add_arguments(command)
    return parser


def _module(name: str):
    return importlib.import_module(f"relata.cli.cmd_{name}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 1
    try:
        code = int(_module(args.command).run(args) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`relata sqlmigrate ... | head`): stop quietly, and point stdout at
        # /dev/null so the interpreter's last flush at exit cannot fail a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except exceptions.ImproperlyConfigured as exc:
        print(f"relata {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except (
        exceptions.OperationalError,
        exceptions.InterfaceError,
        exceptions.ProgrammingError,
        exceptions.IntegrityError,
    ) as exc:
        print(f"relata {args.command}: database error: {exc}", file=sys.stderr)
        for note in getattr(exc, "__notes__", ()):  # e.g. what a failed migration left applied
            print(note, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
