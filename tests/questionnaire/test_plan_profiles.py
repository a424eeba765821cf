"""Plans for the fixture profiles on the shipped TREAS-DO-2023-0009 bank, through the CLI
(`interview --answers`, then `plan --json`). Each profile's core set is asserted question by
question with the answers each core reason cites ("item=value"), so a change to the bank's
relevance rules or to the planner shows up here as a diff a reviewer can read.

The ranking model: exposure (the relevance rules) decides core; a chosen theme raises a question
to recommended at most; every reason quotes the answers that made its rule hold.
(tests/test_banks.py checks the bank's own core sets on inline profiles; tests/test_plan_reasons.py
checks the reasons on generated profiles.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from commentkit.dockets import catalog as packs
from commentkit.questionnaire import engine
from commentkit.questionnaire import priorities as relevance
from tests.conftest import QUESTIONS

PROFILES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
DASH = " \u2014 "

EXPECTED_CORE = {
    'chip-designer-prc-sub-macau-jv': {
        'scope-1': ['semi_activities=advanced_ic_design; coc_links=subsidiaries,joint_ventures'],
        'def-3': ['coc_links=joint_ventures; transaction_types=joint_venture'],
        'def-6': ['sectors=semiconductors; compliance_practices=export_controls'],
        'semi-3': ['semi_activities=advanced_ic_design'],
        'cov-tx-4': ['coc_links=joint_ventures; transaction_types=joint_venture'],
        'exc-5': ['coc_links=subsidiaries; transaction_types=intracompany'],
        'cfe-1': ['coc_links=subsidiaries'],
        'cfe-2': ['coc_links=subsidiaries'],
        'exm-1': ['semi_activities=advanced_ic_design; coc_links=subsidiaries,joint_ventures'],
        'pen-2': ['coc_links=joint_ventures; transaction_types=joint_venture'],
        'burden-4': ['compliance_practices=export_controls'],
    },
    'public-pension-lp': {
        'def-1': ['commenter_type=investor'],
        'def-2': ['coc_links=lp_non_us_funds'],
        'def-4': ['commenter_type=investor; coc_links=lp_non_us_funds'],
        'cov-tx-5': ['investor_kinds=limited_partner; transaction_types=lp_investment', 'coc_links=lp_non_us_funds'],
        'exc-1': ['transaction_types=public_securities'],
        'exc-2': ['transaction_types=public_securities'],
        'exc-3': ['investor_kinds=limited_partner; coc_links=lp_non_us_funds; transaction_types=lp_investment'],
        'know-1': ['commenter_type=investor'],
        'know-2': ['compliance_practices=investment_diligence', 'commenter_type=investor'],
        'know-3': ['investor_kinds=limited_partner; coc_links=lp_non_us_funds'],
        'notif-4': ['annual_transactions=40'],
        'burden-1': ['annual_transactions=40'],
    },
    'quantum-startup-hk': {
        'def-6': ['sectors=quantum; compliance_practices=export_controls'],
        'quantum-2': ['quantum_activities=quantum_sensors_commercial'],
        'quantum-4': ['quantum_activities=quantum_sensors_commercial'],
        'cov-tx-6': ['coc_links=customers'],
        'burden-4': ['compliance_practices=export_controls'],
    },
    'semiconductor-equipment-prc-jv': {
        'scope-1': ['semi_activities=fe_equipment,advanced_packaging; coc_links=joint_ventures'],
        'def-3': ['coc_links=joint_ventures; transaction_types=joint_venture'],
        'def-6': ['sectors=semiconductors; compliance_practices=export_controls'],
        'semi-2': ['semi_activities=fe_equipment'],
        'semi-5': ['semi_activities=advanced_packaging'],
        'cov-tx-1': ['transaction_types=equity'],
        'cov-tx-4': ['coc_links=joint_ventures; transaction_types=joint_venture'],
        'cov-tx-6': ['coc_links=customers'],
        'exm-1': ['semi_activities=fe_equipment,advanced_packaging; coc_links=joint_ventures'],
        'pen-2': ['coc_links=joint_ventures; transaction_types=joint_venture'],
        'burden-4': ['compliance_practices=export_controls,cfius'],
    },
    'trade-association': {
        'scope-1': ['commenter_type=trade_association', 'semi_activities=advanced_ic_design; coc_links=subsidiaries'],
        'def-1': ['commenter_type=trade_association'],
        'def-5': ['commenter_type=trade_association'],
        'def-6': ['sectors=semiconductors,ai; compliance_practices=export_controls'],
        'semi-3': ['semi_activities=advanced_ic_design'],
        'semi-7': ['semi_activities=legacy_chips'],
        'ai-2': ['ai_activities=ai_other'],
        'ai-4': ['ai_activities=ai_other'],
        'cov-tx-6': ['coc_links=suppliers,customers'],
        'exc-5': ['coc_links=subsidiaries'],
        'know-1': ['commenter_type=trade_association'],
        'know-2': ['commenter_type=trade_association'],
        'cfe-1': ['coc_links=subsidiaries'],
        'cfe-2': ['coc_links=subsidiaries'],
        'notif-1': ['semi_activities=legacy_chips', 'commenter_type=trade_association'],
        'notif-2': ['semi_activities=legacy_chips'],
        'notif-3': ['commenter_type=trade_association'],
        'exm-1': ['semi_activities=advanced_ic_design; coc_links=subsidiaries'],
        'burden-1': ['commenter_type=trade_association'],
        'burden-2': ['commenter_type=trade_association'],
        'burden-3': ['commenter_type=trade_association'],
        'burden-4': ['compliance_practices=export_controls'],
    },
    'university-lab': {
        'def-6': ['sectors=quantum,ai; compliance_practices=export_controls'],
        'quantum-2': ['quantum_activities=quantum_sensors_commercial'],
        'quantum-4': ['quantum_activities=quantum_sensors_commercial'],
        'ai-2': ['ai_activities=ai_other'],
        'ai-4': ['ai_activities=ai_other'],
        'cov-tx-6': ['coc_links=research_collaborations'],
        'burden-4': ['compliance_practices=export_controls'],
    },
    'us-vc-fund': {
        'def-1': ['commenter_type=investor'],
        'def-2': ['coc_links=investee_companies'],
        'def-4': ['commenter_type=investor; coc_links=investee_companies'],
        'semi-7': ['semi_activities=legacy_chips'],
        'ai-2': ['ai_activities=ai_other'],
        'ai-3': ['ai_activities=ai_dual_use'],
        'ai-4': ['ai_activities=ai_other'],
        'ai-6': ['commenter_type=investor; sectors=ai', 'sectors=ai; coc_links=investee_companies'],
        'cov-tx-1': ['transaction_types=equity'],
        'cov-tx-2': ['transaction_types=contingent_equity', 'investor_kinds=venture_capital'],
        'know-1': ['commenter_type=investor'],
        'know-2': ['commenter_type=investor'],
        'notif-1': ['semi_activities=legacy_chips; ai_activities=ai_dual_use'],
        'notif-2': ['semi_activities=legacy_chips; ai_activities=ai_dual_use'],
        'burden-2': ['commenter_type=investor; employees=under_50; coc_links=investee_companies; transaction_types=equity,contingent_equity'],
    },
    'us-vc-lp-ai': {
        'def-1': ['commenter_type=investor'],
        'def-2': ['coc_links=lp_non_us_funds'],
        'def-4': ['commenter_type=investor; coc_links=lp_non_us_funds'],
        'ai-2': ['ai_activities=ai_other'],
        'ai-4': ['ai_activities=ai_other'],
        'ai-6': ['commenter_type=investor; sectors=ai'],
        'cov-tx-2': ['transaction_types=contingent_equity', 'investor_kinds=venture_capital'],
        'cov-tx-5': ['investor_kinds=limited_partner; transaction_types=lp_investment', 'coc_links=lp_non_us_funds'],
        'exc-3': ['investor_kinds=limited_partner; coc_links=lp_non_us_funds; transaction_types=lp_investment'],
        'know-1': ['commenter_type=investor'],
        'know-2': ['compliance_practices=investment_diligence', 'commenter_type=investor'],
        'know-3': ['investor_kinds=limited_partner; coc_links=lp_non_us_funds'],
        'notif-4': ['annual_transactions=25'],
        'burden-1': ['annual_transactions=25'],
        'burden-2': ['commenter_type=investor; employees=under_50; coc_links=lp_non_us_funds; transaction_types=contingent_equity,lp_investment'],
    },
}
EXPECTED_RECOMMENDED = {
    'chip-designer-prc-sub-macau-jv': ['def-1', 'def-4', 'def-5', 'semi-1', 'semi-2', 'semi-4', 'semi-5', 'semi-6', 'semi-7', 'quantum-1', 'quantum-2', 'quantum-3', 'quantum-4', 'ai-1', 'ai-2', 'ai-3', 'ai-4', 'ai-5', 'cov-tx-3', 'exc-4', 'know-1', 'know-2', 'know-4', 'burden-1', 'burden-3', 'other-1'],
    'public-pension-lp': ['scope-1', 'cov-tx-1', 'cov-tx-2', 'exc-4', 'exc-5', 'exc-6', 'know-4', 'cfe-2', 'dir-1', 'dir-2', 'notif-1', 'notif-2', 'notif-3', 'pen-1', 'pen-2', 'pen-3', 'burden-3', 'burden-4'],
    'quantum-startup-hk': ['scope-1', 'def-4', 'semi-1', 'semi-2', 'semi-3', 'semi-4', 'semi-5', 'semi-6', 'semi-7', 'quantum-1', 'quantum-3', 'ai-1', 'ai-2', 'ai-3', 'ai-4', 'ai-5', 'know-1', 'know-2', 'cfe-2', 'burden-1', 'burden-2', 'other-1'],
    'semiconductor-equipment-prc-jv': ['def-1', 'def-4', 'semi-3', 'semi-4', 'semi-7', 'quantum-4', 'ai-6', 'exc-4', 'know-1', 'know-2', 'know-3', 'know-4', 'cfe-2', 'dir-1', 'notif-1', 'notif-2', 'burden-1', 'burden-3', 'other-1'],
    'trade-association': ['scope-2', 'def-2', 'def-3', 'def-4', 'semi-4', 'semi-5', 'ai-1', 'ai-3', 'ai-5', 'ai-6', 'cov-tx-3', 'cov-tx-5', 'exc-3', 'exc-6', 'dir-1', 'notif-4', 'pen-1', 'pen-3', 'other-1', 'other-2'],
    'university-lab': ['scope-1', 'scope-2', 'def-1', 'def-2', 'def-3', 'def-4', 'def-5', 'semi-1', 'semi-2', 'semi-3', 'semi-4', 'semi-5', 'semi-6', 'semi-7', 'quantum-1', 'quantum-3', 'ai-1', 'ai-3', 'ai-5', 'ai-6', 'know-1', 'know-2', 'cfe-1', 'cfe-2', 'burden-2', 'other-1'],
    'us-vc-fund': ['scope-1', 'def-3', 'def-6', 'semi-4', 'semi-5', 'ai-1', 'ai-5', 'cov-tx-3', 'cov-tx-4', 'cov-tx-5', 'cov-tx-6', 'exc-1', 'exc-3', 'exc-4', 'exc-6', 'know-3', 'know-4', 'cfe-2', 'dir-1', 'notif-3', 'notif-4', 'pen-1', 'pen-2', 'pen-3', 'burden-1', 'burden-3', 'burden-4'],
    'us-vc-lp-ai': ['scope-1', 'ai-1', 'ai-3', 'ai-5', 'cov-tx-1', 'exc-1', 'exc-2', 'exc-6', 'know-4', 'cfe-2', 'dir-1', 'dir-2', 'notif-1', 'notif-2', 'notif-3', 'pen-1', 'pen-2', 'pen-3', 'burden-3', 'burden-4'],
}

def _project(run, tmp_path, name):
    root = tmp_path / name
    assert run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "X").exit_code == 0
    res = run("interview", root, "--answers", PROFILES / f"{name}.yaml")
    assert res.exit_code == 0, res.output
    return root


def _cites(details) -> list[str]:
    return ["; ".join(f"{f['item']}=" + ",".join(str(v) for v in f["values"]) for f in r["facts"])
            for r in details if r["level"] == "core"]


def test_every_fixture_profile_is_asserted():
    assert sorted(p.stem for p in PROFILES.glob("*.yaml")) == sorted(EXPECTED_CORE) == sorted(EXPECTED_RECOMMENDED)


@pytest.mark.parametrize("name", sorted(EXPECTED_CORE))
def test_plan_core_set_question_by_question(run, tmp_path, name):
    core, recommended = EXPECTED_CORE[name], EXPECTED_RECOMMENDED[name]
    root = _project(run, tmp_path, name)
    res = run("plan", root, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    got = {q["question_id"]: _cites(q["reason_details"]) for q in data["questions"] if q["level"] == "core"}
    assert got == core
    assert [q["question_id"] for q in data["questions"] if q["level"] == "recommended"] == recommended
    assert data["counts"] == {"core": len(core), "recommended": len(recommended),
                              "optional": 60 - len(core) - len(recommended)}
    optional = [q for q in data["questions"] if q["level"] == "optional"]
    assert optional and all(q["reasons"] == ["no reported exposure points to this question"] for q in optional)
    # every reason of a ranked question quotes answers, and the text is made of those facts
    for q in data["questions"]:
        for r, text in zip(q["reason_details"], q["reasons"]):
            assert r["text"] == text
            if r["kind"] == "exposure":
                assert r["facts"] and text == "you reported: " + "; ".join(f["text"] for f in r["facts"]) + DASH + r["why"]
            elif r["kind"] == "theme":
                assert r["level"] == "recommended" and text.startswith("you chose \u201c")
    ids = [q["question_id"] for q in data["questions"]]
    assert len(ids) == 60 and ids[0] == "scope-1" and ids[-1] == "other-3"
    assert run("plan", root, "--json").output == res.output
    only = json.loads(run("plan", root, "--json", "--level", "core").output)
    assert [q["question_id"] for q in only["questions"]] == list(core)
    table = run("plan", root, "--level", "core").output
    block = table[table.index(f"\nCORE ({len(core)})\n"):]
    assert re.findall(r"^  ([a-z][a-z0-9-]*) +\S", block, flags=re.M) == list(core)


def _answers(pack, name: str) -> dict:
    data = yaml.safe_load((PROFILES / f"{name}.yaml").read_text())
    checked = engine.check_answers(pack.interview, data)
    assert not checked.problems, [p.format() for p in checked.problems]
    return checked.values


@pytest.mark.parametrize("name", sorted(EXPECTED_CORE))
def test_choosing_every_theme_adds_no_core_question(name):
    pack = packs.load_path(QUESTIONS / "TREAS-DO-2023-0009", "shipped")
    answers = _answers(pack, name)
    every = [t for t in relevance.theme_labels(pack.interview)]
    without = {p.question_id: p for p in relevance.plan(pack, dict(answers, themes=None))}
    with_all = {p.question_id: p for p in relevance.plan(pack, dict(answers, themes=every))}
    core = {q for q, p in with_all.items() if p.level == "core"}
    assert core == {q for q, p in without.items() if p.level == "core"} == set(EXPECTED_CORE[name])
    for qid, p in with_all.items():
        q = pack.question(qid)
        if without[qid].level == "optional" and set(q.tags) & set(every):
            assert p.level == "recommended", qid  # every question is tagged with some theme
            assert p.reasons[-1].startswith("you chose \u201c")


def test_promoting_a_question_makes_it_core_and_says_so():
    pack = packs.load_path(QUESTIONS / "TREAS-DO-2023-0009", "shipped")
    answers = _answers(pack, "quantum-startup-hk")
    got = {p.question_id: p for p in relevance.plan(pack, answers, promoted=["burden-2"])}
    assert got["burden-2"].level == "core"
    assert got["burden-2"].reasons[-1] == relevance.PROMOTED


REASONS = {
    # the reasons the issue found contradicting the profile, now quoting what was reported
    ("quantum-startup-hk", "cov-tx-6"):
        "you reported: customers in a country of concern (Hong Kong: existing) \u2014 where the program draws "
        "the line between investments and ordinary commercial or research dealings decides whether these "
        "links are reached",
    ("chip-designer-prc-sub-macau-jv", "cov-tx-4"):
        "you reported: joint ventures in a country of concern (Macau: under consideration); transactions: joint "
        "ventures (under consideration) \u2014 joint ventures with persons of a country of concern are a "
        "proposed covered transaction",
    ("chip-designer-prc-sub-macau-jv", "cfe-1"):
        "you reported: subsidiaries or branches in a country of concern (the PRC (mainland): existing) \u2014 "
        "subsidiaries there may be controlled foreign entities",
    ("public-pension-lp", "scope-1"):
        "you reported: commenting as an investor \u2014 the split between prohibited and notifiable "
        "transactions decides how each investment would be handled",
}


@pytest.mark.parametrize("case", list(REASONS))
def test_reasons_quote_the_profile(case):
    name, qid = case
    pack = packs.load_path(QUESTIONS / "TREAS-DO-2023-0009", "shipped")
    got = {p.question_id: p for p in relevance.plan(pack, _answers(pack, name))}
    assert REASONS[case] in got[qid].reasons


def test_no_contradicting_reasons_for_the_issue_profiles():
    pack = packs.load_path(QUESTIONS / "TREAS-DO-2023-0009", "shipped")
    startup = {p.question_id: p for p in relevance.plan(pack, _answers(pack, "quantum-startup-hk"))}
    assert startup["exm-1"].level == "optional"  # no investment: no exemption route to argue for
    assert startup["scope-1"].level == "recommended"
    assert not any("prohibited category" in r for r in startup["scope-1"].reasons)
    pension = {p.question_id: p for p in relevance.plan(pack, _answers(pack, "public-pension-lp"))}
    assert not any("sector" in r for r in pension["scope-1"].reasons)  # sectors: [none]
    chips_free = {p.question_id: p for p in relevance.plan(pack, _answers(pack, "quantum-startup-hk"))}
    assert chips_free["cfe-1"].level == "optional"  # a company with no foreign affiliates
    assert chips_free["cfe-1"].reasons == (relevance.NO_MATCH,)


def test_plan_table_is_grouped_by_level_with_reasons(run, tmp_path):
    root = _project(run, tmp_path, "semiconductor-equipment-prc-jv")
    res = run("plan", root)
    assert res.exit_code == 0, res.output
    out = res.output
    assert out.startswith("Priorities for Meridian Deposition Systems, Inc.: ")
    assert f"{len(EXPECTED_CORE['semiconductor-equipment-prc-jv'])} core, {len(EXPECTED_RECOMMENDED['semiconductor-equipment-prc-jv'])} recommended" in out
    assert "Titles marked * are commentkit's summaries of the notice, not the agency's words." in " ".join(out.split())
    core_at, rec_at, opt_at = (out.index(f"\n{h} (") for h in ("CORE", "RECOMMENDED", "OPTIONAL"))
    assert core_at < rec_at < opt_at
    core_block = out[core_at:rec_at]
    assert re.search(r"\n  semi-5 +Advanced packaging\* +88 FR 54961-54972\n", core_block)
    assert "- you reported: advanced packaging \u2014 the definition of this category" in core_block
    assert out[opt_at:].startswith("\nOPTIONAL (30)\n  (no reported exposure points to these questions)\n")
    assert "no reported exposure" not in out[:opt_at]
    assert "semi-5" not in out[rec_at:]
    res = run("plan", root, "--level", "recommended")
    assert "\nCORE" not in res.output and "\nRECOMMENDED (" in res.output


def test_plan_before_the_interview_says_so(run, project):
    res = run("plan", project)
    assert res.exit_code == 0
    assert "The questionnaire is not answered yet" in res.output and "CORE (0)" in res.output
    data = json.loads(run("plan", project, "--json").output)
    assert data["answers"] == 0 and data["counts"]["optional"] == 60


def test_plan_on_a_partial_questionnaire_says_it_may_change(run, project, tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text("commenter_type: company\nsectors: [semiconductors]\n")
    assert run("interview", project, "--answers", f).exit_code == 0
    res = run("plan", project)
    assert "From 2 answers in profile.yaml: 0 core, 4 recommended, 56 optional." in res.output
    out = " ".join(res.output.split())  # wrapped to the terminal's width
    assert ("The questionnaire has 17 unanswered items (commenter_name, commenter_address, employees, "
            "annual_revenue, us_person, interest_statement, ...); answering them ('commentkit interview') "
            "may change this plan.") in out
    data = json.loads(run("plan", project, "--json").output)
    assert data["unanswered"][:3] == ["commenter_name", "commenter_address", "employees"]
    assert len(data["unanswered"]) == 17
