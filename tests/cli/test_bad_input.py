"""Damaged pack and project files give one line naming the file (and line), exit 2."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import user_pack_dir


def _install(pack_copy):
    dest = user_pack_dir() / pack_copy.name
    shutil.copytree(pack_copy, dest)
    return dest


def _one_line(res):
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    return err


def test_pack_yaml_syntax_error_names_file_and_line(pack_copy, run):
    dest = _install(pack_copy)
    f = dest / "docket.yaml"
    lines = f.read_text().splitlines()
    lines[9] = "rin: [unclosed"
    f.write_text("\n".join(lines) + "\n")
    err = _one_line(run("dockets"))
    assert "docket.yaml:" in err and "YAML syntax error" in err
    line = int(err.split("docket.yaml:")[1].split(":")[0])
    assert 10 <= line <= 12


def test_pack_missing_field_names_field_and_line(pack_copy, run):
    dest = _install(pack_copy)
    f = dest / "docket.yaml"
    f.write_text(f.read_text().replace("document_type: ANPRM\n", ""))
    err = _one_line(run("questions", "--docket", "TREAS-DO-2023-0009"))
    assert "docket.yaml" in err and "document_type" in err and "required" in err.lower()


def test_pack_wrong_type_names_line(pack_copy, run):
    dest = _install(pack_copy)
    f = dest / "docket.yaml"
    text = f.read_text().replace("  volume: 88", "  volume: eighty-eight")
    f.write_text(text)
    err = _one_line(run("dockets"))
    want = text.splitlines().index("  volume: eighty-eight") + 1
    assert f"docket.yaml:{want}:" in err and "federal_register.volume" in err


def test_question_in_unknown_section(pack_copy, run):
    dest = _install(pack_copy)
    f = dest / "questions.yaml"
    text = f.read_text()
    first_section = text.split("\n    section: ", 1)[1].split("\n", 1)[0]
    f.write_text(text.replace(f"\n    section: {first_section}\n", "\n    section: nowhere\n", 1))
    err = _one_line(run("questions", "--docket", "TREAS-DO-2023-0009"))
    assert "questions.yaml" in err and "nowhere" in err


@pytest.mark.parametrize("damage, expect", [
    ("docket: [oops", "YAML syntax error"),
    ("schema_version: 1\ncommenter:\n  name: A\n", "docket"),
    ("schema_version: 1\ndocket: TREAS-DO-2023-0009\ncommenter: 12\n", "commenter"),
    ("schema_version: 99\ndocket: TREAS-DO-2023-0009\ncommenter:\n  name: A\n", "upgrade commentkit"),
    ("", "empty"),
])
def test_damaged_project_file(project, run, damage, expect):
    (project / "commentkit.yaml").write_text(damage)
    err = _one_line(run("questions", "--project", project))
    assert "commentkit.yaml" in err and expect in err
    assert (project / "commentkit.yaml").read_text() == damage


def test_not_a_project(tmp_path, run):
    err = _one_line(run("questions", "--project", tmp_path))
    assert "not a commentkit project" in err
