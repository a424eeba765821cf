"""Word → answers: read counsel's edits back from a DOCX that ``commentkit build`` made.

Entry points:

* :func:`read_docx(path, accept_changes=False)` → :class:`WordLetter`: identity (docket,
  commenter, version, draft, letter date from the document properties, or "structure" when
  they were removed), the text as built (custom XML part) and its fingerprints, every
  top-level paragraph with its anchors and Word comments; :meth:`WordLetter.resolve` places
  the paragraphs in answers (paragraph bookmark, then the letter's structure, then neighbours)
  and converts each region to the document model.
* :func:`plan_import(project, letter, take=...)` → :class:`ImportPlan`: per answer, unchanged /
  changed / new / refused / conflict, from a three-way comparison (as built, Word, disk; see
  :mod:`commentkit.roundtrip.merge`); anchors the Word file lost; text outside any answer or
  that could belong to two; changes that would delete text because anchors were lost.
* :func:`apply_import(project, plan)`: writes the changed answers, each file patched where it
  changed only (:func:`patch_answer`), with backup, change detection and the project lock.

Whose letter it is: a member form, a letter for another docket, another commenter or another
project (most of its answers have no file here) is refused before anything is compared; see
:func:`_check_identity`.

The Word file is untrusted input: it is checked as a zip package (size, part count, expansion
ratio) before anything is parsed, and every XML part is parsed with a parser that resolves no
entities, loads no DTD and refuses a DOCTYPE.

Anchors (docs/roundtrip.md has the experiment): LibreOffice splits a bookmark spanning
paragraphs on its first save and keeps only its last paragraph on the second, so each answer
paragraph has its own bookmark (:mod:`commentkit.letter.writers.anchors`); a region bookmark is
trusted only while intact, and only in letters without paragraph bookmarks (built earlier).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commentkit.build import build_letter
from commentkit.errors import UserError
from commentkit.files import clock, storage
from commentkit.letter.markdown_in import BCI_OPEN, parse_blocks
from commentkit.letter.writers import anchors
from commentkit.letter.writers.anchors import (
    fingerprint,
    hashed_names,
    norm_markdown,
    parse_base_props,
    parse_base_xml,
    region_of_bookmark,
)
from commentkit.letter.writers.markdown import region_markdown
from commentkit.models.document import (
    REDACTED,
    Anchor,
    Block,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    anchor_name,
    key_of_anchor,
    plain_text,
    walk,
)
from commentkit.ooxml.ns import W
from commentkit.ooxml.reader import CHANGE_TAGS, MAX_PART, Converter, Package, block_plain, created, doc_props
from commentkit.project import answerfile
from commentkit.roundtrip.merge import merge3, split_units

# ---- model ------------------------------------------------------------------------------

@dataclass
class Region:
    key: str
    kind: str  # "answer" or "general"
    blocks: list[Block]
    footnotes: dict[str, list[Block]]
    issues: list[str] = field(default_factory=list)  # tracked changes, images inside
    comments: list[tuple[str, str]] = field(default_factory=list)  # (author, text) of Word comments in it
    recovered: int = 0  # paragraphs placed by the letter's structure (their bookmark was lost)
    texts: list[str] = field(default_factory=list)  # its paragraphs' plain text


@dataclass
class WordLetter:
    path: Path
    docket: str
    commenter: str
    version: str
    draft: bool
    date: dt.date | None
    regions: dict[str, Region]
    outside: list[tuple[str, str]]  # (text, the heading it follows)
    changes: int = 0
    comments: int = 0
    change_places: list[str] = field(default_factory=list)
    built_anchors: list[str] = field(default_factory=list)  # bookmark names the build wrote
    base: dict[str, str] | None = None  # anchor name -> Markdown as built (custom XML part)
    base_hashes: dict[str, str] = field(default_factory=dict)  # anchor name -> fingerprint (properties)
    fingerprint: str = ""
    letter_hashes: set[str] = field(default_factory=set)  # the letter's own paragraphs as built (hashed)
    identified_by: str = "properties"  # or "structure" (the document properties were removed)
    uncertain: list[tuple[str, str]] = field(default_factory=list)  # (text, why): left alone
    uncertain_near: set[str] = field(default_factory=set)  # regions next to uncertain text
    _conv: Converter | None = field(default=None, repr=False)
    _elements: list = field(default_factory=list, repr=False)

    def resolve(self, expected: list[tuple[str, str | None]] | None) -> None:
        """Decide which region each paragraph of the Word file belongs to, then convert the regions.

        In order: its paragraph bookmark; an intact region bookmark; the letter as built
        (``expected``: (text, anchor name or None) per paragraph, in order), aligned with the Word
        paragraphs by text; for text typed in Word, its neighbours: between two paragraphs of
        one answer, or after the question block or an answer's last paragraph up to the next
        heading or letter element. A paragraph that could belong to two regions is uncertain:
        reported and left alone."""
        els = self._elements
        has_marks = any(e.mark for e in els)
        for e in els:
            e.owner, e.how = None, ""
            if e.mark:
                e.owner, e.how = e.mark, "bookmark"
            elif e.span and not has_marks:
                e.owner, e.how = e.span, "bookmark"
        if expected:
            exp = [(t, o) for t, o in expected if t]
            idx = [i for i, e in enumerate(els) if e.text]
            sm = difflib.SequenceMatcher(None, [t for t, _ in exp], [els[i].text for i in idx], autojunk=False)
            for tag, i1, i2, j1, j2 in sm.get_opcodes():
                owners = {o for _, o in exp[i1:i2]}
                for j in range(j1, j2):
                    e = els[idx[j]]
                    if e.how == "bookmark":
                        continue
                    if tag == "equal":
                        o = exp[i1 + j - j1][1]
                        e.owner, e.how = (o, "structure") if o else (None, "letter")
                    elif tag == "replace" and len(owners) == 1 and None not in owners and not e.structural:
                        e.owner, e.how = next(iter(owners)), "inferred"  # an edited paragraph of that answer
        # the rest (text typed in Word): by its neighbours
        self.uncertain = []
        self.uncertain_near = set()
        for i, e in enumerate(els):
            if e.how or not e.text or e.structural:
                continue
            prev = next((els[k] for k in range(i - 1, -1, -1) if els[k].how or els[k].structural), None)
            nxt = next((els[k] for k in range(i + 1, len(els)) if els[k].how or els[k].structural), None)
            p_owner = prev.owner if prev is not None and not prev.structural else None
            n_owner = nxt.owner if nxt is not None and not nxt.structural else None
            if p_owner and (p_owner == n_owner or nxt is None or nxt.structural):
                e.owner, e.how = p_owner, "inferred"  # inside an answer, or after its last paragraph
            elif n_owner and prev is not None and prev.structural:
                e.owner, e.how = n_owner, "inferred"  # after the question block, before the answer
            elif p_owner or n_owner:
                names = [_key(o) for o in (p_owner, n_owner) if o]
                e.how = "uncertain"
                self.uncertain_near.update(o for o in (p_owner, n_owner) if o)
                why = (f"it could belong to {names[0]} or to {names[1]}" if len(names) == 2 else
                       f"it could belong to {names[0]} or to the letter's own text")
                self.uncertain.append((e.text, why))
            else:
                e.how = "letter"
        self._convert()

    def _convert(self) -> None:
        conv = self._conv
        assert conv is not None
        els = self._elements
        order: list[str] = []
        for e in els:
            if e.owner and e.owner not in order:
                order.append(e.owner)
        self.regions = {}
        for name in order:
            kind, key = key_of_anchor(name) or ("answer", name)
            mine = [e for e in els if e.owner == name]
            notes: dict[str, list] = {}
            conv.issues = []
            region_blocks = conv.blocks([e.el for e in mine], {}, notes)
            issues = sorted(set(conv.issues))
            n = sum(1 for e in mine for tag in CHANGE_TAGS for _ in e.el.iter(f"{W}{tag}"))
            if n and f"{key} ({n})" not in self.change_places:
                self.change_places.append(f"{key} ({n})")
            comments = [c for e in mine for c in e.comments]
            if comments:
                issues.append(f"{len(comments)} comment(s)")
            self.regions[key] = Region(key, kind, region_blocks, notes, issues, comments,
                                       recovered=sum(1 for e in mine if e.how == "structure"),
                                       texts=[e.text for e in mine if e.text])
        self.outside = []
        heading = "the beginning of the letter"
        for e in els:
            if e.owner is None and e.text and e.how != "uncertain":
                self.outside.append((e.text, heading))
            if e.style.startswith("heading") and e.text:
                heading = f"the heading \u201c{e.text}\u201d"


STRUCTURAL_STYLES = frozenset({
    "heading 1", "heading 2", "heading 3", "title", "subtitle", "question", "question intro", "draft mark",
    "closing", "signature", "letter note", "salutation", "letter date", "inside address", "re line", "letterhead",
    "letterhead address", "summary label", "summary of request", "generated mark", "attention line"})
"""Letter elements the templates write around answers: an answer's text never continues past one."""


FORM_KIND = "commentkit-member-form"  # memberform.FORM_KIND (not imported: keeps this module light)


def _is_member_form(pkg: Package, props: dict[str, str]) -> bool:
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
    pkg = Package(path)
    props = doc_props(pkg)
    if _is_member_form(pkg, props):
        raise UserError("this is a member form, not a letter; use 'commentkit collect' (association) or "
                        "'commentkit init DIR --from-form FILE.docx' (member project)", path)
    if "commentkit.docket" not in props and "word/document.xml" not in pkg.names:
        raise UserError("not a letter built by commentkit (no commentkit document properties); "
                        "import-docx reads Word files made by 'commentkit build'", path)
    doc = pkg.xml("word/document.xml")
    if doc is None:
        raise UserError("not a Word .docx file (no word/document.xml)", path)
    body = doc.find(f"{W}body")
    if body is None:
        raise UserError("damaged Word file: the document has no body", path)

    conv = Converter(pkg, accept_changes)
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
    flat: list = []
    for el in blocks:
        if el.tag == f"{W}sdt":
            content = el.find(f"{W}sdtContent")
            flat.extend(c for c in (content if content is not None else []) if c.tag in (f"{W}p", f"{W}tbl"))
        else:
            flat.append(el)
    comments = _comments(pkg)
    base_xml = _base_xml(pkg)
    letter = WordLetter(path=path, docket=props.get("commentkit.docket", ""),
                        commenter=props.get("commentkit.project", ""),
                        version=props.get("commentkit.version", "plain"),
                        draft=props.get("commentkit.draft") == "yes", date=created(pkg), regions={},
                        outside=[], changes=n_changes, comments=n_comments, change_places=changes)
    anchors_prop = "".join(v for k, v in sorted(props.items()) if k.startswith("commentkit.anchors."))
    letter.built_anchors = [n for n in anchors_prop.split(",") if key_of_anchor(n)]
    letter.base, letter.letter_hashes = base_xml if base_xml is not None else (None, set())
    letter.base_hashes = parse_base_props(props)
    letter.fingerprint = props.get("commentkit.fingerprint", "")
    letter.identified_by = "properties" if "commentkit.docket" in props else "structure"
    letter._conv = conv
    letter._elements = _elements(conv, flat, set(letter.built_anchors) | set(letter.base or {}), comments)
    letter.resolve(None)
    if n_changes and not any(letter.change_places):
        letter.change_places.append(f"outside the answers ({n_changes})")
    return letter


def _key(anchor: str) -> str:
    """The answer id or section name of an anchor name."""
    kind_key = key_of_anchor(anchor)
    return kind_key[1] if kind_key else anchor


def _comments(pkg: Package) -> dict[str, tuple[str, str]]:
    """Word comment id -> (author, text)."""
    root = pkg.xml("word/comments.xml")
    out: dict[str, tuple[str, str]] = {}
    if root is not None:
        for c in root.iter(f"{W}comment"):
            text = " ".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in c.iter(f"{W}p"))
            out[c.get(f"{W}id", "")] = (c.get(f"{W}author", "") or "unknown", " ".join(text.split()))
    return out


def _base_xml(pkg: Package) -> tuple[dict[str, str], set[str]] | None:
    """The regions' text as built, from commentkit's custom XML part (any customXml/item*.xml:
    LibreOffice renumbers them)."""
    for name in sorted(pkg.names):
        if name.startswith("customXml/item") and name.endswith(".xml") and "Props" not in name:
            try:
                found = parse_base_xml(pkg.xml(name))
            except UserError:
                continue
            if found is not None:
                return found
    return None


@dataclass
class _El:
    """One top-level paragraph or table of the Word body."""

    el: object
    text: str  # plain text, whitespace collapsed
    style: str
    structural: bool
    mark: str | None  # region of its paragraph bookmark (anchor name)
    span: str | None  # region of an intact region bookmark around it (old letters, Word)
    comments: list[tuple[str, str]]
    owner: str | None = None
    how: str = ""  # "bookmark", "structure", "inferred", "uncertain", "letter"


def _elements(conv: "Converter", flat: list, known: set[str], comments: dict) -> list[_El]:
    hashed = hashed_names(known)
    out: list[_El] = []
    id_name: dict[str, str] = {}
    starts: dict[str, list[int]] = {}
    ends: dict[str, list[int]] = {}
    for i, el in enumerate(flat):
        mark = None
        seen_comments: list[tuple[str, str]] = []
        for node in el.iter(f"{W}bookmarkStart", f"{W}bookmarkEnd", f"{W}commentRangeStart",
                            f"{W}commentReference"):
            if node.tag == f"{W}bookmarkStart":
                name = node.get(f"{W}name", "")
                region = region_of_bookmark(name, hashed)
                if region is not None:
                    mark = mark or region
                elif key_of_anchor(name):
                    id_name[node.get(f"{W}id")] = name
                    starts.setdefault(name, []).append(i)
            elif node.tag == f"{W}bookmarkEnd":
                name = id_name.get(node.get(f"{W}id"))
                if name is not None:
                    ends.setdefault(name, []).append(i)
            else:
                c = comments.get(node.get(f"{W}id", ""))
                if c is not None and c not in seen_comments:
                    seen_comments.append(c)
        style = conv.style_of(el) if el.tag == f"{W}p" else ""
        structural = el.tag == f"{W}p" and (style in STRUCTURAL_STYLES or any(
            br.get(f"{W}type") == "page" for br in el.iter(f"{W}br")))
        out.append(_El(el, block_plain(conv, el), style, structural, mark, None, seen_comments))
    # a region bookmark counts only when intact: one start, its end at or after it (Word keeps
    # them so; LibreOffice splits them, see docs/roundtrip.md)
    for name, st in starts.items():
        en = ends.get(name, [])
        if len(st) == 1 and len(en) == 1 and en[0] >= st[0]:
            for i in range(st[0], en[0] + 1):
                if out[i].span is None:
                    out[i].span = name
    return out


# ---- comparing with the project ---------------------------------------------------------

def canonical_answer(body: str, key: str) -> str:
    blocks, notes = parse_blocks(body, ns=key)
    return region_markdown(blocks, notes, "confidential")


_norm = norm_markdown


@dataclass
class AnswerChange:
    key: str
    kind: str  # "answer" or "general"
    state: str  # "unchanged", "changed", "new", "refused", "conflict"
    path: str
    new_body: str = ""
    diff: str = ""
    reason: str = ""
    status_before: str | None = None
    status_after: str | None = None
    issues: list[str] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)  # (author, text) of Word comments in it
    notes: list[str] = field(default_factory=list)  # what the three-way comparison decided, in words
    lost_anchor: list[str] = field(default_factory=list)  # text it would delete that sits elsewhere in Word
    conflicts: int = 0


@dataclass
class ImportPlan:
    letter: WordLetter
    answers: list[AnswerChange]
    missing: list[str]
    outside: list[tuple[str, str]]
    warnings: list[str]
    uncertain: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> list[AnswerChange]:
        return [a for a in self.answers if a.state in ("changed", "new")]

    @property
    def conflicts(self) -> list[AnswerChange]:
        return [a for a in self.answers if a.state == "conflict"]

    @property
    def unsafe(self) -> list[AnswerChange]:
        """Changes that would delete text because the Word file lost that text's anchors."""
        return [a for a in self.changed if a.lost_anchor]


def _check_identity(project, letter: WordLetter, *, force_commenter: bool = False,
                    recover: bool = False) -> list[str]:
    """Refuse a Word file that is not this project's letter; returns warnings for what was overridden.

    Three checks, in order: the docket (never overridable); the commenter the build recorded
    (``--force-commenter`` overrides, e.g. the company was renamed in the project since the
    build); and whether the letter's answers belong to this project: when more than
    half of the answers it holds have no file here, it was built from another project (or this
    one lost its files), and importing would create them all (``--recover`` overrides).
    A letter whose document properties were removed is identified by its structure instead
    (see :func:`_identify_by_structure`)."""
    docket = project.pack.docket
    warnings = []
    if letter.identified_by == "properties":
        if letter.docket.lower() != docket.id.lower():
            raise UserError(f"this Word file was built for docket {letter.docket}, but the project is for "
                            f"{docket.id}: nothing was imported", letter.path)
        if letter.commenter and letter.commenter != project.commenter_name:
            if not force_commenter:
                raise UserError(f"this Word file is the letter of {letter.commenter!r}, but this project's commenter "
                                f"is {project.commenter_name!r}: nothing was imported (check the file and the project "
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


def _expected(doc, base: dict[str, str] | None, version: Any) -> list[tuple[str, str | None]]:
    """The letter as built, paragraph by paragraph: (plain text, anchor name or None). An answer's
    paragraphs come from the base stored in the Word file when it has one (the text as built),
    else from the answer on disk."""
    return anchors.paragraph_texts(doc.blocks, version, base)


def _identify_by_structure(project, letter: WordLetter) -> tuple[list, list]:
    """A letter whose commentkit document properties were removed (another editor, an export):
    it is this project's letter when most of the text the template writes around the answers
    (headings, question blocks, introduction) is found in it, in order. Returns the builds to
    compare with; refuses (exit 2) otherwise."""
    best = None
    builds = []
    for draft in (False, True):
        built = build_letter(project, draft=draft, version="plain", date=letter.date)
        builds.append(built)
        expected = _expected(built.document, letter.base, "plain")
        letter_texts = [t for t, o in expected if t and o is None]
        words = {e.text for e in letter._elements if e.text}
        found = sum(1 for t in letter_texts if t in words)
        if best is None or found > best[0]:
            best = (found, len(letter_texts), draft, built, expected)
    assert best is not None
    found, total, draft, built, expected = best
    if not total or found * 10 < total * 6:
        raise UserError(f"not a letter built by commentkit for this project: it has no commentkit document properties "
                        f"and only {found} of the {total} paragraphs the letter's template writes are in it; "
                        f"nothing was imported", letter.path)
    letter.draft, letter.version = draft, "plain"
    letter.docket, letter.commenter = project.pack.docket.id, project.commenter_name
    return [built] + [b for b in builds if b is not built], expected


def _unit_key(unit: str, key: str) -> str:
    """What a Markdown unit means, for comparison (``*x*`` and ``_x_`` alike)."""
    try:
        canon = _norm(canonical_answer(unit, key))
    except UserError:
        canon = ""
    return canon or _norm(unit)


def _unit_texts(unit: str, key: str) -> list[str]:
    try:
        blocks = parse_blocks(unit, ns=key)[0]
    except UserError:
        return []
    return [t for t, _ in anchors.paragraph_texts(blocks, "plain") if t]


def plan_import(project, letter: WordLetter, *, keep_status: bool = False, force_commenter: bool = False,
                recover: bool = False, take: dict[str, str] | None = None) -> ImportPlan:
    """Compare the Word file's text with the answers on disk and with the text as built (three-way).

    ``take`` resolves conflicts: answer key (or ``"*"`` for all) -> ``"word"`` or ``"disk"``."""
    take = take or {}
    # The letter's own text (outside the answers) is what the build wrote: rebuilt as the file was
    # built (draft or not, from its properties), and also with drafts included, so a status changed
    # since the build does not make the build's own text (the appendix, the header) look added.
    if letter.identified_by == "structure":
        builds, expected = _identify_by_structure(project, letter)
    else:
        version = letter.version if letter.version in ("public", "confidential", "plain") else "plain"
        builds = [build_letter(project, draft=letter.draft, version=version, date=letter.date)]
        if not letter.draft:
            builds.append(build_letter(project, draft=True, version=version, date=letter.date))
        # the paragraphs to look for: the rebuild holding the answers this file was built with (an
        # answer final then may be back in review now, and only the draft rebuild shows it)
        known = set(letter.built_anchors) | set(letter.base or {})
        best = max(builds, key=lambda b: len({a.name for a in b.document.anchors()} & known)
                   - len({a.name for a in b.document.anchors()} - known))
        expected = _expected(best.document, letter.base, version)
    letter.resolve(expected)
    warnings = _check_identity(project, letter, force_commenter=force_commenter, recover=recover)
    if letter.identified_by == "structure":
        warnings.append("this Word file has no commentkit document properties (removed by another editor or an "
                        "export): identified by the letter's structure, answers placed by their text and order")
    expected_anchors = {a.name: a for b in builds for a in b.document.anchors()}
    outside_expected = set()
    for rebuilt in builds:
        for b in _outside_blocks(rebuilt.document.blocks):
            outside_expected.add(" ".join(_block_text(b, letter.version).split()))
    results: list[AnswerChange] = []
    for key, region in letter.regions.items():
        ans = project.answers.get(key)
        rel = (project.answer_path(key)).relative_to(project.root)
        new_md = region_markdown(region.blocks, region.footnotes, "confidential")
        change = AnswerChange(key, region.kind, "unchanged", str(rel), new_body=new_md,
                              status_before=ans.meta.status if ans else None, issues=list(region.issues),
                              comments=list(region.comments))
        if region.recovered:
            change.notes.append(f"{region.recovered} paragraph(s) placed by the letter's structure "
                                f"(their anchors were lost in an earlier save)")
        results.append(change)
        if region.kind == "answer":
            try:
                project.pack.question(key)
            except KeyError:
                change.state, change.reason = "refused", f"no question {key!r} in docket {project.file.docket}"
                continue
        if ans is not None and ans.meta.status == "skipped":
            change.state, change.reason = "refused", "the answer is now marked skipped; left unchanged"
            continue
        if REDACTED.strip("[]") in new_md:
            change.state = "refused"
            change.reason = ("contains redacted passages (public version): import the confidential version "
                             "instead; left unchanged")
            continue
        included = ans is not None and not ans.is_empty and (
            ans.meta.status == "final" or (letter.draft and ans.meta.status in ("draft", "review")))
        if region.kind == "general" and not included:
            # the Word file shows the text the template generates when the file is absent or not
            # final (e.g. the background drafted from the questionnaire)
            gen_md = _generated_md(project, key, letter)
            if _norm(gen_md) == _norm(new_md) or not new_md.strip() or (
                    ans is not None and _norm(canonical_answer(ans.body, key)) == _norm(new_md)):
                continue
            if ans is not None:
                change.state = "refused"
                change.reason = (f"the Word file shows generated text edited in Word, but {rel} exists "
                                 f"({ans.meta.status}); merge the two by hand")
                continue
            change.state = "new"
            change.status_after = "review"
            change.diff = "".join(difflib.unified_diff(
                gen_md.splitlines(True), new_md.splitlines(True), fromfile=f"{rel} (generated by the build)",
                tofile=f"{rel} (from Word)"))
            continue
        if ans is None:  # the Word file holds an answer this project has no file for (deleted since?)
            if not new_md.strip():
                continue
            change.state = "new"
            change.status_after = "review"
            change.diff = "".join(difflib.unified_diff([], new_md.splitlines(True), fromfile=f"{rel} (no file)",
                                                       tofile=f"{rel} (from Word)"))
            continue
        current = canonical_answer(ans.body, key)
        if letter.version == "plain" and BCI_OPEN in ans.body:
            stripped = canonical_answer(ans.body.replace("[[BCI]]", "").replace("[[/BCI]]", ""), key)
            if _norm(stripped) == _norm(new_md):
                continue
            change.state = "refused"
            change.reason = ("the answer marks [[BCI]] passages, which this Word file (built without "
                             "confidential marks) cannot carry; edit a confidential version "
                             "('commentkit build --version confidential') or copy the change by hand")
            continue
        if _norm(current) == _norm(new_md):
            continue
        if not new_md.strip():
            change.state = "refused"
            change.reason = "the answer is empty in the Word file; not imported (delete the file yourself if meant)"
            continue
        _three_way(change, letter, region, ans, current, new_md, take.get(key) or take.get("*"), rel)
        if change.state == "changed":
            before = ans.meta.status
            change.status_after = before if keep_status or before != "final" else "review"
    names = letter.built_anchors or list(letter.base or {}) or list(expected_anchors)
    missing = [_key(n) for n in names if key_of_anchor(n) and _key(n) not in letter.regions]
    outside = [(t, where) for t, where in letter.outside
               if t not in outside_expected and anchors.short_hash(t, 10) not in letter.letter_hashes]
    return ImportPlan(letter, results, missing, outside, warnings, list(letter.uncertain))


_FOOTNOTE = "[^"


def _three_way(change: AnswerChange, letter: WordLetter, region: Region, ans, current: str, new_md: str,
               take: str | None, rel) -> None:
    """Decide one answer that differs between Word and disk, from the text as built (the base)."""
    name = anchor_name(region.kind, region.key)
    ours = split_units(ans.body)
    theirs = split_units(new_md).units
    base_md = (letter.base or {}).get(name)
    base_hash = letter.base_hashes.get(name)
    if base_md is None and base_hash:
        if fingerprint(current) == base_hash:
            base_md = current  # the file on disk is as built: only Word changed it
        elif fingerprint(new_md) == base_hash:
            change.notes.append("changed on disk since the build, not in Word: the file on disk is kept")
            return
    if base_md is None:
        change.state = "conflict"
        change.conflicts = 1
        why = ("this Word file carries no record of the text as built (its commentkit parts were removed), so "
               "commentkit cannot tell whether Word or the file on disk is newer") if not base_hash else (
            "both the Word file and the file on disk changed since the build, and the Word file no longer holds "
            "the text as built")
        change.reason = f"{why}: choose with --take word or --take disk (or --take {change.key}=word)"
        if take in ("word", "disk"):
            change.state = "changed" if take == "word" else "unchanged"
            change.conflicts = 0
            change.notes.append(f"taken from {'Word' if take == 'word' else 'disk'} (--take)")
            if take == "word":
                change.new_body = new_md if _FOOTNOTE in ans.body + new_md else _keep_unchanged_units(
                    ours, split_units(new_md).units, region.key)
                _finish(change, ans, rel, letter, region)
            return
        _conflict_diff(change, ans, new_md, rel)
        return
    if _FOOTNOTE in ans.body + new_md + base_md:
        # footnote labels are numbered by order of reference in Word's text and free on disk: the
        # answer is decided whole, so no paragraph refers to another side's footnote
        if _norm(new_md) == _norm(base_md):
            change.notes.append("changed on disk since the build, not in Word: the file on disk is kept")
            return
        if _norm(current) == _norm(base_md) or take == "word":
            change.new_body = new_md
            change.notes.append("an answer with footnotes is taken from Word whole (in commentkit's Markdown form)")
            _finish(change, ans, rel, letter, region)
            return
        if take == "disk":
            return
        change.state, change.conflicts = "conflict", 1
        change.reason = (f"changed both in Word and on disk since the build (an answer with footnotes is compared "
                         f"whole): choose with --take {change.key}=word or --take {change.key}=disk")
        _conflict_diff(change, ans, new_md, rel)
        return
    base_units = split_units(base_md).units
    m = merge3(base_units, ours, theirs, lambda u: _unit_key(u, region.key), take)
    if m.conflicts and m.text is None:
        change.state = "conflict"
        change.conflicts = len(m.conflicts)
        change.reason = (f"{len(m.conflicts)} passage(s) changed both in Word and on disk since the build: "
                         f"choose with --take {change.key}=word or --take {change.key}=disk")
        _conflict_diff(change, ans, new_md, rel, m.conflicts)
        return
    if m.conflicts:
        change.notes.append(f"{len(m.conflicts)} conflicting passage(s) taken from "
                            f"{'Word' if take == 'word' else 'disk'} (--take)")
    if m.kept:
        change.notes.append(f"{m.kept} passage(s) changed on disk since the build are kept")
    if m.text is None or m.text.strip("\n") == ans.body.strip("\n"):
        if m.kept and not m.from_word:
            change.notes.append("the Word file is older than the file on disk for this answer; nothing to import")
        return
    change.new_body = m.text
    _finish(change, ans, rel, letter, region)


def _keep_unchanged_units(ours, theirs_units: list[str], key: str) -> str:
    """The Word text, keeping the disk's exact bytes for every unit that means the same."""
    return merge3(list(ours.units), ours, theirs_units, lambda u: _unit_key(u, key), "word").text or ""


def _finish(change: AnswerChange, ans, rel, letter: WordLetter, region: Region) -> None:
    change.state = "changed"
    old_text = ans.body.strip("\n") + "\n"
    change.diff = "".join(difflib.unified_diff(
        old_text.splitlines(True), change.new_body.splitlines(True), fromfile=f"{rel} (on disk)",
        tofile=f"{rel} (after import)"))
    # text this change deletes that is still in the Word file, outside this answer: its anchors were lost
    # and, in an answer whose anchors were lost, any deletion: it may be text commentkit could not place
    old_units = split_units(ans.body).units
    old_keys = [_unit_key(u, region.key) for u in old_units]
    new_keys = [_unit_key(u, region.key) for u in split_units(change.new_body).units]
    mine = set(region.texts)
    elsewhere = {e.text for e in letter._elements if e.text and e.text not in mine}
    damaged = region.recovered > 0 or anchor_name(region.kind, region.key) in letter.uncertain_near
    sm = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal" or tag == "insert":
            continue
        for n in range(i1, i2):
            texts = _unit_texts(old_units[n], region.key)
            found = [t for t in texts if t in elsewhere]
            if found:
                change.lost_anchor.extend(found)
            elif damaged and texts and n - i1 >= j2 - j1:  # removed, not replaced by an edited paragraph
                change.lost_anchor.append(texts[0])


def _conflict_diff(change: AnswerChange, ans, new_md: str, rel, conflicts=None) -> None:
    if conflicts:
        parts = []
        for c in conflicts:
            ours = ("\n\n".join(c.ours) + "\n").splitlines(True) if c.ours else []
            theirs = ("\n\n".join(c.theirs) + "\n").splitlines(True) if c.theirs else []
            parts.append("".join(difflib.unified_diff(ours, theirs, fromfile=f"{rel} (on disk)",
                                                      tofile=f"{rel} (in Word)")))
        change.diff = "".join(parts)
    else:
        change.diff = "".join(difflib.unified_diff(
            (ans.body.strip("\n") + "\n").splitlines(True), new_md.splitlines(True), fromfile=f"{rel} (on disk)",
            tofile=f"{rel} (in Word)"))


def _generated_md(project, key: str, letter: WordLetter) -> str:
    """The template's own text for general section ``key`` (what the build shows without the file)."""
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


def _block_text(b, version: Any) -> str:
    return anchors.block_text(b, version)


def apply_import(project, plan: ImportPlan) -> list[str]:
    """Write every changed answer (backups kept); returns the paths written.

    All or nothing against concurrent edits: under the project lock, every answer to be written
    is first checked against what was read, so an answer changed meanwhile (another process, an
    editor) stops the import before any answer is written. An existing answer file keeps its
    bytes except where the import changes it: the changed paragraphs, and in the front matter the
    ``status`` and ``updated`` lines and a new ``reached`` entry (see :func:`patch_answer`).
    """
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
                    text = patch_answer(old, ch.new_body, ch.status_after, clock.now()) if old is not None else None
                    if text is None:
                        path, text, snap, new = project.prepare_answer(ch.key, ch.new_body, status=ch.status_after,
                                                                       expect=old)
                    else:
                        path = project.answer_path(ch.key)
                        snap = storage.Snapshot.of_bytes(path, old.raw)
                        meta, body = answerfile.parse(text, path)
                        new = answerfile.Answer(meta=meta, body=body, path=path, raw=text.encode("utf-8"))
                    tx.write(path, text, snapshot=snap, keep_backup=True)
                except UserError as exc:
                    raise type(exc)(exc.message + "; nothing was written", exc.path, exc.line) from None
                staged.append((ch.key, new))
                written.append(ch.path)
        for key, new in staged:
            project.answers[key] = new
    return written


_FIELD = r"(?m)^{name}:[ \t]*(['\"]?)([^\n]*?)\1[ \t]*$"


def patch_answer(old, body: str, status: str | None, now) -> str | None:
    """The answer file's new text with the least change: its bytes up to the body, except the
    ``status`` line (when the status changes), the ``updated`` line (same quoting) and, when
    the answer keeps a ``reached`` history, an entry for a status it reaches for the first time
    (history is never removed); an ``approved`` record goes, since the approved text changed.
    None when the file cannot be patched this way (no front matter, the answer stays final and
    needs a new approval record, or the result would not read back the same): the caller writes
    it in full with ``Project.save_answer``."""
    if old is None or old.raw is None:
        return None
    try:
        raw = old.raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if raw.startswith("\ufeff") or not raw.startswith("---\n"):
        return None
    close = re.search(r"(?m)^---[ \t]*\r?$\n?", raw[4:])
    if close is None:
        return None
    header = raw[4:4 + close.start()]
    rest = raw[4 + close.end():]
    fence = raw[4 + close.start():4 + close.end()]
    when = now.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()
    status = status or old.meta.status
    if status == "final":
        return None  # a new approval record: Project.save_answer writes it
    on_file = re.search(_FIELD.format(name="status"), header)
    if on_file is None or on_file.group(2) != status:
        header, n = re.subn(_FIELD.format(name="status"), lambda m: f"status: {m.group(1)}{status}{m.group(1)}",
                            header, count=1)
        if n != 1:
            return None
    header, n = re.subn(_FIELD.format(name="updated"), lambda m: f"updated: {m.group(1)}{when}{m.group(1)}",
                        header, count=1)
    if n != 1:
        header = header + ("" if header.endswith("\n") or not header else "\n") + f"updated: {when}\n"
    reached = old.meta.reached or {}
    if reached and status not in reached and status in ("draft", "review", "final"):
        m = re.search(r"(?m)^reached:[ \t]*\n((?:[ \t]+[^\n]*\n?)*)", header)
        if m is None:
            return None
        lead_ws = re.match(r"[ \t]+", m.group(1))
        indent = lead_ws.group(0) if lead_ws else "  "
        block = m.group(1) if m.group(1).endswith("\n") or not m.group(1) else m.group(1) + "\n"
        header = header[:m.start(1)] + block + f"{indent}{status}: {when}\n" + header[m.end(1):]
    header = re.sub(r"(?m)^approved:[ \t]*\n(?:[ \t]+[^\n]*\n?)*", "", header)
    lead = rest[:len(rest) - len(rest.lstrip("\n"))]
    new_body = body.strip("\n")
    text = "---\n" + header + fence + lead + (new_body + "\n" if new_body else "")
    try:
        meta, parsed = answerfile.parse(text, old.path)
    except UserError:
        return None
    if meta.status != status or meta.approved is not None or parsed.strip("\n") != new_body:
        return None
    return text


__all__ = ["read_docx", "plan_import", "apply_import", "WordLetter", "ImportPlan", "AnswerChange", "walk"]
