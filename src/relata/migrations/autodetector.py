"""Working out which operations turn one project state into another.

The autodetector compares the state the migration files build (`from_state`)
with the state of the models (`to_state`) — two frozen ProjectStates, never
live classes — and returns, per app, a Migration whose operations run in a
safe order: renames first, then new models (foreign key targets before the
models pointing at them), new and altered fields, options, and removals
last. Operations that need another app's models depend on that app's
migration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from relata.migrations import operations as ops
from relata.migrations.migration import Migration
from relata.migrations.questioner import KEEP_NULLS, MigrationQuestioner
from relata.migrations.state import (
    ALTER_OPTION_KEYS,
    ModelState,
    ProjectState,
    clone_field,
    field_from_deconstruction,
    field_signature,
)

# Operation kinds in the order they are written into a migration.
PHASES = (
    "rename",
    "remove_index",
    "create",
    "create_field",
    "add_field",
    "alter_field",
    "options",
    "add_index",
    "remove_field",
    "delete",
)


@dataclass
class Planned:
    operation: Any
    phase: str
    #: Models (app_label, model_name) the operation needs to exist first.
    needs: set[tuple[str, str]] = field(default_factory=set)


def relation_targets(fld: Any) -> set[tuple[str, str]]:
    """(app_label, model_name) of the models a relation field points at, from its deconstruction."""
    if not fld.is_relation:
        return set()
    kwargs = fld.deconstruct()[3]
    found = set()
    for key in ("to", "through"):
        value = kwargs.get(key)
        if isinstance(value, str) and "." in value:
            app, name = value.split(".", 1)
            found.add((app, name.lower()))
    return found


class MigrationAutodetector:
    def __init__(self, from_state: ProjectState, to_state: ProjectState, questioner: MigrationQuestioner | None = None):
        self.from_state = from_state
        self.to_state = to_state
        self.questioner = questioner or MigrationQuestioner()
        self.planned: dict[str, list[Planned]] = {}

    # -- entry point ---------------------------------------------------------------

    def changes(
        self, graph: Any, trim_to_apps: set[str] | None = None, migration_name: str | None = None
    ) -> dict[str, list[Migration]]:
        self.detect()
        if trim_to_apps is not None:
            self.planned = {app: plan for app, plan in self.planned.items() if app in trim_to_apps}
        return self.arrange(graph, migration_name)

    def detect(self) -> None:
        old, new = self.from_state.models, self.to_state.models
        self.model_renames = self._detect_model_renames()
        renamed_new = set(self.model_renames.values())
        renamed_old = set(self.model_renames)
        added = sorted(k for k in new if k not in old and k not in renamed_new)
        removed = sorted(k for k in old if k not in new and k not in renamed_old)
        kept = [(k, k) for k in sorted(new) if k in old] + sorted((o, n) for o, n in self.model_renames.items())
        for old_key, new_key in kept:
            self._compare_model(self.from_state.models[old_key], self.to_state.models[new_key])
        #: Models that only exist once this batch of migrations has run, by key.
        self.created = set(added) | renamed_new
        self.app_rank = self._order_apps(added)
        self._create_models(added)
        self._delete_models(removed)

    def plan(self, app_label: str, operation: Any, phase: str, needs: set[tuple[str, str]] | None = None) -> None:
        self.planned.setdefault(app_label, []).append(Planned(operation, phase, needs or set()))

    # -- models -------------------------------------------------------------------

    def _detect_model_renames(self) -> dict[tuple[str, str], tuple[str, str]]:
        old, new = self.from_state.models, self.to_state.models
        renames: dict[tuple[str, str], tuple[str, str]] = {}
        for new_key in sorted(k for k in new if k not in old):
            new_state = new[new_key]
            for old_key in sorted(k for k in old if k not in new and k[0] == new_key[0]):
                if old_key in renames:
                    continue
                if _fields_match(old[old_key], new_state) and self.questioner.ask_rename_model(old[old_key], new_state):
                    renames[old_key] = new_key
                    self.plan(new_key[0], ops.RenameModel(old[old_key].name, new_state.name), "rename")
                    break
        return renames

    def _order_apps(self, added: list[tuple[str, str]]) -> dict[str, int]:
        """Rank apps so that an app's new migration comes after those creating the models it needs.

        Foreign keys in a circle across apps leave no such order: the first
        app of the circle (by name) goes first, and its relations to models
        that later apps create wait in a second migration (`waits`).
        """
        needs: dict[str, set[str]] = {}
        for key in added:
            for fld in self.to_state.models[key].fields.values():
                needs.setdefault(key[0], set()).update(t[0] for t in relation_targets(fld) if t in self.created)
        for app, planned in self.planned.items():
            for item in planned:
                needs.setdefault(app, set()).update(t[0] for t in item.needs if t in self.created)
        remaining = sorted(set(needs) | {a for apps in needs.values() for a in apps})
        placed: list[str] = []
        while remaining:
            ready = [app for app in remaining if needs.get(app, set()) - {app} <= set(placed)]
            chosen = (ready or remaining)[0]
            placed.append(chosen)
            remaining.remove(chosen)
        return {app: rank for rank, app in enumerate(placed)}

    def waits(self, app: str, needs: set[tuple[str, str]]) -> bool:
        """Whether something of `app` needs a model that an app ranked later creates."""
        rank = self.app_rank.get(app, 0)
        return any(t in self.created and t[0] != app and self.app_rank.get(t[0], 0) > rank for t in needs)

    def _create_models(self, added: list[tuple[str, str]]) -> None:
        by_app: dict[str, list[tuple[str, str]]] = {}
        for key in added:
            by_app.setdefault(key[0], []).append(key)
        for app, keys in by_app.items():
            created: set[tuple[str, str]] = set()
            for key in _dependency_order(keys, self.to_state):
                model = self.to_state.models[key]
                fields, later, needs = [], [], set()
                for name, fld in model.fields.items():
                    targets = relation_targets(fld) - {key}
                    waiting = {t for t in targets if t in keys and t not in created}
                    if waiting or self.waits(app, targets):
                        later.append((name, fld, targets))
                    else:
                        fields.append((name, clone_field(fld)))
                        needs |= targets
                options = {k: v for k, v in model.options.items() if v or k not in ("indexes", "constraints")}
                self.plan(app, ops.CreateModel(model.name, fields, options), "create", needs)
                created.add(key)
                for name, fld, targets in later:
                    self.plan(app, ops.AddField(model.name, name, clone_field(fld)), "create_field", targets | {key})

    def _delete_models(self, removed: list[tuple[str, str]]) -> None:
        ordered = list(reversed(_dependency_order(removed, self.from_state)))
        for key in ordered:
            self.plan(key[0], ops.DeleteModel(self.from_state.models[key].name), "delete")

    # -- fields and options of a model that stays ----------------------------------

    def _compare_model(self, old: ModelState, new: ModelState) -> None:
        app, name = new.app_label, new.name
        field_renames = self._detect_field_renames(old, new)
        reverse_renames = {v: k for k, v in field_renames.items()}
        for new_name, fld in new.fields.items():
            old_name = reverse_renames.get(new_name, new_name)
            if old_name not in old.fields:
                self._add_field(app, name, new_name, fld)
            elif field_signature(old.fields[old_name]) != field_signature(fld):
                if _signature_without_targets(old.fields[old_name], self.model_renames) == _signature_without_targets(
                    fld, {}
                ):
                    continue  # only the renamed model's label changed: RenameModel covers it
                self._alter_field(app, name, new_name, old.fields[old_name], fld)
        for old_name in old.fields:
            if old_name not in new.fields and old_name not in field_renames:
                self.plan(app, ops.RemoveField(name, old_name), "remove_field")
        self._compare_options(old, new, field_renames)

    def _detect_field_renames(self, old: ModelState, new: ModelState) -> dict[str, str]:
        renames: dict[str, str] = {}
        added = [n for n in new.fields if n not in old.fields]
        removed = [n for n in old.fields if n not in new.fields]
        for new_name in added:
            signature = _signature_ignoring_column(new.fields[new_name])
            for old_name in removed:
                if old_name in renames:
                    continue
                if _signature_ignoring_column(old.fields[old_name]) != signature:
                    continue
                if self.questioner.ask_rename_field(new.name, old_name, new_name, new.fields[new_name]):
                    renames[old_name] = new_name
                    self.plan(new.app_label, ops.RenameField(new.name, old_name, new_name), "rename")
                    break
        return renames

    def _add_field(self, app: str, model_name: str, name: str, fld: Any) -> None:
        needs = relation_targets(fld)
        if _fills_itself(fld):
            self.plan(app, ops.AddField(model_name, name, clone_field(fld)), "add_field", needs)
            return
        if getattr(fld, "auto_now_add", False):
            value = self.questioner.ask_auto_now_add_addition(model_name, name)
        else:
            value = self.questioner.ask_not_null_addition(model_name, name)
        field = _with_default(fld, value)
        self.plan(app, ops.AddField(model_name, name, field, preserve_default=False), "add_field", needs)

    def _alter_field(self, app: str, model_name: str, name: str, old: Any, new: Any) -> None:
        """AlterField; a field turning NOT NULL without a default asks what existing NULLs become."""
        field, preserve = clone_field(new), True
        if old.null and not new.null and not new.has_default() and not new.has_db_default() and not new.many_to_many:
            value = self.questioner.ask_not_null_alteration(model_name, name)
            if value is not KEEP_NULLS:
                field, preserve = _with_default(new, value), False
        operation = ops.AlterField(model_name, name, field, preserve_default=preserve)
        self.plan(app, operation, "alter_field", relation_targets(new))

    def _compare_options(self, old: ModelState, new: ModelState, field_renames: dict[str, str]) -> None:
        app, name = new.app_label, new.name
        if old.options.get("db_table") != new.options.get("db_table"):
            self.plan(app, ops.AlterModelTable(name, new.options.get("db_table")), "options")
        if old.options.get("db_table_comment", "") != new.options.get("db_table_comment", ""):
            self.plan(app, ops.AlterModelTableComment(name, new.options.get("db_table_comment", "")), "options")
        old_ut = {tuple(g) for g in old.options.get("unique_together", ())}
        new_ut = {tuple(g) for g in new.options.get("unique_together", ())}
        if old_ut != new_ut:
            self.plan(app, ops.AlterUniqueTogether(name, new_ut), "options")
        old_opts = {k: old.options[k] for k in ALTER_OPTION_KEYS if k in old.options}
        new_opts = {k: new.options[k] for k in ALTER_OPTION_KEYS if k in new.options}
        if old_opts != new_opts:
            self.plan(app, ops.AlterModelOptions(name, new_opts), "options")
        old_indexes = [_renamed_fields(index, field_renames) for index in old.options["indexes"]]
        self._compare_named(app, name, old_indexes, new.options["indexes"], ops.AddIndex, ops.RemoveIndex, "index")
        self._compare_named(
            app,
            name,
            old.options["constraints"],
            new.options["constraints"],
            ops.AddConstraint,
            ops.RemoveConstraint,
            "constraint",
        )

    def _compare_named(
        self, app: str, model_name: str, old: list[Any], new: list[Any], add: type, remove: type, keyword: str
    ) -> None:
        old_by_name = {item.name: item for item in old}
        new_by_name = {item.name: item for item in new}
        renamed = _renamed_indexes(old_by_name, new_by_name) if keyword == "index" else {}
        for old_name, new_name in renamed.items():
            self.plan(app, ops.RenameIndex(model_name, new_name=new_name, old_name=old_name), "remove_index")
        for item_name, item in old_by_name.items():
            if item_name in renamed:
                continue
            if item_name not in new_by_name or new_by_name[item_name].deconstruct() != item.deconstruct():
                self.plan(app, remove(model_name=model_name, name=item_name), "remove_index")
        for item_name, item in new_by_name.items():
            if item_name in renamed.values():
                continue
            if item_name not in old_by_name or old_by_name[item_name].deconstruct() != item.deconstruct():
                self.plan(app, add(model_name=model_name, **{keyword: item.clone()}), "add_index")

    # -- arranging into migrations -------------------------------------------------

    def arrange(self, graph: Any, migration_name: str | None) -> dict[str, list[Migration]]:
        """Per app with changes, one migration numbered after the app's latest one.

        An app whose relations wait for models of a later-ranked app (foreign
        keys in a circle across apps) gets a second migration holding those
        fields, after the migrations that create their targets.
        """
        firsts: dict[str, str] = {}
        result: dict[str, list[Migration]] = {}
        needs: list[tuple[Migration, set[tuple[str, str]]]] = []
        for app in sorted(self.planned):
            planned = sorted(self.planned[app], key=lambda p: PHASES.index(p.phase))
            now = [p for p in planned if not self.waits(app, p.needs)]
            later = [p for p in planned if self.waits(app, p.needs)]
            leaf = _leaf(graph, app)
            number = int(leaf[1][:4]) + 1 if leaf else 1
            migrations = []
            for part in (now, later) if now and later else (planned,):
                operations = [p.operation for p in part]
                initial = leaf is None and not migrations
                suffix = migration_name or ("initial" if initial else suggest_name(operations))
                migration = type(
                    "Migration",
                    (Migration,),
                    {
                        "operations": operations,
                        "dependencies": [],
                        "initial": initial or None,
                    },
                )(f"{number + len(migrations):04d}_{suffix}", app)
                previous = migrations[-1].key if migrations else leaf
                if previous is not None:
                    migration.dependencies.append(previous)
                needs.append((migration, {t for p in part for t in p.needs if t[0] != app}))
                migrations.append(migration)
            firsts[app] = migrations[0].name
            result[app] = migrations
        for migration, needed in needs:
            self._add_dependencies(migration, needed, graph, firsts)
        return result

    def _add_dependencies(
        self, migration: Migration, needed: set[tuple[str, str]], graph: Any, firsts: dict[str, str]
    ) -> None:
        """On the new migration of another app that creates a needed model, else on that app's latest one."""
        for other_app in sorted({t[0] for t in needed}):
            created_now = any(t in self.created and t[0] == other_app for t in needed)
            parent = (other_app, firsts[other_app]) if created_now and other_app in firsts else _leaf(graph, other_app)
            if parent is not None and parent not in migration.dependencies:
                migration.dependencies.append(parent)


def suggest_name(operations: list[Any]) -> str:
    fragments = [op.migration_name_fragment for op in operations]
    if all(fragments) and fragments:
        name = "_".join(sorted(set(fragments), key=fragments.index))
        if len(name) <= 52:
            return name
    import datetime

    return "auto_" + datetime.datetime.now().strftime("%Y%m%d_%H%M")


def _leaf(graph: Any, app: str) -> tuple[str, str] | None:
    leaves = graph.leaf_nodes(app) if graph is not None else []
    return leaves[-1] if leaves else None


def _renamed_fields(index: Any, field_renames: dict[str, str]) -> Any:
    """The index as it reads once RenameField has run (RenameField updates index fields in the state)."""
    if not field_renames:
        return index
    index = index.clone()
    index.fields = [
        ("-" if f.startswith("-") else "") + field_renames.get(f.lstrip("-"), f.lstrip("-")) for f in index.fields
    ]
    return index


def _renamed_indexes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, str]:
    """Old name -> new name for indexes that only changed their name (same fields, same options)."""

    def shape(index: Any) -> Any:
        _path, args, kwargs = index.deconstruct()
        return args, {k: v for k, v in kwargs.items() if k != "name"}

    renames: dict[str, str] = {}
    added = [name for name in new if name not in old]
    for old_name, index in old.items():
        if old_name in new:
            continue
        for new_name in added:
            if new_name not in renames.values() and shape(new[new_name]) == shape(index):
                renames[old_name] = new_name
                break
    return renames


def _fills_itself(fld: Any) -> bool:
    """Whether existing rows get a value for this new field without asking (Django's rules).

    NULL, a default, an M2M (no column), a blank string field ('') and
    auto_now (the current time) need no answer; the schema editor is given
    the value by the operation.
    """
    return bool(
        fld.null
        or fld.has_default()
        or fld.has_db_default()
        or fld.many_to_many
        or fld.primary_key
        or (fld.blank and fld.empty_strings_allowed)
        or getattr(fld, "auto_now", False)
    )


def _with_default(fld: Any, value: Any) -> Any:
    _name, path, args, kwargs = fld.deconstruct()
    kwargs["default"] = value
    return field_from_deconstruction(path, args, kwargs)


def _fields_match(old: ModelState, new: ModelState) -> bool:
    if list(old.fields) != list(new.fields):
        return False
    old_label = f"{old.app_label}.{old.name_lower}"
    new_label = f"{new.app_label}.{new.name_lower}"
    for name, fld in old.fields.items():
        a, b = field_signature(fld), field_signature(new.fields[name])
        if a[2].get("to") == old_label and b[2].get("to") == new_label:
            a[2]["to"] = new_label
        if a != b:
            return False
    return True


def _signature_ignoring_column(fld: Any) -> Any:
    path, args, kwargs = field_signature(fld)
    kwargs.pop("db_column", None)
    return path, args, kwargs


def _signature_without_targets(fld: Any, renames: dict) -> Any:
    path, args, kwargs = field_signature(fld)
    for key in ("to", "through"):
        value = kwargs.get(key)
        if isinstance(value, str) and "." in value:
            app, name = value.split(".", 1)
            renamed = renames.get((app, name.lower()))
            if renamed is not None:
                kwargs[key] = f"{renamed[0]}.{renamed[1]}"
    return path, args, kwargs


def _dependency_order(keys: list[tuple[str, str]], state: ProjectState) -> list[tuple[str, str]]:
    """Model keys with each model after the models (among `keys`) its relations point at."""
    ordered: list[tuple[str, str]] = []
    pending = list(keys)
    while pending:
        for key in pending:
            targets = set()
            for fld in state.models[key].fields.values():
                if not fld.many_to_many:
                    targets |= relation_targets(fld)
            if not (targets - {key}) & set(pending):
                ordered.append(key)
                pending.remove(key)
                break
        else:
            ordered.extend(pending)  # a cycle: CreateModel splits the relation off into an AddField
            break
    return ordered
