"""Typed errors (issue 19): each kind of bad input raises its own UserError subclass, so code and
tests tell failures apart without matching text; the command line still prints one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from commentkit.errors import DocketPackError, ProjectFileError, TemplateError, UserError, WordFileError, typed

REPO = Path(__file__).resolve().parents[2]


def test_a_damaged_project_file_is_a_project_file_error(project):
    from commentkit.project.folder import Project

    (project / "commentkit.yaml").write_text("docket: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProjectFileError) as exc:
        Project.open(project)
    assert exc.value.path.name == "commentkit.yaml" and exc.value.line == 2


def test_a_damaged_answer_file_is_a_project_file_error(project):
    from commentkit.project.folder import Project

    (project / "answers").mkdir(exist_ok=True)
    (project / "answers" / "def-3.md").write_text("---\nstatus: finished\n---\ntext\n", encoding="utf-8")
    with pytest.raises(ProjectFileError) as exc:
        Project.open(project).answers
    assert exc.value.path.name == "def-3.md"


def test_a_damaged_pack_is_a_docket_pack_error(pack_copy):
    from commentkit.dockets import catalog

    (pack_copy / "docket.yaml").write_text("id: X\nagency: 3\n", encoding="utf-8")
    with pytest.raises(DocketPackError) as exc:
        catalog.load_path(pack_copy)
    assert exc.value.path.name == "docket.yaml"


def test_a_file_that_is_not_a_word_file_is_a_word_file_error(tmp_path):
    from commentkit.ooxml.reader import Package

    bad = tmp_path / "letter.docx"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(WordFileError):
        Package(bad)


def test_a_template_syntax_error_is_a_template_error(tmp_path):
    from commentkit.letter.templating import TemplateSet

    (tmp_path / "t.md.j2").write_text("{% if %}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as exc:
        TemplateSet([tmp_path]).render("t.md.j2", {})
    assert exc.value.line == 1


def test_typed_keeps_subclasses_and_retypes_plain_errors():
    with pytest.raises(DocketPackError) as exc:
        with typed(DocketPackError):
            raise UserError("bad", Path("x.yaml"), 3)
    assert exc.value.format() == "x.yaml:3: bad"
    with pytest.raises(WordFileError):
        with typed(DocketPackError):
            raise WordFileError("not a zip")


def test_the_command_line_prints_one_line_and_exits_2(run, project):
    (project / "commentkit.yaml").write_text("docket: [unclosed\n", encoding="utf-8")
    res = run("status", project)
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and "commentkit.yaml:2" in res.stderr and "Traceback" not in res.stderr
