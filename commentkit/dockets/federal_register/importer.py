"""Reading a Federal Register document into a docket pack (pure: bytes and text in, models out).

Inputs a user can download for any FR document:

- the full-text XML (``PRORULE`` / ``RULE`` / ``NOTICE`` with ``PREAMB`` and ``SUPLINF``;
  headings ``HD SOURCE="HD1".."HD3"``, paragraphs ``P``, page markers ``PRTPAGE``, ``FRDOC``);
- the plain-text edition (GPO layout: ``[[Page N]]`` markers, ``AGENCY:`` ... preamble captions);
- the Federal Register API's JSON metadata for the document.

:func:`parse_xml` / :func:`parse_text` turn a document into a :class:`ParsedNotice` (blocks of
headings and paragraphs with their FR pages); :func:`parse_api_json` reads the JSON;
:func:`build` makes a validated :class:`~commentkit.models.docket.Docket` and
:class:`~commentkit.models.docket.QuestionBank` from them. Whatever cannot be determined from the
inputs is listed in ``Docket.unresolved``; nothing is guessed. Required facts that are missing
(publication date, document number, pages) stop the import with a one-line error saying how to
supply them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from commentkit.errors import UserError
from commentkit.files import limits
from commentkit.files.yamlio import validate
from commentkit.models.docket import (
    Addressee,
    Channel,
    Deadline,
    Docket,
    FederalRegisterCitation,
    Link,
    NoticeContact,
    PageRange,
    Question,
    QuestionBank,
    RelevanceRule,
    Section,
)
from commentkit.models.interview import Interview
from commentkit.ooxml import safe

MAX_INPUT_BYTES = limits.FETCHED_DOCUMENT_BYTES  # the limit table (commentkit.files.limits)
"""Largest FR document accepted (the largest rules are a few MB of XML)."""

FR_VOLUME_BASE_YEAR = 1935
"""The Federal Register's volume is its year of publication minus 1935 (volume 1 = 1936)."""

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_MONTH_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
               "oct": 10, "nov": 11, "dec": 12}


# --------------------------------------------------------------------------------------------
# Parsed document


@dataclass
class Block:
    """A heading or paragraph of the document body, with the FR pages it is printed on."""

    kind: str  # "heading" or "para"
    text: str
    level: int = 0  # heading level (1 = HD1); 0 for paragraphs
    first_page: int = 0  # 0 = before the first page marker (the document's first page)
    last_page: int = 0
    zone: str = "body"  # "body" or "extract" (quoted material: never a question)
    indent: bool = False  # printed indented (FP-2 and the like): a sub-part when it follows a question


@dataclass
class ParsedNotice:
    fmt: str  # "xml" or "text"
    source: str
    root: str | None = None  # PRORULE, RULE, NOTICE, PRESDOCU
    preamble: dict[str, str] = field(default_factory=dict)  # agency, subagy, cfr, depdoc, rin, subject,
    #                                                         agy, act, sum, dates, add, furinf
    add_paragraphs: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    first_page: int | None = None
    last_page: int | None = None
    document_number: str | None = None
    volume: int | None = None
    issue: int | None = None
    publication_date: dt.date | None = None


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


# --------------------------------------------------------------------------------------------
# XML


_SKIP_TEXT = {"REGTEXT", "LSTSUB", "SIG", "AUTH", "AMDPAR", "SECTION", "GPOTABLE", "GPH", "MATH", "BILCOD",
              "FTNT", "APPENDIX", "SUBPART", "PART", "CONTENTS", "STARS"}
"""Elements whose paragraphs are not discussion (regulatory text, signatures, tables, footnotes)."""

_DOC_ROOTS = ("PRORULE", "RULE", "NOTICE", "PRESDOCU")


def _xml_parser():
    return safe.xml_parser(remove_comments=True, remove_pis=True)


def parse_xml(raw: bytes, source: str | Path = "XML", document: str | None = None) -> ParsedNotice:
    """Parse Federal Register full-text XML. Untrusted input: no entities, no DTD, no network.

    The file is one document (``PRORULE``, ``RULE``, ``NOTICE``), or a whole daily issue
    (``FEDREG``, as in govinfo's bulk data), from which ``document`` (an FR Doc. number) picks one;
    an issue also gives the volume, issue number and publication date.
    """
    from lxml import etree  # lazy: only Word/XML readers need it

    path = Path(source)
    if len(raw) > MAX_INPUT_BYTES:
        raise UserError(f"XML file is too large ({len(raw)} bytes; limit {MAX_INPUT_BYTES})", path)
    head = raw[:4096].lower()
    if b"<!entity" in raw.lower() or (b"<!doctype" in head and b"[" in head.split(b"<!doctype", 1)[1][:2048]):
        raise UserError("XML declares its own entities (a DOCTYPE with <!ENTITY>); refusing to read it", path)
    try:
        root = etree.fromstring(raw, parser=_xml_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        msg = str(exc.msg if hasattr(exc, "msg") else exc).split(" (line")[0]
        raise UserError(f"not well-formed XML: {msg}", path, line) from None
    except ValueError as exc:  # e.g. encoding declaration problems
        raise UserError(f"cannot parse XML: {exc}", path) from None
    doc = root
    if not isinstance(root.tag, str):
        raise UserError("not a Federal Register document (no root element)", path)
    if root.tag not in _DOC_ROOTS:
        docs = [el for el in root.iter() if isinstance(el.tag, str) and el.tag in _DOC_ROOTS]
        nums = [_frdoc_number(" ".join(d.xpath(".//FRDOC//text()"))) for d in docs]
        if document:
            picked = [d for d, n in zip(docs, nums) if n == document]
            if not picked:
                raise UserError(f"FR Doc. {document} is not in this file (it holds "
                                f"{', '.join(n or '?' for n in nums[:12]) or 'no documents'}"
                                f"{'...' if len(nums) > 12 else ''})", path)
            doc = picked[0]
        elif len(docs) == 1:
            doc = docs[0]
        elif not docs:
            raise UserError(f"not a Federal Register document: root element <{root.tag}>, expected one of "
                            f"{', '.join('<' + t + '>' for t in _DOC_ROOTS)}", path)
        else:
            raise UserError(f"this file holds {len(docs)} Federal Register documents (FR Doc. "
                            f"{', '.join(n or '?' for n in nums[:8])}{'...' if len(nums) > 8 else ''}); choose one "
                            f"with --document NUMBER", path)
    elif document:
        found = _frdoc_number(" ".join(root.xpath(".//FRDOC//text()")))
        if found and found != document:
            raise UserError(f"this file is FR Doc. {found}, not {document}", path)
    notice = ParsedNotice(fmt="xml", source=str(source), root=doc.tag)
    if root.tag == "FEDREG":  # the daily issue states its volume, number and date
        vol, no, date = root.findtext("VOL"), root.findtext("NO"), root.findtext("DATE")
        notice.volume = int(vol) if vol and vol.strip().isdigit() else None
        notice.issue = int(no) if no and no.strip().isdigit() else None
        notice.publication_date = _parse_date_words(date or "")
    _XmlWalker(notice).run(doc)
    if not notice.preamble.get("subject") and not notice.blocks:
        raise UserError(f"<{doc.tag}> has no PREAMB/SUBJECT and no SUPLINF text: is this a Federal Register "
                        f"document?", path)
    return notice


def _frdoc_number(text: str) -> str | None:
    m = re.search(r"FR\s+Doc\.?\s*(?:No\.?:?\s*)?([0-9]{2,4}-[0-9]{3,6}|[A-Z][0-9A-Z-]{4,})", text)
    return m.group(1) if m else None


class _XmlWalker:
    """Walks the document in order, tracking the current FR page across every element."""

    def __init__(self, notice: ParsedNotice):
        self.n = notice
        self.page = 0  # 0 until the first PRTPAGE marker
        self.first_marker: int | None = None
        self.last_marker: int | None = None
        self.lead_page: int | None = None  # a marker before any text: the document starts on that page
        self.seen_text = False
        self.footnotes: set[str] = set()  # the numbers of the document's FTNT footnotes

    def run(self, doc) -> None:
        self._run(doc)
        _merge_label_headings(self.n.blocks)

    def _run(self, doc) -> None:
        for ft in doc.iter("FTNT"):
            for su in ft.iter("SU"):
                label = "".join(su.itertext()).strip()
                if label:
                    self.footnotes.add(label)
                break
        for child in doc:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "PRTPAGE":
                self.marker(child)
            elif child.tag == "PREAMB":
                self.preamble(child)
            elif child.tag == "SUPLINF":
                self.body(child, zone="body")
            elif child.tag == "FRDOC":
                self.n.document_number = _frdoc_number(self.text_of(child))
            else:
                self.body(child, zone="skip")
        if self.first_marker is not None:
            self.n.first_page = self.lead_page or self.first_marker - 1
            self.n.last_page = self.last_marker
            for b in self.n.blocks:
                b.first_page = b.first_page or self.n.first_page
                b.last_page = b.last_page or self.n.first_page

    def marker(self, el) -> None:
        raw = (el.get("P") or "").strip()
        if raw.isdigit():
            self.page = int(raw)
            if self.first_marker is None:
                self.first_marker = self.page
                if not self.seen_text:
                    self.lead_page = self.page
            self.last_marker = max(self.last_marker or 0, self.page)

    def text_of(self, el, block: Block | None = None) -> str:
        """Text of ``el`` without footnote references; page markers inside move ``block``'s last page."""
        parts: list[str] = [el.text or ""]
        children = [c for c in el]
        for k, child in enumerate(children):
            if not isinstance(child.tag, str):
                parts.append(child.tail or "")
                continue
            if child.tag == "PRTPAGE":
                self.marker(child)
                if block is not None:
                    block.last_page = self.page
                parts.append(" ")
            elif child.tag == "FTREF":
                pass
            elif child.tag == "SU":
                label = "".join(child.itertext()).strip()
                before = "".join(parts).rstrip("\n")
                ref_next = k + 1 < len(children) and children[k + 1].tag == "FTREF" and not (child.tail or "").strip()
                if _is_exponent(before, label, self.footnotes, ref_next):
                    parts.append(_superscript(label))
                # else a footnote reference: dropped
            else:
                parts.append(self.text_of(child, block))
            parts.append(child.tail or "")
        text = _norm("".join(parts))
        if text:
            self.seen_text = True
        return text

    def preamble(self, el) -> None:
        pre = self.n.preamble
        for child in el:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "PRTPAGE":
                self.marker(child)
            elif tag in ("AGENCY", "SUBAGY", "CFR", "RIN", "SUBJECT"):
                text = self.text_of(child)
                key = tag.lower()
                pre[key] = f"{pre[key]}; {text}" if key in pre and tag != "SUBJECT" else text
            elif tag == "DEPDOC":
                text = self.text_of(child)
                pre["depdoc"] = f"{pre['depdoc']} {text}" if "depdoc" in pre else text
            elif tag in ("AGY", "ACT", "SUM", "DATES", "ADD", "FURINF", "EFFDATE"):
                paras = []
                for p in child.iter():
                    if not isinstance(p.tag, str):
                        continue
                    if p.tag == "PRTPAGE":
                        self.marker(p)
                    elif p.tag in ("P", "FP"):
                        paras.append(self.text_of(p))
                if tag == "ADD":
                    self.n.add_paragraphs = [p for p in paras if p]
                pre[tag.lower()] = " ".join(p for p in paras if p)
            else:
                self.body(child, zone="skip")

    def body(self, el, zone: str) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "PRTPAGE":
                self.marker(child)
            elif tag == "FRDOC":
                self.n.document_number = _frdoc_number(self.text_of(child))
            elif zone == "skip" or tag in _SKIP_TEXT:
                self.body(child, zone="skip")
            elif tag == "HD":
                src = (child.get("SOURCE") or "").upper()
                m = re.fullmatch(r"HD(\d)", src)
                text = self.text_of(child)
                if m and text:
                    self.n.blocks.append(Block("heading", text, level=int(m.group(1)), first_page=self.page,
                                               last_page=self.page, zone=zone))
            elif tag in ("P", "FP"):
                src = (child.get("SOURCE") or "").upper()
                b = Block("para", "", first_page=self.page, last_page=self.page, zone=zone,
                          indent=bool(re.fullmatch(r"FP-?[2-9]|FP\d-[2-9]|P-[2-9]", src)))
                b.text = self.text_of(child, b)
                if b.text:
                    self.n.blocks.append(b)
            elif tag == "EXTRACT":
                self.body(child, zone="extract")
            else:
                self.body(child, zone=zone)


_SUPERSCRIPTS = str.maketrans("0123456789+-=()n", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
                                                   "\u207a\u207b\u207c\u207d\u207e\u207f")


def _superscript(label: str) -> str:
    """``25`` -> ``\u00b2\u2075``; what has no Unicode superscript form is kept as ``^(label)``."""
    if all(c in "0123456789+-=()n" for c in label):
        return label.translate(_SUPERSCRIPTS)
    return f"^({label})" if len(label) > 1 else f"^{label}"


def _is_exponent(before: str, label: str, footnotes: set[str], ref_next: bool) -> bool:
    """Is a superscript an exponent or unit power (kept) rather than a footnote reference (dropped)?

    After a digit it is an exponent (10<SU>25</SU>). Otherwise it is a footnote reference when the
    document has that footnote (or an FTREF marks it); with no such footnote it is kept as a
    superscript after a letter or ')' (m<SU>3</SU>), and dropped after punctuation or a space,
    where no exponent can stand.
    """
    if not label:
        return False
    prev = before[-1:] if before else ""
    if prev.isdigit():
        return True
    if ref_next or label in footnotes:
        return False
    return prev.isalpha() or prev == ")"


_LABEL_HEADING = re.compile(r"^(?:Question|Q)\s?\d{1,3}[.:]?$")
_LABEL_ONLY = re.compile(r"^(?:Question\s+(?:No\.\s*)?\d{1,3}|Q\s?\d{1,3}|\(\d{1,3}\)|\d{1,3}[.)])[.:]?$")


def _merge_label_headings(blocks: list[Block]) -> None:
    """A heading that is only a question label ("Question 3"), or a paragraph that is only a label
    ("1.", "Q4:"), labels the paragraph after it."""
    k = 0
    while k < len(blocks) - 1:
        b, nb = blocks[k], blocks[k + 1]
        label_only = (b.kind == "heading" and _LABEL_HEADING.match(b.text)) or \
            (b.kind == "para" and _LABEL_ONLY.match(b.text))
        if label_only and b.zone == "body" and nb.kind == "para" and nb.zone == "body":
            label = b.text if b.text[-1] in ".:)" else b.text + "."
            nb.text = f"{label} {nb.text}"
            nb.first_page = b.first_page or nb.first_page
            del blocks[k]
            continue
        k += 1


# --------------------------------------------------------------------------------------------
# Plain text (GPO text edition)


_PAGE_LINE = re.compile(r"^\s*\[\[Page\s+(\d+)\]\]\s*$")
_CAPTIONS = {
    "AGENCY": "agy", "ACTION": "act", "SUMMARY": "sum", "DATES": "dates", "DATE": "dates",
    "ADDRESSES": "add", "FOR FURTHER INFORMATION CONTACT": "furinf", "EFFECTIVE DATE": "effdate",
}
_CAPTION_RE = re.compile(r"^(AGENCY|ACTION|SUMMARY|DATES?|ADDRESSES|FOR FURTHER INFORMATION CONTACT|EFFECTIVE DATE)"
                         r":\s*(.*)$", re.S)
_SUPL_RE = re.compile(r"^SUPPLEMENTARY INFORMATION:\s*(.*)$", re.S)


def parse_text(text: str, source: str | Path = "text") -> ParsedNotice:
    """Parse the plain-text edition (paragraphs separated by blank lines; ``[[Page N]]`` markers)."""
    path = Path(source)
    if len(text) > MAX_INPUT_BYTES:
        raise UserError(f"text file is too large ({len(text)} characters; limit {MAX_INPUT_BYTES})", path)
    n = ParsedNotice(fmt="text", source=str(source))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    # header: [Federal Register Volume 88, Number 155 (Monday, August 14, 2023)] ... [Pages 54961-54972]
    head = "\n".join(lines[:60])
    m = re.search(r"Federal Register\s+Volume\s+(\d+),\s+Number\s+(\d+)\s+\((?:\w+,\s+)?([A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})\)",
                  head)
    if m:
        n.volume, n.issue = int(m.group(1)), int(m.group(2))
        n.publication_date = _parse_date_words(m.group(3))
    else:
        m = re.search(r"Federal Register\s*/\s*Vol\.\s*(\d+),\s*No\.\s*(\d+)\s*/\s*\w+,\s*([A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})",
                      head)
        if m:
            n.volume, n.issue = int(m.group(1)), int(m.group(2))
            n.publication_date = _parse_date_words(m.group(3))
    m = re.search(r"\[Pages?\s+(\d+)(?:\s*-\s*(\d+))?\]", head)
    header_pages = (int(m.group(1)), int(m.group(2) or m.group(1))) if m else None
    m = re.search(r"\[FR Doc(?:\.|ument)?\s*(?:No)?:?\s*([0-9]{2,4}-[0-9]{3,6})\]", head)
    if m:
        n.document_number = m.group(1)
    if re.search(r"^\[Proposed Rules?\]", head, re.M):
        n.root = "PRORULE"
    elif re.search(r"^\[Rules? and Regulations\]", head, re.M):
        n.root = "RULE"
    elif re.search(r"^\[Notices?\]", head, re.M):
        n.root = "NOTICE"

    # Paragraph blocks: (first line indent, text, first page, last page, after a page marker?)
    page = 0
    first_marker = last_marker = None
    raw_blocks: list[tuple[int, str, int, int, bool]] = []
    cur: list[str] = []
    cur_indent = 0
    cur_first = 0
    cur_cont = False
    after_marker = False

    def flush():
        nonlocal cur
        if cur:
            raw_blocks.append((cur_indent, _norm(" ".join(cur)), cur_first, page, cur_cont))
            cur = []

    for line in lines:
        pm = _PAGE_LINE.match(line)
        if pm:
            flush()
            page = int(pm.group(1))
            first_marker = first_marker or page
            last_marker = max(last_marker or 0, page)
            after_marker = True
            continue
        if not line.strip():
            flush()
            continue
        indent = len(line) - len(line.lstrip(" "))
        if re.fullmatch(r"\s*-{10,}\s*", line):
            flush()
            raw_blocks.append((0, "-" * 10, page, page, False))
            continue
        if cur and (indent >= 2 or line.startswith(("[FR Doc", "BILLING CODE"))):
            flush()  # the text edition starts each paragraph with an indent
        if not cur:
            cur_indent = indent
            cur_first = page
            cur_cont = after_marker
            after_marker = False
        cur.append(re.sub(r"\\\d+\\", "", line.strip()))
    flush()

    # A block right after a page marker that starts unindented and lower-case continues the paragraph.
    merged: list[list] = []
    for indent, btext, first, last, cont in raw_blocks:
        if cont and merged and indent == 0 and btext[:1].islower() and merged[-1][4] == "para":
            merged[-1][1] += " " + btext
            merged[-1][3] = last
            continue
        merged.append([indent, btext, first, last, "para"])

    pre = n.preamble
    stage = "top"  # top -> captions -> body -> end
    top_lines: list[str] = []
    caption_key = None
    in_footnotes = False
    for indent, btext, first, last, _ in merged:
        if stage == "end":
            break
        if btext.startswith("[FR Doc") or btext.startswith("BILLING CODE"):
            num = _frdoc_number(btext)
            if num:
                n.document_number = num
            if stage == "body":
                stage = "end"
            continue
        if stage in ("top", "captions"):
            if btext == "-" * 10:
                caption_key = None
                continue
            cm = _CAPTION_RE.match(btext)
            sm = _SUPL_RE.match(btext)
            if sm:
                stage = "body"
                if sm.group(1):
                    n.blocks.append(Block("para", sm.group(1), first_page=first, last_page=last))
                continue
            if cm:
                stage = "captions"
                caption_key = _CAPTIONS[cm.group(1)]
                pre[caption_key] = cm.group(2)
                if caption_key == "add":
                    n.add_paragraphs = [cm.group(2)] if cm.group(2) else []
                continue
            if stage == "captions" and caption_key:
                pre[caption_key] = _norm(f"{pre.get(caption_key, '')} {btext}")
                if caption_key == "add":
                    n.add_paragraphs.append(btext)
                continue
            if btext.startswith("[") or btext.startswith("From the Federal Register Online"):
                if re.match(r"^\[(?:Docket|Doc\.|Dkt)", btext, re.I) or "Docket" in btext[:40]:
                    pre["depdoc"] = btext
                continue
            top_lines.append(btext)
            continue
        # body
        if btext == "-" * 10:
            in_footnotes = not in_footnotes
            continue
        if in_footnotes:
            continue
        kind, level = _text_heading(indent, btext, n.blocks)
        n.blocks.append(Block(kind, btext, level=level, first_page=first, last_page=last))

    # top lines: AGENCY, SUBAGY..., CFR, RIN, SUBJECT (the title is the last line before AGENCY:)
    for t in top_lines:
        if re.match(r"^RIN\s", t):
            pre["rin"] = t
        elif re.match(r"^\d+\s+CFR\b", t):
            pre["cfr"] = t
        elif re.match(r"^\[?Docket", t, re.I):
            pre["depdoc"] = t
    rest = [t for t in top_lines if not re.match(r"^(RIN\s|\d+\s+CFR\b|\[?Docket)", t, re.I)]
    if rest:
        pre["subject"] = rest[-1]
        caps = [t for t in rest[:-1] if t.isupper()]
        if caps:
            pre["agency"] = caps[0]
        others = [t for t in rest[:-1] if not t.isupper()]
        if others:
            pre["subagy"] = others[0]

    if first_marker is not None:
        n.first_page = first_marker - 1
        n.last_page = last_marker
    if header_pages:
        n.first_page, n.last_page = header_pages
    if n.first_page:
        for b in n.blocks:
            b.first_page = b.first_page or n.first_page
            b.last_page = b.last_page or n.first_page
    if not pre.get("subject") and not n.blocks:
        raise UserError("no Federal Register preamble (AGENCY:, ACTION:, SUMMARY: ...) or SUPPLEMENTARY "
                        "INFORMATION found; is this the text edition of a Federal Register document?", path)
    return n


_ENUM = re.compile(r"^(?P<label>[IVXLC]+|[A-Z]|\d{1,2}|[a-z]|\([a-z0-9]{1,4}\))\.?\s+(?P<title>\S.*)$")


def _text_heading(indent: int, text: str, blocks: list[Block]) -> tuple[str, int]:
    """Is an unindented short block of the text edition a heading, and of which level?"""
    if indent > 0 or len(text) > 160 or text.endswith((".", "?", ":", ";", ",")) or text.startswith(("\u2022", "*")):
        return "para", 0
    m = _ENUM.match(text)
    if m:
        label = m.group("label")
        if re.fullmatch(r"[IVXLC]+", label) and not (len(label) == 1 and _prev_letter_heading(blocks, label)):
            return "heading", 1
        if re.fullmatch(r"[A-Z]", label):
            return "heading", 2
        if label.isdigit():
            return "heading", 3
        return "heading", 4
    if text[:1].isupper() and len(text.split()) <= 12:
        levels = [b.level for b in blocks if b.kind == "heading"]
        return "heading", (min(levels[-1] + 1, 4) if levels else 1)
    return "para", 0


def _prev_letter_heading(blocks: list[Block], label: str) -> bool:
    """'C.' after a 'B.' heading is a letter, not the roman numeral 100 (likewise I, V, X, L)."""
    want = chr(ord(label) - 1)
    for b in reversed(blocks):
        if b.kind == "heading" and b.level == 2:
            m = _ENUM.match(b.text)
            return bool(m and m.group("label") == want)
        if b.kind == "heading" and b.level == 1:
            return False
    return False


# --------------------------------------------------------------------------------------------
# API JSON


@dataclass
class ApiMeta:
    document_number: str | None = None
    title: str | None = None
    agencies: list[str] = field(default_factory=list)
    doc_type: str | None = None  # "Proposed Rule", "Rule", "Notice"
    action: str | None = None
    volume: int | None = None
    start_page: int | None = None
    end_page: int | None = None
    publication_date: dt.date | None = None
    comments_close_on: dt.date | None = None
    docket_ids: list[str] = field(default_factory=list)
    regs_docket_id: str | None = None
    rins: list[str] = field(default_factory=list)
    cfr: str | None = None
    full_text_xml_url: str | None = None
    html_url: str | None = None
    comment_url: str | None = None


def parse_api_json(raw: bytes | str, source: str | Path = "JSON") -> ApiMeta:
    """Read the Federal Register API's document JSON (``/api/v1/documents/NUMBER.json``)."""
    path = Path(source)
    if len(raw) > MAX_INPUT_BYTES:
        raise UserError("JSON file is too large", path)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        raise UserError(f"not valid JSON: {str(exc).split(':')[0]}", path, line) from None
    if not isinstance(data, dict):
        raise UserError("expected a JSON object (the Federal Register API's document JSON)", path)
    if "results" in data and isinstance(data["results"], list):
        if len(data["results"]) != 1:
            raise UserError(f"this JSON lists {len(data['results'])} documents; save the JSON of one document "
                            f"(/api/v1/documents/NUMBER.json)", path)
        data = data["results"][0]
        if not isinstance(data, dict):
            raise UserError("expected a document object in 'results'", path)

    def s(key) -> str | None:
        v = data.get(key)
        if v is None or v == "":
            return None
        if not isinstance(v, (str, int)):
            raise UserError(f"field {key!r} should be text, not {type(v).__name__}", path)
        return str(v).strip() or None

    def i(key) -> int | None:
        v = data.get(key)
        if v is None or v == "":
            return None
        try:
            return int(v)
        except (TypeError, ValueError):
            raise UserError(f"field {key!r} should be a whole number, not {v!r}", path) from None

    def d(key) -> dt.date | None:
        v = s(key)
        if v is None:
            return None
        try:
            return dt.date.fromisoformat(v[:10])
        except ValueError:
            raise UserError(f"field {key!r} should be a date like 2023-09-28, not {v!r}", path) from None

    def strlist(key) -> list[str]:
        v = data.get(key)
        if v is None:
            return []
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise UserError(f"field {key!r} should be a list of text", path)
        return [x.strip() for x in v if x.strip()]

    meta = ApiMeta(document_number=s("document_number"), title=s("title"), doc_type=s("type"),
                   action=s("action"), start_page=i("start_page"), end_page=i("end_page"),
                   publication_date=d("publication_date"), comments_close_on=d("comments_close_on"),
                   docket_ids=strlist("docket_ids"), rins=strlist("regulation_id_numbers"),
                   full_text_xml_url=s("full_text_xml_url"), html_url=s("html_url"),
                   comment_url=s("comment_url"), volume=i("volume"))
    agencies = data.get("agencies") or []
    if not isinstance(agencies, list):
        raise UserError("field 'agencies' should be a list", path)
    for a in agencies:
        if isinstance(a, dict):
            name = a.get("name") or a.get("raw_name")
            if isinstance(name, str) and name.strip():
                meta.agencies.append(name.strip())
    cit = s("citation")
    if cit:
        m = re.fullmatch(r"(\d+)\s+FR\s+(\d+)", cit)
        if not m:
            raise UserError(f"field 'citation' should look like '88 FR 54961', not {cit!r}", path)
        meta.volume = meta.volume or int(m.group(1))
        meta.start_page = meta.start_page or int(m.group(2))
    regs = data.get("regulations_dot_gov_info")
    if isinstance(regs, dict):
        v = regs.get("docket_id")
        if isinstance(v, str) and v.strip():
            meta.regs_docket_id = v.strip()
    cfr = data.get("cfr_references")
    if isinstance(cfr, list) and cfr and isinstance(cfr[0], dict) and cfr[0].get("title"):
        part = cfr[0].get("part") or cfr[0].get("chapter")
        meta.cfr = f"{cfr[0]['title']} CFR" + (f" Part {part}" if cfr[0].get("part") else
                                               (f" Chapter {part}" if part else ""))
    return meta


# --------------------------------------------------------------------------------------------
# Dates and deadlines


_DATE_RE = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)\s+(\d{1,2}),?\s+(\d{4})\b")


def _parse_date_words(text: str) -> dt.date | None:
    m = _DATE_RE.search(text)
    if not m:
        return None
    return _date_from_match(m)


def _date_from_match(m) -> dt.date | None:
    name = m.group(1).lower().rstrip(".")
    month = MONTHS.get(name) or _MONTH_ABBR.get(name)
    try:
        return dt.date(int(m.group(3)), month, int(m.group(2)))  # type: ignore[arg-type]  # None: TypeError below
    except (TypeError, ValueError):
        return None


@dataclass
class DeadlineFinding:
    date: dt.date | None
    time: str | None = None  # HH:MM when the text states a time
    timezone: str | None = None
    sentence: str = ""
    extended: bool = False
    others: list[dt.date] = field(default_factory=list)  # other candidate dates (ambiguity)


_ZONES = {"eastern": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
          "et": "America/New_York", "central": "America/Chicago", "cst": "America/Chicago",
          "cdt": "America/Chicago", "mountain": "America/Denver", "pacific": "America/Los_Angeles"}
_DEADLINE_WORDS = re.compile(r"\b(by|before|until|through|no later than|on or before|extended to|to|due|"
                             r"close[sd]?(?: on)?|deadline(?: is| of)?|ends? on|received on)\W*$", re.I)
_REFERENCE_WORDS = re.compile(r"\b(published|issued|dated|signed|effective|held|hearing|meeting|released|"
                              r"appeared)\b[^.]{0,40}$", re.I)


@dataclass
class Amendment:
    """An extension, reopening or correction notice: which notice it amends and the new deadline."""

    kind: str  # "extension", "reopening" or "correction"
    document_number: str | None
    docket_ids: list[str] = field(default_factory=list)
    rins: list[str] = field(default_factory=list)
    cites: list[tuple[int, int]] = field(default_factory=list)  # (volume, page) of the FR citations it names
    fr_docs: list[str] = field(default_factory=list)  # FR Doc. numbers it names (not its own)
    deadline: DeadlineFinding | None = None
    corrected_pages: list[int] = field(default_factory=list)
    corrected_questions: list[str] = field(default_factory=list)
    citation: str | None = None  # this notice's own first page, as "88 FR 62011", when its markers tell

    def label(self) -> str:
        own = f"FR Doc. {self.document_number}" if self.document_number else "the notice"
        return f"{own}{', ' + self.citation if self.citation else ''}"


_EXTENSION = re.compile(r"\b(?:extension|extending|extends?)\b[^.;]{0,40}\bcomment period|\bcomment period\b[^.;]{0,40}"
                        r"\b(?:extension|extended)\b", re.I)
_REOPENING = re.compile(r"\breopen(?:ing|s|ed)?\b[^.;]{0,40}\bcomment period|\bcomment period\b[^.;]{0,40}\breopen", re.I)
_CORRECTION = re.compile(r"\bcorrect(?:ion|ions|ing amendment)\b", re.I)


def amendment(notice: ParsedNotice) -> Amendment | None:
    """If ``notice`` extends, reopens or corrects another notice, what it amends; else None."""
    pre = notice.preamble
    head = f"{pre.get('act', '')} ; {pre.get('subject', '')}"
    if _REOPENING.search(head):
        kind = "reopening"
    elif _EXTENSION.search(head):
        kind = "extension"
    elif _CORRECTION.search(pre.get("act", "")) or re.search(r";\s*correction\s*$", pre.get("subject", ""), re.I):
        kind = "correction"
    else:
        return None
    body = " ".join(b.text for b in notice.blocks)
    everything = " ".join([pre.get("sum", ""), pre.get("dates", ""), pre.get("effdate", ""), pre.get("add", ""), body])
    am = Amendment(kind=kind, document_number=notice.document_number)
    for text in (pre.get("depdoc", ""), pre.get("add", ""), everything):
        for d_id in REGS_DOCKET.findall(text):
            if d_id not in am.docket_ids and not _RIN_RE.fullmatch(d_id):
                am.docket_ids.append(d_id)
    am.rins = _RIN_RE.findall(pre.get("rin", ""))
    for vol, page in re.findall(r"\b(\d{1,3})\s+FR\s+(\d{1,6})\b", everything):
        if (int(vol), int(page)) not in am.cites:
            am.cites.append((int(vol), int(page)))
    for num in re.findall(r"\bFR\s+Doc\.?\s+(?:No\.?\s*)?(\d{2,4}-\d{3,6})", everything):
        if num != notice.document_number and num not in am.fr_docs:
            am.fr_docs.append(num)
    if notice.first_page and notice.publication_date:
        am.citation = f"{notice.volume or notice.publication_date.year - FR_VOLUME_BASE_YEAR} FR {notice.first_page}"
    if kind == "correction":
        for b in notice.blocks:
            m = re.search(r"\bDATES?:\s*(.+)$", b.text)
            if m:
                found = parse_deadline(m.group(1))
                if found.date:
                    am.deadline = found
                    break
        am.corrected_pages = sorted({int(p) for p in re.findall(r"\b[Oo]n page (\d{3,6})", body)})
        am.corrected_questions = re.findall(r"\b(?:[Qq]uestion\s+)?(Q\s?\d{1,3}|[Qq]uestion\s+\d{1,3})\b", body)
    else:
        dates = pre.get("dates") or pre.get("effdate") or ""
        found = parse_deadline(dates) if dates else DeadlineFinding(None)
        if not found.date:
            found = parse_deadline(body)
        am.deadline = found if found.date else None
    return am


_SENTENCE_END = re.compile(r"(?<![ap]\.m)(?<!\bNo)(?<!U\.S)(?<!\b[A-Z])[.;]\s+(?=[A-Z(])")


def parse_deadline(dates_text: str) -> DeadlineFinding:
    """The comment deadline stated in a DATES paragraph (an extension's new date wins)."""
    text = _norm(dates_text)
    extended = bool(re.search(r"\b(extend|extension|reopen|reopening)", text, re.I))
    cands: list[tuple[dt.date, int, str]] = []
    for m in _DATE_RE.finditer(text):
        day = _date_from_match(m)
        if day is None:
            continue
        before = text[max(0, m.start() - 160): m.start()]
        bounds = [mm.end() for mm in _SENTENCE_END.finditer(before)]
        sentence_before = before[bounds[-1]:] if bounds else before
        near = before[-40:]
        if _REFERENCE_WORDS.search(near) and not _DEADLINE_WORDS.search(near[-25:]):
            continue
        if "comment" not in sentence_before.lower() and "comment" not in text[m.end(): m.end() + 60].lower():
            continue
        if not _DEADLINE_WORDS.search(near) and not re.search(r"\b(on|is)\s*$", near):
            continue
        after = text[m.end(): m.end() + 120]
        ends = _SENTENCE_END.search(after)
        sent = (sentence_before + m.group(0) + (after[: ends.start() + 1] if ends else after)).strip()
        cands.append((day, m.start(), sent))
    if not cands:
        return DeadlineFinding(None, extended=extended)
    pick = cands[0]
    if extended:
        ext = [c for c in cands if re.search(r"\b(now|extended|reopened|until|new)\b", c[2], re.I)]
        pick = ext[-1] if ext else cands[-1]
    finding = DeadlineFinding(pick[0], sentence=pick[2], extended=extended,
                              others=sorted({c[0] for c in cands if c[0] != pick[0]}))
    tm = re.search(r"\b(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)\s*(?:\(?\s*(Eastern|Central|Mountain|Pacific|"
                   r"E[SD]T|C[SD]T|ET)\b)?", pick[2], re.I)
    if tm:
        hh, mm = int(tm.group(1)) % 12, int(tm.group(2) or 0)
        if tm.group(3).lower().startswith("p"):
            hh += 12
        if 0 <= hh < 24 and 0 <= mm < 60:
            finding.time = f"{hh:02d}:{mm:02d}"
        if tm.group(4):
            finding.timezone = _ZONES.get(tm.group(4).lower())
    return finding


# --------------------------------------------------------------------------------------------
# Questions and sections


# Labels. Each body paragraph may open with a label: a question number in one of several styles,
# a sub-part letter or roman numeral, or a bullet.
_LABELS: list[tuple[str, re.Pattern]] = [
    # without punctuation the question must start like a sentence: "Question 12 of the ANPRM asked"
    # is a reference, not a label
    ("Question N", re.compile(r"^Question\s+(?:No\.\s*|#\s*)?(\d{1,3})(?:\s*[.:\u2014\u2013)-]\s*(?=[^\s\d])|"
                              r"\s+(?=[A-Z\"\u201c(]))")),
    ("QN", re.compile(r"^Q\.?\s?(\d{1,3})(?:\s*[.:\u2014\u2013)-]\s*(?=[^\s\d])|\s+(?=[A-Z\"\u201c(]))")),
    ("(N)", re.compile(r"^\((\d{1,3})\)\s*(?=\S)")),
    ("N)", re.compile(r"^(\d{1,3})\)\s+(?=\S)")),
    ("N.", re.compile(r"^(\d{1,3})\.\s+(?=\S)")),
]
_SUBNUM = re.compile(r"^(?P<pre>Question\s+|Q\.?\s?)?(?P<n>\d{1,3})\s?(?P<sub>\([a-z]{1,4}\)|\.[a-z]{1,4}|[a-z])"
                     r"[.:)\u2014\u2013-]?\s+(?=\S)")
"""A numbered sub-question ("1(a)", "Question 2(b):", "3.a."): part of the question with that number."""
_DECIMAL = re.compile(r"^(?:Question\s+|Q\.?\s?)?(\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)[.:)]?\s+(?=\S)")
_REQUEST_HEADING = re.compile(r"\b(request|comment|question|input|issues? for|information sought|solicitation)", re.I)
_EXPLICIT = ("Question N", "QN")
"""Label styles that say "question" themselves: every paragraph so labelled is a question."""
_SUBPART = re.compile(r"^(?:\((?:[a-zA-Z]|[ivxl]{1,5})\)|(?:[a-z]|[ivxl]{1,5})[.)])\s+\S")
_BULLET = re.compile(r"^\s*[\u2022\u25cf\u25aa\u25a0\u2023\u2219\u00b7\u2013\u2014*-]\s*(\S.*)$", re.S)
_IMPERATIVE = re.compile(r"^(?:[Pp]lease\s+)?(?:[Dd]escribe|[Ee]xplain|[Pp]rovide|[Ii]dentify|[Dd]iscuss|[Cc]omment|"
                         r"[Aa]ddress|[Ss]uggest|[Ss]pecify|[Ii]ndicate|[Ll]ist|[Qq]uantify|[Ee]stimate)"
                         r"\s+(?!note\b|see\b|refer\b)[a-z(\u201c\"']")
"""An imperative request: "Describe how ...", "Please provide ..." (not a title-case caption)."""
_NOT_REQUEST = re.compile(r"^please\s+(note|see|refer|direct|contact|submit|include|do not|identify the (question|"
                          r"number))", re.I)
_STATEMENT = re.compile(
    r"\b(?:seeks|requests|invites|solicits|welcomes|encourages)\s+(?:\w+\s+){0,3}?(?:comments?|input|views|"
    r"information|feedback|responses|data|suggestions|recommendations)\b"
    r"|\bwe\s+(?:also\s+|further\s+|therefore\s+|specifically\s+|thus\s+)?(?:seek|request|invite|welcome|solicit|"
    r"encourage)\s+(?:\w+\s+){0,3}?(?:comments?|input|views|information|feedback)\b"
    r"|\b(?:comments?|input|views|information|feedback)\s+(?:is|are)\s+(?:also\s+|further\s+|specifically\s+|"
    r"particularly\s+)?(?:invited|requested|sought|solicited|welcome[d]?)\b"
    r"|(?<!\bwill )(?<!\bwould )(?<!\bmay )(?<!\bcould )(?<!\bto )(?<!\band )(?<!\bnot )\b(?:seek|request|invite|"
    r"solicit|welcome)\s+(?:\w+\s+){0,3}?(?:comments?|input|views|information|feedback)\b"
    r"|\binvites?\b[^.?]{0,100}?\bto\s+(?:comment|submit comments|provide)\b"
    r"|\binterested in (?:receiving\s+)?(?:comments?|information|views|input)\b"
    r"|\b(?:commenters|the public|interested (?:persons|parties)|stakeholders|respondents)\s+(?:are|is)\s+(?:also\s+)?"
    r"(?:invited|encouraged|asked|requested)\s+to\b", re.I)
_LEAD_IN = re.compile(r"\b(the following|as follows|below)\b|:\s*$", re.I)
_CROSS_REF = re.compile(r"\b(?:Q\s?\d+|[Qq]uestions?\s+\d+)\b")
_GENERAL = re.compile(r"\b(?:all|every) aspects? of\b", re.I)
_LEAD_WORDS = re.compile(r"\b(comments?|questions?|input|views|feedback|information|topics|issues)\b", re.I)

STYLE_STATEMENT = "statement"
STYLE_BULLET = "bullet"
STYLE_PARAGRAPH = "\N{PILCROW SIGN} N"
STYLE_UNLABELLED = "unlabelled"


@dataclass
class FoundQuestion:
    number: int | None
    text: str
    first_page: int
    last_page: int
    heading_index: int | None  # index into the section list
    kind: str  # "numbered", "numbered-local:N", "paragraph:N", "bullet" or "statement"
    block_index: int = 0
    style: str = ""  # the label style, for the import report


@dataclass
class FoundSection:
    id: str
    title: str
    level: int
    first_page: int
    last_page: int


@dataclass
class FindReport:
    """What the question finder did, for the import report: nothing is dropped silently."""

    styles: dict[str, int] = field(default_factory=dict)  # label style -> questions taken
    gaps: list[int] = field(default_factory=list)  # numbers missing from a numbered list
    not_taken: list[tuple[int, str]] = field(default_factory=list)  # (FR page, paragraph) that asks, not taken
    restarts: bool = False
    paragraph_numbering: bool = False  # every paragraph numbered (FCC style): numbers are not question numbers


def _label(text: str) -> tuple[str | None, int | None, str]:
    """(style, number, rest) of a paragraph's question label; (None, None, text) when it has none.

    A numbered sub-question ("Question 4(a): ...") is labelled with its question's number; the rest
    keeps its letter ("(a) ...").
    """
    m = _SUBNUM.match(text)
    if m:
        pre = (m.group("pre") or "").strip()
        style = "Question N" if pre.startswith("Question") else "QN" if pre else "N."
        sub = m.group("sub").strip(".")
        sub = sub if sub.startswith("(") else f"({sub})"
        return style, int(m.group("n")), f"{sub} {text[m.end():].strip()}"
    for style, rx in _LABELS:
        m = rx.match(text)
        if m:
            return style, int(m.group(1)), text[m.end():].strip()
    return None, None, text


def _bullet_body(text: str) -> str:
    m = _BULLET.match(text)
    return m.group(1).strip() if m else text.strip()


_STATEMENT_HINT = re.compile(r"seek|request|invit|solicit|welcom|encourag|interested|sought|asked", re.I)
"""A cheap first look: every statement-form request has one of these words."""


def requests_comment(text: str) -> bool:
    """A statement-form request ("Treasury seeks comment on ...", "Comment is also invited on ...")."""
    return bool(_STATEMENT_HINT.search(text) and _STATEMENT.search(text))


@lru_cache(maxsize=8192)
def asks(text: str) -> bool:
    """Does a paragraph ask something or request comment?"""
    if "?" in text:
        return True
    if _NOT_REQUEST.match(text):
        return False
    return bool(_IMPERATIVE.match(text) or requests_comment(text))


def _is_questionish(text: str) -> bool:
    return asks(text)


def _slug(text: str, words: int = 4) -> str:
    ws = re.findall(r"[a-z0-9]+", text.lower())
    ws = [w for w in ws if w not in {"the", "of", "and", "a", "an", "for", "on", "to", "in"}] or ws
    return "-".join(ws[:words])


def _sections(blocks: list[Block]) -> tuple[list[FoundSection], list[int | None]]:
    """Sections from the headings; for each block, the index of the section it falls in."""
    sections: list[FoundSection] = []
    stack: list[tuple[int, str, str]] = []  # (level, id part, heading)
    owner: list[int | None] = []
    current: int | None = None
    used: set[str] = set()
    for b in blocks:
        if b.kind == "heading" and b.zone == "body":
            while stack and stack[-1][0] >= b.level:
                stack.pop()
            m = _ENUM.match(b.text)
            part = m.group("label").strip("()").lower() if m else _slug(b.text, 3)
            stack.append((b.level, part or "s", b.text))
            # enumerated headings ("A.") need their parents' labels to mean anything ("ii-a");
            # a worded heading ("Request for Comments") is its own id
            sid = ("-".join(p for _, p, _ in stack) if m else part)[:28].strip("-")
            if not sid or not sid[0].isalpha():
                sid = ("s" + sid)[:32]
            sid = re.sub(r"[^a-z0-9-]", "-", sid).strip("-") or "s"
            base, k = sid, 2
            while sid in used:
                suffix = f"-{k}"
                sid = base[:32 - len(suffix)] + suffix
                k += 1
            used.add(sid)
            # a third-level heading alone ("1. Equity") says little: prefix its parent's heading
            title = f"{stack[-2][2]} \u2014 {b.text}" if b.level >= 3 and len(stack) >= 2 else b.text
            sections.append(FoundSection(sid, title, b.level, b.first_page, b.last_page))
            current = len(sections) - 1
        elif current is not None:
            sections[current].last_page = max(sections[current].last_page, b.last_page)
        owner.append(current)
    # parents span their subsections
    for i, s in enumerate(sections):
        for t in sections[i + 1:]:
            if t.level <= s.level:
                break
            s.last_page = max(s.last_page, t.last_page)
    return sections, owner


def _top_parts(blocks: list[Block]) -> list[int]:
    """For each block, the index of the top-level heading it falls under (-1 before any)."""
    levels = [b.level for b in blocks if b.kind == "heading" and b.zone == "body"]
    top = min(levels) if levels else 1
    out, cur = [], -1
    for i, b in enumerate(blocks):
        if b.kind == "heading" and b.zone == "body" and b.level == top:
            cur = i
        out.append(cur)
    return out


_MAX_GAP = 3
"""A numbered list continues across at most this many missing numbers; a larger jump starts a new list."""


def find_questions(blocks: list[Block], report: FindReport | None = None
                   ) -> tuple[list[FoundSection], list[FoundQuestion], list[str]]:
    """The notice's questions, in document order, with their sub-parts; and the sections they are in.

    1. Every body paragraph's label is read ("N.", "(N)", "N)", "Question N", "QN", a sub-part
       letter or roman numeral, a bullet). A run of one numbering style that directly follows a
       labelled paragraph ending in ":" or "?" is that paragraph's sub-list, never a list of its own.
    2. Each remaining style is split into lists (a number not above the previous one starts a new
       list). A list where five or more paragraphs (and at least a quarter) ask nothing numbers
       paragraphs, not questions (FCC style): only the paragraphs that ask are taken, with no
       question number. Otherwise a list is a question list when it is labelled as questions
       ("Question N", "QN") and asks something, when at least half its paragraphs ask, or when a
       request introduces it ("... the following topics:"); then every paragraph of it is a
       question (a statement-form request included). Numbers claimed twice (restarted
       numbering) are all dropped.
    3. Sub-parts (letters, roman numerals, FP-2 paragraphs, bullets, another numbering style)
       that follow a question ending in ":" or "?" are part of it.
    4. Unnumbered requests ("Treasury seeks comment on ...", "Comment is also invited on ...")
       after the first listed question, in the same top-level part, are questions without a
       number; in a notice with no question list, every such request is. Lead-ins ("... the
       following:") and cross-references ("... in Q14 above") are not.
    5. Bullets: a bullet list after a lead-in is one question per bullet when every bullet asks,
       else one question (the lead-in with its bullets); a bullet that asks is a question anyway.
    Everything in EXTRACT, GPOTABLE, REGTEXT, FTNT and the like is never read (zone != body).
    """
    rep = report if report is not None else FindReport()
    sections, owner = _sections(blocks)
    top = _top_parts(blocks)
    problems: list[str] = []
    n_blocks = len(blocks)
    body = [i for i, b in enumerate(blocks) if b.kind == "para" and b.zone == "body"]
    labels: dict[int, tuple[str | None, int | None, str]] = {i: _label(blocks[i].text) for i in body}
    # a numbered sub-question after its stem or an earlier sibling ("4(b)" after "4" or "4(a)") is a
    # part of that question, not a question of its own
    subs: set[int] = set()
    last_number: int | None = None
    for i in body:
        style, n, _ = labels[i]
        if n is None:
            continue
        if _SUBNUM.match(blocks[i].text) and n == last_number:
            subs.add(i)
            labels[i] = (None, None, blocks[i].text)
            continue
        last_number = n
    numbers: dict[int, int] = {i: n for i, (_, n, _) in labels.items() if n is not None}

    def nxt(i: int) -> int | None:
        """The next block after i if it is a body paragraph (headings, extracts break a sequence)."""
        j = i + 1
        if j < n_blocks and blocks[j].kind == "para" and blocks[j].zone == "body":
            return j
        return None

    def is_sub_marker(j: int) -> bool:
        b = blocks[j]
        return bool(j in subs or _SUBPART.match(b.text) or _BULLET.match(b.text) or b.indent)

    # 1. sub-lists: a run of one numeric style right after a labelled paragraph (or its sub-parts)
    #    of another style that ends with ":" or "?"
    sublist: set[int] = set()
    for i in body:
        style, _, rest = labels[i]
        if style is None or i in sublist:
            continue
        tail = rest
        j = nxt(i)
        inner: str | None = None
        while j is not None:
            s2, n2, _ = labels[j]
            if s2 is not None and s2 != style and (inner in (None, s2)):
                if inner is None and not (tail.rstrip().endswith((":", "?")) and n2 == 1):
                    break
                inner = s2
                sublist.add(j)
            elif s2 is None and is_sub_marker(j):
                pass
            else:
                break
            tail = blocks[j].text
            j = nxt(j)

    # 2. lists per style
    by_style: dict[str, list[int]] = {}
    for i in body:
        style = labels[i][0]
        if style is not None and i not in sublist:
            by_style.setdefault(style, []).append(i)
    question_lists: list[tuple[str, list[int]]] = []
    paragraph_lists: list[tuple[str, list[int]]] = []
    for style, idxs in by_style.items():
        runs: list[list[int]] = []
        for i in idxs:
            n = numbers[i]
            if runs and numbers[runs[-1][-1]] < n <= numbers[runs[-1][-1]] + 1 + _MAX_GAP:
                runs[-1].append(i)
            else:
                runs.append([i])
        for run in runs:
            n_ask = sum(1 for i in run if asks(labels[i][2]))
            # a list right after a request that introduces it ("... comment on the following topics:")
            # is the list of what the agency asks, even when its items are not phrased as questions
            before = run[0] - 1
            introduced = before >= 0 and blocks[before].kind == "para" and blocks[before].zone == "body" and \
                labels.get(before, (None,))[0] is None and before not in subs and asks(blocks[before].text) and \
                bool(re.search(r"(:|\bthe following\b[^.]*\.)\s*$", blocks[before].text))
            n_plain = len(run) - n_ask
            if style not in _EXPLICIT and not introduced and n_ask and n_plain >= 5 and n_plain * 4 >= len(run):
                # many numbered paragraphs that ask nothing: the numbers are paragraph numbers (FCC style)
                paragraph_lists.append((style, run))
            elif (style in _EXPLICIT and n_ask) or (n_ask and n_ask * 2 >= len(run)) or \
                    (introduced and len(run) >= 2):
                question_lists.append((style, run))
    claimed: dict[int, int] = {}
    for _, run in question_lists:
        for i in run:
            claimed[numbers[i]] = claimed.get(numbers[i], 0) + 1
    restarts = any(c > 1 for c in claimed.values())
    rep.restarts = restarts
    rep.paragraph_numbering = bool(paragraph_lists)

    heads: list[tuple[int, str, str]] = []  # (block index, kind, style)
    for style, run in question_lists:
        for i in run:
            heads.append((i, f"numbered-local:{numbers[i]}" if restarts else "numbered", style))
    if claimed and not restarts:  # numbers the notice's numbering implies but its text lacks
        rep.gaps.extend(x for x in range(1, max(claimed)) if x not in claimed)
    for _, run in paragraph_lists:
        for i in run:
            if asks(labels[i][2]):
                heads.append((i, f"paragraph:{labels[i][1]}", STYLE_PARAGRAPH))
    rep.gaps.sort()
    if rep.gaps:
        shown = ", ".join(str(x) for x in rep.gaps[:12]) + (" ..." if len(rep.gaps) > 12 else "")
        problems.append(f"question numbers {shown} were not found in the text; check the notice and add "
                        f"them to questions.yaml")
    if restarts:
        problems.append("the notice restarts its question numbering within the document, so no question "
                        "carries an agency number (number: null); each title starts with its number within its "
                        "list. Set 'number' only if the notice numbers questions uniquely")

    # decimal labels ("1.1", "Question 2.3:"): questions, but their numbers are not whole numbers,
    # so they carry none (the title keeps the label)
    for i in body:
        m = _DECIMAL.match(blocks[i].text)
        if m and labels[i][0] is None and i not in subs and asks(blocks[i].text[m.end():]):
            labels[i] = ("N.M", None, blocks[i].text[m.end():].strip())
            heads.append((i, f"numbered-local:{m.group(1)}", "N.M"))

    # 4. unnumbered requests
    listed = sorted(i for i, _, _ in heads)
    first_listed = listed[0] if listed else None
    parts_with_questions = {top[i] for i in listed}
    head_set = set(listed)

    # 3. sub-parts of each question
    questions: list[FoundQuestion] = []
    taken: set[int] = set()

    def collect(i: int, text: str) -> tuple[str, int]:
        last = blocks[i].last_page
        j = nxt(i)
        chained = False
        while j is not None and j not in head_set:
            b = blocks[j]
            s2 = labels[j][0]
            opens = text.rstrip().endswith((":", "?", "\u2014")) or bool(_LEAD_IN.search(text))
            if j in sublist or j in subs or (s2 is None and (_SUBPART.match(b.text) or b.indent)
                                             and (opens or chained)) or \
                    (s2 is None and _BULLET.match(b.text) and (text.rstrip().endswith(":") or chained)):
                text += "\n" + b.text.strip()
                last = max(last, b.last_page)
                taken.add(j)
                chained = True
                j = nxt(j)
                continue
            break
        return text, last

    for i, kind, style in sorted(heads):
        b = blocks[i]
        text, last = collect(i, labels[i][2])
        taken.add(i)
        number = labels[i][1] if kind == "numbered" else None
        questions.append(FoundQuestion(number, text, b.first_page, last, owner[i], kind, i, style))

    no_list = not heads

    def in_request_part(i: int) -> bool:
        k = owner[i]
        titles = [sections[k].title] if k is not None else []
        if top[i] >= 0:
            titles.append(blocks[top[i]].text)
        return any(_REQUEST_HEADING.search(t) for t in titles)

    for i in body:
        if i in taken or labels[i][0] is not None or _BULLET.match(blocks[i].text) or is_sub_marker(i):
            continue
        text = blocks[i].text
        statement = bool(requests_comment(text) or (_IMPERATIVE.match(text) and not _NOT_REQUEST.match(text)))
        # a notice without a question list asks in prose: its question paragraphs in a part headed as a
        # request for comment are questions too
        prose_question = no_list and "?" in text and in_request_part(i)
        if not (statement or prose_question):
            continue
        if prose_question and not statement and not (_LEAD_IN.search(text) or _CROSS_REF.search(text)):
            text, last = collect(i, text)
            taken.add(i)
            questions.append(FoundQuestion(None, text, blocks[i].first_page, last, owner[i], "statement", i,
                                           STYLE_UNLABELLED))
            continue
        if _LEAD_IN.search(text) or _CROSS_REF.search(text) or _GENERAL.search(text):
            continue
        if not no_list and not (first_listed is not None and i > first_listed and top[i] in parts_with_questions):
            continue
        text, last = collect(i, text)
        taken.add(i)
        questions.append(FoundQuestion(None, text, blocks[i].first_page, last, owner[i], "statement", i,
                                       STYLE_STATEMENT))

    # 5. bullets
    covered: set[int] = set()  # lead-ins whose bullets were taken
    i = 0
    while i < n_blocks:
        b = blocks[i]
        if i in taken or b.kind != "para" or b.zone != "body" or not _BULLET.match(b.text):
            i += 1
            continue
        run = [i]
        j = nxt(i)
        while j is not None and j not in taken and _BULLET.match(blocks[j].text):
            run.append(j)
            j = nxt(j)
        lead = i - 1
        lead_ok = i > 0 and blocks[lead].kind == "para" and blocks[lead].zone == "body" and \
            not _BULLET.match(blocks[lead].text) and lead not in taken and bool(
                (asks(blocks[lead].text) and blocks[lead].text.rstrip().endswith((":", "."))) or
                (blocks[lead].text.rstrip().endswith(":") and _LEAD_WORDS.search(blocks[lead].text)))
        bodies = [_bullet_body(blocks[k].text) for k in run]
        if lead_ok and not all("?" in t for t in bodies):
            text = blocks[lead].text + "".join("\n" + blocks[k].text.strip() for k in run)
            questions.append(FoundQuestion(None, text, blocks[lead].first_page, blocks[run[-1]].last_page,
                                           owner[lead], "bullet", lead, STYLE_BULLET))
            taken.update(run)
            taken.add(lead)
        else:
            for k, t in zip(run, bodies):
                if "?" in t or lead_ok:
                    questions.append(FoundQuestion(None, t, blocks[k].first_page, blocks[k].last_page, owner[k],
                                                   "bullet", k, STYLE_BULLET))
                    taken.add(k)
            if lead_ok and any(k in taken for k in run):
                covered.add(lead)
        i = run[-1] + 1

    # 6. a request ending in ":" followed by items (lettered, numbered, indented) no list took:
    #    one question, the request with its items (e.g. the Paperwork Reduction Act's "(a) ... (d)")
    for i in body:
        text = blocks[i].text
        if i in taken or i in covered or not text.rstrip().endswith(":") or not asks(text):
            continue
        items: list[int] = []
        j = nxt(i)
        while j is not None and j not in taken and (is_sub_marker(j) or (labels[j][0] is not None and
                                                                           j not in head_set)):
            items.append(j)
            j = nxt(j)
        if not items:
            continue
        full = text + "".join("\n" + blocks[k].text.strip() for k in items)
        questions.append(FoundQuestion(None, full, blocks[i].first_page, max(blocks[k].last_page for k in items),
                                       owner[i], "statement", i, STYLE_STATEMENT))
        taken.add(i)
        taken.update(items)

    # a lead-in whose next paragraph was taken introduced it: it is not a request left behind
    for i in body:
        j = nxt(i)
        if i not in taken and j is not None and j in taken and \
                (blocks[i].text.rstrip().endswith(":") or re.search(r"\bthe following\b", blocks[i].text, re.I)):
            covered.add(i)

    questions.sort(key=lambda q: q.block_index)
    for q in questions:
        rep.styles[q.style] = rep.styles.get(q.style, 0) + 1
    for i in body:
        if i in taken or i in covered:
            continue
        if asks(blocks[i].text):
            rep.not_taken.append((blocks[i].first_page, blocks[i].text))
    return sections, questions, problems


def short_title(text: str, words: int = 12) -> str:
    """A short title made from the question's first words (commentkit's, not the agency's)."""
    first = re.split(r"(?<=[?:])\s|(?<=[a-z]{3}\.)\s", text.split("\n", 1)[0].strip(), maxsplit=1)[0]
    ws = first.split()
    if len(ws) <= words:
        return first.rstrip(":")
    return " ".join(ws[:words]).rstrip(",;:") + "\u2026"


# --------------------------------------------------------------------------------------------
# Building the pack


REGS_DOCKET = re.compile(r"\b([A-Z][A-Z0-9]{1,11}(?:-[A-Z0-9]{1,10}){0,2}-(?:(?:19|20)\d{2}|\d{2})(?:-[A-Z]{1,10}){0,3}"
                         r"-\d{3,5})\b")
"""A regulations.gov docket ID: TREAS-DO-2023-0009, EERE-2024-BT-STD-0017, AMS-FTPP-24-0058."""
_RIN_RE = re.compile(r"\b(\d{4}-[A-Z]{2}\d{2})\b")


@dataclass
class ImportResult:
    docket: object  # commentkit.models.docket.Docket
    bank: object  # commentkit.models.docket.QuestionBank
    unresolved: list[str]
    facts: dict[str, str]  # where each key fact came from, for the YAML comments and the report
    interview: object | None = None  # commentkit.models.interview.Interview: the notice's parts as themes
    report: FindReport = field(default_factory=FindReport)  # what the question finder took and left


@dataclass
class Overrides:
    """Facts the user supplies on the command line when the document does not state them."""

    published: dt.date | None = None
    docket_id: str | None = None


def _title_case(name: str) -> str:
    if not name.isupper():
        return name
    small = {"of", "the", "and", "for", "on", "in", "to", "a", "an"}
    out = []
    for k, w in enumerate(name.lower().split()):
        out.append(w if (k and w in small) else w.capitalize())
    return " ".join(out)


def _document_type(root: str | None, action: str, api_type: str | None) -> str:
    a = action.lower()
    if "advance notice of proposed" in a:
        return "ANPRM"
    if "supplemental notice of proposed" in a:
        return "SNPRM"
    if "interim final rule" in a:
        return "interim final rule"
    if "request for information" in a:
        return "request for information"
    kind = root or {"Proposed Rule": "PRORULE", "Rule": "RULE", "Notice": "NOTICE"}.get(api_type or "", "")
    if kind == "PRORULE" or "proposed rule" in a:
        return "NPRM"
    if kind == "RULE" or "final rule" in a:
        return "final rule"
    if kind == "NOTICE" or a.startswith("notice"):
        return "notice"
    return "other"


def build(notice: ParsedNotice | None, meta: ApiMeta | None = None, overrides: Overrides | None = None,
          source_label: str | None = None) -> ImportResult:
    """Make a validated Docket and QuestionBank from a parsed document and/or its API metadata."""
    ov = overrides or Overrides()
    src = Path(notice.source) if notice else None
    label = source_label or (Path(notice.source).name if notice else "the API metadata")
    pre = notice.preamble if notice else {}
    unresolved: list[str] = []
    facts: dict[str, str] = {}

    # Document number
    docnum = None
    if notice and notice.document_number:
        docnum = notice.document_number
        facts["document_number"] = "FRDOC line"
    if meta and meta.document_number:
        if docnum and docnum != meta.document_number:
            raise UserError(f"the API metadata is for FR Doc. {meta.document_number} but the document is FR Doc. "
                            f"{docnum}; use the metadata of the same document", src)
        docnum = docnum or meta.document_number
        facts.setdefault("document_number", "API metadata")
    if not docnum:
        raise UserError("could not find the FR document number (no '[FR Doc. ...]' line); add the document's API "
                        "JSON with --meta FILE.json", src)

    # Publication date, volume, pages
    published = (notice.publication_date if notice else None) or (meta.publication_date if meta else None) \
        or ov.published
    if notice and notice.publication_date:
        facts["publication_date"] = "text edition header"
    elif meta and meta.publication_date:
        facts["publication_date"] = "API metadata"
    elif ov.published:
        facts["publication_date"] = "--published option"
    if published is None:
        raise UserError(f"the document does not state its publication date (the full-text XML does not carry "
                        f"it); add the API JSON with --meta FILE.json or give --published YYYY-MM-DD "
                        f"(FR Doc. {docnum})", src)
    volume = (notice.volume if notice else None) or (meta.volume if meta else None)
    if volume is None:
        volume = published.year - FR_VOLUME_BASE_YEAR
        facts["volume"] = f"publication year {published.year} (volume = year - 1935)"
    first = (meta.start_page if meta and meta.start_page else None) or (notice.first_page if notice else None)
    last = (meta.end_page if meta and meta.end_page else None) or (notice.last_page if notice else None)
    if notice and notice.first_page and meta and meta.start_page and notice.first_page != meta.start_page:
        unresolved.append(f"FR pages: the document's page markers start at {notice.first_page} but the API says "
                          f"{meta.start_page}; check federal_register.first_page")
    if not first:
        raise UserError(f"could not tell the document's FR pages (no page markers); add the API JSON with --meta "
                        f"FILE.json (FR Doc. {docnum})", src)
    last = last or first
    if notice and not (meta and meta.start_page) and notice.fmt == "xml":
        facts["pages"] = "page markers (the page before the first PRTPAGE is the first page)"
    cit = FederalRegisterCitation(volume=volume, first_page=first, last_page=max(last, first),
                                  issue=notice.issue if notice else None, document_number=docnum,
                                  publication_date=published)

    # Identity
    title = pre.get("subject") or (meta.title if meta else None)
    if not title:
        raise UserError("the document has no title (SUBJECT) and no API metadata was given", src)
    agency = None
    if meta and meta.agencies:
        agency = meta.agencies[0]
    if pre.get("agency"):
        agency = _title_case(pre["agency"].split(";")[0])
    if not agency and pre.get("agy"):
        agency = pre["agy"].rstrip(".").split(",")[-1].strip()
    if not agency:
        agency = "Unknown agency"
        unresolved.append("agency: not stated in the document; set 'agency'")
    office = _title_case(pre["subagy"].split(";")[0]) if pre.get("subagy") else None
    if not office and meta and len(meta.agencies) > 1:
        office = meta.agencies[1]
    action = pre.get("act") or (meta.action if meta else "") or ""
    doc_type = _document_type(notice.root if notice else None, action, meta.doc_type if meta else None)
    if doc_type == "other":
        unresolved.append("document type: not recognised from ACTION; set 'document_type'")

    rin = None
    rins = []
    if pre.get("rin"):
        rins = _RIN_RE.findall(pre["rin"])
    if meta and meta.rins:
        rins += [r for r in meta.rins if r not in rins]
    if len(rins) == 1:
        rin = rins[0]
    elif len(rins) > 1:
        rin = rins[0]
        unresolved.append(f"RIN: the document lists several ({', '.join(rins)}); 'rin' holds the first")
    else:
        unresolved.append("RIN: not stated in the document; set 'rin' if the rulemaking has one")
    cfr = pre.get("cfr") or (meta.cfr if meta else None)

    # Docket ID: printed in the document (DEPDOC, ADDRESSES) or the API's docket_ids; never invented.
    docket_id = ov.docket_id
    if docket_id:
        facts["docket_id"] = "--docket-id option"
    else:
        found: list[str] = []
        for where, text in (("DEPDOC", pre.get("depdoc", "")), ("ADDRESSES", pre.get("add", ""))):
            for d_id in REGS_DOCKET.findall(text or ""):
                if d_id != docnum and d_id not in found and not _RIN_RE.fullmatch(d_id):
                    found.append(d_id)
                    facts.setdefault("docket_id", where)
        if meta:
            for d_id in ([meta.regs_docket_id] if meta.regs_docket_id else []) + meta.docket_ids:
                if REGS_DOCKET.fullmatch(d_id) and d_id not in found:
                    found.append(d_id)
                    facts.setdefault("docket_id", "API metadata")
        if len(found) == 1:
            docket_id = found[0]
        elif len(found) > 1:
            unresolved.append(f"docket ID: the document names several ({', '.join(found)}); set docket_id to the "
                              f"one for comments")
    pack_id = docket_id or f"FR-{docnum}"

    # Deadline
    dates_text = pre.get("dates") or pre.get("effdate") or ""
    finding = parse_deadline(dates_text) if dates_text else DeadlineFinding(None)
    ddate, dsource = finding.date, None
    if ddate:
        dsource = f'DATES: "{finding.sentence}"'
        facts["deadline"] = "DATES text"
        if finding.others:
            unresolved.append("deadline: the DATES text gives other dates too ("
                              + ", ".join(d.isoformat() for d in finding.others)
                              + f"); commentkit used {ddate.isoformat()}; check")
    if meta and meta.comments_close_on:
        if ddate and ddate != meta.comments_close_on:
            unresolved.append(f"deadline: DATES says {ddate.isoformat()} but the Federal Register API says "
                              f"{meta.comments_close_on.isoformat()} (an extension or reopening?); commentkit used "
                              f"the API's date; check")
        if ddate != meta.comments_close_on:
            dsource = (f"Federal Register API comments_close_on {meta.comments_close_on.isoformat()}"
                       + (f"; {dsource}" if dsource else ""))
        ddate = meta.comments_close_on
        facts["deadline"] = "API comments_close_on" if facts.get("deadline") != "DATES text" else "DATES text and API"
    if ddate is None:
        if doc_type in ("final rule",):
            raise UserError(f"FR Doc. {docnum} is a final rule with no comment period; there is nothing to comment on",
                            src)
        raise UserError(f"could not find a comment deadline in the DATES text"
                        f"{' and the API has no comments_close_on' if meta else ''}; is this a document that "
                        f"invites comments? (FR Doc. {docnum})", src)
    dl_time = finding.time if (finding.date == ddate and finding.time) else "23:59"
    dl_zone = finding.timezone if (finding.date == ddate and finding.timezone) else "America/New_York"
    if not (finding.date == ddate and finding.time):
        dsource = (dsource or "") + ("; " if dsource else "") + \
            "no time stated: 11:59 pm Eastern assumed (regulations.gov closes comment periods then)"
    elif not finding.timezone:
        dsource = (dsource or "") + "; no time zone stated: Eastern assumed"
        unresolved.append("deadline time zone: not stated with the time; Eastern assumed; check")
    if finding.extended and finding.date == ddate:
        dsource = (dsource or "") + "; the DATES text extends or reopens the comment period"
    deadline = Deadline(date=ddate, time=dl_time, timezone=dl_zone, source=dsource)

    # Submission channels from ADDRESSES
    channels: list[Channel] = []
    paras = notice.add_paragraphs if notice else []
    if not paras and pre.get("add"):
        paras = [pre["add"]]
    for p in paras:
        low = p.lower()
        if "regulations.gov" in low and not any(c.kind == "regulations.gov" for c in channels):
            url = f"https://www.regulations.gov/docket/{docket_id}" if docket_id else "https://www.regulations.gov"
            channels.append(Channel(kind="regulations.gov", label="Federal eRulemaking Portal", url=url,
                                    instructions=p.lstrip("\u2022 ")))
        elif re.search(r"\bhand[- ]deliver", low):
            channels.append(Channel(kind="hand-delivery", label="Hand delivery or courier", instructions=p.lstrip("\u2022 ")))
        elif re.search(r"(^|[^-e])\bmail\b", low) and not re.search(r"\be-?mail:", low):
            channels.append(Channel(kind="mail", label="Mail", instructions=p.lstrip("\u2022 ")))
        elif re.search(r"\be-?mail\b", low) and re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", p):
            channels.append(Channel(kind="email", label="Email", instructions=p.lstrip("\u2022 ")))
    if any(c.kind == "mail" for c in channels):
        unresolved.append("mail channel: the mailing address lines were not extracted; copy them from ADDRESSES "
                          "into channels[].address and addressee.address")
    if not channels:
        channels.append(Channel(kind="other", label="As stated in the notice",
                                instructions=pre.get("add") or "The document's ADDRESSES section could not be read; "
                                                               "see the Federal Register notice."))
        unresolved.append("submission channels: not recognised in ADDRESSES; check 'channels'")
    org = [x for x in (office, agency) if x]
    contact = find_contact(pre.get("furinf", ""))
    addressee = Addressee(organization=org)
    if contact is not None:
        addressee.contact = NoticeContact(name=contact.name, title=contact.title, courtesy=contact.honorific,
                                          source="FOR FURTHER INFORMATION CONTACT")
        facts["contact"] = "FOR FURTHER INFORMATION CONTACT"
        unresolved.append(f"addressee: the letter is addressed to the contact the notice names "
                          f"({addressee.contact.salutation.removeprefix('Dear ').rstrip(':')}"
                          f"{', ' + contact.title if contact.title else ''}); the address lines were not extracted: "
                          f"copy them from ADDRESSES if you address the letter")
    else:
        unresolved.append("addressee: attention line and address not extracted; copy them from ADDRESSES if you "
                          "address the letter")

    links = [Link(label=f"Federal Register (FR Doc. {docnum})", url=f"https://www.federalregister.gov/d/{docnum}")]
    if docket_id:
        links.append(Link(label="regulations.gov docket", url=f"https://www.regulations.gov/docket/{docket_id}"))

    # Sections and questions
    sections: list = []
    questions: list = []
    q_problems: list[str] = []
    found_report = FindReport()
    if notice:
        found_secs, found_qs, q_problems = find_questions(notice.blocks, found_report)
        used_secs: dict[int | None, str] = {}
        for fq in found_qs:
            if fq.heading_index not in used_secs:
                if fq.heading_index is None:
                    sid = "general" if all(s.id != "general" for s in found_secs) else "general-2"
                    sections.append(Section(id=sid, title="Questions outside any heading", wording="summary"))
                else:
                    fs = found_secs[fq.heading_index]
                    sections.append(Section(id=fs.id, title=fs.title, wording="official",
                                            pages=_pages(fs.first_page, fs.last_page, cit)))
                used_secs[fq.heading_index] = sections[-1].id
        per_section: dict[str, int] = {}
        used_ids: set[str] = set()
        for fq in found_qs:
            sid = used_secs[fq.heading_index]
            per_section[sid] = per_section.get(sid, 0) + 1
            # ids never look like agency numbers (docs/docket-packs.md): section id + counter
            qid = f"{sid[:24].rstrip('-')}-q{per_section[sid]}"
            while qid in used_ids:
                qid = qid[:29] + "-x"
            used_ids.add(qid)
            q_title = short_title(fq.text)
            if fq.kind.startswith("numbered-local:"):
                q_title = f"No. {fq.kind.split(':')[1]}: {q_title}"
            elif fq.kind.startswith("paragraph:"):
                q_title = f"\N{PILCROW SIGN} {fq.kind.split(':')[1]}: {q_title}"
            questions.append(Question(id=qid, number=fq.number, section=sid, title=q_title, text=fq.text,
                                      wording="official", pages=_pages(fq.first_page, fq.last_page, cit)))
        if found_report.not_taken:
            pages = sorted({p for p, _ in found_report.not_taken})
            q_problems.append(f"questions: {len(found_report.not_taken)} paragraph(s) ask or request comment but were "
                              f"not taken as questions (pages {', '.join(str(p) for p in pages)}; listed by "
                              f"'commentkit docket import'); add any that are questions to questions.yaml")
        if found_report.paragraph_numbering:
            q_problems.append("the notice numbers its paragraphs, not its questions: only the paragraphs that "
                              "request something were taken, without a question number (cite them by "
                              "paragraph, as the title does)")
    unresolved.extend(q_problems)
    wording_note = (f"Question texts are the notice's own words, read from {label} (FR Doc. {docnum}) by "
                    f"'commentkit docket import'. Titles are commentkit's short labels; 'number' is the notice's "
                    f"own question number where it numbers them.")
    if not questions:
        sections = [Section(id="general", title="The notice as a whole", wording="summary")]
        questions = [Question(id="general-1", section="general", title="Comments on the notice",
                              text="The notice does not set out numbered or bulleted questions that commentkit "
                                   "could recognise. Comment on any aspect of the notice.",
                              wording="summary")]
        unresolved.append("questions: none recognised in the document (no numbered or bulleted questions); the pack "
                          "has one general placeholder question (wording: summary); add the notice's questions to "
                          "questions.yaml")
        wording_note = "No questions were recognised in the document; the one question here is commentkit's."
    elif any(q.number is None for q in questions) and any(q.number is not None for q in questions):
        unresolved.append("bulleted questions have no agency number (number: null); cite them by section")

    notes = [f"Imported by 'commentkit docket import' from {label} (FR Doc. {docnum}). Question texts are the "
             f"notice's own words; check the items under 'unresolved' before relying on the pack."]
    if notice and notice.fmt == "text":
        notes.append("Read from the plain-text edition: section headings are recognised by layout; check them "
                     "against the notice.")
    body_text = " ".join(b.text for b in notice.blocks if b.zone == "body") if notice else ""
    accepts, said = confidential_policy(" ".join(notice.add_paragraphs) if notice and notice.add_paragraphs
                                        else pre.get("add", ""), body_text)
    if accepts is None:
        confidential_note = ("Not determined by the importer: read the notice's ADDRESSES and public-comment "
                             "statements before including confidential business information.")
        unresolved.append("confidential submissions: not determined; check the notice and set "
                          "confidential_submissions")
    else:
        confidential_note = f'The notice says: "{said}"'
        facts["confidential_submissions"] = "the notice's own words (ADDRESSES / SUPPLEMENTARY INFORMATION)"

    docket_data = dict(id=pack_id, docket_id=docket_id, agency=agency, office=office, cfr=cfr, rin=rin,
                       document_type=doc_type, title=title, federal_register=cit, deadline=deadline,
                       addressee=addressee, channels=channels, confidential_submissions=bool(accepts),
                       confidential_note=confidential_note, links=links, notes=notes, origin="imported",
                       unresolved=unresolved)
    interview = None
    if any(q.wording == "official" for q in questions):
        interview = section_themes(sections, questions)
        notes.append("interview.yaml was generated by the importer: who comments and signs, how the rulemaking "
                     "affects them, and which parts of the notice matter to them (each part's questions carry its "
                     "theme tag). Add questions and relevance rules to rank more finely.")
    docket = validate(Docket, docket_data, src)
    bank = validate(QuestionBank, dict(wording_note=wording_note, sections=sections, questions=questions), src)
    return ImportResult(docket=docket, bank=bank, unresolved=list(docket.unresolved), facts=facts,
                        interview=interview, report=found_report)


_CONF_ACCEPT = re.compile(
    r"[^.]*\b(?:confidential|CBI)\b[^.]*\b(?:mark(?:ed)?|well-marked|clearly identify|identify the (?:business )?confidential|"
    r"non-?confidential version|redact(?:ed)?|justifying nondisclosure|request (?:for )?confidential treatment)\b[^.]*\.?"
    r"|[^.]*\b(?:mark(?:ed)?|label(?:l?ed)?)\b[^.]*\b(?:confidential|CBI)\b[^.]*\.?", re.I)
_CONF_REFUSE = re.compile(
    r"[^.]*\b(?:do(?:es)? not|will not|cannot|should not|not to)\s+(?:accept|consider|submit|include|send|protect|"
    r"treat)\b[^.]*\bconfidential\b[^.]*\.?"
    r"|[^.]*\bconfidential\b[^.]*\b(?:will not be|cannot be|is not)\s+(?:treated|accepted|protected|withheld)\b[^.]*\.?",
    re.I)


def confidential_policy(addresses: str, body: str) -> tuple[bool | None, str]:
    """Whether the notice accepts confidential submissions, read from its own words.

    ``(True, sentence)`` when it says how to mark or submit confidential information (a redacted
    public version, a marked copy); ``(False, sentence)`` when it says not to submit it or that it
    is not accepted; ``(None, "")`` when it says neither.
    """
    def sentences(text: str) -> list[str]:
        # only sentences that mention confidentiality: the patterns never scan a whole document
        return [x for x in re.split(r"(?<=[.;])\s+", text or "") if re.search(r"confidential|\bCBI\b", x, re.I)]

    parts = [sentences(addresses), sentences(body)]
    for group in parts:
        for sent in group:
            m = _CONF_ACCEPT.search(sent)
            if m:
                return True, _norm(m.group(0))
    for group in parts:
        for sent in group:
            m = _CONF_REFUSE.search(sent)
            if m:
                return False, _norm(m.group(0))
    return None, ""


@dataclass
class Contact:
    name: str  # as printed, without the courtesy title: "Meena R. Sharma"
    title: str | None = None  # "Acting Director"
    honorific: str | None = None  # "Ms.", "Dr." when printed
    surname: str | None = None


_HONORIFIC = r"(?:Mr|Ms|Mrs|Dr|Miss|Mx)\.?"
_NAME = re.compile(r"(?:(?P<hon>" + _HONORIFIC + r")\s+)?(?P<name>[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?(?:\s+[A-Z]\.)?"
                   r"(?:\s+(?:[A-Z][a-z]+|[A-Z][a-z]*[A-Z][a-z]+)(?:[-'][A-Z][a-z]+)?){1,2})(?=\s*(?:,|;|\(|\bat\b|$))")
_NOT_NAME = {"office", "department", "division", "bureau", "program", "federal", "commission", "agency", "service",
             "administration", "center", "branch", "policy", "regulatory", "regulations", "national", "general",
             "public", "affairs", "information", "international", "security", "technical", "legal", "counsel",
             "secretary", "director", "team", "staff", "unit", "group", "section", "room", "street", "avenue",
             "washington", "please", "contact", "questions", "for", "the", "of", "and", "media", "inquiries"}
_TITLE_WORDS = re.compile(r"\b(Director|Economist|Attorney|Counsel|Chief|Manager|Analyst|Specialist|Officer|Advis[eo]r|"
                          r"Deputy|Assistant|Senior|Acting|Head|Lead|Engineer|Scientist|Coordinator|Administrator)\b")


def find_contact(furinf: str) -> Contact | None:
    """The person named in FOR FURTHER INFORMATION CONTACT (name, title), if the notice names one."""
    text = _norm(furinf)
    starts = [0] + [m.end() for m in re.finditer(r"\b(?:contact|to|with)\s+", text)]
    for start in starts:
        m = _NAME.match(text, start)
        if not m:
            continue
        words = re.findall(r"[A-Za-z]+", m.group("name"))
        if any(w.lower() in _NOT_NAME for w in words):
            continue
        hon = m.group("hon")
        if hon and not hon.endswith("."):
            hon += "."
        name = m.group("name")
        rest = text[m.end():].lstrip(" ,")
        seg = re.split(r"[,;(]| at ", rest, maxsplit=1)[0].strip()
        title = seg if seg and _TITLE_WORDS.search(seg) and len(seg) < 80 else None
        return Contact(name=name, title=title, honorific=hon, surname=m.group("name").split()[-1])
    return None


def section_themes(sections: list, questions: list):
    """A one-item questionnaire: the notice's parts (sections with questions) as themes.

    Each question is tagged with its section's theme, so 'commentkit plan' ranks the questions in
    the parts the commenter chooses as core. Built from the notice's own headings; nothing guessed.
    """
    values: dict[str, str] = {}
    used: set[str] = set()
    choices = []
    for sec in sections:
        m = _ENUM.match(sec.title)
        base = _slug(m.group("title") if m else sec.title, 4) or sec.id
        if not base[0].isalnum():
            base = sec.id
        value, k = base, 2
        while value in used:
            value = f"{base}-{k}"
            k += 1
        used.add(value)
        values[sec.id] = value
        choices.append({"value": value, "label": sec.title})
    for q in questions:
        if values.get(q.section) and values[q.section] not in q.tags:
            q.tags.append(values[q.section])
    for q in questions:
        if _SMALL_ENTITY.search(q.text) and not any(r.when == "small_entity == true" for r in q.relevance):
            q.relevance.append(RelevanceRule(when="small_entity == true", level="recommended",
                                             reason="you are a small entity, and this question asks about small "
                                                    "entities"))
    return Interview.model_validate({
        "title": "You, your letter and the parts of the notice that matter to you",
        "intro": "Generated by 'commentkit docket import': who is commenting (for the letterhead, the introduction "
                 "and the signature block), how the rulemaking affects you, and which parts of the notice you want "
                 "to comment on. 'commentkit plan' recommends the questions in the parts you choose.",
        "items": GENERIC_ITEMS + [{"id": "themes", "group": "Your themes", "type": "multichoice",
                                   "prompt": "Which parts of the notice do you want to comment on?",
                                   "help": "Questions in the parts you choose are recommended; the others stay "
                                           "optional.",
                                   "choices": choices}],
    })


_SMALL_ENTITY = re.compile(r"\bsmall (?:entit|business|compan|firm|organi[sz]ation|government)", re.I)

GENERIC_ITEMS: list[dict] = [
    {"id": "commenter_type", "group": "The commenter", "prompt": "Who is submitting the comment?", "type": "choice",
     "validation": {"required": True}, "choices": [
         {"value": "company", "label": "A company", "help": "An operating company or other business."},
         {"value": "trade_association", "label": "A trade association",
          "help": "An association commenting for its members."},
         {"value": "law_firm", "label": "A law firm on behalf of a client",
          "help": "The letter is signed by counsel and identifies (or describes) the client."},
         {"value": "nonprofit", "label": "A non-profit, university or research organization"},
         {"value": "government", "label": "A State, local or Tribal government, or a public body"},
         {"value": "individual", "label": "An individual", "help": "A person commenting in their own name."},
         {"value": "other", "label": "Another kind of commenter"}]},
    {"id": "commenter_name", "group": "The commenter",
     "prompt": "Name of the organization (or person) submitting the comment",
     "help": "As it should appear in the letterhead and the introduction.", "type": "text",
     "validation": {"required": True}},
    {"id": "client_description", "group": "The commenter", "prompt": "How should the letter describe the client?",
     "help": "For example \"a regional electric cooperative\" if the client is not named.", "type": "text",
     "when": "commenter_type == 'law_firm'"},
    {"id": "commenter_address", "group": "The commenter", "prompt": "Address for the letterhead",
     "help": "One line per address line (street, city, state, ZIP).", "type": "text", "multiline": True},
    {"id": "interest_statement", "group": "The commenter",
     "prompt": "In a sentence or two, what is your interest in this rulemaking?",
     "help": "Used in the letter's introduction.", "type": "text", "multiline": True},
    {"id": "effect", "group": "How the rulemaking affects you", "prompt": "How would the rulemaking affect you?",
     "type": "choice", "choices": [
         {"value": "directly_regulated", "label": "We would be directly regulated by it"},
         {"value": "indirectly", "label": "It would affect us indirectly (customers, suppliers, markets)"},
         {"value": "members", "label": "It would affect the members we represent"},
         {"value": "public_interest", "label": "We comment in the public interest"}]},
    {"id": "small_entity", "group": "How the rulemaking affects you",
     "prompt": "Is the commenter a small entity (a small business, small organization or small government "
               "jurisdiction)?",
     "help": "Agencies must consider effects on small entities (Regulatory Flexibility Act); questions about small "
             "entities are then recommended to you.", "type": "yesno"},
    {"id": "cost_data", "group": "How the rulemaking affects you",
     "prompt": "Can you give the agency figures (costs, volumes, hours) about the effect on you?",
     "help": "Comments with data carry weight; figures you give are public unless the agency accepts "
             "confidential submissions.", "type": "yesno"},
    {"id": "contact_name", "group": "Contact and signatory", "prompt": "Contact person for the agency's follow-up "
                                                                      "questions", "type": "text"},
    {"id": "contact_email", "group": "Contact and signatory", "prompt": "Contact e-mail", "type": "text",
     "validation": {"pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", "message": "an e-mail address like name@example.com"}},
    {"id": "contact_phone", "group": "Contact and signatory", "prompt": "Contact telephone", "type": "text",
     "validation": {"pattern": "^[0-9+().\\- x]{7,25}$", "message": "a telephone number like (202) 555-0100"}},
    {"id": "signatory_name", "group": "Contact and signatory", "prompt": "Who signs the letter?", "type": "text",
     "validation": {"required": True}},
    {"id": "signatory_title", "group": "Contact and signatory", "prompt": "Signatory's title",
     "help": "For example \"General Counsel\".", "type": "text"},
]
"""Questionnaire items every imported pack gets: who comments, how the rulemaking affects them, who
signs. The ids are the ones the letter, 'check' and the shipped questionnaire use."""


def _pages(first: int, last: int, cit) -> object | None:
    if not first:
        return None
    first = max(first, cit.first_page)
    last = min(max(last or first, first), cit.last_page)
    if first > cit.last_page:
        return None
    return PageRange(first=first, last=last)


def read_document(path: Path, raw: bytes, document: str | None = None) -> ParsedNotice:
    """Parse a downloaded FR document, XML or text, recognised by its content."""
    stripped = raw.lstrip()[:200]
    if stripped.startswith(b"\xef\xbb\xbf"):
        stripped = stripped[3:]
    if stripped.startswith(b"<"):
        if stripped.lower().startswith((b"<!doctype html", b"<html")):
            raise UserError("this is a web page (HTML), not the Federal Register XML or text edition; download "
                            "the 'XML' or 'Text' version of the document", path)
        return parse_xml(raw, path, document)
    if stripped.startswith(b"{") or re.match(rb"\[\s*[\[{\"\]]", stripped):
        raise UserError("this is JSON; give the API metadata with --meta FILE.json and the document (XML or text) "
                        "as FILE", path)
    if b"\x00" in raw[:4096]:
        raise UserError("this is a binary file (a PDF?); download the XML or text edition of the document", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError("not valid UTF-8 text", path, raw[: exc.start].count(b"\n") + 1) from None
    return parse_text(text, path)
