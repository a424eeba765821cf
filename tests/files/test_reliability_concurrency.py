"""Concurrent edits: two real processes changing one project never silently overwrite each other.

Every test here runs ``commentkit`` as separate OS processes (``python -m commentkit``), as two
people (or a person and a script) would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest


def ck(*args, env=None, input=None, timeout=60):
    """Run commentkit in its own process."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "commentkit", *map(str, args)], capture_output=True, text=True,
                          env=full_env, input=input, timeout=timeout)


def _first_keys(project, n=2):
    from commentkit.project.folder import Project

    return [q.id for q in Project.open(project).pack.bank.questions[:n]]


def _answer_text(project, key) -> str:
    from commentkit.project.folder import Project

    return Project.open(project).answers[key].text


def _editor_script(tmp_path: Path, body: str) -> str:
    """An $EDITOR that, while 'open', lets something else change the project, then saves its own text."""
    script = tmp_path / "editor.py"
    script.write_text(textwrap.dedent(f"""\
        import os, subprocess, sys
        path = sys.argv[1]
        # meanwhile, someone else changes the same answer:
        exec(os.environ["MEANWHILE"])
        with open(path, "a", encoding="utf-8") as fh:
            fh.write({body!r})
        """))
    return f"{sys.executable} {script}"


def test_second_commentkit_process_while_editor_is_open(project, tmp_path):
    """A: `answer` in the editor; meanwhile B: `answer --text` saves. A refuses, keeps its text, exit 2."""
    key, _ = _first_keys(project)
    assert ck("answer", key, project, "--text", "Original text.").returncode == 0
    meanwhile = (f"r = subprocess.run([sys.executable, '-m', 'commentkit', 'answer', {key!r}, {str(project)!r}, "
                 f"'--text', 'Colleague text.'], capture_output=True, text=True); assert r.returncode == 0, r.stderr")
    res = ck("answer", key, project, "--edit",
             env={"EDITOR": _editor_script(tmp_path, "Counsel's rewrite."), "MEANWHILE": meanwhile})
    assert res.returncode == 2, res.stderr
    err = res.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert "changed on disk" in err and "nothing was written" in err
    # the colleague's text is not overwritten ...
    assert _answer_text(project, key) == "Colleague text."
    # ... and counsel's text is not lost: the message names where it is and how to save it
    kept = Path(err.split("it is kept in ")[1].split(" (")[0])
    assert kept.exists() and "Counsel's rewrite." in kept.read_text()
    # the message's own command saves it
    import shlex

    command = shlex.split(err.split("(compare, then: ")[1].rsplit(")", 1)[0])
    assert command[:3] == ["commentkit", "answer", key] and str(kept) in command
    res = ck(*command[1:])
    assert res.returncode == 0, res.stderr
    assert _answer_text(project, key).endswith("Counsel's rewrite.")
    # the colleague's version is in the backups
    backups = (project / ".commentkit" / "backups" / "answers").glob(f"{key}.md.*")
    assert any("Colleague text." in b.read_text() for b in backups)


def test_file_changed_by_an_editor_between_read_and_write(project, tmp_path):
    """The user edits answers/<id>.md directly in another window while `answer` is open: refused."""
    key, _ = _first_keys(project)
    assert ck("answer", key, project, "--text", "Original text.").returncode == 0
    answer_file = project / "answers" / f"{key}.md"
    meanwhile = (f"p = {str(answer_file)!r}; t = open(p).read(); "
                 f"open(p, 'w').write(t.replace('Original text.', 'Hand-edited text.'))")
    res = ck("answer", key, project, "--edit",
             env={"EDITOR": _editor_script(tmp_path, "Editor text."), "MEANWHILE": meanwhile})
    assert res.returncode == 2
    assert "changed on disk" in res.stderr
    assert "Hand-edited text." in answer_file.read_text()
    assert "Editor text." not in answer_file.read_text()


def test_locked_project_refuses_with_what_to_do(project):
    """While another process holds the project lock, a writing command waits, then refuses (exit 2)."""
    key, _ = _first_keys(project)
    assert ck("answer", key, project, "--text", "Draft.").returncode == 0
    before = (project / "answers" / f"{key}.md").read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""\
            import sys, time
            from commentkit.files import storage
            with storage.project_lock({str(project)!r}):
                print("locked", flush=True)
                sys.stdin.readline()
            """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        res = ck("mark", key, "review", project, env={"COMMENTKIT_LOCK_WAIT": "0.5"})
        waited = time.monotonic() - t0
        assert res.returncode == 2
        err = res.stderr.strip()
        assert "\n" not in err
        assert f"process {holder.pid}" in err and "wait for it to finish" in err and "again" in err
        assert waited >= 0.5
        assert (project / "answers" / f"{key}.md").read_bytes() == before
        # a command that only reads is not blocked by the lock
        assert ck("questions", "--project", project).returncode == 0
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()
    # once the other process is done, the same command works
    res = ck("mark", key, "review", project)
    assert res.returncode == 0, res.stderr
    assert "status: review" in (project / "answers" / f"{key}.md").read_text()


def test_lock_waits_for_a_short_holder(project):
    """A writer that finds the project locked for a moment waits and then succeeds."""
    key, _ = _first_keys(project)
    assert ck("answer", key, project, "--text", "Draft.").returncode == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""\
            import time
            from commentkit.files import storage
            with storage.project_lock({str(project)!r}):
                print("locked", flush=True)
                time.sleep(1.0)
            """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    res = ck("mark", key, "review", project)
    holder.wait(timeout=10)
    holder.stdout.close()
    assert res.returncode == 0, res.stderr


def test_parallel_writers_lose_nothing(project):
    """Six `commentkit answer` processes at once on one answer, two more on another.

    Every process either saves (its text is then the current answer or, if a later one
    replaced it knowingly, in the backups) or refuses with exit 2 and keeps its text in
    .commentkit/edits/. Nothing is silently dropped, and the other answer is unaffected.
    """
    key, other = _first_keys(project)
    assert ck("answer", key, project, "--text", "Base text.").returncode == 0
    texts = [f"Parallel version {i}." for i in range(6)]
    procs = [subprocess.Popen([sys.executable, "-m", "commentkit", "answer", key, str(project), "--text", t],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for t in texts]
    procs += [subprocess.Popen([sys.executable, "-m", "commentkit", "answer", other, str(project), "--text",
                                f"Other answer {i}."], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for i in range(2)]
    results = [(p, *p.communicate(timeout=60)) for p in procs]
    saved, refused = [], []
    for (p, _out, err), text in zip(results[:6], texts):
        if p.returncode == 0:
            saved.append(text)
        else:
            assert p.returncode == 2, err
            assert "changed on disk" in err and ".commentkit/edits/" in err
            refused.append(text)
    assert saved, "no writer succeeded"
    current = _answer_text(project, key)
    assert current in saved
    backups = [b.read_text() for b in (project / ".commentkit" / "backups" / "answers").glob(f"{key}.md.*")]
    for text in saved:
        assert text == current or any(text in b for b in backups), f"{text!r} was silently lost"
    kept = [f.read_text() for f in (project / ".commentkit" / "edits").glob(f"{key}-*.md")] \
        if (project / ".commentkit" / "edits").exists() else []
    for text in refused:
        assert any(text in k for k in kept), f"refused text {text!r} was not kept"
    # the other answer's writers both ran to completion (different files never conflict)
    for p, _out, err in results[6:]:
        assert p.returncode in (0, 2), err
    assert _answer_text(project, other).startswith("Other answer")


@pytest.mark.parametrize("changed", ["commentkit.yaml"])
def test_project_file_changed_during_migration_is_not_overwritten(tmp_path, changed):
    """Migration of an old project file refuses if the file changes between read and write."""
    from commentkit.errors import ConflictError
    from commentkit.project import migrate

    root = tmp_path / "p"
    root.mkdir()
    old = "docket: TREAS-DO-2023-0009\ncommenter: Acme\n"
    (root / changed).write_text(old)
    # another process (an editor) saves the file after commentkit read it
    subprocess.run([sys.executable, "-c", f"open({str(root / changed)!r}, 'a').write('owner: JD\\n')"], check=True)
    with pytest.raises(ConflictError, match="changed on disk"):
        migrate.migrate_project_file(root, old)
    assert (root / changed).read_text() == old + "owner: JD\n"


def test_profile_edited_by_hand_during_an_interview_is_not_overwritten(project):
    """`interview` holds the profile it read; a hand edit saved meanwhile makes the next save refuse."""
    import select

    proc = subprocess.Popen([sys.executable, "-m", "commentkit", "interview", str(project), "--plain"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(b"1\n")  # who is commenting: a company (saved at once)
    proc.stdin.flush()
    buf = b""
    end = time.monotonic() + 20
    while b"Name of the organization" not in buf and time.monotonic() < end:
        if select.select([proc.stdout], [], [], 1)[0]:
            buf += os.read(proc.stdout.fileno(), 65536)
    assert b"Name of the organization" in buf
    profile = project / "profile.yaml"
    assert "commenter_type: company" in profile.read_text()
    # a colleague edits profile.yaml in their editor (another process) and saves
    subprocess.run([sys.executable, "-c", f"p = {str(profile)!r}; open(p, 'a').write('# checked by GC\\n')"],
                   check=True)
    out, err = proc.communicate(b"Acme Corp.\n", timeout=30)
    proc.stdin.close()
    assert proc.returncode == 2, err
    err = err.decode()
    assert "profile.yaml" in err and "changed on disk" in err and "Traceback" not in err
    assert "Your answer to commenter_name (Acme Corp.) was not saved" in err
    assert f"commentkit interview {project}" in err and "\n" not in err.strip()
    text = profile.read_text()
    assert "# checked by GC" in text and "commenter_type: company" in text
    # running the interview again picks up the colleague's version and continues
    again = subprocess.run([sys.executable, "-m", "commentkit", "interview", str(project), "--plain"],
                           input=b"Acme Corp.\n", capture_output=True, timeout=30)
    assert b"Traceback" not in again.stderr
    text = profile.read_text()
    assert "# checked by GC" in text and "commenter_name: Acme Corp." in text


@pytest.mark.parametrize("prefix, newline", [(b"\xef\xbb\xbf", b"\n"), (b"", b"\r\n"), (b"\xef\xbb\xbf", b"\r\n")])
def test_answer_saved_by_a_windows_editor_is_not_a_false_conflict(project, prefix, newline):
    """A file re-saved with a byte-order mark or CRLF line ends (Notepad, Word's 'plain text') is the
    file commentkit read: the next save must go through, not claim a conflict."""
    key, _ = _first_keys(project)
    assert ck("answer", key, project, "--text", "First text.").returncode == 0
    path = project / "answers" / f"{key}.md"
    path.write_bytes(prefix + path.read_bytes().replace(b"\n", newline))
    for args in (("answer", key, project, "--text", "Second text."), ("mark", key, "review", project)):
        res = ck(*args)
        assert res.returncode == 0, res.stderr
    from commentkit.project.folder import Project

    ans = Project.open(project).answers[key]
    assert ans.text == "Second text." and ans.meta.status == "review"


def test_editor_lock_and_system_files_beside_answers_are_ignored(project):
    """While an answer is open in Emacs (.#x.md, a dangling link), on a Mac share (._x.md, binary
    metadata) or in Office (~$x.md), every command keeps working and sees only the real answers."""
    key, _ = _first_keys(project)
    assert ck("answer", key, project, "--text", "Real text.").returncode == 0
    answers = project / "answers"
    (answers / f".#{key}.md").symlink_to("user@host.1234:1700000000")
    (answers / f"._{key}.md").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \xff\xfe")
    (answers / f"~${key}.md").write_bytes(b"\xffOwner lock")
    res = ck("status", project, "--json")
    assert res.returncode == 0, res.stderr
    assert ck("answer", key, project, "--text", "Newer text.").returncode == 0
    assert _answer_text(project, key) == "Newer text."


def test_import_docx_apply_is_all_or_nothing_against_concurrent_edits(run, tmp_path):
    """`import-docx --apply` with two changed answers, one of which a colleague changes after the
    import compared them: nothing is written (not the first answer either), exit 2."""
    import shutil

    import docx

    from commentkit.errors import ConflictError
    from commentkit.project.folder import Project
    from commentkit.roundtrip import importer as roundtrip
    from tests.conftest import SAMPLES

    root = tmp_path / "semi"
    shutil.copytree(SAMPLES / "semiconductor-jv", root, ignore=shutil.ignore_patterns("build", ".commentkit"))
    assert run("build", root, "--date", "2023-09-20", "--format", "docx").exit_code == 0
    built = next((root / "build").glob("*.docx"))
    starts = {"burden-4": "The program’s cost can be reduced substantially",
              "cfe-1": "The obligation regarding controlled foreign entities"}
    d = docx.Document(str(built))
    for p in d.paragraphs:
        for key, start in starts.items():
            if p.text.startswith(start):
                p.runs[-1].text += f" Edited in Word ({key})."
    edited = tmp_path / "edited.docx"
    d.save(str(edited))
    proj = Project.open(root)
    plan = roundtrip.plan_import(proj, roundtrip.read_docx(edited))
    changed = [ch.key for ch in plan.changed]
    assert sorted(changed) == sorted(starts)
    before = {k: proj.answer_path(k).read_bytes() for k in changed}
    # a colleague saves the answer the import would write last
    last = proj.answer_path(changed[-1])
    subprocess.run([sys.executable, "-c", f"open({str(last)!r}, 'a').write('Colleague addition.\\n')"], check=True)
    with pytest.raises(ConflictError, match="nothing was written"):
        roundtrip.apply_import(proj, plan)
    assert proj.answer_path(changed[0]).read_bytes() == before[changed[0]]
    assert last.read_bytes().endswith(b"Colleague addition.\n")
