"""The async API on the same models: `await Book.objects.aget(pk=1)`, `async for book in qs`, `await obj.asave()`.

As in Django, each `a...` method runs its synchronous twin in a thread through
asgiref's `sync_to_async(thread_sensitive=True)`: the calls of one event loop
share one thread, so they share that thread's connection and its transaction.
The mixins below are the whole of it; nothing synchronous pays for them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async

from relata.models import save_arguments


def _runs_in_thread(name: str) -> Any:
    """`a<name>(...)`: `<name>(...)` run in the thread-sensitive executor."""

    async def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return await sync_to_async(getattr(self, name))(*args, **kwargs)

    method.__name__ = f"a{name}"
    method.__qualname__ = f"a{name}"
    method.__doc__ = f"The async form of {name}()."
    return method


def _async_twins(*names: str) -> dict[str, Any]:
    return {f"a{name}": _runs_in_thread(name) for name in names}


class AsyncQuerySetMixin:
    """QuerySet's async methods (a Manager proxies them like the others)."""

    locals().update(
        _async_twins(
            "aggregate",
            "count",
            "get",
            "create",
            "get_or_create",
            "update_or_create",
            "bulk_create",
            "bulk_update",
            "in_bulk",
            "latest",
            "earliest",
            "first",
            "last",
            "exists",
            "contains",
            "update",
            "delete",
            "explain",
        )
    )

    def __aiter__(self) -> AsyncIterator[Any]:
        """`async for obj in queryset`: the rows are fetched (and cached) in one thread call."""

        async def rows() -> AsyncIterator[Any]:
            await sync_to_async(self._fetch_all)()  # type: ignore[attr-defined]
            for item in self._result_cache:  # type: ignore[attr-defined]
                yield item

        return rows()

    async def aiterator(self, chunk_size: int = 2000) -> AsyncIterator[Any]:
        """iterator() for `async for`: each chunk of rows is read in one thread call."""
        if chunk_size <= 0:
            raise ValueError("Chunk size must be strictly positive.")
        rows = self.iterator(chunk_size)  # type: ignore[attr-defined]

        def take() -> list[Any]:
            chunk = []
            for obj in rows:
                chunk.append(obj)
                if len(chunk) >= chunk_size:
                    break
            return chunk

        while True:
            chunk = await sync_to_async(take)()
            if not chunk:
                return
            for obj in chunk:
                yield obj


class AsyncModelMixin:
    """Model's async methods."""

    locals().update(_async_twins("delete", "refresh_from_db"))

    async def asave(
        self,
        *args: Any,
        force_insert: bool = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Any = None,
    ) -> None:
        """The async form of save() (positional arguments are mapped here, so the warning names the caller)."""
        given = (force_insert, force_update, using, update_fields)
        if args:
            given = save_arguments.from_positional("asave", args, given, 2)
        names = dict(zip(save_arguments.NAMES, given, strict=True))
        await sync_to_async(self.save)(**names)  # type: ignore[attr-defined]


class AsyncRelatedManagerMixin:
    """Reverse foreign key and many-to-many managers' async methods."""

    locals().update(_async_twins("add", "remove", "clear", "set", "create", "get_or_create", "update_or_create"))
