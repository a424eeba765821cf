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

import datetime as dt
import difflib
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from pathlib import Path

from commentkit.build import build_letter
from commentkit.errors import UserError
from commentkit.files import storage
from commentkit.letter.markdown_in import BCI_OPEN, parse_blocks
from commentkit.letter.writers.markdown import region_markdown
from commentkit.models.document import (
    REDACTED,
    Anchor,
    Block,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Table,
    key_of_anchor,
    plain_text,
    resolve_confidential,
    walk,
)
from commentkit.ooxml.ns import W
from commentkit.ooxml.reader import CHANGE_TAGS, MAX_PART, Converter, Package, block_plain, created, doc_props

HEADING_SHIFT = 3  # build puts answers' own headings three levels below the question heading


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
    date: dt.date | None
    regions: dict[str, Region]
    outside: list[tuple[str, str]]  # (text, the heading it follows)
    changes: int = 0
    comments: int = 0
    change_places: list[str] = field(default_factory=list)
    built_anchors: list[str] = field(default_factory=list)  # bookmark names the build wrote


STRUCTURAL_STYLES = frozenset({
    "heading 1", "heading 2", "heading 3", "title", "subtitle", "question", "question intro", "draft mark",
    "closing", "signature", "letter note", "salutation", "letter date", "inside address", "re line", "letterhead",
    "letterhead address"})
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
    if "commentkit.docket" not in props:
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
    for name in order:
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
        kind, key = key_of_anchor(name) or ("", name)
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
        texts = [block_plain(conv, flat[i]) for i in trail]
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
        text = block_plain(conv, el)
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
                      draft=props.get("commentkit.draft") == "yes", date=created(pkg), regions=regions,
                      outside=outside, changes=n_changes, comments=n_comments, change_places=changes)


# ---- comparing with the project ---------------------------------------------------------

def canonical_answer(body: str, key: str) -> str:
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
    keys = [k[1] for k in map(key_of_anchor, names) if k is not None]
    missing = [k for k in keys if k not in letter.regions]
    outside = [(t, where) for t, where in letter.outside if t not in outside_expected and t not in joined]
    return ImportPlan(letter, results, missing, outside, warnings)


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
        for ch in plan.changed:
            old = project.answers.get(ch.key)
            try:
                project.save_answer(ch.key, ch.new_body, status=ch.status_after, expect=old)
            except UserError as exc:
                done = f"; already written: {', '.join(written)}" if written else "; nothing was written"
                raise type(exc)(exc.message + done, exc.path, exc.line) from None
            written.append(ch.path)
    return written


__all__ = ["read_docx", "plan_import", "apply_import", "WordLetter", "ImportPlan", "AnswerChange", "walk"]
