"""Paths: nothing a docket pack, a member template, a Word file or a commenter's name contains can
make commentkit write outside the folder it was asked to write to."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from commentkit.errors import UserError
from tests.conftest import SAMPLES, user_pack_dir

ESCAPES = ["../../escaped", "..", "a/../../escaped", "/tmp/escaped", "..\\..\\escaped", "x/y"]


def _files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("docket_id", ESCAPES)
def test_pack_docket_id_cannot_name_a_path(pack_copy, run, tmp_path, docket_id):
    """docket_id names the built files (TREAS-DO-2023-0009-acme.docx): a hostile one is refused on load."""
    dest = user_pack_dir() / pack_copy.name
    shutil.copytree(pack_copy, dest)
    f = dest / "docket.yaml"
    text = f.read_text()
    assert "\ndocket_id:" in text
    text = "\n".join(f"docket_id: {docket_id!r}" if ln.startswith("docket_id:") else ln for ln in text.splitlines())
    f.write_text(text + "\n")
    res = run("dockets")
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert "\n" not in err and "docket.yaml" in err and "docket_id" in err


@pytest.mark.parametrize("key", ESCAPES + ["../answers/x", "CAPS", ""])
def test_answer_key_cannot_name_a_path(project, key):
    from commentkit.project.folder import Project

    proj = Project.open(project)
    before = _files_under(project.parent)
    with pytest.raises(UserError, match="not a question id"):
        proj.save_answer(key, "text")
    assert _files_under(project.parent) == before


@pytest.mark.parametrize("qid", ["../../../escaped", "a/b", "..", "Q1/../../x"])
def test_member_template_question_id_cannot_name_a_path(tmp_path, run, qid):
    """A sealed template whose question id climbs out of the project is refused before anything is created."""
    from commentkit.association import template as at

    tpl = at.load(SAMPLES / "association" / "member-template.yaml")
    q = tpl.questions[0]
    bad = tpl.model_copy(update={"questions": [q.model_copy(update={"id": qid}), *tpl.questions[1:]]})
    bad.positions_checksum = at.positions_checksum(bad.questions)
    evil = tmp_path / "template.yaml"
    evil.write_text(at.render(bad))
    member = tmp_path / "member"
    res = run("init", member, "--from-template", evil, "--commenter", "Member Co.")
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert "\n" not in err and str(evil) in err and "questions[0].id" in err
    assert not member.exists()
    assert not list(tmp_path.rglob("escaped*"))


@pytest.mark.parametrize("name", ["../../escaped.md.j2", "/tmp/escaped.md.j2", "partials/../../../escaped.md.j2"])
def test_member_template_embedded_file_cannot_name_a_path(tmp_path, run, name):
    from commentkit.association import template as at

    tpl = at.load(SAMPLES / "association" / "member-template.yaml")
    ok = at.EmbeddedFile(name="letter.md.j2", encoding="utf-8", data="Dear Sir or Madam,\n")
    bad = tpl.model_copy(update={"templates": [ok.model_copy(update={"name": name})]})
    evil = tmp_path / "template.yaml"
    evil.write_text(at.render(bad))
    res = run("init", tmp_path / "member", "--from-template", evil, "--commenter", "Member Co.")
    assert res.exit_code == 2
    assert "\n" not in res.stderr.strip() and str(evil) in res.stderr
    assert not list(tmp_path.rglob("escaped*"))


@pytest.mark.parametrize("commenter", ["../../../escaped", "/etc/escaped", "..", "a/../../b\\..\\c"])
def test_commenter_name_cannot_steer_build_output(tmp_path, run, commenter):
    root = tmp_path / "work" / "proj"
    assert run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", commenter).exit_code == 0
    from commentkit.project.folder import Project

    proj = Project.open(root)
    key = proj.pack.bank.questions[0].id
    proj.save_answer(key, "An answer.", status="final")
    out = root / "build"
    outside_before = _files_under(tmp_path) - _files_under(root)
    res = run("build", root, "--format", "md,txt", "--draft")
    assert res.exit_code in (0, 1), res.output
    written = _files_under(out)
    assert written and all(p.parent == out for p in written)
    assert _files_under(tmp_path) - _files_under(root) == outside_before
