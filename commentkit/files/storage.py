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
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from commentkit.errors import ConflictError, UserError

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


def atomic_write(path: Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically (same-folder temp file, fsync, rename)."""
    path = Path(path)
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        raw = data.encode("utf-8") if isinstance(data, str) else data
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
    raw = data.encode("utf-8") if isinstance(data, str) else data
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
    atomic_write(dest, path.read_bytes())
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
        try:
            return cls(path, hashlib.sha256(path.read_bytes()).hexdigest())
        except FileNotFoundError:
            return cls(path, None)

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
