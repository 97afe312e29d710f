"""Pausing Python's cyclic garbage collector around bulk object work.

Loading rows or preparing a bulk insert builds several container objects per
row, none of them garbage; a running collector re-scans the growing set again
and again (up to half the time of a large load). Reference counting still
frees everything meanwhile, and the collector resumes as soon as the work is
done, on errors too. A collector the application turned off stays off.

A large batch is then promoted to the oldest generation, where only full
collections look at it: otherwise the next young collections would trace it
all once more (a third of a 20,000-row select_related). Promotion is the
documented pair gc.freeze(); gc.unfreeze(), and is skipped when the
application keeps frozen objects of its own.
"""

from __future__ import annotations

import gc
import threading
from typing import Any

#: Container objects made while paused above which they are promoted on resume.
PROMOTE_AFTER = 10_000


class CollectorPaused(threading.local):
    """`with collector_paused:` — reusable, per thread, and nests (the outermost use toggles)."""

    def __init__(self) -> None:
        self.resume: list[bool] = []

    def __enter__(self) -> None:
        running = gc.isenabled()
        if running:
            gc.disable()
        self.resume.append(running)

    def __exit__(self, *exc: Any) -> None:
        if self.resume.pop():
            if gc.get_count()[0] > PROMOTE_AFTER and not gc.get_freeze_count():
                # Cycles among what is promoted wait for the next full collection.
                gc.freeze()
                gc.unfreeze()
            gc.enable()


collector_paused = CollectorPaused()
