"""Issue 27, transactions: commands that write several files write all of them or none, also when
killed (SIGKILL) at any instant; the next command finishes or drops what the killed one left."""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest

from commentkit.files import storage
from commentkit.project.folder import Project
from commentkit.roundtrip import importer as roundtrip
from tests.files.test_reliability import _fork_and_kill  # the SIGKILL harness

KILLS = 100


def _timed_child(child) -> float:
    pid = os.fork()
    if pid == 0:  # pragma: no cover
        try:
            child()
        finally:
            os._exit(0)
    t0 = time.monotonic()
    os.waitpid(pid, 0)
    return time.monotonic() - t0


@pytest.fixture
def edited(project, run, tmp_path):
    """A small project with 4 answers, and its letter edited in Word so all 4 change."""
    import docx

    proj = Project.open(project)
    keys = [q.id for q in proj.pack.bank.questions[:4]]
    for k in keys:
        assert run("answer", k, project, "--text", f"Old text of {k}.").exit_code == 0
    assert run("build", project, "--format", "docx", "--draft").exit_code == 0
    src = next((project / "build").glob("*.docx"))
    d = docx.Document(str(src))
    n = 0
    for p in d.paragraphs:
        if p.text.startswith("Old text of "):
            for r in list(p.runs)[1:]:
                r._r.getparent().remove(r._r)
            p.runs[0].text = p.text.replace("Old text of", "New text of")
            n += 1
    assert n == 4
    dest = tmp_path / "edited.docx"
    d.save(str(dest))
    plan = roundtrip.plan_import(Project.open(project), roundtrip.read_docx(dest))
    assert len(plan.changed) == 4
    return project, keys, plan


def _state(project: Path, keys: list[str]) -> str:
    """What the next command sees: 'old', 'new' or 'mixed' (Project.open finishes a killed transaction)."""
    proj = Project.open(project)
    assert not storage.pending(project), "a killed transaction was left behind"
    texts = [proj.answers[k].text for k in keys]
    if all(t.startswith("Old text of") for t in texts):
        return "old"
    if all(t.startswith("New text of") for t in texts):
        return "new"
    return "mixed"


def _reset(project: Path, old: dict[Path, bytes]) -> None:
    for path, raw in old.items():
        storage.atomic_write(path, raw)


def _run_kills(project, keys, child, kills: int, seed: int, stop_at_mixed: bool = False,
               window: tuple[float, float] = (0.0, 1.1)) -> dict[str, int]:
    old = {p: p.read_bytes() for p in (project / "answers").glob("*.md")}
    took = _timed_child(child)  # one complete run: kills are spread over (and a little past) it
    assert _state(project, keys) == "new"
    _reset(project, old)
    rng = random.Random(seed)
    seen = {"old": 0, "new": 0, "mixed": 0, "recovered": 0}
    for _ in range(kills):
        _fork_and_kill(child, rng.uniform(took * window[0], took * window[1]))
        if any((d / storage.JOURNAL).exists() for d in storage.pending(project)):
            seen["recovered"] += 1
        state = _state(project, keys)
        seen[state] += 1
        if state == "mixed" and stop_at_mixed:
            break
        if state != "old":
            _reset(project, old)
    return seen


def test_killed_import_docx_apply_leaves_all_old_or_all_new(edited):
    project, keys, plan = edited

    def child():
        roundtrip.apply_import(Project.open(project), plan)

    seen = _run_kills(project, keys, child, KILLS, seed=54961)
    assert seen["mixed"] == 0, seen
    # the kills must land before and after the commit; on a machine whose speed changed since the
    # timing run, a few more kills aimed early or late make sure of it (mixed must stay 0)
    for outcome, window in (("old", (0.0, 0.3)), ("new", (1.5, 3.0))):
        if seen[outcome] == 0:
            more = _run_kills(project, keys, child, 20, seed=7, window=window)
            assert more["mixed"] == 0, more
            seen = {k: seen[k] + more[k] for k in seen}
    assert seen["old"] > 0 and seen["new"] > 0, seen


def test_the_harness_catches_a_non_transactional_apply(edited):
    """The same harness sees mixed states when the answers are saved one by one (as before the
    transaction), so the test above can fail."""
    project, keys, plan = edited

    def child():
        proj = Project.open(project)
        for ch in plan.changed:
            proj.save_answer(ch.key, ch.new_body, status=ch.status_after, expect=proj.answers.get(ch.key))

    seen = _run_kills(project, keys, child, 60, seed=7, stop_at_mixed=True)
    assert seen["mixed"] > 0, seen


def test_a_committed_transaction_killed_before_its_renames_is_finished_by_the_next_command(project, run):
    """Journal written, no file renamed yet (the worst instant): the next command finishes it."""
    proj = Project.open(project)
    keys = [q.id for q in proj.pack.bank.questions[:3]]
    tx = storage.Transaction(project, "test")
    for k in keys:
        tx.write(proj.answer_path(k), f"---\nquestion: {k}\nstatus: draft\n---\nStaged {k}.\n")
    import json

    storage.atomic_write(tx.dir / storage.JOURNAL, json.dumps(
        {"command": "test", "moves": [[name, tx._rel(dest)] for name, dest in tx.moves]}))
    assert not proj.answer_path(keys[0]).exists()
    res = run("status", project)
    assert res.exit_code == 0, res.output
    assert "finished writing 3 file(s) of an interrupted 'test'" in res.stderr
    for k in keys:
        assert proj.answer_path(k).read_text().endswith(f"Staged {k}.\n")
    assert not storage.pending(project)


def test_an_uncommitted_transaction_is_dropped_by_the_next_command(project, run):
    proj = Project.open(project)
    key = proj.pack.bank.questions[0].id
    tx = storage.Transaction(project, "test")
    tx.write(proj.answer_path(key), f"---\nquestion: {key}\n---\nNever committed.\n")
    assert run("answer", key, project, "--text", "Real text.").exit_code == 0
    assert not storage.pending(project)
    assert "Real text." in proj.answer_path(key).read_text()


def test_init_from_a_damaged_template_leaves_nothing(tmp_path, run):
    """The template loads, but one embedded file cannot be written (a NUL in it): before, 5-6 files
    were left behind and a second init said the project exists."""
    from commentkit.association import template as at
    from tests.conftest import SAMPLES

    tpl = at.load(SAMPLES / "association" / "member-template.yaml")
    bad = at.EmbeddedFile(name="letter.md.j2", encoding="utf-8", data="Dear Sir or Madam,\x00\n")
    damaged = tmp_path / "template.yaml"
    damaged.write_text(at.render(tpl.model_copy(update={"templates": [bad]})))
    member = tmp_path / "member"
    before = sorted(p.name for p in tmp_path.iterdir())
    res = run("init", member, "--from-template", damaged, "--commenter", "Member Co.")
    assert res.exit_code == 2 and "\n" not in res.stderr.strip(), res.output
    assert not member.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no staging folder either
    # the same into an existing, non-empty folder: only what was there stays
    member.mkdir()
    (member / "notes.txt").write_text("mine")
    res = run("init", member, "--from-template", damaged, "--commenter", "Member Co.")
    assert res.exit_code == 2
    assert sorted(p.name for p in member.iterdir()) == ["notes.txt"]
    # a good template then works, and keeps the file that was there
    res = run("init", member, "--from-template", SAMPLES / "association" / "member-template.yaml",
              "--commenter", "Member Co.")
    assert res.exit_code == 0, res.output
    assert (member / "commentkit.yaml").is_file() and (member / "notes.txt").read_text() == "mine"


def test_init_killed_while_moving_into_a_folder_is_finished_by_the_next_init(tmp_path, run, monkeypatch):
    """Moving staged files into an existing folder, the project file goes last; the next init
    finishes the move (so no half project is ever taken for a whole one)."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "keep.txt").write_text("mine")
    real_rename = os.rename
    calls = {"n": 0}

    def dying_rename(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # "killed" after the first entry was moved
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", dying_rename)
    try:
        res = run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme")
        assert res.exit_code != 0
    except KeyboardInterrupt:
        pass
    assert calls["n"] >= 2
    monkeypatch.setattr(os, "rename", real_rename)
    assert not (root / "commentkit.yaml").exists()
    staged = [p for p in tmp_path.iterdir() if storage.STAGING_INFIX in p.name]
    assert len(staged) == 1
    res = run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme")
    assert res.exit_code == 2 and "already exists" in res.stderr  # the interrupted init was completed
    assert "finished creating" in res.stderr
    assert (root / "commentkit.yaml").is_file() and (root / "answers").is_dir()
    assert not [p for p in tmp_path.iterdir() if storage.STAGING_INFIX in p.name]
    assert run("status", root).exit_code == 0
    shutil.rmtree(root)
