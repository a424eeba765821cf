"""Reliability: files survive SIGKILL at any point, and a killed writer never blocks the next one.

The writers are real processes (forked from the test process so they need not re-import
commentkit, which keeps ~150 kills under a few seconds) killed with SIGKILL after a random
few milliseconds. After every kill the files on disk must each be exactly one complete
version the writer produced, never partial; backups likewise.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

KILLS = 150
PAD = "x" * 199 + "\n"  # ~200 kB per version: writing it takes long enough to be interrupted


def _version(i: int) -> bytes:
    return (f"version {i}\n" + PAD * (800 + i % 200) + f"end {i}\n").encode()


def _which_version(raw: bytes) -> int | None:
    """The version number if ``raw`` is exactly one complete version, else None."""
    try:
        head = raw.split(b"\n", 1)[0].decode()
        i = int(head.split()[1])
    except (IndexError, ValueError, UnicodeDecodeError):
        return None
    return i if raw == _version(i) else None


def _body(i: int) -> str:
    return f"Answer draft number {i}.\n\n" + ("We recommend that Treasury clarify the term. " * (40 + i % 50)).strip()


def _answer_version(text: str) -> int | None:
    from commentkit.project import answerfile

    meta, body = answerfile.parse(text)
    try:
        i = int(body.split("number ", 1)[1].split(".", 1)[0])
    except (IndexError, ValueError):
        return None
    return i if body.strip() == _body(i).strip() and meta.question is not None else None


def _fork_and_kill(child, delay_s: float) -> int:
    """Run ``child()`` in a forked process, SIGKILL it after ``delay_s``; return its wait status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            child()
        finally:
            os._exit(0)
    time.sleep(delay_s)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return status


def _leftover_temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]


def test_atomic_write_survives_sigkill_at_random_points(tmp_path):
    """storage.atomic_write: after ≥100 SIGKILLs the file is always one complete version."""
    from commentkit.files import storage

    target = tmp_path / "letter.txt"
    storage.atomic_write(target, _version(0))
    rng = random.Random(20230928)
    last = 0
    interrupted = 0
    for _ in range(KILLS):
        start = last + 1

        def writer(start=start):
            i = start
            while True:
                storage.atomic_write(target, _version(i))
                i += 1

        before_temps = len(_leftover_temps(tmp_path))
        status = _fork_and_kill(writer, rng.uniform(0.0005, 0.012))
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        got = _which_version(target.read_bytes())
        assert got is not None, "file is partial after SIGKILL"
        assert got >= last, "an older version came back"
        last = got
        if len(_leftover_temps(tmp_path)) > before_temps:
            interrupted += 1  # killed between creating the temp file and renaming it
    # the kills really landed inside writes (otherwise this test would prove nothing)
    assert interrupted >= 10, interrupted
    assert last > 0
    # temp files of killed writes are swept by the next write once they are stale
    leftovers = _leftover_temps(tmp_path)
    assert leftovers
    old = time.time() - storage.STALE_TEMP_SECONDS - 5
    for p in leftovers:
        os.utime(p, (old, old))
    fresh = tmp_path / f".{target.name}.inflight.tmp"  # a concurrent writer's temp: left alone
    fresh.write_bytes(b"partial")
    storage.atomic_write(target, _version(last + 1))
    assert _leftover_temps(tmp_path) == [fresh]
    assert _which_version(target.read_bytes()) == last + 1


def test_naive_writes_would_be_caught(tmp_path):
    """Control: the same harness does detect partial files when a writer is not atomic."""
    target = tmp_path / "letter.txt"
    target.write_bytes(_version(0))
    rng = random.Random(7)
    partial = 0
    i = 1
    for _ in range(30):
        def writer(i=i):
            j = i
            while True:
                data = _version(j)
                with open(target, "wb") as fh:
                    for k in range(0, len(data), 16384):
                        fh.write(data[k:k + 16384])
                        fh.flush()
                j += 1

        _fork_and_kill(writer, rng.uniform(0.0005, 0.005))
        got = _which_version(target.read_bytes())
        if got is None:
            partial += 1
        else:
            i = got + 1
    assert partial > 0


def test_save_answer_survives_sigkill_with_intact_backups(project):
    """Project.save_answer (lock + backup + atomic write): ≥100 SIGKILLs, answers and backups whole."""
    from commentkit.files import storage
    from commentkit.project.folder import Project

    proj = Project.open(project)
    key = proj.pack.bank.questions[0].id
    proj.save_answer(key, _body(0))
    path = proj.answer_path(key)
    backups = project / storage.BACKUP_DIR / "answers"
    rng = random.Random(88_54961)
    # kill within a window scaled to how long one command's open + save takes on this machine now
    # (a loaded CI machine is slower): some writes finish, many are cut at a random point
    t = time.perf_counter()
    for n in range(3):
        Project.open(project).save_answer(key, _body(n + 1), status="draft")
    window = max(0.02, 2.5 * (time.perf_counter() - t) / 3)
    last = 3
    for _ in range(KILLS):
        start = last + 1

        def writer(start=start):
            p = Project.open(project)  # a fresh process state, as a new command would have
            i = start
            while True:
                p.save_answer(key, _body(i), status="draft")
                i += 1

        t0 = time.monotonic()
        _fork_and_kill(writer, rng.uniform(0.001, window))
        got = _answer_version(path.read_text(encoding="utf-8"))
        assert got is not None, "answer file is partial after SIGKILL"
        assert got >= last
        last = got
        assert time.monotonic() - t0 < 5, "a killed writer's lock blocked the next one"
    assert last > 3
    # every backup is a complete earlier version, and old backups are pruned
    kept = [p for p in backups.iterdir() if not p.name.endswith(".tmp")]
    assert 1 <= len(kept) <= storage.BACKUPS_KEPT
    for b in kept:
        v = _answer_version(b.read_text(encoding="utf-8"))
        assert v is not None, f"backup {b.name} is partial"
        assert v <= last  # a backup equal to the current file: killed between backup and write
    # the project still loads and a normal save still works after all the kills
    fresh = Project.open(project)
    assert fresh.answers[key].text == _body(last).strip()
    fresh.save_answer(key, "Final text.", status="final")
    assert Project.open(project).answers[key].meta.status == "final"


@pytest.mark.parametrize("kill_after", [0.15, 0.3])
def test_killed_cli_process_leaves_project_loadable(project, kill_after):
    """A whole `commentkit` process (not a fork) killed mid-run leaves every file loadable."""
    import subprocess
    import sys

    from commentkit.project.folder import Project

    key = Project.open(project).pack.bank.questions[0].id
    script = (
        "import sys\n"
        "from commentkit.project.folder import Project\n"
        f"p = Project.open({str(project)!r})\n"
        "i = 0\n"
        "while True:\n"
        "    body = 'Answer draft number %d.\\n\\n' % i + ('We recommend that Treasury clarify the term. ' * (40 + i % 50)).strip()\n"
        f"    p.save_answer({key!r}, body)\n"
        "    if i == 0:\n"
        "        print('ready', flush=True)  # one save done: the kill lands in a later one\n"
        "    i += 1\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(kill_after)
    proc.kill()
    proc.wait()
    proc.stdout.close()
    got = _answer_version(Project.open(project).answer_path(key).read_text())
    assert got is not None and got >= 0  # a whole version, never a torn file


def test_create_unique_never_gives_two_processes_the_same_file(tmp_path):
    """Files that keep a user's text (e.g. refused edits) get distinct names even when picked at once."""
    from commentkit.files import storage

    start = time.time() + 0.3
    pids = []
    for i in range(8):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            try:
                while time.time() < start:
                    pass
                storage.create_unique(tmp_path, "def-1-20230928-120000", ".md", f"text of writer {i}\n")
            finally:
                os._exit(0)
        pids.append(pid)
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    files = sorted(p for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert len(files) == 8
    assert sorted(p.read_text() for p in files) == sorted(f"text of writer {i}\n" for i in range(8))
    assert not _leftover_temps(tmp_path)


# Direct writes that are not user files: (module, function) -> why it is safe.
DIRECT_WRITES_ALLOWED = {
    ("commentkit/association/form.py", "write"): "a private mkstemp copy of a letterhead, read back and deleted",
    ("commentkit/letter/writers/reference.py", "main"): "maintainer script regenerating templates/reference.docx",
}


def test_every_file_write_goes_through_storage():
    """Static guard: outside storage.py, no code writes a file directly (write_text, write_bytes,
    open(..., 'w'/'a'/'x')), so every file a user keeps is written atomically."""
    import ast

    from tests.conftest import REPO

    found = []
    for path in sorted((REPO / "commentkit").rglob("*.py")):
        rel = str(path.relative_to(REPO))
        if rel == "commentkit/files/storage.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
            for node in ast.walk(fn):
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                writes = isinstance(f, ast.Attribute) and name in ("write_text", "write_bytes")  # Path methods
                if name in ("open", "fdopen"):
                    modes = [a for a in node.args[1:2]] + [k.value for k in node.keywords if k.arg == "mode"]
                    writes = any(isinstance(m, ast.Constant) and isinstance(m.value, str)
                                 and set(m.value) & set("wax+") for m in modes)
                if writes and (rel, fn.name) not in DIRECT_WRITES_ALLOWED:
                    found.append(f"{rel}:{node.lineno} in {fn.name}()")
    assert not found, "files written without storage.atomic_write: " + ", ".join(sorted(set(found)))


def test_disk_full_keeps_the_old_file_and_says_so(tmp_path, monkeypatch):
    """A write that fails (disk full) leaves the previous version and no temp file; one-line error."""
    import errno

    from commentkit.errors import UserError
    from commentkit.files import storage

    target = tmp_path / "answer.md"
    storage.atomic_write(target, "previous version\n")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(UserError, match="No space left on device") as exc:
        storage.atomic_write(target, "new version\n" * 1000)
    assert str(target) in exc.value.format() and "\n" not in exc.value.format()
    assert target.read_text() == "previous version\n"
    assert not _leftover_temps(tmp_path)


def test_file_system_without_locks_still_detects_conflicts(project, monkeypatch):
    """On a share where flock is unsupported (ENOLCK) saving still works, and change detection
    still refuses to overwrite a file changed since it was read."""
    import errno
    import fcntl

    from commentkit.errors import ConflictError
    from commentkit.project.folder import Project

    real = fcntl.flock

    def no_locks(fd, op):
        if op & fcntl.LOCK_EX:
            raise OSError(errno.ENOLCK, "No locks available")
        return real(fd, op)

    monkeypatch.setattr(fcntl, "flock", no_locks)
    proj = Project.open(project)
    key = proj.pack.bank.questions[0].id
    path = proj.save_answer(key, "First.")
    stale = Project.open(project)
    stale.answers  # read now
    proj.save_answer(key, "Second.")
    with pytest.raises(ConflictError, match="changed on disk"):
        stale.save_answer(key, "Stale overwrite.")
    assert "Second." in path.read_text()


def test_pack_update_survives_sigkill(tmp_path, monkeypatch):
    """packwrite.install (docket import/fetch/update) replaces a pack folder by two renames; killed at
    random points 60 times, the pack is always listed once, loads, and is the old or the new version."""
    from commentkit.dockets import catalog as packs
    from commentkit.dockets import packwrite
    from tests.conftest import QUESTIONS

    monkeypatch.setenv("COMMENTKIT_DATA_DIR", str(tmp_path / "data"))
    src = QUESTIONS / "TREAS-DO-2023-0009"
    docket = (src / "docket.yaml").read_text()
    questions = (src / "questions.yaml").read_text()

    def files(i: int) -> dict:
        return {"docket.yaml": docket.replace("\ntitle: ", f"\nshort_name: Version {i}\ntitle: ", 1)
                if "\nshort_name:" not in docket else docket.replace("\nshort_name: ", f"\nshort_name: Version {i} ", 1),
                "questions.yaml": questions}

    dest = packs.user_dir() / "TREAS-DO-2023-0009"
    packwrite.install(files(0), dest, replace=False)

    def version() -> int:
        packs.load_path.cache_clear()
        refs = [r for r in packs.installed() if r.docket_id == "TREAS-DO-2023-0009"]
        assert len(refs) == 1 and refs[0].source == "user", refs
        name = packs.load_path(refs[0].path, "user").docket.short_name
        return int(name.split("Version ", 1)[1].split()[0])

    assert version() == 0
    rng = random.Random(54961)
    last = 0
    for n in range(60):
        start = last + 1

        def writer(start=start):
            i = start
            while True:
                packwrite.install(files(i), dest, replace=True, keep_from=dest)
                i += 1

        # every tenth kill waits longer, so some writes complete even on a loaded machine
        _fork_and_kill(writer, 0.5 if n % 10 == 9 else rng.uniform(0.005, 0.08))
        got = version()
        assert got >= last
        last = got
    assert last > 0
    ghosts = [r.docket_id for r in packs.installed() if r.docket_id.startswith(".")]
    assert not ghosts


def test_interrupted_pack_replacement_is_put_back(tmp_path, monkeypatch):
    """The state a kill between the two renames leaves (no pack folder, the old one aside) heals itself."""
    import shutil

    from commentkit.dockets import catalog as packs
    from tests.conftest import QUESTIONS

    monkeypatch.setenv("COMMENTKIT_DATA_DIR", str(tmp_path / "data"))
    user = packs.user_dir()
    user.mkdir(parents=True)
    shutil.copytree(QUESTIONS / "TREAS-DO-2023-0009", user / ".TREAS-DO-2023-0009.old-k2j4")
    shutil.copytree(QUESTIONS / "TREAS-DO-2023-0009", user / ".TREAS-DO-2023-0009.new-x9y8")  # half-built new one
    refs = {r.docket_id: r for r in packs.installed()}
    assert refs["TREAS-DO-2023-0009"].source == "user"
    assert (user / "TREAS-DO-2023-0009" / "docket.yaml").is_file()
    assert not [k for k in refs if k.startswith(".")]


def test_project_lock_works_without_fcntl_as_on_windows(project, monkeypatch):
    """On Windows there is no fcntl: the lock uses msvcrt byte-range locks (emulated here), still
    refuses a second holder, and leaves the holder's process id readable."""
    import fcntl
    import sys
    import types

    from commentkit.files import storage

    real_flock = fcntl.flock
    fake = types.SimpleNamespace(LK_NBLCK=2, LK_UNLCK=0)

    def locking(fd, mode, nbytes):
        assert os.lseek(fd, 0, os.SEEK_CUR) == storage._WINDOWS_LOCK_OFFSET and nbytes == 1
        if mode == fake.LK_UNLCK:
            real_flock(fd, fcntl.LOCK_UN)
            return
        try:
            real_flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PermissionError(13, "Permission denied") from None

    fake.locking = locking
    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` raises ImportError
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    lock_file = project / storage.LOCK_FILE
    with storage.project_lock(project):
        other = os.open(lock_file, os.O_RDWR)
        try:
            assert storage._try_lock(other) is False
            assert storage._holder(other) == f" (process {os.getpid()})"
        finally:
            os.close(other)
    other = os.open(lock_file, os.O_RDWR)
    try:
        assert storage._try_lock(other) is True
        storage._unlock(other)
    finally:
        os.close(other)


def test_backups_keep_the_newest_when_daylight_saving_ends(tmp_path, monkeypatch):
    """The 20 backups kept are the 20 newest even when the local clock falls back an hour."""
    import datetime as real_dt

    from commentkit.files import storage

    ticks = iter(range(10_000))

    class Clock(real_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            n = next(ticks)
            utc = real_dt.datetime(2023, 11, 5, 5, 30, tzinfo=real_dt.timezone.utc) + real_dt.timedelta(seconds=n)
            if tz is None:  # New York local time: 01:30 EDT, then (after the switch) 01:xx EST again
                return (utc - real_dt.timedelta(hours=4 if n < 12 else 5)).replace(tzinfo=None)
            return utc.astimezone(tz)

    monkeypatch.setattr(storage.dt, "datetime", Clock)
    target = tmp_path / "answers" / "def-1.md"
    for i in range(26):
        storage.atomic_write(target, f"version {i}\n")
        storage.backup(target, tmp_path)
    kept = sorted((tmp_path / storage.BACKUP_DIR / "answers").glob("def-1.md.*"))
    assert [p.read_text() for p in kept] == [f"version {i}\n" for i in range(6, 26)]
