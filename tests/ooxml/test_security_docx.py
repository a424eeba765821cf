"""Untrusted Word files: zip bombs, huge or deeply nested XML, external entities (XXE), billion
laughs, damaged zips, hostile part names: each refused cleanly (one line naming the file, exit 2)
before any XML is parsed, through every command that reads a Word file, and nothing is written.

Plus a fuzz test: 1,000 mutated Word files each for the DOCX import and the reference DOCX.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypo import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commentkit.errors import UserError

XXE = b'<?xml version="1.0"?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10))
          + b"]>\n")


def _base_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("Hello from a plain Word file.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _rezip(raw: bytes, change: dict[str, bytes | None], extra: list[tuple[zipfile.ZipInfo | str, bytes]] = ()) -> bytes:
    """A copy of the package ``raw`` with parts replaced (None: removed) and extra parts appended."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    zout.writestr(info.filename, change[info.filename])
            else:
                zout.writestr(info, zin.read(info))
        for name, data in extra:
            zout.writestr(name, data)
    return out.getvalue()


def _with_prolog(raw: bytes, part: str, prolog: bytes, body_sub: tuple[bytes, bytes] | None = None) -> bytes:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        xml = z.read(part)
    xml = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
    if body_sub:
        xml = xml.replace(*body_sub, 1)
    return _rezip(raw, {part: prolog + xml})


def _lying_sizes(raw: bytes) -> bytes:
    """A package whose zip directory declares a tiny size for a part that inflates to 5 MB."""
    payload = b" " * (5 * 1024 * 1024)
    data = _rezip(raw, {}, [("word/extra.xml", payload)])
    info_at = data.rfind(b"PK\x01\x02" + data[data.rfind(b"PK\x01\x02") + 4:][:0])  # last central entry
    # patch the uncompressed size (offset 24 in the central directory entry) of the last entry
    buf = bytearray(data)
    buf[info_at + 24:info_at + 28] = (100).to_bytes(4, "little")
    return bytes(buf)


def _deep(raw: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        xml = z.read("word/document.xml")
    deep = b"<w:r>" * 5000 + b"</w:r>" * 5000
    return _rezip(raw, {"word/document.xml": xml.replace(b"<w:body>", b"<w:body><w:p>" + deep + b"</w:p>", 1)})


ATTACKS = {
    "zip bomb (20 MB of spaces in 20 kB)": (lambda raw: _rezip(raw, {}, [("word/bomb.xml", b" " * (20 << 20))]),
                                           "zip bomb"),
    "part larger than the limit": (lambda raw: _rezip(raw, {}, [("word/big.bin", b"\x00" * (65 << 20))]), "zip bomb"),
    "XXE in document.xml": (lambda raw: _with_prolog(raw, "word/document.xml", XXE, (b"Hello", b"&xxe;")), "DTD"),
    "billion laughs in styles.xml": (lambda raw: _with_prolog(raw, "word/styles.xml", LAUGHS), "DTD"),
    "DOCTYPE after a long comment": (
        lambda raw: _with_prolog(raw, "word/document.xml",
                                 b'<?xml version="1.0"?>\n<!--' + b"x" * 5000 + b"-->\n"
                                 + b'<!DOCTYPE w:document [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'), "DTD"),
    "entity in a relationship part": (lambda raw: _with_prolog(raw, "_rels/.rels", LAUGHS), "DTD"),
    "part climbing out of the package": (lambda raw: _rezip(raw, {}, [("../../evil.xml", b"<x/>")]), "outside"),
    "absolute part name": (lambda raw: _rezip(raw, {}, [("/etc/evil.xml", b"<x/>")]), "outside"),
    "no document part": (lambda raw: _rezip(raw, {"word/document.xml": None}), "no word/document.xml"),
    "not a zip": (lambda raw: b"This is not a Word file at all.\n" * 10, "not a Word .docx file"),
    "old binary .doc": (lambda raw: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000, ".doc"),
    "truncated package": (lambda raw: raw[: len(raw) // 2], "Word"),
    "zip directory damaged": (lambda raw: raw[:-30] + b"\xff" * 30, "Word"),
    "declared sizes lie": (_lying_sizes, "Word"),
    "deeply nested XML": (_deep, ""),
    "empty file": (lambda raw: b"", "Word"),
}


@pytest.fixture(scope="module")
def base_docx() -> bytes:
    return _base_docx()


def _one_line(res, path: Path) -> str:
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert "\n" not in err and "Traceback" not in err, err
    assert str(path) in err, err
    assert "root:" not in res.output  # /etc/passwd never shows up
    return err


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_hostile_reference_docx_is_refused_by_build(project, run, base_docx, tmp_path, attack):
    make, words = ATTACKS[attack]
    evil = tmp_path / "letterhead.docx"
    evil.write_bytes(make(base_docx))
    before = evil.read_bytes()
    res = run("build", project, "--format", "docx", "--reference-docx", evil)
    err = _one_line(res, evil)
    assert words in err
    assert evil.read_bytes() == before
    assert not list((project / "build").glob("*.docx")) if (project / "build").exists() else True


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_hostile_docx_is_refused_by_import_docx(project, run, base_docx, tmp_path, attack):
    make, words = ATTACKS[attack]
    evil = tmp_path / "edited.docx"
    evil.write_bytes(make(base_docx))
    answers_before = {p.name: p.read_bytes() for p in (project / "answers").glob("*.md")}
    res = run("import-docx", evil, project, "--apply")
    err = _one_line(res, evil)
    assert words in err
    assert {p.name: p.read_bytes() for p in (project / "answers").glob("*.md")} == answers_before


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_hostile_docx_is_refused_as_a_member_form(base_docx, tmp_path, attack):
    from commentkit.association import form as memberform

    make, words = ATTACKS[attack]
    evil = tmp_path / "returned-form.docx"
    evil.write_bytes(make(base_docx))
    with pytest.raises(UserError) as exc:
        memberform.open_form(evil)
    msg = exc.value.format()
    assert "\n" not in msg and str(evil) in msg and words in msg


def test_xxe_is_never_resolved_even_by_the_parser(base_docx, tmp_path):
    """Defence in depth: the parser configuration alone resolves no external entity."""
    from commentkit.ooxml import safe as safedocx

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711")
    xml = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file://' + str(secret).encode() + b'">]>'
           b"<d>&e;</d>")
    from lxml import etree

    root = etree.fromstring(xml, safedocx.xml_parser())
    assert b"TOP-SECRET" not in etree.tostring(root)
    with pytest.raises(UserError, match="DTD"):
        safedocx.parse_part(xml, tmp_path / "x.docx", "word/document.xml")


def test_a_normal_word_file_passes(base_docx, tmp_path):
    from commentkit.ooxml import safe as safedocx

    ok = tmp_path / "ok.docx"
    ok.write_bytes(base_docx)
    safedocx.check(ok)
    assert "Hello from a plain Word file." in [p.text for p in safedocx.open_document(ok).paragraphs]


# ---- fuzz: 1,000 mutated Word files per loader ------------------------------------------------------------------

FUZZ = settings(max_examples=examples(1000), deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

XML_BITS = [b"<", b">", b"</w:p>", b"<w:p>", b"&", b"&amp;", b"&#0;", b"&#x110000;", b"<![CDATA[", b"]]>",
            b"<!DOCTYPE x>", b"<!ENTITY a 'b'>", b"&a;", b'"', b"\x00", b"\xff", b"<?pi x?>", b"<!--", b"-->",
            b'w:val="999999999999"', b'w:id="-1"', b'w:name="_ck_answer_x"', b"<w:bookmarkStart w:id=\"0\"/>",
            b"<w:ins>", b"</w:ins>", b"<w:del>", b"<w:t>", b"</w:t>", b"<w:numPr><w:ilvl w:val=\"99\"/></w:numPr>",
            b"<w:r>" * 300]


@st.composite
def mutated_docx(draw, raw: bytes):
    """Either damage the zip bytes themselves, or damage one XML part and re-zip it properly."""
    if draw(st.booleans()):
        data = bytearray(raw)
        for _ in range(draw(st.integers(1, 3))):
            pos = draw(st.integers(0, len(data) - 1))
            kind = draw(st.sampled_from(["flip", "truncate", "delete", "insert"]))
            if kind == "flip":
                data[pos] = draw(st.integers(0, 255))
            elif kind == "truncate":
                del data[pos:]
                if not data:
                    break
            elif kind == "delete":
                del data[pos:pos + draw(st.integers(1, 64))]
                if not data:
                    break
            else:
                data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        return bytes(data)
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        xml_parts = sorted(n for n in z.namelist() if n.endswith((".xml", ".rels")))
    part = draw(st.sampled_from(xml_parts))
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        xml = bytearray(z.read(part))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, max(0, len(xml) - 1)))
        kind = draw(st.sampled_from(["flip", "truncate", "delete", "insert", "duplicate"]))
        if kind == "flip" and xml:
            xml[pos] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del xml[pos:]
        elif kind == "delete":
            del xml[pos:pos + draw(st.integers(1, 80))]
        elif kind == "insert":
            xml[pos:pos] = draw(st.sampled_from(XML_BITS))
        else:
            xml[pos:pos] = xml[pos:pos + draw(st.integers(1, 400))]
    return _rezip(raw, {part: bytes(xml)})


@pytest.fixture(scope="module")
def built_letter(tmp_path_factory):
    """A small letter built by commentkit (with its answer bookmarks), and its project."""
    from click.testing import CliRunner

    from commentkit.cli import cli
    from commentkit.project.folder import Project

    root = tmp_path_factory.mktemp("fuzzdocx") / "proj"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(root), "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme"]).exit_code == 0
    proj = Project.open(root)
    for q in proj.pack.bank.questions[:2]:
        proj.save_answer(q.id, f"We *recommend* that Treasury clarify {q.id}.\n\n- one\n- two", status="final")
    res = runner.invoke(cli, ["build", str(root), "--format", "docx", "--out", str(root / "out")])
    assert res.exit_code == 0, res.output
    return root, next((root / "out").glob("*.docx")).read_bytes()


def _fuzz_one(loader, folder: Path, raw: bytes):
    path = folder / "input.docx"
    path.write_bytes(raw)
    digest = hashlib.sha256(raw).hexdigest()
    try:
        loader(path)
    except UserError as exc:
        text = exc.format()
        assert "\n" not in text and str(path) in text, text
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_fuzz_docx_import(built_letter):
    """roundtrip.read_docx (what `commentkit import-docx` reads), 1,000 damaged letters."""
    from commentkit.roundtrip import importer as roundtrip

    root, raw = built_letter
    roundtrip.read_docx(_write(root / "seed.docx", raw))  # the seed itself is read
    folder = Path(tempfile.mkdtemp(prefix="ck-fuzz-docx-"))
    try:
        @FUZZ
        @given(mutated_docx(raw))
        def run(data):
            _fuzz_one(roundtrip.read_docx, folder, data)

        run()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_fuzz_reference_docx(built_letter):
    """writers.docx.open_base (the --reference-docx letterhead), 1,000 damaged Word files."""
    from commentkit.letter.writers.docx import open_base

    _, raw = built_letter
    base = _base_docx()
    folder = Path(tempfile.mkdtemp(prefix="ck-fuzz-ref-"))
    try:
        @FUZZ
        @given(st.sampled_from([raw, base]).flatmap(mutated_docx))
        def run(data):
            _fuzz_one(open_base, folder, data)

        run()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write(path: Path, raw: bytes) -> Path:
    path.write_bytes(raw)
    return path
