"""Answer anchors in a built Word letter, and the record of each answer's text as built (the base).

Shared by the Word writer (which writes them) and ``import-docx`` (which reads them); see
docs/roundtrip.md for the experiment behind the choices.

* **Paragraph bookmarks.** Besides the region bookmark ``ck_q_<id>`` around a whole answer,
  every paragraph (and table) of an answer carries its own bookmark ``ck_q_<id>__<n>``, opened
  and closed inside that paragraph. LibreOffice 7.4 splits a bookmark that spans paragraphs on
  its first save and keeps only its last paragraph on the second; a bookmark inside one
  paragraph survives any number of saves, and an ODT round trip.
* **The base.** A custom XML part (``customXml/itemN.xml``, root ``{urn:commentkit:base:1}base``)
  holds, per anchored region, its canonical Markdown as built. Custom XML survives Word and
  LibreOffice saves, not an ODT round trip; so the custom document properties also hold a short
  fingerprint of each region (``commentkit.base.NN``: ``<anchor>=<hash>,...``) and of the build
  (``commentkit.fingerprint``). The import compares base, Word and disk (three-way).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

from commentkit.letter.markdown_in import parse_blocks
from commentkit.letter.writers.markdown import region_markdown
from commentkit.models.document import (
    Anchor,
    Block,
    Document,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Table,
    Version,
    key_of_anchor,
    plain_text,
    resolve_confidential,
)

PARA_SEP = "__"
"""Between the region's bookmark name and the paragraph number: ``ck_q_cov_tx_4__3``."""
MAX_BOOKMARK = 40
"""Word keeps bookmark names of at most 40 characters."""
BASE_NS = "urn:commentkit:base:1"
HEADING_SHIFT = 3
"""The build puts an answer's own headings three levels below the question heading."""
HASH_LEN = 12

_ROOT_URL = re.compile(r"\]\((https?://[^/\s()]+)/\)")


def para_bookmark(anchor: str, n: int) -> str:
    """Name of paragraph ``n`` (from 1) of region ``anchor``; a name Word would cut is hashed."""
    name = f"{anchor}{PARA_SEP}{n}"
    if len(name) <= MAX_BOOKMARK:
        return name
    return f"ck_h_{short_hash(anchor, 10)}{PARA_SEP}{n}"


def region_of_bookmark(name: str, known: dict[str, str] | None = None) -> str | None:
    """The region (anchor name) a paragraph bookmark belongs to, or None. ``known`` maps the
    hashed form of long anchor names back to them (see :func:`hashed_names`)."""
    if PARA_SEP not in name:
        return None
    base, _, n = name.rpartition(PARA_SEP)
    if not n.isdigit():
        return None
    if base.startswith("ck_h_"):
        return (known or {}).get(base)
    return base if key_of_anchor(base) else None


def hashed_names(anchor_names) -> dict[str, str]:
    return {f"ck_h_{short_hash(a, 10)}": a for a in anchor_names}


def short_hash(text: str, n: int = HASH_LEN) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


# ---- canonical Markdown ----------------------------------------------------------------------

def norm_markdown(text: str) -> str:
    """Comparison form: whitespace collapsed, blank lines dropped, and a site's root URL written
    the same with or without its final slash (LibreOffice adds it)."""
    text = _ROOT_URL.sub(r"](\1)", text)
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines() if line.strip())


def fingerprint(markdown: str) -> str:
    """Short hash of a region's text, insensitive to what :func:`norm_markdown` ignores."""
    return short_hash(norm_markdown(markdown))


def _unshift(blocks: list[Block]) -> list[Block]:
    """Headings as the import reads them back from Word (three levels up, at least 1): new
    headings and containers, every other block shared (copying whole answers cost more than
    writing the letter)."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Heading):
            b = dataclasses.replace(b, level=max(1, b.level - HEADING_SHIFT))
        elif isinstance(b, Quote):
            b = dataclasses.replace(b, blocks=_unshift(b.blocks))
        elif isinstance(b, ListBlock):
            b = dataclasses.replace(b, items=[_unshift(item) for item in b.items])
        out.append(b)
    return out


def anchor_markdown(anchor: Anchor, footnotes: dict[str, list[Block]], version: str) -> str:
    """The canonical Markdown of an anchored region as that version of the letter shows it (what an
    import of the unedited Word file reads back). A public letter's record holds no confidential
    passage: they are redacted as in its text."""
    return region_markdown(_unshift(anchor.blocks), footnotes, version)


# ---- the letter, paragraph by paragraph -------------------------------------------------------

def block_text(b, version: Version) -> str:
    """A paragraph's or table's plain text as Word shows it, whitespace collapsed (a table: its
    cells joined with " | ")."""
    if isinstance(b, (Paragraph, Heading)):
        text = plain_text(resolve_confidential(b.inlines, version))
    elif isinstance(b, Table):
        rows = ([b.header] if b.header else []) + b.rows
        text = " | ".join(plain_text(resolve_confidential(c, version)) for r in rows for c in r)
    else:
        text = ""
    return " ".join(text.split())


def paragraph_texts(blocks: list[Block], version: Version, base: dict[str, str] | None = None,
                    owner: str | None = None) -> list[tuple[str, str | None]]:
    """Each top-level Word paragraph (or table) the blocks make: (plain text, the anchor name it
    sits in or None). With ``base``, an anchor's paragraphs come from its Markdown as built."""
    out: list[tuple[str, str | None]] = []
    for b in blocks:
        if isinstance(b, Anchor):
            inner = b.blocks
            if base is not None and b.name in base:
                inner = parse_blocks(base[b.name], ns=b.key)[0]
            out.extend(paragraph_texts(inner, version, None, b.name))
        elif isinstance(b, Quote):
            out.extend(paragraph_texts(b.blocks, version, base, owner))
        elif isinstance(b, ListBlock):
            for item in b.items:
                out.extend(paragraph_texts(item, version, base, owner))
        elif isinstance(b, (Paragraph, Heading, Table)):
            out.append((block_text(b, version), owner))
    return out


# ---- the base record -------------------------------------------------------------------------

def _xml_text(text: str) -> str:
    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]", "", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return '"' + _xml_text(text).replace('"', "&quot;").replace("\n", "&#10;") + '"'


def base_record(doc: Document) -> tuple[bytes, dict[str, str]]:
    """The custom XML part holding every region's text as built, and the document properties
    that fingerprint it (see module docstring)."""
    regions = [(a, anchor_markdown(a, doc.footnotes, doc.version)) for a in doc.anchors()]
    hashes = [(a.name, fingerprint(md)) for a, md in regions]
    build = short_hash("\n".join(f"{n}={h}" for n, h in hashes) + "\n" + doc.version + str(doc.draft), 16)
    letter = sorted({short_hash(t, 10) for t, o in paragraph_texts(doc.blocks, doc.version) if t and o is None})
    items = f'<ck:letter>{" ".join(letter)}</ck:letter>' + "".join(f'<ck:region name={_attr(a.name)} key={_attr(a.key)} kind={_attr(a.kind)} '
                    f'hash="{h}">{_xml_text(md)}</ck:region>' for (a, md), (_, h) in zip(regions, hashes))
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<ck:base xmlns:ck="{BASE_NS}" '
           f'fingerprint="{build}" version={_attr(doc.version)} draft="{"yes" if doc.draft else "no"}">'
           f'{items}</ck:base>').encode("utf-8")
    props = {"commentkit.fingerprint": build}
    joined = ",".join(f"{n}={h}" for n, h in hashes)
    # Word cuts a property value at 255 characters: chunks of at most 200, cut between entries
    chunks, cur = [], ""
    for entry in joined.split(","):
        if cur and len(cur) + 1 + len(entry) > 200:
            chunks.append(cur)
            cur = entry
        else:
            cur = f"{cur},{entry}" if cur else entry
    if cur:
        chunks.append(cur)
    for i, chunk in enumerate(chunks):
        props[f"commentkit.base.{i + 1:02d}"] = chunk
    return xml, props


def parse_base_props(props: dict[str, str]) -> dict[str, str]:
    """anchor name -> fingerprint, from the ``commentkit.base.NN`` document properties."""
    out: dict[str, str] = {}
    for k in sorted(props):
        if not k.startswith("commentkit.base."):
            continue
        for entry in props[k].split(","):
            name, _, h = entry.strip().partition("=")
            if key_of_anchor(name) and re.fullmatch(r"[0-9a-f]{6,64}", h):
                out[name] = h
    return out


def parse_base_xml(root) -> tuple[dict[str, str], set[str]] | None:
    """(anchor name -> Markdown as built, hashes of the letter's own paragraphs as built) from a
    parsed custom XML part; None if it is not ours."""
    if root is None or root.tag != f"{{{BASE_NS}}}base":
        return None
    out: dict[str, str] = {}
    for el in root.iter(f"{{{BASE_NS}}}region"):
        name = el.get("name", "")
        if key_of_anchor(name):
            out[name] = el.text or ""
    letter: set[str] = set()
    for el in root.iter(f"{{{BASE_NS}}}letter"):
        letter.update((el.text or "").split())
    return out, letter
