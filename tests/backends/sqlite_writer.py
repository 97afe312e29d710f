"""One writer process for the SQLite concurrency test: N read-then-write atomic blocks.

Run as `python sqlite_writer.py URL N`; prints how many blocks failed with
"database is locked" (or another OperationalError), after retrying none.
"""

from __future__ import annotations

import sys

import relata
from relata import exceptions, models, transaction


class Counter(models.Model):
    value = models.IntegerField(default=0)

    class Meta:
        app_label = "b_sqlite_writer"


def main(url: str, blocks: int) -> int:
    relata.connect(url)
    failures = 0
    for _ in range(blocks):
        try:
            with transaction.atomic():
                counter = Counter.objects.get(pk=1)  # read first: the lock upgrade is what used to fail
                counter.value += 1
                counter.save(update_fields=["value"])
        except exceptions.OperationalError as error:
            failures += 1
            print(error, file=sys.stderr)
    return failures


if __name__ == "__main__":
    print(main(sys.argv[1], int(sys.argv[2])))
