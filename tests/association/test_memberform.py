"""The member template as a fillable Word form (issue 13).

The form is built from the sample association and filled programmatically the way Word stores
filled values (samples/association/make_forms.py: typed runs and paragraphs, ticked check-box
content controls). Three copies are read back: filled directly; re-saved through LibreOffice
headless *before* filling; and re-saved through LibreOffice *after* filling. One soffice run,
shared by the whole session, does both conversions.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypo import examples

from commentkit.errors import UserError
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "association"


def _load_filler():
    spec = importlib.util.spec_from_file_location("make_forms", SAMPLE / "make_forms.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


fill = _load_filler().fill


def invoke(*args):
    from commentkit.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def sample_template():
    from commentkit.association import settings as association
    from commentkit.association import template as association_template
    from commentkit.project.folder import Project

    assoc = Project.open(SAMPLE / "assoc")
    return association_template.build(assoc, association.load(assoc.root, assoc.pack))


RICH = [
    ["Zephyr has ", ("one", "b"), " joint venture in Wuxi, formed in 2019."],
    ["Our partner contributes ", ("land and local staff", "i"), "; we contribute:"],
    ("bullet", "process know-how for mature nodes"),
    ("bullet", ["a ", ("minority", "b"), " equity stake"]),
    ("number", "first, a prohibition would force a sale;"),
    ("number", "second, a notification would be workable."),
    ["See ", ("link", "our filing", "https://zephyr.example.com/filing"), " for details."],
]
RICH_MD = ("Zephyr has **one** joint venture in Wuxi, formed in 2019.\n\n"
           "Our partner contributes _land and local staff_; we contribute:\n\n"
           "- process know-how for mature nodes\n- a **minority** equity stake\n\n"
           "1. first, a prohibition would force a sale;\n2. second, a notification would be workable.\n\n"
           "See [our filing](https://zephyr.example.com/filing) for details.")
VALUES = {
    "ck_m_name": "Zephyr Devices Corp.", "ck_m_id": "M-077",
    "ck_c_us_person_1": True, "ck_c_sectors_1": True, "ck_c_sectors_3": True,
    "ck_c_semi_activities_2": True, "ck_c_semi_activities_5": True, "ck_c_ai_activities_3": True,
    "ck_c_coc_countries_1": True, "ck_c_coc_links_2": True, "ck_c_coc_links_4": "X",
    "ck_c_transaction_types_1": True, "ck_c_transaction_types_4": True,
    "ck_j_cov_tx_4_1": True, "ck_j_exc_3_2": True, "ck_j_know_2_2": "strike", "ck_k_quote_1": True,
    "ck_r_name": "Pat Lee, Deputy General Counsel", "ck_m_aliases": "Zephyr; ZPHR",
    "ck_n_exc_3": "We would cap the exception at $5 million.",
    "ck_a_cov_tx_4": RICH,
    "ck_a_burden_1": "About $300,000 a year.",
}
EDITS = {"ck_p_exc_3": "Treasury should except limited partner investments in pooled investment funds below "
                       "$5 million. A limited partner has no control over the fund's investment decisions.",
         "ck_p_know_2": "The diligence expected of U.S. persons should be a reasonable, risk-based inquiry."}
STRAY = ["Please call our GC before quoting us."]


@pytest.fixture(scope="session")
def forms(tmp_path_factory):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from commentkit.association import form as memberform

    tpl = sample_template()
    d = tmp_path_factory.mktemp("forms")
    blank = memberform.write(tpl)
    (d / "in").mkdir()
    (d / "in" / "blank.docx").write_bytes(blank)
    (d / "in" / "filled.docx").write_bytes(fill(blank, VALUES, position_edits=EDITS, stray=STRAY))
    # one LibreOffice run converts both: the blank form (filled afterwards) and the filled one
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{d}/lo-profile", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(d / "lo"), str(d / "in" / "blank.docx"),
                    str(d / "in" / "filled.docx")], check=True, capture_output=True, timeout=240)
    lo_blank = (d / "lo" / "blank.docx").read_bytes()
    (d / "lo-then-filled.docx").write_bytes(fill(lo_blank, VALUES, position_edits=EDITS, stray=STRAY))
    return {"tpl": tpl, "dir": d, "blank": d / "in" / "blank.docx",
            "variants": {"direct": d / "in" / "filled.docx", "resaved-before-filling": d / "lo-then-filled.docx",
                         "resaved-after-filling": d / "lo" / "filled.docx"}}


# ---- the form as written -----------------------------------------------------------------------------

def test_form_looks_like_a_lawyers_document(forms):
    import docx

    d = docx.Document(str(forms["blank"]))
    texts = [p.text for p in d.paragraphs]
    assert "Member Response Form" in texts and "Council for Advanced Technology Investment" in texts
    cover = [c.text for t in d.tables[:1] for r in t.rows for c in r.cells]
    for want in ("Department of the Treasury", "TREAS-DO-2023-0009", "1505-AC82",
                 "88 FR 54961 (August 14, 2023); FR Doc. 2023-17164",
                 "Thursday, September 28, 2023, 23:59 (America/New_York)",
                 "Please return this form by", "Friday, September 15, 2023", "policy@cati.example.org"):
        assert want in cover, want
    assert any("CATI treats each member's response as confidential" in t for t in texts)
    part1 = " ".join(c.text for t in d.tables[1:2] for r in t.rows for c in r.cells)
    assert "Only if you ticked \u201cSemiconductors and microelectronics\u201d above." in part1
    assert any("quotes a member's input in its comment only if the member says so" in t for t in texts)
    assert "May we quote you?" in part1 and "May we name you?" in part1 and "Contact person for this response" in part1
    heads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert heads[heads.index("Part 2. The TREAS-DO-2023-0009 questions CATI asks about") + 1:] == [
        "Joint ventures", "Excepting limited partner investments and any threshold",
        "Diligence expected of U.S. persons", "Number and cost of notifications", "Cost and burden of compliance"]
    # provenance exactly as the letter shows it: summaries are introduced as summaries, with FR pages
    assert any(t.startswith("The ANPRM asks, in substance, whether and under what conditions limited partner")
               and "(88\u00a0FR\u00a054961-54972)" in t for t in texts)
    assert "PAGE" in d.sections[0].footer._element.xml and "NUMPAGES" in d.sections[0].footer._element.xml
    assert d.core_properties.keywords.startswith("commentkit-member-form template=cati-outbound-2023 version=1")


def test_form_fields_are_bookmarks_and_checkboxes(forms):
    from commentkit.association import form as memberform

    fc = memberform.open_form(forms["blank"])
    assert fc.identity["commentkit.template"] == "cati-outbound-2023"
    assert {"ck_m_name", "ck_m_id", "ck_c_us_person_2", "ck_c_sectors_1", "ck_p_exc_3", "ck_j_exc_3_2", "ck_n_exc_3",
            "ck_a_cov_tx_4", "ck_a_burden_1", "ck_form_id", "ck_m_aliases", "ck_r_name", "ck_r_email",
            "ck_k_quote_1", "ck_k_quote_2", "ck_k_name_1", "ck_k_name_2"} <= set(fc.fields)
    xml = zipfile.ZipFile(forms["blank"]).read("word/document.xml").decode()
    assert xml.count("<w14:checkbox>") == sum(len(it.choices) if it.type != "yesno" else 2
                                               for it in forms["tpl"].items) + 2 * 3 + 2 * 2  # + consent
    assert 'w:fill="EDEDED"' in xml  # locked positions shaded


def test_form_carries_its_template_even_after_libreoffice(forms):
    from commentkit.association import form as memberform

    for path in [forms["blank"], *forms["variants"].values()]:
        tpl = memberform.embedded_template(path)
        assert tpl is not None and tpl.label == "cati-outbound-2023 version 1", path
        assert tpl.positions_checksum == forms["tpl"].positions_checksum


# ---- reading back ------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["direct", "resaved-before-filling", "resaved-after-filling"])
def test_every_value_survives(forms, variant):
    from commentkit.association import form as memberform

    m = memberform.read(forms["variants"][variant], forms["tpl"])
    assert (m.name, m.member_id, m.kind) == ("Zephyr Devices Corp.", "M-077", "form")
    assert m.profile == {
        "us_person": True, "sectors": ["semiconductors", "ai"],
        "semi_activities": ["fe_equipment", "advanced_packaging"], "ai_activities": ["ai_other"],
        "coc_countries": ["prc"], "coc_links": ["joint_ventures", "suppliers"],
        "transaction_types": ["equity", "joint_venture"]}
    assert m.answers == {"cov-tx-4": RICH_MD, "burden-1": "About $300,000 a year."}
    exc3 = m.stances["exc-3"]
    assert exc3.agree is False and exc3.note == "We would cap the exception at $5 million."
    assert exc3.position.startswith("Treasury should except limited partner investments in pooled investment "
                                    "funds below $5 million.")
    assert m.stances["cov-tx-4"].agree is True
    assert m.stances["cov-tx-4"].position == forms["tpl"].question("cov-tx-4").position  # unchanged
    assert m.stances["know-2"].position == EDITS["ck_p_know_2"]
    assert m.stances["know-2"].agree is True  # "No" struck through: joins
    assert (m.respondent.may_quote, m.respondent.may_name) == (True, None)
    assert m.respondent.contact_name == "Pat Lee, Deputy General Counsel"
    assert m.respondent.aliases == ["Zephyr", "ZPHR"]
    assert [p.format() for p in m.problems] == ["form: text typed outside any field: "
                                                "'Please call our GC before quoting us.'"]


def test_collect_treats_forms_like_any_member(forms, tmp_path):
    root = tmp_path / "association"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("collected", "build", ".commentkit"))
    shutil.copy(forms["variants"]["resaved-after-filling"], root / "members" / "zephyr.docx")
    res = invoke("collect", root / "assoc", root / "members", "--json", "--today", "2023-09-20")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    row = next(r for r in data["members"] if r["name"] == "Zephyr Devices Corp.")
    assert row["kind"] == "form" and row["required_filled"] == 4 and row["questions_answered"] == 2
    assert row["on_roster"] is False
    dis = {(d["question"], d["member"]) for d in data["disagreements"]}
    comp = {e["member"]: e for q in data["compilation"] if q["question"] == "exc-3" for e in q["entries"]}
    zephyr = next(e for e in comp.values() if e["note"] == "We would cap the exception at $5 million.")
    assert zephyr["disagrees"] and zephyr["changed_locked"] and ("exc-3", zephyr["member"]) in dis
    assert "{+below $5 million.+}" in zephyr["diff"]
    know2 = next(q for q in data["compilation"] if q["question"] == "know-2")
    assert any(e["proposed"] == EDITS["ck_p_know_2"] and not e["disagrees"] for e in know2["entries"])
    md = (root / "assoc" / "collected" / "compilation.md").read_text()
    assert "- a **minority** equity stake" in md and "[our filing](https://zephyr.example.com/filing)" in md
    sectors = next(t for t in data["aggregates"]["tables"] if t["item"] == "sectors")
    counts = {c["label"]: c["count"] for c in sectors["cells"]}
    assert counts["Semiconductors and microelectronics"] == 6
    assert counts["Artificial intelligence systems"] is None  # 7 of 9: the 2 without could be worked out


def test_sample_returned_forms_are_collected(tmp_path):
    """The two Word forms in the sample: in the tracker, the aggregates and the compilation;
    Ironwood's edit of the locked position is reported with a diff."""
    root = tmp_path / "association"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("collected", "build", ".commentkit"))
    res = invoke("collect", root / "assoc", root / "members", "--today", "2023-09-20")
    assert res.exit_code == 0, res.output
    assert "disagreement on exc-3: Ironwood Analytics (Member" in res.output
    tracker = (root / "assoc" / "collected" / "tracker.md").read_text()
    assert "| Harbinger Robotics | form | 2023-09-13 15:45 EDT |" in tracker
    assert "| Ironwood Analytics | form | 2023-09-15 17:10 EDT |" in tracker
    assert "text typed outside any field: \"Note from Ironwood's GC: please call me before quoting us.\"" in tracker
    comp = (root / "assoc" / "collected" / "compilation.md").read_text()
    assert "[-from the program.-] {+below $5 million.+}" in comp
    assert "Harbinger has **one** joint venture in Shenzhen" in comp
    data = json.loads((root / "assoc" / "collected" / "collect.json").read_text())
    assert data["responses"] == 8


def test_answers_validated_like_interview_answers(forms, tmp_path):
    from commentkit.association import form as memberform
    from commentkit.association.collect import gather

    raw = forms["blank"].read_bytes()
    bad = tmp_path / "bad.docx"
    bad.write_bytes(fill(raw, {"ck_m_name": "Yarrow LLC", "ck_c_us_person_1": True, "ck_c_us_person_2": True,
                               "ck_c_coc_countries_1": True, "ck_c_coc_countries_4": True,
                               "ck_c_transaction_types_2": True}))
    m = memberform.read(bad, forms["tpl"])
    assert "us_person: more than one box ticked (yes, no); only one may be" in [p.format() for p in m.problems]
    from commentkit.dockets import catalog as packs

    col = gather([bad], forms["tpl"], packs.load("TREAS-DO-2023-0009").interview)
    probs = [p.format() for p in col.members[0].problems]
    assert "sectors: required item left empty" in probs
    assert "us_person: required item left empty" in probs
    assert any(p.startswith("coc_countries: 'None' cannot be combined") for p in probs)


def test_empty_company_name_is_reported_and_file_name_used(forms, tmp_path):
    from commentkit.association import form as memberform

    path = tmp_path / "unnamed-member.docx"
    path.write_bytes(fill(forms["blank"].read_bytes(), {"ck_a_burden_1": "Small."}))
    m = memberform.read(path, forms["tpl"])
    assert m.name == "unnamed-member" and m.answers == {"burden-1": "Small."}
    assert "company: company name left empty; listed under the file name 'unnamed-member'" in [
        p.format() for p in m.problems]


@pytest.mark.parametrize("change, message", [
    (lambda t: t.model_copy(update={"template": t.template.model_copy(update={"id": "other-2023"})}),
     "answers template 'other-2023', not this association's 'cati-outbound-2023'"),
    (lambda t: t.model_copy(update={"template": t.template.model_copy(update={"version": 2})}),
     "answers version 2 of template 'cati-outbound-2023', newer than the association's current version 1"),
    (lambda t: t.model_copy(update={"docket": t.docket.model_copy(update={"id": "FR-2024-13923"})}),
     "answers docket FR-2024-13923, not TREAS-DO-2023-0009"),
    (lambda t: t.model_copy(update={"positions_checksum": "0" * 32}),
     "was made from another edition of template 'cati-outbound-2023' (version 1, other locked positions)"),
])
def test_form_for_another_template_is_refused_saying_which(forms, tmp_path, change, message):
    from commentkit.association import form as memberform

    other = change(forms["tpl"])
    path = tmp_path / "other.docx"
    path.write_bytes(memberform.write(other))
    with pytest.raises(UserError) as exc:
        memberform.read(path, forms["tpl"])
    assert message in exc.value.message


def test_init_from_form(forms, tmp_path):
    res = invoke("init", tmp_path / "zephyr", "--from-form", forms["variants"]["resaved-after-filling"])
    assert res.exit_code == 0, res.output
    assert "text typed outside any field" in res.output
    from commentkit.association import responses as members

    m = members.load_project(tmp_path / "zephyr")
    assert m.name == "Zephyr Devices Corp." and m.member_id == "M-077"
    assert m.answers == {"cov-tx-4": RICH_MD, "burden-1": "About $300,000 a year."}
    assert m.stances["exc-3"].agree is False and "below $5 million" in m.stances["exc-3"].position
    assert m.profile["sectors"] == ["semiconductors", "ai"]
    res = invoke("build", tmp_path / "zephyr", "--draft", "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    md = next((tmp_path / "out").glob("*.md")).read_text()
    assert "Zephyr Devices Corp. (“Zephyr”) respectfully submits" in md
    assert "Zephyr is a member of the Council for Advanced Technology Investment" in md
    assert "- a **minority** equity stake" in md


# ---- untrusted input ------------------------------------------------------------------------------------

def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v)
    return buf.getvalue()


def _parts(path: Path) -> dict[str, bytes]:
    z = zipfile.ZipFile(path)
    return {n: z.read(n) for n in z.namelist()}


def _bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(130):
                fh.write(chunk)


@pytest.mark.parametrize("make, message", [
    (lambda p, f: p.write_bytes(b"not a zip at all" * 10), "not a Word .docx file"),
    (lambda p, f: _bomb(p), "refused (zip bomb?)"),
    (lambda p, f: p.write_bytes(_zip({**_parts(f), "word/document.xml":
                                       b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM '
                                       b'"file:///etc/passwd">]><w:document xmlns:w="http://schemas.openxmlformats'
                                       b'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&x;</w:t></w:r>'
                                       b'</w:p></w:body></w:document>'})), "word/document.xml declares a D"),  # DTD/DOCTYPE
    (lambda p, f: p.write_bytes(_zip({**_parts(f), "word/document.xml": b"<w:document"})), "is not valid XML"),
    (lambda p, f: p.write_bytes(_zip({k: v for k, v in _parts(f).items() if not k.startswith("docProps")
                                      and not k.startswith("customXml")} | {
        "word/document.xml": b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                             b'<w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>'})),
     "not a commentkit member form"),
])
def test_untrusted_forms_are_refused_cleanly(forms, tmp_path, make, message):
    path = tmp_path / "returned.docx"
    make(path, forms["blank"])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    res = invoke("init", tmp_path / "m", "--from-form", path)
    assert res.exit_code == 2, res.output
    assert message in res.output and str(path) in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not (tmp_path / "m").exists()


def test_fuzzed_forms_give_one_line_errors_or_a_response(forms, tmp_path):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from commentkit.association import form as memberform

    parts = _parts(forms["variants"]["direct"])
    doc = parts["word/document.xml"]
    path = tmp_path / "fuzz.docx"
    tpl = forms["tpl"]

    @settings(max_examples=examples(1000), deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.integers(0, len(doc) - 1), st.integers(1, 64),
           st.sampled_from([b"", b"<", b">", b"&", b"\x00", b"<w:p>", b"</w:tc>", b'w:name="ck_a_exc_3"',
                            b"<!DOCTYPE x>", b"\xff\xfe", b'w14:val="1"']))
    def run(pos, cut, insert):
        data = doc[:pos] + insert + doc[pos + cut:]
        path.write_bytes(_zip({**parts, "word/document.xml": data}))
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        try:
            memberform.read(path, tpl)
        except UserError as exc:
            assert "\n" not in exc.format().strip()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before

    run()


def test_number_and_date_fields(forms, tmp_path):
    """Numbers are typed text validated like the interview; a date picked in Word's calendar is
    stored as w:fullDate, a date typed by hand is read in the usual formats, and a bad one is
    reported by member and item."""
    from commentkit.association import form as memberform
    from commentkit.association.responses import validate_profile
    from commentkit.models.interview import Interview, Item

    tpl = forms["tpl"]
    extra = [Item(id="annual_transactions", prompt="How many transactions a year?", type="number"),
             Item(id="signed_on", prompt="Date of this response", type="date"),
             Item(id="first_deal", prompt="Date of your first covered transaction", type="date")]
    t2 = tpl.model_copy(update={"items": [*tpl.items, *extra]})
    blank = memberform.write(t2)
    path = tmp_path / "dates.docx"
    path.write_bytes(fill(blank, {"ck_m_name": "Dates Inc.", "ck_i_annual_transactions": "1,200",
                                  "ck_i_signed_on": "2023-09-14"}))
    m = memberform.read(path, t2)
    assert m.profile["annual_transactions"] == "1,200" and m.profile["signed_on"] == "2023-09-14"
    interview = Interview(items=[*t2.items])
    values, problems = validate_profile(m.profile, interview, [])
    assert values["annual_transactions"] == 1200 and str(values["signed_on"]) == "2023-09-14"
    # typed by hand into the date box (no calendar): usual formats are read, nonsense is reported
    fc_xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert 'w:fullDate="2023-09-14T00:00:00Z"' in fc_xml
    bad = tmp_path / "bad-dates.docx"
    raw = fill(blank, {"ck_m_name": "Dates Inc.", "ck_i_annual_transactions": "about forty"})
    parts = _parts_bytes(raw)
    doc = parts["word/document.xml"].decode()
    doc = _type_in_date(doc, "ck_i_signed_on", "September 14, 2023")
    doc = _type_in_date(doc, "ck_i_first_deal", "next spring")
    parts["word/document.xml"] = doc.encode()
    bad.write_bytes(_zip(parts))
    m = memberform.read(bad, t2)
    assert m.profile["signed_on"] == "2023-09-14" and m.profile["first_deal"] == "next spring"
    _, problems = validate_profile(m.profile, interview, [])
    msgs = [p.format() for p in problems]
    assert "annual_transactions: expected a number, got 'about forty'" in msgs
    assert "first_deal: expected a date as YYYY-MM-DD, got 'next spring'" in msgs


def _parts_bytes(raw: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(raw))
    return {n: z.read(n) for n in z.namelist()}


def _type_in_date(doc: str, name: str, text: str) -> str:
    """Type into a date box by hand: the text goes into the content control, no w:fullDate."""
    start = doc.index(f'w:name="{name}"')
    i = doc.index("<w:t", doc.index("<w:sdtContent>", start))
    k = doc.index(">", i)
    j = k + 1 if doc[k - 1] == "/" else doc.index("</w:t>", i) + len("</w:t>")
    return doc[:i] + f'<w:t xml:space="preserve">{text}</w:t>' + doc[j:]


def test_form_uses_the_associations_reference_docx(tmp_path):
    """The association's letterhead travels in the template and styles the form; a damaged one is
    a one-line error naming the file."""
    import docx

    from tests.conftest import REPO

    root = tmp_path / "association"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("collected", "build", ".commentkit"))
    ref = docx.Document(str(REPO / "templates" / "reference.docx"))
    ref.sections[0].header.paragraphs[0].text = "CATI LETTERHEAD 1100 Fifteenth Street NW"
    ref.save(str(root / "assoc" / "letterhead.docx"))
    cfg = root / "assoc" / "commentkit.yaml"
    cfg.write_text(cfg.read_text().replace("reference_docx: null", "reference_docx: letterhead.docx"))
    out = tmp_path / "form.docx"
    res = invoke("template", "create", root / "assoc", "--out", out)
    assert res.exit_code == 0, res.output
    d = docx.Document(str(out))
    headers = " ".join(p.text for p in d.sections[0].header.paragraphs)
    assert "CATI LETTERHEAD" in headers
    from commentkit.association import form as memberform

    assert memberform.embedded_template(out).reference_docx is not None
    (root / "assoc" / "letterhead.docx").write_bytes(b"PK\x03\x04 not really a docx")
    res = invoke("template", "create", root / "assoc", "--out", tmp_path / "form2.docx")
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert "letterhead.docx: not a Word .docx file" in res.output
    assert not (tmp_path / "form2.docx").exists()


def test_long_text_outside_fields_is_kept_in_full(forms, tmp_path):
    root = tmp_path / "association"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("collected", "build", ".commentkit"))
    long = "Our general counsel adds: " + " ".join(f"point {i} about the diligence standard;" for i in range(40))
    (root / "members" / "verbose.docx").write_bytes(
        fill(forms["blank"].read_bytes(), {"ck_m_name": "Verbose Ventures"}, stray=[long]))
    res = invoke("collect", root / "assoc", root / "members", "--today", "2023-09-20")
    assert res.exit_code == 0, res.output
    assert "(in full in compilation.md)" in (root / "assoc" / "collected" / "tracker.md").read_text()
    comp = (root / "assoc" / "collected" / "compilation.md").read_text()
    section = comp.split("## Text typed outside the form's fields")[1]
    assert "> " + long in section
    assert "Note from Ironwood's GC: please call me before quoting us." in section


def test_fuzzed_embedded_template_gives_one_line_errors(forms, tmp_path):
    """The template a form carries (custom XML: base64 of gzip of the sealed file) is untrusted too."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from commentkit.association import form as memberform

    parts = _parts(forms["blank"])
    name = next(n for n, v in parts.items() if n.startswith("customXml/item") and b"member-template" in v[:500])
    item = parts[name]
    small = {"[Content_Types].xml": parts["[Content_Types].xml"], "word/document.xml": b"<w:document/>"}
    path = tmp_path / "fuzz-template.docx"

    @settings(max_examples=examples(1000), deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.integers(0, len(item) - 1), st.integers(0, 64),
           st.sampled_from([b"", b"A", b"=", b"<", b"&amp;", b"\x00", b"H4sI", b"<!DOCTYPE x>"]))
    def run(pos, cut, insert):
        path.write_bytes(_zip({**small, name: item[:pos] + insert + item[pos + cut:]}))
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        try:
            tpl = memberform.embedded_template(path)
            assert tpl is None or tpl.positions_checksum == forms["tpl"].positions_checksum
        except UserError as exc:
            assert "\n" not in exc.format().strip()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before

    run()
