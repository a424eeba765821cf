"""A project on an imported pack reaches 'ready to file': the generic questionnaire, end to end."""

from __future__ import annotations

import json
from pathlib import Path

from commentkit.dockets import catalog as packs
from tests.conftest import user_pack_dir
from tests.dockets.test_frimport import _plan_rows

NOTICES = Path(__file__).resolve().parents[1] / "fixtures" / "fr" / "notices"

ANSWERS = """\
commenter_type: company
commenter_name: Prairie Growers Cooperative
commenter_address: "100 Main Street\\nAmes, IA 50010"
interest_statement: Prairie Growers buys fertilizer for 2,000 member farms in Iowa.
effect: directly_regulated
small_entity: true
cost_data: true
contact_name: Dana Smith
contact_email: dana@example.com
contact_phone: (515) 555-0100
signatory_name: Dana Smith
signatory_title: General Manager
themes: [{theme}]
"""


def test_imported_pack_questionnaire_has_the_generic_items(run):
    assert run("docket", "import", NOTICES / "anprm-dot.xml", "--published", "2024-09-03").exit_code == 0
    pack = packs.load_path(user_pack_dir() / "EERE-2024-BT-0017")
    ids = [i.id for i in pack.interview.items]
    for item in ("commenter_type", "commenter_name", "contact_email", "signatory_name", "signatory_title",
                 "small_entity", "themes"):
        assert item in ids
    # a question about small entities is recommended to a small entity
    q20 = pack.question("Q20")
    assert [r.when for r in q20.relevance] == ["small_entity == true"]


def test_project_on_an_imported_pack_reaches_ready_to_file(run, tmp_path):
    assert run("docket", "import", NOTICES / "nprm-q.xml", "--published", "2024-08-15").exit_code == 0
    proj = tmp_path / "c"
    assert run("init", proj, "--docket", "EBSA-2024-0006", "--commenter", "Prairie Growers Cooperative"
               ).exit_code == 0
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS.format(theme="effective-date"))
    res = run("interview", proj, "--answers", answers)
    assert res.exit_code == 0, res.output
    before = run("check", proj, "--today", "2024-09-01")
    assert before.exit_code != 0 and "signatory" not in before.stdout
    # the chosen theme makes its questions recommended; counsel promotes them to core
    rows = _plan_rows(json.loads(run("plan", proj, "--json").stdout))
    assert [r["id"] for r in rows if r["level"] == "recommended"] == ["c-5-q1", "c-5-q2"]
    assert run("plan", proj, "--promote", "c-5-q1", "--promote", "c-5-q2").exit_code == 0
    core = [r["id"] for r in _plan_rows(json.loads(run("plan", proj, "--json").stdout)) if r["level"] == "core"]
    assert core == ["c-5-q1", "c-5-q2"]
    for qid in core:
        assert run("answer", qid, proj, "--text", "Twelve months is too short for plans with annuity contracts "
                                                 "already under negotiation.").exit_code == 0
        assert run("mark", qid, "final", proj).exit_code == 0
    assert run("answer", "executive-summary", proj, "--text", "We ask for a later applicability date.").exit_code == 0
    assert run("mark", "executive-summary", "final", proj).exit_code == 0
    # the Background drafted from the generic questionnaire, approved by counsel
    res = run("answer", "background", proj, "--from-questionnaire")
    assert res.exit_code == 0, res.output
    assert "Prairie Growers" in (proj / "general" / "background.md").read_text()
    assert run("mark", "background", "final", proj).exit_code == 0
    res = run("check", proj, "--today", "2024-09-01")
    assert res.exit_code == 0, res.output
    assert "Ready to file: 0 errors" in res.stdout
