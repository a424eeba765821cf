"""CLI skeleton: dockets, questions, show, init, --version, errors."""

from __future__ import annotations

import json

from commentkit import __version__


def test_version(run):
    res = run("--version")
    assert res.exit_code == 0 and __version__ in res.output


def test_every_command_has_help_with_an_example(run):
    from commentkit.cli import COMMANDS

    for name in COMMANDS:
        res = run(name, "--help")
        assert res.exit_code == 0, (name, res.output)
        assert "Example" in res.output, f"'{name} --help' shows no example"


def test_dockets_lists_the_anprm_with_deadline(run):
    res = run("dockets", "--today", "2023-09-01")
    assert res.exit_code == 0
    assert "TREAS-DO-2023-0009" in res.output
    assert "2023-09-28 23:59 America/New_York (open)" in res.output
    res = run("dockets", "--today", "2026-11-24", "--json")
    rows = {r["docket"]["id"]: r for r in json.loads(res.output)["dockets"]}
    assert rows["TREAS-DO-2023-0009"]["period"] == "closed"
    assert rows["TREAS-DO-2023-0009"]["deadline"] == "2023-09-28T23:59:00-04:00"
    assert rows["TREAS-DO-2023-0009"]["source"] == "shipped"


def test_questions_json_has_provenance(run):
    res = run("questions", "--docket", "TREAS-DO-2023-0009", "--json")
    assert res.exit_code == 0
    rows = json.loads(res.output)["questions"]
    assert rows
    for r in rows:
        assert set(r) >= {"question_id", "number", "section", "fr_pages", "wording", "citation"}
        assert r["wording"] in ("official", "summary")
        assert r["citation"].startswith("88 FR ")


def test_questions_filter_by_section_and_unknown_section(run):
    from commentkit.dockets import catalog as packs

    bank = packs.load("TREAS-DO-2023-0009").bank
    sec = bank.sections[0].id
    res = run("questions", "-d", "TREAS-DO-2023-0009", "--section", sec, "--json")
    assert {r["section"] for r in json.loads(res.output)["questions"]} == {sec}
    res = run("questions", "-d", "TREAS-DO-2023-0009", "--section", "no-such-section")
    assert res.exit_code == 2
    assert "no section matches" in res.stderr


def test_show_says_a_summary_is_not_the_agencys_words(run):
    from commentkit.dockets import catalog as packs

    q = packs.load("TREAS-DO-2023-0009").bank.questions[0]
    res = run("show", q.id, "--docket", "TREAS-DO-2023-0009")
    assert res.exit_code == 0
    assert "NOT the agency's words" in res.output
    assert "88 FR" in res.output
    res = run("show", "nope", "--docket", "TREAS-DO-2023-0009")
    assert res.exit_code == 2 and "no question 'nope'" in res.stderr


def test_init_creates_a_project_that_reads_back(tmp_path, run):
    from commentkit.project.folder import Project

    root = tmp_path / "x"
    res = run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme")
    assert res.exit_code == 0, res.output
    assert (root / "commentkit.yaml").is_file() and (root / "answers").is_dir()
    text = (root / "commentkit.yaml").read_text()
    assert text.startswith("#") and "schema_version: 1" in text
    p = Project.open(root)
    assert p.file.docket == "TREAS-DO-2023-0009" and p.file.commenter.name == "Acme"
    # and commands run inside the project use its docket
    res = run("questions", "--project", root, "--json")
    assert res.exit_code == 0 and json.loads(res.output)["questions"]


def test_init_refuses_to_overwrite_a_project(tmp_path, run):
    root = tmp_path / "x"
    run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme")
    (root / "commentkit.yaml").write_text("# mine\n" + (root / "commentkit.yaml").read_text())
    before = (root / "commentkit.yaml").read_bytes()
    res = run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "Other")
    assert res.exit_code == 2
    assert "already exists" in res.stderr
    assert (root / "commentkit.yaml").read_bytes() == before


def test_init_unknown_docket(tmp_path, run):
    res = run("init", tmp_path / "x", "--docket", "NOPE-1", "--commenter", "A")
    assert res.exit_code == 2
    assert "NOPE-1" in res.stderr and "Traceback" not in res.output
    assert not (tmp_path / "x").exists()


def test_output_cut_short_by_a_pipe_ends_quietly(tmp_path):
    """`commentkit questions | head -1`: no 'Broken pipe' error, no traceback."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    env = dict(os.environ, PYTHONPATH=str(REPO), COMMENTKIT_DATA_DIR=str(tmp_path))
    read_end, write_end = os.pipe()
    proc = subprocess.Popen([sys.executable, "-m", "commentkit", "questions", "-d", "TREAS-DO-2023-0009"],
                            stdout=write_end, stderr=subprocess.PIPE, env=env)
    os.close(write_end)
    os.close(read_end)  # the reader is gone before commentkit writes its first line
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert "Error" not in err and "Traceback" not in err, err
    assert code == 141


def test_unknown_tag_is_an_error_listing_the_tags(run):
    res = run("questions", "-d", "TREAS-DO-2023-0009", "--tag", "limited-partners")
    assert res.exit_code == 2
    assert "'limited-partners'" in res.stderr and "lp-investments" in res.stderr
    res = run("questions", "-d", "TREAS-DO-2023-0009", "--tag", "lp-investments", "--json")
    assert res.exit_code == 0 and all("lp-investments" in r["tags"] for r in json.loads(res.output)["questions"])
