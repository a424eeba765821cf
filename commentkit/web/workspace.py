"""The served folder: which comment projects it holds, and how a URL names one.

A project is named in URLs by its path relative to the served folder, with ``:`` for ``/``
(``~`` is the served folder itself). A name is only ever looked up among the projects found by
:meth:`Workspace.projects`; nothing a request sends becomes a file path, so no path outside the
served folder can be reached.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from commentkit.errors import UserError
from commentkit.models.project import PROJECT_FILE
from commentkit.project.folder import Project

ROOT_KEY = "~"
MAX_DEPTH = 3
SKIP_DIRS = frozenset({"answers", "general", "build", "templates", "attachments", "node_modules", "__pycache__"})
NEW_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


class NotFound(Exception):
    """No project of that name in the served folder."""


@dataclass(frozen=True)
class Entry:
    key: str
    path: Path
    rel: str  # as shown to the user


WATCHED_FILES = (PROJECT_FILE, "profile.yaml", "association.yaml")
WATCHED_DIRS = ("answers", "general", "templates", "attachments", "build", ".commentkit/edits")


def signature(root: Path) -> tuple:
    """What a page read from the project: every file's name, size and change time.

    Any save (by this app, a command or a text editor) changes it, so a page never shows
    stale data. (A write is also never based on it: saving compares the file's bytes.)
    """
    out: list[tuple] = []
    for name in WATCHED_FILES:
        try:
            st = os.stat(root / name)
            out.append((name, st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            out.append((name, None))
    for sub in WATCHED_DIRS:
        try:
            with os.scandir(root / sub) as it:
                for e in it:
                    try:
                        st = e.stat()
                        out.append((sub, e.name, st.st_mtime_ns, st.st_size, st.st_ino))
                    except OSError:
                        pass
        except OSError:
            out.append((sub, None))
    return tuple(sorted(out, key=repr))


class Workspace:
    def __init__(self, folder: Path):
        self.folder = Path(folder).resolve()
        self._cache: dict[Path, tuple[tuple, Project, dict]] = {}
        self._lock = threading.Lock()

    def projects(self) -> list[Entry]:
        out: list[Entry] = []
        self._scan(self.folder, 0, out)
        return out

    def _scan(self, folder: Path, depth: int, out: list[Entry]) -> None:
        if (folder / PROJECT_FILE).is_file():
            rel = folder.relative_to(self.folder)
            key = ROOT_KEY if rel == Path(".") else ":".join(rel.parts)
            out.append(Entry(key, folder, "." if key == ROOT_KEY else rel.as_posix()))
        if depth >= MAX_DEPTH:
            return
        try:
            subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
        except OSError:
            return
        for sub in subs:
            if sub.name.startswith(".") or sub.name in SKIP_DIRS:
                continue
            self._scan(sub, depth + 1, out)

    def entry(self, key: str) -> Entry:
        """The project named ``key`` (found by scanning; never built from the key)."""
        if key == ROOT_KEY:
            if (self.folder / PROJECT_FILE).is_file():
                return Entry(ROOT_KEY, self.folder, ".")
            raise NotFound(key)
        parts = key.split(":")
        if len(parts) > MAX_DEPTH or any(not p or p.startswith(".") or p in SKIP_DIRS or "/" in p or "\\" in p
                                         or p in ("..", ".") for p in parts):
            raise NotFound(key)
        for e in self.projects():  # only what the scan found
            if e.key == key:
                return e
        raise NotFound(key)

    def open(self, key: str) -> Project:
        """A freshly read project (for anything that writes)."""
        e = self.entry(key)
        return Project.open(e.path)

    def view(self, key: str) -> tuple[Project, dict]:
        """The project for a page that only reads, and a memo for what pages derive from it.

        Both are reused while :func:`signature` is unchanged, so moving between pages does not
        re-read and re-validate 80 answer files each time.
        """
        e = self.entry(key)
        sig = signature(e.path)
        with self._lock:
            hit = self._cache.get(e.path)
            if hit is not None and hit[0] == sig:
                return hit[1], hit[2]
        proj = Project.open(e.path)
        _ = (proj.answers, proj.profile)  # read now, under this signature
        memo: dict = {}
        with self._lock:
            self._cache[e.path] = (sig, proj, memo)
        return proj, memo

    def new_project_path(self, name: str) -> tuple[str, Path]:
        """Where ``create`` puts a new project called ``name`` (a plain folder name)."""
        name = name.strip()
        if not NEW_NAME.fullmatch(name) or name in SKIP_DIRS:
            raise UserError("the folder name may use letters, digits, '.', '_' and '-' (no '/', no leading dot)")
        if (self.folder / PROJECT_FILE).is_file():
            raise UserError("the served folder is itself a project: start 'commentkit serve' on its parent "
                            "folder to create new projects beside it")
        path = self.folder / name
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise UserError(f"a file or non-empty folder named {name!r} already exists here; choose another name")
        if os.path.realpath(path.parent) != str(self.folder):
            raise UserError("the new project must be inside the served folder")
        return name, path
