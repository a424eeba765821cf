"""Word → answers: read counsel's edits back from a DOCX that ``commentkit build`` made.

Entry points:

* :func:`read_docx(path, accept_changes=False)` → :class:`WordLetter`: identity (docket,
  commenter, version, draft, letter date from the document properties), each anchored region
  (bookmark ``ck_q_<id>`` / ``ck_g_<name>``) converted to the document model, the text outside
  every anchor, and what was found that needs attention (tracked changes, comments, images).
* :func:`plan_import(project, letter)` → :class:`ImportPlan`: per answer, unchanged / changed
  (with the new Markdown and a unified diff) / refused (with the reason); anchors the Word file
  lost; text added outside any answer.
* :func:`apply_import(project, plan, keep_status=False)`: writes the changed answers with
  ``Project.save_answer`` (backup of the previous text, change detection, project lock).

Whose letter it is: a member form, a letter for another docket, another commenter or another
project (most of its answers have no file here) is refused before anything is compared; see
:func:`_check_identity`.

The Word file is untrusted input: it is checked as a zip package (size, part count, expansion
ratio) before anything is parsed, and every XML part is parsed with a parser that resolves no
entities, loads no DTD and refuses a DOCTYPE.

Anchors survive LibreOffice: on re-save it may split a bookmark into an unclosed start at the
beginning and a second start/end pair with the same name at the end, so a region runs from the
first start of a name to the last end of any of its ids.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from commentkit.document import (Anchor, Block, FootnoteRef, Heading, LineBreak, ListBlock, Paragraph, Quote, Run,
                                 Table, key_of_anchor, plain_text, walk)
from commentkit.errors import UserError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CP_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
MAX_PART = 60 * 1024 * 1024
CHANGE_TAGS = ("ins", "del", "moveFrom", "moveTo", "pPrChange", "rPrChange", "sectPrChange", "tblPrChange",
               "trPrChange", "tcPrChange", "numberingChange")
HEADING_SHIFT = 3  # build puts answers' own headings three levels below the question heading


# ---- reading the package --------------------------------------------------------------------

def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


class _Package:
    def __init__(self, path: Path):
        from commentkit.writers.docx import check_docx_safe

        self.path = path
        check_docx_safe(path, "Word file")
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise UserError(f"cannot open Word file: {exc}", path) from None
        self.names = set(self.zip.namelist())

    def xml(self, name: str):
        from lxml import etree

        if name not in self.names:
            return None
        info = self.zip.getinfo(name)
        if info.file_size > MAX_PART:
            raise UserError(f"part {name} is too large ({info.file_size:,} bytes)", self.path)
        try:
            data = self.zip.read(name)
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError) as exc:
            raise UserError(f"damaged Word file: cannot read {name}: {exc}", self.path) from None
        if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data:
            raise UserError(f"part {name} declares a DOCTYPE or entities: refused (not made by Word)", self.path)
        try:
            return etree.fromstring(data, _parser())
        except etree.XMLSyntaxError as exc:
            raise UserError(f"damaged Word file: {name} is not well-formed XML ({exc})".splitlines()[0],
                            self.path) from None

    def rels(self, name: str) -> dict[str, str]:
        folder, _, base = name.rpartition("/")
        root = self.xml(f"{folder}/_rels/{base}.rels")
        out = {}
        if root is not None:
            for rel in root.iter(f"{REL_NS}Relationship"):
                out[rel.get("Id")] = rel.get("Target", "")
        return out


# ---- model ------------------------------------------------------------------------------

@dataclass
class Region:
    key: str
    kind: str  # "answer" or "general"
    blocks: list[Block]
    footnotes: dict[str, list[Block]]
    issues: list[str] = field(default_factory=list)  # tracked changes, comments, images inside
    extended: tuple | None = None  # (blocks, footnotes) including paragraphs typed just after it
    trail_texts: list[str] = field(default_factory=list)


@dataclass
class WordLetter:
    path: Path
    docket: str
    commenter: str
    version: str
    draft: bool
    date: object  # datetime.date | None
    regions: dict[str, Region]
    outside: list[tuple[str, str]]  # (text, the heading it follows)
    changes: int = 0
    comments: int = 0
    change_places: list[str] = field(default_factory=list)
    built_anchors: list[str] = field(default_factory=list)  # bookmark names the build wrote


def _int(value, default: int = 0) -> int:
    try:
        return max(-1, min(int(str(value)), 10_000))
    except (TypeError, ValueError):
        return default


def _on(el) -> bool:
    if el is None:
        return False
    v = el.get(f"{W}val")
    return v is None or v.lower() not in ("0", "false", "off", "none")


class _Converter:
    def __init__(self, pkg: _Package, accept_changes: bool):
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
                lv[_int(lvl.get(f"{W}ilvl"), 0)] = (ordered, _int(start.get(f"{W}val"), 1) if start is not None else 1)
            abstract[a.get(f"{W}abstractNumId")] = lv
        for num in root.iter(f"{W}num"):
            aid_el = num.find(f"{W}abstractNumId")
            aid = aid_el.get(f"{W}val") if aid_el is not None else ""
            lv = dict(abstract.get(aid, {}))
            restarts: set[int] = set()
            for ov in num.iter(f"{W}lvlOverride"):
                so = ov.find(f"{W}startOverride")
                il = _int(ov.get(f"{W}ilvl"), 0)
                if so is not None and il in lv:
                    lv[il] = (lv[il][0], _int(so.get(f"{W}val"), 1))
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
            bold = _on(rpr.find(f"{W}b"))
            italic = _on(rpr.find(f"{W}i"))
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
        from commentkit.markdown_in import _merge

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
            inl = _merge(inl)
            text = plain_text(inl)
            style = self.style_of(el)
            num = ppr.find(f"{W}numPr") if ppr is not None else None
            num_id = ilvl = None
            if num is not None:
                ni = num.find(f"{W}numId")
                il = num.find(f"{W}ilvl")
                num_id = ni.get(f"{W}val") if ni is not None else None
                ilvl = min(8, max(0, _int(il.get(f"{W}val"), 0))) if il is not None else 0
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
            out.append(Paragraph(_merge(merge_next)))
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
                from commentkit.markdown_in import _merge

                cells.append(_merge([x.styled(bold=False) if isinstance(x, Run) else x for x in inl]))
            rows.append(cells)
        if not rows:
            return Table([], [])
        return Table(rows[0], rows[1:])


STRUCTURAL_STYLES = frozenset({
    "heading 1", "heading 2", "heading 3", "title", "subtitle", "question", "question intro", "draft mark",
    "closing", "signature", "letter note", "salutation", "letter date", "inside address", "re line", "letterhead",
    "letterhead address"})
"""Letter elements the templates write around answers: an answer's text never continues past one."""


def _block_plain(conv: "_Converter", el) -> str:
    if el.tag == f"{W}tbl":
        text = " | ".join(" ".join(plain_text(conv.inlines(p, {}, {})) for p in tc.iter(f"{W}p"))
                          for tc in el.iter(f"{W}tc"))
    else:
        text = plain_text(conv.inlines(el, {}, {}))
    return " ".join(text.split())


def _doc_props(pkg: _Package) -> dict[str, str]:
    root = pkg.xml("docProps/custom.xml")
    out = {}
    if root is not None:
        for prop in root.iter(f"{CP_NS}property"):
            val = "".join(prop.itertext()).strip()
            out[prop.get("name", "")] = val
    return out


def _created(pkg: _Package):
    import datetime as dt

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


FORM_KIND = "commentkit-member-form"  # memberform.FORM_KIND (not imported: keeps this module light)


def _is_member_form(pkg: _Package, props: dict[str, str]) -> bool:
    """A returned member questionnaire (commentkit template create --format docx), not a letter.

    Its identity is in the custom properties, and again in a visible line of the form (kept
    when an editor drops the properties)."""
    if props.get("commentkit.form") or "commentkit.template" in props:
        return True
    if "commentkit.project" in props or "word/document.xml" not in pkg.names:
        return False
    try:
        info = pkg.zip.getinfo("word/document.xml")
        if info.file_size > MAX_PART:
            return False
        return FORM_KIND.encode() in pkg.zip.read("word/document.xml")
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError):
        return False


def read_docx(path: Path | str, accept_changes: bool = False) -> WordLetter:
    """Read a built-and-edited letter (see module docstring)."""
    path = Path(path)
    pkg = _Package(path)
    props = _doc_props(pkg)
    if _is_member_form(pkg, props):
        raise UserError("this is a member form, not a letter; use 'commentkit collect' (association) or "
                        "'commentkit init DIR --from-form FILE.docx' (member project)", path)
    if "commentkit.docket" not in props:
        raise UserError("not a letter built by commentkit (no commentkit document properties); "
                        "import-docx reads Word files made by 'commentkit build'", path)
    doc = pkg.xml("word/document.xml")
    if doc is None:
        raise UserError("not a Word .docx file (no word/document.xml)", path)
    body = doc.find(f"{W}body")
    if body is None:
        raise UserError("damaged Word file: the document has no body", path)

    conv = _Converter(pkg, accept_changes)
    # tracked changes and comments
    changes: list[str] = []
    n_changes = 0
    for tag in CHANGE_TAGS:
        n_changes += sum(1 for _ in body.iter(f"{W}{tag}"))
    comments_xml = pkg.xml("word/comments.xml")
    n_comments = len(comments_xml.findall(f"{W}comment")) if comments_xml is not None else 0
    n_comments = max(n_comments, sum(1 for _ in body.iter(f"{W}commentReference")))

    # document-order walk over top-level blocks, noting bookmark positions (in paragraphs too)
    blocks = [el for el in body if el.tag in (f"{W}p", f"{W}tbl", f"{W}sdt")]
    flat = []
    for el in blocks:
        if el.tag == f"{W}sdt":
            content = el.find(f"{W}sdtContent")
            flat.extend(c for c in (content if content is not None else []) if c.tag in (f"{W}p", f"{W}tbl"))
        else:
            flat.append(el)
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    id_name: dict[str, str] = {}
    for i, el in enumerate(flat):
        for bm in el.iter(f"{W}bookmarkStart", f"{W}bookmarkEnd"):
            if bm.tag == f"{W}bookmarkStart":
                name = bm.get(f"{W}name", "")
                if key_of_anchor(name) is None:
                    continue
                id_name[bm.get(f"{W}id")] = name
                starts.setdefault(name, i)
            else:
                name = id_name.get(bm.get(f"{W}id"))
                if name is not None:
                    ends[name] = max(ends.get(name, i), i)
    # body-level bookmarks (between paragraphs) attach to the next / previous block
    pos = 0
    for el in body:
        if el.tag == f"{W}bookmarkStart" and key_of_anchor(el.get(f"{W}name", "")):
            name = el.get(f"{W}name")
            id_name[el.get(f"{W}id")] = name
            starts.setdefault(name, pos)
        elif el.tag == f"{W}bookmarkEnd" and el.get(f"{W}id") in id_name:
            name = id_name[el.get(f"{W}id")]
            ends[name] = max(ends.get(name, pos - 1), pos - 1)
        elif el.tag in (f"{W}p", f"{W}tbl"):
            pos += 1

    order = sorted(starts, key=lambda n: starts[n])
    anchor_starts = {starts[n] for n in order}

    def structural(i: int) -> bool:
        el = flat[i]
        if el.tag != f"{W}p":
            return False
        if any(br.get(f"{W}type") == "page" for br in el.iter(f"{W}br")):
            return True
        return conv.style_of(el) in STRUCTURAL_STYLES

    owner: dict[int, str] = {}
    last_of: dict[str, int] = {}
    for k, name in enumerate(order):
        first = starts[name]
        last = ends.get(name)
        if last is None or last < first:
            # unclosed (its end was deleted): up to the next anchor or the letter's own structure
            last = first
            while last + 1 < len(flat) and last + 1 not in anchor_starts and not structural(last + 1):
                last += 1
        for i in range(first, last + 1):
            owner.setdefault(i, name)
        last_of[name] = last
    # paragraphs typed after an answer's last paragraph (outside its bookmark) but before the
    # next heading or letter element: candidates to join that answer (plan_import decides)
    trailing: dict[str, list[int]] = {}
    for name in order:
        i = last_of[name] + 1
        while i < len(flat) and i not in owner and i not in anchor_starts and not structural(i):
            trailing.setdefault(name, []).append(i)
            i += 1

    regions: dict[str, Region] = {}
    for name in order:
        kind, key = key_of_anchor(name)
        els = [flat[i] for i in range(len(flat)) if owner.get(i) == name]
        notes: dict[str, list] = {}
        conv.issues = []
        region_blocks = conv.blocks(els, {}, notes)
        issues = sorted(set(conv.issues))
        n = sum(1 for el in els for tag in CHANGE_TAGS for _ in el.iter(f"{W}{tag}"))
        c = sum(1 for el in els for _ in el.iter(f"{W}commentReference"))
        if n:
            changes.append(f"{key} ({n})")
        if c:
            issues.append(f"{c} comment(s)")
        region = Region(key, kind, region_blocks, notes, issues)
        trail = trailing.get(name, [])
        texts = [_block_plain(conv, flat[i]) for i in trail]
        if any(texts):
            conv.issues = []
            ext_notes: dict[str, list] = {}
            region.extended = (conv.blocks(els + [flat[i] for i in trail], {}, ext_notes), ext_notes)
            region.trail_texts = [t for t in texts if t]
        regions[key] = region

    outside: list[tuple[str, str]] = []
    heading = "the beginning of the letter"
    for i, el in enumerate(flat):
        if i in owner:
            continue
        text = _block_plain(conv, el)
        if not text:
            continue
        style = conv.style_of(el) if el.tag == f"{W}p" else ""
        outside.append((text, heading))
        if style.startswith("heading"):
            heading = f"the heading \u201c{text}\u201d"
    if n_changes and not any(changes):
        changes.append(f"outside the answers ({n_changes})")
    anchors_prop = "".join(v for k, v in sorted(props.items()) if k.startswith("commentkit.anchors."))
    built = [n for n in anchors_prop.split(",") if key_of_anchor(n)]
    return WordLetter(path=path, docket=props.get("commentkit.docket", ""), built_anchors=built,
                      commenter=props.get("commentkit.project", ""), version=props.get("commentkit.version", "plain"),
                      draft=props.get("commentkit.draft") == "yes", date=_created(pkg), regions=regions,
                      outside=outside, changes=n_changes, comments=n_comments, change_places=changes)


# ---- comparing with the project ---------------------------------------------------------

def region_markdown(blocks: list[Block], footnotes: dict[str, list[Block]], version: str = "confidential") -> str:
    """Canonical Markdown for an answer's blocks: footnotes numbered in order of reference."""
    from commentkit.writers.markdown import markdown_with_footnotes

    # version "confidential" keeps [[BCI]] marks as marks
    body, notes = markdown_with_footnotes(_merge_quotes(blocks), footnotes, "confidential")
    text = body.strip() + ("\n\n" + "\n".join(notes) if notes else "") + "\n"
    return _CONTROL.sub("", text)


def _merge_quotes(blocks: list[Block]) -> list[Block]:
    """Adjacent block quotes are one quote in Word (nothing separates them there)."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Quote) and out and isinstance(out[-1], Quote):
            out[-1] = Quote(out[-1].blocks + b.blocks)
        else:
            out.append(b)
    return out


def canonical_answer(body: str, key: str) -> str:
    from commentkit.markdown_in import parse_blocks

    blocks, notes = parse_blocks(body, ns=key)
    return region_markdown(blocks, notes, "confidential")


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ROOT_URL = re.compile(r"\]\((https?://[^/\s()]+)/\)")


def _norm(text: str) -> str:
    """Comparison form: whitespace collapsed, blank lines dropped, and a site's root URL written
    the same with or without its final slash (LibreOffice adds it)."""
    text = _ROOT_URL.sub(r"](\1)", text)
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines() if line.strip())


@dataclass
class AnswerChange:
    key: str
    kind: str  # "answer" or "general"
    state: str  # "unchanged", "changed", "new", "refused"
    path: str
    new_body: str = ""
    diff: str = ""
    reason: str = ""
    status_before: str | None = None
    status_after: str | None = None
    issues: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    letter: WordLetter
    answers: list[AnswerChange]
    missing: list[str]
    outside: list[tuple[str, str]]
    warnings: list[str]

    @property
    def changed(self) -> list[AnswerChange]:
        return [a for a in self.answers if a.state in ("changed", "new")]


def _check_identity(project, letter: WordLetter, *, force_commenter: bool = False,
                    recover: bool = False) -> list[str]:
    """Refuse a Word file that is not this project's letter; returns warnings for what was overridden.

    Three checks, in order: the docket (never overridable); the commenter the build recorded
    (``--force-commenter`` overrides, e.g. the company was renamed in the project since the
    build); and whether the letter's answers belong to this project: when more than
    half of the answers it holds have no file here, it was built from another project (or this
    one lost its files), and importing would create them all (``--recover`` overrides)."""
    docket = project.pack.docket
    if letter.docket.lower() != docket.id.lower():
        raise UserError(f"this Word file was built for docket {letter.docket}, but the project is for "
                        f"{docket.id}: nothing was imported", letter.path)
    warnings = []
    if letter.commenter and letter.commenter != project.commenter_name:
        if not force_commenter:
            raise UserError(f"this Word file is the letter of {letter.commenter!r}, but this project's commenter is "
                            f"{project.commenter_name!r}: nothing was imported (check the file and the project "
                            f"folder; --force-commenter imports it anyway)", letter.path)
        warnings.append(f"the Word file was built for commenter {letter.commenter!r}; this project's "
                        f"commenter is {project.commenter_name!r} (imported because of --force-commenter)")
    held = [k for k, r in letter.regions.items() if r.kind == "answer" and any(
        plain_text(b.inlines).strip() if isinstance(b, (Paragraph, Heading)) else True for b in r.blocks)]
    absent = [k for k in held if k not in project.answers]
    if held and len(absent) * 2 > len(held):
        if not recover:
            raise UserError(f"{len(absent)} of the {len(held)} answers in this Word file have no file in this project: "
                            f"it was built from another project; nothing was imported (import it into the project "
                            f"that built it, or use --recover to create them here)", letter.path)
        warnings.append(f"{len(absent)} of the {len(held)} answers in the Word file had no file in this project; "
                        f"they come back as new answers (--recover)")
    return warnings


def plan_import(project, letter: WordLetter, *, keep_status: bool = False, force_commenter: bool = False,
                recover: bool = False) -> ImportPlan:
    """Compare the Word file's anchored text with the answers on disk (see module docstring)."""
    from commentkit.assemble import build_letter
    from commentkit.document import REDACTED
    from commentkit.markdown_in import BCI_OPEN

    warnings = _check_identity(project, letter, force_commenter=force_commenter, recover=recover)
    # The letter's own text (outside the answers) is what the build wrote: rebuilt as the file was
    # built (draft or not, from its properties), and also with drafts included, so a status changed
    # since the build does not make the build's own text (the appendix, the header) look added.
    version = letter.version if letter.version in ("public", "confidential", "plain") else "plain"
    builds = [build_letter(project, draft=letter.draft, version=version, date=letter.date)]
    if not letter.draft:
        builds.append(build_letter(project, draft=True, version=version, date=letter.date))
    expected = {a.key: a for b in builds for a in b.document.anchors()}
    outside_expected = set()
    for rebuilt in builds:
        for b in _outside_blocks(rebuilt.document.blocks):
            outside_expected.add(" ".join(_block_text(b, letter.version).split()))
    joined: set[str] = set()
    for region in letter.regions.values():
        # text typed right after an answer (outside its bookmark) belongs to it, unless the
        # template wrote that text
        if region.extended and not any(t in outside_expected for t in region.trail_texts):
            region.blocks, region.footnotes = region.extended
            joined.update(region.trail_texts)
    results: list[AnswerChange] = []
    for key, region in letter.regions.items():
        ans = project.answers.get(key)
        rel = (project.answer_path(key)).relative_to(project.root)
        new_md = region_markdown(region.blocks, region.footnotes, letter.version)
        change = AnswerChange(key, region.kind, "unchanged", str(rel), new_body=new_md,
                              status_before=ans.meta.status if ans else None, issues=list(region.issues))
        if region.kind == "answer":
            try:
                project.pack.question(key)
            except KeyError:
                change.state, change.reason = "refused", f"no question {key!r} in docket {project.file.docket}"
                results.append(change)
                continue
        if ans is not None and ans.meta.status == "skipped":
            change.state, change.reason = "refused", "the answer is now marked skipped; left unchanged"
            results.append(change)
            continue
        if REDACTED.strip("[]") in new_md:
            change.state = "refused"
            change.reason = ("contains redacted passages (public version): import the confidential version "
                             "instead; left unchanged")
            results.append(change)
            continue
        included = ans is not None and not ans.is_empty and (
            ans.meta.status == "final" or (letter.draft and ans.meta.status in ("draft", "review")))
        if region.kind == "general" and not included:
            # the Word file shows the text the template generates when the file is absent or not
            # final (e.g. the background drafted from the questionnaire)
            gen_md = _generated_md(project, key, letter)
            if _norm(gen_md) == _norm(new_md) or not new_md.strip() or (
                    ans is not None and _norm(canonical_answer(ans.body, key)) == _norm(new_md)):
                results.append(change)
                continue
            if ans is not None:
                change.state = "refused"
                change.reason = (f"the Word file shows generated text edited in Word, but {rel} exists "
                                 f"({ans.meta.status}); merge the two by hand")
                results.append(change)
                continue
            change.state = "new"
            change.status_after = "review"
            change.diff = "".join(difflib.unified_diff(
                gen_md.splitlines(True), new_md.splitlines(True), fromfile=f"{rel} (generated by the build)",
                tofile=f"{rel} (from Word)"))
            results.append(change)
            continue
        if ans is None:  # the Word file holds an answer this project has no file for (deleted since?)
            if not new_md.strip():
                results.append(change)
                continue
            change.state = "new"
            change.status_after = "review"
            change.diff = "".join(difflib.unified_diff([], new_md.splitlines(True), fromfile=f"{rel} (no file)",
                                                       tofile=f"{rel} (from Word)"))
            results.append(change)
            continue
        current = canonical_answer(ans.body, key)
        if letter.version == "plain" and BCI_OPEN in ans.body:
            stripped = canonical_answer(ans.body.replace("[[BCI]]", "").replace("[[/BCI]]", ""), key)
            if _norm(stripped) == _norm(new_md):
                results.append(change)
                continue
            change.state = "refused"
            change.reason = ("the answer marks [[BCI]] passages, which this Word file (built without "
                             "confidential marks) cannot carry; edit a confidential version "
                             "('commentkit build --version confidential') or copy the change by hand")
            results.append(change)
            continue
        if _norm(current) == _norm(new_md):
            results.append(change)
            continue
        if not new_md.strip():
            change.state = "refused"
            change.reason = "the answer is empty in the Word file; not imported (delete the file yourself if meant)"
            results.append(change)
            continue
        change.state = "changed"
        before = ans.meta.status
        change.status_after = before if keep_status or before != "final" else "review"
        old_text = ans.body.strip("\n") + "\n"
        change.diff = "".join(difflib.unified_diff(
            old_text.splitlines(True), new_md.splitlines(True), fromfile=f"{rel} (on disk)",
            tofile=f"{rel} (from Word)"))
        results.append(change)
    names = letter.built_anchors or [a.name for a in expected.values()]
    missing = [key_of_anchor(n)[1] for n in names if key_of_anchor(n)[1] not in letter.regions]
    outside = [(t, where) for t, where in letter.outside if t not in outside_expected and t not in joined]
    return ImportPlan(letter, results, missing, outside, warnings)


def _generated_md(project, key: str, letter: WordLetter) -> str:
    """The template's own text for general section ``key`` (what the build shows without the file)."""
    from commentkit.assemble import build_letter

    saved = project.answers.pop(key, None)
    try:
        doc = build_letter(project, draft=letter.draft, version=letter.version
                           if letter.version in ("public", "confidential", "plain") else "plain",
                           date=letter.date).document
    finally:
        if saved is not None:
            project.answers[key] = saved
    for a in doc.anchors():
        if a.key == key and a.kind == "general":
            return region_markdown(a.blocks, doc.footnotes)
    return ""


def _outside_blocks(blocks):
    for b in blocks:
        if isinstance(b, Anchor):
            continue
        if isinstance(b, (Quote,)):
            yield from _outside_blocks(b.blocks)
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield from _outside_blocks(item)
        else:
            yield b


def _block_text(b, version: str) -> str:
    from commentkit.document import resolve_confidential

    if isinstance(b, (Paragraph, Heading)):
        return plain_text(resolve_confidential(b.inlines, version))
    if isinstance(b, Table):
        rows = ([b.header] if b.header else []) + b.rows
        return " | ".join(plain_text(c) for r in rows for c in r)
    return ""


def apply_import(project, plan: ImportPlan) -> list[str]:
    """Write every changed answer (backups kept); returns the paths written.

    All or nothing against concurrent edits: under the project lock, every answer to be written
    is first checked against what was read, so an answer changed meanwhile (another process, an
    editor) stops the import before any answer is written.
    """
    from commentkit import storage

    written: list[str] = []
    with storage.project_lock(project.root):
        for ch in plan.changed:
            old = project.answers.get(ch.key)
            path = project.answer_path(ch.key)
            snap = (storage.Snapshot.of_bytes(path, old.raw) if old is not None and old.raw is not None
                    else storage.Snapshot(path, None))
            if snap.changed():
                raise storage.ConflictError(
                    "changed on disk since commentkit read it (another process or an editor?); nothing was "
                    "written: run the import again to compare with the current answers", path)
        staged = []
        with storage.transaction(project.root, "import-docx --apply") as tx:  # every answer, or none
            for ch in plan.changed:
                old = project.answers.get(ch.key)
                try:
                    path, text, snap, new = project.prepare_answer(ch.key, ch.new_body, status=ch.status_after,
                                                                   expect=old)
                    tx.write(path, text, snapshot=snap, keep_backup=True)
                except UserError as exc:
                    raise type(exc)(exc.message + "; nothing was written", exc.path, exc.line) from None
                staged.append((ch.key, new))
                written.append(ch.path)
        for key, new in staged:
            project.answers[key] = new
    return written


__all__ = ["read_docx", "plan_import", "apply_import", "WordLetter", "ImportPlan", "AnswerChange", "walk"]
