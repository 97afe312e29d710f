"""The results table: median time per workload and implementation, and the ratio to raw.

Plain text for the terminal, or Markdown (--markdown) to paste into RESULTS.md.
The geometric mean covers the timed workloads, not the iterator, which has its
own rows: streaming time, and peak memory growth while streaming.
"""

from __future__ import annotations

import math
from typing import Any

BASELINE = "raw"
SKIPPED = "skipped"


def format_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    ms = seconds * 1000
    return f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"


def _usable(outcome: Any) -> bool:
    return outcome is not None and not outcome.failed and bool(outcome.times)


def _cell(outcome: Any, baseline: Any) -> str:
    if outcome is None:
        return "-"
    if outcome.error:
        return "ERROR"
    if outcome.mismatch:
        return "WRONG"
    text = format_seconds(outcome.median)
    if _usable(baseline) and outcome is not baseline:
        text += f" ({outcome.median / baseline.median:.1f}x)"
    return text


def _geometric_mean(mine: dict[str, Any], baseline: dict[str, Any], workloads: list[str]) -> str:
    """Geometric mean of the ratios to raw; "(n/m)" marks a mean over only n workloads."""
    ratios = [
        mine[name].median / baseline[name].median
        for name in workloads
        if _usable(mine.get(name)) and _usable(baseline.get(name))
    ]
    if not ratios:
        return "-"
    mean = math.exp(sum(map(math.log, ratios)) / len(ratios))
    partial = f" ({len(ratios)}/{len(workloads)})" if len(ratios) < len(workloads) else ""
    return f"{mean:.2f}x{partial}"


def _peak_cell(result: Any) -> str:
    if result is None or result.failed or result.peak_mb is None:
        return "-"
    return f"+{result.peak_mb:.1f} MB"


def build_rows(
    orms: list[str],
    workloads: list[str],
    results: dict[str, dict[str, Any]],
    iterator: dict[str, Any] | None,
) -> list[list[str]]:
    """Table rows, header first. An ORM missing from `results` was skipped."""
    baseline = results.get(BASELINE, {})

    def row(label: str, cell: Any) -> list[str]:
        return [label, *(cell(o) if o in results else SKIPPED for o in orms)]

    rows = [["workload", *orms]]
    for name in workloads:
        rows.append(row(name, lambda o, n=name: _cell(results[o].get(n), baseline.get(n))))
    rows.append(row("geometric mean", lambda o: _geometric_mean(results[o], baseline, workloads)))
    if iterator is not None:
        base = iterator.get(BASELINE)
        rows.append(row("iterator", lambda o: _cell(iterator.get(o), base)))
        rows.append(row("iterator peak memory", lambda o: _peak_cell(iterator.get(o))))
    return rows


def render_text(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def render_markdown(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" + " ---: |" * (len(rows[0]) - 1)]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)
