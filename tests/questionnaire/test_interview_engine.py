"""The questionnaire engine (commentkit.questionnaire.engine) and profile.yaml storage (commentkit.project.profilefile)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypo import examples

from commentkit.dockets import catalog as packs
from commentkit.errors import ConflictError
from commentkit.models.interview import Interview, Item
from commentkit.project.folder import Project
from commentkit.project.profilefile import ProfileFile
from commentkit.questionnaire import engine
from tests.conftest import QUESTIONS

IV = packs.load("TREAS-DO-2023-0009").interview


def item(**kw) -> Item:
    return Item.model_validate({"id": "x", "prompt": "X?", **kw})


CHOICES = [{"value": "a", "label": "Alpha"}, {"value": "b", "label": "Beta"}, {"value": "none", "label": "None"}]


@pytest.mark.parametrize("spec, raw, value", [
    ({"type": "text"}, "  two   words ", "two words"),
    ({"type": "text"}, 2025550100, "2025550100"),
    ({"type": "text", "multiline": True}, " line 1  \nline 2\n", "line 1\nline 2"),
    ({"type": "text"}, "   ", None),
    ({"type": "yesno"}, "Y", True),
    ({"type": "yesno"}, "no", False),
    ({"type": "yesno"}, False, False),
    ({"type": "choice", "choices": CHOICES}, "2", "b"),
    ({"type": "choice", "choices": CHOICES}, "beta", "b"),
    ({"type": "choice", "choices": CHOICES}, "a", "a"),
    ({"type": "multichoice", "choices": CHOICES}, "2, 1,2", ["a", "b"]),
    ({"type": "multichoice", "choices": CHOICES}, ["b", "a"], ["a", "b"]),
    ({"type": "multichoice", "choices": CHOICES}, [], None),
    ({"type": "multichoice", "choices": CHOICES, "validation": {"min_choices": 2}}, ["none"], ["none"]),
    ({"type": "number"}, "1,500", 1500),
    ({"type": "number"}, "2.5", 2.5),
    ({"type": "number"}, 3.0, 3),
    ({"type": "date"}, "2023-09-28", dt.date(2023, 9, 28)),
    ({"type": "date"}, dt.date(2023, 9, 28), dt.date(2023, 9, 28)),
])
def test_coerce_accepts(spec, raw, value):
    got = engine.coerce(item(**spec), raw)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("spec, raw, words", [
    ({"type": "text"}, True, "put quotes around yes"),
    ({"type": "text", "validation": {"pattern": "^[0-9]+$", "message": "digits only"}}, "12a", "expected digits only"),
    ({"type": "yesno"}, "perhaps", "expected yes or no"),
    ({"type": "choice", "choices": CHOICES}, "4", "4 is not in the list (1-3)"),
    ({"type": "choice", "choices": CHOICES}, "gamma", "'gamma' is not one of the choices (a, b, none)"),
    ({"type": "choice", "choices": CHOICES}, ["a"], "expected one of: a, b, none"),
    ({"type": "multichoice", "choices": CHOICES}, "a, none", "'None' cannot be combined with other choices"),
    ({"type": "multichoice", "choices": CHOICES, "validation": {"min_choices": 2}}, "a", "choose at least 2"),
    ({"type": "multichoice", "choices": CHOICES, "validation": {"max_choices": 1}}, "a,b", "choose at most 1"),
    ({"type": "multichoice", "choices": CHOICES}, {"a": 1}, "expected a list of choices"),
    ({"type": "number"}, "lots", "expected a number, got 'lots'"),
    ({"type": "number"}, "nan", "expected a finite number"),
    ({"type": "number", "validation": {"min": 0, "max": 10}}, 11, "must be at most 10"),
    ({"type": "date"}, "28/09/2023", "expected a date as YYYY-MM-DD"),
])
def test_coerce_refuses_with_a_message_for_the_user(spec, raw, words):
    with pytest.raises(engine.AnswerError) as exc:
        engine.coerce(item(**spec), raw)
    assert words in str(exc.value)


def test_walk_follows_conditions_and_progress_counts_applicable_items():
    answers: dict = {}
    first = engine.next_unanswered(IV, answers)
    assert first.id == "commenter_type"
    assert engine.progress(IV, answers, first).line() == "item 1 of about 15"
    answers["commenter_type"] = "investor"
    nxt = engine.next_unanswered(IV, answers, after="commenter_type")
    assert nxt.id == "investor_kinds"
    assert engine.progress(IV, answers, nxt).line() == "item 2 of about 18"  # + employees, revenue
    answers.update(sectors=["semiconductors", "ai"], coc_countries=["none"])
    ids = [it.id for it in engine.applicable(IV, answers)]
    assert "semi_activities" in ids and "ai_activities" in ids and "quantum_activities" not in ids
    assert "coc_links" not in ids
    # resume: the first applicable item never asked, even if earlier ones were left blank
    answers.update(investor_kinds=None, commenter_name="N", commenter_address=None)
    assert engine.next_unanswered(IV, answers).id == "employees"


def test_effective_answers_drop_items_that_no_longer_apply():
    answers = {"commenter_type": "company", "investor_kinds": ["venture_capital"], "sectors": ["ai"],
               "ai_activities": ["ai_other"], "contact_phone": None}
    assert engine.effective(IV, answers) == {"commenter_type": "company", "sectors": ["ai"],
                                             "ai_activities": ["ai_other"]}


def test_check_pack_reports_bad_default_and_pattern(pack_copy):
    bad = Interview.model_validate({"items": [
        {"id": "n", "prompt": "N", "type": "number", "default": "many"}]})
    with pytest.raises(Exception) as exc:
        engine.check_pack(bad, "interview.yaml")
    assert "item 'n': default 'many' expected a number" in str(exc.value)
    bad = Interview.model_validate({"items": [
        {"id": "t", "prompt": "T", "type": "text", "validation": {"pattern": "([a-z"}}]})
    with pytest.raises(Exception) as exc:
        engine.check_pack(bad, "interview.yaml")
    assert "item 't': invalid validation pattern" in str(exc.value)


# ---- profile.yaml -------------------------------------------------------------------------------

def test_profile_writes_keep_comments_order_and_a_backup(project):
    proj = Project.open(project)
    pf = ProfileFile.of(proj)
    pf.set("sectors", ["semiconductors"])
    pf.set("commenter_type", "company")
    path = project / "profile.yaml"
    text = path.read_text()
    assert text.index("commenter_type:") < text.index("sectors:")  # questionnaire order, not answer order
    path.write_text(text.replace("sectors:", "# semis only, per GC\nsectors:"))
    pf = ProfileFile.of(proj)
    pf.set("us_person", True)
    pf.set("interest_statement", "We make tools.\nAnd sell them.")
    pf.set("contact_phone", None)
    pf.set("annual_transactions", 12)
    text = path.read_text()
    assert "# semis only, per GC\nsectors: [semiconductors]" in text
    assert "interest_statement: |-\n  We make tools.\n  And sell them.\n" in text
    assert "contact_phone: null\n" in text
    assert ProfileFile.of(proj).answers == {
        "commenter_type": "company", "us_person": True, "interest_statement": "We make tools.\nAnd sell them.",
        "contact_phone": None, "sectors": ["semiconductors"], "annual_transactions": 12}
    backups = list((project / ".commentkit" / "backups").glob("profile.yaml.*"))
    assert len(backups) == 1 and "# semis only, per GC" in backups[0].read_text()


def test_profile_changed_on_disk_during_a_session_is_not_overwritten(project):
    proj = Project.open(project)
    pf = ProfileFile.of(proj)
    pf.set("commenter_type", "company")
    path = project / "profile.yaml"
    edited = path.read_text() + "commenter_name: Typed in an editor\n"
    path.write_text(edited)
    with pytest.raises(ConflictError) as exc:
        pf.set("us_person", True)
    assert "changed on disk since commentkit read it" in str(exc.value)
    assert path.read_text() == edited


def test_profile_with_unknown_key_or_wrong_shape(project):
    path = project / "profile.yaml"
    proj = Project.open(project)
    path.write_text("schema_version: 1\ncommenter_type: company\nsector: [ai]\n")
    with pytest.raises(Exception) as exc:
        ProfileFile.of(proj)
    assert str(exc.value) == (f"{path}:3: sector: no such item in the questionnaire (did you mean 'sectors'?)")
    path.write_text("- a\n")
    with pytest.raises(Exception) as exc:
        ProfileFile.of(proj)
    assert str(exc.value) == f"{path}:1: profile must be a mapping of item: answer"


# ---- any value at all: a message or a stored value, never a crash ---------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40),
                     st.dates(), st.datetimes(), st.sampled_from(["", "-", "none", "1,2", "yes", "2023-09-28",
                                                                   "semiconductors", "prc", "1e309", "9" * 400]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                       max_leaves=8)
_KEYS = st.one_of(st.sampled_from([it.id for it in IV.items]), st.text(max_size=12), st.integers())


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEYS, _VALUES, max_size=6))
def test_check_answers_never_crashes_on_any_yaml_value(given_answers):
    checked = engine.check_answers(IV, given_answers)
    for problem in checked.problems:
        assert problem.message and "\n" not in problem.message
    for key, value in checked.values.items():  # what would be stored fits its item exactly
        assert engine.coerce(IV.item(key), value) == value


@pytest.mark.parametrize("raw", ["(408) 555-0142", "202-555-0178", "+1 617 555 0199 ext. 12", "(408) 555-0110 x204",
                                 "+86 21 5555 0100", "+852 2555 0100", "202.555.0100 extension 4", "+44 20 7946 0958"])
def test_shipped_phone_pattern_takes_extensions_and_international_numbers(raw):
    for name in ("TREAS-DO-2023-0009", "FR-2024-13923"):
        item = packs.load_path(QUESTIONS / name, "shipped").interview.item("contact_phone")
        assert engine.coerce(item, raw) == raw


@pytest.mark.parametrize("raw", ["call me", "555", "+1 (202) 555-0100 ext. twelve", "202-555-0100; 202-555-0101"])
def test_shipped_phone_pattern_still_refuses_what_is_not_a_number(raw):
    item = packs.load_path(QUESTIONS / "TREAS-DO-2023-0009", "shipped").interview.item("contact_phone")
    with pytest.raises(engine.AnswerError, match="a telephone number like"):
        engine.coerce(item, raw)
