"""Commands suggested in messages, written so they work when pasted where the user is.

A command that takes the project folder gets it (relative to the current folder) unless the
user is inside the project already: ``commentkit mark def-3 final acme-comment``.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path


def project_arg(root: Path | str | None) -> str | None:
    """The project folder as the user should type it, or None when they are inside it."""
    if root is None:
        return None
    root = Path(root).resolve()
    try:
        here = Path(os.getcwd()).resolve()
    except OSError:
        return str(root)
    if here == root or root in here.parents:
        return None
    try:
        rel = os.path.relpath(root, here)
    except ValueError:  # another drive (Windows)
        return str(root)
    return rel if not rel.startswith(".." + os.sep + "..") else str(root)


def command(root: Path | str | None, *args: str, options: tuple[str, ...] = ()) -> str:
    """``commentkit ARGS [DIR] OPTIONS`` with each part quoted for a POSIX shell."""
    parts = ["commentkit", *args]
    where = project_arg(root)
    if where is not None:
        parts.append(where)
    parts.extend(options)
    return " ".join(p if p.startswith("--") or p == "..." else shlex.quote(p) for p in parts)
