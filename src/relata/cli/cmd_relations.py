"""`relata relations Model`: every way into and out of a model.

Lists the model's forward fields and the reverse accessors other models give
it, each with its query name (for filter()) and the field that creates it,
so `book_set` versus `books` versus nothing (related_name="+") is one
command away.
"""

from __future__ import annotations

import argparse
from typing import Any

from relata.cli.project import load_project
from relata.exceptions import ImproperlyConfigured
from relata.models.introspect import describe_relations
from relata.models.registry import apps as registry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="Model or app_label.Model")
    parser.add_argument("--no-columns", action="store_true", help="leave out plain (non-relation) fields")


def find_model(name: str, labels: list[str]) -> Any:
    if "." in name:
        app, model_name = name.split(".", 1)
        try:
            return registry.get_model(app, model_name)
        except LookupError as exc:
            raise ImproperlyConfigured(f"{exc} Known models: {_known(labels)}.") from None
    found = [m for label in labels for m in registry.get_models(label) if m.__name__.lower() == name.lower()]
    if not found:
        raise ImproperlyConfigured(
            f"No model named {name!r} in apps {', '.join(labels)}; known models: {_known(labels)}."
        )
    if len(found) > 1:
        raise ImproperlyConfigured(
            f"{name!r} is ambiguous: {', '.join(m._meta.label for m in found)}; write app_label.Model."
        )
    return found[0]


def _known(labels: list[str]) -> str:
    names = [
        m._meta.label
        for label in labels
        for m in registry.get_models(label)
        if not getattr(m._meta, "auto_created", False)
    ]
    return ", ".join(names) or "(none)"


def table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def render(model: Any, include_columns: bool = True) -> str:
    rows = describe_relations(model, include_columns=include_columns)
    opts = model._meta
    lines = [f"{opts.label} (table {opts.db_table})", ""]
    forward = [r for r in rows if r.direction == "forward"]
    reverse = [r for r in rows if r.direction == "reverse"]
    head = ["accessor", "query name", "kind", "created by", "gives"]
    lines.append("Forward fields:")
    if not forward:
        lines.append("  (none)")
    else:
        lines += table([head] + [[r.accessor, r.query_name, r.kind, r.field, r.returns] for r in forward])
    lines.append("")
    lines.append(f"Reverse relations (fields of other models that point at {model.__name__}):")
    if not reverse:
        lines.append("  (none)")
    else:
        body = []
        for r in reverse:
            if r.accessor is None:
                body.append(["-", "-", r.kind, r.field, "nothing: related_name='+'"])
            else:
                body.append([r.accessor, r.query_name, r.kind, r.field, r.returns])
        lines += table([head] + body)
    notes = []
    for r in reverse:
        source = r.field.split(".")[0]
        if r.accessor is None:
            notes.append(
                f"{r.field} has related_name='+': {model.__name__} gets no accessor and no query name. "
                f"The column and its index stay; use {source}.objects.filter({r.field.split('.')[1]}=...)."
            )
        elif r.related_name:
            notes.append(
                f"{r.field} sets related_name={r.related_name!r}: the default {source.lower()}_set is not there."
            )
    if notes:
        lines.append("")
        lines += [f"Note: {n}" for n in notes]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    project = load_project(args.settings, args.apps)
    model = find_model(args.model, project.labels)
    print(render(model, include_columns=not args.no_columns))
    return 0
