"""Where commentkit's shipped data lives: ``questions/`` (docket packs) and ``templates/``.

In an installed wheel they are inside the package (``commentkit/_data/``); in a source checkout
they are the repository's top-level folders.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """A top-level data folder (``questions`` or ``templates``), in the wheel or the source tree."""
    inside = _PKG / "_data" / name
    if inside.is_dir():
        return inside
    return _PKG.parent / name
