"""The date and time transforms a lookup path names on date, datetime and time fields.

`pub_date__year`, `pub_date__week_day`, `created__date`, `alarm__hour` ...: each
reads one part of the value (`Extract` node, spelled by the dialect).
"""

from __future__ import annotations

from typing import Any

from relata.models import fields as f
from relata.models.lookups.base import Transform
from relata.sql import nodes as n


class DatePartTransform(Transform):
    """A part of a date or time value, named by `lookup_name`."""

    output_field = f.IntegerField()

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        node, _ = self.lhs.resolve(builder)
        return n.Extract(self.lookup_name, node), self.output_field


def _transform(name: str, output: Any) -> type[DatePartTransform]:
    attrs = {"lookup_name": name, "output_field": output, "__module__": __name__}
    return type(name.title().replace("_", "") + "Transform", (DatePartTransform,), attrs)


DATE_TRANSFORMS = [
    _transform(part, f.IntegerField())
    for part in ("year", "month", "day", "week_day", "iso_week_day", "week", "quarter", "iso_year")
]
TIME_TRANSFORMS = [_transform(part, f.IntegerField()) for part in ("hour", "minute", "second")]
DateTransform = _transform("date", f.DateField())
TimeTransform = _transform("time", f.TimeField())

for _transform_class in DATE_TRANSFORMS:
    f.DateField.register_lookup(_transform_class)
    f.DateTimeField.register_lookup(_transform_class)
for _transform_class in (*TIME_TRANSFORMS, DateTransform, TimeTransform):
    f.DateTimeField.register_lookup(_transform_class)
for _transform_class in TIME_TRANSFORMS:
    f.TimeField.register_lookup(_transform_class)
