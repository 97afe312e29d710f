"""Pausing Python's cyclic garbage collector around bulk object work.

Loading rows or preparing a bulk insert builds several container objects per
row, none of them garbage; a running collector re-scans the growing set again
and again (up to half the time of a large load). Reference counting still
frees everything meanwhile, and the collector resumes as soon as the work is
done, on errors too. A collector the application turned off stays off.
"""

from __future__ import annotations

import gc
import threading
from typing import Any


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
            gc.enable()


collector_paused = CollectorPaused()
