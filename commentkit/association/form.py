"""The member template as a fillable Word form, and reading returned forms.

Writing (``commentkit template create --format docx``): the form's text is an ordinary
commentkit :class:`~commentkit.models.document.Document` (so it gets the letter's Word styles, the
association's reference DOCX or letterhead, a header and "Page X of Y"), written by
:mod:`commentkit.letter.writers.docx`; each place a member fills in is then put into the document as
a bordered table cell (text, numbers, dates, answers) or a row of check boxes (yes/no, single
and multiple choice).

How fields are recognised when the form comes back
    LibreOffice 7.4 re-saving a DOCX keeps bookmarks, core document properties, content
    controls' titles (``w:alias``) and check boxes, but drops content controls' tags and locks.
    So every field is identified by a **bookmark** (``ck_i_<item>``, ``ck_c_<item>_<n>``,
    ``ck_p_<question>``, ``ck_j_<question>_<1|2>``, ``ck_n_<question>``, ``ck_a_<question>``,
    ``ck_m_name``, ``ck_m_id``); a text field's value is the whole **table cell** holding its
    bookmark, so paragraphs a member adds inside the box stay inside the field. Check boxes
    are Word check-box content controls (``w14:checkbox``) whose state is read from
    ``w14:checked``, or, where an editor turned the control into text, from the ☒ / ☐ glyph.
    Nothing relies on a lock: a locked position is shaded and labelled, and reading compares its
    text with the template's (a change is a disagreement, reported with a word diff).

The form's identity (association, docket, template id and version, checksum of the locked
positions) is stored three ways, and any one suffices: custom document properties, the core
``keywords`` property, and a line on the cover page inside the bookmark ``ck_form_id``.

Reading (:func:`read`) treats the file as untrusted: size and zip-bomb checks, an XML parser
that resolves no entities and refuses DTDs, and a bound on the document's size.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import gzip
import hashlib
import io
import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from commentkit.association.responses import (
    MemberResponse,
    Problem,
    Respondent,
    Stance,
    file_time,
    seen_positions,
)
from commentkit.association.template import parse, render
from commentkit.errors import UserError
from commentkit.letter.markdown_in import parse_blocks
from commentkit.letter.writers.docx import _clean, check_docx_safe, docx_bytes
from commentkit.letter.writers.markdown import region_markdown
from commentkit.models.document import (
    Document,
    Heading,
    ListBlock,
    PageBreak,
    Paragraph,
    Quote,
    Run,
    Table,
    plain_text,
    walk,
)
from commentkit.ooxml import safe
from commentkit.ooxml.ns import W_NS
from commentkit.ooxml.reader import Converter, Package

W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
W = f"{{{W_NS}}}"
W14 = f"{{{W14_NS}}}"
FORM_KIND = "commentkit-member-form"
PLACEHOLDER = "\u2063CKFIELD:"
CHECKED = "\u2612"
UNCHECKED = "\u2610"
CHECKED_GLYPHS = {"\u2612", "\u2611", "\u2713", "\u2714", "\u2716", "x", "X"}
MAX_FORM_BYTES = 30 * 1024 * 1024
MAX_XML_BYTES = 20 * 1024 * 1024


# ---- field names ---------------------------------------------------------------------------------

def _short(key: str, room: int) -> str:
    key = key.replace("-", "_")
    if len(key) <= room:
        return key
    return key[: room - 7] + "_" + hashlib.sha1(key.encode()).hexdigest()[:6]


class Names:
    """Bookmark names of a template's fields (Word allows 40 characters: letters, digits, _)."""

    member_name = "ck_m_name"
    member_id = "ck_m_id"
    aliases = "ck_m_aliases"
    form_id = "ck_form_id"

    @staticmethod
    def contact(what: str) -> str:
        return "ck_r_" + what

    @staticmethod
    def consent(what: str, n: int) -> str:
        return f"ck_k_{what}_{n}"

    @staticmethod
    def item(iid: str) -> str:
        return "ck_i_" + _short(iid, 35)

    @staticmethod
    def choice(iid: str, n: int) -> str:
        return f"ck_c_{_short(iid, 30)}_{n}"

    @staticmethod
    def position(qid: str) -> str:
        return "ck_p_" + _short(qid, 35)

    @staticmethod
    def join(qid: str, n: int) -> str:
        return f"ck_j_{_short(qid, 32)}_{n}"

    @staticmethod
    def note(qid: str) -> str:
        return "ck_n_" + _short(qid, 35)

    @staticmethod
    def answer(qid: str) -> str:
        return "ck_a_" + _short(qid, 35)


CONSENT_LABELS = {"quote": ("Yes, you may quote us", "No, do not quote us"),
                  "name": ("Yes, you may name us", "No, do not name us")}


def identity(tpl) -> dict[str, str]:
    return {"commentkit.form": FORM_KIND, "commentkit.association": tpl.association.name,
            "commentkit.template": tpl.template.id, "commentkit.template_version": str(tpl.template.version),
            "commentkit.docket": tpl.docket.id, "commentkit.positions": tpl.positions_checksum}


def identity_line(tpl) -> str:
    return (f"Form identity: {FORM_KIND} template={tpl.template.id} version={tpl.template.version} "
            f"docket={tpl.docket.id} positions={tpl.positions_checksum}")


_ID_RE = re.compile(r"commentkit-member-form\s+template=(\S+)\s+version=(\d+)\s+docket=(\S+)\s+positions=(\w+)")


# ---- the form's text as a document model ------------------------------------------------------------

def _long(d) -> str:
    return f"{d:%A}, {d:%B} {d.day}, {d.year}"


def _md_blocks(text: str) -> list:
    blocks, _ = parse_blocks(text)
    return blocks


def md_plain(text: str) -> str:
    """The plain text a Markdown passage shows (what a reader of the form sees), spaces normalised."""
    parts = []
    for b in walk(_md_blocks(text)):
        if isinstance(b, (Paragraph, Heading)):
            parts.append(plain_text(b.inlines))
        elif isinstance(b, (ListBlock, Quote)):
            continue
    return " ".join(" ".join(parts).split())


def form_document(tpl):
    """The form as a commentkit Document; fields are placeholder paragraphs replaced later."""
    a = tpl.association
    d = tpl.docket
    short = a.short_name or a.name

    def p(text, role="body", **style):
        return Paragraph([Run(text, **style)], role)

    def field(key):
        return Paragraph([Run(PLACEHOLDER + key)])

    blocks: list = [
        p(a.name, "letterhead"),
        p("Member Response Form", "title"),
        p(f"{d.agency}: {d.title}", "subtitle"),
        Table(header=[[Run("The rulemaking")], [Run("")]], rows=[
            [[Run("Agency")], [Run(d.agency)]],
            [[Run("Docket ID")], [Run(d.docket_id or "(not confirmed)")]],
            [[Run("RIN")], [Run(d.rin or "\N{EM DASH}")]],
            [[Run("Federal Register")], [Run(f"{d.citation} ({d.publication_date:%B} {d.publication_date.day}, "
                                             f"{d.publication_date.year}); FR Doc. {d.document_number}")]],
            [[Run("Agency deadline")], [Run(f"{_long(d.deadline)}, {d.deadline:%H:%M} ({d.deadline_zone})")]],
            [[Run("Please return this form by", bold=True)], [Run(_long(tpl.member_due), bold=True)]],
            [[Run("Return it to")], [Run(a.return_to or a.contact or short)]],
        ]),
        Heading(2, [Run("How to complete this form")]),
        ListBlock(False, [[p(t)] for t in [
            "Open the form in Microsoft Word or LibreOffice and type into the boxes with a border; a box grows "
            "as you type, and you may use paragraphs, bold, italics, lists and links.",
            "Tick check boxes by clicking them (or type an X in front of your choice).",
            f"{short}'s positions in grey boxes marked LOCKED are {short}'s own wording. Please do not edit them: "
            f"if your company does not join a position, tick \"No\" below it and explain in the box for notes.",
            "Keep the file as a Word document (.docx) when you save it, and keep this form's text outside the "
            "boxes as it is: text typed outside the boxes is reported to " + short + " separately.",
            f"E-mail the completed form to {a.return_to or short} by {_long(tpl.member_due)}.",
        ]]),
    ]
    if a.confidentiality or a.attribution:
        blocks.append(Heading(2, [Run("Confidentiality and attribution")]))
        if a.confidentiality:
            blocks.append(p(a.confidentiality))
        blocks.append(p(f"{short} quotes a member's input in its comment only if the member says so in Part 1 "
                        f"(\N{LEFT DOUBLE QUOTATION MARK}May we quote you?\N{RIGHT DOUBLE QUOTATION MARK}), and "
                        + ("never names the member." if a.attribution == "anonymised" else
                           "names the member only if it also says so (\N{LEFT DOUBLE QUOTATION MARK}May we name "
                           "you?\N{RIGHT DOUBLE QUOTATION MARK}).")
                        + " Text you mark [[BCI]] \N{HORIZONTAL ELLIPSIS} [[/BCI]], or a paragraph you begin with "
                          "\N{LEFT DOUBLE QUOTATION MARK}CONFIDENTIAL:\N{RIGHT DOUBLE QUOTATION MARK}, is never "
                          "quoted."))
    if a.contact:
        blocks.append(p(f"Questions about this form: {a.contact}."))
    blocks.append(field("form_id"))
    blocks.append(PageBreak())
    blocks.append(Heading(1, [Run("Part 1. About your company")]))
    blocks.append(field("company"))
    blocks.append(Heading(1, [Run(f"Part 2. The {d.id} questions {short} asks about")]))
    for q in tpl.questions:
        blocks.append(Heading(2, [Run(q.heading)]))
        intro = q.intro or (f"The notice asks ({q.cite}):" if q.wording == "official"
                            else f"In substance (a summary, not the notice's words) ({q.cite}): {q.text}")
        if q.wording == "official":
            blocks.append(p(intro, "question-intro"))
            blocks.append(p("\N{LEFT DOUBLE QUOTATION MARK}" + " ".join(q.text.split())
                            + "\N{RIGHT DOUBLE QUOTATION MARK}", "question"))
        else:
            blocks.append(p(intro, "question"))
        if q.position:
            label = (f"{short}'s position (LOCKED: {short}'s own wording; please do not edit it)" if q.locked
                     else f"{short}'s proposed position (you may edit this text to show the wording you support)")
            blocks.append(p(label, "note", bold=True))
            blocks.append(field(f"position:{q.id}"))
            blocks.append(field(f"join:{q.id}"))
        if q.prompt:
            blocks.append(Paragraph([Run(f"{short} asks: ", bold=True), Run(q.prompt)]))
        blocks.append(p("Your answer:", "note", bold=True))
        blocks.append(field(f"answer:{q.id}"))
    blocks.append(p(f"Thank you. Please save the form as a Word document and e-mail it to "
                    f"{a.return_to or short} by {_long(tpl.member_due)}.", "note"))
    created = tpl.template.created[:19].replace("+00:00", "") + "Z" if tpl.template.created else "2000-01-01T00:00:00Z"
    created = created if re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", created) else "2000-01-01T00:00:00Z"
    return Document(
        blocks=blocks, title=f"{a.name}: member response form ({d.id})", author=a.name,
        subject=f"Member response to {short}'s comment on {d.title}",
        keywords=identity_line(tpl).replace("Form identity: ", ""),
        header_text=f"{short} member response form \N{EM DASH} {d.docket_id or d.id} \N{EM DASH} "
                    f"return by {tpl.member_due:%B} {tpl.member_due.day}, {tpl.member_due.year}",
        created=created, properties=identity(tpl))


def static_texts(tpl) -> set[str]:
    """Every paragraph text the form itself contains outside fields (to spot text typed outside)."""
    out: set[str] = set()
    doc = form_document(tpl)
    for b in walk(doc.blocks):
        if isinstance(b, (Paragraph, Heading)):
            t = " ".join(plain_text(b.inlines).split())
            if not t.startswith(PLACEHOLDER):
                out.add(t)
        elif isinstance(b, Table):
            for row in [b.header, *b.rows]:
                for cell in row:
                    out.add(" ".join(plain_text(cell).split()))
    out.add(identity_line(tpl))
    # the labels and hints the fields themselves bring (their cells' text is read as the field)
    from lxml import etree  # lazy: only Word/XML readers need it

    f = _Fields({})
    keys = ["company"] + [f"{k}:{q.id}" for q in tpl.questions for k in ("position", "join") if q.position]
    for key in keys:
        xml = _field_xml(key, tpl, f)
        frag = etree.fromstring(f'<w:root xmlns:w="{W_NS}" xmlns:w14="{W14_NS}">{xml}</w:root>')
        for p in frag.iter(W + "p"):
            out.add(" ".join(_text_of(p).split()))
    return out


def _join_labels(tpl) -> list[str]:
    short = tpl.association.short_name or tpl.association.name
    return [f"Does your company join {short}'s position?", "Yes, we join it",
            "No (please explain in the notes)"]


# ---- field XML ---------------------------------------------------------------------------------------

def _esc(text: str) -> str:
    return escape(_clean(text))


class _Fields:
    """Builds the XML of the form's fields (bookmark ids start at 1000, sdt ids are hashes)."""

    def __init__(self, styles: dict[str, str]):
        self.bid = 1000
        self.styles = styles

    def style(self, name: str) -> str:
        return self.styles.get(name, re.sub(r"[^A-Za-z0-9]", "", name))

    def bookmark(self, name: str) -> tuple[str, str]:
        self.bid += 1
        return (f'<w:bookmarkStart w:id="{self.bid}" w:name="{name}"/>', f'<w:bookmarkEnd w:id="{self.bid}"/>')

    def run(self, text: str, bold=False, italic=False, small=False, color: str | None = None) -> str:
        rpr = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + (
            f'<w:color w:val="{color}"/>' if color else "") + ('<w:sz w:val="18"/>' if small else "")
        return f'<w:r>{"<w:rPr>" + rpr + "</w:rPr>" if rpr else ""}<w:t xml:space="preserve">{_esc(text)}</w:t></w:r>'

    def para(self, inner: str, style: str = "Table Text") -> str:
        return f'<w:p><w:pPr><w:pStyle w:val="{self.style(style)}"/></w:pPr>{inner}</w:p>'

    def checkbox(self, name: str) -> str:
        sid = int(hashlib.sha1(name.encode()).hexdigest()[:7], 16)
        return (f'<w:sdt><w:sdtPr><w:alias w:val="{name}"/><w:tag w:val="{name}"/><w:id w:val="{sid}"/>'
                f'<w14:checkbox><w14:checked w14:val="0"/><w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
                f'<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>'
                f'<w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" '
                f'w:hAnsi="MS Gothic" w:hint="eastAsia"/></w:rPr><w:t>{UNCHECKED}</w:t></w:r></w:sdtContent></w:sdt>')

    def choice_para(self, name: str, label: str, help_text: str | None = None) -> str:
        start, end = self.bookmark(name)
        inner = start + self.checkbox(name) + self.run(" " + label)
        if help_text:
            inner += self.run(" \N{EM DASH} " + help_text, small=True, color="595959")
        return self.para(inner + end)

    def box(self, name: str, *, shade: bool = False, height: int = 0, text: str = "", date: bool = False,
            italic: bool = False) -> str:
        """A bordered cell holding the field's bookmark (and initial text, e.g. a position)."""
        start, end = self.bookmark(name)
        shd = '<w:shd w:val="clear" w:color="auto" w:fill="EDEDED"/>' if shade else ""
        if date:
            sid = int(hashlib.sha1(name.encode()).hexdigest()[:7], 16)
            content = (f'<w:p><w:pPr><w:pStyle w:val="{self.style("Table Text")}"/></w:pPr>{start}'
                       f'<w:sdt><w:sdtPr><w:alias w:val="{name}"/><w:id w:val="{sid}"/>'
                       f'<w:showingPlcHdr/><w:date><w:dateFormat w:val="yyyy-MM-dd"/><w:lid w:val="en-US"/>'
                       f'<w:storeMappedDataAs w:val="dateTime"/><w:calendar w:val="gregorian"/></w:date></w:sdtPr>'
                       f'<w:sdtContent><w:r><w:t xml:space="preserve"> </w:t></w:r></w:sdtContent></w:sdt>{end}</w:p>')
        else:
            paras = [t for t in text.split("\n\n")] if text else [""]
            content = ""
            for i, t in enumerate(paras):
                inner = self.run(t, italic=italic) if t else ""
                if i == 0:
                    inner = start + inner
                if i == len(paras) - 1:
                    inner = inner + end
                content += self.para(inner)
        tr = f'<w:trPr><w:trHeight w:val="{height}" w:hRule="atLeast"/></w:trPr>' if height else ""
        return (f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.style("Table Grid")}"/><w:tblW w:w="5000" w:type="pct"/>'
                + _BORDERS + '<w:tblLook w:val="0000"/></w:tblPr><w:tblGrid><w:gridCol w:w="9360"/></w:tblGrid>'
                f'<w:tr>{tr}<w:tc><w:tcPr><w:tcW w:w="5000" w:type="pct"/>{shd}</w:tcPr>{content}</w:tc></w:tr></w:tbl>'
                + self.para("", "Table Text"))

    def row_table(self, rows: list[tuple[str, str]]) -> str:
        """Two columns: the label (prompt and help) and the field cell."""
        out = ('<w:tbl><w:tblPr><w:tblStyle w:val="' + self.style("Table Grid") + '"/><w:tblW w:w="5000" '
               'w:type="pct"/>' + _BORDERS + '<w:tblLook w:val="0000"/></w:tblPr>'
               '<w:tblGrid><w:gridCol w:w="3600"/><w:gridCol w:w="5760"/></w:tblGrid>')
        for label_xml, field_xml in rows:
            out += (f'<w:tr><w:tc><w:tcPr><w:tcW w:w="1900" w:type="pct"/>'
                    f'<w:shd w:val="clear" w:color="auto" w:fill="F7F7F7"/></w:tcPr>{label_xml}</w:tc>'
                    f'<w:tc><w:tcPr><w:tcW w:w="3100" w:type="pct"/></w:tcPr>{field_xml}</w:tc></w:tr>')
        return out + "</w:tbl>" + self.para("", "Table Text")

    def label(self, prompt: str, help_text: str | None = None, required: bool = False) -> str:
        xml = self.para(self.run(prompt, bold=True) + (self.run(" (required)", small=True) if required else ""))
        if help_text:
            xml += self.para(self.run(help_text, small=True, color="595959"))
        return xml

    def text_cell(self, name: str, date: bool = False) -> str:
        start, end = self.bookmark(name)
        if date:
            sid = int(hashlib.sha1(name.encode()).hexdigest()[:7], 16)
            return (f'<w:p><w:pPr><w:pStyle w:val="{self.style("Table Text")}"/></w:pPr>{start}'
                    f'<w:sdt><w:sdtPr><w:alias w:val="{name}"/><w:id w:val="{sid}"/>'
                    f'<w:date><w:dateFormat w:val="yyyy-MM-dd"/><w:lid w:val="en-US"/>'
                    f'<w:storeMappedDataAs w:val="dateTime"/><w:calendar w:val="gregorian"/></w:date></w:sdtPr>'
                    f'<w:sdtContent><w:r><w:t xml:space="preserve"></w:t></w:r></w:sdtContent></w:sdt>{end}</w:p>')
        return self.para(start + end)


_BORDERS = ('<w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
            '<w:left w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
            '<w:bottom w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
            '<w:right w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
            '<w:insideH w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
            '<w:insideV w:val="single" w:sz="4" w:space="0" w:color="808080"/></w:tblBorders>'
            '<w:tblCellMar><w:top w:w="60" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
            '<w:bottom w:w="60" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>')


_IN = re.compile(r"^\s*'([a-z0-9_-]+)'\s+in\s+([a-z][a-z0-9_]*)\s*$")
_EQ = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*==\s*'([a-z0-9_-]+)'\s*$")
_BARE = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*$")


def condition_hint(when: str | None, items: dict) -> str | None:
    """The item's condition in words, for the form (which shows every item)."""
    if not when:
        return None
    m = _IN.match(when)
    if m and m.group(2) in items:
        label = next((c.label for c in items[m.group(2)].choices if c.value == m.group(1)), None)
        if label:
            return f"Only if you ticked \N{LEFT DOUBLE QUOTATION MARK}{label}\N{RIGHT DOUBLE QUOTATION MARK} above."
    m = _EQ.match(when)
    if m and m.group(1) in items:
        label = next((c.label for c in items[m.group(1)].choices if c.value == m.group(2)), None)
        if label:
            return f"Only if you chose \N{LEFT DOUBLE QUOTATION MARK}{label}\N{RIGHT DOUBLE QUOTATION MARK} above."
    m = _BARE.match(when)
    if m and m.group(1) in items:
        return "Only if you ticked a box in the item this one follows."
    return "Answer only if it applies to you."


def _field_xml(key: str, tpl, f: _Fields) -> str:
    short = tpl.association.short_name or tpl.association.name
    if key == "form_id":
        start, end = f.bookmark(Names.form_id)
        return f.para(start + f.run(identity_line(tpl), small=True, color="808080") + end, "Letter Note")
    if key == "company":
        req = set(tpl.required_items)
        rows = [(f.label("Company name", f"Your company's name, as {short} should list it", True),
                 f.text_cell(Names.member_name)),
                (f.label("Roster id (if you know it)"), f.text_cell(Names.member_id)),
                (f.label("Other names your company is known by",
                         f"Short name, ticker, former names, separated by semicolons; {short} keeps them, like "
                         f"your legal name, out of its public comment"), f.text_cell(Names.aliases)),
                (f.label("Contact person for this response"), f.text_cell(Names.contact("name"))),
                (f.label("Title"), f.text_cell(Names.contact("title"))),
                (f.label("E-mail"), f.text_cell(Names.contact("email"))),
                (f.label("Telephone"), f.text_cell(Names.contact("phone"))),
                (f.label("May we quote you?", f"{short} quotes members without naming them; no answer "
                                              f"means no", True),
                 "".join(f.choice_para(Names.consent("quote", n), lab)
                         for n, lab in enumerate(CONSENT_LABELS["quote"], start=1))),
                (f.label("May we name you?", (f"{short} names a member only if it says yes here"
                                              if tpl.association.attribution == "attributed" else
                                              f"{short} does not plan to name members; tick yes if it may")
                         + "; no answer means no", True),
                 "".join(f.choice_para(Names.consent("name", n), lab)
                         for n, lab in enumerate(CONSENT_LABELS["name"], start=1)))]
        for it in tpl.items:
            if it.type in ("text", "number"):
                cell = f.text_cell(Names.item(it.id))
            elif it.type == "date":
                cell = f.text_cell(Names.item(it.id), date=True)
            elif it.type == "yesno":
                cell = (f.choice_para(Names.choice(it.id, 1), "Yes")
                        + f.choice_para(Names.choice(it.id, 2), "No"))
            else:
                hint = "Tick one." if it.type == "choice" else "Tick all that apply."
                cell = f.para(f.run(hint, small=True, color="595959")) + "".join(
                    f.choice_para(Names.choice(it.id, n), c.label, c.help)
                    for n, c in enumerate(it.choices, start=1))
            when_hint = condition_hint(it.when, {i.id: i for i in tpl.items})
            help_text = " ".join(x for x in (it.help, when_hint) if x) or None
            rows.append((f.label(it.prompt, help_text, it.id in req), cell))
        return f.row_table(rows)
    kind, _, qid = key.partition(":")
    q = tpl.question(qid)
    if kind == "position":
        return f.box(Names.position(qid), shade=q.locked, text=q.position or "", italic=q.locked)
    if kind == "join":
        labels = _join_labels(tpl)
        return f.row_table([
            (f.label(labels[0]), f.choice_para(Names.join(qid, 1), labels[1])
             + f.choice_para(Names.join(qid, 2), labels[2])),
            (f.label("Notes on this position (optional)"), f.text_cell(Names.note(qid))),
        ])
    if kind == "answer":
        return f.box(Names.answer(qid), height=1700)
    raise ValueError(key)  # pragma: no cover - only keys made by form_document


def write(tpl, reference_docx: Path | None = None) -> bytes:
    """The form for template ``tpl`` as .docx bytes (deterministic for a given template)."""
    from lxml import etree  # lazy: only Word/XML readers need it

    doc = form_document(tpl)
    ref_tmp = None
    try:
        if reference_docx is None and tpl.reference_docx is not None:
            fd, name = tempfile.mkstemp(suffix=".docx")
            with open(fd, "wb") as fh:
                fh.write(tpl.reference_docx.content())
            ref_tmp = reference_docx = Path(name)
        try:
            raw = docx_bytes(doc, reference_docx)
        except UserError as exc:
            if ref_tmp is None:
                raise
            raise UserError(f"the letterhead the template carries ({tpl.reference_docx.name}) cannot be used: "
                            f"{exc.message}") from None
    finally:
        if ref_tmp is not None:
            ref_tmp.unlink(missing_ok=True)
    zin = zipfile.ZipFile(io.BytesIO(raw))
    parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    infos = {i.filename: i for i in zin.infolist()}
    styles = _style_ids(parts.get("word/styles.xml", b""))
    parser = safe.xml_parser()
    root = etree.fromstring(parts["word/document.xml"], parser)
    if "w14" not in (root.nsmap or {}):
        nsmap = dict(root.nsmap)
        nsmap["w14"] = W14_NS
        new = etree.Element(root.tag, nsmap=nsmap)
        for k, v in root.attrib.items():
            new.set(k, v)
        new.extend(list(root))
        root = new
    f = _Fields(styles)
    wrapper_ns = " ".join(f'xmlns:{k}="{v}"' for k, v in root.nsmap.items() if k)
    for para in list(root.iter(W + "p")):
        text = "".join(t.text or "" for t in para.iter(W + "t"))
        if not text.startswith(PLACEHOLDER):
            continue
        xml = _field_xml(text[len(PLACEHOLDER):], tpl, f)
        frag = etree.fromstring(f"<w:root {wrapper_ns}>{xml}</w:root>", parser)
        parent = para.getparent()
        idx = parent.index(para)
        parent.remove(para)
        for n, child in enumerate(list(frag)):
            parent.insert(idx + n, child)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    core = parts.get("docProps/core.xml")
    if core is not None:
        parts["docProps/core.xml"] = _form_core(core)
    _embed_template(parts, infos, tpl)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=infos[name].date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data, compresslevel=6)
    return buf.getvalue()


TEMPLATE_NS = "urn:commentkit:member-template"
MAX_EMBEDDED_TEMPLATE = 5 * 1024 * 1024


def _embed_template(parts: dict[str, bytes], infos: dict, tpl) -> None:
    """Carry the sealed template inside the form (a custom XML part, which Word and LibreOffice
    keep), so ``init --from-form`` can start a member project from a returned form alone."""
    sealed = render(tpl, "member-template.yaml").encode("utf-8")
    payload = base64.b64encode(gzip.compress(sealed, mtime=0)).decode("ascii")
    n = 1
    while f"customXml/item{n}.xml" in parts:
        n += 1
    item = f"customXml/item{n}.xml"
    parts[item] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<ck:memberTemplate '
                   f'xmlns:ck="{TEMPLATE_NS}" encoding="gzip+base64">{payload}</ck:memberTemplate>').encode()
    parts[f"customXml/itemProps{n}.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<ds:datastoreItem '
        'ds:itemID="{5C0E2B1A-7D3F-4B8E-9A61-C0A55E7F1E01}" '
        'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs>'
        f'<ds:schemaRef ds:uri="{TEMPLATE_NS}"/></ds:schemaRefs></ds:datastoreItem>').encode()
    parts[f"customXml/_rels/item{n}.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps" '
        f'Target="itemProps{n}.xml"/></Relationships>').encode()
    rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdCkTemplate" Type="http://schemas.openxmlformats.'
                        'org/officeDocument/2006/relationships/customXml" Target="../customXml/item'
                        f'{n}.xml"/></Relationships>')
    parts["word/_rels/document.xml.rels"] = rels.encode("utf-8")
    ct = parts["[Content_Types].xml"].decode("utf-8")
    if 'Extension="xml"' not in ct:
        ct = ct.replace("</Types>", '<Default Extension="xml" ContentType="application/xml"/></Types>')
    ct = ct.replace("</Types>", f'<Override PartName="/customXml/itemProps{n}.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.customXmlProperties+xml"/></Types>')
    parts["[Content_Types].xml"] = ct.encode("utf-8")
    stamp = next(iter(infos.values())).date_time
    for name in (item, f"customXml/itemProps{n}.xml", f"customXml/_rels/item{n}.xml.rels"):
        infos[name] = zipfile.ZipInfo(name, date_time=stamp)


def embedded_template(path: Path):
    """The sealed template a form carries (verified by its checksum), or None if an editor dropped it."""
    path = Path(path)
    check_docx_safe(path, "member form", MAX_FORM_BYTES)
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if not re.fullmatch(r"customXml/item\d+\.xml", info.filename) or info.file_size > MAX_XML_BYTES:
                    continue
                data = z.read(info)
                if TEMPLATE_NS.encode() not in data[:500]:
                    continue
                root = _safe_xml(data, path, info.filename)
                try:
                    raw = base64.b64decode((root.text or "").strip(), validate=True)
                    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    text = d.decompress(raw, MAX_EMBEDDED_TEMPLATE)
                    if d.unconsumed_tail:
                        raise UserError("the template carried in the form is too large", path)
                except (binascii.Error, ValueError, zlib.error):
                    raise UserError("the template carried in the form is damaged", path) from None
                try:
                    return parse(text.decode("utf-8"), path)
                except UnicodeDecodeError:
                    raise UserError("the template carried in the form is damaged", path) from None
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
        raise UserError(f"cannot read the Word file: {type(exc).__name__}: {exc}".splitlines()[0], path) from None
    return None


def _style_ids(styles_xml: bytes) -> dict[str, str]:
    from lxml import etree  # lazy: only Word/XML readers need it

    out: dict[str, str] = {}
    if not styles_xml:
        return out
    root = etree.fromstring(styles_xml, safe.xml_parser())
    for s in root.iter(W + "style"):
        name = s.find(W + "name")
        if name is not None:
            out[name.get(W + "val")] = s.get(W + "styleId")
    # Word's built-in names are lower-case in styles.xml for some styles ("heading 1")
    return {**{k.title(): v for k, v in out.items()}, **out}


def _form_core(core: bytes) -> bytes:
    from lxml import etree  # lazy: only Word/XML readers need it

    root = etree.fromstring(core, safe.xml_parser())
    cp = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
    for tag, value in (("category", "commentkit member form"),):
        el = root.find(f"{{{cp}}}{tag}")
        if el is not None:
            el.text = value
    dc = "http://purl.org/dc/elements/1.1/"
    el = root.find(f"{{{dc}}}description")
    if el is not None:
        el.text = "A commentkit member response form: fill it in and return it; 'commentkit collect' reads it."
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---- reading a returned form -------------------------------------------------------------------------

@dataclass
class FormContent:
    path: Path
    identity: dict[str, str]
    modified: dt.datetime | None
    fields: dict[str, Any]  # bookmark name -> lxml element (the bookmarkStart)
    root: Any
    _converter: Any = None

    def converter(self):
        """The round-trip converter for this file (styles, numbering, links, footnotes)."""
        if self._converter is None:
            self._converter = Converter(Package(self.path), accept_changes=True)
        return self._converter


def _safe_xml(data: bytes, path: Path, part: str):
    from lxml import etree  # lazy: only Word/XML readers need it

    if len(data) > MAX_XML_BYTES:
        raise UserError(f"form part {part} is too large ({len(data):,} bytes)", path)
    head = data[:2000]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data[:200_000]:
        raise UserError(f"form part {part} declares a DTD or entities: refused (untrusted input)", path)
    parser = safe.xml_parser(remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise UserError(f"form part {part} is not valid XML: {str(exc).splitlines()[0]}", path) from None


def open_form(path: Path) -> FormContent:
    path = Path(path)
    if not path.is_file():
        raise UserError("member form not found", path)
    check_docx_safe(path, "member form", MAX_FORM_BYTES)
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())

            def read(name):
                if name not in names:
                    return None
                info = z.getinfo(name)
                if info.file_size > MAX_XML_BYTES:
                    raise UserError(f"form part {name} is too large ({info.file_size:,} bytes)", path)
                with z.open(info) as fh:
                    data = fh.read(MAX_XML_BYTES + 1)
                if len(data) > MAX_XML_BYTES:
                    raise UserError(f"form part {name} is too large", path)
                return data

            doc = read("word/document.xml")
            custom = read("docProps/custom.xml")
            core = read("docProps/core.xml")
    except UserError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError) as exc:
        raise UserError(f"cannot read the Word file: {type(exc).__name__}: {exc}".splitlines()[0], path) from None
    root = _safe_xml(doc, path, "word/document.xml")
    ident: dict[str, str] = {}
    if custom:
        croot = _safe_xml(custom, path, "docProps/custom.xml")
        for prop in croot:
            name = prop.get("name")
            if name and name.startswith("commentkit.") and len(prop):
                ident.setdefault(name, (prop[0].text or "").strip())
    modified = None
    if core:
        kroot = _safe_xml(core, path, "docProps/core.xml")
        for el in kroot:
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "keywords" and el.text:
                _ident_from_line(el.text, ident)
            if tag == "modified" and el.text:
                try:
                    modified = dt.datetime.fromisoformat(el.text.strip().replace("Z", "+00:00"))
                    if modified.tzinfo is None:
                        modified = modified.replace(tzinfo=dt.timezone.utc)
                except ValueError:
                    modified = None
    fields: dict[str, Any] = {}
    for bm in root.iter(W + "bookmarkStart"):
        name = bm.get(W + "name") or ""
        if name.startswith("ck_") and name not in fields:
            fields[name] = bm
    if Names.form_id in fields:
        _ident_from_line(_text_of(_para_of(fields[Names.form_id])), ident)
    return FormContent(path, ident, modified, fields, root)


def _ident_from_line(text: str, ident: dict[str, str]) -> None:
    m = _ID_RE.search(text)
    if m:
        ident.setdefault("commentkit.form", FORM_KIND)
        ident.setdefault("commentkit.template", m.group(1))
        ident.setdefault("commentkit.template_version", m.group(2))
        ident.setdefault("commentkit.docket", m.group(3))
        ident.setdefault("commentkit.positions", m.group(4))


def _para_of(el):
    while el is not None and el.tag != W + "p":
        el = el.getparent()
    return el


def _cell_of(el):
    while el is not None and el.tag not in (W + "tc", W + "body"):
        el = el.getparent()
    return el if el is not None and el.tag == W + "tc" else None


def _text_of(el) -> str:
    parts = []
    for node in el.iter(W + "t", W + "tab", W + "br", W + "delText"):
        if node.tag == W + "t":
            parts.append(node.text or "")
        elif node.tag in (W + "tab",):
            parts.append(" ")
        elif node.tag == W + "br":
            parts.append("\n")
    return "".join(parts)


def _paras_in(cell) -> list:
    return [p for p in cell.iter(W + "p")]


MARK_CHARS = set("xX\u2612\u2611\u2713\u2714\u2716\u2717\u2718\u25a0\u25cf\u2b1b")
_ON = ("1", "true", "on")


def _checked(para) -> bool | None:
    """A check box's state: ticked in the content control, shown as a ticked glyph, or an X typed
    in front of its label (None: no paragraph)."""
    if para is None:
        return None
    return _mark(para, None)[0]


def _struck_runs(para) -> str:
    out = []
    for r in para.iter(W + "r"):
        rpr = r.find(W + "rPr")
        if rpr is None:
            continue
        on = False
        for tag in ("strike", "dstrike"):
            el = rpr.find(W + tag)
            if el is not None and (el.get(W + "val") or "true").lower() not in ("0", "false", "off"):
                on = True
        if on:
            out.append("".join(t.text or "" for t in r.iter(W + "t")))
    return " ".join("".join(out).split())


def _mark(para, label: str | None) -> tuple[bool, bool]:
    """(marked, struck) for one choice paragraph.

    Marked: the Word check box is ticked (``w14:checked``), or its glyph shows a tick, or the
    member typed an X / x / \u2713 in front of the label ("X No (please explain ...)", "\u2610 X No").
    Struck: the label is struck through (the member crossed the alternative out).
    """
    box = False
    for cb in para.iter(W14 + "checked"):
        box = (cb.get(W14 + "val") or "").strip().lower() in _ON
        break
    text = " ".join(_text_of(para).split())
    at = text.find(" ".join(label.split())) if label else -1
    if at < 0:
        m = re.search(r"[A-Za-z]{2,}", text)
        at = m.start() if m else len(text)
    prefix = text[:at]
    typed = any(ch in MARK_CHARS for ch in prefix) or "[x]" in prefix.lower()
    struck = False
    if label:
        gone = re.sub(r"\W", "", _struck_runs(para)).casefold()
        letters = re.sub(r"\W", "", label).casefold()
        struck = len(gone) >= max(2, len(letters) // 2) and (gone in letters or letters in gone)
    return (box or typed), struck


def choose(marks: list[tuple[bool, bool]], single: bool) -> tuple[list[int], str | None]:
    """Which options a member chose, from (marked, struck) per option; and a problem, if any.

    A marked option that is not struck is chosen. With one choice allowed and nothing marked,
    striking every option but one chooses that one. A marked and struck option, or two chosen
    where one is allowed, is a conflict: nothing is chosen and the problem says why.
    """
    both = [i for i, (m, s) in enumerate(marks) if m and s]
    chosen = [i for i, (m, s) in enumerate(marks) if m and not s]
    if both:
        return [], "a ticked option is also struck through"
    if not single:
        return chosen, None
    if len(chosen) > 1:
        return [], "more than one"
    if not chosen:
        open_ = [i for i, (_, s) in enumerate(marks) if not s]
        if len(open_) == 1 and len(marks) > 1:
            return open_, None
    return chosen, None


def cell_text(fc: FormContent, name: str) -> str | None:
    bm = fc.fields.get(name)
    if bm is None:
        return None
    cell = _cell_of(bm)
    paras = _paras_in(cell) if cell is not None else [_para_of(bm)]
    return "\n\n".join(t for t in (" ".join(_text_of(p).split()) for p in paras) if t)


def _date_value(fc: FormContent, name: str) -> str | None:
    bm = fc.fields.get(name)
    if bm is None:
        return None
    scope = _cell_of(bm)
    if scope is None:
        scope = _para_of(bm)
    for d in scope.iter(W + "date"):
        full = d.get(W + "fullDate")
        if full:
            return full[:10]
    text = cell_text(fc, name) or ""
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%B %d, %Y", "%d %B %Y", "%b %d, %Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return text or None


# ---- Word paragraphs -> Markdown ------------------------------------------------------------------

def cell_markdown(fc: FormContent, name: str) -> str | None:
    """The Markdown of a rich-text field (paragraphs, bold, italic, lists, links, quotes, footnotes),
    converted by the Word reader's own converter (:mod:`commentkit.ooxml.reader`)."""
    bm = fc.fields.get(name)
    if bm is None:
        return None
    cell = _cell_of(bm)
    elements = list(cell) if cell is not None else [_para_of(bm)]
    notes: dict = {}
    blocks = fc.converter().blocks(elements, {}, notes)
    if not blocks:
        return ""
    return region_markdown(blocks, notes).strip()


# ---- a returned form as a member response ------------------------------------------------------------

def read(path: Path, template=None):
    """Read a returned form into a MemberResponse (``template``: the association's, to check against)."""
    path = Path(path)
    fc = open_form(path)
    ident = fc.identity
    if ident.get("commentkit.form") != FORM_KIND or "commentkit.template" not in ident:
        raise UserError("not a commentkit member form (no form identity in its properties or cover page)", path)
    try:
        version = int(ident.get("commentkit.template_version", "0"))
    except ValueError:
        raise UserError("the form's template version is not a number", path) from None
    if template is None:
        raise UserError("reading a member form needs the association's template", path)
    current = template
    if ident.get("commentkit.docket") != current.docket.id:
        raise UserError(f"answers docket {ident.get('commentkit.docket')}, not {current.docket.id}", path)
    if ident["commentkit.template"] != current.template.id:
        raise UserError(f"answers template {ident['commentkit.template']!r}, not this association's "
                        f"{current.template.id!r}", path)
    if version > current.template.version:
        raise UserError(f"answers version {version} of template {current.template.id!r}, newer than the "
                        f"association's current version {current.template.version}", path)
    tpl = current
    seen = None
    if version != current.template.version or (ident.get("commentkit.positions")
                                               and ident["commentkit.positions"] != current.positions_checksum):
        # an earlier version (or an earlier edition of this one): read the form by the template it
        # was made from, which it carries; its positions are what the member saw
        try:
            tpl = embedded_template(path)
        except UserError as exc:
            raise UserError(f"was made from another edition of template {current.template.id!r} (version "
                            f"{version}, other locked positions) and the template it carries cannot be used: "
                            f"{exc.message}", path) from None
        if tpl is None or tpl.template.id != current.template.id or tpl.template.version != version:
            raise UserError(f"was made from version {version} of template {current.template.id!r} with other "
                            f"locked positions, and no longer carries that template (an editor removed it): "
                            f"the member's changes cannot be told from the association's; send the member the "
                            f"current form", path)
        seen = seen_positions(tpl)
    problems: list[Problem] = []
    name = (cell_text(fc, Names.member_name) or "").strip()
    if not name:
        name = path.stem
        problems.append(Problem("company", f"company name left empty; listed under the file name {name!r}"))
    member_id = (cell_text(fc, Names.member_id) or "").strip() or None
    respondent = _respondent(fc, problems)
    profile: dict[str, Any] = {}
    for it in tpl.items:
        if it.type in ("text", "number"):
            if Names.item(it.id) not in fc.fields:
                problems.append(Problem(it.id, "the field is missing from the form (deleted?)"))
                continue
            value = cell_text(fc, Names.item(it.id))
            if value:
                profile[it.id] = value
        elif it.type == "date":
            value = _date_value(fc, Names.item(it.id))
            if value:
                profile[it.id] = value
        else:
            options = ([(True, "Yes"), (False, "No")] if it.type == "yesno"
                       else [(c.value, c.label) for c in it.choices])
            marks, present = [], []
            for n, (opt, label) in enumerate(options, start=1):
                bm = fc.fields.get(Names.choice(it.id, n))
                if bm is None:
                    problems.append(Problem(it.id, f"check box {n} is missing from the form (deleted?)"))
                    continue
                marks.append(_mark(_para_of(bm), label))
                present.append(opt)
            picked, why = choose(marks, it.type != "multichoice")
            ticked = [present[i] for i in picked]
            if why == "more than one":
                both = [present[i] for i, (m, st) in enumerate(marks) if m and not st]
                labels = ["yes" if t is True else "no" if t is False else str(t) for t in both]
                problems.append(Problem(it.id, f"more than one box ticked ({', '.join(labels)}); only one may be"))
            elif why:
                problems.append(Problem(it.id, f"{why}; not counted (ask the member)"))
            elif it.type == "multichoice":
                if ticked:
                    profile[it.id] = ticked
            elif ticked:
                profile[it.id] = ticked[0]
    stances: dict[str, Stance] = {}
    answers: dict[str, str] = {}
    for q in tpl.questions:
        if q.position:
            shown = cell_text(fc, Names.position(q.id))
            labels = _join_labels(tpl)
            boxes = [fc.fields.get(Names.join(q.id, n)) for n in (1, 2)]
            note = (cell_text(fc, Names.note(q.id)) or "").strip() or None
            if shown is None:
                problems.append(Problem(q.id, "the position box is missing from the form (deleted?)"))
                position = None
            elif " ".join(shown.split()) == md_plain(q.position):
                position = q.position
            else:
                position = shown
            agree: bool | None = None
            if boxes[0] is None or boxes[1] is None:
                problems.append(Problem(q.id, "the 'Does your company join' boxes are missing from the form "
                                              "(deleted?); not counted as joining: ask the member"))
            else:
                picked, why = choose([_mark(_para_of(bm), labels[n]) for n, bm in zip((1, 2), boxes)], True)
                if why:
                    problems.append(Problem(q.id, ("both 'join' and 'do not join' are marked" if why == "more than one"
                                                   else f"join question: {why}")
                                            + "; not counted as joining: ask the member"))
                elif not picked:
                    problems.append(Problem(q.id, "neither 'join' nor 'do not join' is marked; not counted as "
                                                  "joining: ask the member"))
                else:
                    agree = picked[0] == 0
            stances[q.id] = Stance(agree=agree, note=note, position=position)
        md = cell_markdown(fc, Names.answer(q.id))
        if md is None:
            problems.append(Problem(q.id, "the answer box is missing from the form (deleted?)"))
        elif md.strip():
            answers[q.id] = md.strip()
    outside = stray_text(fc, tpl)
    for text in outside:
        short = text if len(text) <= 160 else text[:157] + "\N{HORIZONTAL ELLIPSIS}"
        problems.append(Problem("form", f"text typed outside any field: {short!r}"
                                        + (" (in full in compilation.md)" if short != text else "")))
    submitted = fc.modified
    if submitted is None:
        submitted = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)
    return MemberResponse(name=name, source=path, kind="form", template_id=tpl.template.id,
                          template_version=version, docket=tpl.docket.id, submitted=submitted,
                          member_id=member_id, profile=profile, answers=answers,
                          statuses={k: "final" for k in answers}, stances=stances, problems=problems,
                          outside=outside, respondent=respondent, file_time=file_time(path), seen_positions=seen)


def _respondent(fc: FormContent, problems: list):
    """Contact fields, other names and the two consent questions (None: not marked)."""
    def text(name):
        return (cell_text(fc, name) or "").strip() or None

    consent: dict[str, bool | None] = {}
    for key, question in (("quote", "May we quote you?"), ("name", "May we name you?")):
        names = [Names.consent(key, 1), Names.consent(key, 2)]
        if not all(n in fc.fields for n in names):
            consent[key] = None
            continue
        marks = [_mark(_para_of(fc.fields[n]), label) for n, label in zip(names, CONSENT_LABELS[key])]
        picked, why = choose(marks, True)
        if why:
            problems.append(Problem("consent", f"{question}: {why if why != 'more than one' else 'both marked'}; "
                                               f"read as no"))
            consent[key] = None
        else:
            consent[key] = (picked[0] == 0) if picked else None
    aliases = [a.strip() for a in re.split(r"[;\n]", text(Names.aliases) or "") if a.strip()]
    return Respondent(contact_name=text(Names.contact("name")), contact_title=text(Names.contact("title")),
                      contact_email=text(Names.contact("email")), contact_phone=text(Names.contact("phone")),
                      aliases=aliases, may_quote=consent["quote"], may_name=consent["name"])


_STATIC_CACHE: dict[tuple, set[str]] = {}


def stray_text(fc: FormContent, tpl) -> list[str]:
    """Paragraphs outside every field whose text the form did not contain."""
    key = (tpl.template.id, tpl.template.version, tpl.positions_checksum, tpl.association.name)
    expected = _STATIC_CACHE.get(key)
    if expected is None:
        expected = _STATIC_CACHE[key] = static_texts(tpl)
    field_cells = set()
    for bm in fc.fields.values():
        cell = _cell_of(bm)
        if cell is not None:
            field_cells.add(cell)
    body = fc.root.find(W + "body")
    out: list = []
    if body is None:
        return out
    for p in body.iter(W + "p"):
        anc = p.getparent()
        inside = False
        while anc is not None and anc is not body:
            if anc in field_cells:
                inside = True
                break
            anc = anc.getparent()
        if inside:
            continue
        text = " ".join(_text_of(p).split())
        if not text or text in expected or text.startswith("Form identity:"):
            continue
        out.append(text)
    return out
