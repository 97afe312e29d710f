"""`relata dbshell`: the database's own client (sqlite3, psql, mysql), connected."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess

from relata.cli.project import load_project
from relata.conf import parse_url
from relata.exceptions import ImproperlyConfigured


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", default="default", help="database alias (default: default)")
    parser.add_argument("extra", nargs="*", help="arguments passed on to the client (after --)")


def client_command(settings: dict) -> tuple[list[str], dict[str, str]]:
    engine = settings["ENGINE"]
    env: dict[str, str] = {}
    if engine == "sqlite":
        return ["sqlite3", settings["NAME"]], env
    if engine == "postgresql":
        args = ["psql"]
        for flag, key in (("-U", "USER"), ("-h", "HOST"), ("-p", "PORT")):
            if settings.get(key):
                args += [flag, str(settings[key])]
        args.append(settings["NAME"] or "postgres")
        if settings.get("PASSWORD"):
            env["PGPASSWORD"] = settings["PASSWORD"]
        return args, env
    args = ["mysql"]
    for flag, key in (("--user", "USER"), ("--host", "HOST"), ("--port", "PORT")):
        if settings.get(key):
            args.append(f"{flag}={settings[key]}")
    if settings.get("PASSWORD"):
        env["MYSQL_PWD"] = settings["PASSWORD"]
    args.append(settings["NAME"])
    return args, env


def run(args: argparse.Namespace) -> int:
    project = load_project(args.settings, args.apps, alias=args.database, import_models=False)
    command, env = client_command(parse_url(project.url))
    if shutil.which(command[0]) is None:
        raise ImproperlyConfigured(
            f"The {command[0]} client is not installed or not on PATH; install it to use dbshell."
        )
    return subprocess.call(command + list(args.extra), env={**os.environ, **env})
