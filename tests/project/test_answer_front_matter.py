"""An answer file whose front matter lost its opening '---' is refused, never printed as text."""

from __future__ import annotations


def test_missing_opening_fence_is_an_error_not_letter_text(project, run):
    f = project / "answers" / "def-3.md"
    f.write_text("question: def-3\nstatus: final\nowner: A. Partner\n---\nWe recommend a de minimis test.\n")
    before = f.read_bytes()
    for args in (["status", project], ["build", project, "--draft", "--out", project / "out"]):
        res = run(*args)
        assert res.exit_code == 2, res.output
        err = res.stderr.strip()
        assert "def-3.md:1:" in err and "opening '---'" in err and "\n" not in err
    assert f.read_bytes() == before
    assert not (project / "out").exists()


def test_plain_text_with_a_rule_is_still_an_answer(project, run):
    f = project / "answers" / "def-3.md"
    f.write_text("We recommend a de minimis test.\n\n---\n\nSecond part after a rule.\n")
    res = run("status", project, "--json")
    assert res.exit_code == 0, res.output


def test_calendar_file_in_a_missing_folder_is_refused(project, run, tmp_path):
    res = run("deadline", project, "--ics", tmp_path / "no-such-folder" / "x.ics")
    assert res.exit_code == 2 and "does not exist" in res.stderr
    assert not (tmp_path / "no-such-folder").exists()


def test_member_milestones_count_back_from_the_member_due_date(run, tmp_path):
    import json
    import shutil

    from tests.conftest import SAMPLES

    src = SAMPLES / "association" / "members" / "corvid-quantum"
    proj = tmp_path / "corvid"
    shutil.copytree(src, proj, ignore=shutil.ignore_patterns("build", ".commentkit"))
    res = run("status", proj, "--json", "--today", "2023-09-01")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    due = data["member_due"]["due"][:10]
    assert data["milestones_from"].startswith("the member due date")
    sign_off = next(m for m in data["milestones"] if m["name"] == "Sign-off")
    assert sign_off["date"] < due  # two business days before the member due date, not the agency's
    res = run("status", proj, "--today", "2023-09-01")
    assert "counted back from the member due date" in res.output
