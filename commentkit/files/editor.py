"""Editing an answer in the user's own text editor (``$VISUAL``, then ``$EDITOR``).

The editor opens a working file kept inside the project (``.commentkit/edits/``), so what
the user typed survives an editor crash, a refused save or a power cut; commentkit deletes it
only once the answer is safely saved (or nothing was typed). The file starts with an
instruction block (the question, its citation and whether its wording is the agency's) that
is removed when the answer is read back:

    <!-- commentkit: this block is removed when you save ...
    ...
    commentkit: end of instructions -->
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

from commentkit.errors import UserError
from commentkit.files import storage

BLOCK_START = "<!-- commentkit:"
BLOCK_END = "commentkit: end of instructions -->"
EDITS_DIR = Path(".commentkit") / "edits"


class InstructionsDamaged(UserError):
    """The instruction block was opened but its closing line is gone."""


def instructions(lines: list[str]) -> str:
    """The comment block placed above the answer text (text that cannot close it early)."""
    safe = [ln.replace("-->", "-- >") for ln in lines]
    return "\n".join([f"{BLOCK_START} this block is removed when you save; write below it.", *safe,
                      BLOCK_END]) + "\n\n"


def strip_instructions(text: str, path: Path | None = None) -> str:
    """The answer text without the instruction block (text without a block is returned as is)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    head = text.lstrip()
    if not head.startswith(BLOCK_START):
        return text
    end = head.find(BLOCK_END)
    if end < 0:
        raise InstructionsDamaged(
            f"the instruction block at the top has lost its last line ({BLOCK_END!r}); "
            "nothing was saved. Remove the whole block (or restore that line) and try again", path)
    return head[end + len(BLOCK_END):].lstrip("\n")


def editor_command() -> list[str]:
    """``$VISUAL`` or ``$EDITOR`` split like a shell would, else a common terminal editor."""
    for var in ("VISUAL", "EDITOR"):
        raw = os.environ.get(var, "").strip()
        if raw:
            try:
                cmd = shlex.split(raw)
            except ValueError:
                raise UserError(f"${var} is not a valid command line: {raw!r}") from None
            if cmd:
                return cmd
    for name in ("nano", "vim", "vi"):
        found = shutil.which(name)
        if found:
            return [found]
    raise UserError("no text editor found: set $EDITOR (for example: export EDITOR=nano), "
                    "or give the answer with --text, --file PATH or on standard input")


def new_edit_file(root: Path, key: str, content: str) -> Path:
    """Create the working file for editing ``key`` (a fresh name each time, never overwriting)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    # exclusive creation: two processes saving the same second never share (and overwrite) a file
    return storage.create_unique(Path(root) / EDITS_DIR, f"{key}-{stamp}", ".md", content)


def run_editor(path: Path) -> int:
    """Open ``path`` in the editor and wait; returns the editor's exit status.

    While the editor runs, Ctrl-C belongs to the editor (vi uses it), not to commentkit.
    """
    cmd = editor_command()

    def child_defaults():  # pragma: no cover - runs in the child
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    # preexec_fn exists on POSIX only; on Windows the console delivers Ctrl-C to the editor anyway.
    extra: dict[str, Any] = {"preexec_fn": child_defaults} if os.name == "posix" else {}
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread (commentkit used as a library): leave signals alone
        previous = None
    try:
        try:
            proc = subprocess.run([*cmd, str(path)], **extra)
        except FileNotFoundError:
            raise UserError(f"editor not found: {cmd[0]!r} (check $VISUAL / $EDITOR)") from None
        except PermissionError:
            raise UserError(f"cannot run the editor {cmd[0]!r}: permission denied") from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return proc.returncode
