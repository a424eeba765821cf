"""Sandboxed conditions over questionnaire answers (commentkit.questionnaire.conditions)."""

from __future__ import annotations

import pytest

from commentkit.dockets import catalog as packs
from commentkit.errors import UserError
from commentkit.models.interview import Interview
from commentkit.questionnaire import conditions

W = conditions.Where("pack/interview.yaml", "item 'x'")


def _interview(*items):
    return Interview.model_validate({"items": list(items)})


INTERVIEW = _interview(
    {"id": "kind", "prompt": "Kind?", "type": "choice",
     "choices": [{"value": "company", "label": "Company"}, {"value": "investor", "label": "Investor"}]},
    {"id": "funds", "prompt": "Funds?", "type": "multichoice", "when": "kind == 'investor'",
     "choices": [{"value": "lp", "label": "LP"}, {"value": "vc", "label": "VC"}]},
    {"id": "deals", "prompt": "How many?", "type": "number"},
    {"id": "name", "prompt": "Name", "type": "text"},
)


def test_unanswered_items_are_none_or_empty_list():
    v = conditions.profile_vars(INTERVIEW, {})
    assert v == {"kind": None, "funds": [], "deals": None, "name": None}
    assert conditions.evaluate("'lp' in funds", v, W) is False
    assert conditions.evaluate("kind is none", v, W) is True


def test_answers_of_items_whose_condition_fails_are_ignored():
    # the commenter first said investor and chose funds, then changed to company
    v = conditions.profile_vars(INTERVIEW, {"kind": "company", "funds": ["lp"], "name": "  "})
    assert v["funds"] == [] and v["name"] is None
    v = conditions.profile_vars(INTERVIEW, {"kind": "investor", "funds": ["lp"]})
    assert conditions.evaluate("'lp' in funds and kind == 'investor'", v, W) is True


def test_unknown_name_is_an_error_naming_file_and_owner():
    with pytest.raises(UserError) as exc:
        conditions.evaluate("kindd == 'company'", conditions.profile_vars(INTERVIEW, {}), W)
    assert str(exc.value).startswith("pack/interview.yaml: item 'x': ")
    assert "unknown item 'kindd'" in str(exc.value)


@pytest.mark.parametrize("source, words", [
    ("kind ==", "invalid condition"),
    ("kind == 'a' b", "invalid condition"),
    ("", "empty"),
    ("deals > 3", "cannot be evaluated"),  # none > 3: the pack must guard it
])
def test_bad_conditions_are_user_errors(source, words):
    with pytest.raises(UserError) as exc:
        conditions.evaluate(source, conditions.profile_vars(INTERVIEW, {}), W)
    assert words in str(exc.value)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("source", [
    "funds.__class__.__mro__",
    "kind.__class__.__base__.__subclasses__()",
    "funds.append('x')",
    "range.__globals__",
    "cycler.__init__.__globals__",
])
def test_sandbox_refuses_escapes(source):
    v = conditions.profile_vars(INTERVIEW, {"kind": "investor", "funds": ["lp"], "name": "n"})
    with pytest.raises(UserError):
        conditions.evaluate(source, v, W)
    assert v["funds"] == ["lp"]


def test_guarded_number_comparison():
    v = conditions.profile_vars(INTERVIEW, {"deals": 12})
    assert conditions.evaluate("deals is not none and deals > 10", v, W) is True
    v = conditions.profile_vars(INTERVIEW, {})
    assert conditions.evaluate("deals is not none and deals > 10", v, W) is False


def test_every_shipped_condition_compiles_and_evaluates_on_an_empty_profile():
    for ref in packs.installed():
        pack = packs.load_path(ref.path, ref.source)
        if pack.interview is None:
            continue
        conditions.check_interview(pack.interview, conditions.interview_file(pack))
        v = conditions.profile_vars(pack.interview, {}, file=conditions.interview_file(pack))
        for q in pack.bank.questions:
            for rule in q.relevance:
                conditions.evaluate(rule.when, v, conditions.Where("questions.yaml", q.id))
