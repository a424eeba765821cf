"""commentkit package: the submission folder, its safety rules, and the public/confidential
versions (the redaction test unzips the public Word file and searches every part)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import QUESTIONS, SAMPLES, reapprove

DAY = "2023-09-25"
BASE = "TREAS-DO-2023-0009-meridian-deposition-systems-inc"
HAS_SOFFICE = shutil.which("soffice") is not None

V4_NAMES = {"commentOnDocumentId", "comment", "submitterType", "firstName", "lastName", "organization",
            "organizationType", "category", "email", "phone", "country", "stateProvinceRegion",
            "sendEmailReceipt", "files"}

# Confidential passages written into the confidential fixture, in every kind of place a
# writer handles: a paragraph, a list item, a heading, a table cell, a quote, a footnote.
SECRETS = ["USD 41.7 million from Qorvane", "Hua Xin Fab 3 in Quzhou", "Project Lanternfish",
           "margin of 11.2 percent", "Zenith Quantum Semiconductor Ltd", "Suzhou Precision Capex 2024"]
TOKENS = ["41.7", "Qorvane", "Hua Xin", "Quzhou", "Lanternfish", "11.2 percent", "Zenith", "Capex 2024"]
"""Words of the passages that appear nowhere else in the letter."""


def _invoke(args, env=None):
    """Run the CLI in-process (click's runner) with the current environment."""
    from click.testing import CliRunner

    from commentkit.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def _copy_sample(dest: Path) -> Path:
    shutil.copytree(SAMPLES / "semiconductor-jv", dest, ignore=shutil.ignore_patterns("build", ".commentkit"))
    return dest


@contextlib.contextmanager
def _data_dir(path: Path):
    """COMMENTKIT_DATA_DIR for a module-scoped fixture (the autouse fixture is per test)."""
    from commentkit.dockets import catalog as packs

    saved = {k: os.environ.get(k) for k in ("COMMENTKIT_DATA_DIR", "COMMENTKIT_TODAY", "COMMENTKIT_NOW")}
    os.environ["COMMENTKIT_DATA_DIR"] = str(path)
    packs.load_path.cache_clear()
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        packs.load_path.cache_clear()


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    """The ready sample packaged once (with a PDF when LibreOffice is installed)."""
    root = tmp_path_factory.mktemp("pkg")
    proj = _copy_sample(root / "proj")
    out = root / "filing"
    with _data_dir(root / "data"):
        res = _invoke(["package", proj, "--out", out, "--today", DAY])
        build = _invoke(["build", proj, "--out", root / "build", "--format", "txt", "--date", DAY])
    assert build.exit_code == 0, build.output
    return proj, out, res, root / "build"


def test_package_lays_out_the_folder(packaged):
    proj, out, res, _ = packaged
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    expected = ["CHECKLIST.md", f"{BASE}.docx", "comment-box.txt", "submitter.json", ".commentkit-package.json"]
    if HAS_SOFFICE:
        expected.append(f"{BASE}.pdf")
    assert names == sorted(expected)
    assert f"Wrote {out}/" in res.stdout


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice is not installed")
def test_pdf_is_a_real_letter(packaged):
    _, out, _, _ = packaged
    pdf = out / f"{BASE}.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
    if info.returncode == 0:
        pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
        assert 5 <= pages <= 40


def test_comment_box_is_the_builds_text(packaged):
    _, out, _, build = packaged
    box = (out / "comment-box.txt").read_text(encoding="utf-8")
    assert box == (build / f"{BASE}-comment-box.txt").read_text(encoding="utf-8")
    assert len(box) <= 5000 and "TREAS-DO-2023-0009" in box


def test_docx_is_the_final_letter(packaged):
    import docx

    _, out, _, _ = packaged
    d = docx.Document(str(out / f"{BASE}.docx"))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "Docket No.\u00a0TREAS-DO-2023-0009" in text and "RIN\u00a01505-AC82" in text
    assert "DRAFT" not in text
    assert "David R. Okafor" in text


def test_submitter_json_uses_the_api_names_and_says_what_is_missing(packaged):
    _, out, _, _ = packaged
    data = json.loads((out / "submitter.json").read_text(encoding="utf-8"))
    attrs = data["data"]["attributes"]
    assert set(attrs) == V4_NAMES
    assert attrs["submitterType"] == "ORGANIZATION"
    assert attrs["organization"] == "Meridian Deposition Systems, Inc."
    assert (attrs["firstName"], attrs["lastName"]) == ("Elena", "Castellano")
    assert attrs["email"] == "trade.compliance@meridian-deposition.example"
    assert (attrs["country"], attrs["stateProvinceRegion"]) == ("United States", "California")
    assert attrs["comment"] == (out / "comment-box.txt").read_text(encoding="utf-8")
    assert attrs["files"] == [f"{BASE}.pdf" if HAS_SOFFICE else f"{BASE}.docx"]
    missing = data["commentkit"]["missing"]
    assert attrs["commentOnDocumentId"] is None and "commentOnDocumentId" in missing
    assert attrs["category"] is None and "category" in missing


def test_checklist_has_each_step_and_the_check_result(packaged):
    _, out, _, _ = packaged
    text = (out / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "**Ready to file: 0 errors, 0 warnings" in text
    steps = re.findall(r"(?m)^\d+\. \[ \] (.*)$", text)
    assert len(steps) >= 5
    assert "https://www.regulations.gov/docket/TREAS-DO-2023-0009" in steps[0]
    assert "comment-box.txt" in steps[1] and "of 5,000 characters" in steps[1]
    upload = f"{BASE}.pdf" if HAS_SOFFICE else f"{BASE}.docx"
    assert upload in steps[2]
    assert any("tracking number" in s for s in steps)
    assert "Thursday 28 September 2023, 23:59 EDT" in text
    for name in ("comment-box.txt", "submitter.json", f"{BASE}.docx"):
        assert f"`{name}`" in text


def test_manifest_records_every_file(packaged):
    import hashlib

    _, out, _, _ = packaged
    man = json.loads((out / ".commentkit-package.json").read_text(encoding="utf-8"))
    on_disk = {p.name for p in out.iterdir() if p.name != ".commentkit-package.json"}
    assert set(man["files"]) == on_disk
    for name, digest in man["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


# ---- the output folder is never clobbered ----------------------------------------------------------

def test_refuses_a_folder_with_the_users_files(run, tmp_path):
    proj = _copy_sample(tmp_path / "proj")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.docx").write_bytes(b"my notes")
    res = run("package", proj, "--out", out, "--no-pdf", "--today", DAY)
    assert res.exit_code == 2
    assert "not a commentkit package" in res.stderr
    assert [p.name for p in out.iterdir()] == ["notes.docx"]
    assert (out / "notes.docx").read_bytes() == b"my notes"
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]


def test_replaces_an_unchanged_package_but_keeps_edits(run, tmp_path):
    proj = _copy_sample(tmp_path / "proj")
    out = tmp_path / "out"
    assert run("package", proj, "--out", out, "--no-pdf", "--today", DAY).exit_code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("package", proj, "--out", empty, "--no-pdf", "--today", DAY).exit_code == 0
    # an unchanged earlier package is replaced, with the new content
    _append_answer(proj / "answers" / "cfe-1.md", "A new closing sentence for the package test.")
    assert run("package", proj, "--out", out, "--no-pdf", "--today", DAY).exit_code == 0
    import docx

    text = "\n".join(p.text for p in docx.Document(str(out / f"{BASE}.docx")).paragraphs)
    assert "A new closing sentence for the package test." in text
    # a file edited inside the package is never overwritten
    letter = out / f"{BASE}.docx"
    edited = letter.read_bytes() + b"\0"
    letter.write_bytes(edited)
    res = run("package", proj, "--out", out, "--no-pdf", "--today", DAY)
    assert res.exit_code == 2 and "changed since commentkit packaged it" in res.stderr
    assert letter.read_bytes() == edited
    # nor is a file the user added
    letter.write_bytes(edited[:-1])
    (out / "cover note.txt").write_text("mine", encoding="utf-8")
    res = run("package", proj, "--out", out, "--no-pdf", "--today", DAY)
    assert res.exit_code == 2 and "cover note.txt was not written by commentkit" in res.stderr
    assert (out / "cover note.txt").read_text(encoding="utf-8") == "mine"


def test_without_libreoffice_it_says_so(tmp_path, monkeypatch):
    proj = _copy_sample(tmp_path / "proj")
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    out = tmp_path / "out"
    res = _invoke(["package", proj, "--out", out, "--today", DAY])
    assert res.exit_code == 0, res.output
    assert "LibreOffice (soffice) is not installed" in res.stdout
    assert "LibreOffice (soffice) is not installed" in (out / "CHECKLIST.md").read_text(encoding="utf-8")
    assert not list(out.glob("*.pdf"))
    attrs = json.loads((out / "submitter.json").read_text(encoding="utf-8"))["data"]["attributes"]
    assert attrs["files"] == [f"{BASE}.docx"]


def test_unready_package_exits_1_and_the_checklist_says_not_ready(run, tmp_path):
    proj = _copy_sample(tmp_path / "proj")
    _append_answer(proj / "answers" / "cfe-1.md", "We will add [insert figure] here.")
    att = proj / "attachments"
    att.mkdir()
    (att / "Exhibit 1 - cost study.pdf").write_bytes(b"%PDF-1.4 exhibit")
    (att / "data.csv").write_text("a,b\n", encoding="utf-8")
    out = tmp_path / "out"
    res = run("package", proj, "--out", out, "--no-pdf", "--today", DAY)
    assert res.exit_code == 1
    text = (out / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "**NOT READY to file" in text
    assert "[insert figure]" in text and "data.csv" in text
    assert (out / "Exhibit 1 - cost study.pdf").read_bytes() == b"%PDF-1.4 exhibit"
    attrs = json.loads((out / "submitter.json").read_text(encoding="utf-8"))["data"]["attributes"]
    assert attrs["files"] == [f"{BASE}.docx", "data.csv", "Exhibit 1 - cost study.pdf"]


def _append_answer(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")
    reapprove(path)


# ---- confidential and public versions ----------------------------------------------------------

CONFIDENTIAL_ANSWER = f"""
In 2022 the joint venture earned [[BCI]]{SECRETS[0]}[[/BCI]], most of it from one customer.

- Our largest customer is [[BCI]]{SECRETS[1]}[[/BCI]].
- The rest are mature-node fabs.

### Our expansion plan [[BCI]]{SECRETS[2]}[[/BCI]]

| Line | Margin |
|---|---|
| Refurbishment | [[BCI]]{SECRETS[3]}[[/BCI]] |

> A buyer named [[BCI]]{SECRETS[4]}[[/BCI]] approached us.

The plan is described in a note.[^plan]

[^plan]: Internal name: [[BCI]]{SECRETS[5]}[[/BCI]].
"""


@pytest.fixture(scope="module")
def confidential_package(tmp_path_factory):
    """A user copy of the ANPRM pack that accepts confidential submissions, a project whose
    answer marks confidential passages everywhere, packaged once (PDF when available)."""
    root = tmp_path_factory.mktemp("conf")
    data = root / "data"
    pack = data / "dockets" / "TREAS-DO-2023-0009"
    shutil.copytree(QUESTIONS / "TREAS-DO-2023-0009", pack)
    yml = pack / "docket.yaml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("confidential_submissions: false",
                                                           "confidential_submissions: true"), encoding="utf-8")
    proj = _copy_sample(root / "proj")
    _append_answer(proj / "answers" / "cov-tx-3.md", CONFIDENTIAL_ANSWER)
    out = root / "filing"
    with _data_dir(data):
        res = _invoke(["package", proj, "--out", out, "--today", DAY])
    return out, res


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}


def _visible(xml: str) -> str:
    return re.sub(r"<[^>]+>", "", xml)


def test_confidential_docket_gives_bci_and_p_files(confidential_package):
    out, res = confidential_package
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {f"BCI-{BASE}.docx", f"P-{BASE}.docx"} <= names
    text = (out / "CHECKLIST.md").read_text(encoding="utf-8")
    assert f"`BCI-{BASE}.docx`" in text or f"`BCI-{BASE}.pdf`" in text


def test_public_version_holds_no_redacted_text_anywhere(confidential_package):
    out, _ = confidential_package
    parts = _parts(out / f"P-{BASE}.docx")
    for name in ("word/document.xml", "word/footnotes.xml", "docProps/core.xml", "docProps/custom.xml"):
        assert name in parts, name
    assert any(n.startswith("word/header") for n in parts)
    everything = "\n".join(parts.values())
    flat = _visible(everything)
    for word in SECRETS + TOKENS:
        assert word not in everything and word not in flat, word
    redacted = "[BUSINESS CONFIDENTIAL INFORMATION REDACTED]"
    assert _visible(parts["word/document.xml"]).count(redacted) >= 5
    assert redacted in _visible(parts["word/footnotes.xml"])
    box = (out / "comment-box.txt").read_text(encoding="utf-8")
    assert not any(s in box for s in SECRETS)
    sub = (out / "submitter.json").read_text(encoding="utf-8")
    assert not any(s in sub for s in SECRETS)


def test_confidential_version_is_marked_on_every_page_and_bracketed(confidential_package):
    out, _ = confidential_package
    parts = _parts(out / f"BCI-{BASE}.docx")
    headers = [_visible(x) for n, x in parts.items() if re.match(r"word/header\d*\.xml$", n)]
    assert len(headers) >= 2 and all("BUSINESS CONFIDENTIAL" in h for h in headers)
    body = _visible(parts["word/document.xml"]) + _visible(parts["word/footnotes.xml"])
    for secret in SECRETS:
        assert secret in body
        assert re.search(r"\[\[[^\]]*" + re.escape(secret), body), secret


@pytest.mark.skipif(not HAS_SOFFICE or not shutil.which("pdftotext"), reason="needs LibreOffice and pdftotext")
def test_pdfs_keep_the_marking_and_the_redaction(confidential_package):
    out, _ = confidential_package
    conf = subprocess.run(["pdftotext", str(out / f"BCI-{BASE}.pdf"), "-"], capture_output=True, text=True).stdout
    pages = conf.split("\f")
    pages = [p for p in pages if p.strip()]
    assert pages and all("BUSINESS CONFIDENTIAL" in p for p in pages)
    pub = subprocess.run(["pdftotext", str(out / f"P-{BASE}.pdf"), "-"], capture_output=True, text=True).stdout
    assert "REDACTED" in pub and not any(s in " ".join(pub.split()) for s in SECRETS)


def test_leak_guard_finds_text_in_a_public_file(tmp_path):
    from commentkit.filing.package import leaked_passages

    class _Ans:
        body = "We earned [[BCI]]USD 9 million[[/BCI]]."

    class _Proj:
        answers = {"x": _Ans()}

    leaky = tmp_path / "leaky.docx"
    with zipfile.ZipFile(leaky, "w") as z:
        z.writestr("word/document.xml", "<w:t>USD 9 </w:t><w:t>million</w:t>")
    clean = tmp_path / "clean.docx"
    with zipfile.ZipFile(clean, "w") as z:
        z.writestr("word/document.xml", "<w:t>[BUSINESS CONFIDENTIAL INFORMATION REDACTED]</w:t>")
    assert leaked_passages(_Proj(), [leaky, clean]) == [("leaky.docx", "USD 9 million")]


def test_package_json_reports_files_and_the_check(run, tmp_path):
    proj = _copy_sample(tmp_path / "proj")
    out = tmp_path / "out"
    res = run("package", proj, "--out", out, "--no-pdf", "--json", "--today", DAY)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["out"] == str(out) and data["pdf_made"] is False
    assert sorted(data["files"]) == sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert data["check"]["ready"] is True and data["check"]["comment_box"]["exact"] is True
    assert data["comment_box_characters"] == len((out / "comment-box.txt").read_text(encoding="utf-8"))



def test_folders_left_by_a_killed_run_are_swept_only_when_stale(run, tmp_path):
    proj = _copy_sample(tmp_path / "proj")
    stale = tmp_path / ".out.staging-abc123"
    stale.mkdir()
    (stale / "half.docx").write_bytes(b"partial")
    os.utime(stale, (1, 1))
    fresh = tmp_path / ".out.staging-def456"  # another run, still working
    fresh.mkdir()
    assert run("package", proj, "--out", tmp_path / "out", "--no-pdf", "--today", DAY).exit_code == 0
    assert not stale.exists() and fresh.is_dir()
