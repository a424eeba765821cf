"""commentkit check: findings on a ready sample, on a deliberately damaged copy, and the
scanners (placeholders, personal data, confidential markers, comment-box bound) on their own."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, SAMPLES, reapprove, user_pack_dir

READY_DAY = "2023-09-25"  # three business days before the ANPRM deadline


@pytest.fixture
def sample(tmp_path):
    dest = tmp_path / "semiconductor-jv"
    shutil.copytree(SAMPLES / "semiconductor-jv", dest, ignore=shutil.ignore_patterns("build", ".commentkit"))
    return dest


def _check(run, root, *extra):
    res = run("check", root, "--json", "--today", READY_DAY, *extra)
    return res, json.loads(res.stdout)


def _codes(data, severity=None):
    return [f["code"] for f in data["findings"] if severity is None or f["severity"] == severity]


def _append(path, text):
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")
    reapprove(path)


def _set_status(path, status):
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^status: \w+$", f"status: {status}", text, count=1), encoding="utf-8")


def _install_pack(pack_copy, **changes):
    """Install a user copy of the ANPRM pack with docket.yaml fields changed."""
    text = (pack_copy / "docket.yaml").read_text(encoding="utf-8")
    for key, value in changes.items():
        text, n = re.subn(rf"(?m)^{key}: .*$", f"{key}: {value}", text)
        assert n == 1, key
    (pack_copy / "docket.yaml").write_text(text, encoding="utf-8")
    dest = user_pack_dir() / pack_copy.name
    shutil.copytree(pack_copy, dest)
    from commentkit.dockets import catalog as packs

    packs.load_path.cache_clear()
    return dest


# ---- the ready sample --------------------------------------------------------------------------

@pytest.mark.parametrize("name,letter", [("semiconductor-jv", "meridian-deposition-systems-inc"),
                                         ("vc-ai-lp", "harborline-ventures-management-llc")])
def test_ready_samples_exit_0_with_no_errors_or_warnings(run, tmp_path, name, letter):
    sample = tmp_path / name
    shutil.copytree(SAMPLES / name, sample, ignore=shutil.ignore_patterns("build", ".commentkit"))
    res, data = _check(run, sample)
    assert res.exit_code == 0, res.stdout
    assert data["ready"] is True
    assert data["counts"]["error"] == 0 and data["counts"]["warning"] == 0, data["findings"]
    assert data["comment_box"]["fits"] is True and data["comment_box"]["at_most"] <= 5000
    assert [u["name"] for u in data["uploads"]] == [f"TREAS-DO-2023-0009-{letter}.pdf"]
    text = run("check", sample, "--today", READY_DAY)
    assert text.exit_code == 0
    assert "Ready to file: 0 errors, 0 warnings" in text.stdout


def test_check_writes_nothing(run, sample):
    before = {p: p.read_bytes() for p in sample.rglob("*") if p.is_file()}
    run("check", sample, "--today", READY_DAY)
    after = {p: p.read_bytes() for p in sample.rglob("*") if p.is_file() and ".commentkit" not in p.parts}
    assert after == {p: b for p, b in before.items() if ".commentkit" not in p.parts}


def test_not_a_project_is_a_usage_error(run, tmp_path):
    res = run("check", tmp_path)
    assert res.exit_code == 2
    assert "not a commentkit project" in res.stderr


# ---- a deliberately unready copy ----------------------------------------------------------------

def test_unready_project_lists_each_finding_and_exits_1(run, sample):
    answers = sample / "answers"
    _set_status(answers / "cov-tx-3.md", "review")  # a core question not final
    _append(answers / "cfe-1.md", "TODO: add the 2022 revenue figure. The JV has [insert number] staff, about XX "
                                  "percent of them engineers.")
    _append(answers / "def-3.md", "Questions to jane.doe@gmail.com or (212) 555-0199.")
    (answers / "scope-2.md").write_text("---\nquestion: scope-2\nstatus: draft\n---\nSome early thoughts.\n",
                                        encoding="utf-8")
    (sample / "general" / "executive-summary.md").unlink()
    prof = sample / "profile.yaml"
    prof.write_text(re.sub(r"(?m)^signatory_name: .*\n", "", prof.read_text(encoding="utf-8")), encoding="utf-8")
    att = sample / "attachments"
    att.mkdir()
    (att / "Exhibit A.exe").write_bytes(b"MZ")
    with open(att / "Exhibit B.pdf", "wb") as fh:  # 11 MB, sparse
        fh.truncate(11 * 1024 * 1024)

    res, data = _check(run, sample)
    assert res.exit_code == 1
    assert data["ready"] is False
    by_code = {}
    for f in data["findings"]:
        by_code.setdefault(f["code"], []).append(f)
    core = by_code["core-open"]
    assert [f["where"] for f in core] == ["cov-tx-3"] and "still in review" in core[0]["message"]
    assert core[0]["severity"] == "error"
    ph = {f["message"].split("placeholder ")[-1].split(" left")[0]: f for f in by_code["placeholder"]}
    assert {"'TODO'", "'[insert number]'", "'XX'"} <= set(ph)
    cfe = (answers / "cfe-1.md").read_text(encoding="utf-8").split("\n")
    line = ph["'TODO'"]["line"]
    assert "TODO" in cfe[line - 1] and ph["'TODO'"]["path"] == "answers/cfe-1.md"
    pd = by_code["personal-data"]
    assert {f["severity"] for f in pd} == {"warning"}
    assert any("jane.doe@gmail.com" in f["message"] for f in pd) and any("555-0199" in f["message"] for f in pd)
    assert by_code["not-final"][0]["where"] == "scope-2" and by_code["not-final"][0]["severity"] == "warning"
    assert by_code["no-executive-summary"][0]["severity"] == "warning"
    assert by_code["no-signatory"][0]["severity"] == "error"
    assert by_code["file-type"][0]["where"] == "attachments/Exhibit A.exe"
    assert by_code["file-size"][0]["where"] == "attachments/Exhibit B.pdf"

    text = run("check", sample, "--today", READY_DAY)
    assert text.exit_code == 1
    assert "NOT READY to file" in text.stdout
    assert "answers/cfe-1.md:" in text.stdout and "core question cov-tx-3" in text.stdout


def test_core_findings_agree_with_status(run, sample):
    for qid in ("semi-2", "know-2"):
        _set_status(sample / "answers" / f"{qid}.md", "draft")
    (sample / "answers" / "exm-1.md").unlink()
    status = json.loads(run("status", sample, "--json", "--today", READY_DAY).stdout)
    _, data = _check(run, sample)
    assert sorted(q["question_id"] for q in status["core_open"]) == sorted(
        f["where"] for f in data["findings"] if f["code"] == "core-open")
    assert {"semi-2", "know-2", "exm-1"} <= {q["question_id"] for q in status["core_open"]}


def test_skipping_a_core_question_settles_it(run, sample):
    _set_status(sample / "answers" / "pen-2.md", "draft")
    assert _check(run, sample)[0].exit_code == 1
    res = run("mark", "pen-2", "skip", sample, "--reason", "not our issue")
    assert res.exit_code == 0, res.output
    res, data = _check(run, sample)
    assert res.exit_code == 0, data["findings"]


def test_deadline_passed_is_an_error_and_near_is_a_warning(run, sample):
    res = run("check", sample, "--json", "--today", "2023-10-02")
    data = json.loads(res.stdout)
    assert res.exit_code == 1 and "deadline-passed" in _codes(data, "error")
    # 27 Sept: one business day left, fewer than the last milestone (Sign-off, 2 business days)
    res, data = _check(run, sample, "--today", "2023-09-27")
    assert "deadline-near" in _codes(data, "warning")
    assert res.exit_code == 0
    strict = run("check", sample, "--strict", "--today", "2023-09-27")
    assert strict.exit_code == 1 and "warnings (--strict)" in strict.stdout


def test_final_but_empty_answer_and_empty_heading(run, sample):
    (sample / "answers" / "scope-2.md").write_text("---\nquestion: scope-2\nstatus: final\n---\n\n", encoding="utf-8")
    _append(sample / "answers" / "notif-2.md", "## Timing\n\n## Content\n\nThe notice should ask for less.")
    res, data = _check(run, sample)
    assert res.exit_code == 1
    assert [f["where"] for f in data["findings"] if f["code"] == "empty-final"] == ["scope-2"]
    empty = [f for f in data["findings"] if f["code"] == "empty-section"]
    assert len(empty) == 1 and "'## Timing'" in empty[0]["message"]


def test_comment_box_over_the_limit_is_measured_exactly(run, sample):
    es = sample / "general" / "executive-summary.md"
    para = "Treasury should define covered transactions narrowly and predictably. " * 12
    _append(es, "\n\n".join([para] * 7))
    res, data = _check(run, sample)
    assert res.exit_code == 1
    box = data["comment_box"]
    assert box["exact"] is True and box["characters"] > 5000 and box["fits"] is False
    build = run("build", sample, "--format", "txt", "--out", sample / "b", "--json")
    assert json.loads(build.stdout)["comment_box"]["characters"] == box["characters"]
    assert "comment-box" in _codes(data, "error")


def test_contact_in_text_is_a_note_not_a_warning(run, sample):
    _append(sample / "answers" / "cfe-1.md", "Write to trade.compliance@meridian-deposition.example.")
    _, data = _check(run, sample)
    assert "contact-in-text" in _codes(data, "note") and "personal-data" not in _codes(data)


# ---- confidential material ----------------------------------------------------------------------

def test_confidential_marked_where_the_docket_refuses_it_is_an_error(run, sample):
    _append(sample / "answers" / "cov-tx-3.md", "Our margin was [[BCI]]11.2 percent[[/BCI]].")
    res, data = _check(run, sample)
    assert res.exit_code == 1
    f = next(f for f in data["findings"] if f["code"] == "confidential-not-accepted")
    assert f["where"] == "cov-tx-3" and "does not accept confidential" in f["message"]
    body = (sample / "answers" / "cov-tx-3.md").read_text(encoding="utf-8").split("\n")
    assert "[[BCI]]" in body[f["line"] - 1]


def test_confidential_markers_that_would_leak_into_the_public_version(run, sample, pack_copy):
    _install_pack(pack_copy, confidential_submissions="true")
    _append(sample / "answers" / "cov-tx-3.md",
            "Revenue was [[BCI]]USD 41.7 million[[/BCI]] in 2022.\n\n"
            "Our largest customer is Hua Xin Fab 3[[/BCI]] and it buys legacy tools.\n\n"
            "[[BCI]]The second paragraph starts here\n\nand is meant to continue here.[[/BCI]]\n\n"
            "The price list is CONFIDENTIAL and [BCI]not for the public[/BCI].")
    res, data = _check(run, sample)
    assert res.exit_code == 1
    msgs = [f["message"] for f in data["findings"] if f["code"] == "confidential-marker"]
    assert any("never opened" in m for m in msgs)
    assert any("not closed in this paragraph" in m for m in msgs)
    assert any("'[BCI]' looks like a confidential marker" in m for m in msgs)
    assert "unmarked-confidential" in _codes(data, "warning")
    assert "confidential-not-accepted" not in _codes(data)
    assert [u["name"][:4] for u in data["uploads"]] == ["P-TR", "BCI-"]


def test_docket_id_missing_from_the_letter(run, sample, pack_copy):
    _install_pack(pack_copy, docket_id="null")
    res, data = _check(run, sample)
    assert res.exit_code == 1
    f = next(f for f in data["findings"] if f["code"] == "no-docket-id")
    assert "docket ID missing from the letter" in f["message"]


def test_template_override_dropping_the_rin(run, sample):
    src = (REPO / "templates" / "partials" / "letterhead.md.j2").read_text(encoding="utf-8")
    assert "RIN\u00a0{{ docket.rin }}" in src
    dest = sample / "templates" / "partials" / "letterhead.md.j2"
    dest.parent.mkdir(parents=True)
    dest.write_text(src.replace("{% if docket.rin %}, RIN\u00a0{{ docket.rin }}{% endif %}", ""), encoding="utf-8")
    res, data = _check(run, sample)
    assert res.exit_code == 1
    assert any("RIN 1505-AC82 missing from the letter" in f["message"] for f in data["findings"])


# ---- the scanners -------------------------------------------------------------------------------

FLAGGED = ["TODO check this", "The fee is TBD.", "FIXME", "about XX percent", "in 20XX", "$XX million",
           "[insert date]", "[Insert citation to the EAR]", "[CLIENT NAME]", "[___]", "[●]", "{{ company }}",
           "<<Client>>", "[company]", "[name of fund]", "[ ]"]
NOT_FLAGGED = ["[BUSINESS CONFIDENTIAL INFORMATION REDACTED]", "see [the notice](https://www.federalregister.gov)",
               "a footnote.[^1]", "[^1]: The source.", "[[BCI]]USD 4 million[[/BCI]]", "[t]he Secretary",
               "[T]his rule", "the rule [sic] says", "as follows [...] and", "[emphasis added]",
               "Title XX of the Act", "[1] Treasury", "see [EAR][ear-def] and", "[ear-def]: https://x.example",
               "the XXI century", "[internal citations omitted]", "ECCN 3A090", "[the Secretary] shall"]


@pytest.mark.parametrize("text", FLAGGED)
def test_placeholders_are_flagged(text):
    from commentkit.filing.preflight import scan_placeholders

    assert scan_placeholders(text), text


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_legitimate_text_is_not_a_placeholder(text):
    from commentkit.filing.preflight import scan_placeholders

    assert scan_placeholders(text) == [], text


def test_placeholder_line_numbers():
    from commentkit.filing.preflight import scan_placeholders

    hits = scan_placeholders("First line.\n\nSecond [insert figure] here.\nThird TBD.")
    assert [(h.line, h.text) for h in hits] == [(3, "[insert figure]"), (4, "TBD")]


def test_personal_data_patterns():
    from commentkit.filing.preflight import scan_personal_data

    hits = [(h.kind, h.text) for h in scan_personal_data(
        "Call +1 (202) 555-0143 or 202.555.0143 (or +86 21 5555 0142), write to a.b@example.org; "
        "SSN 123-45-6789.")]
    assert sorted(hits) == sorted([("e-mail address", "a.b@example.org"),
                                   ("Social Security number", "123-45-6789"),
                                   ("phone number", "+1 (202) 555-0143"), ("phone number", "202.555.0143"),
                                   ("phone number", "+86 21 5555 0142")])
    quiet = ("88 FR 54961-54972, FR Doc. 2023-17164, RIN 1505-AC82, 31 CFR 800.101, due 2023-09-28, "
             "ECCN 3A090, 16/14 nm, 128 layers, USD 41,700,000, https://www.regulations.gov/docket/TREAS-DO-2023-0009")
    assert scan_personal_data(quiet) == []


def test_bci_problems_and_passages():
    from commentkit.filing.preflight import bci_problems, confidential_passages, outside_bci

    ok = "Revenue was [[BCI]]USD 4\nmillion[[/BCI]] and\n\n- a list [[BCI]]item[[/BCI]]\n- next"
    assert bci_problems(ok) == []
    assert confidential_passages(ok) == ["USD 4 million", "item"]
    blank = outside_bci(ok)
    assert "USD" not in blank and "Revenue was" in blank and len(blank) == len(ok)
    bad = "- first [[BCI]]open\n- second closes[[/BCI]]"
    lines = sorted(p.line for p in bci_problems(bad))
    assert lines == [1, 2]


def test_check_json_imports_no_word_writer_or_http_client():
    # check builds the letter with the build's own code (it measures the comment box the way
    # build writes it), so the Markdown parser is loaded; python-docx, lxml and httpx are not
    code = ("import sys, io, contextlib\n"
            "from commentkit.cli import main\n"
            "buf = io.StringIO()\n"
            "try:\n"
            "    with contextlib.redirect_stdout(buf):\n"
            f"        main(['check', {str(SAMPLES / 'semiconductor-jv')!r}, '--json', '--today', '{READY_DAY}'])\n"
            "except SystemExit:\n"
            "    pass\n"
            "import json\n"
            "assert json.loads(buf.getvalue())['findings'] is not None\n"
            "print(','.join(m for m in sys.modules if m.split('.')[0] in ('docx', 'httpx', 'lxml')))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_a_word_inside_a_bracketed_placeholder_is_one_finding():
    from commentkit.filing.preflight import scan_placeholders

    assert [h.text for h in scan_placeholders("Signed by [NAME TBD], and TODO.")] == ["TODO", "[NAME TBD]"]


def test_missing_reference_word_file_is_an_error(run, sample):
    cfg = sample / "commentkit.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("reference_docx: null", "reference_docx: letterhead.docx"),
                   encoding="utf-8")
    res, data = _check(run, sample)
    assert res.exit_code == 1
    f = next(f for f in data["findings"] if f["code"] == "reference-docx")
    assert "letterhead.docx" in f["message"] and "not found" in f["message"]
    pkg = run("package", sample, "--out", sample.parent / "out", "--no-pdf", "--today", READY_DAY)
    assert pkg.exit_code == 2 and "reference Word file not found" in pkg.stderr
    assert not (sample.parent / "out").exists()
