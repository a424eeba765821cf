"""The consolidated comment is safe to file (issue 22).

An adversarial member set is built once (module fixture) beside the sample association: member
names inside quoted answers in every form (legal name, name without "Inc."/"LLC", roster short
names, tickers, possessives, names of three characters or fewer, capitals, dotted acronyms),
BCI passages and confidential notes, stances marked with a typed X or by striking the other
choice, a deleted join row, a corrected form sent under a variant name, and two forms with equal
times. It is collected once and the consolidated draft is built once; the tests read the results.
Word forms are filled as XML (no LibreOffice), so the module runs in a few seconds.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypo import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.association.test_association import copy_sample
from tests.association.test_memberform import fill

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"

# roster additions: (name, id, aliases column)
ROSTER = [
    ("Dogwood Capital Partners, LLC", "M-010", "Dogwood;DWC"),
    ("3M Company", "M-011", "3M;MMM"),
    ("Advanced Micro Devices, Inc.", "M-012", "AMD"),
    ("Ginkgo Design Systems", "M-013", "Ginkgo"),
    ("Hazel Robotics", "M-014", ""),
    ("Juniper Photonics", "M-015", "JNP"),
]
# every way the public text must not name them
FORBIDDEN = ["Dogwood", "DWC", "3M", "MMM", "AMD", "A.M.D.", "Advanced Micro Devices", "Ginkgo", "Hazel Robotics",
             "Juniper", "JNP", "Acme", "Blue Harbor", "Corvid", "Delmar", "Fulcrum", "Granite Peak", "Harbinger",
             "Ironwood"]
DOGWOOD_EXC3 = ("Dogwood Capital (ask Erin Vasquez, erin@dogwoodcap.example.com) holds limited partner interests in six funds, two of which have invested in the "
                "PRC; Dogwood's LP agreements give it no say over any investment, and DOGWOOD CAPITAL PARTNERS, LLC "
                "(\"DWC\") learns of portfolio companies only after closing, like **Dogwood** Capital's co-investors "
                "AMD, A.M.D.'s venture arm, 3M (MMM) and Ginkgo-Design Systems' treasury team.")
SECRETS = ["212 million", "Alpha Growth Fund", "Beta Frontier Fund", "Project Lantern"]


def invoke(*args):
    from commentkit.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def export_file(path: Path, name: str, mid: str, *, exported: str, profile: dict, answers: dict,
                positions: dict | None = None, respondent: dict | None = None, version: int = 1) -> None:
    from commentkit.association.template import seal
    from commentkit.files.yamlio import dump_yaml

    data = {"format": "commentkit-member-response", "format_version": 1,
            "template": {"id": "cati-outbound-2023", "version": version}, "docket": "TREAS-DO-2023-0009",
            "member": {"name": name, "id": mid}, "exported": exported, "profile": profile, "answers": answers,
            "positions": positions or {}, "respondent": respondent or {}}
    path.write_text(seal(dump_yaml(data)), encoding="utf-8")


def _edit_docx(raw: bytes, edit) -> bytes:
    zin = zipfile.ZipFile(io.BytesIO(raw))
    parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    root = etree.fromstring(parts["word/document.xml"])
    edit(root)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _para(root, bookmark):
    bm = next(b for b in root.iter(W + "bookmarkStart") if b.get(W + "name") == bookmark)
    p = bm
    while p.tag != W + "p":
        p = p.getparent()
    return p


def type_x(bookmark: str):
    """Type "X " in front of a choice (the check box itself stays unticked)."""
    def edit(root):
        p = _para(root, bookmark)
        r = etree.Element(W + "r")
        t = etree.SubElement(r, W + "t")
        t.text = "X "
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        sdt = next(p.iter(W + "sdt"))
        sdt.addprevious(r)
    return edit


def strike(bookmark: str):
    """Strike through a choice's label (the member crosses the alternative out)."""
    def edit(root):
        p = _para(root, bookmark)
        for r in p:
            if r.tag == W + "r" and "".join(t.text or "" for t in r.iter(W + "t")).strip():
                rpr = r.find(W + "rPr")
                if rpr is None:
                    rpr = etree.Element(W + "rPr")
                    r.insert(0, rpr)
                etree.SubElement(rpr, W + "strike")
    return edit


def delete_row(bookmark: str):
    """Delete the table row holding a field (the member deleted the join question)."""
    def edit(root):
        el = _para(root, bookmark)
        while el.tag != W + "tr":
            el = el.getparent()
        el.getparent().remove(el)
    return edit


def chain(raw: bytes, *edits) -> bytes:
    for e in edits:
        raw = _edit_docx(raw, e)
    return raw


BASE_FORM = {"ck_c_us_person_1": True, "ck_c_coc_countries_1": True, "ck_c_transaction_types_1": True,
             "ck_j_cov_tx_4_1": True, "ck_j_exc_3_1": True, "ck_j_know_2_1": True, "ck_k_quote_1": True}


@pytest.fixture(scope="module")
def adversarial(tmp_path_factory):
    from commentkit.association import form as memberform
    from commentkit.association import settings as association
    from commentkit.association import template as association_template
    from commentkit.project.folder import Project

    base = tmp_path_factory.mktemp("adv")
    root = copy_sample(base)
    roster = root / "assoc" / "roster.csv"
    roster.write_text(roster.read_text() + "".join(f'"{n}",x@example.com,{i},{a}\n' for n, i, a in ROSTER))
    adv = root / "adversarial"
    adv.mkdir()
    semis = {"us_person": True, "sectors": ["semiconductors"], "coc_countries": ["prc"],
             "transaction_types": ["equity"]}
    export_file(adv / "dogwood.yaml", "Dogwood Capital Partners, LLC", "M-010", exported="2023-09-12T15:00:00+00:00",
                profile=semis, answers={"exc-3": DOGWOOD_EXC3},
                respondent={"may_quote": True, "may_name": False, "contact_name": "Erin Vasquez, GC",
                            "contact_email": "erin@dogwoodcap.example.com"})
    export_file(adv / "3m.yaml", "3M Company", "M-011", exported="2023-09-12T16:00:00+00:00", profile=semis,
                answers={"exc-3": "3M holds [[BCI]]$212 million in the Alpha Growth Fund[[/BCI]] through limited "
                                  "partnerships that report to us only after each investment closes, every quarter, "
                                  "in arrears, with no advance notice at all of any portfolio company."},
                respondent={"may_quote": True})
    export_file(adv / "amd.yaml", "Advanced Micro Devices, Inc.", "M-012", exported="2023-09-12T17:00:00+00:00",
                profile=semis,
                answers={"cov-tx-4": "AMD's joint venture makes legacy-node test equipment with a local partner "
                                     "under a licence that excludes our advanced designs and all source code.\n\n"
                                     "CONFIDENTIAL: do not quote the fund names (Beta Frontier Fund, Project "
                                     "Lantern)."},
                respondent={"may_quote": True, "may_name": True})
    assoc = Project.open(root / "assoc")
    tpl = association_template.build(assoc, association.load(assoc.root, assoc.pack))
    blank = memberform.write(tpl)
    # Ginkgo: a first form, then a corrected one under a variant name (same roster id), later:
    # it does not join exc-3, marked by a typed X in front of "No" (its boxes stay unticked).
    first = dict(BASE_FORM, ck_m_name="Ginkgo Design Systems", ck_m_id="M-013", __modified__="2023-09-10T10:00:00Z",
                 ck_c_sectors_1=True)
    (adv / "ginkgo-form.docx").write_bytes(fill(blank, first))
    corrected = {k: v for k, v in first.items() if k not in ("ck_j_exc_3_1", "ck_c_sectors_1")}
    corrected.update(ck_m_name="Ginkgo Design Systems, Inc.", __modified__="2023-09-12T10:00:00Z",
                     ck_n_exc_3="We do not join: the exception should be narrower.")
    (adv / "ginkgo-corrected.docx").write_bytes(chain(fill(blank, corrected), type_x("ck_j_exc_3_2"),
                                                      type_x("ck_c_sectors_2")))
    # Hazel: two forms with the same saved time and file time, different content: a tie
    for n, sector in ((1, "ck_c_sectors_1"), (2, "ck_c_sectors_3")):
        path = adv / f"hazel-{n}.docx"
        path.write_bytes(fill(blank, dict(BASE_FORM, ck_m_name="Hazel Robotics", ck_m_id="M-014",
                                          __modified__="2023-09-11T12:00:00Z", **{sector: True})))
        os.utime(path, (1694433600, 1694433600))
    # Juniper: strikes "Yes, we join it" on know-2 (so: not joining), and deleted the join row of cov-tx-4
    jun = {k: v for k, v in BASE_FORM.items() if k not in ("ck_j_know_2_1", "ck_j_cov_tx_4_1")}
    jun.update(ck_m_name="Juniper Photonics", ck_m_id="M-015", ck_c_sectors_1=True,
               ck_a_burden_1="Juniper's (JNP) compliance budget would rise by a third.",
               ck_n_exc_3='=HYPERLINK("https://evil.example.com","click")')
    (adv / "juniper.docx").write_bytes(chain(fill(blank, jun), strike("ck_j_know_2_1"), delete_row("ck_j_cov_tx_4_1")))
    old = os.environ.get("COMMENTKIT_TODAY")
    os.environ["COMMENTKIT_TODAY"] = "2023-09-20"
    try:
        res = invoke("collect", root / "assoc", root / "members", adv, "--json",
                     "--xlsx", base / "internal.xlsx")
        assert res.exit_code == 0, res.output
        out = root / "assoc" / "collected"
        built = invoke("build", out / "consolidated", "--draft", "--out", base / "letter")
        assert built.exit_code == 0, built.output
    finally:
        if old is None:
            os.environ.pop("COMMENTKIT_TODAY", None)
        else:
            os.environ["COMMENTKIT_TODAY"] = old
    letter = next((base / "letter").glob("*DRAFT.md")).read_text(encoding="utf-8")
    import docx

    d = docx.Document(str(next((base / "letter").glob("*.docx"))))
    word = "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])
    return {"root": root, "base": base, "summary": json.loads(res.stdout), "out": out, "letter": letter,
            "word": word, "draft": {p.relative_to(out / "consolidated").as_posix(): p.read_text(encoding="utf-8")
                                    for p in (out / "consolidated").rglob("*.md")}}


def _public_texts(adv):
    return {"letter.md": adv["letter"], "letter.docx": adv["word"],
            "aggregates.md": (adv["out"] / "aggregates.md").read_text(encoding="utf-8"), **adv["draft"]}


def test_letter_names_no_member_in_any_form(adversarial):
    for where, text in _public_texts(adversarial).items():
        for name in FORBIDDEN:
            rx = (re.escape(name) if len(name) <= 3 else re.escape(name).replace(r"\ ", r"[\s\-]*"))
            hit = re.search(r"(?<!\w)" + rx + r"(?!\w)", text, 0 if len(name) <= 3 else re.IGNORECASE)
            assert hit is None, f"{where} names {name!r}: ...{text[max(0, hit.start() - 60):hit.end() + 60]}..."
    exc3 = adversarial["draft"]["answers/exc-3.md"]
    # the quote is still there, with grammatical placeholders
    assert "[The member] (ask [the member], erin@[the member]) holds limited partner interests in six funds" in exc3
    assert "Vasquez" not in exc3 and "dogwoodcap" not in exc3
    assert "[the member's] LP agreements give it no say" in exc3
    assert "[a member], [a member's] venture arm, [a member] ([a member]) and [a member's] treasury team" in exc3


def test_no_bci_or_confidential_text_and_the_draft_says_what_it_skipped(adversarial):
    for where, text in _public_texts(adversarial).items():
        assert "[[BCI" not in text and "CONFIDENTIAL" not in text, where
        for secret in SECRETS:
            assert secret not in text, f"{where} holds {secret!r}"
    exc3 = adversarial["draft"]["answers/exc-3.md"]
    assert "Not quoted by commentkit: 1 answer holding confidential text" in exc3
    cov = adversarial["draft"]["answers/cov-tx-4.md"]
    assert "legacy-node test equipment" not in cov and "Not quoted by commentkit: 1 answer holding confidential text" in cov
    comp = (adversarial["out"] / "compilation.md").read_text()
    assert comp.count("**Holds text marked confidential ([[BCI]] or CONFIDENTIAL): never quoted") == 2


def _entries(adv, qid):
    return {e["member"]: e for q in adv["summary"]["compilation"] if q["question"] == qid for e in q["entries"]}


def _member(adv, name):
    return next(m for m in adv["summary"]["members"] if m["name"] == name)


def test_every_stance_counted_as_marked_or_reported(adversarial):
    s = adversarial["summary"]
    # compilation labels are anonymous: find the entries by their notes / problems
    exc3 = [e for q in s["compilation"] if q["question"] == "exc-3" for e in q["entries"]]
    ginkgo = next(e for e in exc3 if e["note"] and "We do not join" in e["note"])
    assert ginkgo["agree"] is False and ginkgo["disagrees"] is True  # typed X in front of "No"
    juniper = _member(adversarial, "Juniper Photonics")
    know2 = [e for q in s["compilation"] if q["question"] == "know-2" for e in q["entries"]]
    assert any(e["agree"] is False for e in know2)  # "Yes, we join it" struck through
    assert any("cov-tx-4: the 'Does your company join' boxes are missing" in p and "not counted as joining" in p
               for p in juniper["problems"])
    cov = [e for q in s["compilation"] if q["question"] == "cov-tx-4" for e in q["entries"]]
    assert sum(1 for e in cov if e["undecided"]) == 1
    # the X typed in front of a questionnaire choice counts too: Ginkgo's corrected form has no
    # ticked sector box, only "X" typed before the second choice
    g = _member(adversarial, "Ginkgo Design Systems, Inc.")
    assert not any("sectors" in p for p in g["problems"])


def test_member_counted_once_with_the_replacement_rule_stated(adversarial):
    s = adversarial["summary"]
    names = [m["name"] for m in s["members"]]
    assert sum(1 for n in names if n.startswith("Ginkgo")) == 1 and "Ginkgo Design Systems, Inc." in names
    rep = next(r for r in s["superseded"] if r["member"] == "Ginkgo Design Systems")
    assert rep["replaced_by_name"] == "Ginkgo Design Systems, Inc." and rep["rule"] == "later response time"
    assert s["headline"].startswith("14 of 15 roster member(s) responded; 1 missing")
    # the tie: listed once, held, reported in the tracker for the staff
    assert names.count("Hazel Robotics") == 1
    assert [t["member"] for t in s["ties"]] == ["Hazel Robotics"]
    tracker = (adversarial["out"] / "tracker.md").read_text()
    assert "## Ties to resolve" in tracker and "hazel-1.docx" in tracker and "hazel-2.docx" in tracker
    assert "Ginkgo Design Systems: " in tracker and "(as 'Ginkgo Design Systems, Inc.'; later response time)" in tracker
    csv_text = (adversarial["out"] / "tracker.csv").read_text()
    assert "Ginkgo Design Systems,replaced by " in csv_text and "ginkgo-corrected.docx (later response time)" in csv_text
    # aggregates count each member once: 8 sample responses (one empty-free) + Dogwood, 3M, AMD,
    # Ginkgo, Juniper; Hazel is held until the tie is resolved
    assert s["aggregates"]["respondents"] == 8 + 5


def test_no_false_figure_and_no_small_count_can_be_worked_out(adversarial):
    agg = adversarial["summary"]["aggregates"]
    md = (adversarial["out"] / "aggregates.md").read_text()
    assert "<" not in md.replace("<!--", "")
    n = agg["respondents"]
    for t in agg["tables"]:
        _assert_safe(t, n, agg["threshold"])
    for text in _public_texts(adversarial).values():
        assert "fewer than" not in text.lower() and not re.search(r"\b0 of our\b|\b1 members\b", text)


def _assert_safe(table: dict, n: int, t: int) -> None:
    """No published cell, and no difference of published cells from the total, is from 1 to t-1."""
    cells = table["cells"]
    shown = [c["count"] for c in cells if c["count"] is not None]
    assert all(c == 0 or c >= t for c in shown)
    if table["type"] == "multichoice":
        assert all(n - c == 0 or n - c >= t for c in shown)
    else:
        hidden_total = n - sum(shown)
        assert hidden_total == 0 or hidden_total >= t, table


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(min_value=1, max_value=5), st.lists(st.sampled_from(["a", "b", "c", None]), min_size=1, max_size=25),
       st.lists(st.sets(st.sampled_from(["a", "b", "c"])), min_size=1, max_size=25))
def test_property_no_published_cell_or_difference_reveals_a_small_count(threshold, singles, multis):
    from commentkit.association.collect import Collection, aggregates
    from commentkit.association.responses import MemberResponse
    from commentkit.models.interview import Interview

    choices = [{"value": v, "label": v.upper()} for v in "abc"]
    iv = Interview.model_validate({"items": [{"id": "one", "prompt": "One?", "type": "choice", "choices": choices},
                                             {"id": "yn", "prompt": "Yes?", "type": "yesno"},
                                             {"id": "many", "prompt": "Many?", "type": "multichoice",
                                              "choices": choices}]})
    k = min(len(singles), len(multis))
    members = [MemberResponse(name=f"M{i}", source=Path(f"m{i}"), kind="project", template_id="t", template_version=1,
                              docket="d", profile={"one": singles[i], "yn": (i % 3 == 0) if singles[i] else None,
                                                   "many": sorted(multis[i]) or None})
               for i in range(k)]
    agg = aggregates(Collection(members=members), iv, ["one", "yn", "many"], threshold)
    for t in agg.tables:
        table = {"type": t.kind, "cells": [{"count": c.count} for c in t.cells]}
        if agg.withheld:  # fewer respondents than the threshold: nothing is published
            assert all(c.count is None for c in t.cells)
            continue
        _assert_safe(table, agg.respondents, threshold)


def test_final_scan_refuses_to_write_a_draft_that_names_a_member(tmp_path):
    root = copy_sample(tmp_path)
    ans = root / "assoc" / "answers" / "exc-3.md"
    ans.write_text(ans.read_text() + "\nAs Blue Harbor told us, the exception matters.\n")
    res = invoke("collect", root / "assoc", root / "members", "--today", "2023-09-20")
    assert res.exit_code == 2
    assert "still names member 'Blue Harbor Ventures LP' as 'Blue Harbor'; nothing was written" in res.output
    assert not (root / "assoc" / "collected").exists()


def test_quotes_and_names_only_with_consent(tmp_path):
    root = copy_sample(tmp_path)
    path = root / "assoc" / "association.yaml"
    path.write_text(path.read_text().replace("attribution: anonymised", "attribution: attributed"))
    res = invoke("collect", root / "assoc", root / "members", "--today", "2023-09-20")
    assert res.exit_code == 0, res.output
    exc3 = (root / "assoc" / "collected" / "consolidated" / "answers" / "exc-3.md").read_text()
    assert "> — Blue Harbor Ventures LP" in exc3  # consented to be named
    assert "> — a member company" in exc3  # Granite Peak: may quote, may not name
    assert "Granite Peak" not in exc3 and "[The member] holds limited partner interests in 37" in exc3
    cov = (root / "assoc" / "collected" / "consolidated" / "answers" / "cov-tx-4.md").read_text()
    assert "Delmar" not in cov and "legacy power" not in cov  # Delmar said no to quoting
    assert "Not quoted by commentkit: 1 answer from members who did not consent to be quoted." in cov


def test_xlsx_holds_raw_answers_per_question_and_says_it_is_internal(adversarial):
    from openpyxl import load_workbook

    wb = load_workbook(adversarial["base"] / "internal.xlsx")
    assert {"Tracker", "exc-3", "cov-tx-4", "sectors", "Respondents"} <= set(wb.sheetnames)
    for ws in wb.worksheets:
        assert str(ws["A1"].value).startswith("INTERNAL - names members")
    rows = list(wb["exc-3"].iter_rows(min_row=3, values_only=True))
    dog = next(r for r in rows if r[0] == "Dogwood Capital Partners, LLC")
    assert dog[5] == DOGWOOD_EXC3  # raw, names and all
    jun = next(r for r in rows if r[0] == "Juniper Photonics")
    assert jun[3] == '=HYPERLINK("https://evil.example.com","click")'  # kept as text
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_template_version_bump_keeps_earlier_responses(tmp_path):
    root = copy_sample(tmp_path)
    path = root / "assoc" / "association.yaml"
    text = path.read_text().replace("version: 1                 #", "version: 2                 #")
    # the association edits a locked position and drops a question
    text = text.replace("fund's investment decisions; the fund manager", "fund's investment choices; the fund manager")
    text = text.replace("  burden-1:\n    prompt: >-\n      Give an estimate of your annual compliance cost under the "
                        "program as described in the\n      ANPRM, and what drives it.\n", "")
    path.write_text(text)
    res = invoke("collect", root / "assoc", root / "members", "--json")
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    assert s["headline"].startswith("8 of 9 roster member(s) responded")
    assert [Path(x["source"]).name for x in s["skipped"]] == ["eastline-microdevices"]  # malformed, as before
    acme = _member({"summary": s}, "Acme Semiconductor Equipment Inc.")
    assert any("answers version 1" in p for p in acme["problems"])
    assert any("burden-1: question no longer asked in version 2" in p for p in acme["problems"])
    # only the members' own changes are disagreements: the association's edit is nobody's
    dis = [(d["question"], d["diff"]) for d in s["disagreements"]]
    assert len(dis) == 2 and all("choices" not in (diff or "") for _, diff in dis)
    harbinger_like = [e for q in s["compilation"] if q["question"] == "exc-3" for e in q["entries"]
                      if not e["disagrees"]]
    assert all(e["saw_earlier_wording"] for e in harbinger_like if e["agree"] is not None)


def test_template_init_writes_a_starter_that_works_and_never_overwrites(tmp_path):
    root = tmp_path / "assoc"
    assert invoke("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "Council of Widget Makers").exit_code == 0
    res = invoke("template", "init", root)
    assert res.exit_code == 0, res.output
    text = (root / "association.yaml").read_text()
    assert text.startswith("# Member template settings of Council of Widget Makers")
    assert "member_due: 2023-09-14" in text and "attribution: anonymised" in text
    res = invoke("template", "create", root, "--out", tmp_path / "t.yaml")
    assert res.exit_code == 0 and "3 question(s)" in res.output
    (root / "association.yaml").write_text(text + "# mine\n")
    res = invoke("template", "init", root)
    assert res.exit_code == 2 and "already exists; nothing was changed" in res.output
    assert (root / "association.yaml").read_text().endswith("# mine\n")


def test_a_form_of_an_earlier_edition_is_read_against_what_the_member_saw(tmp_path):
    """The association edits a locked position without raising the version: a form made before
    is still read (by the template it carries), and the edit is not shown as the member's."""
    from commentkit.association import form as memberform
    from commentkit.association import settings as association
    from commentkit.association import template as association_template
    from commentkit.project.folder import Project

    root = copy_sample(tmp_path)
    assoc = Project.open(root / "assoc")
    tpl = association_template.build(assoc, association.load(assoc.root, assoc.pack))
    form = tmp_path / "walnut.docx"
    form.write_bytes(fill(memberform.write(tpl), dict(BASE_FORM, ck_m_name="Walnut Labs", ck_c_sectors_1=True,
                                                      ck_a_exc_3="We hold no LP interests.")))
    path = root / "assoc" / "association.yaml"
    path.write_text(path.read_text().replace("fund's investment decisions; the fund manager",
                                             "fund's investment choices; the fund manager"))
    res = invoke("collect", root / "assoc", form, "--json")
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    assert not s["skipped"] and [m["name"] for m in s["members"]] == ["Walnut Labs"]
    assert s["disagreements"] == []
    entry = next(e for q in s["compilation"] if q["question"] == "exc-3" for e in q["entries"])
    assert entry["agree"] is True and entry["saw_earlier_wording"] and entry["diff"] is None


_WORDS = ["Dogwood", "Ginkgo", "Zephyr", "Quill", "Marlow", "Tessel", "Orrin", "Vantor", "Kestrel", "Halcyon"]
_TAILS = ["Capital", "Design Systems", "Robotics", "Photonics", "Analytics", "Partners"]
_FORMS = ["Inc.", "LLC", "L.P.", "Corp.", ""]


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_TAILS), st.sampled_from(_FORMS),
                          st.sampled_from(["", "ZQ", "Q9X", "KRX"])), min_size=1, max_size=4,
                unique_by=lambda t: t[0]),
       st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["full", "core", "lead", "upper", "poss", "curly",
                                                               "hyphen", "ticker", "emph", "article"])),
                min_size=1, max_size=8))
def test_property_every_form_of_a_member_name_is_replaced(members, uses):
    from commentkit.association.disclosure import Names

    names = Names()
    for i, (w, tail, form, ticker) in enumerate(members):
        names.add(f"m{i}", f"{w} {tail}{', ' + form if form else ''}", [ticker] if ticker else [])
    parts, written = [], []
    for k, how in uses:
        w, tail, form, ticker = members[k % len(members)]
        core = f"{w} {tail}"
        text = {"full": f"{core}, {form}".rstrip(", "), "core": core, "lead": w, "upper": core.upper(),
                "poss": f"{w}'s", "curly": f"{core}\u2019s", "hyphen": core.replace(" ", "-"),
                "ticker": ticker or w, "emph": f"**{w}** {tail}", "article": f"the {w} team"}[how]
        written.append(text)
        parts.append(f"We spoke with {text} about it.")
    out = names.redact(" ".join(parts), "m0")
    names.check(out, "draft.md")  # the final scan finds nothing
    for w, _tail, _, ticker in members:
        assert w.casefold() not in out.casefold()
        if ticker:
            assert re.search(r"(?<!\w)" + ticker + r"(?!\w)", out) is None
    assert out.count("We spoke with [") == len(parts)


def test_sentences_state_the_counts_they_are_computed_from(tmp_path):
    """With the threshold at 1 every count may be published: each sentence then says exactly what the
    compilation counts, in the right number, and a member that joined while changing a word is not
    among those that "did not join"."""
    root = copy_sample(tmp_path)
    path = root / "assoc" / "association.yaml"
    path.write_text(path.read_text().replace("suppression_threshold: 3", "suppression_threshold: 1"))
    acme = root / "members" / "acme-semiconductor" / "positions.yaml"
    text = acme.read_text()
    assert "fund's investment decisions; the fund manager" in text
    acme.write_text(text.replace("fund's investment decisions; the fund manager",
                                 "fund's investment choices; the fund manager"))
    res = invoke("collect", root / "assoc", root / "members", "--json", "--today", "2023-09-20")
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    draft = root / "assoc" / "collected" / "consolidated" / "answers"
    for q in s["compilation"]:
        body = (draft / f"{q['question']}.md").read_text()
        addressed = sum(1 for e in q["entries"] if e["answer"])
        not_joining = sum(1 for e in q["entries"] if e["agree"] is False)
        changed = sum(1 for e in q["entries"] if e["changed_locked"] and e["agree"] is not False)
        if addressed:
            assert f"{addressed} of our 8 responding members addressed this question." in body
        else:
            assert "addressed this question" not in body
        if not_joining:
            word = "member" if not_joining == 1 else "members"
            assert f"{not_joining} {word} did not join the position above." in body
        else:
            assert "did not join" not in body
        if changed:
            word = "member" if changed == 1 else "members"
            assert f"{changed} {word} joined it with changes to its wording." in body
    exc3 = (draft / "exc-3.md").read_text()
    assert "2 members did not join the position above." in exc3  # Corvid and Ironwood, not Acme
    assert "1 member joined it with changes to its wording." in exc3
    assert not re.search(r"\b1 members\b|\b0 of our\b", "".join(p.read_text() for p in draft.glob("*.md")))


@pytest.mark.parametrize("text, expected", [
    ("Acme Semiconductor Equipment Inc. said so.", "[The member] said so."),
    ("We told Acme Semiconductor Equipment Inc.", "We told [the member]."),
    ("Acme\u2019s LP agreements", "[The member\u2019s] LP agreements".replace("\u2019", "'")),
    ("Funds of ACME SEMICONDUCTOR and of A.M.D.", "Funds of [the member] and of [a member]"),
    ("with the AMD team and amd's lawyers", "with [a member] team and [a member's] lawyers"),
    ("turn on the ON line", "turn on [a member] line"),  # "on" is a word: only "ON" names the member
    ("Blue skies; Blue Harbor's fund", "Blue skies; [a member's] fund"),
    ("**Acme** Semiconductor agrees", "[The member] agrees"),
])
def test_placeholders_are_grammatical(text, expected):
    from commentkit.association.disclosure import Names

    names = Names()
    names.add("acme", "Acme Semiconductor Equipment Inc.")
    names.add("amd", "Advanced Micro Devices, Inc.", ["AMD"])
    names.add("on", "ON Semiconductor Corporation", ["ON"])
    names.add("bh", "Blue Harbor Ventures LP")
    assert names.redact(text, "acme") == expected


def test_the_associations_own_bci_is_its_own_business(tmp_path):
    """The association may mark its own confidential material for the letter's confidential
    version; the final scan refuses only member confidential text (and markers in member input)."""
    root = copy_sample(tmp_path)
    ans = root / "assoc" / "answers" / "exc-3.md"
    ans.write_text(ans.read_text() + "\nOur own survey found [[BCI]]eleven funds[[/BCI]] affected.\n")
    res = invoke("collect", root / "assoc", root / "members", "--today", "2023-09-20")
    assert res.exit_code == 0, res.output
    draft = (root / "assoc" / "collected" / "consolidated" / "answers" / "exc-3.md").read_text()
    assert "[[BCI]]eleven funds[[/BCI]]" in draft


def test_sign_on_letter_leaves_out_what_the_member_marked_confidential(tmp_path):
    root = copy_sample(tmp_path)
    positions = root / "members" / "corvid-quantum" / "positions.yaml"
    text = positions.read_text()
    old = "  note: We compete with PRC quantum-sensing firms"
    assert old in text
    positions.write_text(text.replace(old, '  note: "We hold [[BCI]]$48 million[[/BCI]] in such funds.\\n\\n'
                                           'CONFIDENTIAL: the Kestrel fund is one.\\n\\nWe compete with PRC '
                                           'quantum-sensing firms', 1).replace(
        "exception would leave that channel open.\n", "exception would leave that channel open.\"\n", 1))
    res = invoke("build", root / "members" / "corvid-quantum", "--out", tmp_path / "out", "--format", "md")
    assert res.exit_code == 0, res.output
    md = next((tmp_path / "out").glob("*.md")).read_text()
    assert "We compete with PRC quantum-sensing firms" in md
    assert "48 million" not in md and "Kestrel" not in md and "BCI" not in md
