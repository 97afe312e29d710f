"""Replaying console sessions: each input line echoed after `>>> `, then its output.

`python -m relata.cli.replay` reads lines on stdin and runs them as the
interactive console would (expressions print their repr) inside the
project found from the current directory. A traceback prints the way the
console shows it (frames of the typed code only, then `Type: message`), so
a replay reads exactly like a pasted session. Notes attached to an exception
(relata's hints) are printed after the session, marked `# hint:`.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

from relata.cli.project import load_project


def console_traceback(exc: BaseException) -> list[str]:
    lines = ["Traceback (most recent call last):"]
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == "<console>":
            lines.append(f'  File "<console>", line {frame.lineno}, in {frame.name}')
    message = str(exc)
    lines.append(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)
    return lines


def replay(lines: list[str], namespace: dict[str, Any] | None = None) -> list[str]:
    """Run `lines`; return the hints (exception notes) seen, for the caller to show."""
    namespace = namespace if namespace is not None else {"__name__": "__console__"}
    hints: list[str] = []
    for line in lines:
        print(f">>> {line}", flush=True)
        try:
            code = compile(line, "<console>", "single")
            exec(code, namespace)
        except Exception as exc:
            print("\n".join(console_traceback(exc)), flush=True)
            hints.extend(getattr(exc, "__notes__", []))
        sys.stdout.flush()
    return hints


def main() -> int:
    load_project()
    lines = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    for hint in replay(lines):
        print(f"# hint: {hint}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
