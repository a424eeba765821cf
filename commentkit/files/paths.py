"""One path policy for every file commentkit reads or writes in a folder it manages.

A *managed folder* is a project, a member project, a docket pack or an association folder. The
code that opens one calls :func:`confine` with its root; from then on, in this process:

* **reads** (:func:`read_regular`, used by every file reader) of a path inside a managed folder
  resolve it first and refuse it when it leads outside the folder (a symbolic link to a file
  elsewhere, or a linked sub-folder such as ``answers/``); every read, managed or not, refuses
  anything that is not a regular file (a FIFO, a device, a socket, a folder) *before* reading,
  without ever blocking: the file is opened with ``O_NONBLOCK`` and checked with ``fstat``.
* **writes** (:func:`check_write`, called by :mod:`commentkit.files.storage` for every write)
  inside a managed folder never go through a symbolic link: not through a linked sub-folder, not
  onto a linked file, and never outside the folder.
* **listings** (:func:`list_folder`) of a managed folder's sub-folder refuse a linked-out folder.

Every refusal is a one-line :class:`~commentkit.errors.PathError` naming the path (exit status 2).
Paths outside every managed folder (a file named on the command line) are read as given, but
still only when they are regular files.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from commentkit.errors import LimitError, PathError, UserError

_ROOTS: dict[str, str] = {}
"""Managed folders of this process: the absolute path as opened -> its resolved real path."""
_REALS: set[str] = set()
"""Their real paths (a path may reach a managed folder through the folder's real location)."""

_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


def confine(root: str | Path) -> Path:
    """Register ``root`` as a managed folder (idempotent); returns it as an absolute path."""
    absolute = os.path.abspath(root)
    if absolute not in _ROOTS:
        real = os.path.realpath(absolute)
        _ROOTS[absolute] = real
        _REALS.add(real)
    return Path(absolute)


def managed_root(path: str | Path) -> tuple[str, str] | None:
    """``(root as opened, its real path)`` of the innermost managed folder holding ``path``, or None.

    Walks up from ``path`` (a dictionary look-up per level), so the cost does not grow with the
    number of managed folders (collect registers one per member project)."""
    current = os.path.abspath(path)
    while True:
        real = _ROOTS.get(current)
        if real is not None:
            return current, real
        if current in _REALS:
            return current, current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def resolve_read(path: str | Path, what: str = "file") -> str:
    """The path to open for reading ``path``; refuses a managed path that leads outside its folder.

    Only the components below the managed folder are looked at (one ``lstat`` each, every time:
    nothing is cached, so a long-running process sees a link made later); a full resolution
    happens only when one of them is a link."""
    absolute = os.path.abspath(path)
    area = managed_root(absolute)
    if area is None:
        return absolute
    root, real_root = area
    rel = os.path.relpath(absolute, root)
    current = real_root
    for part in ([] if rel == "." else rel.split(os.sep)):
        current = os.path.join(current, part)
        try:
            st = os.lstat(current)
        except OSError:
            return current  # missing: the reader says so
        if stat.S_ISLNK(st.st_mode):
            real = os.path.realpath(absolute)
            if not _inside(real, real_root):
                thing = "folder" if os.path.isdir(real) else "file"
                raise PathError(f"{what} is a symbolic link (or inside a linked folder) leading outside {root} "
                                f"(to {real}); commentkit reads nothing outside it: replace the link with the real "
                                f"{thing}", path)
            return real
    return current


def read_regular(path: str | Path, what: str = "file", max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file under the path policy, bounded by ``max_bytes``.

    Never blocks: a FIFO, a device or a socket is refused before anything is read.
    """
    real = resolve_read(path, what)
    try:
        fd = os.open(real, os.O_RDONLY | _O_NONBLOCK | _O_BINARY)
    except FileNotFoundError:
        raise UserError(f"{what} not found", path) from None
    except IsADirectoryError:
        raise PathError(f"expected a {what}, found a folder", path) from None
    except PermissionError:
        raise UserError(f"cannot read {what}: permission denied", path) from None
    except OSError as exc:
        raise UserError(f"cannot read {what}: {exc.strerror or exc}", path) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISDIR(st.st_mode):
                raise PathError(f"expected a {what}, found a folder", path)
            raise PathError(f"{what} is {_kind(st.st_mode)}, not a regular file; commentkit reads only "
                            "ordinary files", path)
        if max_bytes is not None and st.st_size > max_bytes:
            raise _too_large(what, st.st_size, max_bytes, path)
        if _O_NONBLOCK:
            os.set_blocking(fd, True)
        chunks = []
        got = 0
        limit = max_bytes if max_bytes is not None else -1
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if limit >= 0 and got > limit:  # it grew while being read
                raise _too_large(what, got, max_bytes, path)
        return b"".join(chunks)
    except OSError as exc:
        raise UserError(f"cannot read {what}: {exc.strerror or exc}", path) from None
    finally:
        os.close(fd)


def _too_large(what: str, size: int, limit: int | None, path) -> UserError:
    return LimitError(f"{what} is too large ({size:,} bytes; limit {limit:,})", path)


def check_regular(path: str | Path, what: str = "file") -> None:
    """Refuse ``path`` (without reading it) unless it is a regular file allowed by the policy.

    For readers that open the file themselves (zip readers): a missing file is left to them.
    """
    real = resolve_read(path, what)
    try:
        st = os.stat(real)
    except OSError:
        return
    if not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise PathError(f"expected a {what}, found a folder", path)
        raise PathError(f"{what} is {_kind(st.st_mode)}, not a regular file; commentkit reads only "
                        "ordinary files", path)


def list_folder(folder: str | Path, what: str = "folder") -> list[os.DirEntry]:
    """The entries of ``folder`` (empty when it does not exist); refuses a linked-out managed folder."""
    resolve_read(folder, what)
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise UserError(f"cannot read {what}: {exc.strerror or exc}", folder) from None


def check_write(path: str | Path, what: str = "file") -> None:
    """Refuse a write to ``path`` that would go through a symbolic link inside a managed folder.

    Inside a managed folder every folder between the root and the file must be a real folder
    (not a link, even one that leads back inside), and the file itself must not be a link.
    Outside managed folders (a path given on the command line) nothing is checked here.
    """
    absolute = os.path.abspath(path)
    area = managed_root(absolute)
    if area is None:
        return
    root, real_root = area
    rel = os.path.relpath(absolute, root)
    if rel == "." or rel.startswith(".." + os.sep) or rel == "..":
        raise PathError(f"commentkit writes only inside {root}", path)
    current = real_root
    parts = rel.split(os.sep)
    for i, part in enumerate(parts):
        current = os.path.join(current, part)
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            return  # the rest is created as real folders
        except OSError as exc:
            raise UserError(f"cannot write {what}: {exc.strerror or exc}", path) from None
        last = i == len(parts) - 1
        if stat.S_ISLNK(st.st_mode):
            kind = what if last else "folder " + os.path.join(root, *parts[: i + 1])
            raise PathError(f"{kind} is a symbolic link; commentkit does not write through links inside "
                            f"{root}: replace the link with the real {'file' if last else 'folder'}", path)
        if last and not (stat.S_ISREG(st.st_mode)):
            raise PathError(f"{what} is {_kind(st.st_mode)}, not a regular file; nothing was written", path)
        if not last and not stat.S_ISDIR(st.st_mode):
            raise PathError(f"{os.path.join(root, *parts[: i + 1])} is not a folder; nothing was written", path)


def confine_output(path: str | Path, root: str | Path, what: str = "output folder") -> Path:
    """``path`` (relative to ``root`` when relative) checked to stay inside the project ``root``.

    For output locations taken from a project file (``build.out``): those may not point outside
    the project, through ``..``, an absolute path or a link. Locations given on the command line
    are the user's choice and are not checked here.
    """
    root_real = os.path.realpath(root)
    candidate = Path(path)
    full = candidate if candidate.is_absolute() else Path(root) / candidate
    real = os.path.realpath(full)
    if not _inside(real, root_real) or real == root_real:
        raise PathError(f"{what} {str(path)!r} is outside the project folder {root}; in commentkit.yaml it "
                        "must be a folder inside the project (give another place on the command line with "
                        "--out)", Path(root) / "commentkit.yaml")
    return full
