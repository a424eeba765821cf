"""Nothing unapproved reaches a filed letter; the letter reads like a real filing (issue 20).

* provenance: generated or member-inserted text is filed only when a person approved it
  (final, with who and when); check reports each unapproved passage as an error; a draft build
  shows generated text visibly marked;
* changed since approved: an answer edited on disk after it was marked final is reported by
  status and check and is not final until it is marked final again;
* leftovers: a collect placeholder in a final answer is a check error;
* the letter's form: salutation from the pack, a defined short name, no method sentence,
  summaries styled apart from quotations, typographic quotes, contact details once.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import QUESTIONS, SAMPLES, user_pack_dir

DAY = "2023-09-25"
DATE = "2023-09-27"
SAMPLE_NAMES = ["semiconductor-jv", "vc-ai-lp"]
PROFILES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
GENERATED_LABEL = "[Generated from the questionnaire: not yet approved]"


def copy_sample(tmp_path: Path, name: str) -> Path:
    dest = tmp_path / name
    shutil.copytree(SAMPLES / name, dest, ignore=shutil.ignore_patterns("build", ".commentkit"))
    return dest


def check_json(run, root) -> tuple[int, dict]:
    res = run("check", root, "--json", "--today", DAY)
    return res.exit_code, json.loads(res.stdout)


def findings(data, code):
    return [f for f in data["findings"] if f["code"] == code]


def docx_paragraphs(path: Path) -> list[tuple[str, str]]:
    import docx

    return [(p.style.name, p.text) for p in docx.Document(str(path)).paragraphs]


def build_docx(run, root, out, *args) -> tuple[list[tuple[str, str]], object]:
    res = run("build", root, "--out", out, "--date", DATE, "--format", "docx", *args)
    assert res.exit_code == 0, res.output
    path = next(Path(out).glob("*.docx"))
    return docx_paragraphs(path), res


def generated_sentences(root: Path) -> list[str]:
    """The sentences the questionnaire drafts for this project's Background."""
    from commentkit.letter.assemble import generated_background
    from commentkit.project.folder import Project

    text = generated_background(Project.open(root))
    plain = re.sub(r"[\\*_`]", "", text)
    return [s.strip() for s in re.split(r"(?<=\.)\s+(?=[A-Z])", plain) if len(s.strip()) > 40]


# ---- generated Background: left out until approved ------------------------------------------------

@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_unapproved_background_is_left_out_and_check_says_so_then_approval_files_it(run, tmp_path, name):
    root = copy_sample(tmp_path, name)
    (root / "general" / "background.md").unlink()
    sentences = generated_sentences(root)
    assert sentences

    paras, res = build_docx(run, root, tmp_path / "final")
    text = "\n".join(t for _, t in paras)
    assert "Background" not in [t for s, t in paras if s == "Heading 1"]
    assert not any(s.replace("'", "\u2019") in text or s in text for s in sentences)
    assert "has not been approved" in res.stderr

    code, data = check_json(run, root)
    assert code == 1 and not data["ready"]
    [f] = findings(data, "unapproved-text")
    assert f["severity"] == "error" and f["where"] == "general/background"

    # a person saves the drafted text, reviews it and marks it final: now it is filed
    assert run("answer", "background", root, "--from-questionnaire").exit_code == 0
    res = run("mark", "background", "final", root, "--by", "A. Partner")
    assert res.exit_code == 0 and "approved by A. Partner" in res.output
    meta = yaml.safe_load((root / "general" / "background.md").read_text().split("---")[1])
    assert meta["origin"] == "questionnaire" and meta["approved"]["by"] == "A. Partner"
    paras, _ = build_docx(run, root, tmp_path / "approved")
    assert "Background" in [t for s, t in paras if s == "Heading 1"]
    first = sentences[0].replace("'", "\u2019")
    assert any(first in t for _, t in paras)
    code, data = check_json(run, root)
    assert not findings(data, "unapproved-text")


def test_a_background_that_is_not_final_is_never_replaced_by_generated_text(run, tmp_path):
    root = copy_sample(tmp_path, "semiconductor-jv")
    bg = root / "general" / "background.md"
    bg.write_text(bg.read_text().replace("status: final", "status: draft", 1))
    sentences = generated_sentences(root)
    paras, res = build_docx(run, root, tmp_path / "final")
    text = "\n".join(t for _, t in paras)
    assert "Background" not in [t for s, t in paras if s == "Heading 1"]
    assert not any(s in text or s.replace("'", "\u2019") in text for s in sentences)
    assert "general/background.md is draft, not final; left out" in res.stderr
    # a draft build shows counsel's own draft, not generated text
    paras, _ = build_docx(run, root, tmp_path / "draft", "--draft")
    assert not any(GENERATED_LABEL in t for _, t in paras)
    assert any(t.startswith("Meridian is a Delaware corporation") for _, t in paras)


def test_draft_build_marks_generated_text_visibly(run, tmp_path):
    root = copy_sample(tmp_path, "vc-ai-lp")
    (root / "general" / "background.md").unlink()
    paras, _ = build_docx(run, root, tmp_path / "draft", "--draft")
    marks = [(s, t) for s, t in paras if t == GENERATED_LABEL]
    assert marks == [("Generated Mark", GENERATED_LABEL)]
    i = paras.index(marks[0])
    assert paras[i - 1] == ("Heading 1", "Background")
    assert paras[i + 1][0] == "Generated Text"
    md = next((tmp_path / "draft").glob("*.docx")).with_suffix(".md")
    assert not md.exists()  # docx only was asked for


def test_generated_or_member_text_marked_final_by_hand_needs_a_record(run, tmp_path):
    """status: final typed into the file is not an approval of text commentkit generated."""
    root = copy_sample(tmp_path, "semiconductor-jv")
    bg = root / "general" / "background.md"
    bg.write_text("---\nsection: background\nstatus: final\norigin: questionnaire\n---\n"
                  "Meridian Deposition Systems, Inc. is an operating company.\n")
    paras, res = build_docx(run, root, tmp_path / "o")
    assert not any("is an operating company" in t for _, t in paras)
    _, data = check_json(run, root)
    [f] = findings(data, "unapproved-text")
    assert "without a record of who approved it" in f["message"] and f["path"] == "general/background.md"


def _random_profile(rng: random.Random) -> dict:
    """A profile built from the shipped questionnaire's own choices (seeded, reproducible)."""
    from commentkit.dockets import catalog

    pack = catalog.load("TREAS-DO-2023-0009")
    base = yaml.safe_load((PROFILES / rng.choice(sorted(p.name for p in PROFILES.glob("*.yaml")))).read_text())
    prof = dict(base)
    for item in pack.interview.items:
        values = [c.value for c in item.choices]
        if item.type == "choice" and values and item.id != "commenter_type":
            prof[item.id] = rng.choice(values)
        elif item.type == "multichoice" and values:
            real = [v for v in values if v != "none"]
            none = "none" in values and rng.random() < 0.15
            pick = ["none"] if none or not real else rng.sample(real, rng.randint(1, min(3, len(real))))
            prof[item.id] = pick
    prof["commenter_type"] = rng.choice(["company", "investor", "trade_association", "other"])
    prof["commenter_name"] = rng.choice(["Northwind Photonics, Inc.", "Quill & Ledger Capital, LLC",
                                         "Commonwealth Public Employees' Retirement System"])
    return prof


@pytest.mark.parametrize("seed", range(5))
def test_generated_profiles_file_no_unapproved_background(run, tmp_path, seed):
    from commentkit.build import build_letter
    from commentkit.models.document import walk
    from commentkit.project.folder import Project

    root = tmp_path / "p"
    assert run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "X").exit_code == 0
    prof = _random_profile(random.Random(seed))
    (root / "profile.yaml").write_text("schema_version: 1\n" + yaml.safe_dump(prof, sort_keys=False))
    assert run("answer", "def-1", root, "--text", "We agree with the definition.").exit_code == 0
    assert run("mark", "def-1", "final", root).exit_code == 0

    proj = Project.open(root)
    letter = build_letter(proj)
    assert all(b.provenance is None or b.provenance.approved for b in walk(letter.document.blocks))
    kinds = {b.provenance.source for b in walk(letter.document.blocks) if b.provenance}
    assert "generated" not in kinds and "answer" in kinds
    draft = build_letter(proj, draft=True)
    generated = [b for b in walk(draft.document.blocks) if b.provenance and b.provenance.source == "generated"]
    if generated_sentences(root):
        assert generated and not any(b.provenance.approved for b in generated)
        _, data = check_json(run, root)
        assert findings(data, "unapproved-text")
        assert run("answer", "background", root, "--from-questionnaire").exit_code == 0
        assert run("mark", "background", "final", root, "--by", "Reviewer").exit_code == 0
        approved = build_letter(Project.open(root))
        filed = [b for b in walk(approved.document.blocks) if b.provenance and b.provenance.key == "background"]
        assert filed and all(b.provenance.approved and b.provenance.approved_by == "Reviewer" for b in filed)
        _, data = check_json(run, root)
        assert not findings(data, "unapproved-text")


# ---- changed since approved ---------------------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_answer_edited_on_disk_after_final_is_reported_and_not_final(run, tmp_path, name):
    root = copy_sample(tmp_path, name)
    path = sorted((root / "answers").glob("*.md"))[0]
    key = path.stem
    head = yaml.safe_load(path.read_text().split("---")[1])
    assert head["status"] == "final" and head["approved"]["by"]
    path.write_text(path.read_text().rstrip("\n") + "\n\nA sentence added in an editor.\n")

    res = run("status", root, "--today", DAY)
    assert f"{key}: changed since marked final by {head['approved']['by']} on September 22, 2023" in res.output
    data = json.loads(run("status", root, "--json", "--today", DAY).stdout)
    row = next(q for q in data["questions"] if q["question_id"] == key)
    assert row["status"] == "review" and row["changed_since_final"].startswith("changed since marked final by")

    code, data = check_json(run, root)
    assert code == 1
    [f] = findings(data, "changed-since-final")
    assert f["severity"] == "error" and f["where"] == key and "changed since marked final by" in f["message"]

    paras, res = build_docx(run, root, tmp_path / "o")
    assert "A sentence added in an editor." not in [t for _, t in paras]

    # marked final again: filed, and the record names the new approver
    res = run("mark", key, "final", root, "--by", "B. Counsel")
    assert res.exit_code == 0 and "changed since marked final" in res.output
    code, data = check_json(run, root)
    assert not findings(data, "changed-since-final")
    paras, _ = build_docx(run, root, tmp_path / "o2")
    assert "A sentence added in an editor." in [t for _, t in paras]


def test_whitespace_and_line_endings_are_not_a_change(run, tmp_path):
    root = copy_sample(tmp_path, "semiconductor-jv")
    path = root / "answers" / "def-3.md"
    raw = path.read_bytes().replace(b"\n", b"\r\n").replace(b".\r\n", b".   \r\n") + b"\r\n\r\n"
    path.write_bytes(raw)
    _, data = check_json(run, root)
    assert not findings(data, "changed-since-final")


def test_editing_through_answer_sends_a_final_answer_back_to_review_and_drops_the_record(run, tmp_path):
    root = copy_sample(tmp_path, "semiconductor-jv")
    assert run("answer", "def-3", root, "--text", "A new answer.").exit_code == 0
    head = yaml.safe_load((root / "answers" / "def-3.md").read_text().split("---")[1])
    assert head["status"] == "review" and "approved" not in head
    assert run("mark", "def-3", "final", root).exit_code == 0
    head = yaml.safe_load((root / "answers" / "def-3.md").read_text().split("---")[1])
    assert head["approved"]["by"] == "E. Castellano"  # the project's owner, when --by is not given


# ---- leftovers ----------------------------------------------------------------------------------

def test_collect_placeholder_left_in_a_final_answer_is_an_error(run, tmp_path):
    import datetime as dt

    from commentkit.letter import markers

    root = copy_sample(tmp_path, "semiconductor-jv")
    note = markers.member_input_note(dt.date(2023, 9, 1))
    assert run("answer", "def-3", root, "--text",
               f"Our position.\n\n**{note}** Three of our 12 responding members addressed this question.\n\n"
               f"> We agree.\n>\n> \N{EM DASH} a member company").exit_code == 0
    assert run("mark", "def-3", "final", root).exit_code == 0
    code, data = check_json(run, root)
    assert code == 1
    hits = [f for f in findings(data, "placeholder") if f["where"] == "def-3"]
    assert len(hits) == 1 and note in hits[0]["message"] and hits[0]["path"] == "answers/def-3.md"
    lines = (root / "answers" / "def-3.md").read_text().split("\n")
    assert note in lines[hits[0]["line"] - 1]


@pytest.mark.parametrize("text", ["Revenue was TK.", "[Explain why this matters to us]",
                                  "See [Member statistics inserted by commentkit collect on May 1, 2024: edit.]",
                                  "<!-- commentkit: this block is removed when you save",
                                  "[Generated from the questionnaire: not yet approved]"])
def test_the_marker_registry_finds_what_commentkit_and_drafters_leave(text):
    from commentkit.letter.markers import scan_placeholders

    assert scan_placeholders(text), text


# ---- the letter's form --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_letters(tmp_path_factory):
    from click.testing import CliRunner

    from commentkit.cli import cli

    out = {}
    for name in SAMPLE_NAMES:
        d = tmp_path_factory.mktemp(name)
        res = CliRunner().invoke(cli, ["build", str(SAMPLES / name), "--out", str(d), "--date", DATE])
        assert res.exit_code == 0, res.output
        out[name] = d
    return out


@pytest.mark.parametrize("name,full,short", [
    ("semiconductor-jv", "Meridian Deposition Systems, Inc.", "Meridian"),
    ("vc-ai-lp", "Harborline Ventures Management, LLC", "Harborline")])
def test_sample_letters_open_like_a_filing(sample_letters, name, full, short):
    paras = docx_paragraphs(next(sample_letters[name].glob("*.docx")))
    styles = [s for s, _ in paras]
    sal = next(t for s, t in paras if s == "Salutation")
    assert sal == "Dear Ms. Sharma:"  # the notice's contact, from the pack
    addr = next(t for s, t in paras if s == "Inside Address")
    assert addr.startswith("Attention: Meena R. Sharma, Acting Director")
    body = [t for s, t in paras[styles.index("Salutation") + 1:] if s == "Normal"]
    assert body[0].startswith(f"{full} (\u201c{short}\u201d) respectfully submits")
    text = "\n".join(t for _, t in paras)
    assert "Where the question we answer is our summary" not in text and "we say so and cite" not in text
    assert "Dear Sir or Madam" not in text
    # summaries: labelled, boxed, never the quotation style
    assert "Question" not in styles and styles.count("Summary Label") == styles.count("Summary of Request") > 0
    assert {t for s, t in paras if s == "Summary Label"} == {"Summary of the request (not the agency\u2019s words)"}
    # no appendix of "summary, whole notice" rows
    assert "Appendix: Questions Answered" not in text
    # citations do not break
    re_line = next(t for s, t in paras if s == "Re Line")
    assert "88\u00a0FR\u00a054961" in re_line and "Docket No.\u00a0TREAS" in re_line


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_contact_details_appear_once(sample_letters, name):
    import docx

    doc = docx.Document(str(next(sample_letters[name].glob("*.docx"))))
    text = "\n".join(p.text for p in doc.paragraphs)
    prof = yaml.safe_load((SAMPLES / name / "profile.yaml").read_text())
    assert text.count(prof["contact_email"]) == 1


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_no_straight_quotes_in_text_commentkit_writes(tmp_path, name):
    """Every paragraph that is not an answer's own text (the letter form, generated prose, names
    and titles it prints) has typographic quotes and apostrophes."""
    from commentkit.build import build_letter
    from commentkit.models.document import Heading, Paragraph, Run, Table, walk
    from commentkit.project.folder import Project

    root = copy_sample(tmp_path, name)
    (root / "general" / "background.md").unlink()  # so the draft shows generated prose too
    for draft in (False, True):
        doc = build_letter(Project.open(root), draft=draft).document
        checked = 0
        for b in walk(doc.blocks):
            src = b.provenance.source if b.provenance else "boilerplate"
            if src not in ("boilerplate", "generated") or not isinstance(b, (Paragraph, Heading, Table)):
                continue
            cells = [b.inlines] if not isinstance(b, Table) else [c for r in [b.header, *b.rows] for c in r]
            for inl in cells:
                for r in inl:
                    if isinstance(r, Run) and not r.code and not r.url:
                        assert '"' not in r.text and "'" not in r.text, (draft, r.text)
                        checked += 1
        assert checked > 20


def test_short_name_defined_with_its_article_and_used_after(run, tmp_path):
    root = copy_sample(tmp_path, "semiconductor-jv")
    cfg = root / "commentkit.yaml"
    cfg.write_text(cfg.read_text().replace("  name: Meridian Deposition Systems, Inc.\n",
                                           "  name: Meridian Deposition Systems, Inc.\n  short_name: the Company\n"))
    (root / "general" / "conclusion.md").unlink()  # the letter's own conclusion uses the short name
    paras, _ = build_docx(run, root, tmp_path / "o")
    text = "\n".join(t for _, t in paras)
    assert "Meridian Deposition Systems, Inc. (the \u201cCompany\u201d) respectfully submits" in text
    assert "The Company appreciates the opportunity to comment on the ANPRM" in text
    assert text.count("trade.compliance@meridian-deposition.example") == 1


@pytest.mark.parametrize("name,kind,short", [
    ("Meridian Deposition Systems, Inc.", "company", "Meridian"),
    ("Harborline Ventures Management, LLC", "investor", "Harborline"),
    ("Commonwealth Public Employees' Retirement System", "investor", "CPERS"),
    ("Semiconductor Industry Association", "trade_association", "SIA"),
    ("The Boeing Company", "company", "Boeing"),
    ("U.S. Steel Corp.", "company", "U.S. Steel"),
    ("Acme", "company", "Acme"),
    ("Jane Q. Public", "individual", "Jane Q. Public"),
])
def test_derived_short_names(name, kind, short):
    from commentkit.letter.assemble import derive_short_name, short_name_forms

    assert derive_short_name(name, kind) == short
    forms = short_name_forms(name, short)
    assert forms["defined"] == ("" if short == name else f" (\u201c{short}\u201d)")


def _install_pack(edit) -> None:
    dest = user_pack_dir() / "TREAS-DO-2023-0009"
    shutil.copytree(QUESTIONS / "TREAS-DO-2023-0009", dest)
    f = dest / "docket.yaml"
    f.write_text(edit(f.read_text()))
    from commentkit.dockets import catalog

    catalog.load_path.cache_clear()


def _without_contact(text: str) -> str:
    return re.sub(r"(?ms)^  contact:\n(    .*?\n)+(?=\S)", "", text)


def test_without_a_contact_the_letter_is_addressed_to_the_office(run, tmp_path):
    _install_pack(_without_contact)
    root = copy_sample(tmp_path, "semiconductor-jv")
    paras, _ = build_docx(run, root, tmp_path / "o")
    assert ("Salutation", "To the Office of Investment Security:") in paras
    assert not next(t for s, t in paras if s == "Inside Address").startswith("Attention:")


def test_a_generic_salutation_gives_way_to_the_contact_but_a_chosen_one_is_kept(run, tmp_path):
    _install_pack(lambda t: t.replace("  contact:\n", '  salutation: "Dear Sir or Madam:"\n  contact:\n', 1))
    root = copy_sample(tmp_path, "semiconductor-jv")
    paras, _ = build_docx(run, root, tmp_path / "a")
    assert ("Salutation", "Dear Ms. Sharma:") in paras
    shutil.rmtree(user_pack_dir() / "TREAS-DO-2023-0009")
    _install_pack(lambda t: t.replace("  contact:\n", '  salutation: "Dear Acting Director Sharma:"\n  contact:\n', 1))
    paras, _ = build_docx(run, root, tmp_path / "b")
    assert ("Salutation", "Dear Acting Director Sharma:") in paras


def test_appendix_can_be_asked_for(run, tmp_path):
    root = copy_sample(tmp_path, "semiconductor-jv")
    cfg = root / "commentkit.yaml"
    cfg.write_text(cfg.read_text().replace("  out: build\n", "  out: build\n  appendix: always\n"))
    paras, _ = build_docx(run, root, tmp_path / "o")
    assert ("Heading 1", "Appendix: Questions Answered") in paras


def test_draft_build_labels_member_input_but_not_counsels_own_drafts(run, tmp_path):
    root = copy_sample(tmp_path, "semiconductor-jv")
    a = root / "answers" / "def-3.md"
    a.write_text(a.read_text().replace("status: final", "status: draft", 1))  # counsel's own draft
    m = root / "answers" / "def-6.md"
    text = m.read_text().replace("status: final", "status: draft\norigin: collect", 1)
    m.write_text(text)
    paras, _ = build_docx(run, root, tmp_path / "d", "--draft")
    labels = [(i, t) for i, (s, t) in enumerate(paras) if s == "Generated Mark"]
    assert [t for _, t in labels] == ["[Member input: not yet approved]"]
    assert not any(s == "Generated Text" and t.startswith("Whether a person is “engaged in”") for s, t in paras)
    # final with its approval record (who, when, matching fingerprint): filed
    m.write_text(text.replace("status: draft", "status: final", 1))
    _, data = check_json(run, root)
    assert not findings(data, "unapproved-text")
    # final typed by hand, no record: left out and reported
    m.write_text(re.sub(r"(?m)^approved:\n(  .*\n)+", "", text.replace("status: draft", "status: final", 1)))
    _, data = check_json(run, root)
    [f] = findings(data, "unapproved-text")
    assert f["where"] == "def-6" and "member input" in f["message"]
    paras, _ = build_docx(run, root, tmp_path / "f")
    assert not any(t.startswith("The proposed rule should adopt the EAR meanings") for _, t in paras)
