"""Importing Federal Register documents (XML, text edition, API JSON) into docket packs."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from commentkit.dockets import catalog as packs
from commentkit.dockets.federal_register import importer as frimport
from commentkit.errors import UserError
from tests.conftest import user_pack_dir

FR = Path(__file__).resolve().parents[1] / "fixtures" / "fr"


def _build(name, meta=None, **ov):
    path = FR / name
    notice = frimport.read_document(path, path.read_bytes())
    api = frimport.parse_api_json((FR / meta).read_bytes(), FR / meta) if meta else None
    return frimport.build(notice, api, frimport.Overrides(**ov))


def _one_line_error(res):
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert err and "\n" not in err and "Traceback" not in err
    return err


# ---------------------------------------------------------------------------------------------
# Parsing


def test_xml_proposed_rule_metadata():
    r = _build("prorule.xml", published=dt.date(2023, 8, 14))
    d = r.docket
    assert d.id == "TREAS-DO-2023-0009" and d.docket_id == "TREAS-DO-2023-0009"
    assert d.agency == "Department of the Treasury" and d.office == "Office of Investment Security"
    assert d.cfr == "31 CFR Chapter VIII" and d.rin == "1505-AC82"
    assert d.document_type == "ANPRM"
    assert d.title.startswith("Provisions Pertaining to U.S. Investments")
    fr = d.federal_register
    assert (fr.volume, fr.first_page, fr.last_page, fr.document_number) == (88, 54961, 54964, "2023-17164")
    assert d.deadline.instant().isoformat() == "2023-09-28T23:59:00-04:00"
    assert "September 28, 2023" in d.deadline.source
    assert [c.kind for c in d.channels] == ["regulations.gov", "mail"]
    assert d.channels[0].url == "https://www.regulations.gov/docket/TREAS-DO-2023-0009"
    assert d.origin == "imported"
    assert any(u.startswith("confidential submissions") for u in d.unresolved)


def test_xml_questions_sections_and_pages():
    bank = _build("prorule.xml", published=dt.date(2023, 8, 14)).bank
    qs = bank.questions
    assert [q.number for q in qs] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [q.id for q in qs] == ["ii-a-q1", "ii-a-q2", "ii-b-1-q1", "ii-b-1-q2", "ii-b-1-q3", "ii-b-1-q4",
                                  "ii-c-q1", "iii-q1"]
    assert all(q.wording == "official" for q in qs)
    assert [q.section for q in qs] == ["ii-a", "ii-a", "ii-b-1", "ii-b-1", "ii-b-1", "ii-b-1", "ii-c", "iii"]
    assert [s.id for s in bank.sections] == ["ii-a", "ii-b-1", "ii-c", "iii"]
    assert bank.section("ii-c").title == "C. Knowledge Standard"
    assert bank.section("ii-b-1").title == "B. Covered Transactions \N{EM DASH} 1. Equity and Contingent Equity"
    q = {x.number: x for x in qs}
    # a question split by a page marker spans both pages
    assert (q[3].pages.first, q[3].pages.last) == (54962, 54963)
    assert q[3].text.endswith("bring such financing within the program?")
    assert (q[8].pages.first, q[8].pages.last) == (54964, 54964)
    # sub-parts belong to their question
    assert q[2].text.splitlines() == [
        "What challenges would U.S. persons face in determining whether an entity is a person of a country of "
        "concern?",
        "a. Which sources of information would be available?",
        "b. How should ownership through intermediate entities be treated?"]
    # footnote references are not part of the text; question 6 is phrased as a statement
    assert q[7].text.endswith("and what would it cost?")
    assert q[6].text.startswith("Treasury seeks views")
    texts = " ".join(x.text for x in qs)
    assert "It directs the Secretary" not in texts  # numbered background list, not questions
    assert "quoted text" not in texts  # EXTRACT
    assert "discussed elsewhere" not in texts  # footnote


def test_text_edition_reads_like_the_xml():
    xml = _build("prorule.xml", published=dt.date(2023, 8, 14))
    txt = _build("prorule.txt")
    assert txt.bank.questions == xml.bank.questions
    assert txt.bank.sections == xml.bank.sections
    fr = txt.docket.federal_register
    assert (fr.volume, fr.issue, fr.publication_date) == (88, 155, dt.date(2023, 8, 14))
    assert txt.docket.docket_id == "TREAS-DO-2023-0009" and txt.docket.rin == "1505-AC82"
    assert txt.docket.deadline.date == dt.date(2023, 9, 28)
    assert [c.kind for c in txt.docket.channels] == ["regulations.gov", "mail"]


def test_api_json_supplies_date_and_pages():
    r = _build("prorule.xml", meta="2023-17164.json")
    fr = r.docket.federal_register
    assert (fr.publication_date, fr.first_page, fr.last_page) == (dt.date(2023, 8, 14), 54961, 54972)
    assert r.facts["publication_date"] == "API metadata"
    assert r.facts["deadline"] == "DATES text and API"


def test_api_json_for_another_document_is_refused():
    path = FR / "notice-bullets.xml"
    notice = frimport.read_document(path, path.read_bytes())
    api = frimport.parse_api_json((FR / "2023-17164.json").read_bytes())
    with pytest.raises(UserError, match="metadata is for FR Doc. 2023-17164"):
        frimport.build(notice, api)


def test_api_deadline_differs_from_dates_text_is_reported(tmp_path):
    meta = (FR / "2023-17164.json").read_text().replace('"2023-09-28"', '"2023-10-30"')
    f = tmp_path / "m.json"
    f.write_text(meta)
    path = FR / "prorule.xml"
    r = frimport.build(frimport.read_document(path, path.read_bytes()), frimport.parse_api_json(meta, f))
    assert r.docket.deadline.date == dt.date(2023, 10, 30)
    assert any("DATES says 2023-09-28" in u and "2023-10-30" in u for u in r.docket.unresolved)


def test_bulleted_questions_notice():
    r = _build("notice-bullets.xml", published=dt.date(2025, 1, 3))
    d, bank = r.docket, r.bank
    assert d.document_type == "request for information"
    assert d.docket_id is None and d.id == "FR-2025-00123"  # "Docket No. 250101-0001" is not a regulations.gov ID
    assert any(u.startswith("docket ID") for u in d.unresolved)
    assert any(u.startswith("RIN") for u in d.unresolved)
    assert d.deadline.date == dt.date(2025, 3, 3)
    assert (d.deadline.time, d.deadline.timezone) == ("17:00", "America/New_York")
    assert [c.kind for c in d.channels] == ["email"]
    texts = [q.text for q in bank.questions]
    # bullets that are fragments of one request stay with their lead-in: the agency's question is
    # the whole list, never "... the risks to each;" alone
    assert texts == ["The Bureau requests comment on the following topics:\n"
                     "\u2022 The principal sources of supply for example components and the risks to each;\n"
                     "\u2022 Whether current inventory practices are adequate?\n"
                     "\u2022 Measures that would improve resilience, and their cost.",
                     "Are there other matters the Bureau should consider?"]
    assert all(q.number is None and q.wording == "official" for q in bank.questions)
    assert {q.section for q in bank.questions} == {"request-comments", "other-matters"}
    assert [q.tags for q in bank.questions] == [["request-comments"], ["other-matters"]]
    assert r.report.styles == {"bullet": 2}
    themes = r.interview.item("themes")
    assert [(c.value, c.label) for c in themes.choices] == [("request-comments", "Request for Comments"),
                                                            ("other-matters", "Other Matters")]
    assert all(q.pages.first == 1235 for q in bank.questions)


def test_extension_dates_paragraph():
    r = _build("extension.xml", published=dt.date(2024, 7, 23))
    d = r.docket
    assert d.deadline.date == dt.date(2024, 8, 19)  # not the original publication date, July 5
    assert "extends or reopens" in d.deadline.source
    # an extension notice asks nothing: one placeholder, marked as commentkit's, and reported
    assert [q.wording for q in r.bank.questions] == ["summary"]
    assert any(u.startswith("questions: none recognised") for u in d.unresolved)


@pytest.mark.parametrize("text,date,time", [
    ("Written comments must be received by September 28, 2023.", "2023-09-28", None),
    ("Comments must be received on or before 11:59 p.m. Eastern Time on August 4, 2024.", "2024-08-04", "23:59"),
    ("The comment period for the ANPRM published on August 14, 2023, is reopened. Comments are due "
     "November 1, 2023.", "2023-11-01", None),
    ("Comments due by Sept. 5, 2024. A public hearing will be held on October 1, 2024.", "2024-09-05", None),
    ("This rule is effective January 2, 2025.", None, None),
])
def test_parse_deadline(text, date, time):
    f = frimport.parse_deadline(text)
    assert (f.date.isoformat() if f.date else None) == date
    assert f.time == time


def test_missing_numbers_are_reported(tmp_path):
    raw = (FR / "prorule.xml").read_text().replace("<P>4. Please describe", "<P>Please describe")
    f = tmp_path / "gap.xml"
    f.write_text(raw)
    r = frimport.build(frimport.read_document(f, f.read_bytes()), overrides=frimport.Overrides(
        published=dt.date(2023, 8, 14)))
    # the paragraph that lost its label is still taken (a request, after the first question), unnumbered
    assert [q.number for q in r.bank.questions] == [1, 2, 3, None, 5, 6, 7, 8]
    assert r.bank.questions[3].text.startswith("Please describe how greenfield")
    assert any(u.startswith("question numbers 4 were not found") for u in r.docket.unresolved)
    assert r.report.gaps == [4] and r.report.styles == {"N.": 7, "statement": 1}


# ---------------------------------------------------------------------------------------------
# Untrusted input


@pytest.mark.parametrize("content,needle", [
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><PRORULE>&b;</PRORULE>',
     "entities"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><PRORULE>&e;</PRORULE>',
     "entities"),
    (b"<PRORULE><PREAMB><SUBJECT>x</SUBJECT></PREAMB>\n<SUPLINF><P>unclosed</SUPLINF></PRORULE>", "not well-formed"),
    (b"<html><body>a web page</body></html>", "not the Federal Register XML"),
    (b"<!DOCTYPE html><html></html>", "web page"),
    (b'{"document_number": "2023-17164"}', "this is JSON"),
    (b"%PDF-1.7\x00\x01binary", "binary file"),
    (b"<FEDREG><x/></FEDREG>", "not a Federal Register document"),
])
def test_hostile_or_wrong_files_are_refused(tmp_path, run, content, needle):
    f = tmp_path / "doc.xml"
    f.write_bytes(content)
    res = run("docket", "import", f, "--published", "2023-08-14")
    err = _one_line_error(res)
    assert str(f) in err and needle in err
    assert not user_pack_dir().exists() or not any(user_pack_dir().iterdir())


def test_oversized_file_is_refused(tmp_path, run, monkeypatch):
    monkeypatch.setattr(frimport, "MAX_INPUT_BYTES", 1000)
    f = tmp_path / "big.xml"
    f.write_bytes(b"<PRORULE>" + b"x" * 2000 + b"</PRORULE>")
    err = _one_line_error(run("docket", "import", f))
    assert "too large" in err and "big.xml" in err


def test_bad_api_json_names_file_and_line(tmp_path, run):
    m = tmp_path / "meta.json"
    m.write_text('{\n  "document_number": "2023-17164",\n  "start_page": oops\n}')
    err = _one_line_error(run("docket", "import", FR / "prorule.xml", "--meta", m))
    assert f"{m}:3" in err and "not valid JSON" in err
    m.write_text('{"document_number": "2023-17164", "start_page": "page one"}')
    err = _one_line_error(run("docket", "import", FR / "prorule.xml", "--meta", m))
    assert "start_page" in err


# ---------------------------------------------------------------------------------------------
# The command


def test_import_installs_a_pack_that_init_can_use(tmp_path, run):
    res = run("docket", "import", FR / "notice-bullets.xml", "--published", "2025-01-03")
    assert res.exit_code == 0, res.output
    assert "Could not determine" in res.stdout and "docket ID: not confirmed" in res.stdout
    dest = user_pack_dir() / "FR-2025-00123"
    text = (dest / "docket.yaml").read_text()
    assert text.startswith("# Docket pack: Request for Information")
    assert "# Not stated in the document: left empty rather than guessed.\ndocket_id: null" in text
    assert "# What the importer could not determine" in text
    assert (dest / "sources" / "notice-bullets.xml").read_bytes() == (FR / "notice-bullets.xml").read_bytes()
    listing = run("dockets", "--json")
    assert any(r["docket"]["id"] == "FR-2025-00123" and r["source"] == "user" for r in __import__("json").loads(
        listing.stdout)["dockets"])
    res = run("init", tmp_path / "c", "--docket", "FR-2025-00123", "--commenter", "Acme")
    assert res.exit_code == 0, res.output
    qs = run("questions", "--docket", "FR-2025-00123", "--json")
    data = __import__("json").loads(qs.stdout)["questions"]
    assert len(data) == 2 and all(q["wording"] == "official" for q in data)
    # the generated questionnaire offers the notice's parts as themes; plan ranks by them
    (tmp_path / "answers.yaml").write_text("themes: [other-matters]\n")
    assert run("interview", tmp_path / "c", "--answers", tmp_path / "answers.yaml").exit_code == 0
    plan = __import__("json").loads(run("plan", tmp_path / "c", "--json").stdout)
    text = __import__("json").dumps(plan)
    assert "Other Matters" in text
    levels = {q["id"]: q["level"] for q in _plan_rows(plan)}
    # a theme alone makes a question recommended (only exposure rules or a promotion make it core)
    assert levels == {"request-comments-q1": "optional", "other-matters-q1": "recommended"}
    assert run("plan", tmp_path / "c", "--promote", "other-matters-q1").exit_code == 0
    plan = __import__("json").loads(run("plan", tmp_path / "c", "--json").stdout)
    assert {q["id"]: q["level"] for q in _plan_rows(plan)}["other-matters-q1"] == "core"


def _plan_rows(plan):
    """The per-question rows of 'plan --json', whatever the envelope."""
    if isinstance(plan, list):
        return [{"id": r.get("question_id") or r.get("id"), "level": r["level"]} for r in plan]
    for key in ("questions", "priorities"):
        if key in plan:
            return _plan_rows(plan[key])
    raise AssertionError(f"unexpected plan JSON: {list(plan)}")


def test_import_refuses_to_overwrite_and_dry_run_writes_nothing(tmp_path, run):
    out = tmp_path / "FR-2025-00123"
    assert run("docket", "import", FR / "notice-bullets.xml", "--published", "2025-01-03", "--out", out,
               "--dry-run").exit_code == 0
    assert not out.exists()
    assert run("docket", "import", FR / "notice-bullets.xml", "--published", "2025-01-03", "--out", out
               ).exit_code == 0
    before = (out / "docket.yaml").read_bytes()
    err = _one_line_error(run("docket", "import", FR / "notice-bullets.xml", "--published", "2025-01-03",
                              "--out", out))
    assert "already there" in err
    assert (out / "docket.yaml").read_bytes() == before
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "letter.docx").write_bytes(b"mine")
    err = _one_line_error(run("docket", "import", FR / "notice-bullets.xml", "--published", "2025-01-03",
                              "--out", mine, "--force"))
    assert "not a docket pack" in err and (mine / "letter.docx").read_bytes() == b"mine"


def test_import_of_shipped_docket_points_to_update(run):
    err = _one_line_error(run("docket", "import", FR / "prorule.xml", "--meta", FR / "2023-17164.json"))
    assert "docket update TREAS-DO-2023-0009 --fetch" in err


def test_import_needs_a_publication_date(run):
    err = _one_line_error(run("docket", "import", FR / "notice-bullets.xml"))
    assert "publication date" in err and "--meta" in err and "--published" in err


# ---------------------------------------------------------------------------------------------
# --update: summaries replaced by official wording


@pytest.fixture
def summary_pack(tmp_path):
    dest = tmp_path / "packs" / "TREAS-DO-2023-0009"
    shutil.copytree(FR / "summary-pack", dest)
    return dest


def _update(run, folder, *extra):
    return run("docket", "import", FR / "prorule.xml", "--meta", FR / "2023-17164.json", "--update", folder, *extra)


def test_update_replaces_summaries_keeping_ids_tags_and_relevance(run, summary_pack):
    old_docket = (summary_pack / "docket.yaml").read_text()
    res = _update(run, summary_pack, "--accept-similar")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "6 summaries replaced by official text, 2 official questions added" in out
    # the review table lists every match before the report of what was written
    assert out.index("Proposed matches (6)") < out.index("Questions: 6 summaries replaced")
    assert "  cfp-1 -> Q1: by text similarity 0.69 (next best 0.14)\n      was: Revenue and expense tests" in out
    assert "kept summary  pen-1" in out
    packs.load_path.cache_clear()
    pack = packs.load_path(summary_pack)
    q = {x.id: x for x in pack.bank.questions}
    assert q["cfp-1"].number == 1 and q["cfp-1"].wording == "official"
    assert q["cfp-1"].text.startswith("How should the revenue, net income")
    assert q["cfp-1"].tags == ["definitions", "covered-foreign-person"]
    assert q["cfp-1"].relevance[0].when == "'semiconductors' in sectors"
    assert q["cfp-1"].title == "Revenue and expense tests for covered foreign persons"
    assert q["cfp-1"].pages.first == 54961 and pack.cite(q["cfp-1"]) == "88 FR 54961"
    assert pack.heading(q["know-1"]) == "Question 7 \N{EM DASH} Diligence under the knowledge standard"
    # unmatched summary stays a summary, without a number
    assert q["pen-1"].wording == "summary" and q["pen-1"].number is None and q["pen-1"].section == "compliance"
    # unmatched official questions are added; tags inherited from matched questions of their section
    assert q["ii-b-1-q4"].number == 6 and q["ii-b-1-q4"].tags == ["transactions"]
    assert q["ii-b-1-q4"].wording == "official"
    assert q["iii-q1"].number == 8 and q["iii-q1"].tags == [] and q["iii-q1"].relevance == []
    assert sorted(x.number for x in pack.bank.questions if x.number) == list(range(1, 9))
    # docket.yaml: the user's comments survive; a note and the unresolved list say what happened
    new_docket = (summary_pack / "docket.yaml").read_text()
    assert "# The notice's attention line named the office's acting director" in new_docket
    assert pack.docket.notes[0].count("official question texts imported from prorule.xml") == 1
    assert not any(u.startswith("official question numbers") for u in pack.docket.unresolved)
    assert any(u.startswith("summaries: 1 question") for u in pack.docket.unresolved)
    backups = list((summary_pack / ".backups").iterdir())
    assert len(backups) == 1 and (backups[0] / "docket.yaml").read_text() == old_docket
    # running it again changes nothing but the date note
    res = _update(run, summary_pack, "--json")
    report = __import__("json").loads(res.stdout)
    assert report["counts"]["unchanged"] == 8 and report["counts"]["matched"] == 0


def test_update_follows_the_mapping_file(run, summary_pack):
    (summary_pack / "official-map.yaml").write_text(
        "# my decisions\nmatch:\n  pen-1: 8\n  tx-1: null\n")
    res = _update(run, summary_pack, "--json")
    assert res.exit_code == 0, res.output
    packs.load_path.cache_clear()
    q = {x.id: x for x in packs.load_path(summary_pack).bank.questions}
    assert q["pen-1"].number == 8 and q["pen-1"].tags == ["penalties"]
    assert q["tx-1"].wording == "summary" and q["tx-1"].number is None
    assert q["ii-b-1-q1"].number == 3  # added, since its summary was kept
    assert (summary_pack / "official-map.yaml").read_text().startswith("# my decisions")


def test_bad_mapping_file_is_an_error_and_writes_nothing(run, summary_pack):
    (summary_pack / "official-map.yaml").write_text("match:\n  pen-1: 99\n")
    before = (summary_pack / "questions.yaml").read_bytes()
    err = _one_line_error(_update(run, summary_pack))
    assert "official-map.yaml" in err and "no such question" in err
    assert (summary_pack / "questions.yaml").read_bytes() == before
    (summary_pack / "official-map.yaml").write_text("match:\n  pen-1: [8\n")
    err = _one_line_error(_update(run, summary_pack))
    assert "official-map.yaml:" in err and "YAML syntax error" in err


def test_ambiguous_matches_are_left_alone():
    from commentkit.dockets.packmerge import merge
    from commentkit.models.docket import QuestionBank

    old = QuestionBank.model_validate({"sections": [{"id": "s", "title": "S", "wording": "summary"}], "questions": [
        {"id": "lp-1", "section": "s", "title": "Limited partner investments", "wording": "summary",
         "text": "Whether limited partner investments should be excepted."}]})
    new = QuestionBank.model_validate({"sections": [{"id": "a", "title": "A"}], "questions": [
        {"id": "q1", "number": 1, "section": "a", "title": "t", "wording": "official",
         "text": "Should limited partner investments be excepted?"},
        {"id": "q2", "number": 2, "section": "a", "title": "t", "wording": "official",
         "text": "Should limited partner investments be excepted, or not?"}]})
    res = merge(old, new)
    kinds = {c.id: c.kind for c in res.changes}
    assert kinds["lp-1"] == "ambiguous"
    assert {q.id: q.wording for q in res.bank.questions}["lp-1"] == "summary"


def test_update_never_leaves_a_half_written_pack(run, summary_pack, monkeypatch):
    from commentkit.dockets import packwrite

    before = {p.name: p.read_bytes() for p in summary_pack.iterdir() if p.is_file()}

    def boom(folder):
        raise UserError("simulated validation failure", folder)

    monkeypatch.setattr(packwrite, "_validate_folder", boom)
    err = _one_line_error(_update(run, summary_pack))
    assert "simulated" in err
    assert {p.name: p.read_bytes() for p in summary_pack.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in summary_pack.parent.iterdir()) == ["TREAS-DO-2023-0009"]


def test_update_of_document_mismatch_is_refused(run, summary_pack):
    err = _one_line_error(run("docket", "import", FR / "notice-bullets.xml", "--published", "2025-01-03",
                              "--update", summary_pack))
    assert "FR Doc. 2023-17164" in err and "2025-00123" in err


def test_update_on_the_shipped_bank_keeps_every_question(tmp_path, run):
    """Whatever the shipped summary bank holds, an update loses no question id, tag or relevance rule."""
    dest = tmp_path / "TREAS-DO-2023-0009"
    shutil.copytree(Path(packs.shipped_dir()) / "TREAS-DO-2023-0009", dest)
    old = packs.load_path(dest)
    res = _update(run, dest)
    assert res.exit_code == 0, res.output
    packs.load_path.cache_clear()
    new = packs.load_path(dest)
    new_by_id = {q.id: q for q in new.bank.questions}
    for q in old.bank.questions:
        assert q.id in new_by_id
        assert new_by_id[q.id].tags == q.tags and new_by_id[q.id].relevance == q.relevance
        if new_by_id[q.id].wording == "summary":
            assert new_by_id[q.id].number is None
    assert {q.number for q in new.bank.questions if q.number} == set(range(1, 9))


def test_numbering_that_restarts_sets_no_numbers(tmp_path):
    raw = (FR / "prorule.xml").read_text()
    raw = raw.replace("<P>3. Should convertible", "<P>1. Should convertible").replace(
        "<P>4. Please describe", "<P>2. Please describe").replace("<P>5. Comment is", "<P>3. Comment is").replace(
        "<P>6. Treasury seeks", "<P>4. Treasury seeks")
    f = tmp_path / "restart.xml"
    f.write_text(raw)
    r = frimport.build(frimport.read_document(f, f.read_bytes()),
                       overrides=frimport.Overrides(published=dt.date(2023, 8, 14)))
    assert all(q.number is None for q in r.bank.questions)
    assert r.bank.questions[2].title.startswith("No. 1: Should convertible")
    assert any("restarts its question numbering" in u for u in r.docket.unresolved)


def test_daily_issue_xml_with_document_option(tmp_path, run):
    """govinfo's bulk XML holds a whole issue; --document picks one and the issue gives the date."""
    def body(name):
        text = (FR / name).read_text()
        return text[text.index("<", text.index("-->")):]
    issue = ("<FEDREG><VOL>88</VOL><NO>155</NO><DATE>Monday, August 14, 2023</DATE><PRORULES>"
             + body("prorule.xml") + "</PRORULES><NOTICES>" + body("notice-bullets.xml") + "</NOTICES></FEDREG>")
    f = tmp_path / "FR-2023-08-14.xml"
    f.write_text(issue)
    err = _one_line_error(run("docket", "import", f))
    assert "holds 2 Federal Register documents" in err and "2023-17164, 2025-00123" in err and "--document" in err
    err = _one_line_error(run("docket", "import", f, "--document", "2099-1"))
    assert "FR Doc. 2099-1 is not in this file" in err
    notice = frimport.read_document(f, f.read_bytes(), "2023-17164")
    r = frimport.build(notice)
    fr = r.docket.federal_register
    assert (fr.volume, fr.issue, fr.publication_date) == (88, 155, dt.date(2023, 8, 14))
    assert [q.number for q in r.bank.questions] == list(range(1, 9))
