"""The migration graph: which migration depends on which, and in what order to run them.

Nodes are `(app_label, name)`; an edge runs from a migration to each of its
dependencies. Plans are depth-first walks that visit dependencies (forwards)
or dependents (backwards) first, with ties broken by name so the order is
the same on every machine.
"""

from __future__ import annotations

from typing import Any

from relata.exceptions import ImproperlyConfigured


class MigrationGraph:
    def __init__(self) -> None:
        self.nodes: dict[tuple[str, str], Any] = {}
        self.parents: dict[tuple[str, str], set[tuple[str, str]]] = {}
        self.children: dict[tuple[str, str], set[tuple[str, str]]] = {}

    def add_node(self, key: tuple[str, str], migration: Any) -> None:
        self.nodes[key] = migration
        self.parents.setdefault(key, set())
        self.children.setdefault(key, set())

    def add_dependency(self, child: tuple[str, str], parent: tuple[str, str]) -> None:
        if parent not in self.nodes:
            raise ImproperlyConfigured(
                f"Migration {child[0]}.{child[1]} depends on {parent[0]}.{parent[1]}, which does not "
                f"exist. Fix its dependencies list, or add {parent[0]} to [tool.relata] apps."
            )
        self.parents[child].add(parent)
        self.children[parent].add(child)

    def forwards_plan(self, target: tuple[str, str]) -> list[tuple[str, str]]:
        """`target` and everything it needs, dependencies first."""
        return self._walk(target, self.parents)

    def backwards_plan(self, target: tuple[str, str]) -> list[tuple[str, str]]:
        """`target` and everything that needs it, dependents first."""
        return self._walk(target, self.children)

    def _walk(self, start: tuple[str, str], edges: dict) -> list[tuple[str, str]]:
        self._require(start)
        order: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        # Iterative post-order, so deep histories do not hit the recursion limit.
        stack: list[tuple[tuple[str, str], bool]] = [(start, False)]
        on_path: set[tuple[str, str]] = set()
        while stack:
            node, expanded = stack.pop()
            if expanded:
                on_path.discard(node)
                if node not in seen:
                    seen.add(node)
                    order.append(node)
                continue
            if node in seen:
                continue
            if node in on_path:
                raise ImproperlyConfigured(f"Circular dependency between migrations at {node[0]}.{node[1]}.")
            on_path.add(node)
            stack.append((node, True))
            for nxt in sorted(edges[node], reverse=True):
                if nxt not in seen:
                    stack.append((nxt, False))
        return order

    def _require(self, key: tuple[str, str]) -> None:
        if key not in self.nodes:
            raise ImproperlyConfigured(f"There is no migration {key[0]}.{key[1]}.")

    def leaf_nodes(self, app_label: str | None = None) -> list[tuple[str, str]]:
        """Migrations no other migration of the same app depends on."""
        leaves = []
        for key in self.nodes:
            if app_label is not None and key[0] != app_label:
                continue
            if not any(child[0] == key[0] for child in self.children[key]):
                leaves.append(key)
        return sorted(leaves)

    def root_nodes(self, app_label: str | None = None) -> list[tuple[str, str]]:
        roots = []
        for key in self.nodes:
            if app_label is not None and key[0] != app_label:
                continue
            if not any(parent[0] == key[0] for parent in self.parents[key]):
                roots.append(key)
        return sorted(roots)

    def app_nodes(self, app_label: str) -> list[tuple[str, str]]:
        """An app's migrations in the order they apply."""
        ordered = []
        for leaf in self.leaf_nodes(app_label):
            for key in self.forwards_plan(leaf):
                if key[0] == app_label and key not in ordered:
                    ordered.append(key)
        return ordered

    def make_state(self, nodes: list[tuple[str, str]] | None = None) -> Any:
        """The project state after applying `nodes` and their dependencies (all when None)."""
        from relata.migrations.state import ProjectState

        wanted: list[tuple[str, str]] = []
        for node in self.leaf_nodes() if nodes is None else nodes:
            for key in self.forwards_plan(node):
                if key not in wanted:
                    wanted.append(key)
        state = ProjectState()
        for key in wanted:
            migration = self.nodes[key]
            for operation in migration.operations:
                operation.state_forwards(migration.app_label, state)
        return state

    def check_consistent(self) -> None:
        for key in self.nodes:
            self.forwards_plan(key)
