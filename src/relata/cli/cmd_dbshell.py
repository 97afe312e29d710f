"""`relata dbshell`: the database's own client (sqlite3, psql, mysql), connected."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess

from relata.backends import load_backend
from relata.cli.project import load_project
from relata.conf import parse_url
from relata.exceptions import ImproperlyConfigured


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", default="default", help="database alias (default: default)")
    parser.add_argument("extra", nargs="*", help="arguments passed on to the client (after --)")


def run(args: argparse.Namespace) -> int:
    project = load_project(args.settings, args.apps, alias=args.database, import_models=False)
    settings = parse_url(project.url)
    command, env = load_backend(settings["ENGINE"]).shell_command(settings)
    if shutil.which(command[0]) is None:
        raise ImproperlyConfigured(
            f"The {command[0]} client is not installed or not on PATH; install it to use dbshell."
        )
    return subprocess.call(command + list(args.extra), env={**os.environ, **env})
