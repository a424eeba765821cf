"""Realistic Federal Register notices against hand-written answer keys (tests/fixtures/fr/notices).

Each ``*.key.yaml`` was written from the notice itself, not from the importer's output: every
question's agency number, section, FR pages and full text. The pack the importer builds must
match the key exactly, and its import report must list what it did not take.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from commentkit.dockets.federal_register import importer as frimport

NOTICES = Path(__file__).resolve().parents[1] / "fixtures" / "fr" / "notices"
KEYS = sorted(NOTICES.glob("*.key.yaml"))


def _key(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _import(key: dict):
    path = NOTICES / key["document"]
    notice = frimport.read_document(path, path.read_bytes())
    return frimport.build(notice, overrides=frimport.Overrides(published=key["published"]))


def test_there_are_at_least_six_notices_with_keys():
    assert len(KEYS) >= 6
    for k in KEYS:
        assert (NOTICES / _key(k)["document"]).stat().st_size > 6000


@pytest.fixture(params=KEYS, ids=[k.name.removesuffix(".key.yaml") for k in KEYS])
def case(request):
    key = _key(request.param)
    return key, _import(key)


def test_questions_match_the_key_exactly(case):
    key, result = case
    got = [{"number": q.number, "section": q.section, "pages": [q.pages.first, q.pages.last] if q.pages else None,
            "text": q.text} for q in result.bank.questions]
    want = [{"number": q["number"], "section": q["section"], "pages": q["pages"], "text": q["text"]}
            for q in key["questions"]]
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"question {i + 1} of {len(want)}"
    assert len(got) == len(want)
    assert all(q.wording == "official" for q in result.bank.questions)


def test_paragraph_numbers_are_not_question_numbers(case):
    key, result = case
    for q, k in zip(result.bank.questions, key["questions"]):
        if "paragraph" in k:
            assert q.number is None and q.title.startswith(f"\N{PILCROW SIGN} {k['paragraph']}: ")


def test_sections_pages_and_metadata(case):
    key, result = case
    d = result.docket
    titles = {s.id: s.title for s in result.bank.sections}
    for sid, title in key["sections"].items():
        assert titles.get(sid) == title
    fr = d.federal_register
    assert [fr.first_page, fr.last_page] == key["pages"]
    assert d.id == key["pack_id"]
    assert d.deadline.date == key["deadline"]
    if "deadline_time" in key:
        assert d.deadline.time == key["deadline_time"]
    if key["confidential_submissions"] is None:
        assert d.confidential_submissions is False
        assert any(u.startswith("confidential submissions") for u in d.unresolved)
    else:
        assert d.confidential_submissions is key["confidential_submissions"]
        assert not any(u.startswith("confidential submissions") for u in d.unresolved)
        assert d.confidential_note
    c = d.addressee.contact
    assert c is not None and (f"{c.courtesy} {c.name}" if c.courtesy else c.name) == key["attention"]
    assert c.source == "FOR FURTHER INFORMATION CONTACT"


def test_import_report_counts_styles_gaps_and_what_was_not_taken(case):
    key, result = case
    rep = result.report
    assert rep.styles == key["styles"]
    assert rep.gaps == key["gaps"]
    assert sorted({p for p, _ in rep.not_taken}) == key["not_taken_pages"]
    taken = {q.text.split("\n")[0][:60] for q in result.bank.questions}
    assert not any(text[:60] in taken for _, text in rep.not_taken)
    if key["gaps"]:
        assert any("question numbers " + ", ".join(map(str, key["gaps"])) in u for u in result.docket.unresolved)


def test_superscripts_exponent_versus_footnote():
    key = _key(NOTICES / "anprm-dot.key.yaml")
    result = _import(key)
    q4 = next(q for q in result.bank.questions if q.number == 4)
    assert "10\N{SUPERSCRIPT ONE}\N{SUPERSCRIPT EIGHT} operations per second" in q4.text
    path = NOTICES / "anprm-dot.xml"
    notice = frimport.read_document(path, path.read_bytes())
    background = " ".join(b.text for b in notice.blocks)
    assert "more than 10\N{SUPERSCRIPT TWO}\N{SUPERSCRIPT FIVE} integer" in background
    assert "4.4 percent of total U.S. electricity consumption. Facilities" in background  # footnote 1 dropped
    path = NOTICES / "notice-halfparen.xml"
    notice = frimport.read_document(path, path.read_bytes())
    assert "30,000 m\N{SUPERSCRIPT THREE} of liquid" in " ".join(b.text for b in notice.blocks)
    path = NOTICES / "nprm-prose.xml"
    notice = frimport.read_document(path, path.read_bytes())
    assert "metric tons of CO\N{SUPERSCRIPT TWO} each year from testing alone. Some" in " ".join(
        b.text for b in notice.blocks)


def test_a_page_marker_before_any_text_is_the_first_page():
    path = NOTICES / "anprm-dot.xml"
    notice = frimport.read_document(path, path.read_bytes())
    assert notice.first_page == 71204
    raw = path.read_text().replace('<PRTPAGE P="71204"/>\n', "", 1)
    notice = frimport.parse_xml(raw.encode(), path)
    assert notice.first_page == 71204  # the page before the first marker (71205)


def test_numbers_restart_per_section_sets_no_numbers(tmp_path):
    """A notice that numbers questions from 1 in each part claims no agency number."""
    raw = (NOTICES / "rfi-paren.xml").read_text()
    for old, new in (("(5)", "(1)"), ("(6)", "(2)"), ("(7)", "(3)"), ("(8)", "(4)")):
        raw = raw.replace(f"<P>{old} ", f"<P>{new} ")
    f = tmp_path / "restart.xml"
    f.write_text(raw)
    r = frimport.build(frimport.read_document(f, f.read_bytes()),
                       overrides=frimport.Overrides(published=dt.date(2024, 8, 22)))
    assert all(q.number is None for q in r.bank.questions)
    assert any("restarts its question numbering" in u for u in r.docket.unresolved)
    sub = next(q for q in r.bank.questions if q.text.startswith("What risks do network"))
    assert sub.text.count("\n") == 3  # its 1./2./3. sub-list stays inside it


@pytest.mark.parametrize("text,name,title,courtesy", [
    ("Meena R. Sharma, Acting Director, Office of Investment Security Policy, at (202) 622-0000.",
     "Meena R. Sharma", "Acting Director", None),
    ("For questions on the technical parameters, contact Dr. Elena Marchetti, Director, Information Technology "
     "Controls Division, at 202-482-0000.", "Elena Marchetti", "Director", "Dr."),
    ("Please direct questions regarding this Notice to Priya Raghunathan, Office of International Affairs.",
     "Priya Raghunathan", None, None),
    ("Ms. Katherine Delacroix, U.S. Department of Energy, Office of Energy Efficiency.", "Katherine Delacroix",
     None, "Ms."),
    ("Office of Investment Security, U.S. Department of the Treasury, at (202) 622-0000.", None, None, None),
])
def test_the_contact_person_is_read_from_furinf(text, name, title, courtesy):
    c = frimport.find_contact(text)
    assert (c.name, c.title, c.honorific) == (name, title, courtesy) if name else c is None


_LABEL = re.compile(r"<P>((?:Question \d+[.:]?|Q\d+[.:]?|\(\d+\)|\d+[.)]|[a-z][.)]|\([a-z]+\)))\s")


@pytest.mark.parametrize("tag", ["03", "04"])
def test_bold_or_italic_labels_and_fp2_subparts_change_nothing(case, tag, tmp_path):
    """Typography is not structure: the same notice with its labels in bold or italic, and its
    lettered sub-parts printed as FP-2, gives the same questions."""
    key, result = case
    raw = (NOTICES / key["document"]).read_text()
    raw = _LABEL.sub(lambda m: f'<P><E T="{tag}">{m.group(1)}</E> ', raw)
    raw = re.sub(r"<P>(<E T=\"0[34]\">)?(\([a-z]\)|[a-z][.)])", lambda m: f'<FP SOURCE="FP-2">{m.group(1) or ""}'
                 f'{m.group(2)}', raw)
    raw = re.sub(r"(<FP SOURCE=\"FP-2\">[^\n]*?)</P>", r"\1</FP>", raw)
    f = tmp_path / key["document"]
    f.write_text(raw)
    other = frimport.build(frimport.read_document(f, f.read_bytes()),
                           overrides=frimport.Overrides(published=key["published"]))
    assert [(q.number, q.section, q.text, q.pages) for q in other.bank.questions] == \
        [(q.number, q.section, q.text, q.pages) for q in result.bank.questions]


def _mini(body: str):
    xml = ('<NOTICE><PREAMB><AGENCY>DEPARTMENT OF EXAMPLE</AGENCY><SUBJECT>Request for Information</SUBJECT>'
           '<ACT><P>Notice; request for information.</P></ACT><DATES><P>Comments must be received by March 3, '
           f'2025.</P></DATES></PREAMB><SUPLINF><PRTPAGE P="100"/>{body}</SUPLINF>'
           '<FRDOC>[FR Doc. 2025-00001 Filed 1-2-25; 8:45 am]</FRDOC></NOTICE>')
    notice = frimport.parse_xml(xml.encode(), "mini.xml")
    return frimport.build(notice, overrides=frimport.Overrides(published=dt.date(2025, 1, 2)))


@pytest.mark.parametrize("body,want", [
    # a label printed in its own paragraph labels the next one
    ('<HD SOURCE="HD1">Questions</HD><P><E T="03">Question 1.</E></P><P>What is X?</P>'
     '<P><E T="03">Question 2.</E></P><P>What is Y?</P>', [(1, "What is X?"), (2, "What is Y?")]),
    # decimal labels: questions, but no whole agency number
    ('<HD SOURCE="HD1">Questions</HD><P>1.1 What is X?</P><P>1.2 What is Y?</P>',
     [(None, "What is X?"), (None, "What is Y?")]),
    # a reference to another notice's question is not a label
    ('<HD SOURCE="HD1">Background</HD><P>Question 12 of the ANPRM asked whether X should apply?</P>'
     '<HD SOURCE="HD1">Questions</HD><P>1. What is X?</P><P>2. What is Y?</P>',
     [(1, "What is X?"), (2, "What is Y?")]),
    # a list introduced by a request is the list of questions even when it asks in topics
    ('<HD SOURCE="HD1">Request for Comment</HD><P>The Department requests comment on the following topics:</P>'
     '<P>1. The definition of covered activity.</P><P>2. The costs of compliance.</P>',
     [(1, "The definition of covered activity."), (2, "The costs of compliance.")]),
])
def test_small_shapes(body, want):
    r = _mini(body)
    assert [(q.number, q.text) for q in r.bank.questions] == want
