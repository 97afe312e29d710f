"""`relata shell`: a Python shell with every model of every app imported.

IPython when installed (unless `-i python`), else the standard console. The
banner lists the imports, as Django 5.2's shell does; `-c CODE` runs code
and exits.
"""

from __future__ import annotations

import argparse
import code
import importlib.util
from typing import Any

from relata.cli.project import load_project
from relata.models.registry import apps as registry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-i", "--interface", choices=["ipython", "python"], help="which shell")
    parser.add_argument("-c", "--command", dest="code", help="run this code instead of a shell")


def model_namespace(labels: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The models to import, by name, and the import lines that would bring them in."""
    namespace: dict[str, Any] = {}
    lines = []
    by_module: dict[str, list[str]] = {}
    for label in labels:
        for model in registry.get_models(label):
            if getattr(model._meta, "auto_created", False):
                continue
            name = model.__name__
            if name in namespace:
                name = f"{label}_{name}"
            namespace[name] = model
            by_module.setdefault(model.__module__, []).append(model.__name__)
    for module, names in by_module.items():
        lines.append(f"from {module} import {', '.join(sorted(names))}")
    return namespace, lines


def run(args: argparse.Namespace) -> int:
    project = load_project(args.settings, args.apps)
    namespace, lines = model_namespace(project.labels)
    if args.code:
        exec(compile(args.code, "<command>", "exec"), namespace)
        return 0
    count = len(namespace)
    banner = (
        f"{count} object{'s' if count != 1 else ''} imported automatically:\n\n"
        + "\n".join(f"  {line}" for line in lines)
        + "\n"
    )
    use_ipython = args.interface != "python" and importlib.util.find_spec("IPython") is not None
    if use_ipython:
        from IPython import start_ipython

        print(banner)
        start_ipython(argv=[], user_ns=namespace)
        return 0
    code.interact(banner=banner, local=namespace, exitmsg="")
    return 0
