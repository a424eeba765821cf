"""Reading Word packages: the one hardened DOCX reader (``import-docx``, returned member forms).

:class:`Package` opens a .docx that :func:`commentkit.ooxml.safe.check` accepted and parses its
XML parts with the one parser configuration (:func:`commentkit.ooxml.safe.xml_parser`);
:class:`Converter` turns WordprocessingML paragraphs, runs, lists, tables and footnotes into the
document model (:mod:`commentkit.models.document`).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from commentkit.errors import WordFileError
from commentkit.models.document import (
    Block,
    FootnoteRef,
    Heading,
    LineBreak,
    ListBlock,
    Paragraph,
    Quote,
    Run,
    Table,
    merge_runs,
    plain_text,
)
from commentkit.ooxml import safe
from commentkit.ooxml.ns import CP_NS, REL_NS, R, W

MAX_PART = 60 * 1024 * 1024
CHANGE_TAGS = ("ins", "del", "moveFrom", "moveTo", "pPrChange", "rPrChange", "sectPrChange", "tblPrChange",
               "trPrChange", "tcPrChange", "numberingChange")
HEADING_SHIFT = 3  # build puts answers' own headings three levels below the question heading

# ---- reading the package --------------------------------------------------------------------

class Package:
    def __init__(self, path: Path):
        self.path = path
        safe.check(path, "Word file")
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise WordFileError(f"cannot open Word file: {exc}", path) from None
        self.names = set(self.zip.namelist())

    def xml(self, name: str):
        from lxml import etree  # lazy: only Word/XML readers need it

        if name not in self.names:
            return None
        info = self.zip.getinfo(name)
        if info.file_size > MAX_PART:
            raise WordFileError(f"part {name} is too large ({info.file_size:,} bytes)", self.path)
        try:
            data = self.zip.read(name)
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError) as exc:
            raise WordFileError(f"damaged Word file: cannot read {name}: {exc}", self.path) from None
        if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data:
            raise WordFileError(f"part {name} declares a DOCTYPE or entities: refused (not made by Word)", self.path)
        try:
            return etree.fromstring(data, safe.xml_parser(remove_comments=True, remove_pis=True))
        except etree.XMLSyntaxError as exc:
            raise WordFileError(f"damaged Word file: {name} is not well-formed XML ({exc})".splitlines()[0],
                            self.path) from None

    def rels(self, name: str) -> dict[str, str]:
        folder, _, base = name.rpartition("/")
        root = self.xml(f"{folder}/_rels/{base}.rels")
        out = {}
        if root is not None:
            for rel in root.iter(f"{REL_NS}Relationship"):
                out[rel.get("Id")] = rel.get("Target", "")
        return out


def as_int(value, default: int = 0) -> int:
    try:
        return max(-1, min(int(str(value)), 10_000))
    except (TypeError, ValueError):
        return default


def is_on(el) -> bool:
    if el is None:
        return False
    v = el.get(f"{W}val")
    return v is None or v.lower() not in ("0", "false", "off", "none")


class Converter:
    def __init__(self, pkg: Package, accept_changes: bool):
        self.pkg = pkg
        self.accept = accept_changes
        self.rels = pkg.rels("word/document.xml")
        styles = pkg.xml("word/styles.xml")
        self.style_names: dict[str, str] = {}
        if styles is not None:
            for s in styles.iter(f"{W}style"):
                n = s.find(f"{W}name")
                if n is not None:
                    self.style_names[s.get(f"{W}styleId")] = (n.get(f"{W}val") or "").lower()
        self.numbering = self._numbering(pkg.xml("word/numbering.xml"))
        self.footnote_xml = {}
        fn = pkg.xml("word/footnotes.xml")
        if fn is not None:
            for note in fn.iter(f"{W}footnote"):
                if note.get(f"{W}type") in (None, "normal"):
                    self.footnote_xml[note.get(f"{W}id")] = note
        self.issues: list[str] = []

    @staticmethod
    def _numbering(root) -> dict[tuple[str, int], tuple[bool, int, str, bool]]:
        """(numId, ilvl) -> (ordered, start, abstract list id, restarts).

        Word continues numbering across w:num instances that share an abstract list unless a
        level override restarts it; LibreOffice writes one w:num per list item this way."""
        out: dict[tuple[str, int], tuple[bool, int, str, bool]] = {}
        if root is None:
            return out
        abstract: dict[str, dict[int, tuple[bool, int]]] = {}
        for a in root.iter(f"{W}abstractNum"):
            lv = {}
            for lvl in a.iter(f"{W}lvl"):
                fmt = lvl.find(f"{W}numFmt")
                start = lvl.find(f"{W}start")
                ordered = fmt is not None and fmt.get(f"{W}val") not in ("bullet", "none")
                lv[as_int(lvl.get(f"{W}ilvl"), 0)] = (ordered, as_int(start.get(f"{W}val"), 1) if start is not None else 1)
            abstract[a.get(f"{W}abstractNumId")] = lv
        for num in root.iter(f"{W}num"):
            aid_el = num.find(f"{W}abstractNumId")
            aid = aid_el.get(f"{W}val") if aid_el is not None else ""
            lv = dict(abstract.get(aid, {}))
            restarts: set[int] = set()
            for ov in num.iter(f"{W}lvlOverride"):
                so = ov.find(f"{W}startOverride")
                il = as_int(ov.get(f"{W}ilvl"), 0)
                if so is not None and il in lv:
                    lv[il] = (lv[il][0], as_int(so.get(f"{W}val"), 1))
                    restarts.add(il)
            for il, (ordered, start) in lv.items():
                out[(num.get(f"{W}numId"), il)] = (ordered, start, aid, il in restarts)
        return out

    def style_of(self, p) -> str:
        ps = p.find(f"{W}pPr/{W}pStyle")
        sid = ps.get(f"{W}val") if ps is not None else "Normal"
        return self.style_names.get(sid, sid.lower())

    # inline content
    def inlines(self, el, note_keys: dict, region_notes: dict) -> list:
        out: list = []
        state = {"field": 0}  # complex field depth: 1 = instruction part, 2 = result part
        self._walk_inline(el, out, {}, note_keys, region_notes, state)
        return out

    def _walk_inline(self, el, out, fmt, note_keys, region_notes, state):
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            name = tag[len(W):] if tag.startswith(W) else None
            if name == "r":
                self._run(child, out, fmt, note_keys, region_notes, state)
            elif name == "hyperlink":
                rid = child.get(f"{R}id")
                url = self.rels.get(rid) if rid else None
                self._walk_inline(child, out, {**fmt, "url": url}, note_keys, region_notes, state)
            elif name in ("ins", "moveTo"):
                self._walk_inline(child, out, fmt, note_keys, region_notes, state)
            elif name in ("del", "moveFrom"):
                continue  # deletions: dropped (accepted); refusal happens before conversion
            elif name in ("smartTag", "customXml", "fldSimple", "bdo", "dir"):
                self._walk_inline(child, out, fmt, note_keys, region_notes, state)
            elif name == "sdt":
                content = child.find(f"{W}sdtContent")
                if content is not None:
                    self._walk_inline(content, out, fmt, note_keys, region_notes, state)
            # bookmarks, proofErr, commentRangeStart/End, pPr: nothing to show

    def _run(self, r, out, fmt, note_keys, region_notes, state):
        rpr = r.find(f"{W}rPr")
        bold = italic = code = conf = False
        if rpr is not None:
            bold = is_on(rpr.find(f"{W}b"))
            italic = is_on(rpr.find(f"{W}i"))
            rs = rpr.find(f"{W}rStyle")
            if rs is not None:
                sname = self.style_names.get(rs.get(f"{W}val"), rs.get(f"{W}val", "").lower())
                if sname in ("strong",):
                    bold = True
                elif sname in ("emphasis",):
                    italic = True
                elif sname == "confidential":
                    conf = True
                elif sname in ("verbatim char", "html code", "code"):
                    code = True
        url = fmt.get("url")
        for child in r:
            tag = child.tag
            if not isinstance(tag, str) or not tag.startswith(W):
                continue
            name = tag[len(W):]
            if name == "fldChar":
                t = child.get(f"{W}fldCharType")
                state["field"] = {"begin": 1, "separate": 2, "end": 0}.get(t, state["field"])
            elif name == "instrText":
                continue
            elif name == "t":
                if state["field"] == 1:
                    continue
                text = child.text or ""
                if conf and text in ("[[", "]]"):
                    continue  # the confidential version's bracket marks
                out.append(Run(text, bold, italic, code, url, conf))
            elif name == "tab":
                out.append(Run("\t", bold, italic, code, url, conf))
            elif name in ("br", "cr"):
                if child.get(f"{W}type") in (None, "textWrapping"):
                    out.append(LineBreak())
            elif name == "noBreakHyphen":
                out.append(Run("\u2011", bold, italic, code, url, conf))
            elif name == "sym":
                try:
                    ch = chr(int(child.get(f"{W}char", "20"), 16))
                except (TypeError, ValueError, OverflowError):
                    ch = "?"
                if ch < " " and ch not in "\t\n":
                    ch = "?"
                out.append(Run(ch, bold, italic, code, url, conf))
            elif name == "footnoteReference":
                fid = child.get(f"{W}id")
                key = note_keys.setdefault(fid, f"n{len(note_keys) + 1}")
                if key not in region_notes:
                    region_notes[key] = self._footnote(fid)
                out.append(FootnoteRef(key))
            elif name in ("drawing", "pict", "object"):
                self.issues.append("an image or object (not imported)")

    def _footnote(self, fid: str) -> list:
        note = self.footnote_xml.get(fid)
        if note is None:
            return []
        blocks = self.blocks(list(note), {}, {})
        if blocks and isinstance(blocks[0], Paragraph):
            first = blocks[0].inlines
            while first and isinstance(first[0], Run) and not first[0].text.strip():
                first.pop(0)
            if first and isinstance(first[0], Run):
                first[0] = first[0].styled(text=first[0].text.lstrip())
        return blocks

    # blocks
    def blocks(self, elements, note_keys: dict, region_notes: dict) -> list[Block]:
        out: list[Block] = []
        list_stack: list[tuple[ListBlock, int, str]] = []  # (list, level, numId)
        merge_next: list | None = None
        for el in elements:
            if el.tag == f"{W}tbl":
                list_stack.clear()
                out.append(self.table(el, note_keys, region_notes))
                continue
            if el.tag != f"{W}p":
                continue
            inl = self.inlines(el, note_keys, region_notes)
            ppr = el.find(f"{W}pPr")
            mark_deleted = ppr is not None and ppr.find(f"{W}rPr/{W}del") is not None
            if merge_next is not None:
                inl = merge_next + inl
                merge_next = None
            if mark_deleted:  # accepted deletion of the paragraph mark joins it with the next paragraph
                merge_next = inl
                continue
            inl = merge_runs(inl)
            text = plain_text(inl)
            style = self.style_of(el)
            num = ppr.find(f"{W}numPr") if ppr is not None else None
            num_id = ilvl = None
            if num is not None:
                ni = num.find(f"{W}numId")
                il = num.find(f"{W}ilvl")
                num_id = ni.get(f"{W}val") if ni is not None else None
                ilvl = min(8, max(0, as_int(il.get(f"{W}val"), 0))) if il is not None else 0
                if num_id == "0":
                    num_id = None
            if num_id is None and style.startswith(("list bullet", "list number")):
                num_id, ilvl = f"style:{style}", int(style[-1]) - 1 if style[-1].isdigit() else 0
            if num_id is not None:
                ordered, start, abstract, restarts = self.numbering.get(
                    (num_id, ilvl or 0), (style.startswith("list number"), 1, num_id, False))
                self._list_item(out, list_stack, Paragraph(inl), (num_id, abstract, restarts), ilvl or 0,
                                ordered, start)
                continue
            if not text.strip() and not any(isinstance(x, FootnoteRef) for x in inl):
                list_stack.clear()
                continue
            if style == "list paragraph" and list_stack:  # a further paragraph of the last item
                list_stack[-1][0].items[-1].append(Paragraph(inl))
                continue
            list_stack.clear()
            if style.startswith("heading ") and style[8:].isdigit():
                out.append(Heading(max(1, int(style[8:]) - HEADING_SHIFT), inl))
            elif style in ("quote", "intense quote", "block text"):
                if out and isinstance(out[-1], Quote):
                    out[-1].blocks.append(Paragraph(inl))
                else:
                    out.append(Quote([Paragraph(inl)]))
            elif style == "centered" and text.replace("*", "").replace("\u2003", "").strip() == "":
                out.append(Paragraph(inl, role="center"))
            else:
                out.append(Paragraph(inl))
        if merge_next:
            out.append(Paragraph(merge_runs(merge_next)))
        return out

    @staticmethod
    def _list_item(out, stack, para, num, level, ordered, start):
        num_id, abstract, restarts = num
        while stack and stack[-1][1] > level:
            stack.pop()
        if stack and stack[-1][1] == level:
            prev_id, prev_abstract = stack[-1][2]
            same = prev_id == num_id or (prev_abstract == abstract and not restarts)
            if not same:
                if level == 0:
                    stack.clear()
                else:
                    stack.pop()
        num_id = (num_id, abstract)
        if stack and stack[-1][1] == level:
            stack[-1][0].items.append([para])
            return
        lb = ListBlock(ordered, [[para]], start)
        if stack:
            stack[-1][0].items[-1].append(lb)
        else:
            out.append(lb)
        stack.append((lb, level, num_id))

    def table(self, tbl, note_keys, region_notes) -> Table:
        rows = []
        for tr in tbl.iter(f"{W}tr"):
            cells = []
            for tc in tr.findall(f"{W}tc"):
                inl: list = []
                for p in tc.iter(f"{W}p"):
                    if inl:
                        inl.append(Run(" "))
                    inl.extend(self.inlines(p, note_keys, region_notes))
                cells.append(merge_runs([x.styled(bold=False) if isinstance(x, Run) else x for x in inl]))
            rows.append(cells)
        if not rows:
            return Table([], [])
        return Table(rows[0], rows[1:])


def block_plain(conv: "Converter", el) -> str:
    if el.tag == f"{W}tbl":
        text = " | ".join(" ".join(plain_text(conv.inlines(p, {}, {})) for p in tc.iter(f"{W}p"))
                          for tc in el.iter(f"{W}tc"))
    else:
        text = plain_text(conv.inlines(el, {}, {}))
    return " ".join(text.split())


def doc_props(pkg: Package) -> dict[str, str]:
    root = pkg.xml("docProps/custom.xml")
    out = {}
    if root is not None:
        for prop in root.iter(f"{CP_NS}property"):
            val = "".join(prop.itertext()).strip()
            out[prop.get("name", "")] = val
    return out


def created(pkg: Package):
    root = pkg.xml("docProps/core.xml")
    if root is None:
        return None
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.endswith("}created") and el.text:
            try:
                return dt.date.fromisoformat(el.text.strip()[:10])
            except ValueError:
                return None
    return None


