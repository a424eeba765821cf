"""Finding and loading docket packs: the ones shipped in the wheel and the user's own.

A pack is a folder with ``docket.yaml``, ``questions.yaml`` and optionally
``interview.yaml``. Shipped packs live in ``questions/`` (inside the wheel at
``commentkit/_data/questions``); user packs (fetched or imported) live in the per-user data
folder, ``$COMMENTKIT_DATA_DIR/dockets`` when that variable is set.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from commentkit.errors import DocketPackError, typed
from commentkit.files import paths
from commentkit.files.resources import data_dir
from commentkit.files.yamlio import load_model
from commentkit.models.docket import Docket, Pack, QuestionBank
from commentkit.models.interview import Interview

DOCKET_FILE = "docket.yaml"
QUESTIONS_FILE = "questions.yaml"
INTERVIEW_FILE = "interview.yaml"

def shipped_dir() -> Path:
    return data_dir("questions")


def user_dir() -> Path:
    """Where fetched and imported packs are installed for this user."""
    env = os.environ.get("COMMENTKIT_DATA_DIR")
    if env:
        return Path(env) / "dockets"
    from platformdirs import user_data_dir  # lazy: only the user pack folder needs it

    return Path(user_data_dir("commentkit", appauthor=False)) / "dockets"


@dataclass(frozen=True)
class PackRef:
    docket_id: str
    path: Path
    source: str  # "shipped" or "user"


def _refs_in(folder: Path, source: str) -> list[PackRef]:
    if not folder.is_dir():
        return []
    if source == "user":
        _recover_interrupted_installs(folder)
    out = []
    for sub in sorted(folder.iterdir()):
        if sub.name.startswith("."):
            continue  # an install's work folders (.ID.new-*, .ID.old-*), never packs themselves
        if (sub / DOCKET_FILE).is_file():
            out.append(PackRef(sub.name, sub, source))
    return out


def _recover_interrupted_installs(folder: Path) -> None:
    """Put back a pack whose replacement was interrupted between its two renames.

    ``packwrite.install`` moves the old pack aside (``.ID.old-*``) and the new one into place;
    a process killed between the two leaves no ``ID`` folder. The previous pack is renamed back.
    """
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for aside in entries:
        m = re.fullmatch(r"\.(.+)\.(old|new)-[^/]+", aside.name)
        if not m or not aside.is_dir():
            continue
        home = folder / m.group(1)
        if m.group(2) == "old" and not home.exists() and (aside / DOCKET_FILE).is_file():
            try:
                os.replace(aside, home)
            except OSError:
                pass
            continue
        try:  # work folders an interrupted install left behind, once surely abandoned
            if time.time() - aside.stat().st_mtime > 600:
                shutil.rmtree(aside, ignore_errors=True)
        except OSError:
            pass


def shipped_ids() -> set[str]:
    return {r.docket_id for r in _refs_in(shipped_dir(), "shipped")}


def installed() -> list[PackRef]:
    """Every installed pack; a user pack with the same id as a shipped one takes precedence."""
    refs: dict[str, PackRef] = {r.docket_id: r for r in _refs_in(shipped_dir(), "shipped")}
    for r in _refs_in(user_dir(), "user"):
        refs[r.docket_id] = r
    return sorted(refs.values(), key=lambda r: r.docket_id)


def find(docket_id: str) -> PackRef:
    for r in installed():
        if r.docket_id.lower() == docket_id.lower():
            return r
    known = ", ".join(r.docket_id for r in installed()) or "none"
    raise DocketPackError(f"no docket pack named {docket_id!r} is installed (installed: {known})")


def load(docket_id: str):
    """Load an installed pack by docket id."""
    ref = find(docket_id)
    return load_path(ref.path, ref.source)


@lru_cache(maxsize=16)
def load_path(path: Path, source: str = "path"):
    """Load and validate the pack in ``path``; every problem names the file and line."""
    path = Path(path)
    if not path.is_dir():
        raise DocketPackError("docket pack folder not found", path)
    paths.confine(path)  # a pack's files are read under the path policy: no link out, no FIFO
    with typed(DocketPackError):
        return _load_path(path, source)


def _load_path(path: Path, source: str) -> Pack:
    docket = load_model(path / DOCKET_FILE, Docket, "docket file")
    bank = load_model(path / QUESTIONS_FILE, QuestionBank, "question bank")
    interview = None
    if (path / INTERVIEW_FILE).is_file():
        interview = load_model(path / INTERVIEW_FILE, Interview, "interview file")
    _check_pages(docket, bank, path / QUESTIONS_FILE)
    return Pack(docket=docket, bank=bank, interview=interview, path=str(path), source=source)


def _check_pages(docket, bank, file: Path) -> None:
    whole = docket.federal_register.pages
    for s in bank.sections:
        if s.pages is not None and not whole.contains(s.pages):
            raise DocketPackError(f"section {s.id!r}: pages {s.pages.first}-{s.pages.last} are outside the notice "
                            f"({whole.first}-{whole.last})", file)
    for q in bank.questions:
        if q.pages is not None and not whole.contains(q.pages):
            raise DocketPackError(f"question {q.id!r}: pages {q.pages.first}-{q.pages.last} are outside the notice "
                            f"({whole.first}-{whole.last})", file)
