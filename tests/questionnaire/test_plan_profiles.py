"""Plans for the three fixture profiles on the shipped TREAS-DO-2023-0009 bank, through the CLI
(`interview --answers`, then `plan`). The core set of each is asserted explicitly with its
reasons, so a change to the bank's relevance rules or to the planner shows up here as a diff a
reviewer can read. (tests/test_banks.py checks the bank's own core sets on inline profiles.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

PROFILES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
THEME = "you chose \u201c{}\u201d as a theme"

# semiconductor-equipment-prc-jv.yaml
SEMI_CORE = {
    'scope-1': (
        'you reported activities in a proposed prohibited category and links with a country of concern',
        'you reported investing or activity in a covered technology sector',
    ),
    'def-3': (
        'you reported joint ventures, and whether a joint venture or its partner is engaged in a '
        'covered activity decides its treatment',
    ),
    'def-6': (
        'you run an export-controls program and work in a covered sector, so consistent terms would let '
        'you reuse your classifications',
        'you reported semiconductor or quantum activities described in these terms',
    ),
    'semi-2': (
        'you reported front-end semiconductor manufacturing equipment activities',
    ),
    'semi-5': (
        'you reported advanced packaging activities',
    ),
    'quantum-4': (
        THEME.format('Knowledge standard and due diligence'),
    ),
    'ai-6': (
        THEME.format('Knowledge standard and due diligence'),
    ),
    'cov-tx-1': (
        'you reported equity acquisitions',
    ),
    'cov-tx-4': (
        'you reported joint ventures involving a country of concern',
    ),
    'cov-tx-6': (
        'you reported customers or suppliers in a country of concern',
    ),
    'know-1': (
        'you reported links with a country of concern',
        THEME.format('Knowledge standard and due diligence'),
    ),
    'know-2': (
        'you reported links with a country of concern',
        THEME.format('Knowledge standard and due diligence'),
    ),
    'know-3': (
        THEME.format('Knowledge standard and due diligence'),
    ),
    'know-4': (
        'you reported joint ventures, whose activities may change after you enter them',
        THEME.format('Knowledge standard and due diligence'),
    ),
    'dir-1': (
        THEME.format('Knowledge standard and due diligence'),
    ),
    'exm-1': (
        'you reported activities in a proposed prohibited category and links with a country of concern, '
        'so an exemption may be your only route',
        'you reported joint ventures in a country of concern (or represent members), for which an '
        'exemption process may matter',
    ),
    'pen-2': (
        'you reported joint ventures involving a country of concern, which could be unwound',
    ),
    'burden-4': (
        'you run export-control or CFIUS compliance processes the program could build on',
    ),
}
SEMI_RECOMMENDED = [
    'def-1', 'def-4', 'semi-3', 'semi-4', 'semi-7', 'exc-4', 'cfe-1', 'cfe-2', 'notif-1', 'notif-2',
    'burden-1', 'burden-3', 'other-1',
]

# us-vc-lp-ai.yaml
VC_CORE = {
    'def-1': (
        'you reported investing, and whether an investee is a covered foreign person can turn on these tests',
    ),
    'def-2': (
        'you reported investee companies or fund positions in a country of concern, whose status you '
        'would need to verify',
        'you would apply these tests to counterparties',
    ),
    'def-4': (
        'you reported investments reaching a country of concern, often through offshore holding structures',
        'you reported links with a country of concern',
    ),
    'ai-2': (
        'you reported AI systems whose coverage turns on how this end-use standard is read',
        'you reported AI activities',
    ),
    'ai-4': (
        'you reported general-purpose or commercial AI systems, which other criteria could bring into '
        'the program',
        'you reported AI activities',
    ),
    'ai-6': (
        'you reported investing in AI companies',
        'you reported AI activities',
    ),
    'cov-tx-2': (
        'you reported contingent equity or convertible debt transactions',
        'you reported venture capital investing, where convertible notes and similar instruments are common',
        'you reported investing',
    ),
    'cov-tx-5': (
        'you reported limited partner investments in funds',
        'you hold limited partner positions in non-U.S. funds that invest in a country of concern',
        'you reported investing, or represent members who invest, often through funds',
        THEME.format('Limited partner and fund investments'),
    ),
    'exc-3': (
        'you hold limited partner positions in funds',
        'you reported investing, or represent members who invest, often through funds',
        THEME.format('Limited partner and fund investments'),
    ),
    'know-1': (
        'your exposure turns on what you knew or should have known about counterparties',
        'you reported links with a country of concern',
    ),
    'know-2': (
        'you reported a written investment diligence process, which gives you facts on what diligence '
        'is practical',
        'you or your members would carry out this diligence on each transaction',
        'you reported links with a country of concern',
    ),
    'know-3': (
        'you hold limited partner positions and depend on fund managers for information',
        'you reported investing',
        THEME.format('Limited partner and fund investments'),
    ),
    'notif-4': (
        'you reported ten or more relevant transactions a year',
    ),
    'burden-1': (
        'you reported ten or more relevant transactions a year',
        'you can give your own compliance cost estimates',
    ),
}
VC_RECOMMENDED = [
    'scope-1', 'ai-1', 'ai-3', 'ai-5', 'cov-tx-1', 'exc-1', 'exc-2', 'exc-6', 'know-4', 'cfe-2',
    'dir-1', 'dir-2', 'notif-1', 'notif-2', 'notif-3', 'pen-1', 'pen-2', 'pen-3', 'burden-2', 'burden-3',
    'burden-4',
]

# trade-association.yaml
ASSOC_CORE = {
    'scope-1': (
        'you comment for members across the program, so its basic design is central to your letter',
        'you reported activities in a proposed prohibited category and links with a country of concern',
        'you reported investing or activity in a covered technology sector',
        THEME.format('Notification content and timing'),
    ),
    'def-1': (
        "your members' transactions depend on who is a covered foreign person",
        'you reported subsidiaries, joint ventures or investee companies in a country of concern',
    ),
    'def-5': (
        'you represent members, and who counts as a U.S. person decides which of them are bound',
        'you reported subsidiaries or branches in a country of concern',
    ),
    'def-6': (
        'you run an export-controls program and work in a covered sector, so consistent terms would let '
        'you reuse your classifications',
        'you reported semiconductor or quantum activities described in these terms',
    ),
    'semi-3': (
        'you reported design of advanced integrated circuits',
        'you work with semiconductors under an export-controls program that already applies ECCN 3A090',
    ),
    'semi-7': (
        'you reported design, fabrication or packaging of less advanced chips',
        'you reported semiconductor activities',
        THEME.format('Notification content and timing'),
    ),
    'ai-2': (
        'you reported AI systems whose coverage turns on how this end-use standard is read',
        'you reported AI activities',
    ),
    'ai-3': (
        'you reported AI activities',
        THEME.format('Notification content and timing'),
    ),
    'ai-4': (
        'you reported general-purpose or commercial AI systems, which other criteria could bring into '
        'the program',
        'you reported AI activities',
    ),
    'cov-tx-6': (
        'you reported customers or suppliers in a country of concern',
        'you represent members, many of whom may trade with the region without investing there',
    ),
    'exc-5': (
        'you reported subsidiaries in a country of concern or transfers from a U.S. parent to a subsidiary',
    ),
    'know-1': (
        'your exposure turns on what you knew or should have known about counterparties',
        'you reported links with a country of concern',
    ),
    'know-2': (
        'you or your members would carry out this diligence on each transaction',
        'you reported links with a country of concern',
    ),
    'cfe-1': (
        'you reported subsidiaries or branches in a country of concern',
        'you reported being a company (or represent companies) that may have foreign affiliates '
        'carrying this obligation',
    ),
    'cfe-2': (
        'you reported subsidiaries or branches in a country of concern',
        'you run export-control or sanctions programs whose controls could be extended to affiliates',
        THEME.format('Cost and burden of compliance'),
    ),
    'notif-1': (
        'you reported activities in a proposed notifiable category',
        'your members would prepare these notifications',
        THEME.format('Notification content and timing'),
    ),
    'notif-2': (
        'you reported activities in a proposed notifiable category',
        'you reported investing or CFIUS experience, or represent members, and filing deadlines affect '
        'how transactions close',
        THEME.format('Notification content and timing'),
    ),
    'notif-3': (
        'your members would submit commercially sensitive information in notifications',
        'you may have to notify transactions and disclose commercially sensitive terms',
        THEME.format('Notification content and timing'),
    ),
    'notif-4': (
        'you reported activities in a proposed notifiable category',
        THEME.format('Notification content and timing'),
        THEME.format('Cost and burden of compliance'),
    ),
    'exm-1': (
        'you reported activities in a proposed prohibited category and links with a country of concern, '
        'so an exemption may be your only route',
        'you reported joint ventures in a country of concern (or represent members), for which an '
        'exemption process may matter',
    ),
    'burden-1': (
        'your members bear these costs, and associations often supply cost data',
        THEME.format('Cost and burden of compliance'),
    ),
    'burden-2': (
        'you represent members, and associations often include small businesses',
        THEME.format('Cost and burden of compliance'),
    ),
    'burden-3': (
        'you represent members and can aggregate data across them',
        THEME.format('Cost and burden of compliance'),
    ),
    'burden-4': (
        'you run export-control or CFIUS compliance processes the program could build on',
        THEME.format('Cost and burden of compliance'),
    ),
}
ASSOC_RECOMMENDED = [
    'scope-2', 'def-2', 'def-3', 'def-4', 'semi-4', 'semi-5', 'ai-1', 'ai-5', 'ai-6', 'cov-tx-3',
    'cov-tx-5', 'exc-3', 'exc-6', 'dir-1', 'pen-1', 'pen-3', 'other-1', 'other-2',
]

CASES = {
    "semiconductor-equipment-prc-jv": (SEMI_CORE, SEMI_RECOMMENDED),
    "us-vc-lp-ai": (VC_CORE, VC_RECOMMENDED),
    "trade-association": (ASSOC_CORE, ASSOC_RECOMMENDED),
}


def _project(run, tmp_path, name):
    root = tmp_path / name
    assert run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "X").exit_code == 0
    res = run("interview", root, "--answers", PROFILES / f"{name}.yaml")
    assert res.exit_code == 0, res.output
    return root


@pytest.mark.parametrize("name", list(CASES))
def test_plan_core_set_and_reasons(run, tmp_path, name):
    core, recommended = CASES[name]
    root = _project(run, tmp_path, name)
    res = run("plan", root, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    got = {q["question_id"]: tuple(q["reasons"]) for q in data["questions"] if q["level"] == "core"}
    assert got == core
    assert [q["question_id"] for q in data["questions"] if q["level"] == "recommended"] == recommended
    assert data["counts"] == {"core": len(core), "recommended": len(recommended),
                              "optional": 60 - len(core) - len(recommended)}
    optional = [q for q in data["questions"] if q["level"] == "optional"]
    assert optional and all(q["reasons"] == ["no reported exposure points to this question"] for q in optional)
    # every question of the bank, in the notice's order
    ids = [q["question_id"] for q in data["questions"]]
    assert len(ids) == 60 and ids[0] == "scope-1" and ids[-1] == "other-3"
    # same answers, same plan; --level filters
    assert run("plan", root, "--json").output == res.output
    only = json.loads(run("plan", root, "--json", "--level", "core").output)
    assert [q["question_id"] for q in only["questions"]] == list(core)
    # the readable table lists the same core questions, in the same order, under CORE
    table = run("plan", root, "--level", "core").output
    block = table[table.index(f"\nCORE ({len(core)})\n"):]
    rows = re.findall(r"^  ([a-z][a-z0-9-]*) +\S", block, flags=re.M)
    assert rows == list(core)


def test_plan_table_is_grouped_by_level_with_reasons(run, tmp_path):
    root = _project(run, tmp_path, "semiconductor-equipment-prc-jv")
    res = run("plan", root)
    assert res.exit_code == 0, res.output
    out = res.output
    assert out.startswith("Priorities for Meridian Deposition Systems, Inc.: ")
    assert f"{len(SEMI_CORE)} core, {len(SEMI_RECOMMENDED)} recommended" in out
    assert "Titles marked * are commentkit's summaries of the notice, not the agency's words." in " ".join(out.split())
    core_at, rec_at, opt_at = (out.index(f"\n{h} (") for h in ("CORE", "RECOMMENDED", "OPTIONAL"))
    assert core_at < rec_at < opt_at
    core_block = out[core_at:rec_at]
    assert re.search(r"\n  semi-5 +Advanced packaging\* +88 FR 54961-54972\n", core_block)
    assert "- you reported advanced packaging activities" in core_block
    assert out[opt_at:].startswith("\nOPTIONAL (29)\n  (no reported exposure points to these questions)\n")
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
    assert "From 2 answers in profile.yaml: 0 core, 5 recommended, 55 optional." in res.output
    out = " ".join(res.output.split())  # wrapped to the terminal's width
    assert ("The questionnaire has 14 unanswered items (commenter_name, commenter_address, us_person, "
            "interest_statement, contact_name, contact_email, ...); answering them ('commentkit interview') "
            "may change this plan.") in out
    data = json.loads(run("plan", project, "--json").output)
    assert data["unanswered"][:3] == ["commenter_name", "commenter_address", "us_person"]
    assert len(data["unanswered"]) == 14
