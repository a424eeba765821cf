"""Trade associations: member templates, member projects, collect, consolidated draft (issue 6).

Every test works on a copy of samples/association/ so the sample in the repository is never
written to. One `collect` run on the sample is shared by the tests that only read its output.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "association"
NAMES = ["Acme Semiconductor Equipment Inc.", "Blue Harbor Ventures LP", "Corvid Quantum Systems",
         "Delmar Capital Partners", "Fulcrum AI Labs", "Granite Peak Pension Fund", "Harbinger Robotics",
         "Ironwood Analytics"]


def invoke(*args):
    from commentkit.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def copy_sample(dest: Path) -> Path:
    root = dest / "association"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("collected", "build", ".commentkit", "__pycache__"))
    return root


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """The sample collected once (clock fixed to 20 September 2023)."""
    import os

    from commentkit.dockets import catalog as packs

    packs.load_path.cache_clear()
    root = copy_sample(tmp_path_factory.mktemp("assoc"))
    before = tree_digest(root / "assoc")
    members_before = tree_digest(root / "members")
    old = os.environ.get("COMMENTKIT_TODAY")
    os.environ["COMMENTKIT_TODAY"] = "2023-09-20"
    try:
        res = invoke("collect", root / "assoc", root / "members")
    finally:
        if old is None:
            os.environ.pop("COMMENTKIT_TODAY", None)
        else:
            os.environ["COMMENTKIT_TODAY"] = old
    return {"root": root, "res": res, "out": root / "assoc" / "collected", "before": before,
            "members_before": members_before,
            "summary": json.loads((root / "assoc" / "collected" / "collect.json").read_text())}


# ---- the template file ------------------------------------------------------------------------------

def test_template_create_writes_one_verified_file(tmp_path, run):
    root = copy_sample(tmp_path)
    out = tmp_path / "t.yaml"
    res = run("template", "create", root / "assoc", "--out", out)
    assert res.exit_code == 0, res.output
    assert "2 locked position(s)" in res.output and "member due date 2023-09-15" in res.output
    from commentkit.association import template as association_template

    tpl = association_template.load(out)
    assert tpl.docket.id == "TREAS-DO-2023-0009" and tpl.docket.citation == "88 FR 54961"
    assert tpl.docket.deadline.isoformat() == "2023-09-28T23:59:00-04:00"
    assert str(tpl.member_due) == "2023-09-15"
    assert [q.id for q in tpl.questions] == ["cov-tx-4", "exc-3", "know-2", "notif-4", "burden-1"]
    exc3 = tpl.question("exc-3")
    assert exc3.locked and exc3.position.startswith("Treasury should except limited partner")
    assert exc3.wording == "summary" and exc3.cite.startswith("88 FR ")
    assert tpl.required_items == ["us_person", "sectors", "coc_countries", "transaction_types"]
    assert {it.id for it in tpl.items} >= {"sectors", "coc_links"}
    assert out.read_text().rstrip().splitlines()[-1].startswith("checksum: sha256:")
    res = run("template", "show", out)
    assert res.exit_code == 0 and "checksum verified" in res.output and "exc-3" in res.output


def test_template_carries_templates_and_letterhead_as_base64(tmp_path, run):
    root = copy_sample(tmp_path)
    assoc = root / "assoc"
    (assoc / "templates" / "partials").mkdir(parents=True)
    (assoc / "templates" / "partials" / "signature.md.j2").write_text("::: closing\nWith regards,\n:::\n")
    logo = (SAMPLE.parent.parent / "templates" / "reference.docx").read_bytes()  # a real Word file, binary
    (assoc / "letterhead.docx").write_bytes(logo)
    text = (assoc / "commentkit.yaml").read_text().replace("reference_docx: null", "reference_docx: letterhead.docx")
    (assoc / "commentkit.yaml").write_text(text)
    out = tmp_path / "t.yaml"
    assert run("template", "create", assoc, "--out", out).exit_code == 0
    member = tmp_path / "m"
    res = run("init", member, "--from-template", out, "--commenter", "Zeta Corp.")
    assert res.exit_code == 0, res.output
    assert (member / "templates" / "partials" / "signature.md.j2").read_text() == "::: closing\nWith regards,\n:::\n"
    assert (member / "letterhead-letterhead.docx").read_bytes() == logo
    assert 'reference_docx: "letterhead-letterhead.docx"' in (member / "commentkit.yaml").read_text()


@pytest.mark.parametrize("damage, message", [
    (lambda t: t.replace("locked: true", "locked: false", 1), "checksum mismatch"),
    (lambda t: t.replace("Treasury should except", "Treasury should not except", 1), "checksum mismatch"),
    (lambda t: t[: len(t) // 2], "truncated or damaged"),
    (lambda t: t.rstrip().rsplit("\n", 1)[0] + "\n", "truncated or damaged"),
    (lambda t: "", "truncated or damaged"),
])
def test_tampered_or_truncated_template_is_refused(tmp_path, run, damage, message):
    src = (SAMPLE / "member-template.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(damage(src))
    res = run("init", tmp_path / "m", "--from-template", bad, "--commenter", "X Corp.")
    assert res.exit_code == 2
    assert message in res.output and str(bad) in res.output
    assert len(res.output.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert not (tmp_path / "m").exists()


def test_crlf_rewritten_template_is_still_accepted(tmp_path, run):
    src = (SAMPLE / "member-template.yaml").read_bytes().replace(b"\n", b"\r\n")
    path = tmp_path / "crlf.yaml"
    path.write_bytes(src)
    assert run("template", "show", path).exit_code == 0


def test_word_file_given_as_template_says_what_to_do(tmp_path, run):
    path = tmp_path / "form.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    res = run("init", tmp_path / "m", "--from-template", path, "--commenter", "X")
    assert res.exit_code == 2 and "--from-form" in res.output


def test_association_settings_errors_name_file_and_line(tmp_path, run):
    root = copy_sample(tmp_path)
    path = root / "assoc" / "association.yaml"
    text = path.read_text()
    path.write_text(text.replace("  know-2:\n", "  know-99:\n"))
    res = run("template", "create", root / "assoc", "--out", tmp_path / "t.yaml")
    assert res.exit_code == 2
    line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if "know-99" in ln)
    assert f"association.yaml:{line}: questions.know-99: no question 'know-99'" in res.output
    path.write_text(text.replace("member_due: 2023-09-15", "member_due: 2023-10-15"))
    res = run("template", "create", root / "assoc", "--out", tmp_path / "t.yaml")
    assert res.exit_code == 2 and "must be before the agency deadline 2023-09-28" in res.output
    assert not (tmp_path / "t.yaml").exists()


# ---- member projects ---------------------------------------------------------------------------------

def test_init_from_template_makes_a_member_project(tmp_path, run):
    member = tmp_path / "zeta"
    res = run("init", member, "--from-template", SAMPLE / "member-template.yaml", "--commenter", "Zeta Corp.",
              "--member-id", "M-042")
    assert res.exit_code == 0, res.output
    assert "Your due date: 2023-09-15" in res.output
    from commentkit.project.folder import Project

    proj = Project.open(member)
    m = proj.file.member
    assert (m.association, m.template, m.version, str(m.due), m.member_id) == (
        "Council for Advanced Technology Investment", "cati-outbound-2023", 1, "2023-09-15", "M-042")
    positions = (member / "positions.yaml").read_text()
    assert "LOCKED position" in positions and "exc-3:" in positions and "notif-4" not in positions
    guide = (member / "MEMBER-GUIDE.md").read_text()
    assert "September 15, 2023" in guide and "a summary, not the notice's words" in guide
    assert "Describe your limited partner investments" in guide
    assert (member / "association-template.yaml").read_bytes() == (SAMPLE / "member-template.yaml").read_bytes()


def test_init_from_template_refuses_existing_project(tmp_path, run, project):
    before = (project / "commentkit.yaml").read_bytes()
    res = run("init", project, "--from-template", SAMPLE / "member-template.yaml", "--commenter", "Z")
    assert res.exit_code == 2 and "already exists" in res.output
    assert (project / "commentkit.yaml").read_bytes() == before


def test_status_shows_member_due_date_and_agency_deadline(tmp_path, run):
    root = copy_sample(tmp_path)
    acme = root / "members" / "acme-semiconductor"
    res = run("status", acme, "--today", "2023-09-12")
    assert res.exit_code == 0, res.output
    assert "Deadline:  Thursday 28 September 2023, 23:59 EDT" in res.output
    assert "Member due: Friday 15 September 2023, 23:59 EDT" in res.output
    assert "3 calendar days, 3 business days left" in res.output
    res = run("status", acme, "--today", "2023-09-20")
    assert "PASSED 4 days ago" in res.output
    data = json.loads(run("status", acme, "--today", "2023-09-20", "--json").output)
    assert data["member_due"]["passed"] is True and data["member_due"]["due"] == "2023-09-15T23:59:00-04:00"


def test_build_on_member_project_gives_sign_on_letter(tmp_path, run):
    root = copy_sample(tmp_path)
    corvid = root / "members" / "corvid-quantum"
    res = run("build", corvid, "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    md = next((tmp_path / "out").glob("*.md")).read_text()
    assert "Corvid Quantum Systems (“Corvid”) respectfully submits" in md  # the short name, defined once
    assert ("Corvid is a member of the Council for Advanced Technology Investment (“CATI”) "
            "and joins the comments of CATI in this docket, except as set out below, and adds the comments "
            "that follow.") in md
    assert "supports CATI’s positions on joint ventures and diligence expected of U.S. persons" in md
    assert "# Where Our Views Differ" in md
    assert "does not join CATI’s position on this subject" in md
    assert "only below a de minimis threshold" in md
    assert "# Additional Comments of Corvid" in md
    assert "Any exception for limited partners should be capped" in md
    box = next((tmp_path / "out").glob("*comment-box.txt")).read_text()
    assert "joins the comments of CATI" in box and "except on excepting limited partner investments" in box
    import docx

    d = docx.Document(str(next((tmp_path / "out").glob("*.docx"))))
    heads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert "Where Our Views Differ" in heads and "Additional Comments of Corvid" in heads


def test_export_response_round_trip(tmp_path, run):
    root = copy_sample(tmp_path)
    out = tmp_path / "acme.yaml"
    res = run("export-response", root / "members" / "acme-semiconductor", "--out", out)
    assert res.exit_code == 0, res.output
    from commentkit.association import responses as members

    m = members.load_export(out)
    p = members.load_project(root / "members" / "acme-semiconductor")
    assert (m.name, m.kind, m.answers, m.profile["sectors"], m.member_id) == (
        p.name, "export", p.answers, ["semiconductors"], "M-001")
    # the tracker's "submitted" for an export is when it was exported, not the last answer edit
    exported = next(line for line in out.read_text().splitlines() if line.startswith("exported:"))
    assert m.submitted.isoformat() in exported and m.submitted > p.submitted
    out.write_text(out.read_text().replace("Suzhou", "Shanghai"))
    with pytest.raises(Exception) as exc:
        members.load_export(out)
    assert "checksum mismatch" in str(exc.value)


# ---- collect on the sample ---------------------------------------------------------------------------

def test_collect_reports_and_skips_the_malformed_member(collected):
    res = collected["res"]
    assert res.exit_code == 0, res.output
    assert "8 of 9 roster member(s) responded; 1 missing; 1 late; 1 skipped." in res.output
    skipped = collected["summary"]["skipped"]
    assert len(skipped) == 1 and skipped[0]["source"].endswith("eastline-microdevices")
    assert "profile.yaml:3: YAML syntax error" in skipped[0]["reason"]
    assert "skipped" in res.output and "eastline-microdevices" in res.output


def test_tracker(collected):
    out = collected["out"]
    rows = {r["member"]: r for r in csv.DictReader((out / "tracker.csv").open())}
    assert set(rows) == set(NAMES) | {"Eastline Microdevices"}
    assert rows["Eastline Microdevices"]["kind"] == "missing"
    assert rows["Harbinger Robotics"]["kind"] == rows["Ironwood Analytics"]["kind"] == "form"
    assert rows["Delmar Capital Partners"]["late"] == "yes"
    assert {n for n in NAMES if rows[n]["late"] == "no"} == set(NAMES) - {"Delmar Capital Partners"}
    assert rows["Fulcrum AI Labs"]["kind"] == "export"
    assert rows["Acme Semiconductor Equipment Inc."]["questions_answered"] == "3"
    assert rows["Corvid Quantum Systems"]["disagreements"] == "1"
    assert "annual_transactions: expected a number, got 'about forty'" in rows["Granite Peak Pension Fund"]["problems"]
    md = (out / "tracker.md").read_text()
    assert "**8 of 9 roster member(s) responded; 1 missing**; 1 late" in md and "| Delmar Capital Partners | project | 2023-09-19 11:30 EDT | LATE |" in md
    assert "- Eastline Microdevices <legal@eastline.example.com>" in md
    # an exported response shows when it was exported (21:30 UTC), not the last answer edit (21:05 UTC)
    assert "| Fulcrum AI Labs | export | 2023-09-14 17:30 EDT |" in md
    assert rows["Fulcrum AI Labs"]["submitted"].startswith("2023-09-14T21:30")


def test_aggregates_suppress_small_cells(collected):
    agg = collected["summary"]["aggregates"]
    assert agg["respondents"] == 8 and agg["threshold"] == 3
    cells = [c for t in agg["tables"] for c in t["cells"]]
    assert cells and all(c["count"] is None or c["count"] == 0 or c["count"] >= 3 for c in cells)
    sectors = {c["label"]: c for c in next(t for t in agg["tables"] if t["item"] == "sectors")["cells"]}
    assert sectors["Semiconductors and microelectronics"]["count"] == 5
    assert sectors["Semiconductors and microelectronics"]["share"] == pytest.approx(5 / 8, abs=1e-4)
    # 6 of 8 ticked AI: the 2 who did not could be worked out, so 6 is withheld too
    assert sectors["Artificial intelligence systems"]["count"] is None
    assert sectors["Quantum information technologies"]["count"] is None  # 2 members: suppressed
    md = (collected["out"] / "aggregates.md").read_text()
    assert "| Quantum information technologies | suppressed | — |" in md
    assert "| Artificial intelligence systems | suppressed | — |" in md
    assert "<3" not in md and "## Technology categories in which members are active" in md


def test_compilation_anonymised_with_disagreement_flagged(collected):
    md = (collected["out"] / "compilation.md").read_text()
    for name in NAMES:
        assert f"### {name}" not in md
    exc3 = md.split("## Excepting limited partner investments")[1].split("\n## ")[0]
    assert exc3.count("**DISAGREES**") == 2  # Corvid (project) and Ironwood (Word form)
    assert "does not join the position and changed the locked wording" in exc3
    assert "[-from the program.-] {+only below a de minimis threshold.+}" in exc3
    assert "blanket LP exception would leave that channel open" in exc3
    know2 = md.split("## Diligence expected of U.S. persons")[1].split("\n## ")[0]
    assert "Proposed rewording" in know2 and "{+investee and its principal shareholders.+}" in know2
    assert "DISAGREES" not in know2
    dis = collected["summary"]["disagreements"]
    assert [(d["question"], d["changed_locked"]) for d in dis] == [("exc-3", True), ("exc-3", True)]
    assert "disagreement on exc-3: Corvid Quantum Systems (Member" in collected["res"].output


def test_compilation_attributed_names_members(tmp_path, run):
    root = copy_sample(tmp_path)
    path = root / "assoc" / "association.yaml"
    path.write_text(path.read_text().replace("attribution: anonymised", "attribution: attributed"))
    res = run("collect", root / "assoc", root / "members", "--today", "2023-09-20")
    assert res.exit_code == 0, res.output
    md = (root / "assoc" / "collected" / "compilation.md").read_text()
    assert "### Corvid Quantum Systems — **DISAGREES**" in md
    assert "### Blue Harbor Ventures LP" in md
    draft = (root / "assoc" / "collected" / "consolidated" / "answers" / "exc-3.md").read_text()
    assert "> — Blue Harbor Ventures LP" in draft


def test_consolidated_draft_keeps_association_answers_and_builds(collected, tmp_path):
    root = collected["root"]
    assert tree_digest(root / "assoc" / "answers") == {k[len("answers/"):]: v for k, v in collected["before"].items()
                                                       if k.startswith("answers/")}
    assert tree_digest(root / "members") == collected["members_before"]
    draft = collected["out"] / "consolidated"
    exc3 = (draft / "answers" / "exc-3.md").read_text()
    own = (root / "assoc" / "answers" / "exc-3.md").read_text().split("---\n", 2)[2].strip()
    assert own in exc3
    assert "4 of our 8 responding members addressed this question" in exc3
    assert "did not join" not in exc3 and "fewer than" not in exc3  # 2 of 8 did not join: no sentence
    assert "> — a member company" in exc3
    assert "Blue Harbor" not in exc3 and "[The member] is a limited partner" in exc3
    assert "Not quoted by commentkit: 1 answer from members who did not consent to be quoted." in exc3
    know2 = (draft / "answers" / "know-2.md").read_text()
    assert know2.split("---\n", 2)[2].startswith("The diligence expected of U.S. persons")  # position as text
    bg = (draft / "general" / "background.md").read_text()
    assert "| Semiconductors and microelectronics | 5 | 62% |" in bg
    assert (draft / "general" / "executive-summary.md").read_bytes() == (
        root / "assoc" / "general" / "executive-summary.md").read_bytes()
    res = invoke("build", draft, "--draft", "--out", tmp_path / "letter")
    assert res.exit_code == 0, res.output
    md = next((tmp_path / "letter").glob("*DRAFT.md")).read_text()
    assert "Council for Advanced Technology Investment (“CATI”) respectfully submits" in md
    assert "CATI urges Treasury to except limited partner investments" in md
    assert "Member input inserted by commentkit collect on September 20, 2023" in md
    assert "| Semiconductors and microelectronics | 5 | 62% |" in md
    import docx

    d = docx.Document(str(next((tmp_path / "letter").glob("*.docx"))))
    assert any(t.rows[1].cells[0].text == "Semiconductors and microelectronics" for t in d.tables)


def test_rerun_never_overwrites_an_edited_output(tmp_path, run):
    root = copy_sample(tmp_path)
    args = ("collect", root / "assoc", root / "members", "--today", "2023-09-20")
    assert run(*args).exit_code == 0
    out = root / "assoc" / "collected"
    first = tree_digest(out)
    assert run(*args).exit_code == 0
    assert tree_digest(out) == first  # same inputs, same files
    edited = out / "consolidated" / "answers" / "exc-3.md"
    edited.write_text(edited.read_text() + "\nCounsel's edit.\n")
    res = run(*args)
    assert res.exit_code == 2 and "was edited since 'commentkit collect' wrote it" in res.output
    assert "Counsel's edit." in edited.read_text()
    res = run(*args, "--force")
    assert res.exit_code == 0 and "replaced edited file consolidated/answers/exc-3.md" in res.output
    backups = list((out / ".commentkit" / "backups" / "consolidated" / "answers").glob("exc-3.md.*"))
    assert backups and "Counsel's edit." in backups[0].read_text()


def test_wrong_template_version_or_docket_is_refused_with_reason(tmp_path, run):
    root = copy_sample(tmp_path)
    acme = root / "members" / "acme-semiconductor" / "commentkit.yaml"
    acme.write_text(acme.read_text().replace("\n  version: 1\n", "\n  version: 2\n"))
    bh = root / "members" / "blue-harbor-ventures" / "commentkit.yaml"
    bh.write_text(bh.read_text().replace('template: "cati-outbound-2023"', 'template: "other-assoc-2023"'))
    res = run("collect", root / "assoc", root / "members", "--json")
    assert res.exit_code == 0
    reasons = {Path(s["source"]).name: s["reason"] for s in json.loads(res.stdout)["skipped"]}
    assert reasons["acme-semiconductor"] == ("answers version 2 of template 'cati-outbound-2023', newer than "
                                             "the association's current version 1")
    assert reasons["blue-harbor-ventures"] == "answers template 'other-assoc-2023', not this association's 'cati-outbound-2023'"


def test_duplicate_member_keeps_the_later_response(tmp_path, run):
    root = copy_sample(tmp_path)
    export = root / "members" / "acme-again.yaml"
    res = run("export-response", root / "members" / "acme-semiconductor", "--out", export, "--today", "2023-09-14")
    assert res.exit_code == 0
    res = run("collect", root / "assoc", root / "members", "--json")
    data = json.loads(res.stdout)
    assert [r["name"] for r in data["members"]].count("Acme Semiconductor Equipment Inc.") == 1
    assert data["superseded"] and data["superseded"][0]["member"] == "Acme Semiconductor Equipment Inc."


def test_collect_bad_inputs_are_one_line_errors(tmp_path, run):
    root = copy_sample(tmp_path)
    res = run("collect", tmp_path, root / "members")
    assert res.exit_code == 2 and "not a commentkit project" in res.output
    roster = root / "assoc" / "roster.csv"
    roster.write_text("company,email\nAcme,a@b.c\n")
    res = run("collect", root / "assoc", root / "members")
    assert res.exit_code == 2 and "roster.csv:1: roster's first row must be a header with a 'name' column" in res.output
    roster.write_text("name,email\nAcme,a@b.c\nacme,x@y.z\n")
    res = run("collect", root / "assoc", root / "members")
    assert res.exit_code == 2 and "roster.csv:3: member 'acme' is listed twice (also on line 2)" in res.output


# ---- pure computations ---------------------------------------------------------------------------------

def _fake_members(values: list):
    from commentkit.association.collect import Collection
    from commentkit.association.responses import MemberResponse

    return Collection(members=[MemberResponse(name=f"M{i}", source=Path(f"m{i}"), kind="project", template_id="t",
                                              template_version=1, docket="d", profile={"x": v})
                               for i, v in enumerate(values)])


def test_single_choice_secondary_suppression():
    """With one small cell in a single-answer item, a second cell is hidden so subtraction cannot reveal it."""
    from commentkit.association.collect import aggregates
    from commentkit.models.interview import Interview

    iv = Interview.model_validate({"items": [{"id": "x", "prompt": "Size?", "type": "choice", "choices": [
        {"value": "a", "label": "A"}, {"value": "b", "label": "B"}, {"value": "c", "label": "C"}]}]})
    col = _fake_members(["a"] * 5 + ["b"] * 4 + ["c"])
    cells = aggregates(col, iv, ["x"], 3).tables[0].cells
    assert [(c.label, c.count, c.suppressed) for c in cells] == [("A", 5, None), ("B", None, "secondary"),
                                                                 ("C", None, "small")]
    # members who left it unanswered are a cell of their own
    cells = aggregates(_fake_members(["a"] * 5 + ["b"] * 4 + [None]), iv, ["x"], 3).tables[0].cells
    assert [(c.label, c.count) for c in cells] == [("A", 5), ("B", None), ("C", 0), ("No answer", None)]
    iv2 = Interview.model_validate({"items": [{"id": "x", "prompt": "Which?", "type": "multichoice", "choices": [
        {"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}]})
    cells = aggregates(_fake_members([["a", "b"]] * 4 + [["a"]] * 3), iv2, ["x"], 3).tables[0].cells
    assert [(c.count, c.suppressed) for c in cells] == [(7, None), (4, None)]
    # tick-all: 4 of 5 ticked A reveals the 1 who did not, so A is withheld as well as B (1)
    cells = aggregates(_fake_members([["a"]] * 4 + [["b"]]), iv2, ["x"], 3).tables[0].cells
    assert [(c.count, c.suppressed) for c in cells] == [(None, "small"), (None, "small")]


def test_anonymous_labels_do_not_follow_the_alphabet():
    from commentkit.association.collect import labels

    col = _fake_members([None] * 12)
    names = labels(col, "anonymised")
    ordered = [names[m.key] for m in sorted(col.members, key=lambda m: m.name)]
    assert sorted(ordered) == [f"Member {i:02d}" for i in range(1, 13)]
    assert ordered != sorted(ordered)


def test_word_diff_and_redaction():
    from commentkit.association.collect import redact_name, word_diff

    assert word_diff("a b c d", "a x c d e") == "a [-b-] {+x+} c d {+e+}"
    assert redact_name("Blue Harbor's funds; blue harbor agrees", "Blue Harbor Ventures LP") == \
        "[The member's] funds; [the member] agrees"
    assert redact_name("Acme formed a JV", "Acme Semiconductor Equipment Inc.") == "[The member] formed a JV"
    assert redact_name("We formed a JV", "Zo Inc.") == "We formed a JV"


def test_collect_scales_to_many_generated_members(tmp_path):
    """300 generated members are all read; per-member work is the same at 100 and 300 (counted, not timed)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("synth", SAMPLE / "synth_members.py")
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    root = copy_sample(tmp_path)
    synth.generate(tmp_path / "gen", 300, template=root / "member-template.yaml")
    res = invoke("collect", root / "assoc", tmp_path / "gen", "--json")
    data = json.loads(res.stdout)
    assert res.exit_code == 0 and data["responses"] == 300 and not data["skipped"]
    cells = [c for t in data["aggregates"]["tables"] for c in t["cells"]]
    assert all(c["count"] is None or c["count"] == 0 or c["count"] >= 3 for c in cells)


def test_templates_an_association_distributes_run_in_the_sandbox(tmp_path, run):
    """A hostile letter template inside a member template cannot escape: the member's build stops
    with a one-line error naming the template, and writes no letter."""
    root = copy_sample(tmp_path)
    assoc = root / "assoc"
    (assoc / "templates" / "partials").mkdir(parents=True)
    (assoc / "templates" / "partials" / "signature.md.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    out = tmp_path / "t.yaml"
    assert run("template", "create", assoc, "--out", out).exit_code == 0
    member = tmp_path / "m"
    assert run("init", member, "--from-template", out, "--commenter", "Zeta Corp.").exit_code == 0
    res = run("build", member, "--out", tmp_path / "build")
    assert res.exit_code == 2, res.output
    assert "signature.md.j2:1: refused (unsafe operation in a sandboxed template)" in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not list(tmp_path.glob("build/*.docx"))


def test_collect_writes_nothing_outside_its_output_folder(tmp_path, run):
    """Paths in the association's project file that point outside it are not copied into the draft
    (nothing is written outside the output folder), and a tampered manifest cannot delete files."""
    root = copy_sample(tmp_path)
    assoc = root / "assoc"
    (root / "outside.docx").write_bytes((SAMPLE.parent.parent / "templates" / "reference.docx").read_bytes())
    cfg = assoc / "commentkit.yaml"
    cfg.write_text(cfg.read_text().replace("reference_docx: null", 'reference_docx: "../outside.docx"'))
    before = sorted(p.name for p in root.iterdir())
    assert run("collect", assoc, root / "members", "--today", "2023-09-20").exit_code == 0
    assert sorted(p.name for p in root.iterdir()) == before
    out = assoc / "collected"
    victim = root / "victim.txt"
    victim.write_text("keep me")
    manifest = json.loads((out / ".collect-manifest.json").read_text())
    manifest["files"]["../../victim.txt"] = hashlib.sha256(b"keep me").hexdigest()
    (out / ".collect-manifest.json").write_text(json.dumps(manifest))
    assert run("collect", assoc, root / "members", "--today", "2023-09-20").exit_code == 0
    assert victim.read_text() == "keep me"


# ---- QA findings: errors with lines, roster rows, headline counts ---------------------------------------

def test_positions_error_names_line_and_question(tmp_path, run):
    root = copy_sample(tmp_path)
    pos = root / "members" / "acme-semiconductor" / "positions.yaml"
    text = pos.read_text()
    pos.write_text(text.replace("cov-tx-4:\n  agree: true", "cov-tx-4:\n  agree: maybe", 1))
    line = pos.read_text().splitlines().index("  agree: maybe") + 1
    res = run("collect", root / "assoc", root / "members", "--json")
    data = json.loads(res.stdout)
    reasons = [s["reason"] for s in data["skipped"] if s["source"].endswith("acme-semiconductor")]
    assert reasons and f"positions.yaml:{line}: question cov-tx-4: agree: Input should be a valid boolean" in reasons[0]


def test_malformed_roster_row_stops_with_file_and_line(tmp_path, run):
    root = copy_sample(tmp_path)
    roster = root / "assoc" / "roster.csv"
    roster.write_text(roster.read_text() + 'garbage,"unterminated\n')
    n = len(roster.read_text().splitlines())
    res = run("collect", root / "assoc", root / "members")
    assert res.exit_code == 2
    assert f"roster.csv:{n}: not a valid CSV row (a quoted cell is not closed on this line)" in res.output
    assert len(res.output.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert not (root / "assoc" / "collected").exists()
    roster.write_text("name,email\nAcme, Inc.,a@b.c\n")
    res = run("collect", root / "assoc", root / "members")
    assert res.exit_code == 2 and "roster.csv:2: row has 3 cells but the header has 2" in res.output


def test_headline_counts_off_roster_and_empty_responses_apart(tmp_path, run):
    root = copy_sample(tmp_path)
    stranger = root / "members" / "stranger"
    res = run("init", stranger, "--from-template", root / "member-template.yaml", "--commenter", "Zenith Holdings")
    assert res.exit_code == 0, res.output
    res = run("collect", root / "assoc", root / "members", "--json")
    data = json.loads(res.stdout)
    assert data["headline"] == ("8 of 9 roster member(s) responded; 1 missing; 1 response(s) from outside the "
                                "roster (1 returned empty)")
    assert data["returned_empty"] == ["Zenith Holdings"]
    assert data["aggregates"]["respondents"] == 8 and data["aggregates"]["returned_empty"] == 1
    agg = (root / "assoc" / "collected" / "aggregates.md").read_text()
    assert "Based on 8 responding members (1 response returned empty is not counted)" in agg
    md = (root / "assoc" / "collected" / "tracker.md").read_text()
    assert "| Zenith Holdings | project, returned empty |" in md
