"""Process settings for one ``commentkit`` command (the console entry point only; tests and
library callers that use :data:`commentkit.cli.cli` directly keep Python's defaults).

A command is short-lived: it imports click, pydantic and its models, reads a project and exits.
The cyclic garbage collector costs more than the work itself with Python's defaults (measured
with ``bench/run.py``; figures in docs/benchmarks.md): imports create hundreds of thousands of
long-lived objects (classes, functions, pydantic schemas), and with the default threshold of 700
allocations the collector rescans them over and over. :func:`start` raises the first-generation
threshold (as mypy does), so cycles are still collected, only less often. :func:`finish` freezes
what is left when the command ends, so the interpreter's shutdown does not walk every object
again (40-90 ms for ``build``). Files, atexit handlers and standard streams are closed as usual.
"""

from __future__ import annotations

import gc


def start() -> None:
    gc.set_threshold(200_000, 30, 30)


def finish() -> None:
    gc.freeze()
