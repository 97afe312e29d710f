"""QuerySet's writing methods: create, get_or_create, update_or_create, bulk writes, update() and delete().

Mixed into QuerySet; the statements themselves are built in relata.models.writes
and the deletion collector.
"""

from __future__ import annotations

from typing import Any

from relata.models import writes
from relata.models.routing import router


class WritingMethods:
    """The part of QuerySet that changes rows."""

    model: Any
    _db: str | None
    _hints: Any

    def create(self, **kwargs: Any) -> Any:
        self._refuse_reverse_one_to_one(kwargs)
        obj = self.model(**kwargs)
        obj.save(force_insert=True, using=self.db_for_write())
        return obj

    def db_for_write(self) -> str:
        if self._db is not None:
            return self._db
        return router.db_for_write(self.model, **self._hints)

    def get_or_create(self, defaults: dict[str, Any] | None = None, **kwargs: Any) -> tuple[Any, bool]:
        self._refuse_reverse_one_to_one(kwargs)
        return writes.get_or_create(self, defaults, kwargs)

    def update_or_create(
        self, defaults: dict[str, Any] | None = None, create_defaults: dict[str, Any] | None = None, **kwargs: Any
    ) -> tuple[Any, bool]:
        self._refuse_reverse_one_to_one({**kwargs, **(defaults or {}), **(create_defaults or {})})
        return writes.update_or_create(self, defaults, create_defaults, kwargs)

    def _refuse_reverse_one_to_one(self, values: dict[str, Any]) -> None:
        """`Place.objects.create(restaurant=r)`: the key lives in the other table, so no row here can hold it."""
        if not values:
            return
        accessors = {rel.get_accessor_name() for rel in self.model._meta.related_objects if rel.one_to_one}
        reverse = [name for name in values if name in accessors]
        if reverse:
            raise ValueError(
                f"The following fields do not exist in this model: {', '.join(reverse)}. They are the reverse side "
                "of one-to-one relations: save this object first, then set the relation from the other model."
            )

    def bulk_create(
        self,
        objs: Any,
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Any = None,
        unique_fields: Any = None,
    ) -> list[Any]:
        return writes.bulk_create(
            self, list(objs), batch_size, ignore_conflicts, update_conflicts, update_fields, unique_fields
        )

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        return writes.bulk_update(self, list(objs), list(fields), batch_size)

    def update(self, **kwargs: Any) -> int:
        self._not_sliced("update")
        self._not_combined("update")
        if not kwargs:
            raise TypeError("update() needs at least one field=value argument.")
        count = writes.update(self, kwargs)
        self._result_cache = None  # the rows it held are stale now
        return count

    update.alters_data = True  # type: ignore[attr-defined]

    def delete(self) -> tuple[int, dict[str, int]]:
        if self._state.is_sliced:
            raise TypeError("Cannot use 'limit' or 'offset' with delete().")
        self._not_combined("delete")
        if self._state.distinct_fields:
            raise TypeError("Cannot call delete() after .distinct(*fields).")
        if not self._yields_models:
            raise TypeError("Cannot call delete() after .values() or .values_list()")
        from relata.models.deletion import delete_collected

        # A plain distinct() picks the same rows: the DELETE has no use for it (as Django).
        queryset = self._clone(order_by=(), default_ordering=False, select_related=False, distinct=False)
        deleted = delete_collected(
            self.db_for_write(), lambda collector: collector.collect_queryset(queryset), origin=self
        )
        self._result_cache = None  # evaluating it again must not show the deleted rows
        return deleted

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]
