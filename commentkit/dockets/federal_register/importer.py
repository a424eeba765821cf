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
from pathlib import Path

from commentkit.errors import UserError
from commentkit.files.yamlio import validate
from commentkit.models.docket import (
    Addressee,
    Channel,
    Deadline,
    Docket,
    FederalRegisterCitation,
    Link,
    PageRange,
    Question,
    QuestionBank,
    Section,
)
from commentkit.models.interview import Interview
from commentkit.ooxml import safe

MAX_INPUT_BYTES = 50 * 1024 * 1024
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

    def run(self, doc) -> None:
        for child in doc:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "PREAMB":
                self.preamble(child)
            elif child.tag == "SUPLINF":
                self.body(child, zone="body")
            elif child.tag == "FRDOC":
                self.n.document_number = _frdoc_number(self.text_of(child))
            else:
                self.body(child, zone="skip")
        if self.first_marker is not None:
            self.n.first_page = self.first_marker - 1
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
            self.last_marker = max(self.last_marker or 0, self.page)

    def text_of(self, el, block: Block | None = None) -> str:
        """Text of ``el`` without footnote references; page markers inside move ``block``'s last page."""
        parts: list[str] = [el.text or ""]
        for child in el:
            if not isinstance(child.tag, str):
                parts.append(child.tail or "")
                continue
            if child.tag == "PRTPAGE":
                self.marker(child)
                if block is not None:
                    block.last_page = self.page
                parts.append(" ")
            elif child.tag in ("SU", "FTREF"):
                pass  # footnote reference number
            else:
                parts.append(self.text_of(child, block))
            parts.append(child.tail or "")
        return _norm("".join(parts))

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
                b = Block("para", "", first_page=self.page, last_page=self.page, zone=zone)
                b.text = self.text_of(child, b)
                if b.text:
                    self.n.blocks.append(b)
            elif tag == "EXTRACT":
                self.body(child, zone="extract")
            else:
                self.body(child, zone=zone)


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


_NUMBERED = re.compile(r"^\s*(?:Question\s+(\d{1,3})\s*[.:\u2014-]?|\((\d{1,3})\)|(\d{1,3})[.)])\s+(\S.*)$", re.S)
_SUBPART = re.compile(r"^\s*(?:\([a-z]{1,2}\)|[a-z][.)]|\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\))\s+\S")
_BULLET = re.compile(r"^\s*[\u2022\u25cf\u25aa\u2023\u2013*]\s*(\S.*)$", re.S)
_REQUEST = re.compile(r"^(please|describe|explain|provide|identify|discuss|comment|address|list|suggest|"
                      r"specify|indicate)\b", re.I)
_LEAD_IN = re.compile(r"\b(comments?|questions?|input|views|feedback|information)\b", re.I)


@dataclass
class FoundQuestion:
    number: int | None
    text: str
    first_page: int
    last_page: int
    heading_index: int | None  # index into the section list
    kind: str  # "numbered", "numbered-local:N" or "bullet"
    block_index: int = 0


@dataclass
class FoundSection:
    id: str
    title: str
    level: int
    first_page: int
    last_page: int


def _is_questionish(text: str) -> bool:
    return "?" in text or bool(_REQUEST.match(text))


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


def find_questions(blocks: list[Block]) -> tuple[list[FoundSection], list[FoundQuestion], list[str]]:
    """Numbered questions (with their sub-parts) and bulleted question lists, in document order."""
    sections, owner = _sections(blocks)
    problems: list[str] = []
    numbered: list[tuple[int, int, bool]] = []  # (block index, number, questionish)
    for i, b in enumerate(blocks):
        if b.kind != "para" or b.zone != "body":
            continue
        m = _NUMBERED.match(b.text)
        if m:
            num = int(next(g for g in m.groups()[:3] if g))
            numbered.append((i, num, _is_questionish(m.group(4))))

    # Keep the question-like numbered paragraphs, then fill numbering gaps with numbered paragraphs
    # that sit between their neighbours (a question phrased as a statement).
    chosen = [(i, n) for i, n, q in numbered if q]
    restarts = any(b[1] <= a[1] for a, b in zip(chosen, chosen[1:]))
    if chosen and not restarts:
        filled = []
        for k, (i, n) in enumerate(chosen):
            filled.append((i, n))
            if k + 1 < len(chosen):
                j, m2 = chosen[k + 1]
                want = n + 1
                for bi, bn, _ in numbered:
                    if i < bi < j and bn == want and want < m2:
                        filled.append((bi, bn))
                        want += 1
        chosen = filled
        nums = [n for _, n in chosen]
        missing = [x for x in range(1, nums[-1] + 1) if x not in set(nums)]
        if missing:
            shown = ", ".join(str(x) for x in missing[:12]) + (" ..." if len(missing) > 12 else "")
            problems.append(f"question numbers {shown} were not found in the text; check the notice and add "
                            f"them to questions.yaml")

    questions: list[FoundQuestion] = []
    taken: set[int] = set()
    for i, n in chosen:
        b = blocks[i]
        m = _NUMBERED.match(b.text)
        assert m is not None  # chosen blocks matched _NUMBERED
        text, last = m.group(4).strip(), b.last_page
        taken.add(i)
        j = i + 1
        while j < len(blocks):
            nb = blocks[j]
            if nb.kind != "para" or nb.zone != "body" or _NUMBERED.match(nb.text):
                break
            if _SUBPART.match(nb.text) or (_BULLET.match(nb.text) and (text.rstrip().endswith(":") or j > i + 1)):
                text += "\n" + nb.text.strip()
                last = nb.last_page
                taken.add(j)
                j += 1
                continue
            break
        questions.append(FoundQuestion(None if restarts else n, text, b.first_page, last, owner[i],
                                       f"numbered-local:{n}" if restarts else "numbered", i))
    if restarts:
        problems.append("the notice restarts its question numbering within the document, so no question "
                        "carries an agency number (number: null); each title starts with its number within its "
                        "list. Set 'number' only if the notice numbers questions uniquely")

    # Bulleted questions: a bullet that asks something, or a bullet list introduced by a request for comment.
    lead_in_ok = False
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            lead_in_ok = False
            continue
        if b.zone != "body" or i in taken:
            continue
        bm = _BULLET.match(b.text)
        if not bm:
            lead_in_ok = bool(_LEAD_IN.search(b.text)) and b.text.rstrip().endswith((":", "."))
            if not re.search(r"\b(request|seek|solicit|invite|welcome|interested in)", b.text, re.I):
                lead_in_ok = lead_in_ok and b.text.rstrip().endswith(":")
            continue
        body = bm.group(1).strip()
        if "?" in body or lead_in_ok:
            questions.append(FoundQuestion(None, body, b.first_page, b.last_page, owner[i], "bullet", i))
    questions.sort(key=lambda q: q.block_index)
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


REGS_DOCKET = re.compile(r"\b([A-Z][A-Z0-9]{1,11}(?:-[A-Z0-9]{1,10}){0,3}-(?:19|20)\d{2}-\d{3,5})\b")
_RIN_RE = re.compile(r"\b(\d{4}-[A-Z]{2}\d{2})\b")


@dataclass
class ImportResult:
    docket: object  # commentkit.models.docket.Docket
    bank: object  # commentkit.models.docket.QuestionBank
    unresolved: list[str]
    facts: dict[str, str]  # where each key fact came from, for the YAML comments and the report
    interview: object | None = None  # commentkit.models.interview.Interview: the notice's parts as themes


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
    finding = parse_deadline(pre.get("dates", "")) if pre.get("dates") else DeadlineFinding(None)
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
    addressee = Addressee(organization=org)
    unresolved.append("addressee: attention line and address not extracted; copy them from ADDRESSES if you "
                      "address the letter")

    links = [Link(label=f"Federal Register (FR Doc. {docnum})", url=f"https://www.federalregister.gov/d/{docnum}")]
    if docket_id:
        links.append(Link(label="regulations.gov docket", url=f"https://www.regulations.gov/docket/{docket_id}"))

    # Sections and questions
    sections: list = []
    questions: list = []
    q_problems: list[str] = []
    if notice:
        found_secs, found_qs, q_problems = find_questions(notice.blocks)
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
            questions.append(Question(id=qid, number=fq.number, section=sid, title=q_title, text=fq.text,
                                      wording="official", pages=_pages(fq.first_page, fq.last_page, cit)))
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
    confidential_note = ("Not determined by the importer: read the notice's ADDRESSES and public-comment "
                         "statements before including confidential business information.")
    unresolved.append("confidential submissions: not determined; check the notice and set "
                      "confidential_submissions")

    docket_data = dict(id=pack_id, docket_id=docket_id, agency=agency, office=office, cfr=cfr, rin=rin,
                       document_type=doc_type, title=title, federal_register=cit, deadline=deadline,
                       addressee=addressee, channels=channels, confidential_submissions=False,
                       confidential_note=confidential_note, links=links, notes=notes, origin="imported",
                       unresolved=unresolved)
    interview = None
    if any(q.wording == "official" for q in questions):
        interview = section_themes(sections, questions)
        notes.append("interview.yaml was generated by the importer: one question asking which parts of the notice "
                     "matter to you (each part's questions carry its theme tag). Add questions and relevance rules "
                     "to rank more finely.")
    docket = validate(Docket, docket_data, src)
    bank = validate(QuestionBank, dict(wording_note=wording_note, sections=sections, questions=questions), src)
    return ImportResult(docket=docket, bank=bank, unresolved=list(docket.unresolved), facts=facts,
                        interview=interview)


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
    return Interview.model_validate({
        "title": "Which parts of the notice matter to you",
        "intro": "Generated from the notice's headings by 'commentkit docket import'. Questions in the parts you "
                 "choose are ranked core by 'commentkit plan'.",
        "items": [{"id": "themes", "group": "Your themes", "type": "multichoice",
                   "prompt": "Which parts of the notice do you want to comment on?",
                   "help": "Questions in the parts you choose are ranked core; the others stay optional.",
                   "choices": choices}],
    })


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
