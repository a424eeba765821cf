"""Issue 27, path policy: a project (or member project) whose answers or answers folder are links
out of it, or FIFOs, is refused with one line by every command; nothing outside is read or
written. Runs as any user (the tests are meaningful as root: no permission stops the reads)."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

SECRET = "SECRET-FROM-OUTSIDE-THE-PROJECT"


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (links not followed) with a digest of its content."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            p = Path(dirpath) / name
            if p.is_symlink() or not p.is_file():
                out[str(p)] = "special"
            else:
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def built(project, run, tmp_path):
    """A project with two answers and a built Word letter (for import-docx), plus an outside folder."""
    from commentkit.project.folder import Project

    proj = Project.open(project)
    qs = [q.id for q in proj.pack.bank.questions[:2]]
    for q in qs:
        assert run("answer", q, project, "--text", f"Our answer to {q}.").exit_code == 0
    res = run("build", project, "--format", "docx", "--draft")
    assert res.exit_code == 0, res.output
    docx = next((project / "build").glob("*.docx"))
    keep = project.parent / "letter.docx"
    shutil.copy(docx, keep)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"---\nquestion: {qs[0]}\nstatus: draft\n---\n{SECRET}\n")
    return project, qs, keep, outside


def _commands(project: Path, q: str, docx: Path, out: Path) -> list[list]:
    return [
        ["status", project],
        ["build", project, "--draft", "--format", "md,txt"],
        ["check", project],
        ["answer", q, project, "--text", "A new answer."],
        ["mark", q, "review", project],
        ["package", project, "--out", out],
        ["import-docx", docx, project, "--apply"],
    ]


class _Alarm:
    """Fail (instead of hanging the suite) if a command blocks on a FIFO."""

    def __enter__(self):
        def boom(*_):
            raise AssertionError("a command blocked (FIFO read?)")

        self.old = signal.signal(signal.SIGALRM, boom)
        signal.alarm(30)

    def __exit__(self, *exc):
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self.old)


def _assert_refused(res, path_part: str, words: str):
    err = res.stderr.strip()
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert "\n" not in err and "Traceback" not in res.output, err
    assert path_part in err and words in err, err
    assert SECRET not in res.output


@pytest.mark.parametrize("case", ["file-link", "folder-link", "fifo"])
@pytest.mark.parametrize("n", range(7), ids=["status", "build", "check", "answer", "mark", "package", "import-docx"])
def test_every_command_refuses_links_out_and_fifos(built, run, tmp_path, case, n):
    project, qs, docx, outside = built
    target = project / "answers" / f"{qs[0]}.md"
    if case == "file-link":
        target.unlink()
        target.symlink_to(outside / "secret.md")
        where, words = str(target), "leading outside"
    elif case == "folder-link":
        for f in (project / "answers").iterdir():
            shutil.move(str(f), outside / f.name)
        (project / "answers").rmdir()
        (project / "answers").symlink_to(outside)
        where, words = str(project / "answers"), "leading outside"
    else:
        target.unlink()
        os.mkfifo(target)
        where, words = str(target), "FIFO"
    out = tmp_path / "pkg"
    before_outside = _tree(outside)
    before_project = _tree(project)
    cmd = _commands(project, qs[1] if case != "folder-link" else qs[1], docx, out)[n]
    with _Alarm():
        res = run(*cmd)
    _assert_refused(res, where, words)
    assert _tree(outside) == before_outside  # nothing outside read into, nothing written there
    after = _tree(project)
    written = {p for p in after if before_project.get(p) != after[p]
               and "/.commentkit/" not in p}  # the lock file and backups folder may appear
    assert not written, written
    assert not out.exists() or not any(out.rglob("*"))
    for p in (project / "build").rglob("*") if (project / "build").exists() else []:
        if p.is_file():
            assert SECRET not in p.read_text(errors="replace")


def test_writes_never_go_through_a_linked_folder_even_inside(built, run):
    """A linked folder inside the project (answers -> elsewhere inside) is not written through."""
    project, qs, _, _ = built
    real = project / "real-answers"
    shutil.move(str(project / "answers"), real)
    (project / "answers").symlink_to(real)
    res = run("answer", qs[1], project, "--text", "New text.")
    assert res.exit_code == 2 and "symbolic link" in res.stderr and "\n" not in res.stderr.strip()
    assert "New text." not in (real / f"{qs[1]}.md").read_text()


def test_build_out_in_the_project_file_is_confined_to_the_project(built, run, tmp_path):
    project, _, _, outside = built
    pf = project / "commentkit.yaml"
    for bad in (str(outside), "../outside", "build/../../outside"):
        pf.write_text(pf.read_text().replace("  out: build", f"  out: {bad}") if "  out: build" in pf.read_text()
                      else pf.read_text())
        res = run("build", project, "--draft", "--format", "md")
        assert res.exit_code == 2 and "outside the project" in res.stderr, res.output
        assert "\n" not in res.stderr.strip()
        assert not list(outside.glob("*.md")) or [p.name for p in outside.glob("*.md")] == ["secret.md"]
        pf.write_text(pf.read_text().replace(f"  out: {bad}", "  out: build"))
    # on the command line, the user may choose any folder
    res = run("build", project, "--draft", "--format", "md", "--out", tmp_path / "elsewhere")
    assert res.exit_code in (0, 1), res.output
    assert list((tmp_path / "elsewhere").glob("*.md"))


def _member_project(tmp_path: Path) -> Path:
    src = SAMPLES / "association" / "members" / "acme-semiconductor"
    dest = tmp_path / "members" / "acme-semiconductor"
    shutil.copytree(src, dest)
    return dest


@pytest.mark.parametrize("case", ["file-link", "folder-link", "fifo"])
def test_collect_refuses_a_member_project_with_links_out_or_fifos(tmp_path, run, case):
    assoc = tmp_path / "assoc"
    shutil.copytree(SAMPLES / "association" / "assoc", assoc)
    member = _member_project(tmp_path)
    answers = member / "answers"
    first = sorted(answers.glob("*.md"))[0]
    outside = tmp_path / "outside"
    outside.mkdir()
    qid = first.stem
    (outside / first.name).write_text(f"---\nquestion: {qid}\nstatus: final\n---\n{SECRET}\n")
    if case == "file-link":
        first.unlink()
        first.symlink_to(outside / first.name)
    elif case == "folder-link":
        for f in answers.iterdir():
            if f.name != first.name:
                shutil.move(str(f), outside / f.name)
        first.unlink()
        answers.rmdir()
        answers.symlink_to(outside)
    else:
        first.unlink()
        os.mkfifo(first)
    before = _tree(outside)
    with _Alarm():
        res = run("collect", assoc, member.parent, "--json")
    assert "Traceback" not in res.output
    collected = assoc / "collected"
    for p in collected.rglob("*"):
        if p.is_file():
            assert SECRET not in p.read_text(errors="replace"), p
    assert SECRET not in res.output
    assert "acme-semiconductor" in res.output + res.stderr  # reported by name, as skipped
    assert ("leading outside" in res.output + res.stderr) or ("FIFO" in res.output + res.stderr)
    assert _tree(outside) == before


DIRECT_READS_ALLOWED = {
    ("commentkit/ooxml/safe.py", "check"): "after paths.check_regular",
    ("commentkit/ooxml/reader.py", "__init__"): "after safe.check (which applies the path policy)",
    ("commentkit/association/form.py", "embedded_template"): "after check_docx_safe",
    ("commentkit/association/form.py", "open_form"): "after check_docx_safe",
    ("commentkit/association/template.py", "load"): "after paths.check_regular",
    ("commentkit/filing/package.py", "leaked_passages"): "after paths.check_regular",
}


def test_every_file_read_goes_through_the_path_policy():
    """Static guard: outside commentkit/files/, no code reads a file directly (Path.read_text /
    read_bytes, open() for reading, ZipFile(path)) except the listed readers that check the path
    with the policy first; everything else reads through files.paths / files.yamlio."""
    import ast

    from tests.conftest import REPO

    found = []
    for path in sorted((REPO / "commentkit").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith("commentkit/files/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
            for node in ast.walk(fn):
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                modes = [a for a in node.args[1:2]] + [k.value for k in node.keywords if k.arg == "mode"]
                mode = modes[0].value if modes and isinstance(modes[0], ast.Constant) else "r"
                first = node.args[0] if node.args else None
                in_memory = isinstance(first, ast.Call) and getattr(first.func, "attr", "") == "BytesIO"
                reads = (isinstance(f, ast.Attribute) and name in ("read_text", "read_bytes")
                         or name == "open" and isinstance(f, ast.Name) and not set(str(mode)) & set("wax+")
                         or name == "ZipFile" and not in_memory and "w" not in str(mode))
                if reads and (rel, fn.name) not in DIRECT_READS_ALLOWED:
                    found.append(f"{rel}:{node.lineno} in {fn.name}()")
    assert not found, "files read without the path policy: " + ", ".join(sorted(set(found)))


@pytest.mark.parametrize("what", ["profile.yaml", "general", ".commentkit", "commentkit.yaml"])
def test_other_project_files_and_folders_linked_out_are_refused(built, run, what):
    """The same policy for the profile, the general/ folder, the project file and commentkit's own
    .commentkit/ folder (its lock file and backups must not be written outside either)."""
    project, qs, _, outside = built
    src = project / what
    if what == "profile.yaml":
        src.write_text("schema_version: 1\n")
    if what == ".commentkit":
        src.mkdir(exist_ok=True)
    dest = outside / f"moved-{what}"
    shutil.move(str(src), dest)
    src.symlink_to(dest)
    before = _tree(outside)
    second = ["plan", project] if what == "profile.yaml" else ["answer", qs[1], project, "--text", "New text."]
    for cmd in (["status", project], second):
        res = run(*cmd)
        err = res.stderr.strip()
        assert res.exit_code == 2 and "\n" not in err and ("leading outside" in err or "symbolic link" in err), res.output
        assert _tree(outside) == before


def test_collect_output_folder_linked_out_of_the_association_is_refused(tmp_path, run):
    assoc = tmp_path / "assoc"
    shutil.copytree(SAMPLES / "association" / "assoc", assoc)
    outside = tmp_path / "outside"
    outside.mkdir()
    (assoc / "collected").symlink_to(outside)
    res = run("collect", assoc, SAMPLES / "association" / "members")
    assert res.exit_code == 2 and "symbolic link" in res.stderr and "\n" not in res.stderr.strip(), res.output
    assert not any(outside.iterdir())
    # given on the command line, any folder is the user's choice
    res = run("collect", assoc, SAMPLES / "association" / "members", "--out", tmp_path / "elsewhere")
    assert res.exit_code in (0, 1), res.output
    assert (tmp_path / "elsewhere" / "compilation.md").is_file()
