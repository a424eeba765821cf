"""Schema versions: older project files are migrated with a backup; newer files are refused."""

from __future__ import annotations

import pytest

from commentkit.models.project import PROJECT_SCHEMA_VERSION

V0_PROJECT = """\
# Acme's comment on the outbound ANPRM (pre-release commentkit)
docket: TREAS-DO-2023-0009   # the ANPRM
commenter: "Acme Corp."
owner: JD
"""


def _one_line_error(res):
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    return err


def test_version_0_project_is_migrated_with_backup(tmp_path, run):
    root = tmp_path / "old"
    root.mkdir()
    (root / "commentkit.yaml").write_text(V0_PROJECT)
    res = run("questions", "--project", root, "--json")
    assert res.exit_code == 0, res.output
    assert "schema version 0" in res.stderr and "updated it to version 1" in res.stderr
    new = (root / "commentkit.yaml").read_text()
    assert f"schema_version: {PROJECT_SCHEMA_VERSION}" in new
    assert 'commenter:\n  name: "Acme Corp."' in new  # the user's quoting is kept
    # the user's comments survive the rewrite
    assert "# Acme's comment on the outbound ANPRM" in new and "# the ANPRM" in new
    backups = list((root / ".commentkit" / "backups").glob("commentkit.yaml.*"))
    assert len(backups) == 1 and backups[0].read_text() == V0_PROJECT
    from commentkit.project.folder import Project

    proj = Project.open(root)
    assert proj.file.commenter.name == "Acme Corp." and proj.file.owner == "JD"
    # a second run finds nothing to migrate and writes nothing
    before = (root / "commentkit.yaml").stat().st_mtime_ns
    res = run("questions", "--project", root, "--json")
    assert res.exit_code == 0 and "older commentkit" not in res.stderr
    assert (root / "commentkit.yaml").stat().st_mtime_ns == before
    assert len(list((root / ".commentkit" / "backups").glob("commentkit.yaml.*"))) == 1


def test_missing_version_with_mapping_commenter_gets_version_added(tmp_path):
    from commentkit.project.folder import Project

    root = tmp_path / "p"
    root.mkdir()
    (root / "commentkit.yaml").write_text("docket: TREAS-DO-2023-0009\ncommenter:\n  name: Beta LLC\n")
    assert Project.open(root).file.commenter.name == "Beta LLC"
    assert (root / "commentkit.yaml").read_text().startswith("schema_version: 1\n")


def test_invalid_old_project_is_reported_and_not_rewritten(tmp_path, run):
    root = tmp_path / "bad"
    root.mkdir()
    text = "docket: TREAS-DO-2023-0009\ncommenter: Acme\nmilestones: seven\n"
    (root / "commentkit.yaml").write_text(text)
    err = _one_line_error(run("questions", "--project", root))
    assert "commentkit.yaml:3:" in err and "milestones" in err
    assert (root / "commentkit.yaml").read_text() == text
    assert not (root / ".commentkit" / "backups").exists()


@pytest.mark.parametrize("value", ["one", "-1", "1.5", "[1]"])
def test_bad_schema_version_value(tmp_path, run, value):
    root = tmp_path / "p"
    root.mkdir()
    text = f"docket: TREAS-DO-2023-0009\nschema_version: {value}\ncommenter:\n  name: A\n"
    (root / "commentkit.yaml").write_text(text)
    err = _one_line_error(run("questions", "--project", root))
    assert "commentkit.yaml" in err and "schema_version" in err
    assert (root / "commentkit.yaml").read_text() == text


def test_newer_project_file_is_refused(project, run):
    f = project / "commentkit.yaml"
    text = f.read_text().replace(f"schema_version: {PROJECT_SCHEMA_VERSION}", "schema_version: 7")
    text += "some_future_setting: true\n"
    f.write_text(text)
    err = _one_line_error(run("questions", "--project", project))
    assert "commentkit.yaml" in err and "upgrade commentkit" in err and "schema version 7" in err
    assert f.read_text() == text


def test_newer_answer_file_is_refused(project):
    from commentkit.errors import UserError
    from commentkit.project.folder import Project

    proj = Project.open(project)
    key = proj.pack.bank.questions[0].id
    path = proj.save_answer(key, "Text.")
    text = path.read_text().replace("---\n", "---\nschema_version: 2\nconfidential_level: high\n", 1)
    path.write_text(text)
    with pytest.raises(UserError, match="upgrade commentkit") as exc:
        Project.open(project).answers
    assert str(path) in str(exc.value)
    assert path.read_text() == text


def test_current_answer_version_is_accepted(project):
    from commentkit.project.folder import Project

    proj = Project.open(project)
    key = proj.pack.bank.questions[0].id
    path = proj.save_answer(key, "Text.")
    path.write_text(path.read_text().replace("---\n", "---\nschema_version: 1\n", 1))
    assert Project.open(project).answers[key].text == "Text."


def test_newer_profile_is_refused(project):
    from commentkit.errors import UserError
    from commentkit.project.folder import Project

    (project / "profile.yaml").write_text("schema_version: 3\ncommenter_name: Acme\n")
    with pytest.raises(UserError, match="upgrade commentkit"):
        Project.open(project).profile


@pytest.mark.parametrize("name", ["docket.yaml", "questions.yaml", "interview.yaml"])
def test_newer_pack_file_is_refused(pack_copy, name):
    from commentkit.dockets import catalog as packs
    from commentkit.errors import UserError

    f = pack_copy / name
    text = f.read_text()
    text = text.replace("schema_version: 1\n", "") if "schema_version: 1\n" in text else text
    text = "schema_version: 5\nnew_feature: yes\n" + text
    f.write_text(text)
    with pytest.raises(UserError) as exc:
        packs.load_path(pack_copy, "path")
    msg = exc.value.format()
    assert name in msg and "upgrade commentkit" in msg and "schema version 5" in msg


def test_old_project_on_a_read_only_share_is_still_read(tmp_path, run, monkeypatch):
    """If the migrated file cannot be written, read-only commands still work (migrated in memory)."""
    from commentkit.errors import UserError
    from commentkit.files import storage

    root = tmp_path / "old"
    root.mkdir()
    (root / "commentkit.yaml").write_text(V0_PROJECT)

    def read_only(path, data, **kw):
        raise UserError("cannot write file: Read-only file system", path)

    monkeypatch.setattr(storage, "atomic_write", read_only)
    res = run("questions", "--project", root, "--json")
    assert res.exit_code == 0, res.output
    assert "Read-only file system" in res.stderr and "without updating it on disk" in res.stderr
    assert (root / "commentkit.yaml").read_text() == V0_PROJECT
