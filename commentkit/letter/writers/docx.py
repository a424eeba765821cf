"""Document model → Word (.docx), with python-docx for the package, styles and properties.

Entry point: :func:`write_docx(doc, path, reference_docx=None)` (and :func:`docx_bytes`).

* Styles: every paragraph uses a named style (Title, Heading 1-6, Quote, List Bullet/Number,
  and commentkit's letter styles: Letterhead, Letter Date, Inside Address, Re Line, ...).
  Styles come from the reference document (``--reference-docx``, like pandoc's
  reference-doc; default: commentkit's ``templates/reference.docx``); any style the
  reference lacks is added with commentkit's definition, so a user's Word file only needs
  the styles it wants to change.
* Page setup, headers/footers and a letterhead logo are kept from the reference document;
  commentkit adds the docket/commenter header line and a "Page X of Y" footer made of PAGE /
  NUMPAGES field codes.
* Each answer / general section is wrapped in a bookmark named ``ck_q_<id>`` / ``ck_g_<name>``
  (bookmarks survive Word and LibreOffice re-saves); custom document properties
  (``commentkit.docket``, ``commentkit.project``, ``commentkit.version``) identify the file
  for ``commentkit import-docx``.
* Output is byte-identical for the same input: fixed core-property timestamps and fixed zip
  entry dates, parts written in a stable order.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from commentkit.errors import UserError
from commentkit.files.resources import data_dir
from commentkit.files.storage import atomic_write
from commentkit.letter.writers.anchors import base_record, para_bookmark
from commentkit.models.document import (
    Anchor,
    Document,
    FootnoteRef,
    Heading,
    LineBreak,
    ListBlock,
    PageBreak,
    Paragraph,
    Quote,
    Run,
    Table,
    plain_text,
    resolve_confidential,
)
from commentkit.ooxml import safe
from commentkit.ooxml.ns import R_NS, W_NS
from commentkit.ooxml.safe import check

RT_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
CT_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
RT_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
RT_CUSTOM_XML_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
CT_CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
RT_THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
SAFE_URL = re.compile(r"^(https?://|mailto:)", re.I)
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

MAX_REFERENCE_BYTES = 50 * 1024 * 1024
ZIP_LEVEL = 1
"""Deflate level of the written package: level 1 writes in half the time of 6, for a file ~20 % larger."""
_BODY_MARK = "commentkit:body"
"""Comment left in document.xml's body where :func:`_save_deterministic` splices the letter's XML."""

STYLE_OF_ROLE = {
    "body": "Normal", "letterhead": "Letterhead", "letterhead-address": "Letterhead Address",
    "date": "Letter Date", "address": "Inside Address", "re": "Re Line", "salutation": "Salutation",
    "closing": "Closing", "signature": "Signature", "question": "Question", "question-intro": "Question Intro",
    "summary-label": "Summary Label", "summary": "Summary of Request",
    "draft": "Draft Mark", "generated": "Generated Text", "generated-mark": "Generated Mark",
    "note": "Letter Note", "title": "Title", "subtitle": "Subtitle", "center": "Centered",
}
"""Word style of each paragraph role. A quotation of the agency ("Question": indented italics with
a rule) and commentkit's summary of a request ("Summary Label" + "Summary of Request": upright
text in a shaded box under its label) never share a style, so they never look alike."""

_SUMMARY_BOX = ('<w:pBdr><w:top w:val="single" w:sz="4" w:space="4" w:color="A6A6A6"/>'
                '<w:left w:val="single" w:sz="4" w:space="4" w:color="A6A6A6"/>'
                '<w:bottom w:val="single" w:sz="4" w:space="4" w:color="A6A6A6"/>'
                '<w:right w:val="single" w:sz="4" w:space="4" w:color="A6A6A6"/></w:pBdr>'
                '<w:shd w:val="clear" w:color="auto" w:fill="EDEDED"/>')
"""The summary's box: label and text share it (Word joins equal borders of adjacent paragraphs)."""

# Definitions added when the base document lacks a style: (type, name, basedOn, pPr, rPr, extra).
_T = "paragraph"
STYLE_DEFS: list[tuple[str, str, str | None, str, str]] = [
    (_T, "Normal", None, '<w:spacing w:after="200" w:line="264" w:lineRule="auto"/>', ""),
    (_T, "Title", "Normal", '<w:keepNext/><w:spacing w:after="240"/><w:jc w:val="center"/><w:outlineLvl w:val="0"/>',
     '<w:b/><w:sz w:val="32"/>'),
    (_T, "Subtitle", "Normal", '<w:jc w:val="center"/>', '<w:i/>'),
    *[(_T, f"Heading {n}", "Normal",
       f'<w:keepNext/><w:keepLines/><w:spacing w:before="{240 if n < 3 else 160}" w:after="120"/>'
       f'<w:outlineLvl w:val="{n - 1}"/>',
       {1: '<w:b/><w:caps/>', 2: '<w:b/>', 3: '<w:b/><w:i/>'}.get(n, '<w:i/>')) for n in range(1, 7)],
    (_T, "Quote", "Normal", '<w:spacing w:after="160"/><w:ind w:left="720" w:right="720"/>', '<w:i/>'),
    (_T, "List Paragraph", "Normal", '<w:spacing w:after="200"/><w:ind w:left="720"/><w:contextualSpacing/>', ""),
    (_T, "List Bullet", "List Paragraph", '', ""),
    (_T, "List Number", "List Paragraph", '', ""),
    (_T, "Letterhead", "Normal", '<w:spacing w:after="0"/><w:jc w:val="center"/>',
     '<w:b/><w:smallCaps/><w:sz w:val="32"/>'),
    (_T, "Letterhead Address", "Normal",
     '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="4" w:color="auto"/></w:pBdr>'
     '<w:spacing w:after="360"/><w:jc w:val="center"/>', '<w:sz w:val="20"/>'),
    (_T, "Letter Date", "Normal", '<w:spacing w:before="240" w:after="240"/>', ""),
    (_T, "Inside Address", "Normal", '<w:spacing w:after="240" w:line="240" w:lineRule="auto"/>', ""),
    (_T, "Re Line", "Normal", '<w:spacing w:before="120" w:after="240"/><w:ind w:left="720" w:hanging="720"/>', ""),
    (_T, "Salutation", "Normal", '<w:keepNext/>', ""),
    (_T, "Closing", "Normal", '<w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="720"/>', ""),
    (_T, "Signature", "Normal", '<w:keepLines/><w:spacing w:after="240" w:line="240" w:lineRule="auto"/>', ""),
    (_T, "Question Intro", "Normal", '<w:keepNext/><w:spacing w:after="80"/>', '<w:i/>'),
    (_T, "Question", "Normal",
     '<w:keepNext/><w:pBdr><w:left w:val="single" w:sz="12" w:space="8" w:color="808080"/></w:pBdr>'
     '<w:spacing w:after="200"/><w:ind w:left="567" w:right="567"/>', '<w:i/>'),
    (_T, "Summary Label", "Normal", '<w:keepNext/>' + _SUMMARY_BOX + '<w:spacing w:after="0"/><w:ind w:left="113" w:right="113"/>',
     '<w:b/><w:smallCaps/><w:sz w:val="18"/><w:color w:val="404040"/>'),
    (_T, "Summary of Request", "Normal", _SUMMARY_BOX + '<w:spacing w:after="240"/><w:ind w:left="113" w:right="113"/>',
     '<w:sz w:val="21"/>'),
    (_T, "Draft Mark", "Normal", '<w:keepNext/><w:spacing w:after="120"/>', '<w:b/><w:color w:val="C00000"/>'),
    (_T, "Generated Mark", "Normal", '<w:keepNext/><w:spacing w:after="60"/>', '<w:b/><w:color w:val="B45F06"/>'),
    (_T, "Generated Text", "Normal", '<w:shd w:val="clear" w:color="auto" w:fill="FFF2CC"/>', ''),
    (_T, "Letter Note", "Normal", '<w:spacing w:after="240"/>', '<w:i/><w:sz w:val="20"/>'),
    (_T, "Centered", "Normal", '<w:jc w:val="center"/>', ""),
    (_T, "Header", "Normal", '<w:tabs><w:tab w:val="center" w:pos="4680"/><w:tab w:val="right" w:pos="9360"/></w:tabs>'
     '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>', '<w:sz w:val="18"/>'),
    (_T, "Footer", "Normal", '<w:tabs><w:tab w:val="center" w:pos="4680"/><w:tab w:val="right" w:pos="9360"/></w:tabs>'
     '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>', '<w:sz w:val="18"/>'),
    (_T, "Page Number Footer", "Footer", '<w:jc w:val="center"/>', ""),
    (_T, "Footnote Text", "Normal", '<w:spacing w:after="60" w:line="240" w:lineRule="auto"/>', '<w:sz w:val="20"/>'),
    (_T, "Table Text", "Normal", '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>', '<w:sz w:val="20"/>'),
    ("character", "Footnote Reference", None, "", '<w:vertAlign w:val="superscript"/>'),
    ("character", "Hyperlink", None, "", '<w:color w:val="0563C1"/><w:u w:val="single"/>'),
    ("character", "Confidential", None, "", '<w:b/><w:highlight w:val="lightGray"/>'),
    ("character", "Verbatim Char", None, "", '<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New"/><w:sz w:val="20"/>'),
    ("table", "Table Grid", None, "", ""),
]
_TABLE_GRID_PR = ('<w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                  '<w:left w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                  '<w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                  '<w:right w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                  '<w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                  '<w:insideV w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders>'
                  '<w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>'
                  '</w:tblPr>')


def escape(text: str) -> str:
    """XML text escaping (xml.sax.saxutils would pull in urllib, http and ssl: 50 ms of imports)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    return '"' + escape(text).replace('"', "&quot;") + '"'


def _clean(text: str) -> str:
    """Text Word can hold: XML-illegal control characters dropped (tabs and newlines kept)."""
    if "\x0b" in text or "\x0c" in text:  # vertical tab and form feed separate words: keep a space
        text = text.replace("\x0b", " ").replace("\x0c", " ")
    return _BAD_XML.sub("", text)


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_LETTER = re.compile(r"[^\W\d_]")


def _mostly_rtl(inlines) -> bool:
    text = "".join(x.text for x in inlines if isinstance(x, Run))
    rtl = len(_RTL.findall(text))
    return rtl > 0 and rtl * 2 > len(_LETTER.findall(text))


def _style_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", name) or "Style"


# ---- the base document -----------------------------------------------------------------

def check_docx_safe(path: Path, what: str = "Word file", max_bytes: int = MAX_REFERENCE_BYTES) -> None:
    """Refuse Word files that are not zip packages, expand beyond limits (zip bombs), or carry
    DTDs/entities; see :mod:`commentkit.ooxml.safe`, which does the checking."""
    check(Path(path), what, max_bytes)


def default_reference() -> Path | None:
    p = data_dir("templates") / "reference.docx"
    return p if p.is_file() else None


def open_base(reference_docx: Path | str | None):
    """python-docx Document from the reference file (checked as untrusted input) or the default."""
    import docx  # lazy: python-docx is slow to import; only Word commands need it

    path = Path(reference_docx) if reference_docx else default_reference()
    if path is None:
        return docx.Document()
    if reference_docx:
        check_docx_safe(path, "reference Word file")
    try:
        d = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds on damaged files
        raise UserError(f"cannot open reference Word file: {type(exc).__name__}: {exc}".splitlines()[0],
                        path) from None
    return d


def _ensure_styles(d) -> dict[str, str]:
    """Map style name → style id, adding commentkit's definition of any missing style."""
    from docx.oxml import parse_xml  # lazy: python-docx is slow to import; only Word commands need it
    from docx.oxml.ns import nsdecls  # lazy: python-docx is slow to import; only Word commands need it

    styles_el = d.styles.element
    by_name: dict[str, str] = {}
    for s in styles_el.findall(f"{{{W_NS}}}style"):
        name_el = s.find(f"{{{W_NS}}}name")
        sid = s.get(f"{{{W_NS}}}styleId")
        if name_el is not None and sid:
            by_name.setdefault(name_el.get(f"{{{W_NS}}}val").lower(), sid)
    ids = set(by_name.values())
    out: dict[str, str] = {}
    for typ, name, based, ppr, rpr in STYLE_DEFS:
        key = name.lower()
        if key in by_name:
            out[name] = by_name[key]
            continue
        sid = _style_id(name)
        while sid in ids:
            sid += "X"
        ids.add(sid)
        based_xml = f'<w:basedOn w:val="{out.get(based, _style_id(based))}"/>' if based else ""
        extra = ""
        if typ == "table":
            extra = _TABLE_GRID_PR
        if typ == "paragraph" and name.startswith("Heading"):
            extra = ""
        xml = (f'<w:style {nsdecls("w")} w:type="{typ}" w:customStyle="{0 if name in _BUILTIN else 1}" '
               f'w:styleId="{sid}"><w:name w:val="{name if name not in _LOWER else name.lower()}"/>{based_xml}'
               f'{"<w:qFormat/>" if typ == "paragraph" else ""}'
               f'{f"<w:pPr>{ppr}</w:pPr>" if ppr else ""}{f"<w:rPr>{rpr}</w:rPr>" if rpr else ""}{extra}</w:style>')
        styles_el.append(parse_xml(xml))
        by_name[key] = sid
        out[name] = sid
    return out


_BUILTIN = {"Normal", "Title", "Subtitle", "Quote", "List Paragraph", "List Bullet", "List Number", "Header",
            "Footer", "Footnote Text", "Footnote Reference", "Hyperlink", "Table Grid",
            *[f"Heading {n}" for n in range(1, 7)]}
_LOWER = {f"Heading {n}" for n in range(1, 7)} | {"Header", "Footer", "Footnote Text", "Footnote Reference"}
"""Built-in styles whose stored name Word writes in lower case (python-docx shows 'Heading 1' for 'heading 1')."""


# ---- numbering -----------------------------------------------------------------------------

class _Numbering:
    """Our own abstract numbering definitions: one bullet list, one decimal list; each ordered
    list gets its own w:num so it restarts at its start number."""

    def __init__(self, d):
        from docx.oxml import parse_xml  # lazy: python-docx is slow to import; only Word commands need it
        from docx.oxml.ns import nsdecls  # lazy: python-docx is slow to import; only Word commands need it

        self.parse = parse_xml
        self.nsdecls = nsdecls
        self.el = d.part.numbering_part.element
        abs_ids = [int(x) for x in self.el.xpath("./w:abstractNum/@w:abstractNumId")]
        num_ids = [int(x) for x in self.el.xpath("./w:num/@w:numId")]
        self.next_abs = max(abs_ids, default=0) + 1
        self.next_num = max(num_ids, default=0) + 1
        self.bullet_abs = self._abstract("bullet")
        self.decimal_abs = self._abstract("decimal")
        self.bullet_num: int | None = None

    def _abstract(self, kind: str) -> int:
        aid = self.next_abs
        self.next_abs += 1
        lvls = []
        bullets = ["\u2022", "\u2013", "\u25e6"]
        fmts = ["decimal", "lowerLetter", "lowerRoman"]
        for i in range(9):
            left = 720 + 360 * i
            if kind == "bullet":
                fmt, text = "bullet", bullets[i % 3]
            else:
                fmt, text = fmts[i % 3], f"%{i + 1}."
            lvls.append(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                        f'<w:pPr><w:ind w:left="{left}" w:hanging="360"/></w:pPr></w:lvl>')
        xml = (f'<w:abstractNum {self.nsdecls("w")} w:abstractNumId="{aid}"><w:multiLevelType w:val="multilevel"/>'
               + "".join(lvls) + "</w:abstractNum>")
        first_num = self.el.find(f"{{{W_NS}}}num")
        node = self.parse(xml)
        if first_num is not None:
            first_num.addprevious(node)
        else:
            self.el.append(node)
        return aid

    def new_num(self, ordered: bool, start: int = 1) -> int:
        if not ordered and self.bullet_num is not None:
            return self.bullet_num
        nid = self.next_num
        self.next_num += 1
        aid = self.decimal_abs if ordered else self.bullet_abs
        override = (f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>'
                    if ordered else "")
        self.el.append(self.parse(f'<w:num {self.nsdecls("w")} w:numId="{nid}"><w:abstractNumId w:val="{aid}"/>'
                                  f'{override}</w:num>'))
        if not ordered:
            self.bullet_num = nid
        return nid


# ---- body XML ----------------------------------------------------------------------------

class _BodyWriter:
    def __init__(self, d, doc: Document, styles: dict[str, str]):
        self.d = d
        self.doc = doc
        self.styles = styles
        self.version = doc.version
        self.parts: list[str] = []
        self.bookmark_id = 0
        self.footnote_ids: dict[str, int] = {}
        self.footnote_order: list[str] = []
        self._numbering: _Numbering | None = None
        self.pending_starts: list[str] = []  # bookmarkStart xml to put in the next paragraph
        self.link_ids: dict[str, str] = {}
        self.region: list = []  # [anchor name, paragraphs so far] while writing an anchored region

    @property
    def numbering(self) -> _Numbering:
        if self._numbering is None:
            self._numbering = _Numbering(self.d)
        return self._numbering

    def sid(self, name: str) -> str:
        return self.styles.get(name) or _style_id(name)

    # runs
    def runs(self, inlines) -> str:
        inlines = resolve_confidential(inlines, self.version)
        out = []
        i = 0
        n = len(inlines)
        while i < n:
            x = inlines[i]
            if isinstance(x, Run) and x.url:
                j = i
                group = []
                while j < n and isinstance(inlines[j], Run) and inlines[j].url == x.url:
                    group.append(inlines[j])
                    j += 1
                inner = "".join(self.run(r, link=True) for r in group)
                if SAFE_URL.match(x.url):
                    rid = self.link_ids.get(x.url)
                    if rid is None:
                        from docx.opc.constants import (
                            RELATIONSHIP_TYPE as RT,  # lazy: python-docx is slow to import; only Word commands need it
                        )

                        rid = self.d.part.relate_to(_clean(x.url), RT.HYPERLINK, is_external=True)
                        self.link_ids[x.url] = rid
                    out.append(f'<w:hyperlink r:id="{rid}" w:history="1">{inner}</w:hyperlink>')
                else:
                    out.append("".join(self.run(r) for r in group))
                i = j
                continue
            if isinstance(x, Run):
                out.append(self.run(x))
            elif isinstance(x, LineBreak):
                out.append("<w:r><w:br/></w:r>")
            elif isinstance(x, FootnoteRef):
                if x.key in self.doc.footnotes:
                    fid = self.footnote_ids.get(x.key)
                    if fid is None:
                        fid = len(self.footnote_ids) + 1
                        self.footnote_ids[x.key] = fid
                        self.footnote_order.append(x.key)
                    out.append(f'<w:r><w:rPr><w:rStyle w:val="{self.sid("Footnote Reference")}"/></w:rPr>'
                               f'<w:footnoteReference w:id="{fid}"/></w:r>')
            i += 1
        return "".join(out)

    def run(self, r: Run, link: bool = False) -> str:
        rpr = []
        if link:
            rpr.append(f'<w:rStyle w:val="{self.sid("Hyperlink")}"/>')
        elif r.code:
            rpr.append(f'<w:rStyle w:val="{self.sid("Verbatim Char")}"/>')
        elif r.confidential:
            rpr.append(f'<w:rStyle w:val="{self.sid("Confidential")}"/>')
        if r.bold:
            rpr.append("<w:b/>")
        if r.italic:
            rpr.append("<w:i/>")
        text = _clean(r.text)
        if not text:
            return ""
        pieces = text.split("\n")
        body = "<w:br/>".join(self._t(p) for p in pieces)
        return f'<w:r>{"<w:rPr>" + "".join(rpr) + "</w:rPr>" if rpr else ""}{body}</w:r>'

    @staticmethod
    def _t(text: str) -> str:
        if "\t" in text:
            return "<w:tab/>".join(_BodyWriter._t(p) for p in text.split("\t"))
        if not text:
            return ""
        return f'<w:t xml:space="preserve">{escape(text)}</w:t>'

    # blocks
    def para_mark(self) -> tuple[str, str]:
        """The paragraph bookmark (start, end) of the next paragraph of an anchored region, or
        two empty strings outside one (see :mod:`commentkit.writers.anchors`)."""
        if not self.region:
            return "", ""
        self.region[1] += 1
        bid = self.bookmark_id
        self.bookmark_id += 1
        name = para_bookmark(self.region[0], self.region[1])
        return f'<w:bookmarkStart w:id="{bid}" w:name={quoteattr(name)}/>', f'<w:bookmarkEnd w:id="{bid}"/>'

    def para(self, style: str, inner: str, extra_ppr: str = "", inlines=None) -> str:
        starts = "".join(self.pending_starts)
        self.pending_starts.clear()
        mark_start, mark_end = self.para_mark()
        starts += mark_start
        inner += mark_end
        if inlines is not None and _mostly_rtl(inlines):  # a Hebrew or Arabic paragraph reads right to left
            i = extra_ppr.find("<w:ind")
            extra_ppr = extra_ppr + "<w:bidi/>" if i < 0 else extra_ppr[:i] + "<w:bidi/>" + extra_ppr[i:]
        return f'<w:p><w:pPr><w:pStyle w:val="{self.sid(style)}"/>{extra_ppr}</w:pPr>{starts}{inner}</w:p>'

    def blocks(self, blocks, quote: int = 0, list_ctx: tuple | None = None) -> None:
        for b in blocks:
            self.block(b, quote, list_ctx)

    def block(self, b, quote: int = 0, list_ctx: tuple | None = None) -> None:
        if isinstance(b, Paragraph):
            if list_ctx is not None:
                num_id, level, ordered, first = list_ctx
                style = "List Number" if ordered else "List Bullet"
                if first[0]:
                    first[0] = False
                    ppr = f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'
                else:  # a second paragraph in the same item: indented, no number
                    style = "List Paragraph"
                    ppr = f'<w:ind w:left="{720 + 360 * level}"/>'
                self.parts.append(self.para(style, self.runs(b.inlines), ppr, b.inlines))
            elif quote:
                self.parts.append(self.para("Quote", self.runs(b.inlines), "", b.inlines))
            else:
                if b.role == "closing" and self.parts and self.parts[-1].startswith("<w:p><w:pPr>"):
                    # keep the signature block with the end of the letter's text
                    # (w:keepNext must directly follow w:pStyle: Word enforces the schema order)
                    self.parts[-1] = re.sub(r"^(<w:p><w:pPr><w:pStyle [^>]*/>)(?!<w:keepNext/>)",
                                            r"\1<w:keepNext/>", self.parts[-1], count=1)
                self.parts.append(self.para(STYLE_OF_ROLE.get(b.role, "Normal"), self.runs(b.inlines), "", b.inlines))
        elif isinstance(b, Heading):
            self.parts.append(self.para(f"Heading {min(max(b.level, 1), 6)}", self.runs(b.inlines), "", b.inlines))
        elif isinstance(b, ListBlock):
            level = 0 if list_ctx is None else list_ctx[1] + 1
            num_id = self.numbering.new_num(b.ordered, b.start)
            for item in b.items:
                ctx = (num_id, min(level, 8), b.ordered, [True])
                if not item:
                    self.parts.append(self.para("List Number" if b.ordered else "List Bullet", "",
                                                f'<w:numPr><w:ilvl w:val="{min(level, 8)}"/>'
                                                f'<w:numId w:val="{num_id}"/></w:numPr>'))
                for sub in item:
                    if isinstance(sub, ListBlock):
                        self.block(sub, quote, ctx)
                    elif isinstance(sub, Paragraph):
                        self.block(sub, quote, ctx)
                    else:
                        self.block(sub, quote, None)
        elif isinstance(b, Quote):
            self.blocks(b.blocks, quote + 1, list_ctx)
        elif isinstance(b, Table):
            self.table(b)
        elif isinstance(b, PageBreak):
            self.parts.append(self.para("Normal", '<w:r><w:br w:type="page"/></w:r>'))
        elif isinstance(b, Anchor):
            bid = self.bookmark_id
            self.bookmark_id += 1
            self.pending_starts.append(f'<w:bookmarkStart w:id="{bid}" w:name={quoteattr(b.name)}/>')
            before = len(self.parts)
            outer, self.region = self.region, [b.name, 0]
            self.blocks(b.blocks, quote, list_ctx)
            self.region = outer
            end = f'<w:bookmarkEnd w:id="{bid}"/>'
            if self.pending_starts or len(self.parts) == before:  # empty anchor: an empty paragraph holds it
                self.parts.append(self.para("Normal", end))
            elif self.parts[-1].endswith("</w:p>"):
                self.parts[-1] = self.parts[-1][: -len("</w:p>")] + end + "</w:p>"
            else:
                self.parts.append(end)

    def table(self, t: Table) -> None:
        ncols = max([len(t.header)] + [len(r) for r in t.rows] + [1])
        # column widths in proportion to their longest text (bounded), filling the text width
        longest = [6] * ncols
        word = [4] * ncols
        for row in ([t.header] if t.header else []) + t.rows:
            for ci, cell in enumerate(row[:ncols]):
                text = plain_text(cell)
                longest[ci] = max(longest[ci], min(48, len(text)))
                word[ci] = max([word[ci]] + [min(30, len(w)) for w in text.split()])
        minimum = [w * 115 + 260 for w in word]  # about 10-point characters plus cell margins
        spare = max(0, 9360 - sum(minimum))
        total = sum(longest)
        widths = [m + spare * n // total for m, n in zip(minimum, longest)]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        rows = []
        for ri, row in enumerate(([t.header] if t.header else []) + t.rows):
            head = ri == 0 and bool(t.header)
            cells = []
            for ci in range(ncols):
                inl = row[ci] if ci < len(row) else []
                if head:
                    inl = [x.styled(bold=True) if isinstance(x, Run) else x for x in inl]
                starts = "".join(self.pending_starts)
                self.pending_starts.clear()
                if ri == 0 and ci == 0:  # the table's paragraph bookmark, in its first cell
                    mark_start, mark_end = self.para_mark()
                    starts += mark_start
                    inl_end = mark_end
                else:
                    inl_end = ""
                cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[ci]}" w:type="dxa"/></w:tcPr><w:p><w:pPr>'
                             f'<w:pStyle w:val="{self.sid("Table Text")}"/></w:pPr>{starts}{self.runs(inl)}'
                             f'{inl_end}</w:p></w:tc>')
            trpr = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if head else "<w:trPr><w:cantSplit/></w:trPr>"
            rows.append(f"<w:tr>{trpr}{''.join(cells)}</w:tr>")
        self.parts.append(f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.sid("Table Grid")}"/>'
                          f'<w:tblW w:w="5000" w:type="pct"/><w:tblLook w:val="04A0" w:firstRow="1" '
                          f'w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
                          f'</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>')
        # Word needs a paragraph between adjacent tables and after a table at the end
        self.parts.append(self.para("Table Text", ""))

    def footnotes_xml(self) -> str:
        notes = []
        for key in self.footnote_order:  # footnotes may reference further footnotes: loop grows the order
            fid = self.footnote_ids[key]
            saved = self.parts
            self.parts = []
            blocks = self.doc.footnotes.get(key) or [Paragraph([])]
            self.blocks(blocks)
            paras = self.parts
            self.parts = saved
            ref = (f'<w:r><w:rPr><w:rStyle w:val="{self.sid("Footnote Reference")}"/></w:rPr><w:footnoteRef/></w:r>'
                   f'<w:r><w:t xml:space="preserve"> </w:t></w:r>')
            fixed = []
            for k, p in enumerate(paras):
                p = p.replace(f'<w:pStyle w:val="{self.sid("Normal")}"/>',
                              f'<w:pStyle w:val="{self.sid("Footnote Text")}"/>', 1)
                if k == 0:
                    p = p.replace("</w:pPr>", "</w:pPr>" + ref, 1)
                fixed.append(p)
            notes.append(f'<w:footnote w:id="{fid}">{"".join(fixed)}</w:footnote>')
        sep = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
               'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
               '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
               'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>')
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W_NS}" '
                f'xmlns:r="{R_NS}">{sep}{"".join(notes)}</w:footnotes>')


# ---- headers, footers, properties ----------------------------------------------------------

def _field(instr: str, shown: str) -> str:
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instr} '
            f'</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{shown}</w:t></w:r>'
            f'<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _has_text(part_el) -> bool:
    return bool("".join(part_el.itertext()).strip()) or part_el.find(f".//{{{W_NS}}}drawing") is not None \
        or part_el.find(".//{urn:schemas-microsoft-com:vml}shape") is not None


def _header_footer(d, doc: Document, styles: dict[str, str]) -> None:
    from docx.oxml import parse_xml  # lazy: python-docx is slow to import; only Word commands need it
    from docx.oxml.ns import nsdecls  # lazy: python-docx is slow to import; only Word commands need it

    def p(style, inner):
        return parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{styles.get(style, _style_id(style))}"/>'
                         f'</w:pPr>{inner}</w:p>')

    page = ('<w:r><w:t xml:space="preserve">Page </w:t></w:r>' + _field("PAGE", "1")
            + '<w:r><w:t xml:space="preserve"> of </w:t></w:r>' + _field("NUMPAGES", "1"))
    head = doc.header_text
    marks = (["DRAFT \N{EM DASH} NOT FOR FILING"] if doc.draft else []) + (
        ["BUSINESS CONFIDENTIAL"] if doc.version == "confidential" else [])
    marker = " \N{EM DASH} ".join(marks)
    sec = d.sections[0]
    pairs = [(sec.header, False), (sec.first_page_header, True)]
    if not sec.different_first_page_header_footer and not sec.header.is_linked_to_previous \
            and _has_text(sec.header._element):
        # the reference's own header (a letterhead logo) shows on every page, page 1 included,
        # so keep one header for all pages (its image relationships stay valid)
        pairs = [(sec.header, False)]
    else:
        sec.different_first_page_header_footer = True
    for hdr, first in pairs:
        el = hdr._element if not hdr.is_linked_to_previous else None
        if el is not None and _has_text(el):
            if first and not marker:
                continue
            line = marker if first else head
            if line and line not in "".join(el.itertext()):
                bold = "<w:rPr><w:b/></w:rPr>" if first else ""
                el.append(p("Header", f"<w:r>{bold}{_BodyWriter._t(_clean(line))}</w:r>"))
            continue
        hdr.is_linked_to_previous = False
        el = hdr._element
        for child in list(el):
            el.remove(child)
        line = marker if first else head
        if not line:
            el.append(p("Header", ""))
            continue
        if marker and line.startswith(marker):
            rest = line[len(marker):]
            inner = (f'<w:r><w:rPr><w:b/></w:rPr>{_BodyWriter._t(_clean(marker))}</w:r>'
                     + (f'<w:r>{_BodyWriter._t(_clean(rest))}</w:r>' if rest else ""))
        else:
            inner = f'<w:r>{_BodyWriter._t(_clean(line))}</w:r>'
        el.append(p("Header", inner))
    for ftr in ((sec.footer, sec.first_page_footer) if len(pairs) == 2 else (sec.footer,)):
        if not ftr.is_linked_to_previous and "NUMPAGES" in ftr._element.xml:
            continue
        ftr.is_linked_to_previous = False
        el = ftr._element
        keep = _has_text(el)
        if not keep:
            for child in list(el):
                el.remove(child)
        el.append(p("Page Number Footer", page))


def _custom_props_xml(props: dict[str, str]) -> bytes:
    items = []
    for pid, (k, v) in enumerate(sorted(props.items()), start=2):
        items.append(f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name={quoteattr(k)}>'
                     f'<vt:lpwstr>{escape(_clean(v))}</vt:lpwstr></property>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            + "".join(items) + "</Properties>").encode("utf-8")


def _set_part(owner, reltype: str, partname: str, content_type: str, blob: bytes, package) -> None:
    """Create or replace the part related to ``owner`` (a part or the package) by ``reltype``."""
    from docx.opc.packuri import PackURI  # lazy: python-docx is slow to import; only Word commands need it
    from docx.opc.part import Part  # lazy: python-docx is slow to import; only Word commands need it

    try:
        existing = owner.part_related_by(reltype)
    except KeyError:
        existing = None
    if existing is not None:
        for rid, rel in list(owner.rels.items()):
            if rel.reltype == reltype:
                owner.rels.pop(rid)
    part = Part(PackURI(partname), content_type, blob, package)
    owner.relate_to(part, reltype)


def _base_part(d, doc: Document) -> dict[str, str]:
    """Store every anchored region's text as built in a custom XML part (with its item
    properties, as Word writes them); returns the fingerprint properties. See
    :mod:`commentkit.writers.anchors`."""
    from docx.opc.packuri import PackURI  # lazy: python-docx
    from docx.opc.part import Part  # lazy: python-docx

    xml, props = base_record(doc)
    pkg = d.part.package
    used = {str(p.partname) for p in pkg.iter_parts()}
    n = 1
    while f"/customXml/item{n}.xml" in used or f"/customXml/itemProps{n}.xml" in used:
        n += 1
    guid = props["commentkit.fingerprint"].upper()
    guid = f"{{{guid[:8]}-{guid[8:12]}-{guid[12:16]}-A000-000000000000}}"
    item_props = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<ds:datastoreItem '
                  f'ds:itemID="{guid}" xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
                  '<ds:schemaRefs><ds:schemaRef ds:uri="urn:commentkit:base:1"/></ds:schemaRefs></ds:datastoreItem>')
    item = Part(PackURI(f"/customXml/item{n}.xml"), "application/xml", xml, pkg)
    item.relate_to(Part(PackURI(f"/customXml/itemProps{n}.xml"), CT_CUSTOM_XML_PROPS,
                        item_props.encode("utf-8"), pkg), RT_CUSTOM_XML_PROPS)
    d.part.relate_to(item, RT_CUSTOM_XML)
    return props


def _properties(d, doc: Document, extra: dict[str, str] | None = None) -> None:
    cp = d.core_properties
    stamp = dt.datetime.strptime(doc.created, "%Y-%m-%dT%H:%M:%SZ")
    cp.title = _clean(doc.title)[:255]
    cp.author = _clean(doc.author)[:255]
    cp.subject = _clean(doc.subject)[:255]
    cp.keywords = _clean(doc.keywords)[:255]
    cp.last_modified_by = "commentkit"
    cp.comments = "Built by commentkit; edits can be imported back with 'commentkit import-docx'."
    cp.category = "Public comment"
    cp.created = stamp
    cp.modified = stamp
    cp.last_printed = stamp
    cp.revision = 1
    pkg = d.part.package
    _set_part(pkg, RT_CUSTOM, "/docProps/custom.xml", CT_CUSTOM, _custom_props_xml({**doc.properties, **(extra or {})}), pkg)
    # an old preview image would show the reference document, not this letter
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype == RT_THUMBNAIL:
            pkg.rels.pop(rid)


def _settings(d) -> None:
    from docx.oxml import parse_xml  # lazy: python-docx is slow to import; only Word commands need it
    from docx.oxml.ns import nsdecls  # lazy: python-docx is slow to import; only Word commands need it

    st = d.settings.element
    if st.find(f"{{{W_NS}}}footnotePr") is None:
        node = parse_xml(f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>')
        # schema order: footnotePr comes after w:characterSpacingControl etc.; appending before compat is accepted
        compat = st.find(f"{{{W_NS}}}compat")
        if compat is not None:
            compat.addprevious(node)
        else:
            st.append(node)


# ---- output ------------------------------------------------------------------------------

def _save_deterministic(d, date_time: tuple, splice: tuple | None = None) -> bytes:
    """The package as zip bytes, parts in a stable order with fixed dates. ``splice`` is
    ``(partname, marker, xml)``: that part's marker is replaced by ``xml`` (see :func:`_fill`)."""
    from docx.opc.packuri import (  # lazy: python-docx is slow to import; only Word commands need it
        CONTENT_TYPES_URI,
        PACKAGE_URI,
    )
    from docx.opc.pkgwriter import _ContentTypesItem  # lazy: python-docx is slow to import; only Word commands need it

    pkg = d.part.package
    parts = list(pkg.iter_parts())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        def put(uri, blob):
            info = zipfile.ZipInfo(uri.membername, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            z.writestr(info, blob, compresslevel=ZIP_LEVEL)

        put(CONTENT_TYPES_URI, _ContentTypesItem.from_parts(parts).blob)
        put(PACKAGE_URI.rels_uri, pkg.rels.xml)
        for part in parts:
            blob = part.blob
            if splice is not None and part.partname == splice[0]:
                if blob.count(splice[1]) != 1:
                    raise RuntimeError("document body marker lost")  # a bug, not a user error
                blob = blob.replace(splice[1], splice[2])
            put(part.partname, blob)
            if len(part.rels):
                put(part.partname.rels_uri, part.rels.xml)
    return buf.getvalue()


def docx_bytes(doc: Document, reference_docx: Path | str | None = None) -> bytes:
    """The .docx file for ``doc`` as bytes (see module docstring)."""
    d = open_base(reference_docx)
    if not reference_docx:
        return _fill(d, doc)
    try:
        return _fill(d, doc)
    except UserError:
        raise
    except Exception as exc:  # a damaged reference file can fail anywhere in python-docx
        raise UserError(f"cannot use reference Word file: {type(exc).__name__}: {exc}".splitlines()[0],
                        reference_docx) from None


def _fill(d, doc: Document) -> bytes:
    from docx.oxml import parse_xml  # lazy: python-docx is slow to import; only Word commands need it

    body = d.element.body
    sect = body.find(f"{{{W_NS}}}sectPr")
    for child in list(body):
        if child is not sect:
            body.remove(child)
    styles = _ensure_styles(d)
    w = _BodyWriter(d, doc, styles)
    w.blocks(doc.blocks)
    if w.pending_starts:
        w.parts.append(w.para("Normal", ""))
    body_xml = "".join(w.parts)
    wrapped = f'<w:body xmlns:w="{W_NS}" xmlns:r="{R_NS}">{body_xml}</w:body>'
    root = d.element
    splice = None
    if root.nsmap.get("w") == W_NS and root.nsmap.get("r") == R_NS:
        # The body text goes into document.xml as written, at save time: moving ~10,000 elements
        # into python-docx's tree and serialising them again cost more than everything else here.
        # It is parsed once all the same, so a malformed body fails here, never in Word.
        from lxml import etree  # lazy: only Word/XML readers need it

        etree.fromstring(wrapped.encode("utf-8"), safe.xml_parser(huge_tree=True))
        marker = etree.Comment(_BODY_MARK)
        if sect is not None:
            sect.addprevious(marker)
        else:
            body.append(marker)
        splice = (d.part.partname, f"<!--{_BODY_MARK}-->".encode(), body_xml.encode("utf-8"))
    else:  # a reference file with other namespace prefixes: move the elements in
        frag = parse_xml(wrapped)
        for child in list(frag):
            if sect is not None:
                sect.addprevious(child)
            else:
                body.append(child)
    if w.footnote_order:
        _set_part(d.part, RT_FOOTNOTES, "/word/footnotes.xml", CT_FOOTNOTES, w.footnotes_xml().encode("utf-8"),
                  d.part.package)
        _settings(d)
    _header_footer(d, doc, styles)
    base_props = _base_part(d, doc) if doc.anchors() else {}
    _properties(d, doc, base_props)
    y, mo, da = (int(x) for x in doc.created[:10].split("-"))
    return _save_deterministic(d, (max(y, 1980), mo, da, 0, 0, 0), splice)


def write_docx(doc: Document, path: Path | str, reference_docx: Path | str | None = None) -> Path:
    """Write ``doc`` as a Word file at ``path`` (atomically); returns the path."""
    data = docx_bytes(doc, reference_docx)
    atomic_write(Path(path), data)
    return Path(path)
