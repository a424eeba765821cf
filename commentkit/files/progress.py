"""Progress of slow steps, for a person watching a terminal.

Library code reports what it is doing through :func:`items` (a loop over things, such as member
responses) and :func:`step` (one slow call, such as a LibreOffice conversion). Nothing is
shown unless the command line turned a reporter on with :func:`to_stderr`, which it does only
when standard error is a terminal and ``--quiet`` was not given; so tests, pipes and ``--json``
scripts see nothing, and standard output is never touched.

A loop shows one line that is rewritten in place (``Reading member responses: 120/300
acme.yaml``) once it has run for :data:`DELAY` seconds, so fast runs print nothing at all; a
step shows ``Converting ... to PDF (LibreOffice) ... done (4.8 s)``.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")

DELAY = 1.0
"""Seconds a loop runs before its progress line appears."""

_stream: TextIO | None = None
_quiet = False


def to_stderr(enabled: bool = True) -> None:
    """Show progress on standard error if ``enabled`` and it is a terminal."""
    global _stream, _quiet
    _quiet = not enabled
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    _stream = sys.stderr if enabled and tty else None


def enabled() -> bool:
    """Whether progress is shown (a terminal, no --quiet)."""
    return _stream is not None


def quiet() -> bool:
    """Whether --quiet was given (network waits are reported even in a pipe, unless quiet)."""
    return _quiet


def off() -> None:
    global _stream
    _stream = None


def _width() -> int:
    return max(20, shutil.get_terminal_size((80, 24)).columns - 1)


def items(things: Iterable[T], what: str, total: int | None = None, label=str) -> Iterator[T]:
    """Yield ``things``, showing ``what: i/total label`` on the terminal after :data:`DELAY` s."""
    stream = _stream
    if stream is None:
        yield from things
        return
    if total is None and hasattr(things, "__len__"):
        total = len(things)  # type: ignore[arg-type]
    start = time.monotonic()
    shown = False
    i = 0
    for i, thing in enumerate(things, 1):
        if shown or time.monotonic() - start >= DELAY:
            shown = True
            line = f"{what}: {i}/{total} {label(thing)}" if total else f"{what}: {i} {label(thing)}"
            stream.write("\r" + line[: _width()].ljust(_width()))
            stream.flush()
        yield thing
    if shown:
        stream.write("\r" + f"{what}: {i}/{total or i} done in {time.monotonic() - start:.1f} s".ljust(_width())
                     + "\n")
        stream.flush()


@contextlib.contextmanager
def step(what: str) -> Iterator[None]:
    """Show ``what ...`` before a slow call and ``done (N s)`` after it."""
    stream = _stream
    if stream is None:
        yield
        return
    start = time.monotonic()
    stream.write(f"{what} ...")
    stream.flush()
    try:
        yield
    except BaseException:
        stream.write(" stopped\n")
        stream.flush()
        raise
    stream.write(f" done ({time.monotonic() - start:.1f} s)\n")
    stream.flush()
