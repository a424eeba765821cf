"""Text that fits the terminal: lines and table rows wrapped (never cut) to its width.

Plain :mod:`textwrap`, no table library: the commands that print tables (status, check, plan,
questions) start in a few milliseconds more than a bare Python, and a table library would cost
more than their work. Width: the terminal's, or ``COLUMNS``, else 80; at most 100 so lines
stay readable, at least 60.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Sequence

import click

MIN_WIDTH, MAX_WIDTH = 60, 100


def width() -> int:
    return max(MIN_WIDTH, min(shutil.get_terminal_size((80, 24)).columns, MAX_WIDTH))


def fill(text: str, indent: int | str = 0, first: str = "", total: int | None = None) -> list[str]:
    """``text`` wrapped to the width; continuation lines indented by ``indent`` (spaces or a
    string). ``first`` is prefixed to the first line (e.g. two spaces)."""
    pad = indent if isinstance(indent, str) else " " * indent
    return textwrap.wrap(text, width=total or width(), initial_indent=first, subsequent_indent=pad,
                         break_long_words=True, break_on_hyphens=False) or [first.rstrip()]


def row(cells: Sequence[str], widths: Sequence[int | None], *, indent: int = 2, gap: int = 1,
        rest: str = "", rest_indent: int | None = None, total: int | None = None) -> list[str]:
    """One table row: each cell wrapped within its column; a ``None`` width takes what is left
    (at least 12). ``rest`` (free text such as counts) follows on the same line when it fits
    the width, else on the lines below, indented by ``rest_indent``."""
    total = total or width()
    fixed = sum(w for w in widths if w is not None) + gap * (len(widths) - 1) + indent
    flexible = [i for i, w in enumerate(widths) if w is None]
    share = max(12, (total - fixed) // len(flexible)) if flexible else 0
    ws = [w if w is not None else share for w in widths]
    wrapped = [textwrap.wrap(c, width=w, break_long_words=True, break_on_hyphens=False) or [""]
               for c, w in zip(cells, ws)]
    height = max(len(c) for c in wrapped)
    lines = []
    for i in range(height):
        parts = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(wrapped, ws)]
        lines.append((" " * indent + (" " * gap).join(parts)).rstrip())
    if rest:
        base = indent + sum(ws) + gap * (len(ws) - 1)
        if base + gap + len(rest) <= total:
            lines[0] = lines[0].ljust(base) + " " * gap + rest
        else:
            pad = " " * (indent + 2 if rest_indent is None else rest_indent)
            lines += fill(rest, pad, first=pad, total=total)
    return lines


_LABEL = re.compile(r"^([A-Z][A-Za-z ]{0,14}:\s+)\S")


def wrap_line(line: str, total: int | None = None) -> list[str]:
    """A line of text wrapped to the width: continuation lines line up after a leading label
    (``Time left: ``) or two spaces deeper than the line's own indentation."""
    total = total or width()
    if len(line) <= total:
        return [line]
    lead = len(line) - len(line.lstrip(" "))
    label = _LABEL.match(line)
    indent = len(label.group(1)) if label and not lead else lead + 2
    return fill(line[lead:], indent, first=" " * lead, total=total)


def echo(line: str = "") -> None:
    """``click.echo`` of a line wrapped to the terminal."""
    for part in wrap_line(line):
        click.echo(part)
