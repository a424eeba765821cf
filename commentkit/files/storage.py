"""Writing files safely: atomic replace, backups, a project lock, and change detection.

Every file commentkit writes goes through :func:`atomic_write`: the new content goes to a
temporary file in the same folder, is flushed and fsynced, then renamed over the old one,
so a crash or SIGKILL leaves either the old or the new version, never a partial file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from commentkit.errors import ConflictError, LimitError, UserError
from commentkit.files import limits, paths

BACKUP_DIR = Path(".commentkit") / "backups"
LOCK_FILE = Path(".commentkit") / "lock"
BACKUPS_KEPT = 20
STALE_TEMP_SECONDS = 600
"""A temp file of ours this old was left by a writer that was killed; it is removed on the next write."""


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


TEXT_SUFFIXES = frozenset({".md", ".yaml", ".yml", ".json", ".txt", ".j2", ".csv", ".ics"})
"""Files commentkit (or a later command) reads back as text: checked against the text limits on write."""


def encode_checked(path: Path, data: str | bytes, readback: bool = True) -> bytes:
    """The bytes to write, refused (one line, nothing written) when the next read would refuse them:
    text with a character no file can hold, or (``readback``: a file commentkit reads again) a text
    file larger than :data:`limits.TEXT_FILE_BYTES`. Built letters (Markdown, text) are outputs
    nobody reads back: they pass ``readback=False``."""
    text_file = isinstance(data, str) or Path(path).suffix.lower() in TEXT_SUFFIXES
    if isinstance(data, str):
        limits.check_text(data, "the text to write", path)
        raw = data.encode("utf-8")
    else:
        raw = data
        if text_file:  # a text file given as bytes (copied, embedded): it must read back as text
            limits.decode_input(raw, "the text to write", path)
    if readback and text_file and len(raw) > limits.TEXT_FILE_BYTES:
        raise LimitError(f"would be {len(raw):,} bytes, more than commentkit reads back "
                         f"({limits.TEXT_FILE_BYTES:,}); nothing was written", path)
    return raw


def atomic_write(path: Path, data: str | bytes, *, mode: int | None = None, readback: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically (same-folder temp file, fsync, rename).

    Refused before anything is written (one line): a path inside a project (or other managed
    folder) that goes through a symbolic link, and data the next read would refuse
    (:func:`encode_checked`).
    """
    path = Path(path)
    folder = path.parent
    paths.check_write(path)
    raw = encode_checked(path, data, readback)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
            elif path.exists():
                os.chmod(tmp, path.stat().st_mode & 0o7777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(folder)
    except OSError as exc:
        raise UserError(f"cannot write file: {exc.strerror or exc}", path) from None
    _sweep_stale_temps(folder, path.name)


def _sweep_stale_temps(folder: Path, name: str) -> None:
    """Remove temp files of earlier writes to ``name`` that were killed before their rename.

    Only files older than :data:`STALE_TEMP_SECONDS` go, so a concurrent writer's temp file
    (alive for milliseconds) is never touched.
    """
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    prefix = f".{name}."
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.unlink(entry.path)


_NO_LOCKS = {getattr(errno, n) for n in ("ENOLCK", "EOPNOTSUPP", "ENOTSUP", "ENOSYS") if hasattr(errno, n)}
"""errno values meaning "this file system cannot lock files"."""

_NO_HARDLINKS = {getattr(errno, n) for n in ("EPERM", "ENOTSUP", "EOPNOTSUPP", "EMLINK", "ENOSYS") if hasattr(errno, n)}
"""errno values meaning "this file system cannot make hard links"."""


def create_unique(folder: Path, stem: str, suffix: str, data: str | bytes) -> Path:
    """Write ``data`` to a new file ``folder/stem<suffix>`` (or ``stem-2<suffix>``, ...), never replacing one.

    Safe when several processes pick names at the same moment: the complete file is linked into
    place with ``os.link``, which fails if the name exists, so two writers can never end up with
    the same file (one would silently lose its content) and no reader sees a partial file.
    """
    folder = Path(folder)
    paths.check_write(folder / f"{stem}{suffix}")
    raw = encode_checked(folder / f"{stem}{suffix}", data)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            n = 1
            while True:
                dest = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
                try:
                    os.link(tmp, dest)
                    break
                except FileExistsError:
                    n += 1
                except (PermissionError, NotImplementedError, OSError) as exc:
                    if isinstance(exc, FileExistsError) or getattr(exc, "errno", None) not in _NO_HARDLINKS:
                        raise
                    try:  # a file system without hard links: exclusive create, then fill it
                        out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                    except FileExistsError:
                        n += 1
                        continue
                    with os.fdopen(out, "wb") as fh:
                        fh.write(raw)
                        fh.flush()
                        os.fsync(fh.fileno())
                    break
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        _fsync_dir(folder)
    except OSError as exc:
        raise UserError(f"cannot write file: {exc.strerror or exc}", folder / f"{stem}{suffix}") from None
    return dest


def backup(path: Path, root: Path) -> Path | None:
    """Copy ``path`` into ``root/.commentkit/backups/`` (timestamped) before it is replaced."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        rel = path.resolve().relative_to(Path(root).resolve())
    except ValueError:
        rel = Path(path.name)
    # UTC: local time repeats an hour when daylight saving ends, and pruning goes by name
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    dest = Path(root) / BACKUP_DIR / rel.parent / f"{rel.name}.{stamp}"
    # make room first, so a process killed right after the write still leaves BACKUPS_KEPT at most
    _prune(dest.parent, rel.name, BACKUPS_KEPT - 1)
    atomic_write(dest, paths.read_regular(path, "file to back up"))
    return dest


def _prune(folder: Path, name: str, keep: int = BACKUPS_KEPT) -> None:
    if not folder.is_dir():
        return
    olds = sorted(p for p in folder.glob(f"{name}.*") if not p.name.endswith(".tmp"))
    for p in olds[:max(0, len(olds) - keep)]:
        with contextlib.suppress(OSError):
            p.unlink()


@dataclass(frozen=True)
class Snapshot:
    """What a file looked like when commentkit read it, to detect edits made since."""

    path: Path
    digest: str | None  # None: the file did not exist

    @classmethod
    def of(cls, path: Path) -> "Snapshot":
        path = Path(path)
        if not os.path.lexists(path):
            return cls(path, None)
        return cls(path, hashlib.sha256(paths.read_regular(path)).hexdigest())

    @classmethod
    def of_bytes(cls, path: Path, raw: bytes) -> "Snapshot":
        return cls(Path(path), hashlib.sha256(raw).hexdigest())

    def changed(self) -> bool:
        return Snapshot.of(self.path).digest != self.digest


def write_checked(path: Path, data: str | bytes, snapshot: Snapshot | None, *, root: Path | None = None,
                  keep_backup: bool = False) -> None:
    """Atomically write ``path`` unless it changed on disk since ``snapshot`` was taken."""
    if snapshot is not None and snapshot.changed():
        raise ConflictError(
            "changed on disk since commentkit read it (another process or an editor?); "
            "nothing was written: re-run the command to work from the current version", path)
    if keep_backup and root is not None:
        backup(path, root)
    atomic_write(path, data)


_HELD: dict[str, int] = {}
"""Projects this process holds the lock of (resolved root -> depth), so nested use is re-entrant."""

LOCK_WAIT_ENV = "COMMENTKIT_LOCK_WAIT"


def _lock_wait(wait: float | None) -> float:
    if wait is not None:
        return wait
    raw = os.environ.get(LOCK_WAIT_ENV)
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            raise UserError(f"{LOCK_WAIT_ENV}={raw!r} is not a number of seconds") from None
    return 10.0


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        pid = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


@contextlib.contextmanager
def project_lock(root: Path, wait: float | None = None):
    """Hold an exclusive lock on a project while writing to it.

    Waits up to ``wait`` seconds (default 10, or ``$COMMENTKIT_LOCK_WAIT``) for another
    commentkit process to finish, then refuses with a :class:`ConflictError`. The lock is an
    ``flock`` on ``.commentkit/lock`` (a byte-range lock on Windows): the system releases it when
    the holder exits, even by SIGKILL, so a crashed process never leaves the project locked.
    Nested use in one process is re-entrant.
    """
    key = str(Path(root).resolve())
    if _HELD.get(key):
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    lock_path = Path(root) / LOCK_FILE
    paths.check_write(lock_path, "lock file")  # not through a linked .commentkit folder
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UserError(f"cannot create lock file: {exc.strerror or exc}", lock_path) from None
    locked = False
    try:
        deadline = time.monotonic() + _lock_wait(wait)
        while True:
            try:
                locked = _try_lock(fd)
            except OSError as exc:
                if exc.errno not in _NO_LOCKS:
                    raise UserError(f"cannot lock the project: {exc.strerror or exc}", lock_path) from None
                # a file system without locks (some network shares): go on; every write still
                # refuses to overwrite a file that changed since it was read (write_checked)
                break
            if locked:
                break
            if time.monotonic() >= deadline:
                raise ConflictError(
                    f"project is being changed by another commentkit command{_holder(fd)}; nothing was "
                    "written: wait for it to finish, then run this command again", lock_path) from None
            time.sleep(0.05)
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, str(os.getpid()).encode())
        except OSError:
            pass
        _HELD[key] = 1
        try:
            if locked:
                recover(root)  # finish (or discard) a transaction a killed command left behind
            yield
        finally:
            _HELD.pop(key, None)
    finally:
        if locked:
            with contextlib.suppress(OSError):
                _unlock(fd)
        os.close(fd)


_WINDOWS_LOCK_OFFSET = 1 << 20
"""Windows locks are mandatory byte ranges: lock a byte far past the holder's pid, so others can read it."""


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock without waiting: True when taken, False when another process holds it.
    An OSError means the file system cannot lock (see :data:`_NO_LOCKS`) or another failure."""
    try:
        import fcntl  # lazy: POSIX only (msvcrt on Windows)
    except ImportError:  # Windows
        import msvcrt  # lazy: Windows only

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        except PermissionError:
            return False
        except OSError as exc:
            if exc.errno in {errno.EACCES, getattr(errno, "EDEADLK", errno.EACCES)}:
                return False
            raise
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl  # lazy: POSIX only (msvcrt on Windows)
    except ImportError:  # Windows
        import msvcrt  # lazy: Windows only

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


# ---- transactions: several files written all or none ---------------------------------------------

TXN_PREFIX = "txn-"
JOURNAL = "journal.json"


class Transaction:
    """Files written all or none, in one project (or association) folder.

    Each write is staged in ``.commentkit/txn-XXXX/`` (complete and fsynced); :meth:`commit`
    checks every snapshot, writes the journal (the list of renames) and only then renames each
    staged file into place. A command killed before the journal exists leaves the old files (the
    staging folder is removed by the next command); killed after, the next command that takes
    the project lock finishes the renames (:func:`recover`). Either way: all old or all new.
    Use it through :func:`transaction`, which holds the project lock throughout.
    """

    def __init__(self, root: Path, name: str):
        self.root = Path(root)
        self.name = name
        base = self.root / ".commentkit"
        paths.check_write(base / "x")
        try:
            base.mkdir(parents=True, exist_ok=True)
            self.dir = Path(tempfile.mkdtemp(prefix=TXN_PREFIX, dir=base))
        except OSError as exc:
            raise UserError(f"cannot write file: {exc.strerror or exc}", base) from None
        self.moves: list[tuple[str | None, Path]] = []  # (staged name or None = remove, destination)
        self.snapshots: list[Snapshot] = []
        self.backups: list[Path] = []

    def _rel(self, path: Path) -> str:
        try:
            return Path(os.path.abspath(path)).relative_to(os.path.abspath(self.root)).as_posix()
        except ValueError:
            raise UserError(f"a transaction in {self.root} cannot write outside it", path) from None

    def write(self, path: Path, data: str | bytes, *, snapshot: Snapshot | None = None,
              keep_backup: bool = False) -> None:
        """Stage ``data`` for ``path`` (checked like :func:`atomic_write`; nothing is in place yet)."""
        path = Path(path)
        self._rel(path)
        paths.check_write(path)
        raw = encode_checked(path, data)
        name = str(len(self.moves))
        try:
            with open(self.dir / name, "xb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise UserError(f"cannot write file: {exc.strerror or exc}", path) from None
        self.moves.append((name, path))
        if snapshot is not None:
            self.snapshots.append(snapshot)
        if keep_backup:
            self.backups.append(path)

    def remove(self, path: Path) -> None:
        """Remove ``path`` as part of the commit."""
        self._rel(path)
        self.moves.append((None, Path(path)))

    def commit(self) -> None:
        for snap in self.snapshots:
            if snap.changed():
                raise ConflictError(
                    "changed on disk since commentkit read it (another process or an editor?); nothing was "
                    "written: re-run the command to work from the current version", snap.path)
        for path in self.backups:
            backup(path, self.root)
        umask = os.umask(0)
        os.umask(umask)
        try:
            for name, dest in self.moves:
                paths.check_write(dest)
                if name is None:
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                mode = (os.stat(dest).st_mode & 0o7777) if dest.is_file() else (0o666 & ~umask)
                os.chmod(self.dir / name, mode)
            _fsync_dir(self.dir)
        except OSError as exc:
            raise UserError(f"cannot write file: {exc.strerror or exc}", self.dir) from None
        journal = {"command": self.name, "moves": [[name, self._rel(dest)] for name, dest in self.moves]}
        atomic_write(self.dir / JOURNAL, json.dumps(journal, indent=1) + "\n")
        # from here on the transaction is decided: a kill is finished by the next command
        _finish(self.root, self.dir, journal)

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _finish(root: Path, folder: Path, journal: dict) -> int:
    """Do the renames of a committed transaction (again: each is skipped once done); returns how many."""
    done = 0
    folders = set()
    try:
        for name, rel in journal.get("moves", []):
            dest = Path(root) / rel
            if name is None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(dest)
                    done += 1
                continue
            staged = folder / str(name)
            if os.path.lexists(staged):
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, dest)
                folders.add(dest.parent)
                done += 1
        for f in folders:
            _fsync_dir(f)
    except OSError as exc:
        raise UserError(f"cannot finish writing ({journal.get('command', 'a command')}): {exc.strerror or exc}; "
                        "run the command again", folder) from None
    shutil.rmtree(folder, ignore_errors=True)
    return done


def pending(root: Path) -> list[Path]:
    """Transaction folders left in ``root`` (by a command killed while writing)."""
    base = Path(root) / ".commentkit"
    return sorted(Path(e.path) for e in paths.list_folder(base, "commentkit's folder")
                  if e.name.startswith(TXN_PREFIX) and e.is_dir(follow_symlinks=False))


def recover(root: Path) -> None:
    """Finish the committed transactions a killed command left in ``root``; drop the uncommitted ones.

    Called with the project lock held (by :func:`project_lock`), so no live transaction is touched.
    """
    for folder in pending(root):
        try:
            journal = json.loads(paths.read_regular(folder / JOURNAL, "transaction journal").decode("utf-8"))
        except (UserError, ValueError):
            shutil.rmtree(folder, ignore_errors=True)  # never committed: the old files stand
            continue
        if not isinstance(journal, dict) or not isinstance(journal.get("moves"), list):
            shutil.rmtree(folder, ignore_errors=True)
            continue
        n = _finish(root, folder, journal)
        print(f"commentkit: finished writing {n} file(s) of an interrupted '{journal.get('command', 'command')}' "
              f"in {root}", file=sys.stderr)


def recover_if_pending(root: Path) -> None:
    """For commands that only read: finish a killed command's transaction first, if the lock is free."""
    if not pending(root):
        return
    with contextlib.suppress(UserError):
        with project_lock(root, wait=0):
            pass


@contextlib.contextmanager
def transaction(root: Path, name: str):
    """``with transaction(root, "import-docx --apply") as tx: tx.write(...)``: all written or none."""
    with project_lock(root):
        tx = Transaction(root, name)
        try:
            yield tx
        except BaseException:
            tx.discard()
            raise
        try:
            tx.commit()
        except BaseException:
            if not (tx.dir / JOURNAL).exists():
                tx.discard()
            raise


# ---- a new folder, created all or none -----------------------------------------------------------

STAGING_INFIX = ".commentkit-new-"
PLACING_MARKER = ".commentkit-placing"


@contextlib.contextmanager
def staged_folder(root: Path, last: str = "commentkit.yaml"):
    """Create the files of a new folder (``init``) all or none.

    Yields a staging folder beside ``root``; everything is written there. On success its content
    becomes ``root`` (one rename when ``root`` does not exist or is empty); on an error the staging
    folder is removed and nothing is left. A command killed while moving files into an existing
    non-empty folder is finished by the next ``staged_folder`` for the same ``root`` (the file
    ``last``, the project file, moves last, so a half-placed folder is never taken for a project).
    """
    root = Path(os.path.abspath(root))
    parent = root.parent
    if os.path.lexists(root) and not root.is_dir():
        raise UserError("exists and is not a folder", root)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        recover_staged(root)
        staging = Path(tempfile.mkdtemp(prefix=f".{root.name}{STAGING_INFIX}", dir=parent))
    except OSError as exc:
        raise UserError(f"cannot create a folder here: {exc.strerror or exc}", parent) from None
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        _place(staging, root, last)
    except OSError as exc:
        raise UserError(f"cannot create the folder: {exc.strerror or exc}; run the command again to finish",
                        root) from None


def _place(staging: Path, root: Path, last: str) -> None:
    try:
        os.chmod(staging, 0o777 & ~_umask())
    except OSError:
        pass
    if not os.path.lexists(root):
        os.rename(staging, root)
        _fsync_dir(root.parent)
        return
    if root.is_dir() and not any(os.scandir(root)):
        try:
            os.rename(staging, root)  # replaces an empty folder in one step (POSIX)
            _fsync_dir(root.parent)
            return
        except OSError:
            pass
    atomic_write(staging / PLACING_MARKER, last)
    _move_into(staging, root, last)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _move_into(staging: Path, root: Path, last: str) -> None:
    """Move the staged entries into the existing ``root``: files there already are kept (never
    replaced), ``last`` last."""

    def walk(src: Path, dst: Path) -> None:
        names = sorted(os.listdir(src), key=lambda n: (n == last, n))
        for name in names:
            if name == PLACING_MARKER:
                continue
            s, d = src / name, dst / name
            if s.is_dir() and not s.is_symlink():
                if not os.path.lexists(d):
                    os.rename(s, d)
                elif d.is_dir() and not d.is_symlink():
                    walk(s, d)
                continue
            if not os.path.lexists(d):
                os.rename(s, d)
        _fsync_dir(dst)

    walk(staging, root)
    shutil.rmtree(staging, ignore_errors=True)


def recover_staged(root: Path) -> None:
    """Finish (or drop) what a killed :func:`staged_folder` for ``root`` left beside it."""
    root = Path(os.path.abspath(root))
    prefix = f".{root.name}{STAGING_INFIX}"
    try:
        entries = [e for e in os.scandir(root.parent) if e.name.startswith(prefix) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for e in entries:
        staged = Path(e.path)
        if (staged / PLACING_MARKER).is_file():
            last = (staged / PLACING_MARKER).read_text(encoding="utf-8", errors="replace").strip()
            _move_into(staged, root, last)
            print(f"commentkit: finished creating {root} (a command creating it was interrupted)", file=sys.stderr)
        else:
            shutil.rmtree(staged, ignore_errors=True)
