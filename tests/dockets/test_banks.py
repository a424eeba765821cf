"""Content checks on the shipped question banks and questionnaires.

The banks are summary banks written by hand; these tests catch what a reviewing lawyer would
object to (a summary dressed up as the agency's words, a claimed question number, a subject of
the notice with no question) and what would silently break priorities (a relevance rule that
names an item or a choice value that does not exist, so it can never hold).
"""

from __future__ import annotations

import re

import pytest
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from commentkit.dockets import catalog as packs
from commentkit.questionnaire import priorities as relevance
from tests.conftest import QUESTIONS

ANPRM = "TREAS-DO-2023-0009"
NPRM = "FR-2024-13923"
SHIPPED = sorted(p.name for p in QUESTIONS.iterdir() if (p / "docket.yaml").is_file())
WITH_INTERVIEW = [n for n in SHIPPED if (QUESTIONS / n / "interview.yaml").is_file()]

ENV = ImmutableSandboxedEnvironment()

# ---------------------------------------------------------------------------------------------
# A small checker for the condition forms the packs use. Every string literal in a condition
# must sit in one of these forms, so a misspelt choice value cannot hide in another shape.
_NAME = r"([a-z_][a-z0-9_]*)"
_LIT = r"'([^'\\]*)'"
_MEMBER = re.compile(_LIT + r"\s+(?:not\s+)?in\s+" + _NAME)          # 'x' in item / 'x' not in item
_EQUAL = re.compile(_NAME + r"\s*(?:==|!=)\s*" + _LIT)               # item == 'x' / item != 'x'
_BOOL = re.compile(_NAME + r"\s*(?:==|!=)\s*(true|false|True|False)\b")
_NUMBER = re.compile(_NAME + r"\s*(?:>=|<=|>|<)\s*-?\d")
_ANY_LITERAL = re.compile(r"'[^'\\]*'|\"[^\"\\]*\"")


def _items(interview) -> dict:
    return {it.id: it for it in interview.items}


def condition_problems(expr: str, items: dict, allowed: set[str] | None = None) -> list[str]:
    """What is wrong with one condition, as readable strings (empty when it is fine)."""
    problems: list[str] = []
    try:
        ENV.compile_expression(expr)
        names = meta.find_undeclared_variables(ENV.parse("{{ " + expr + " }}"))
    except Exception as exc:  # a syntax error is a problem to report, not a crash
        return [f"does not compile: {exc}"]
    known = set(items) if allowed is None else allowed
    for name in sorted(names - known):
        problems.append(f"names {name!r}, which is not an {'earlier ' if allowed is not None else ''}interview item")

    covered: list[tuple[int, int]] = []
    for m in _MEMBER.finditer(expr):
        value, name = m.group(1), m.group(2)
        covered.append(m.span(1))
        it = items.get(name)
        if it is None:
            continue  # already reported above
        if it.type != "multichoice":
            problems.append(f"'{value}' in {name}: {name} is a {it.type} item; use == for single choices")
        elif value not in {c.value for c in it.choices}:
            problems.append(f"'{value}' is not a choice of {name}")
    for m in _EQUAL.finditer(expr):
        name, value = m.group(1), m.group(2)
        covered.append(m.span(2))
        it = items.get(name)
        if it is None:
            continue
        if it.type != "choice":
            problems.append(f"{name} == '{value}': {name} is a {it.type} item; use 'x' in {name} for lists")
        elif value not in {c.value for c in it.choices}:
            problems.append(f"'{value}' is not a choice of {name}")
    for m in _BOOL.finditer(expr):
        it = items.get(m.group(1))
        if it is not None and it.type != "yesno":
            problems.append(f"{m.group(1)} compared with {m.group(2)}, but it is a {it.type} item")
    for m in _NUMBER.finditer(expr):
        it = items.get(m.group(1))
        if it is not None and it.type != "number":
            problems.append(f"{m.group(1)} compared with a number, but it is a {it.type} item")
    for m in _ANY_LITERAL.finditer(expr):
        inner = (m.start() + 1, m.end() - 1)
        if inner not in covered:
            problems.append(f"string {m.group(0)} is not in a checked form ('x' in item, item == 'x')")
    return problems


def all_conditions(name: str):
    """(owner, expression, allowed names or None) for every condition in a pack."""
    pack = packs.load_path(QUESTIONS / name, "shipped")
    out = []
    earlier: list[str] = []
    for it in pack.interview.items:
        if it.when:
            out.append((f"item {it.id}", it.when, set(earlier)))
        earlier.append(it.id)
    for q in pack.bank.questions:
        for n, rule in enumerate(q.relevance, start=1):
            out.append((f"question {q.id} rule {n}", rule.when, None))
    return pack, out


# --- the checker itself catches mistakes --------------------------------------------------------

def test_condition_checker_catches_typos_and_wrong_forms():
    items = _items(packs.load_path(QUESTIONS / ANPRM, "shipped").interview)
    ok = "'advanced_packaging' in semi_activities and 'joint_ventures' in coc_links"
    assert condition_problems(ok, items) == []
    assert condition_problems("commenter_type == 'investor' and us_person == false", items) == []
    assert condition_problems("annual_transactions is not none and annual_transactions >= 10", items) == []
    assert condition_problems("'advanced_packagin' in semi_activities", items) == [
        "'advanced_packagin' is not a choice of semi_activities"]
    assert condition_problems("commenter_type == 'investr'", items) == ["'investr' is not a choice of commenter_type"]
    assert condition_problems("'investor' in commenter_type", items)  # substring test on a single choice
    assert condition_problems("sectors == 'ai'", items)  # equality on a list
    assert condition_problems("'x' in semi_activity", items)[0].startswith("names 'semi_activity'")
    assert condition_problems("commenter_type in ['investr']", items)  # unchecked literal form
    assert condition_problems("sectors >= 2", items)
    assert condition_problems("'ai' in sectors and", items)[0].startswith("does not compile")


# --- every condition in the shipped packs -------------------------------------------------------

@pytest.mark.parametrize("name", WITH_INTERVIEW)
def test_every_condition_compiles_and_names_real_items_and_choices(name):
    pack, conds = all_conditions(name)
    items = _items(pack.interview)
    problems = [f"{owner}: {p}" for owner, expr, allowed in conds
                for p in condition_problems(expr, items, allowed)]
    assert problems == []
    assert sum(1 for owner, _, _ in conds if owner.startswith("question")) >= len(pack.bank.questions)


@pytest.mark.parametrize("name", WITH_INTERVIEW)
def test_every_rule_evaluates_for_empty_and_full_profiles(name):
    """No rule errors at run time (for example comparing an unanswered number with 10)."""
    pack = packs.load_path(QUESTIONS / name, "shipped")
    full = {}
    for it in pack.interview.items:
        if it.type == "multichoice":
            full[it.id] = [c.value for c in it.choices if c.value != "none"]
        elif it.type == "choice":
            full[it.id] = it.choices[0].value
        elif it.type == "yesno":
            full[it.id] = False
        elif it.type == "number":
            full[it.id] = 12
    empty_plan = relevance.plan(pack, {})
    assert {p.level for p in empty_plan} == {"optional"}
    full_plan = relevance.plan(pack, full)
    assert len(full_plan) == len(pack.bank.questions)
    # a profile that reports everything finds almost every question relevant
    assert sum(p.level != "optional" for p in full_plan) >= 0.9 * len(full_plan)


@pytest.mark.parametrize("name", WITH_INTERVIEW)
def test_every_theme_is_a_tag_of_some_question(name):
    pack = packs.load_path(QUESTIONS / name, "shipped")
    themes = [c.value for c in pack.interview.item("themes").choices if c.value != "none"]
    tags = {t for q in pack.bank.questions for t in q.tags}
    assert [t for t in themes if t not in tags] == []


def test_both_packs_share_one_questionnaire_vocabulary():
    a = packs.load_path(QUESTIONS / ANPRM, "shipped").interview
    b = packs.load_path(QUESTIONS / NPRM, "shipped").interview

    def vocab(iv):
        return [(it.id, it.type, it.when, [c.value for c in it.choices]) for it in iv.items]

    assert vocab(a) == vocab(b)
    text_b = (QUESTIONS / NPRM / "interview.yaml").read_text(encoding="utf-8")
    assert "rank the NPRM's questions" in text_b
    # any mention of the ANPRM in the NPRM questionnaire is explicitly the 2023 ANPRM (or the header)
    body = yaml.safe_load(text_b)
    strings = [body.get("intro", "")] + [s for it in body["items"] for s in
                                          [it.get("prompt"), it.get("help")] +
                                          [c.get("help") for c in it.get("choices", [])] if s]
    assert [s for s in strings if "ANPRM" in s.replace("2023 ANPRM", "")] == []


# --- provenance: summaries never pass for the agency's words ------------------------------------

_QUESTION_CLAIM = re.compile(r"\b(?:question|q)\s*\.?\s*#?\d+", re.IGNORECASE)
_QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"
_OPENERS = ("Whether", "How", "What", "Which", "When", "Who", "Any")


@pytest.mark.parametrize("name", SHIPPED)
def test_summaries_are_neutral_and_claim_no_agency_numbers(name):
    pack = packs.load_path(QUESTIONS / name, "shipped")
    bank = pack.bank
    assert bank.wording_note and "summary" in bank.wording_note
    for s in bank.sections:
        assert s.wording == "summary", f"section {s.id}: titles are descriptive, not the notice's headings"
    for q in bank.questions:
        assert q.wording == "summary"
        assert q.number is None, f"{q.id}: no agency number is confirmed"
        assert q.pages is None, f"{q.id}: no page within the notice is confirmed"
        assert not re.fullmatch(r"q?\d+[a-z]?", q.id), f"{q.id} looks like an agency number"
        assert q.text[0] not in _QUOTES and q.title[0] not in _QUOTES, q.id
        for ch in "\"\u201c\u201d":
            assert ch not in q.text, f"{q.id}: quotation marks suggest the agency's words"
        assert not _QUESTION_CLAIM.search(q.text) and not _QUESTION_CLAIM.search(q.title), q.id
        assert q.text.split()[0] in _OPENERS, f"{q.id}: phrase the summary as a subject ('Whether ...')"
        assert len(q.title) <= 70, q.id
        assert q.tags, q.id
        for rule in q.relevance:
            # the reason is only the *why*: the planner quotes the facts from the answers, so the
            # pack's words must not claim what the commenter reported
            assert not re.search(r"\byou(r)?\b", rule.reason), f"{q.id}: the reason claims facts ({rule.reason!r})"
    # headings in the letter are the titles, never "Question N"
    assert all(not pack.heading(q).startswith("Question") for q in bank.questions)


def test_provenance_is_explained_in_the_file_header():
    for name in SHIPPED:
        head = (QUESTIONS / name / "questions.yaml").read_text(encoding="utf-8").split("schema_version")[0]
        assert "SUMMARY BANK" in head and "number: null" in head and "Federal Register" in head, name


# --- coverage of the notice's subjects ----------------------------------------------------------

# The ANPRM coverage checklist (shared/sources/treas-do-2023-0009.md), one tag per subject.
ANPRM_CHECKLIST = {
    "covered foreign person and its revenue/expense tests": "covered-foreign-person",
    "person of a country of concern": "person-of-coc",
    "U.S. person and foreign branches": "us-person",
    "controlled foreign entity obligations": "controlled-foreign-entity",
    "knowingly directing": "knowingly-directing",
    "semiconductor prohibited and notifiable descriptions": "semiconductors",
    "ECCN 3A090 alignment": "eccn-3a090",
    "node sizes": "node-thresholds",
    "supercomputer thresholds": "supercomputer-thresholds",
    "quantum end uses": "quantum-end-uses",
    "AI end uses": "ai-end-uses",
    "the 'exclusively used' standard": "exclusively-used",
    "contingent equity": "contingent-equity",
    "convertible debt": "convertible-debt",
    "greenfield investments": "greenfield",
    "joint ventures": "joint-ventures",
    "limited partner investments": "lp-investments",
    "publicly traded securities": "publicly-traded",
    "index funds": "index-funds",
    "buy-outs": "buyouts",
    "intracompany transfers": "intracompany",
    "knowledge standard": "knowledge-standard",
    "diligence expectations": "due-diligence",
    "notification content": "notification-content",
    "notification timing": "notification-timing",
    "confidentiality of notifications": "confidentiality",
    "national-interest exemptions": "national-interest-exemption",
    "penalties": "penalties",
    "nullification": "nullification",
    "divestment": "divestment",
    "evasion": "evasion",
    "compliance cost and burden": "compliance-burden",
    "small entities": "small-entities",
    "any other aspect": "other",
}


def _tagged(bank, tag):
    return [q.id for q in bank.questions if tag in q.tags]


def test_anprm_bank_covers_every_checklist_subject():
    bank = packs.load_path(QUESTIONS / ANPRM, "shipped").bank
    missing = [subject for subject, tag in ANPRM_CHECKLIST.items() if not _tagged(bank, tag)]
    assert missing == []
    # both the prohibited and the notifiable descriptions of each technology category
    for sector, notifiable in (("semiconductors", True), ("quantum", False), ("ai", True)):
        assert set(_tagged(bank, sector)) & set(_tagged(bank, "prohibition")), sector
        if notifiable:
            assert set(_tagged(bank, sector)) & set(_tagged(bank, "notifiable")), sector
    assert 55 <= len(bank.questions) <= 70


def test_anprm_sections_follow_the_notice_subjects():
    bank = packs.load_path(QUESTIONS / ANPRM, "shipped").bank
    assert [s.id for s in bank.sections] == [
        "overview", "definitions", "semiconductors", "quantum", "ai", "covered-transactions",
        "excepted-transactions", "knowledge", "us-person-obligations", "notifications", "exemptions",
        "enforcement", "regulatory-analysis", "other"]
    assert {q.section for q in bank.questions} == {s.id for s in bank.sections}
    for sector in ("semiconductors", "quantum", "ai"):
        assert all(sector in q.tags for q in bank.questions if q.section == sector)


def test_nprm_bank_covers_its_topics():
    bank = packs.load_path(QUESTIONS / NPRM, "shipped").bank
    assert 20 <= len(bank.questions) <= 30
    sections = [s.id for s in bank.sections]
    for needed in ("definitions", "covered-activities", "prohibited-notifiable", "excepted-transactions",
                   "notifications", "knowledge"):
        assert needed in sections
    for tag in ("covered-foreign-person", "us-person", "controlled-foreign-entity", "knowingly-directing",
                "semiconductors", "quantum", "ai", "lp-investments", "publicly-traded", "buyouts",
                "intracompany", "notification-content", "notification-timing", "confidentiality",
                "knowledge-standard", "due-diligence", "national-interest-exemption", "evasion",
                "compliance-burden", "small-entities", "other"):
        assert _tagged(bank, tag), tag
    assert all(q.id.startswith("nprm-") for q in bank.questions)
    anprm_ids = {q.id for q in packs.load_path(QUESTIONS / ANPRM, "shipped").bank.questions}
    assert not anprm_ids & {q.id for q in bank.questions}


# --- the rules give distinct commenters distinct, sensible core sets -----------------------------

PROFILES = {
    "semiconductor equipment maker with a PRC joint venture": dict(
        commenter_type="company", commenter_name="Acme Tools Inc.", us_person=True,
        sectors=["semiconductors"], semi_activities=["fe_equipment"], coc_countries=["prc"],
        coc_links=["joint_ventures", "customers"], transaction_types=["joint_venture"],
        compliance_practices=["export_controls"]),
    "U.S. venture fund, LP in a non-U.S. fund, investing in AI": dict(
        commenter_type="investor", investor_kinds=["venture_capital", "limited_partner"],
        commenter_name="Sand Hill Ventures", us_person=True, sectors=["ai"], ai_activities=["ai_other"],
        coc_countries=["prc"], coc_links=["investee_companies", "lp_non_us_funds"],
        transaction_types=["equity", "contingent_equity", "lp_investment"],
        compliance_practices=["investment_diligence"], annual_transactions=15, typical_size="1m_10m"),
    "trade association": dict(
        commenter_type="trade_association", commenter_name="Tech Association", us_person=True,
        sectors=["none"], coc_countries=["none"]),
}

EXPECTED_CORE = {
    ANPRM: {
        "semiconductor equipment maker with a PRC joint venture":
            {"scope-1", "def-3", "def-6", "semi-2", "cov-tx-4", "cov-tx-6", "exm-1", "pen-2", "burden-4"},
        "U.S. venture fund, LP in a non-U.S. fund, investing in AI":
            {"def-1", "def-2", "def-4", "ai-2", "ai-4", "ai-6", "cov-tx-1", "cov-tx-2", "cov-tx-5", "exc-3",
             "know-1", "know-2", "know-3", "notif-4", "burden-1"},
        "trade association":
            {"scope-1", "def-1", "def-5", "know-1", "know-2", "notif-1", "notif-3", "burden-1", "burden-2",
             "burden-3"},
    },
    NPRM: {
        "semiconductor equipment maker with a PRC joint venture":
            {"nprm-def-1", "nprm-def-4", "nprm-semi-1", "nprm-pn-1", "nprm-tx-2", "nprm-exm-1", "nprm-pen-1",
             "nprm-burden-1"},
        "U.S. venture fund, LP in a non-U.S. fund, investing in AI":
            {"nprm-def-1", "nprm-def-2", "nprm-ai-1", "nprm-ai-2", "nprm-pn-1", "nprm-tx-1", "nprm-tx-3",
             "nprm-exc-2", "nprm-know-1", "nprm-know-2", "nprm-notif-2", "nprm-burden-1"},
        "trade association":
            {"nprm-def-1", "nprm-def-3", "nprm-pn-1", "nprm-know-1", "nprm-know-2", "nprm-notif-1",
             "nprm-notif-3", "nprm-burden-1", "nprm-burden-2"},
    },
}


@pytest.mark.parametrize("name", [ANPRM, NPRM])
@pytest.mark.parametrize("who", list(PROFILES))
def test_profiles_get_their_own_core_questions(name, who):
    pack = packs.load_path(QUESTIONS / name, "shipped")
    got = relevance.plan(pack, PROFILES[who])
    core = {p.question_id for p in got if p.level == "core"}
    assert core == EXPECTED_CORE[name][who]
    assert 8 <= len(core) <= 20
    for p in got:
        if p.level == "core":
            assert all(r.startswith("you reported: ") for r in p.reasons), p


def test_core_sets_differ_between_profiles():
    for name in (ANPRM, NPRM):
        sets = list(EXPECTED_CORE[name].values())
        for i, a in enumerate(sets):
            for b in sets[i + 1:]:
                assert len(a ^ b) >= 8, "profiles this different should not share most of their core"


def test_themes_raise_matching_questions_to_recommended_not_core():
    pack = packs.load_path(QUESTIONS / ANPRM, "shipped")
    base = {p.question_id: p for p in relevance.plan(pack, PROFILES["trade association"])}
    profile = dict(PROFILES["trade association"], themes=["enforcement", "foreign-subsidiaries"])
    got = {p.question_id: p for p in relevance.plan(pack, profile)}
    for qid in ("pen-1", "pen-2", "pen-3", "cfe-1", "cfe-2", "exc-5"):
        assert got[qid].level == ("core" if base[qid].level == "core" else "recommended"), qid
