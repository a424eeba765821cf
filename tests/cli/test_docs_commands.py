"""Every shell command in README.md and docs/ runs verbatim from a fresh copy of the repository.

The ```sh blocks of each Markdown file are one scenario: its commands run in order, each as
written (``bash -c LINE``), from the root of a fresh copy of the repository (as a user who has
just cloned it and run the set-up), with:

* a private user data folder and $HOME;
* the Federal Register API on a real HTTP server on 127.0.0.1 (``COMMENTKIT_FR_API``) serving a
  proposed rule no pack holds (FR Doc. 2025-01234) and the 2023 ANPRM (2023-17164), and that
  rule's XML and JSON in the folder as "the files you downloaded";
* ``$EDITOR`` a script that types a paragraph, with standard input a terminal (a pty) for
  ``answer`` without --text/--file, so the editor path really runs;
* the questionnaire answered at its plain prompts, ``docket update`` confirmed with "y".

Each command must exit 0, except ``check`` and ``package`` which exit 1 when the comment is not
ready to file (the documented meaning). The set-up block's install commands are not run here
(the test already runs inside that installation); they are listed below so they cannot drift.
"""

from __future__ import annotations

import os
import pty
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.dockets.test_frfetch import FakeFR, _anprm_meta, _new_rule
from tests.questionnaire.test_interview import SEMI_TYPED, typed

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

SETUP_ONLY = {
    # the README's set-up: this test runs inside that installation already
    "python3 -m venv .venv && . .venv/bin/activate && pip install . && commentkit build samples/semiconductor-jv":
        "commentkit build samples/semiconductor-jv",
    "pip install -e '.[test]' && python -m pytest": None,
    # docs/benchmarks.md: needs the bench extra and pandoc, and takes minutes
    "pip install -e '.[bench]'": None,
    "python bench/run.py": None,
    "python bench/run.py --runs 9 --quick": None,
}
ACME_TYPED = [*SEMI_TYPED[:1], "Acme Corp.", *SEMI_TYPED[2:]]  # the questionnaire, as Acme answers it
assert SEMI_TYPED[1] == "Meridian Deposition Systems, Inc."
NOT_READY_IS_DOCUMENTED = ("commentkit check", "commentkit package")

EDITOR = """\
import sys
with open(sys.argv[1], "a", encoding="utf-8") as fh:
    fh.write("The engagement test should look to the joint venture's own activities, not its investors'.\\n")
"""


def sh_blocks(path: Path) -> list[list[str]]:
    """The commands of each ```sh block (continuation lines joined; blank lines and comments out)."""
    blocks, current, inside = [], None, False
    for line in path.read_text(encoding="utf-8").splitlines():
        fence = re.match(r"^\s*```(\S*)", line)
        if fence:
            if inside:
                if current is not None:
                    blocks.append(current)
                current, inside = None, False
            else:
                inside = True
                current = [] if fence.group(1) in ("sh", "bash", "shell") else None
            continue
        if inside and current is not None:
            current.append(line)
    commands = []
    for block in blocks:
        joined, cmds = "", []
        for line in block:
            joined += line
            if joined.endswith("\\"):
                joined = joined[:-1] + " "
                continue
            if joined.strip() and not joined.strip().startswith("#"):
                cmds.append(joined.strip())
            joined = ""
        commands.append(cmds)
    return commands


def scenario(path: Path) -> list[str]:
    return [c for block in sh_blocks(path) for c in block]


def _fresh_copy(dest: Path) -> Path:
    """The repository as a fresh clone has it (tracked and new files; no builds, no venv)."""
    try:
        listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard", "-z"],
                                capture_output=True, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = None
    if listed is None:
        shutil.copytree(REPO, dest, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "build",
                                                                   ".pytest_cache", ".hypothesis", "collected"))
        return dest
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def _stdin_for(cmd: str):
    """What a person would type (or a terminal) for the interactive commands."""
    words = shlex.split(cmd, comments=True)
    if words[:2] == ["commentkit", "interview"] and not {"--answers", "--defaults", "--json"} & set(words):
        return typed(ACME_TYPED)
    if words[:2] == ["commentkit", "answer"] and not {"--text", "-t", "--file", "-f", "--from-questionnaire"} \
            & set(words):
        return "pty"
    if words[:3] == ["commentkit", "docket", "update"] and "--yes" not in words and "--dry-run" not in words:
        return "y\ny\n"  # apply the similar matches shown, then write
    return None


def _serve(cmd: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    """``commentkit serve`` runs until Ctrl-C: wait for its address, check it answers, then stop it."""
    import signal
    import urllib.error
    import urllib.request

    proc = subprocess.Popen(["bash", "-c", f"exec {cmd}"], cwd=cwd, env=dict(env, BROWSER="true"),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, url = [], None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        out.append(line)
        found = re.search(r"https?://127\.0\.0\.1:\d+\S*", line)
        url = found.group(0) if found else None
    if url is not None:
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}),  # 127.0.0.1, never a proxy
                                             urllib.request.HTTPCookieProcessor())  # as a browser keeps the session
        for _ in range(100):  # the address may be printed just before the socket listens
            try:
                with direct.open(url, timeout=30) as page:
                    assert page.status == 200
                break
            except urllib.error.HTTPError:
                raise
            except urllib.error.URLError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"`{cmd}`: {url} does not answer")
        proc.send_signal(signal.SIGINT)
    else:
        proc.kill()
    rest, err = proc.communicate(timeout=30)
    code = 0 if url is not None and proc.returncode in (0, 130, -signal.SIGINT) else (proc.returncode or 1)
    return subprocess.CompletedProcess(cmd, code, "".join(out) + rest, err)


def run_line(cmd: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    if shlex.split(cmd, comments=True)[:2] == ["commentkit", "serve"]:
        return _serve(cmd, cwd, env)
    stdin = _stdin_for(cmd)
    if stdin == "pty":
        primary, secondary = pty.openpty()
        try:
            return subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, stdin=secondary, capture_output=True,
                                  text=True, timeout=120)
        finally:
            os.close(primary)
            os.close(secondary)
    return subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, input=stdin or "", capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def world(tmp_path):
    root = _fresh_copy(tmp_path / "clone")
    fake = FakeFR()
    meta, xml = _new_rule()
    fake.serve_document("2025-01234", meta, xml)
    fake.serve_document("2023-17164", _anprm_meta(), (REPO / "tests" / "fixtures" / "fr" / "prorule.xml").read_bytes())
    import json

    (root / "2025-01234.xml").write_bytes(xml)  # "the files you downloaded"
    (root / "2025-01234.json").write_text(json.dumps(dict(meta, document_number="2025-01234")))
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python").write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} \"$@\"\n")
    (bindir / "python").chmod(0o755)  # `python` in docs is the installation's Python
    exe = Path(sys.executable).parent / "commentkit"
    shim = bindir / "commentkit"
    target = shlex.quote(str(exe)) if exe.exists() else f"{shlex.quote(sys.executable)} -m commentkit"
    shim.write_text(f"#!/bin/sh\nexec {target} \"$@\"\n")
    shim.chmod(0o755)
    (tmp_path / "editor.py").write_text(EDITOR)
    env = {k: v for k, v in os.environ.items()
           if k not in ("VISUAL", "EDITOR", "COMMENTKIT_TODAY", "COMMENTKIT_NOW") and "PROXY" not in k.upper()}
    env.update(PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}", HOME=str(tmp_path / "home"),
               COMMENTKIT_DATA_DIR=str(tmp_path / "data"), COMMENTKIT_FR_API=fake.api,
               EDITOR=f"{sys.executable} {tmp_path / 'editor.py'}", COLUMNS="80", PYTHONDONTWRITEBYTECODE="1")
    (tmp_path / "home").mkdir()
    yield root, env
    fake.close()


def _expected_codes(cmd: str) -> tuple[int, ...]:
    return (0, 1) if cmd.startswith(NOT_READY_IS_DOCUMENTED) else (0,)


@pytest.mark.parametrize("doc", [d for d in DOCS if scenario(d)], ids=lambda p: p.name)
def test_every_shell_command_runs_verbatim(doc, world):
    root, env = world
    cwd, env = root, dict(env)
    for cmd in scenario(doc):
        if cmd in SETUP_ONLY:
            cmd = SETUP_ONLY[cmd]
            if cmd is None:
                continue
        if cmd.startswith(("cd ", "export ")):  # these change the shell the next commands run in
            res = subprocess.run(["bash", "-ec", f"{cmd}\npwd\nenv -0"], cwd=cwd, env=env, capture_output=True,
                                 text=True)
            assert res.returncode == 0, f"{doc.name}: `{cmd}`: {res.stderr}"
            where, _, rest = res.stdout.partition("\n")
            cwd, env = Path(where), dict(kv.split("=", 1) for kv in rest.split("\0") if "=" in kv)
            continue
        res = run_line(cmd, cwd, env)
        assert res.returncode in _expected_codes(cmd), (
            f"{doc.name}: `{cmd}` exited {res.returncode}\nstdout:\n{res.stdout[-1500:]}\nstderr:\n{res.stderr[-1500:]}")
        assert "Traceback" not in res.stderr, res.stderr
    if doc.name in AFTERWARDS:
        AFTERWARDS[doc.name](root, env)


def _tour_did_what_it_says(root: Path, env: dict) -> None:
    """Beyond exit codes: the README's files exist where it says, with the editor's text in them."""
    assert (root / "samples/semiconductor-jv/build/TREAS-DO-2023-0009-meridian-deposition-systems-inc.docx").is_file()
    answer = (root / "acme/answers/def-3.md").read_text()
    assert "joint venture's own activities" in answer and "status: final" in answer
    assert (root / "acme/build/TREAS-DO-2023-0009-acme-corp.docx").is_file()
    assert (root / "acme-deadline.ics").read_text().startswith("BEGIN:VCALENDAR")
    assert (root / "filing" / "CHECKLIST.md").is_file()
    assert (root / "member-template.yaml").is_file() and (root / "member-form.docx").is_file()
    assert (root / "acme-member" / "commentkit.yaml").is_file()
    assert (root / "samples/association/assoc/collected/tracker.md").is_file()
    assert (Path(env["COMMENTKIT_DATA_DIR"]) / "dockets" / "TREAS-DO-2025-0001" / "docket.yaml").is_file()
    assert (root / "my-packs" / "TREAS-DO-2025-0001" / "docket.yaml").is_file()


AFTERWARDS = {"README.md": _tour_did_what_it_says}


# Docs whose command examples are not yet written as runnable ```sh blocks (the test says so).
NOT_YET_RUNNABLE = {"association.md", "docket-packs.md", "letter.md", "roundtrip.md"}


@pytest.mark.parametrize("doc", [pytest.param(d, marks=pytest.mark.xfail(strict=True, reason="not converted yet"))
                                 if d.name in NOT_YET_RUNNABLE else d for d in DOCS], ids=lambda p: p.name)
def test_command_blocks_are_marked_sh(doc):
    """A block of commands not marked ```sh would escape the test above: every line that starts
    with `commentkit ` outside a ```sh block must be in a transcript (```console, `$ ` prompts)
    or in output or syntax (```text)."""
    offenders = []
    inside, lang = False, ""
    for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        fence = re.match(r"^\s*```(\S*)", line)
        if fence:
            inside, lang = (not inside), fence.group(1)
            continue
        if inside and lang == "" and line.lstrip().startswith("commentkit "):
            offenders.append(f"{doc.relative_to(REPO)}:{n}: {line.strip()[:60]}")
    assert not offenders, "command blocks not marked ```sh (or ```text for syntax):\n" + "\n".join(offenders)
