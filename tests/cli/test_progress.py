"""Progress of slow steps: on standard error in a terminal; nothing in a pipe or with --quiet (except
Federal Register downloads, whose waits are shown in a pipe too); standard output never touched."""

from __future__ import annotations

import io
import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from commentkit.files import progress
from tests.conftest import SAMPLES
from tests.dockets.test_frfetch import FakeFR, _new_rule

FAKE_SOFFICE = """#!/bin/sh
# a stand-in for LibreOffice: writes an empty-looking PDF for each Word file after --outdir
out=""; prev=""
for a in "$@"; do
  if [ "$prev" = "--outdir" ]; then out="$a"; fi
  case "$a" in *.docx) n=$(basename "$a" .docx); printf '%%PDF-1.4 fake' > "$out/$n.pdf";; esac
  prev="$a"
done
"""


def _run(args: list[str], env: dict, *, tty: bool) -> tuple[int, str, str]:
    """Run commentkit with standard error a terminal (pty) or a pipe; returns (code, stdout, stderr)."""
    cmd = [sys.executable, "-m", "commentkit", *map(str, args)]
    if not tty:
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        return res.returncode, res.stdout, res.stderr
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=secondary, stdin=subprocess.DEVNULL)
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode()
    proc.wait(timeout=120)
    os.close(primary)
    return proc.returncode, out, b"".join(chunks).decode(errors="replace")


@pytest.fixture
def env(tmp_path):
    e = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "soffice").write_text(FAKE_SOFFICE)
    (bindir / "soffice").chmod(0o755)
    e.update(PATH=f"{bindir}{os.pathsep}{e['PATH']}", COMMENTKIT_DATA_DIR=str(tmp_path / "data"))
    return e


def test_package_says_it_is_converting_to_pdf_in_a_terminal_only(tmp_path, env):
    sample = tmp_path / "s"
    shutil.copytree(SAMPLES / "semiconductor-jv", sample, ignore=shutil.ignore_patterns("build", ".commentkit"))
    args = ["package", sample, "--today", "2023-09-25", "--out"]
    code, out, err = _run([*args, tmp_path / "a"], env, tty=True)
    assert code in (0, 1), err
    assert "Converting 1 Word file to PDF with LibreOffice ... done (" in err
    assert "Converting" not in out
    code, out, err = _run([*args, tmp_path / "b", "--quiet"], env, tty=True)
    assert code in (0, 1) and "Converting" not in err
    code, out, err = _run([*args, tmp_path / "c"], env, tty=False)
    assert code in (0, 1) and "Converting" not in err and "PDF: made with LibreOffice" in out


def test_fetch_shows_its_downloads_unless_quiet(tmp_path, env):
    fake = FakeFR()
    try:
        meta, xml = _new_rule()
        fake.serve_document("2025-01234", meta, xml)
        env = dict(env, COMMENTKIT_FR_API=fake.api)
        code, out, err = _run(["docket", "fetch", "2025-01234", "--out", tmp_path / "one/"], env, tty=True)
        assert code == 0, err
        assert "Downloading full text of 2025-01234 (XML)" in err and "Downloading" not in out
        code, out, err = _run(["docket", "fetch", "2025-01234", "--out", tmp_path / "two/", "-q"], env, tty=True)
        assert code == 0 and "Downloading" not in err
        code, out, err = _run(["docket", "fetch", "2025-01234", "--out", tmp_path / "three/"], env, tty=False)
        assert code == 0 and "Downloading" in err  # network waits are shown in a pipe or log too
    finally:
        fake.close()


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_loop_shows_its_line_only_once_it_has_taken_a_while(monkeypatch):
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.setattr(progress, "DELAY", 0.05)
    progress.to_stderr()
    try:
        assert list(progress.items([1, 2], "Quick")) == [1, 2]
        assert term.getvalue() == ""  # finished before the delay: nothing shown

        def slow():
            for i in range(3):
                time.sleep(0.03)
                yield Path(f"member-{i}.yaml")

        names = [p.name for p in progress.items(slow(), "Reading member responses", total=3, label=lambda p: p.name)]
        assert names == ["member-0.yaml", "member-1.yaml", "member-2.yaml"]
        shown = term.getvalue()
        assert "Reading member responses: 3/3 member-2.yaml" in shown and shown.endswith("\n")
        assert "done in" in shown
        assert all(len(line) <= 80 for line in shown.replace("\r", "\n").splitlines())
    finally:
        progress.off()
