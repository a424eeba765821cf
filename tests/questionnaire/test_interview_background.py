"""The Background section drafted from the questionnaire (commentkit.questionnaire.background)."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from ruamel.yaml import YAML

from commentkit.dockets import catalog as packs
from commentkit.questionnaire.background import background_markdown

PROFILES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
PACK = packs.load("TREAS-DO-2023-0009")


def profile(name: str) -> dict:
    return YAML(typ="safe").load((PROFILES / f"{name}.yaml").read_text())


def test_semiconductor_maker_background_in_full():
    assert background_markdown(PACK, profile("semiconductor-equipment-prc-jv"), "Meridian") == (
        "Meridian Deposition Systems, Inc. is an operating company. It is a U.S. person as the ANPRM describes "
        "that term. It has 500 to 4,999 employees and reported annual revenue (or assets under management) of "
        "$100 million to $1 billion.\n\n"
        "Meridian Deposition Systems, Inc. reported that its business, investments or dealings involve the "
        "following categories of technology identified in the ANPRM: semiconductors and microelectronics "
        "(specifically, front-end semiconductor manufacturing equipment and advanced packaging). The products or "
        "services in these categories are used by businesses (commercial or industrial uses).\n\n"
        "Meridian Deposition Systems, Inc. has joint ventures with local partners in the People's Republic of "
        "China (mainland). It sells to customers or distributors in the People's Republic of China (mainland).\n\n"
        "In transactions involving these countries or technologies, Meridian Deposition Systems, Inc. engages "
        "in joint ventures. It plans equity acquisitions. It undertakes roughly 3 such transactions a year, "
        "typically $10 million to $100 million in size.\n\n"
        "Meridian Deposition Systems, Inc. currently maintains compliance programs covering export controls "
        "(EAR/ITAR) and CFIUS filings.\n")


def test_investor_background_quotes_its_own_words_and_uses_the_notice_terms():
    text = background_markdown(PACK, profile("us-vc-lp-ai"), "HPV")
    assert text.startswith("Harbor Point Ventures, L.P. is a venture capital investor and a limited partner in "
                           "pooled investment funds. It is a U.S. person")
    assert ("artificial intelligence systems (specifically, AI systems for commercial, consumer, research or other "
            "civilian uses)") in text
    assert ("holds limited partner interests in non-U.S. funds that invest in the People's Republic of China "
            "(mainland) and Hong Kong.") in text
    assert "contingent equity and convertible debt; and limited partner investments." in text
    assert text.rstrip().endswith("screen the company and its owners against U.S. restricted-party lists.")
    # contact details and themes belong elsewhere in the letter
    assert "legal@harborpoint.example" not in text and "Limited partner and fund investments" not in text


def test_association_speaks_of_its_members():
    text = background_markdown(PACK, profile("trade-association"), "AEMA")
    assert "is a trade association and submits these comments on behalf of its members." in text
    assert ("Advanced Electronics Manufacturers Association's members reported that their business, investments or "
            "dealings involve") in text
    assert ("members have business or investment links with the People's Republic of China (mainland), Hong Kong, "
            "and Macau, which include subsidiaries or branches, customers or distributors, and suppliers.") in text
    assert "members currently maintain compliance programs" in text
    assert "transactions" not in text  # transaction types were left blank


def test_only_what_was_answered_and_applies():
    assert background_markdown(PACK, {}, "Acme") == ""
    text = background_markdown(PACK, {"commenter_type": "company", "investor_kinds": ["venture_capital"],
                                       "sectors": ["none"], "coc_countries": ["none"]}, "Acme Corp.")
    assert text == ("Acme Corp. is an operating company.\n\n"
                    "Acme Corp. is not active in the categories of technology identified in the ANPRM "
                    "(semiconductors and microelectronics, quantum information technologies, and artificial "
                    "intelligence); its interest is in the design of the program.\n\n"
                    "Acme Corp. has no business or investment links with a country of concern.\n")


def test_law_firm_describes_the_client():
    text = background_markdown(PACK, {"commenter_type": "law_firm", "client_description": "A U.S. chip designer",
                                      "us_person": False, "sectors": ["ai"], "ai_activities": ["ai_dual_use"]},
                               "Smith & Jones LLP")
    assert text.startswith("Smith & Jones LLP submits these comments on behalf of a U.S. chip designer. The client "
                           "is not a U.S. person as the ANPRM describes that term.")
    assert "The client reported that its business, investments or dealings involve" in text


def test_free_text_cannot_inject_markdown_structure():
    text = background_markdown(PACK, {"commenter_type": "company", "commenter_name": "Acme *Bold* [x](http://e)",
                                      "interest_statement": "# Heading\n- item\n1. first\n<b>raw</b>"}, "Acme")
    html = MarkdownIt("commonmark").render(text)
    for tag in ("<h1>", "<li>", "<em>", "<a ", "<b>"):
        assert tag not in html
    assert "Acme *Bold* [x](http://e) is an operating company." in html


def test_pack_without_questionnaire_gives_nothing(pack_copy):
    (pack_copy / "interview.yaml").unlink()
    pack = packs.load_path(pack_copy)
    assert background_markdown(pack, {"commenter_type": "company"}, "Acme") == ""
