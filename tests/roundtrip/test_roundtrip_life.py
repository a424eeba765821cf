"""import-docx over a document's real life (issue 21): many LibreOffice saves, an ODT round trip,
removed bookmarks and properties, old copies, edits on both sides, comments.

LibreOffice conversions are slow (seconds each): the module shares one set of converted files
(``life``); each test imports into its own copy of the project.
"""

from __future__ import annotations

import copy
import difflib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES, reapprove

from commentkit.roundtrip.merge import merge3, split_units
from tests.roundtrip.test_roundtrip import edit, para, set_text  # the Word-editing helpers

DATE = "2023-09-27"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"

# three answers edited in Word, one between each pair of LibreOffice saves
EDITS = {
    "answers/cov-tx-4.md": ("Joint ventures should be covered when",
                            "Joint ventures should be covered only when a U.S. person forms a new joint venture "
                            "that will engage in a covered activity."),
    "answers/def-3.md": ("The second sentence matters to Meridian.",
                         "The second sentence matters greatly to Meridian, whose joint venture machines parts."),
    "answers/exc-5.md": ("Meridian strongly supports an exception",
                         "Meridian supports an exception for intracompany transfers, with the limits below."),
}


def cli(*args):
    from commentkit.cli import cli as main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    return exe


def convert(jobs: dict[str, Path], fmt: str, work: Path, profile: Path) -> dict[str, Path]:
    """Convert several files in one LibreOffice run (its start-up is most of the cost): name ->
    source; returns name -> converted file."""
    stage, outdir = work / f"in-{fmt}", work / f"out-{fmt}"
    shutil.rmtree(stage, ignore_errors=True)
    shutil.rmtree(outdir, ignore_errors=True)
    stage.mkdir(parents=True)
    for name, src in jobs.items():
        shutil.copy(src, stage / f"{name}{src.suffix}")
    subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                    "--outdir", str(outdir), *sorted(str(p) for p in stage.iterdir())],
                   capture_output=True, timeout=300, check=False)
    out = {}
    for name in jobs:
        done = outdir / f"{name}.{fmt}"
        if not done.is_file():
            pytest.fail(f"LibreOffice could not convert {name} to {fmt}")
        kept = work / f"{name}.{fmt}"
        shutil.move(done, kept)
        out[name] = kept
    return out


def retype(rel: str):
    prefix, text = EDITS[rel]
    return lambda d: set_text(para(d, prefix), text)


def strip(src: Path, dest: Path, *, bookmarks=True, parts=True) -> Path:
    """What another editor's export leaves: no bookmarks, no custom properties, no custom XML."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if parts and (info.filename.startswith("customXml/") or info.filename == "docProps/custom.xml"):
                continue
            if bookmarks and info.filename == "word/document.xml":
                data = re.sub(rb"<w:bookmark(Start|End)[^>]*/>", b"", data)
            if parts and info.filename.endswith(".rels"):
                data = re.sub(rb'<Relationship [^>]*(customXml|custom-properties)[^>]*/>', b"", data)
            if parts and info.filename == "[Content_Types].xml":
                data = re.sub(rb'<Override PartName="/(customXml|docProps/custom)[^>]*/>', b"", data)
            zout.writestr(info, data)
    return dest


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.glob("*/*.md"))}


@pytest.fixture(scope="module")
def life(tmp_path_factory):
    """The semiconductor sample built once, and what LibreOffice makes of its letter: re-saved 1, 2
    and 3 times; edited in three answers with a save after each edit; through ODT and back."""
    soffice()
    base = tmp_path_factory.mktemp("life")
    profile = base / "lo-profile"
    root = base / "semi"
    shutil.copytree(SAMPLES / "semiconductor-jv", root, ignore=shutil.ignore_patterns("build", ".commentkit"))
    res = cli("build", root, "--date", DATE, "--format", "docx")
    assert res.exit_code == 0, res.output
    built = next((root / "build").glob("*.docx"))
    out = {"root": root, "built": built}
    out["one_edit"] = edit(built, base / "one-edit.docx", retype("answers/cov-tx-4.md"))
    edit1, edit2, edit3 = EDITS
    # four LibreOffice runs, each converting what the previous ones made
    r = convert({"resave1": built, "edit1": edit(built, base / "e1.docx", retype(edit1))}, "docx", base / "r1", profile)
    odt = convert({"one_edit": out["one_edit"]}, "odt", base / "r1odt", profile)["one_edit"]
    r = convert({"resave2": r["resave1"], "edit2": edit(r["edit1"], base / "e2.docx", retype(edit2)),
                 "odt": odt}, "docx", base / "r2", profile) | {"resave1": r["resave1"]}
    r = convert({"resave3": r["resave2"], "three_edits": edit(r["edit2"], base / "e3.docx", retype(edit3))},
                "docx", base / "r3", profile) | r
    out.update({k: r[k] for k in ("resave1", "resave2", "resave3", "three_edits", "odt")})
    return out


@pytest.fixture
def proj(life, tmp_path):
    root = tmp_path / "semi"
    shutil.copytree(life["root"], root)
    return root


def changed_lines(before: bytes, after: bytes) -> list[str]:
    return [ln for ln in difflib.ndiff(before.decode().splitlines(), after.decode().splitlines())
            if ln[:2] in ("- ", "+ ")]


# ---- many saves ---------------------------------------------------------------------------------

@pytest.mark.parametrize("saves", [1, 2, 3])
def test_libreoffice_resaves_without_edit_change_nothing(life, proj, saves):
    docx_path = life[f"resave{saves}"]
    before = files(proj)
    res = cli("import-docx", docx_path, proj)
    assert res.exit_code == 0, res.output
    assert "0 changed, 21 unchanged. The answers on disk already match the Word file." in res.output
    assert "outside any answer" not in res.stderr and "no anchor" not in res.stderr
    res = cli("import-docx", docx_path, proj, "--apply")
    assert res.exit_code == 0 and "Wrote 0 file(s)" in res.output
    assert files(proj) == before
    assert not (proj / ".commentkit" / "backups").exists()


def test_paragraph_bookmarks_survive_three_saves(life):
    def marks(path):
        xml = zipfile.ZipFile(path).read("word/document.xml").decode()
        return set(re.findall(r'w:name="(ck_[qg]_[a-z0-9_]+__\d+)"', xml))

    built = marks(life["built"])
    assert len(built) > 100
    assert marks(life["resave3"]) == built


def test_three_edits_between_saves_change_exactly_those_answers(life, proj):
    before = files(proj)
    res = cli("import-docx", life["three_edits"], proj, "--apply")
    assert res.exit_code == 0, res.output
    assert "3 changed, 18 unchanged" in res.output
    after = files(proj)
    assert {k for k in after if after[k] != before[k]} == set(EDITS)
    for rel, (_, text) in EDITS.items():
        lines = changed_lines(before[rel], after[rel])
        assert f"+ {text}" in lines
        # besides the retyped paragraph, only the status and updated lines differ, and the approval
        # record of the text that changed goes
        others = [ln for ln in lines if not ln.startswith(("- status:", "+ status:", "- updated:", "+ updated:",
                                                           "- approved:", "-   by:", "-   at:", "-   sha256:"))]
        assert len(others) == 2, lines
        assert not any(ln.startswith("+ ") and ":" in ln[:12] and not ln.startswith(("+ status", "+ updated"))
                       for ln in lines), lines
        assert "  final: 2023-09-" in after[rel].decode()  # history kept


# ---- old copies and both sides -----------------------------------------------------------------

def write_on_disk(root: Path, key: str, old: str, new: str) -> None:
    path = root / "answers" / f"{key}.md"
    body = path.read_text().split("---\n", 2)[2]
    assert old in body
    src = root.parent / f"{key}-new.md"
    src.write_text(body.replace(old, new))
    res = cli("answer", key, root, "--file", src)
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("copy_name", ["one_edit", "odt"])
def test_old_copy_never_reverts_newer_work_on_disk(life, proj, copy_name):
    write_on_disk(proj, "cov-tx-3", "Greenfield investments should be covered only",
                  "Greenfield investments (as revised on 25 September) should be covered only")
    newer = (proj / "answers" / "cov-tx-3.md").read_bytes()
    res = cli("import-docx", life[copy_name], proj, "--apply")
    assert res.exit_code == 0, res.output
    assert "1 changed" in res.output
    assert (proj / "answers" / "cov-tx-3.md").read_bytes() == newer
    assert "changed on disk since the build" in res.stderr
    assert EDITS["answers/cov-tx-4.md"][1] in (proj / "answers" / "cov-tx-4.md").read_text()


def test_changes_to_different_paragraphs_on_both_sides_are_merged(life, proj):
    write_on_disk(proj, "cov-tx-4", "Meridian has held a 49 percent interest",
                  "Meridian has held, through a subsidiary, a 49 percent interest")
    res = cli("import-docx", life["three_edits"], proj, "--apply")
    assert res.exit_code == 0, res.output
    text = (proj / "answers" / "cov-tx-4.md").read_text()
    assert EDITS["answers/cov-tx-4.md"][1] in text
    assert "Meridian has held, through a subsidiary, a 49 percent interest" in text


def test_overlapping_change_is_a_conflict_written_only_when_chosen(life, proj):
    write_on_disk(proj, "cov-tx-4", "Joint ventures should be covered when",
                  "Joint ventures (disk wording) should be covered when")
    ours = (proj / "answers" / "cov-tx-4.md").read_bytes()
    res = cli("import-docx", life["three_edits"], proj)
    assert res.exit_code == 0
    assert "CONFLICT answers/cov-tx-4.md" in res.output and "1 in conflict" in res.output
    assert "-Joint ventures (disk wording) should be covered when" in res.output
    res = cli("import-docx", life["three_edits"], proj, "--apply")
    assert res.exit_code == 1
    assert (proj / "answers" / "cov-tx-4.md").read_bytes() == ours  # not written
    assert EDITS["answers/def-3.md"][1] in (proj / "answers" / "def-3.md").read_text()  # the others were
    res = cli("import-docx", life["three_edits"], proj, "--apply", "--take", "cov-tx-4=word")
    assert res.exit_code == 0, res.output
    assert EDITS["answers/cov-tx-4.md"][1] in (proj / "answers" / "cov-tx-4.md").read_text()


# ---- removed anchors and properties, ODT ---------------------------------------------------------

def test_odt_round_trip_is_imported_by_its_anchors(life, proj):
    before = files(proj)
    res = cli("import-docx", life["odt"], proj, "--apply")
    assert res.exit_code == 0, res.output
    assert "1 changed, 20 unchanged" in res.output
    after = files(proj)
    assert {k for k in after if after[k] != before[k]} == {"answers/cov-tx-4.md"}


def test_bookmarks_removed_edit_found_by_structure(life, proj, tmp_path):
    stripped = strip(life["three_edits"], tmp_path / "no-bookmarks.docx", parts=False)
    before = files(proj)
    res = cli("import-docx", stripped, proj, "--apply")
    assert res.exit_code == 0, res.output
    assert "3 changed, 18 unchanged" in res.output
    assert "found by the letter's structure" in res.stderr
    after = files(proj)
    assert {k for k in after if after[k] != before[k]} == set(EDITS)


def test_everything_removed_is_identified_and_never_silently_unchanged(life, proj, tmp_path):
    stripped = strip(life["one_edit"], tmp_path / "bare.docx")
    before = files(proj)
    res = cli("import-docx", stripped, proj)
    assert res.exit_code == 0, res.output
    assert "identified by the letter's structure" in res.stderr
    assert "0 changed" not in res.output or "1 in conflict" in res.output
    assert "CONFLICT answers/cov-tx-4.md" in res.output and "no record of the text as built" in res.output
    assert "already match" not in res.output
    assert files(proj) == before
    res = cli("import-docx", stripped, proj, "--apply", "--take", "word")
    assert res.exit_code == 0, res.output
    after = files(proj)
    assert {k for k in after if after[k] != before[k]} == {"answers/cov-tx-4.md"}


def test_deletion_in_an_answer_that_lost_its_anchors_is_refused(life, proj, tmp_path):
    def drop(d):
        p = para(d, "Meridian has held a 49 percent interest")
        p._p.getparent().remove(p._p)

    damaged = strip(edit(life["built"], tmp_path / "dropped.docx", drop), tmp_path / "dropped-bare.docx")
    before = files(proj)
    res = cli("import-docx", damaged, proj, "--apply", "--take", "word")
    assert res.exit_code == 2
    assert "lost these answers' anchors" in res.stderr and "answers/cov-tx-4.md would lose 1 paragraph" in res.stderr
    assert "--force" not in res.stderr
    assert files(proj) == before
    res = cli("import-docx", damaged, proj, "--apply", "--take", "word", "--force")
    assert res.exit_code == 0
    assert "Meridian has held a 49 percent" not in (proj / "answers" / "cov-tx-4.md").read_text()


# ---- minimal writes and comments (no LibreOffice needed beyond the shared build) --------------------

def test_unchanged_paragraphs_and_front_matter_keep_their_bytes(tmp_path):
    root = tmp_path / "semi"
    shutil.copytree(SAMPLES / "semiconductor-jv", root, ignore=shutil.ignore_patterns("build", ".commentkit"))
    path = root / "answers" / "cov-tx-4.md"
    text = path.read_text()
    text = text.replace("updated: 2023-09-22T15:00:00+00:00", "updated: '2023-09-22T15:00:00+00:00'")
    text = text.replace("for routine funding of a business", "for *routine* funding of a business")
    # the emphasis is a change a reader sees: counsel approves the new text (its fingerprint)
    from commentkit.project.answerfile import fingerprint

    old_sha = re.search(r"sha256: ([0-9a-f]{64})", text).group(1)
    text = text.replace(old_sha, fingerprint(text.split("---\n", 2)[2]))
    path.write_text(text)
    reapprove(path)
    assert cli("build", root, "--date", DATE, "--format", "docx").exit_code == 0
    built = next((root / "build").glob("*.docx"))
    edited = edit(built, tmp_path / "e.docx", retype("answers/cov-tx-4.md"))
    before = path.read_bytes()
    res = cli("import-docx", edited, root, "--apply")
    assert res.exit_code == 0, res.output
    after = path.read_bytes()
    lines = changed_lines(before, after)
    prefixes = ["- status: final", "+ status: review", "- updated:", "+ updated:", "- approved:", "-   by:",
                "-   at:", "-   sha256:", "- Joint v", "+ Joint v"]
    assert len(lines) == len(prefixes) and all(ln.startswith(p) for ln, p in zip(lines, prefixes)), lines
    assert re.search(rb"(?m)^updated: '20\d\d-\d\d-\d\dT[0-9:]+\+00:00'$", after)  # quoting kept
    assert b"for *routine* funding" in after and b"  final: 2023-09-22T15:00:00+00:00" in after


def test_word_comments_are_listed_with_author_next_to_their_answer(life, proj, tmp_path):
    def comment(d):
        p = para(d, "Meridian has held a 49 percent interest")
        d.add_comment(p.runs, text="Check the 2016 date with the JV agreement.", author="R. Alvarez")

    commented = edit(life["built"], tmp_path / "commented.docx", comment)
    res = cli("import-docx", commented, proj)
    assert res.exit_code == 2  # comments stop the import until accepted or removed
    assert ("comment in answers/cov-tx-4.md by R. Alvarez: \u201cCheck the 2016 date with the JV agreement.\u201d"
            in res.stderr)
    res = cli("import-docx", commented, proj, "--accept-changes", "--json")
    assert res.exit_code == 0
    import json

    rows = {a["question_id"]: a for a in json.loads(res.stdout)["answers"]}
    assert rows["cov-tx-4"]["comments"] == [{"author": "R. Alvarez",
                                             "text": "Check the 2016 date with the JV agreement."}]


# ---- the merge itself ------------------------------------------------------------------------------

def test_units_split_and_join_back_to_the_same_bytes():
    for path in list((SAMPLES / "semiconductor-jv").glob("*/*.md")):
        body = path.read_text().split("---\n", 2)[2]
        assert split_units(body).join() == body
    u = split_units("a\n\n- x\n- y\n  more\n\n```\ncode\n\nstill code\n```\n")
    assert u.units == ["a", "- x", "- y\n  more", "```\ncode\n\nstill code\n```"]


def test_merge3_takes_one_sided_changes_and_reports_overlaps():
    key = lambda u: u.replace("*", "_")  # noqa: E731
    base = ["p1", "p2", "p3"]
    ours = split_units("p1 *x*\n\np2\n\np3\n")
    merged = merge3(base, ours, ["p1 _x_", "p2", "p3 new"], key)
    assert merged.text == "p1 *x*\n\np2\n\np3 new\n" and not merged.conflicts
    old_copy = merge3(base, ours, copy.copy(base), key)
    assert old_copy.text == ours.join()  # the Word file is older: disk kept
    clash = merge3(base, ours, ["p1 y", "p2", "p3"], key)
    assert clash.text is None and len(clash.conflicts) == 1
    assert merge3(base, ours, ["p1 y", "p2", "p3"], key, take="word").text == "p1 y\n\np2\n\np3\n"


def test_answer_with_footnotes_is_decided_whole(tmp_path):
    root = tmp_path / "vc"
    shutil.copytree(SAMPLES / "vc-ai-lp", root, ignore=shutil.ignore_patterns("build", ".commentkit"))
    (root / "answers" / "ai-1.md").write_text(
        "---\nquestion: ai-1\nstatus: final\n---\nFirst paragraph with a note.[^src]\n\nSecond paragraph.\n\n"
        "[^src]: The source, page 4.\n")
    assert cli("build", root, "--date", DATE, "--format", "docx").exit_code == 0
    built = next((root / "build").glob("*.docx"))
    edited = edit(built, tmp_path / "e.docx", lambda d: set_text(para(d, "Second paragraph."), "Second, edited."))
    work = tmp_path / "w1"
    shutil.copytree(root, work)
    res = cli("import-docx", edited, work, "--apply")
    assert res.exit_code == 0, res.output
    body = (work / "answers" / "ai-1.md").read_text().split("---\n", 2)[2]
    assert body == "First paragraph with a note.[^1]\n\nSecond, edited.\n\n[^1]: The source, page 4.\n"
    # changed on both sides: a conflict, whichever paragraphs
    write_on_disk(root, "ai-1", "First paragraph with a note.", "First paragraph, revised on disk.")
    res = cli("import-docx", edited, root)
    assert "CONFLICT answers/ai-1.md" in res.output and "footnotes" in res.output
