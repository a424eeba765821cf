"""Every sentence of the generated Background is traceable to the profile (property test).

``background_paragraphs`` returns sentences that each carry the profile fields they are drawn
from. For generated profiles: every field a sentence names is an answer that applies; every place
the sentence names is held by one of its fields; every relationship (subsidiary, joint venture,
investee, supplier, customer, research collaboration, limited partner interest) is one the profile
holds; and the tense follows the stage given for that link or transaction (has / plans / is
considering). Fixed examples check the wording for the issue's chip designer.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings

from commentkit.dockets import catalog as packs
from commentkit.questionnaire import engine
from commentkit.questionnaire.background import background_markdown, background_paragraphs
from tests.conftest import QUESTIONS
from tests.questionnaire.test_plan_reasons import profiles

PACK = packs.load_path(QUESTIONS / "TREAS-DO-2023-0009", "shipped")
FUZZ = settings(max_examples=int(os.environ.get("COMMENTKIT_FUZZ_EXAMPLES", "150")), deadline=None,
                derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])

# words in the prose -> (item, value) pairs, any one of which the sentence's fields must hold
RELATIONSHIPS = {
    r"subsidiar": [("coc_links", "subsidiaries")],
    r"joint venture": [("coc_links", "joint_ventures"), ("transaction_types", "joint_venture")],
    r"investments in companies|invest in companies": [("coc_links", "investee_companies")],
    r"supplier": [("coc_links", "suppliers")],
    r"customer": [("coc_links", "customers")],
    r"research collaboration": [("coc_links", "research_collaborations")],
    r"limited partner interests|limited partner investments in non-U\.S\. funds": [("coc_links", "lp_non_us_funds")],
}
STAGE_WORDS = {"considering": r"\b(is|are) considering\b", "planned": r"\bplans?\b",
               "existing": r"\b(has|have|holds?|sells?|buys?|engages?)\b"}
PLACE_NAMES = {"prc": "People's Republic of China", "hong_kong": "Hong Kong", "macau": "Macau"}


def _held(answers, item, value) -> bool:
    v = answers.get(item)
    return value in v if isinstance(v, list) else v == value


def check(profile):
    answers = engine.effective(PACK.interview, profile)
    name = str(profile.get("commenter_name") or "Acme")
    paras = background_paragraphs(PACK, profile, "Acme")
    text = background_markdown(PACK, profile, "Acme")  # the Markdown is those sentences, nothing more
    assert all(paras) and text == ("\n\n".join(" ".join(p) if not p[0].startswith("- ") else "\n".join(p)
                                                for p in paras) + ("\n" if paras else ""))
    for para in paras:
        for sentence in para:
            fields = sentence.fields
            assert fields, sentence
            for f in fields:
                assert f in answers, (f, sentence)  # drawn only from answers that apply
            text = str(sentence).replace(name, "NAME")
            for place, word in PLACE_NAMES.items():
                if word in text:
                    assert any(_held(answers, f, place) for f in fields), (place, sentence, fields)
            for pattern, sources in RELATIONSHIPS.items():
                if re.search(pattern, text):
                    assert any(item in fields and _held(answers, item, value) for item, value in sources), \
                        (pattern, sentence, fields)
            stages = {answers[f] for f in fields
                      if re.fullmatch(r"link_\w+_(prc|hong_kong|macau)|tx_\w+_stage", f)}
            if stages:
                assert len(stages) == 1, (sentence, stages)  # one stage per sentence, never mixed
                (stage,) = stages
                assert re.search(STAGE_WORDS[stage], text), (stage, sentence)
                for other, pattern in STAGE_WORDS.items():
                    if other != stage and other != "existing":
                        assert not re.search(pattern, text), (stage, other, sentence)


@FUZZ
@given(profiles(PACK))
def test_every_sentence_is_traceable_to_the_profile(profile):
    check(profile)


def test_the_check_can_fail():
    profile = {"commenter_type": "company", "commenter_name": "Lattice", "coc_countries": ["prc", "macau"],
               "coc_links": ["subsidiaries", "joint_ventures"], "link_subsidiaries_places": ["prc"],
               "link_subsidiaries_prc": "existing", "link_joint_ventures_places": ["macau"],
               "link_joint_ventures_macau": "considering"}
    check(profile)
    import commentkit.questionnaire.background as bg

    real = bg.LINK_PHRASES["joint_ventures"]["considering"]
    try:
        bg.LINK_PHRASES["joint_ventures"]["considering"] = ("has joint ventures with local partners in", "")
        try:
            check(profile)
        except AssertionError:
            pass
        else:
            raise AssertionError("a considered joint venture worded as existing passed the check")
    finally:
        bg.LINK_PHRASES["joint_ventures"]["considering"] = real


def test_chip_designer_links_are_attributed_by_place_kind_and_stage():
    profile = {"commenter_type": "company", "commenter_name": "Lattice Forge Semiconductor Corp.",
               "sectors": ["semiconductors"], "semi_activities": ["advanced_ic_design", "advanced_packaging"],
               "coc_countries": ["prc", "macau"], "coc_links": ["subsidiaries", "joint_ventures"],
               "link_subsidiaries_places": ["prc"], "link_subsidiaries_prc": "existing",
               "link_joint_ventures_places": ["macau"], "link_joint_ventures_macau": "considering",
               "transaction_types": ["joint_venture"], "tx_joint_venture_stage": "considering"}
    text = background_markdown(PACK, profile, "X")
    assert ("Lattice Forge Semiconductor Corp. has subsidiaries or branches in the People's Republic of China "
            "(mainland). It is considering a joint venture with a local partner in Macau.") in text
    assert "involve the following categories" in text and "activities involve advanced packaging" not in text
    assert "has links with" not in text and "joint ventures with local partners there" not in text
    assert ("In transactions involving these countries or technologies, Lattice Forge Semiconductor Corp. is "
            "considering joint ventures.") in text
    check(profile)


def test_countries_without_the_kind_of_link_still_read():
    profile = {"commenter_type": "company", "commenter_name": "Acme", "coc_countries": ["macau"]}
    assert "Acme has business or investment links with Macau." in background_markdown(PACK, profile, "Acme")
    check(profile)


def test_profile_without_places_or_stages_still_reads_as_before():
    """Profiles written before places and stages were asked load and say only what they hold."""
    profile = {"commenter_type": "company", "commenter_name": "Acme", "coc_countries": ["prc", "hong_kong"],
               "coc_links": ["suppliers", "customers"], "transaction_types": ["equity"]}
    text = background_markdown(PACK, profile, "Acme")
    assert ("Acme has business or investment links with the People's Republic of China (mainland) and Hong Kong, "
            "which include suppliers and customers or distributors.") in text
    assert "Acme engages in, or plans, equity acquisitions." in text
    check(profile)

