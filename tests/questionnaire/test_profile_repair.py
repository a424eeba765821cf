"""A hand-edited, invalid answer in profile.yaml can be fixed the way the error message says."""

from __future__ import annotations

from tests.conftest import REPO

PROFILE = REPO / "tests" / "fixtures" / "profiles" / "semiconductor-equipment-prc-jv.yaml"


def test_interview_item_repairs_an_invalid_stored_answer(project, run):
    assert run("interview", project, "--answers", PROFILE).exit_code == 0
    f = project / "profile.yaml"
    f.write_text(f.read_text().replace("annual_transactions: 3", "annual_transactions: lots"))
    res = run("plan", project)
    assert res.exit_code == 2
    assert "annual_transactions" in res.stderr and "--item annual_transactions" in res.stderr
    res = run("interview", project, "--item", "annual_transactions", input="12\n")
    assert res.exit_code == 0, res.output
    assert "will be asked again" in res.stderr
    assert "annual_transactions: 12" in f.read_text()
    assert "lots" not in f.read_text()
    res = run("plan", project, "--json")
    assert res.exit_code == 0
    # nothing else in the profile was lost
    assert "commenter_name: Meridian Deposition Systems, Inc." in f.read_text()


def test_check_warns_when_the_two_commenter_names_differ(project, run):
    import json

    assert run("interview", project, "--answers", PROFILE).exit_code == 0
    res = run("check", project, "--json", "--today", "2023-09-21")
    codes = {f["code"]: f for f in json.loads(res.output)["findings"]}
    f = codes["commenter-names-differ"]
    assert f["severity"] == "warning"
    assert "Meridian Deposition Systems, Inc." in f["message"] and "Acme Corp." in f["message"]
