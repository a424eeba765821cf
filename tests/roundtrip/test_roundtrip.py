"""commentkit import-docx: counsel's Word edits come back into the answer files (issue 7)."""

from __future__ import annotations

import copy
import functools
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLES, user_pack_dir

DATE = "2023-09-27"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.fixture
def semi(tmp_path, run):
    """A copy of the semiconductor sample, built; returns (project, docx path)."""
    root = tmp_path / "semi"
    shutil.copytree(SAMPLES / "semiconductor-jv", root, ignore=shutil.ignore_patterns("build", ".commentkit"))
    res = run("build", root, "--date", DATE, "--format", "docx")
    assert res.exit_code == 0, res.output
    return root, next((root / "build").glob("*.docx"))


def edit(src: Path, dest: Path, fn) -> Path:
    import docx

    d = docx.Document(str(src))
    fn(d)
    d.save(str(dest))
    return dest


def para(d, prefix: str):
    for p in d.paragraphs:
        if p.text.startswith(prefix):
            return p
    raise AssertionError(f"no paragraph starting {prefix!r}")


def set_text(p, text: str) -> None:
    """Replace a paragraph's text as Word does when you retype it: runs go, bookmarks stay."""
    for r in list(p.runs)[1:]:
        r._r.getparent().remove(r._r)
    p.runs[0].text = text
    p.runs[0].bold = None


def body_of(path: Path) -> str:
    text = path.read_text()
    return text.split("---\n", 2)[2]


def status_of(path: Path) -> str:
    return re.search(r"(?m)^status: (\w+)$", path.read_text()).group(1)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.glob("*/*.md"))}


JV = "Joint ventures should be covered when a U.S. person forms a new joint venture"


# ---- the edit cycle ------------------------------------------------------------------------

def test_unedited_letter_imports_as_unchanged(run, semi):
    root, docx_path = semi
    before = snapshot(root)
    res = run("import-docx", docx_path, root)
    assert res.exit_code == 0, res.output
    assert "0 changed, 21 unchanged" in res.output
    assert res.stderr == ""
    assert snapshot(root) == before


def test_changed_paragraph_and_added_bullet_are_imported(run, semi, tmp_path):
    root, built = semi

    def change(d):
        p = para(d, JV)
        set_text(p, "Joint ventures should be covered only when a U.S. person forms a new joint venture "
                    "that will engage in a covered activity.")
        bullet = para(d, "that capital contributions made under a binding commitment")
        new = copy.deepcopy(bullet._p)
        bullet._p.addnext(new)
        from docx.text.paragraph import Paragraph

        set_text(Paragraph(new, bullet._parent), "that Treasury publish examples of covered contributions;")

    edited = edit(built, tmp_path / "edited.docx", change)
    before = snapshot(root)
    res = run("import-docx", edited, root)
    assert res.exit_code == 0, res.output
    assert "--- answers/cov-tx-4.md (on disk)" in res.output
    assert "+Joint ventures should be covered only when a U.S. person forms a new joint venture" in res.output
    assert "+- that Treasury publish examples of covered contributions;" in res.output
    assert "1 changed, 20 unchanged. Nothing written" in res.output
    assert snapshot(root) == before  # a dry run writes nothing

    res = run("import-docx", edited, root, "--apply")
    assert res.exit_code == 0, res.output
    ans = root / "answers" / "cov-tx-4.md"
    body = body_of(ans)
    assert "Joint ventures should be covered only when a U.S. person forms a new joint venture that will" in body
    assert ("- that capital contributions made under a binding commitment entered into before the effective date "
            "of the rule be grandfathered;\n- that Treasury publish examples of covered contributions;\n") in body
    assert "Meridian has held a 49 percent interest in its Suzhou joint venture since 2016." in body
    assert status_of(ans) == "review"
    backups = list((root / ".commentkit" / "backups" / "answers").glob("cov-tx-4.md.*"))
    assert len(backups) == 1 and backups[0].read_bytes() == before["answers/cov-tx-4.md"]
    after = snapshot(root)
    assert {k for k in after if after[k] != before[k]} == {"answers/cov-tx-4.md"}
    # importing the same file again finds nothing more to do
    res = run("import-docx", edited, root)
    assert "0 changed, 21 unchanged" in res.output


def test_keep_status_keeps_final(run, semi, tmp_path):
    root, built = semi
    edited = edit(built, tmp_path / "e.docx", lambda d: set_text(para(d, JV), "Shorter answer."))
    res = run("import-docx", edited, root, "--apply", "--keep-status")
    assert res.exit_code == 0
    assert status_of(root / "answers" / "cov-tx-4.md") == "final"
    assert body_of(root / "answers" / "cov-tx-4.md").startswith("Shorter answer.\n\nMeridian has held")


def test_json_report(run, semi, tmp_path):
    import json

    root, built = semi
    edited = edit(built, tmp_path / "e.docx", lambda d: set_text(para(d, JV), "Changed."))
    res = run("import-docx", edited, root, "--json")
    data = json.loads(res.output)
    changed = [a for a in data["answers"] if a["state"] == "changed"]
    assert [a["question_id"] for a in changed] == ["cov-tx-4"]
    assert changed[0]["status"] == "review" and "+Changed." in changed[0]["diff"]
    assert data["missing_anchors"] == [] and data["outside_text"] == [] and data["written"] == []


# ---- tracked changes and comments -------------------------------------------------------------

def _track(d):
    from docx.oxml import parse_xml

    p = para(d, JV)
    # delete the first run's text as a tracked deletion, add a tracked insertion at the end
    r = p.runs[0]._r
    t = r.find(f"{{{W_NS}}}t")
    deleted = t.text
    t.tag = f"{{{W_NS}}}delText"
    wrapper = parse_xml(f'<w:del xmlns:w="{W_NS}" w:id="901" w:author="Counsel" w:date="2023-09-26T10:00:00Z"/>')
    r.addprevious(wrapper)
    wrapper.append(r)
    p._p.append(parse_xml(f'<w:ins xmlns:w="{W_NS}" w:id="902" w:author="Counsel" w:date="2023-09-26T10:00:00Z">'
                          f'<w:r><w:t xml:space="preserve"> Added by counsel.</w:t></w:r></w:ins>'))
    return deleted


def test_tracked_changes_are_refused_then_accepted(run, semi, tmp_path):
    root, built = semi
    seen = {}
    edited = edit(built, tmp_path / "tracked.docx", lambda d: seen.setdefault("deleted", _track(d)))
    before = snapshot(root)
    res = run("import-docx", edited, root, "--apply")
    assert res.exit_code == 2
    assert "2 unaccepted tracked change(s) in cov-tx-4 (2)" in res.stderr
    assert "--accept-changes" in res.stderr and "nothing was imported" in res.stderr
    assert snapshot(root) == before

    res = run("import-docx", edited, root, "--apply", "--accept-changes")
    assert res.exit_code == 0, res.output
    assert "Accepted 2 tracked change(s)" in res.output
    first = body_of(root / "answers" / "cov-tx-4.md").split("\n\n")[0]
    assert first.endswith("Added by counsel.")
    assert seen["deleted"].strip() and seen["deleted"] not in first


def test_comments_are_refused(run, semi, tmp_path):
    from docx.oxml import parse_xml

    root, built = semi

    def comment(d):
        p = para(d, JV)
        p._p.append(parse_xml(f'<w:r xmlns:w="{W_NS}"><w:commentReference w:id="0"/></w:r>'))

    res = run("import-docx", edit(built, tmp_path / "c.docx", comment), root)
    assert res.exit_code == 2 and "1 comment(s)" in res.stderr


# ---- text outside answers, lost anchors, identity --------------------------------------------

def test_text_outside_any_answer_is_reported(run, semi, tmp_path):
    root, built = semi

    def add(d):
        sal = para(d, "Dear Ms. Sharma:")
        new = copy.deepcopy(sal._p)
        sal._p.addnext(new)
        from docx.text.paragraph import Paragraph

        set_text(Paragraph(new, sal._parent), "We also thank the Office for its outreach to industry.")

    res = run("import-docx", edit(built, tmp_path / "o.docx", add), root)
    assert res.exit_code == 0
    assert ("text outside any answer (after the beginning of the letter) is not imported: "
            "\u201cWe also thank the Office for its outreach to industry.\u201d") in res.stderr
    assert "0 changed" in res.output


def test_deleted_anchor_is_reported_and_answer_kept(run, semi, tmp_path):
    root, built = semi

    def drop(d):
        # remove the whole answer to cov-tx-6, bookmarks included
        body = d.element.body
        xml = body.xml
        starts = [e for e in body.iter(f"{{{W_NS}}}bookmarkStart") if e.get(f"{{{W_NS}}}name") == "ck_q_cov_tx_6"]
        bid = starts[0].get(f"{{{W_NS}}}id")
        first = starts[0].getparent()
        end = [e for e in body.iter(f"{{{W_NS}}}bookmarkEnd") if e.get(f"{{{W_NS}}}id") == bid][0].getparent()
        el = first
        while True:
            nxt = el.getnext()
            body.remove(el)
            if el is end:
                break
            el = nxt
        assert xml != body.xml

    before = snapshot(root)
    res = run("import-docx", edit(built, tmp_path / "d.docx", drop), root, "--apply")
    assert res.exit_code == 0
    assert "the Word file has no anchor for cov-tx-6" in res.stderr
    assert snapshot(root) == before


def test_word_file_not_built_by_commentkit_is_refused(run, semi, tmp_path):
    import docx

    root, _ = semi
    other = tmp_path / "plain.docx"
    d = docx.Document()
    d.add_paragraph("A letter typed by hand.")
    d.save(str(other))
    res = run("import-docx", other, root)
    assert res.exit_code == 2 and "not a letter built by commentkit" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def rewrite_part(src: Path, dest: Path, name: str, fn) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == name:
                data = fn(data)
            zout.writestr(info, data)
    return dest


def test_word_file_for_another_docket_is_refused(run, semi, tmp_path):
    root, built = semi
    other = rewrite_part(built, tmp_path / "other.docx", "docProps/custom.xml",
                         lambda b: b.replace(b"TREAS-DO-2023-0009", b"FR-2024-13923"))
    before = snapshot(root)
    res = run("import-docx", other, root, "--apply")
    assert res.exit_code == 2
    assert "built for docket FR-2024-13923, but the project is for TREAS-DO-2023-0009" in res.stderr
    assert snapshot(root) == before


def test_hostile_word_files_are_refused_cleanly(run, semi, tmp_path):
    root, built = semi
    xxe = rewrite_part(built, tmp_path / "xxe.docx", "word/document.xml", lambda b: re.sub(
        rb"^<\?xml[^>]*\?>", b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        b).replace(b"Joint ventures should", b"&x; Joint ventures should", 1))
    res = run("import-docx", xxe, root)
    assert res.exit_code == 2 and "DOCTYPE" in res.stderr and "root:" not in res.output

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(built) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        zout.writestr("word/media/huge.bin", b"\0" * (24 * 1024 * 1024))
    res = run("import-docx", bomb, root)
    assert res.exit_code == 2 and "zip bomb" in res.stderr

    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    res = run("import-docx", junk, root)
    assert res.exit_code == 2 and "not a Word .docx file" in res.stderr
    assert "Traceback" not in res.output


# ---- generated sections, drafts, confidential versions ---------------------------------------

def test_edited_generated_background_becomes_a_file(run, tmp_path):
    root = tmp_path / "semi"
    shutil.copytree(SAMPLES / "semiconductor-jv", root, ignore=shutil.ignore_patterns("build", ".commentkit"))
    (root / "general" / "background.md").unlink()
    # the drafted prose is shown only in a draft build (a final build leaves unapproved text out)
    assert run("build", root, "--date", DATE, "--format", "docx", "--draft").exit_code == 0
    built = next((root / "build").glob("*-DRAFT.docx"))
    res = run("import-docx", built, root)
    assert "0 changed" in res.output  # the drafted prose (and its label, outside the bookmark) is not a change

    def rewrite(d):
        import docx  # noqa: F401

        starts = [e for e in d.element.body.iter(f"{{{W_NS}}}bookmarkStart")
                  if e.get(f"{{{W_NS}}}name") == "ck_g_background"]
        p = starts[0].getparent()
        from docx.text.paragraph import Paragraph

        set_text(Paragraph(p, d), "Meridian is a U.S. maker of deposition and etch tools with a PRC joint venture.")

    edited = edit(built, tmp_path / "bg.docx", rewrite)
    res = run("import-docx", edited, root, "--apply")
    assert res.exit_code == 0, res.output
    bg = root / "general" / "background.md"
    assert bg.is_file() and status_of(bg) == "review"
    assert body_of(bg).startswith("Meridian is a U.S. maker of deposition and etch tools with a PRC joint venture.")
    assert "section: background" in bg.read_text()


def test_draft_answers_keep_draft_status(run, semi, tmp_path):
    root, _ = semi
    ans = root / "answers" / "cov-tx-4.md"
    ans.write_text(ans.read_text().replace("status: final", "status: draft", 1))
    assert run("build", root, "--date", DATE, "--format", "docx", "--draft").exit_code == 0
    built = next((root / "build").glob("*-DRAFT.docx"))
    res = run("import-docx", built, root)
    assert "0 changed, 21 unchanged" in res.output  # DRAFT marks are outside the answers
    edited = edit(built, tmp_path / "d.docx", lambda d: set_text(para(d, JV), "Draft text, edited."))
    res = run("import-docx", edited, root, "--apply")
    assert res.exit_code == 0
    assert status_of(ans) == "draft" and body_of(ans).startswith("Draft text, edited.")


def _confidential_pack(pack_copy: Path) -> None:
    d = pack_copy / "docket.yaml"
    d.write_text(d.read_text().replace("confidential_submissions: false", "confidential_submissions: true"))
    shutil.copytree(pack_copy, user_pack_dir() / pack_copy.name)
    from commentkit.dockets import catalog as packs

    packs.load_path.cache_clear()


def test_confidential_marks_round_trip_and_public_version_is_refused(run, project, pack_copy, tmp_path):
    _confidential_pack(pack_copy)
    ans = project / "answers" / "def-1.md"
    ans.write_text("---\nquestion: def-1\nstatus: final\n---\n"
                   "The test is too broad; [[BCI]]our PRC revenue was $41.7 million[[/BCI]], a small share.\n")
    assert run("build", project, "--date", DATE, "--format", "docx").exit_code == 0
    conf = next((project / "build").glob("*-confidential.docx"))
    pub = next((project / "build").glob("*-public.docx"))
    res = run("import-docx", conf, project)
    assert "0 changed, 2 unchanged" in res.output, res.output  # def-1 and the standard conclusion

    def add_sentence(d):
        p = para(d, "The test is too broad;")
        p.add_run(" We add a sentence.")

    res = run("import-docx", edit(conf, tmp_path / "c.docx", add_sentence), project, "--apply")
    assert res.exit_code == 0
    assert body_of(ans) == ("The test is too broad; [[BCI]]our PRC revenue was $41.7 million[[/BCI]], a small share. "
                            "We add a sentence.\n")
    res = run("import-docx", edit(pub, tmp_path / "p.docx", add_sentence), project, "--apply")
    assert "Not imported: answers/def-1.md: contains redacted passages (public version)" in res.stderr
    assert "[[BCI]]our PRC revenue" in body_of(ans)


# ---- LibreOffice ------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _libreoffice_resave(src: str, outdir: str) -> Path | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    profile = Path(outdir) / "profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "docx",
                    "--outdir", str(Path(outdir) / "resaved"), src], capture_output=True, timeout=180, check=False)
    out = Path(outdir) / "resaved" / Path(src).name
    return out if out.is_file() else None


@pytest.fixture(scope="session")
def resaved_vc(tmp_path_factory):
    """The VC sample letter (with a table, lists and footnote-free prose) re-saved by LibreOffice once."""
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    from click.testing import CliRunner

    from commentkit.cli import cli

    base = tmp_path_factory.mktemp("lo-roundtrip")
    root = base / "vc"
    shutil.copytree(SAMPLES / "vc-ai-lp", root, ignore=shutil.ignore_patterns("build", ".commentkit"))
    (root / "answers" / "ai-1.md").write_text(
        "---\nquestion: ai-1\nstatus: final\n---\n"
        "Intro with **bold**, _italic_, `code` and a [link](https://home.treasury.gov).[^a]\n\n"
        "1. first\n2. second\n   - nested one\n   - nested two\n3. third\n\n> quoted text\n\n"
        "### Sub heading\n\nLine one\\\nline two.\n\n[^a]: A footnote with _italic_.\n")
    res = CliRunner().invoke(cli, ["build", str(root), "--date", DATE, "--format", "docx"])
    assert res.exit_code == 0, res.output
    built = next((root / "build").glob("*.docx"))
    out = _libreoffice_resave(str(built), str(base))
    if out is None:
        pytest.fail("LibreOffice could not re-save the letter")
    return root, built, out


def test_libreoffice_resave_keeps_anchors_and_changes_nothing(run, resaved_vc):
    root, built, resaved = resaved_vc
    with zipfile.ZipFile(built) as z:
        names = set(re.findall(r'w:name="(ck_[qg]_[a-z0-9_]+)"', z.read("word/document.xml").decode()))
    with zipfile.ZipFile(resaved) as z:
        after = set(re.findall(r'w:name="(ck_[qg]_[a-z0-9_]+)"', z.read("word/document.xml").decode()))
        assert "commentkit.docket" in z.read("docProps/custom.xml").decode()
    assert names == after and len({n for n in names if "__" not in n}) == 23
    before = snapshot(root)
    res = run("import-docx", resaved, root, "--apply")
    assert res.exit_code == 0, res.output
    assert "0 changed, 23 unchanged" in res.output
    assert "no anchor" not in res.stderr and "outside any answer" not in res.stderr
    assert snapshot(root) == before


def test_edit_after_libreoffice_resave_is_imported(run, resaved_vc, tmp_path):
    root, _, resaved = resaved_vc
    work = tmp_path / "vc"
    shutil.copytree(root, work)
    edited = edit(resaved, tmp_path / "lo-edited.docx",
                  lambda d: set_text(para(d, "Treasury should not add technical criteria"),
                                     "Treasury should not add technical criteria now."))
    res = run("import-docx", edited, work, "--apply")
    assert res.exit_code == 0, res.output
    assert "1 changed, 22 unchanged" in res.output
    assert body_of(work / "answers" / "ai-4.md").startswith("Treasury should not add technical criteria now.\n\n")


def test_generated_text_never_stands_in_for_a_draft_file(run, tmp_path):
    """A background.md that is not final is left out; generated text is not printed in its place
    (neither in the final letter nor in a draft, which shows the draft file), so there is nothing
    generated to import over it."""
    root = tmp_path / "semi"
    shutil.copytree(SAMPLES / "semiconductor-jv", root, ignore=shutil.ignore_patterns("build", ".commentkit"))
    bg = root / "general" / "background.md"
    bg.write_text(bg.read_text().replace("status: final", "status: draft", 1))
    before = bg.read_bytes()
    assert run("build", root, "--date", DATE, "--format", "docx").exit_code == 0
    built = next((root / "build").glob("*.docx"))
    import docx

    d = docx.Document(str(built))
    assert not [e for e in d.element.body.iter(f"{{{W_NS}}}bookmarkStart")
                if e.get(f"{{{W_NS}}}name") == "ck_g_background"]
    assert "Background" not in [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert not any("is an operating company" in p.text for p in d.paragraphs)
    res = run("import-docx", built, root, "--apply")
    assert res.exit_code == 0 and "0 changed" in res.output and bg.read_bytes() == before


# ---- property: what the build writes, the import reads back unchanged --------------------------

def _markdown_answers():
    from hypothesis import strategies as st

    word = st.sampled_from(["Treasury", "covered", "joint", "venture", "U.S.", "person", "50%", "A&B", "<b>",
                            "x*y", "snake_case", "[note]", "“quoted”", "中文", "שלום", "$1.4", "(a)", "#1"])
    text = st.lists(word, min_size=1, max_size=8).map(" ".join)

    def styled(t):
        return st.sampled_from([t, f"**{t}**", f"_{t}_", f"[{t}](https://example.com/{len(t)})", f"`{t}`"])

    sentence = st.lists(text.flatmap(styled), min_size=1, max_size=4).map(" ".join)
    para = sentence
    bullets = st.lists(sentence, min_size=1, max_size=4).map(lambda xs: "\n".join(f"- {x}" for x in xs))
    numbered = st.lists(sentence, min_size=1, max_size=4).map(
        lambda xs: "\n".join(f"{i + 1}. {x}" for i, x in enumerate(xs)))
    quote = sentence.map(lambda s: f"> {s}")
    nested = st.tuples(sentence, st.lists(sentence, min_size=1, max_size=3)).map(
        lambda t: f"1. {t[0]}\n" + "".join(f"   - {x}\n" for x in t[1]) + f"2. {t[0]}")
    noted = st.tuples(sentence, sentence).map(lambda t: f"{t[0]}[^n]\n\n[^n]: {t[1]}")
    heading = text.map(lambda t: f"## {t}")
    block = st.one_of(para, para, bullets, numbered, quote, nested, noted, heading)
    return st.lists(block, min_size=1, max_size=5).map("\n\n".join)


def test_built_answers_import_unchanged_property(tmp_path_factory):
    from hypothesis import HealthCheck, given, settings

    from commentkit.letter.assemble import build_letter
    from commentkit.letter.writers.docx import write_docx
    from commentkit.project.folder import create
    from commentkit.roundtrip.importer import canonical_answer, plan_import, read_docx

    base = tmp_path_factory.mktemp("prop")
    proj = create(base / "p", "TREAS-DO-2023-0009", "Acme Corp.")

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=_markdown_answers())
    def check(body):
        from commentkit.project.folder import Project

        (proj.root / "answers" / "def-1.md").write_text(f"---\nquestion: def-1\nstatus: final\n---\n{body}\n")
        project = Project.open(proj.root)
        letter = build_letter(project, date=__import__("datetime").date(2023, 9, 27))
        out = base / "p.docx"
        write_docx(letter.document, out)
        plan = plan_import(project, read_docx(out))
        states = {a.key: a.state for a in plan.answers}
        detail = next(a for a in plan.answers if a.key == "def-1")
        assert states["def-1"] == "unchanged", (body, canonical_answer(body, "def-1"), detail.new_body)
        assert not plan.outside and not plan.missing

    check()


def test_paragraph_added_after_an_answer_joins_it(run, semi, tmp_path):
    """Pressing Enter at the end of an answer's last paragraph types outside its bookmark: the new
    paragraph still belongs to that answer (it comes before the next heading)."""
    root, built = semi

    def add(d):
        from docx.oxml import parse_xml

        last = para(d, "Transfers of Meridian’s joint-venture interest require approval")  # end of pen-2
        last._p.addnext(parse_xml(
            f'<w:p xmlns:w="{W_NS}"><w:pPr><w:pStyle w:val="Normal"/></w:pPr>'
            f'<w:r><w:t>We would welcome guidance on approvals under PRC law.</w:t></w:r></w:p>'))

    res = run("import-docx", edit(built, tmp_path / "a.docx", add), root, "--apply")
    assert res.exit_code == 0, res.output
    assert "1 changed" in res.output and "outside any answer" not in res.stderr
    assert body_of(root / "answers" / "pen-2.md").endswith(
        "impossible position.\n\nWe would welcome guidance on approvals under PRC law.\n")


def test_answer_file_deleted_since_the_build_comes_back_as_new(run, semi, tmp_path):
    root, built = semi
    (root / "answers" / "cov-tx-6.md").unlink()
    res = run("import-docx", built, root)
    assert res.exit_code == 0, res.output
    assert "--- answers/cov-tx-6.md (no file)" in res.output and "(answers/cov-tx-6.md: new file)" in res.output
    assert not (root / "answers" / "cov-tx-6.md").exists()
    res = run("import-docx", built, root, "--apply")
    assert res.exit_code == 0
    assert status_of(root / "answers" / "cov-tx-6.md") == "review"
    assert body_of(root / "answers" / "cov-tx-6.md").startswith("The proposed rule should state in its operative text")


def test_conflicting_edit_on_disk_stops_the_import(run, semi, tmp_path, monkeypatch):
    """A file changed between reading and writing is never overwritten."""
    from commentkit.project.folder import Project
    from commentkit.roundtrip import importer as roundtrip

    root, built = semi
    edited = edit(built, tmp_path / "e.docx", lambda d: set_text(para(d, JV), "Changed in Word."))
    project = Project.open(root)
    plan = roundtrip.plan_import(project, roundtrip.read_docx(edited))
    path = root / "answers" / "cov-tx-4.md"
    path.write_text(path.read_text() + "\nEdited in an editor meanwhile.\n")
    from commentkit.errors import ConflictError

    with pytest.raises(ConflictError) as err:
        roundtrip.apply_import(project, plan)
    assert "nothing was written" in err.value.format()
    assert path.read_text().endswith("Edited in an editor meanwhile.\n")


# ---- whose letter is it? (QA on issue 7) --------------------------------------------------------

MERIDIAN = "Meridian Deposition Systems, Inc."


def _set_commenter(root: Path, name: str) -> None:
    for path, key in ((root / "commentkit.yaml", "name"), (root / "profile.yaml", "commenter_name")):
        text = path.read_text()
        assert f"{key}: {MERIDIAN}" in text
        path.write_text(text.replace(f"{key}: {MERIDIAN}", f"{key}: {name}"))


def test_letter_of_another_commenter_is_refused_unless_forced(run, semi, tmp_path):
    """Same docket, same answer files, but the project is Acme's: never silently overwritten."""
    root, built = semi
    _set_commenter(root, "Acme Corp.")
    edited = edit(built, tmp_path / "e.docx", lambda d: set_text(para(d, JV), "Changed in Word."))
    before = snapshot(root)
    res = run("import-docx", edited, root, "--apply")
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        f"Error: {edited}: this Word file is the letter of '{MERIDIAN}', but this project's commenter is "
        "'Acme Corp.': nothing was imported (check the file and the project folder; --force-commenter imports "
        "it anyway)"]
    assert snapshot(root) == before
    res = run("import-docx", edited, root, "--apply", "--force-commenter")
    assert res.exit_code == 0, res.output
    assert "(imported because of --force-commenter)" in res.stderr
    assert "1 changed" in res.output
    assert body_of(root / "answers" / "cov-tx-4.md").startswith("Changed in Word.")


def test_letter_of_another_project_is_refused_never_a_traceback(run, semi, project):
    """A fresh project (none of the letter's answer files): refused for the commenter, then for the
    answers; with both overrides the answers come back as new files, only with --apply."""
    _, built = semi
    res = run("import-docx", built, project, "--apply")
    assert res.exit_code == 2 and "this Word file is the letter of" in res.stderr
    res = run("import-docx", built, project, "--apply", "--force-commenter")
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        f"Error: {built}: 17 of the 17 answers in this Word file have no file in this project: it was built "
        "from another project; nothing was imported (import it into the project that built it, or use "
        "--recover to create them here)"]
    assert not list((project / "answers").glob("*.md"))
    res = run("import-docx", built, project, "--force-commenter", "--recover")
    assert res.exit_code == 0, res.output
    assert "(answers/cov-tx-4.md: new file)" in res.output and "Nothing written" in res.output
    assert not list((project / "answers").glob("*.md"))
    res = run("import-docx", built, project, "--force-commenter", "--recover", "--apply")
    assert res.exit_code == 0, res.output
    assert len(list((project / "answers").glob("*.md"))) == 17
    assert status_of(project / "answers" / "cov-tx-4.md") == "review"
    assert body_of(project / "answers" / "cov-tx-4.md").startswith(JV)


def test_letter_of_another_project_of_the_same_commenter_is_refused(run, semi, tmp_path):
    _, built = semi
    other = tmp_path / "other"
    assert run("init", other, "--docket", "TREAS-DO-2023-0009", "--commenter", MERIDIAN).exit_code == 0
    res = run("import-docx", built, other, "--apply")
    assert res.exit_code == 2
    assert "17 of the 17 answers in this Word file have no file in this project" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not list((other / "answers").glob("*.md")) and not list((other / "general").glob("*.md"))


def test_member_form_is_refused_as_not_a_letter(run, project, tmp_path):
    form = SAMPLES / "association" / "member-form.docx"
    message = ("this is a member form, not a letter; use 'commentkit collect' (association) or "
               "'commentkit init DIR --from-form FILE.docx' (member project)")
    res = run("import-docx", form, project, "--apply")
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [f"Error: {form}: {message}"]
    # an editor that dropped the document properties: the form's visible identity line still tells
    bare = rewrite_part(form, tmp_path / "bare.docx", "docProps/custom.xml",
                        lambda b: re.sub(rb"<property .*</property>", b"", b))
    res = run("import-docx", bare, project)
    assert res.exit_code == 2 and message in res.stderr
    assert not list((project / "answers").glob("*.md")) and not list((project / "general").glob("*.md"))


def test_unedited_final_letter_with_draft_answers_reports_nothing(run, semi, tmp_path):
    """Built without --draft while an answer is still draft: the import compares with that build."""
    root, _ = semi
    path = root / "answers" / "pen-2.md"
    path.write_text(path.read_text().replace("status: final", "status: draft", 1))
    res = run("build", root, "--date", DATE, "--format", "docx")
    assert res.exit_code == 0, res.output
    built = next((root / "build").glob("*.docx"))
    before = snapshot(root)
    res = run("import-docx", built, root, "--apply")
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
    assert "0 changed, 20 unchanged" in res.output
    assert snapshot(root) == before


def test_help_and_docs_examples_work_as_written(run, tmp_path, monkeypatch):
    """The paths in --help and docs/roundtrip.md work from the folder that holds the project."""
    import shlex

    monkeypatch.chdir(tmp_path)
    assert run("init", "my-comment", "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme Corp.").exit_code == 0
    (Path("my-comment") / "answers" / "cov-tx-4.md").write_text(
        "---\nquestion: cov-tx-4\nstatus: final\n---\n" + JV + ".\n")
    res = run("build", "my-comment", "--date", DATE, "--format", "docx")
    assert res.exit_code == 0, res.output
    assert Path("my-comment/build/TREAS-DO-2023-0009-acme-corp.docx").is_file()
    help_text = run("import-docx", "--help").output
    docs = (Path(__file__).resolve().parents[2] / "docs" / "roundtrip.md").read_text()
    lines = [ln.split("#")[0].strip() for ln in (help_text + docs).splitlines()
             if ln.strip().startswith("commentkit import-docx my-comment/")]
    assert len(lines) >= 4
    for line in lines:
        res = run(*shlex.split(line)[1:])
        assert res.exit_code == 0, (line, res.output)
        assert res.stderr == "", (line, res.stderr)
        assert "0 changed, 1 unchanged" in res.output or "0 changed" in res.output, line
