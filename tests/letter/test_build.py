"""commentkit build: the letter a lawyer signs (issue 5)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import QUESTIONS, SAMPLES, reapprove, user_pack_dir

SEMI = SAMPLES / "semiconductor-jv"
VC = SAMPLES / "vc-ai-lp"
DATE = "2023-09-27"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def build(run, project, out, *args):
    return run("build", project, "--out", out, "--date", DATE, *args)


def outputs(out: Path) -> dict[str, Path]:
    files = {}
    for p in sorted(out.iterdir()):
        if p.name.endswith("-comment-box.txt"):
            files["txt"] = p
        elif p.suffix in (".docx", ".md"):
            files[p.suffix[1:]] = p
    return files


@pytest.fixture(scope="module")
def semi_build(tmp_path_factory):
    """The semiconductor sample built once (CLI in-process) for the read-only assertions below."""
    from click.testing import CliRunner

    from commentkit.cli import cli

    out = tmp_path_factory.mktemp("semi-build")
    res = CliRunner().invoke(cli, ["build", str(SEMI), "--out", str(out), "--date", DATE], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out, res


def final_ids(sample: Path) -> list[str]:
    """Final answers of a sample, in the notice's order according to the pack."""
    from commentkit.project.folder import Project

    proj = Project.open(sample)
    return [q.id for q in proj.pack.bank.ordered()
            if q.id in proj.answers and proj.answers[q.id].meta.status == "final"]


def docx_paragraphs(path: Path):
    import docx

    d = docx.Document(str(path))
    return d, [(p.style.name, p.text) for p in d.paragraphs]


# ---- the sample letter -------------------------------------------------------------------

def test_build_writes_docx_md_and_comment_box(semi_build):
    out, res = semi_build
    files = outputs(out)
    assert set(files) == {"docx", "md", "txt"}
    assert "Comment box text:" in res.output and "of 5,000 characters" in res.output
    n = int(re.search(r"Comment box text: ([\d,]+)", res.output).group(1).replace(",", ""))
    assert n == len(files["txt"].read_text()) and n <= 5000


def test_docx_heading_sequence_and_response_order(semi_build):
    out, _ = semi_build
    d, paras = docx_paragraphs(outputs(out)["docx"])
    h1 = [t for s, t in paras if s == "Heading 1"]
    # no appendix: every row would read "summary, whole notice" (build.appendix: auto)
    assert h1 == ["Executive Summary", "Background", "General Comments", "Responses to the ANPRM’s Questions",
                  "Conclusion"]
    from commentkit.project.folder import Project

    proj = Project.open(SEMI)
    # the pack's titles, printed with typographic apostrophes
    expected = [proj.pack.heading(proj.pack.question(i)).replace("'", "\u2019") for i in final_ids(SEMI)]
    h3 = [t for s, t in paras if s == "Heading 3"]
    assert h3 == expected and len(h3) == 17
    # sections in the notice's order, each only once
    h2 = [t for s, t in paras if s == "Heading 2"]
    order = [s.title.replace("'", "\u2019") for s in proj.pack.bank.sections]
    assert h2 == sorted(h2, key=order.index) and len(h2) == len(set(h2))


def test_docx_letterhead_re_line_and_signature(semi_build):
    out, _ = semi_build
    d, paras = docx_paragraphs(outputs(out)["docx"])
    styles = [s for s, _ in paras]
    assert paras[0] == ("Letterhead", "Meridian Deposition Systems, Inc.")
    assert "2400 Scott Boulevard" in paras[1][1]
    assert ("Letter Date", "September 27, 2023") in paras
    re_line = next(t for s, t in paras if s == "Re Line")
    assert re_line.startswith("Re: Provisions Pertaining to U.S. Investments in Certain National Security")
    for part in ("Docket No.\u00a0TREAS-DO-2023-0009", "RIN\u00a01505-AC82", "88\u00a0FR\u00a054961",
                 "August 14, 2023"):  # citations do not break across lines
        assert part in re_line
    addr = next(t for s, t in paras if s == "Inside Address")
    assert "U.S. Department of the Treasury" in addr and "Washington, DC 20220" in addr
    assert ("Salutation", "Dear Ms. Sharma:") in paras  # the contact the pack names
    assert "Attention: Meena R. Sharma, Acting Director" in addr
    sig = next(t for s, t in paras if s == "Signature")
    assert "David R. Okafor" in sig and "Senior Vice President and General Counsel" in sig
    assert styles.index("Salutation") < styles.index("Heading 1") < styles.index("Signature")


def test_summary_questions_are_introduced_as_summaries_with_fr_pages(semi_build):
    out, _ = semi_build
    d, paras = docx_paragraphs(outputs(out)["docx"])
    assert not [t for s, t in paras if s == "Question"]  # a summary is never styled as a quotation
    questions = [t for s, t in paras if s == "Summary of Request"]
    labels = [t for s, t in paras if s == "Summary Label"]
    assert len(questions) == 17 and labels == ["Summary of the request (not the agency’s words)"] * 17
    for t in questions:
        assert t.startswith("The ANPRM asks, in substance, ") or t.startswith(
            "The ANPRM requests comment, in substance, on the following:")
        assert t.endswith("(88\u00a0FR\u00a054961-54972).")
        assert "“" not in t  # a summary is never put in quotation marks
    # no agency question number is claimed by a summary bank
    assert not any(t.startswith("Question ") for s, t in paras if s == "Heading 3")


def test_header_and_page_number_fields(semi_build):
    out, _ = semi_build
    path = outputs(out)["docx"]
    d, _ = docx_paragraphs(path)
    sec = d.sections[0]
    assert sec.header.paragraphs[0].text == "TREAS-DO-2023-0009 \u2014 Meridian Deposition Systems, Inc."
    with zipfile.ZipFile(path) as z:
        footers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/footer")]
    assert footers and all("PAGE" in f and "NUMPAGES" in f and 'fldCharType="begin"' in f for f in footers)
    cp = d.core_properties
    assert cp.author == "Meridian Deposition Systems, Inc."
    assert "TREAS-DO-2023-0009" in cp.title and cp.subject.startswith("Comment on Provisions")
    assert cp.created.year == 2023 and cp.created == cp.modified


def test_answers_are_bookmarked_and_file_identifies_itself(semi_build):
    out, _ = semi_build
    path = outputs(out)["docx"]
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode()
        custom = z.read("docProps/custom.xml").decode()
    names = re.findall(r'w:bookmarkStart w:id="\d+" w:name="([^"]+)"', xml)
    assert [n for n in names if n.startswith("ck_q_") and "__" not in n] == ["ck_q_" + i.replace("-", "_") for i in final_ids(SEMI)]
    assert {"ck_g_executive_summary", "ck_g_background", "ck_g_general_comments", "ck_g_conclusion"} <= set(names)
    assert 'name="commentkit.docket"' in custom and "TREAS-DO-2023-0009" in custom


def test_markdown_and_comment_box_content(semi_build):
    out, _ = semi_build
    files = outputs(out)
    md = files["md"].read_text()
    assert "### Joint ventures" in md and "# Executive Summary" in md
    assert md.index("### Front-end semiconductor manufacturing equipment") < md.index("### Joint ventures")
    box = files["txt"].read_text()
    assert box.startswith("Meridian Deposition Systems, Inc. submits the attached comments")
    assert "Align every technical term with the Export Administration Regulations" in box
    assert "**" not in box and "TREAS-DO-2023-0009" in box


def test_same_input_gives_byte_identical_files(run, tmp_path, semi_build):
    out1, _ = semi_build
    out2 = tmp_path / "again"
    assert build(run, SEMI, out2).exit_code == 0
    for kind, p in outputs(out1).items():
        assert (out2 / p.name).read_bytes() == p.read_bytes(), kind
    with zipfile.ZipFile(outputs(out1)["docx"]) as z:
        assert {i.date_time for i in z.infolist()} == {(2023, 9, 27, 0, 0, 0)}


def test_both_samples_build(run, tmp_path):
    res = build(run, VC, tmp_path)
    assert res.exit_code == 0, res.output
    d, paras = docx_paragraphs(outputs(tmp_path)["docx"])
    assert paras[0][1] == "Harborline Ventures Management, LLC"
    assert len([1 for s, _ in paras if s == "Heading 3"]) == len(final_ids(VC))


# ---- status handling, drafts, warnings ---------------------------------------------------

@pytest.fixture
def semi_copy(tmp_path):
    dest = tmp_path / "semi"
    shutil.copytree(SEMI, dest, ignore=shutil.ignore_patterns("build", ".commentkit"))
    return dest


def set_status(root: Path, qid: str, status: str) -> None:
    p = root / "answers" / f"{qid}.md"
    p.write_text(re.sub(r"(?m)^status: \w+$", f"status: {status}", p.read_text(), count=1))


def test_only_final_answers_appear_and_draft_marks_the_rest(run, semi_copy, tmp_path):
    set_status(semi_copy, "cov-tx-4", "review")
    set_status(semi_copy, "exc-5", "skipped")
    res = build(run, semi_copy, tmp_path / "final")
    assert res.exit_code == 0
    assert "1 answer(s) not final and left out (cov-tx-4)" in res.stderr
    _, paras = docx_paragraphs(outputs(tmp_path / "final")["docx"])
    heads = [t for s, t in paras if s == "Heading 3"]
    assert "Joint ventures" not in heads and "Intracompany transfers" not in heads and len(heads) == 15

    res = build(run, semi_copy, tmp_path / "draft", "--draft")
    assert res.exit_code == 0
    files = outputs(tmp_path / "draft")
    assert files["docx"].name.endswith("-DRAFT.docx")
    d, paras = docx_paragraphs(files["docx"])
    heads = [t for s, t in paras if s == "Heading 3"]
    assert "Joint ventures" in heads and "Intracompany transfers" not in heads  # skipped never appears
    i = [t for s, t in paras].index("Joint ventures")
    assert ("Draft Mark", "DRAFT (review, E. Castellano)") in paras[i:i + 4]
    assert sum(1 for s, _ in paras if s == "Draft Mark") == 1
    assert d.sections[0].header.paragraphs[0].text.startswith("DRAFT \u2014 NOT FOR FILING")
    assert "DRAFT" in d.sections[0].first_page_header.paragraphs[0].text


def test_project_without_questionnaire_still_builds_with_warnings(run, project, tmp_path):
    (project / "answers" / "def-1.md").write_text("---\nquestion: def-1\nstatus: final\n---\nWe agree.\n")
    res = build(run, project, tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert "no questionnaire answers" in res.stderr and "no executive summary" in res.stderr
    _, paras = docx_paragraphs(outputs(tmp_path / "o")["docx"])
    assert paras[0] == ("Letterhead", "Acme Corp.")
    assert "We agree." in [t for _, t in paras]


def test_comment_box_over_limit_is_refused_not_truncated(run, semi_copy, tmp_path):
    es = semi_copy / "general" / "executive-summary.md"
    es.write_text(es.read_text() + "\n" + ("Further detail on our recommendations. " * 150) + "\n")
    reapprove(es)
    res = build(run, semi_copy, tmp_path / "o")
    assert res.exit_code == 1
    m = re.search(r"comment-box text is ([\d,]+) characters, ([\d,]+) over regulations.gov's 5,000", res.stderr)
    assert m and int(m.group(1).replace(",", "")) > 5000
    assert "nothing is truncated" in res.stderr
    files = outputs(tmp_path / "o")
    assert "txt" not in files and "docx" in files  # the letter itself is still written


def test_bad_format_and_missing_reference_are_one_line_errors(run, semi_copy, tmp_path):
    res = build(run, semi_copy, tmp_path / "o", "--format", "pdf")
    assert res.exit_code == 2 and "unknown format pdf" in res.stderr and "Traceback" not in res.output
    res = build(run, semi_copy, tmp_path / "o", "--reference-docx", tmp_path / "nope.docx")
    assert res.exit_code == 2 and "reference Word file not found" in res.stderr
    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip")
    res = build(run, semi_copy, tmp_path / "o", "--reference-docx", bad)
    assert res.exit_code == 2 and "not a Word .docx file" in res.stderr and len(res.stderr.splitlines()) == 1


# ---- provenance with an official, numbered question -------------------------------------------

def _install_official_pack(pack_copy: Path, confidential: bool = False) -> None:
    q = pack_copy / "questions.yaml"
    text = q.read_text()
    text = text.replace("  - id: def-1\n", "  - id: def-1\n    number: 12\n", 1)
    start = text.index("  - id: def-1\n")
    nxt = text.index("  - id:", start + 5)
    block = text[start:nxt].replace("wording: summary", "wording: official", 1)
    text = text[:start] + block + text[nxt:]
    q.write_text(text)
    if confidential:
        d = pack_copy / "docket.yaml"
        d.write_text(d.read_text().replace("confidential_submissions: false", "confidential_submissions: true"))
    dest = user_pack_dir() / pack_copy.name
    shutil.copytree(pack_copy, dest)
    from commentkit.dockets import catalog as packs

    packs.load_path.cache_clear()


def test_official_numbered_question_is_quoted_as_the_agency_s_words(run, pack_copy, project, tmp_path):
    _install_official_pack(pack_copy)
    (project / "answers" / "def-1.md").write_text("---\nquestion: def-1\nstatus: final\n---\nMeasure annually.\n")
    res = build(run, project, tmp_path / "o")
    assert res.exit_code == 0, res.output
    _, paras = docx_paragraphs(outputs(tmp_path / "o")["docx"])
    i = [t for _, t in paras].index("Question 12 \u2014 Revenue and expense tests for covered foreign persons")
    assert paras[i][0] == "Heading 3"
    assert paras[i + 1] == ("Question Intro", "The ANPRM asks (88\u00a0FR\u00a054961-54972):")
    assert paras[i + 2][0] == "Question" and paras[i + 2][1].startswith("“Whether the proposed tests")
    assert paras[i + 2][1].endswith("”")


# ---- confidential passages -------------------------------------------------------------------

SECRET = "our 2022 PRC revenue was $41.7 million"


def test_bci_public_and_confidential_versions(run, pack_copy, project, tmp_path):
    _install_official_pack(pack_copy, confidential=True)
    (project / "answers" / "def-1.md").write_text(
        f"---\nquestion: def-1\nstatus: final\n---\nThe test is too broad; [[BCI]]{SECRET}[[/BCI]], a small share.\n")
    res = build(run, project, tmp_path / "o")
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (tmp_path / "o").iterdir())
    assert any(n.endswith("-public.docx") for n in names) and any(n.endswith("-confidential.docx") for n in names)
    pub = next(p for p in (tmp_path / "o").iterdir() if p.name.endswith("-public.docx"))
    conf = next(p for p in (tmp_path / "o").iterdir() if p.name.endswith("-confidential.docx"))
    with zipfile.ZipFile(pub) as z:
        for n in z.namelist():
            assert b"41.7" not in z.read(n), n
    _, paras = docx_paragraphs(pub)
    assert any("[BUSINESS CONFIDENTIAL INFORMATION REDACTED]" in t for _, t in paras)
    d, paras = docx_paragraphs(conf)
    assert any(f"[[{SECRET}]]" in t for _, t in paras)
    assert d.sections[0].header.paragraphs[0].text.startswith("BUSINESS CONFIDENTIAL")
    assert d.sections[0].first_page_header.paragraphs[0].text.startswith("BUSINESS CONFIDENTIAL")
    pub_md = next(p for p in (tmp_path / "o").iterdir() if p.name.endswith("-public.md")).read_text()
    assert "41.7" not in pub_md and "REDACTED" in pub_md
    assert not any(n.endswith("-confidential-comment-box.txt") for n in names)


def test_bci_printed_plainly_when_docket_takes_no_confidential_material(run, project, tmp_path):
    (project / "answers" / "def-1.md").write_text(
        f"---\nquestion: def-1\nstatus: final\n---\nThe test is too broad; [[BCI]]{SECRET}[[/BCI]].\n")
    res = build(run, project, tmp_path / "o")
    assert res.exit_code == 0
    assert "does not accept confidential material" in res.stderr
    _, paras = docx_paragraphs(outputs(tmp_path / "o")["docx"])
    assert f"The test is too broad; {SECRET}." in [t for _, t in paras]


# ---- hard text -------------------------------------------------------------------------------

def test_control_characters_cjk_rtl_and_long_answers_make_a_valid_document(run, project, tmp_path):
    body = ("Bell\x07 and form\x0cfeed; vertical\x0btab; escape\x1b gone.\n\n"
            "中文：半导体设备的合资企业。\n\n"
            "עברית: השקעה חוצה גבולות. العربية: الاستثمار الخارجي.\n\n"
            + "\n\n".join(f"Paragraph {i} " + "word " * 200 for i in range(120)))
    (project / "answers" / "def-1.md").write_text(f"---\nquestion: def-1\nstatus: final\n---\n{body}\n")
    res = build(run, project, tmp_path / "o")
    assert res.exit_code == 0, res.output
    _, paras = docx_paragraphs(outputs(tmp_path / "o")["docx"])
    texts = [t for _, t in paras]
    assert "Bell and form feed; vertical tab; escape gone." in texts
    assert "中文：半导体设备的合资企业。" in texts
    assert "עברית: השקעה חוצה גבולות. العربية: الاستثمار الخارجي." in texts
    assert sum(1 for t in texts if t.startswith("Paragraph ")) == 120
    d, _ = docx_paragraphs(outputs(tmp_path / "o")["docx"])
    rtl = next(p for p in d.paragraphs if p.text.startswith("עברית"))
    cjk = next(p for p in d.paragraphs if p.text.startswith("中文"))
    assert rtl._p.pPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}bidi") is not None
    assert cjk._p.pPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}bidi") is None


def test_markdown_structures_reach_word(run, project, tmp_path):
    body = ("Intro with **bold**, _italic_ and a [link](https://home.treasury.gov).[^n]\n\n"
            "1. first\n2. second\n   - nested\n\n3. third\n\n> quoted text\n\n"
            "| A | B |\n|---|---|\n| 1 | 2 |\n\n[^n]: A footnote.\n")
    (project / "answers" / "def-1.md").write_text(f"---\nquestion: def-1\nstatus: final\n---\n{body}")
    assert build(run, project, tmp_path / "o").exit_code == 0
    path = outputs(tmp_path / "o")["docx"]
    d, paras = docx_paragraphs(path)
    assert ("List Number", "first") in paras and ("List Bullet", "nested") in paras
    assert ("Quote", "quoted text") in paras
    assert d.tables[0].cell(1, 1).text == "2"
    with zipfile.ZipFile(path) as z:
        notes = z.read("word/footnotes.xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert "A footnote." in notes and "https://home.treasury.gov" in rels
    intro = next(p for p in d.paragraphs if p.text.startswith("Intro with"))
    assert any(r.bold and r.text == "bold" for r in intro.runs)
    assert any(r.italic and r.text == "italic" for r in intro.runs)


# ---- reference documents ---------------------------------------------------------------------

def test_shipped_reference_docx_is_what_the_generator_makes():
    from commentkit.letter.writers.reference import reference_bytes

    assert (QUESTIONS.parent / "templates" / "reference.docx").read_bytes() == reference_bytes()


def test_reference_docx_supplies_styles_and_letterhead(run, semi_copy, tmp_path):
    import docx
    from docx.shared import Pt

    ref = docx.Document()
    ref.styles["Normal"].font.name = "Arial"
    ref.styles["Normal"].font.size = Pt(11)
    ref.sections[0].header.paragraphs[0].text = "MERIDIAN LETTERHEAD"
    ref.add_paragraph("body text of the reference is not copied")
    ref_path = tmp_path / "ref.docx"
    ref.save(str(ref_path))
    res = build(run, semi_copy, tmp_path / "o", "--reference-docx", ref_path)
    assert res.exit_code == 0, res.output
    d, paras = docx_paragraphs(outputs(tmp_path / "o")["docx"])
    assert d.styles["Normal"].font.name == "Arial"
    assert "Letterhead" in [s.name for s in d.styles]  # missing letter styles are added
    header_text = "\n".join(p.text for p in d.sections[0].header.paragraphs)
    assert "MERIDIAN LETTERHEAD" in header_text and "TREAS-DO-2023-0009" in header_text
    # the letterhead shows on the first page too: one header for every page
    assert not d.sections[0].different_first_page_header_footer
    assert not any("body text of the reference" in t for _, t in paras)


def test_reference_docx_with_other_namespace_prefixes(run, semi_copy, tmp_path, semi_build):
    # Word always writes w: and r:, but XML allows any prefix: the writer then cannot splice its
    # body text into document.xml and moves the elements in instead; the letter is the same
    import re as _re

    src = QUESTIONS.parent / "templates" / "reference.docx"
    ref_path = tmp_path / "prefixed.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(ref_path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                text = _re.sub(r"(</?)w:", r"\1wx:", text)
                text = _re.sub(r"(\s)w:(\w+=)", r"\1wx:\2", text).replace("xmlns:w=", "xmlns:wx=")
                assert "<wx:body" in text and "<w:" not in text
                data = text.encode("utf-8")
            zout.writestr(item, data)
    res = build(run, semi_copy, tmp_path / "o", "--reference-docx", ref_path)
    assert res.exit_code == 0, res.output
    _, paras = docx_paragraphs(outputs(tmp_path / "o")["docx"])
    _, expected = docx_paragraphs(outputs(semi_build[0])["docx"])
    assert [t for _, t in paras] == [t for _, t in expected]
    with zipfile.ZipFile(outputs(tmp_path / "o")["docx"]) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "<wx:body" in xml and "commentkit:body" not in xml


# ---- LibreOffice -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def semi_pdf(tmp_path_factory):
    """The sample letter converted to PDF by LibreOffice, once per test session."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    from click.testing import CliRunner

    from commentkit.cli import cli

    out = tmp_path_factory.mktemp("lo")
    res = CliRunner().invoke(cli, ["build", str(SEMI), "--out", str(out), "--date", DATE, "--format", "docx"])
    assert res.exit_code == 0, res.output
    src = outputs(out)["docx"]
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(src)], check=False, capture_output=True, timeout=180)
    pdf = src.with_suffix(".pdf")
    return pdf


def pdf_pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        return int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def test_libreoffice_renders_the_sample_letter(semi_pdf):
    assert semi_pdf.is_file(), "LibreOffice did not produce a PDF"
    assert 10 <= pdf_pages(semi_pdf) <= 25
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(semi_pdf), "-"], capture_output=True, text=True).stdout
        assert "Page 1 of" in text and "TREAS-DO-2023-0009" in text and "Respectfully submitted," in text


def test_project_template_folder_reference_docx_is_used(run, semi_copy, tmp_path):
    import docx

    ref = docx.Document()
    ref.styles["Normal"].font.name = "Garamond"
    (semi_copy / "templates").mkdir(exist_ok=True)
    ref.save(str(semi_copy / "templates" / "reference.docx"))
    assert build(run, semi_copy, tmp_path / "o", "--format", "docx").exit_code == 0
    d, _ = docx_paragraphs(outputs(tmp_path / "o")["docx"])
    assert d.styles["Normal"].font.name == "Garamond"


def test_no_public_version_banner_when_nothing_is_redacted(tmp_path, pack_copy):
    """A docket that accepts confidential material, but a letter with no [[BCI]] passage: one plain
    letter, no 'PUBLIC VERSION' banner claiming redactions that do not exist."""
    import shutil

    from commentkit.dockets import catalog as packs
    from commentkit.letter.assemble import default_versions
    from commentkit.project.folder import Project
    from tests.conftest import SAMPLES, user_pack_dir

    dest = user_pack_dir() / "TREAS-DO-2023-0009"
    shutil.copytree(pack_copy, dest)
    f = dest / "docket.yaml"
    f.write_text(f.read_text().replace("confidential_submissions: false", "confidential_submissions: true"))
    packs.load_path.cache_clear()
    root = tmp_path / "p"
    shutil.copytree(SAMPLES / "semiconductor-jv", root, ignore=shutil.ignore_patterns("build", ".commentkit"))
    proj = Project.open(root)
    assert proj.pack.docket.confidential_submissions
    assert default_versions(proj) == ["plain"]
    ans = next(iter(sorted(p for p in (root / "answers").glob("*.md"))))
    ans.write_text(ans.read_text().rstrip() + " Our margin is [[BCI]]12 percent[[/BCI]].\n")
    reapprove(ans)
    assert default_versions(Project.open(root)) == ["public", "confidential"]


def test_output_file_name_is_cut_at_a_word_boundary():
    from types import SimpleNamespace

    from commentkit.build import output_base

    proj = SimpleNamespace(pack=SimpleNamespace(docket=SimpleNamespace(docket_id="TREAS-DO-2023-0009", id="x")),
                           commenter_name="Council for Advanced Technology Investment")
    assert output_base(proj, "plain", True) == "TREAS-DO-2023-0009-council-for-advanced-technology-DRAFT"
    proj.commenter_name = "Acme Corp."
    assert output_base(proj, "public", False) == "TREAS-DO-2023-0009-acme-corp-public"
    proj.commenter_name = "X" * 60
    assert output_base(proj, "plain", False) == "TREAS-DO-2023-0009-" + "x" * 40
