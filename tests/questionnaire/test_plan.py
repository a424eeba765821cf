"""Question priorities (commentkit.questionnaire.priorities.plan) on synthetic banks; shipped-bank profiles are
in test_plan_profiles.py."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from commentkit.dockets import catalog as packs
from commentkit.errors import UserError
from commentkit.questionnaire import priorities as relevance


def _edit_bank(pack_dir, questions):
    y = YAML()
    path = pack_dir / "questions.yaml"
    data = y.load(path.read_text())
    data["questions"] = questions
    with path.open("w") as fh:
        y.dump(data, fh)
    packs.load_path.cache_clear()
    return packs.load_path(pack_dir)


def _q(qid, tags=(), rules=()):
    return {"id": qid, "section": "definitions", "title": f"Title {qid}", "text": "Text.", "wording": "summary",
            "tags": list(tags), "relevance": list(rules)}


SEMI = {"when": "'semiconductors' in sectors", "level": "recommended",
        "reason": "semiconductor activities are described in these terms"}
PKG = {"when": "'advanced_packaging' in semi_activities and 'joint_ventures' in coc_links", "level": "core",
       "reason": "a prohibited activity in a joint venture is what the prohibition reaches"}
LP = {"when": "'lp_investment' in transaction_types or 'equity' in transaction_types", "level": "recommended",
      "reason": "fund investments may be covered"}


@pytest.fixture
def bank(pack_copy):
    return _edit_bank(pack_copy, [
        _q("a-1", rules=[SEMI, PKG]),
        _q("a-2", tags=["definitions"], rules=[LP]),
        _q("a-3", rules=[LP]),
        _q("a-4"),
    ])


PROFILE = {"sectors": ["semiconductors"], "semi_activities": ["advanced_packaging"],
           "coc_countries": ["prc"], "coc_links": ["joint_ventures"], "themes": ["definitions"]}


def test_highest_level_wins_and_all_reasons_are_kept(bank):
    got = {p.question_id: p for p in relevance.plan(bank, PROFILE)}
    assert [p for p in got] == ["a-1", "a-2", "a-3", "a-4"]
    assert got["a-1"].level == "core"
    # each reason quotes the answers that made its rule hold, then says why they matter
    assert got["a-1"].reasons == (
        "you reported: semiconductors and microelectronics \u2014 semiconductor activities "
        "are described in these terms",
        "you reported: advanced packaging; joint ventures in a country of concern \u2014 a prohibited activity "
        "in a joint venture is what the prohibition reaches")
    facts = [[(f.item, f.values) for f in r.facts] for r in got["a-1"].details]
    assert facts == [[("sectors", ("semiconductors",))],
                     [("semi_activities", ("advanced_packaging",)), ("coc_links", ("joint_ventures",))]]
    # a chosen theme alone raises a question to recommended, never to core
    assert got["a-2"].level == "recommended"
    assert got["a-2"].reasons == ("you chose \u201cDefinitions (covered foreign person, U.S. person, person of a "
                                  "country of concern)\u201d as a theme",)
    assert got["a-3"] == relevance.Priority("a-3", "optional", (relevance.NO_MATCH,))


def test_rules_follow_the_effective_answers(bank):
    # joint venture link given, but countries of concern answered 'none': coc_links no longer applies
    profile = dict(PROFILE, coc_countries=["none"], themes=[], transaction_types=["lp_investment"])
    got = {p.question_id: p for p in relevance.plan(bank, profile)}
    assert got["a-1"].level == "recommended"
    # of an 'or', only the alternatives that hold are cited
    assert got["a-2"].level == "recommended" and got["a-2"].reasons == (
        "you reported: transactions: limited partner investments \u2014 fund investments may be covered",)


def test_plan_is_deterministic(bank):
    assert relevance.plan(bank, PROFILE) == relevance.plan(bank, dict(reversed(list(PROFILE.items()))))
    two = dict(PROFILE, themes=["notification", "definitions"])
    swapped = dict(PROFILE, themes=["definitions", "notification"])
    assert relevance.plan(bank, two) == relevance.plan(bank, swapped)


def test_empty_profile_says_to_run_the_interview(bank):
    got = relevance.plan(bank, {})
    assert {p.level for p in got} == {"optional"}
    assert all(p.reasons == (relevance.NOT_INTERVIEWED,) for p in got)


def test_pack_without_interview_plans_everything_optional(bank, pack_copy):
    (pack_copy / "interview.yaml").unlink()
    packs.load_path.cache_clear()
    pack = packs.load_path(pack_copy)
    got = relevance.plan(pack, PROFILE)
    assert [p.question_id for p in got] == ["a-1", "a-2", "a-3", "a-4"]
    assert all(p.level == "optional" and p.reasons == (relevance.NO_INTERVIEW,) for p in got)


def test_rule_naming_an_unknown_item_names_the_bank_and_question(pack_copy):
    pack = _edit_bank(pack_copy, [_q("a-1", rules=[{"when": "'x' in sector", "level": "core", "reason": "r"}])])
    with pytest.raises(UserError) as exc:
        relevance.plan(pack, PROFILE)
    msg = str(exc.value)
    assert msg.startswith(str(pack_copy / "questions.yaml"))
    assert "question 'a-1' (relevance rule 1)" in msg and "'sector'" in msg


def test_plan_imports_no_document_markdown_or_http_modules(run, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = tmp_path / "p"
    assert run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "X").exit_code == 0
    answers = Path(__file__).resolve().parents[1] / "fixtures" / "profiles" / "us-vc-lp-ai.yaml"
    assert run("interview", root, "--answers", answers).exit_code == 0
    code = ("import sys\nfrom commentkit.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('docx', 'markdown_it', 'httpx', 'questionary', 'prompt_toolkit', 'lxml'))\n"
            "print('HEAVY', heavy, file=sys.stderr)\n")
    for args in (["plan", str(root)], ["plan", str(root), "--json"], ["interview", str(root), "--json"]):
        res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stderr
        assert "HEAVY []" in res.stderr, (args, res.stderr)
