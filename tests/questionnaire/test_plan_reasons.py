"""Every reason the planner gives is true of the profile (property test on generated profiles).

For each generated profile, on both shipped packs: every reason is built from facts, each fact
is an answer the profile holds (after the questionnaire's conditions: an answer to an item that
does not apply is not a fact), its words are rendered from those answers alone, the pack's own
words (the *why*) claim nothing about the commenter, a theme never makes a question core, and a
question is core only when a rule on the commenter's exposure (or a promotion) says so.

500 profiles per pack by default (1,000 generated profiles in every run, a few seconds); the
thorough run is COMMENTKIT_FUZZ_EXAMPLES=5000 python -m pytest tests/questionnaire/test_plan_reasons.py.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commentkit.dockets import catalog as packs
from commentkit.questionnaire import conditions, engine
from commentkit.questionnaire import priorities as relevance
from tests.conftest import QUESTIONS

EXAMPLES = int(os.environ.get("COMMENTKIT_FUZZ_EXAMPLES", "500"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PACKS = {name: packs.load_path(QUESTIONS / name, "shipped") for name in ("TREAS-DO-2023-0009", "FR-2024-13923")}


def _value(item):
    if item.type == "choice":
        return st.sampled_from([c.value for c in item.choices])
    if item.type == "multichoice":
        values = [c.value for c in item.choices if c.value != engine.NONE_CHOICE]
        some = st.lists(st.sampled_from(values), min_size=1, max_size=len(values), unique=True)
        if any(c.value == engine.NONE_CHOICE for c in item.choices):
            some = st.one_of(some, st.just([engine.NONE_CHOICE]))
        order = [c.value for c in item.choices]
        return some.map(lambda vs: sorted(vs, key=order.index))
    if item.type == "yesno":
        return st.booleans()
    if item.type == "number":
        return st.integers(min_value=0, max_value=60)
    if item.type == "date":
        return st.dates()
    return st.sampled_from(["x", "Acme"])


def profiles(pack):
    """Profiles answering any subset of the items with any valid answers (stale answers included)."""
    items = pack.interview.items
    return st.fixed_dictionaries({}, optional={it.id: _value(it) for it in items})


def _holds(variables, item, value) -> bool:
    answer = variables.get(item)
    if isinstance(answer, list):
        return value in answer
    return conditions.is_answered(answer) and answer == value


def check_plan(pack, profile, promoted=()):
    iv = pack.interview
    variables = conditions.profile_vars(iv, profile)
    effective = engine.effective(iv, profile)
    follow = relevance._follow_ups(iv)
    plan = relevance.plan(pack, profile, promoted=promoted)
    for p in plan:
        assert p.reasons == tuple(r.text for r in p.details)
        core_sources = []
        for r in p.details:
            if r.kind == "exposure":
                assert r.facts, (p.question_id, r.text)  # a rule's reason always quotes answers
                assert not re.search(r"\byou(r)?\b", r.why), r.why  # the pack's words claim nothing
                assert r.text == "you reported: " + "; ".join(f.text for f in r.facts) + relevance.DASH + r.why
                for f in r.facts:
                    assert f.item in effective, (p.question_id, f)  # an answer that applies
                    for v in f.values:
                        assert _holds(variables, f.item, v), (p.question_id, f, effective.get(f.item))
                    # the words come from the held answers alone (the same render, nothing added)
                    assert f.text == relevance.fact_text(iv, f.item, f.values, variables, follow)
                if r.level == "core":
                    core_sources.append(r)
            elif r.kind == "theme":
                assert r.level == "recommended"
                (f,) = r.facts
                assert f.item == relevance.THEMES_ITEM and _holds(variables, f.item, f.values[0])
                assert f.values[0] in pack.question(p.question_id).tags
            elif r.kind == "promoted":
                assert p.question_id in promoted
                core_sources.append(r)
            else:
                assert r.kind == "default" and p.level == "optional" and len(p.details) == 1
        # exposure decides core: core exactly when a core rule held (or the question was promoted)
        assert (p.level == "core") == bool(core_sources), p
        if p.level == "recommended":
            assert any(r.kind in ("exposure", "theme") for r in p.details)
    return plan


def _bracketed_places_and_stages_are_held(pack, profile, plan):
    """'(Macau: under consideration)': each place and stage named for a link is an answer held."""
    iv = pack.interview
    variables = conditions.profile_vars(iv, profile)
    for p in plan:
        for r in p.details:
            for f in r.facts:
                if f.item != "coc_links":
                    continue
                for link in f.values:
                    places = variables.get(f"link_{link}_places") or []
                    for place in ("prc", "hong_kong", "macau"):
                        word = {"prc": "the PRC (mainland)", "hong_kong": "Hong Kong", "macau": "Macau"}[place]
                        link_words = relevance._value_words(iv.item("coc_links"), link)
                        segment = f.text.split(link_words, 1)[1].split(", ")[0] if link_words in f.text else ""
                        if word in segment.split(")")[0] + ")":
                            assert place in places, (link, place, f.text)


@pytest.mark.parametrize("name", list(PACKS))
def test_every_reason_is_true_of_the_profile(name):
    pack = PACKS[name]

    @FUZZ
    @given(profiles(pack), st.lists(st.sampled_from([q.id for q in pack.bank.questions]), max_size=2))
    def run(profile, promoted):
        plan = check_plan(pack, profile, promoted)
        if name == "TREAS-DO-2023-0009":
            _bracketed_places_and_stages_are_held(pack, profile, plan)
        # choosing every theme adds no core question
        every = list(relevance.theme_labels(pack.interview))
        with_all = relevance.plan(pack, dict(profile, themes=every), promoted=promoted)
        assert [p.question_id for p in with_all if p.level == "core"] == \
            [p.question_id for p in plan if p.level == "core"]

    run()


def test_the_property_can_fail(monkeypatch):
    """The checker above rejects a reason quoting an answer the profile does not hold."""
    pack = PACKS["TREAS-DO-2023-0009"]
    profile = {"commenter_type": "company", "sectors": ["quantum"], "quantum_activities": ["quantum_sensors_commercial"],
               "coc_countries": ["hong_kong"], "coc_links": ["customers"]}
    real = relevance.plan(pack, profile)
    check_plan(pack, profile)
    bad = relevance.Fact("coc_links", ("subsidiaries",), "subsidiaries or branches in a country of concern")

    def forged(pack, profile, promoted=()):
        out = []
        for p in real:
            if p.question_id == "cfe-1":
                r = relevance.Reason("exposure", "core", (bad,), "x", relevance.reason_text((bad,), "x"))
                p = relevance.Priority(p.question_id, "core", (r.text,), (r,))
            out.append(p)
        return out

    monkeypatch.setattr(relevance, "plan", forged)
    with pytest.raises(AssertionError):
        check_plan(pack, profile)
