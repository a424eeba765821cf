"""Assembling the comment letter from a project: templates + answers → document model.

Entry points (for ``commentkit build``, ``check`` and ``package``):

* :func:`build_letter(project, draft=False, version="plain", date=None)` → :class:`Letter`
  with ``.document`` (the letter), ``.comment_box`` (the document for the regulations.gov
  comment box), ``.warnings`` (strings for the user) and ``.included`` / ``.omitted``
  (question ids).
* :func:`build_document(project, draft=False, version="plain")` → just the letter
  :class:`~commentkit.models.document.Document`.
* :func:`reference_docx_for(project, explicit=None)` → the reference Word file to use.
* :func:`default_versions(project)` → which versions a build should write:
  ``["public", "confidential"]`` when the docket takes confidential material and answers
  mark some, else ``["plain"]`` (a "public version" banner over a letter with nothing redacted
  would mislead).

Writers (``commentkit.letter.writers``): ``write_docx(doc, path, reference_docx=None)``,
``write_markdown(doc, path)``, ``write_text(doc, path)``; ``render_text(doc)`` returns the
plain text (used for the 5,000-character comment box check).

Pipeline: the sandboxed template ``letter.md.j2`` (see :mod:`commentkit.letter.templating`) renders
Markdown with ``::: kind`` directives; :mod:`commentkit.letter.markdown_in` parses it; each
``::: answer ID`` / ``::: general NAME`` placeholder is replaced by that answer's own parsed
Markdown, wrapped in an :class:`~commentkit.models.document.Anchor` (a Word bookmark, so
``commentkit import-docx`` can map edits back). Answer text never passes through Jinja.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from commentkit import __version__
from commentkit.errors import UserError
from commentkit.files import clock
from commentkit.letter.markdown_in import BCI_OPEN, Directive, parse_blocks
from commentkit.letter.templating import TemplateSet, template_dirs
from commentkit.models.document import (
    CONFIDENTIAL_HEADER,
    PUBLIC_HEADER,
    REDACTED,
    VERSIONS,
    Anchor,
    Document,
    Heading,
    ListBlock,
    PageBreak,
    Paragraph,
    Quote,
    anchor_name,
    has_confidential,
)
from commentkit.models.project import GENERAL_SECTIONS
from commentkit.questionnaire.background import background_markdown

LETTER_TEMPLATE = "letter.md.j2"
COMMENT_BOX_TEMPLATE = "comment-box.md.j2"
COMMENT_BOX_LIMIT = 5000

_DOC_LABEL = {"ANPRM": "ANPRM", "NPRM": "proposed rule", "SNPRM": "proposed rule",
              "interim final rule": "interim final rule", "request for information": "request for information",
              "final rule": "final rule", "notice": "notice", "other": "notice"}
_QUESTION_WORDS = ("whether", "how", "what", "which", "why", "when", "where", "who", "if", "to what",
                   "should", "are", "is", "do", "does", "can")


@dataclass
class Variant:
    """Which templates make the letter, and extra template context. The build
    (:func:`commentkit.build.variant_for`) chooses it: the ordinary letter, or a trade
    association member's sign-on letter (``member`` in the context)."""

    letter_template: str = LETTER_TEMPLATE
    comment_box_template: str = COMMENT_BOX_TEMPLATE
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class Letter:
    document: Document
    comment_box: Document
    warnings: list[str] = field(default_factory=list)
    included: list[str] = field(default_factory=list)
    omitted: list[str] = field(default_factory=list)


def build_document(project, draft: bool = False, version: str = "plain", date: dt.date | None = None,
                   variant: Variant | None = None) -> Document:
    """The letter as a document model (see module docstring)."""
    return build_letter(project, draft=draft, version=version, date=date, variant=variant).document


def reference_docx_for(project, explicit=None):
    """The reference Word file for a build: ``explicit`` (a --reference-docx option), else the
    project file's ``build.reference_docx`` (relative to the project), else a ``reference.docx``
    in the project's template folder, else None (commentkit's own). Missing files are errors."""
    if explicit:
        path = Path(explicit)
    elif project.file.build.reference_docx:
        path = Path(project.file.build.reference_docx)
        if not path.is_absolute():
            path = project.root / path
    else:
        own = project.root / (project.file.build.templates or "templates") / "reference.docx"
        return own if project.file.build.templates and own.is_file() else None
    if not path.is_file():
        raise UserError("reference Word file not found", path)
    return path


def default_versions(project) -> list[str]:
    """Versions ``build`` writes by default (see module docstring)."""
    if not project.pack.docket.confidential_submissions or not project_has_confidential(project):
        return ["plain"]  # nothing to redact: no "PUBLIC VERSION" banner over a letter with no redactions
    return ["public", "confidential"]


def project_has_confidential(project) -> bool:
    return any(BCI_OPEN in a.body for a in project.answers.values())


# ---- context ----------------------------------------------------------------------------

def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [ln.strip() for ln in str(value).splitlines() if ln.strip()]


def _str(value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    return str(value).strip() or None


def _labels(project) -> dict[str, Any]:
    """Choice labels of the questionnaire answers: item id -> label (choice) or [labels]."""
    interview = project.pack.interview
    out: dict[str, Any] = {}
    if interview is None:
        return out
    for item in interview.items:
        value = project.profile.get(item.id)
        out[item.id] = None
        if value is None or item.type not in ("choice", "multichoice"):
            continue
        labels = {c.value: c.label for c in item.choices}
        if isinstance(value, list):
            out[item.id] = [labels.get(str(v), str(v)) for v in value if str(v) != "none"]
        else:
            out[item.id] = labels.get(str(value), str(value))
    return out


def question_intro(q, pack) -> str:
    """How the letter introduces a question: the agency's words, or a summary marked as one."""
    label = _DOC_LABEL.get(pack.docket.document_type, "notice")
    cite = pack.cite(q).replace(" FR ", "\N{NO-BREAK SPACE}FR\N{NO-BREAK SPACE}")
    text = " ".join(q.text.split())
    if q.wording == "official":
        return f"The {label} asks ({cite}):"
    body = text.rstrip().rstrip(".")
    lowered = body.lower()
    if any(lowered.startswith(w + " ") for w in _QUESTION_WORDS):
        return f"The {label} asks, in substance, {body[:1].lower() + body[1:]} ({cite})."
    return f"The {label} requests comment, in substance, on the following: {body} ({cite})."


def _question_ctx(q, pack, ans, draft_mode: bool) -> dict[str, Any]:
    return {
        "id": q.id, "number": q.number, "title": q.title, "heading": pack.heading(q),
        "text": " ".join(q.text.split()), "wording": q.wording, "official": q.wording == "official",
        "cite": pack.cite(q), "intro": question_intro(q, pack), "section": q.section,
        "status": ans.meta.status, "owner": ans.meta.owner,
        "draft": draft_mode and ans.meta.status != "final", "anchor": anchor_name("answer", q.id),
    }


def build_context(project, draft: bool, version: str, date: dt.date) -> tuple[dict[str, Any], list[str],
                                                                               list[str], list[str]]:
    """Template context (plain data only), warnings, included and omitted question ids."""
    pack = project.pack
    docket = pack.docket
    prof = project.profile
    warnings: list[str] = []
    allowed = ("final",) if not draft else ("final", "review", "draft")
    answers = project.answers

    sections: list[dict[str, Any]] = []
    included: list[str] = []
    omitted: list[str] = []
    by_section: dict[str, list] = {}
    for q in pack.bank.ordered():
        ans = answers.get(q.id)
        if ans is None or ans.meta.status == "skipped":
            continue
        if ans.meta.status not in allowed:
            omitted.append(q.id)
            continue
        if ans.is_empty:
            warnings.append(f"answer {q.id} is marked {ans.meta.status} but empty; left out")
            omitted.append(q.id)
            continue
        by_section.setdefault(q.section, []).append(_question_ctx(q, pack, ans, draft))
        included.append(q.id)
    for s in pack.bank.sections:
        if s.id in by_section:
            sections.append({"id": s.id, "title": s.title, "wording": s.wording, "questions": by_section[s.id]})
    if omitted and not draft:
        warnings.append(f"{len(omitted)} answer(s) not final and left out ({', '.join(omitted[:8])}"
                        f"{', ...' if len(omitted) > 8 else ''}); use --draft to include them marked DRAFT")
    if not included:
        warnings.append("no answers are included (none is final" + ("" if draft else "; try --draft") + ")")

    general: dict[str, Any] = {}
    for name, title in GENERAL_SECTIONS.items():
        ans = answers.get(name)
        present = ans is not None and not ans.is_empty and ans.meta.status in allowed
        general[name.replace("-", "_")] = {
            "name": name, "title": title, "present": present,
            "status": ans.meta.status if ans else None,
            "draft": present and draft and ans.meta.status != "final",
            "anchor": anchor_name("general", name),
        }
        if ans is not None and not ans.is_empty and not present and ans.meta.status != "skipped":
            warnings.append(f"general/{name}.md is {ans.meta.status}, not final; left out (use --draft)")
    if not general["executive_summary"]["present"]:
        warnings.append("no executive summary (write general/executive-summary.md); the letter has none")

    name = _str(prof.get("commenter_name")) or project.file.commenter.name
    commenter = {
        "name": name,
        "type": _str(prof.get("commenter_type")),
        "address": _lines(prof.get("commenter_address")),
        "us_person": prof.get("us_person"),
        "interest_statement": _str(prof.get("interest_statement")),
        "client_description": _str(prof.get("client_description")),
        "contact_name": _str(prof.get("contact_name")),
        "contact_email": _str(prof.get("contact_email")),
        "contact_phone": _str(prof.get("contact_phone")),
        "signatory_name": _str(prof.get("signatory_name")),
        "signatory_title": _str(prof.get("signatory_title")),
    }
    if not prof:
        warnings.append("no questionnaire answers (profile.yaml); the letterhead, introduction and signature "
                        "block use the project file only: run 'commentkit interview'")
    else:
        for key, what in (("signatory_name", "signatory"), ("contact_email", "contact e-mail"),
                          ("commenter_address", "letterhead address")):
            if not _str(prof.get(key)) and not _lines(prof.get(key)):
                warnings.append(f"profile has no {what} ({key}); the letter leaves it out")

    label = _DOC_LABEL.get(docket.document_type, "notice")
    prose = ""
    if not general["background"]["present"] and prof:
        try:
            prose = background_markdown(pack, prof, name)
        except UserError as exc:
            warnings.append(f"could not draft the background from the questionnaire: {exc.format()}")
    ctx = {
        "docket": {
            "id": docket.id, "docket_id": docket.docket_id, "agency": docket.agency, "office": docket.office,
            "rin": docket.rin, "cfr": docket.cfr, "title": docket.title, "short_name": docket.short_name,
            "document_type": docket.document_type, "label": label,
            "citation": docket.citation,
            "fr_pages": docket.federal_register.cite(docket.federal_register.pages),
            "fr_doc": docket.federal_register.document_number,
            "publication_date": docket.federal_register.publication_date.isoformat(),
            "deadline": docket.deadline.date.isoformat(),
            "addressee": {"attention": docket.addressee.attention, "office": docket.addressee.office,
                          "organization": list(docket.addressee.organization),
                          "address": list(docket.addressee.address),
                          "salutation": docket.addressee.salutation},
            "confidential_submissions": docket.confidential_submissions,
        },
        "commenter": commenter,
        "profile": {**{it.id: None for it in (pack.interview.items if pack.interview else [])}, **prof},
        "labels": _labels(project),
        "letter": {"date": date.isoformat(), "draft": draft, "version": version,
                   "confidential": version == "confidential", "public": version == "public",
                   "count": len(included), "redacted": REDACTED},
        "general": general,
        "background_prose": Markup(prose),
        "sections": sections,
        "answered": [q for s in sections for q in s["questions"]],
    }
    return ctx, warnings, included, omitted


# ---- resolving directives ----------------------------------------------------------------

def _resolve(blocks: list, project, answers_ctx: dict, footnotes: dict, template: str) -> list:
    out: list = []
    for b in blocks:
        if not isinstance(b, Directive):
            if isinstance(b, Quote):
                b.blocks = _resolve(b.blocks, project, answers_ctx, footnotes, template)
            out.append(b)
            continue
        if b.kind == "pagebreak":
            out.append(PageBreak())
        elif b.kind in ("answer", "general"):
            if len(b.args) != 1:
                raise UserError(f"'::: {b.kind}' needs exactly one id (rendered line {b.line})",
                                answers_ctx["__template__"])
            key = b.args[0]
            out.append(_answer_anchor(b, key, project, answers_ctx, footnotes, template))
        else:
            for inner in _resolve(b.blocks, project, answers_ctx, footnotes, template):
                if isinstance(inner, Paragraph):
                    inner.role = b.kind
                out.append(inner)
    return out


def _shift_headings(blocks: list, by: int) -> list:
    for b in blocks:
        if isinstance(b, Heading):
            b.level = min(6, b.level + by)
        elif isinstance(b, (Quote, Anchor)):
            _shift_headings(b.blocks, by)
        elif isinstance(b, ListBlock):
            for item in b.items:
                _shift_headings(item, by)
    return blocks


def _answer_anchor(d, key: str, project, answers_ctx: dict, footnotes: dict, template: str) -> Anchor:
    kind = d.kind
    included = answers_ctx["included"] if kind == "answer" else answers_ctx["general"]
    ans = project.answers.get(key)
    if kind == "answer":
        try:
            project.pack.question(key)
        except KeyError:
            raise UserError(f"'::: answer {key}': no such question in docket {project.file.docket}",
                            answers_ctx["__template__"]) from None
    if key in included and ans is not None:
        blocks, notes = parse_blocks(ans.body, ns=key)
        for blk in blocks:
            if isinstance(blk, Directive):
                raise UserError("':::' directive blocks are for templates, not answers", ans.path)
        footnotes.update(notes)
        blocks = _shift_headings(blocks, 3)
    else:  # fallback content written inside the directive (e.g. generated background prose)
        blocks = _resolve(d.blocks, project, answers_ctx, footnotes, template)
        if kind == "answer" and not blocks:
            raise UserError(f"'::: answer {key}': the answer is not included in this build "
                            f"(check 'q.id in answered' in the template)", answers_ctx["__template__"])
    return Anchor(anchor_name(kind, key), blocks, key=key, kind=kind)


def render_template(project, templates, name: str, ctx: dict, included: list[str]) -> tuple[list, dict]:
    text = templates.render(name, ctx)
    blocks, footnotes = parse_blocks(text, ns="letter", directives=True)
    general = {g["name"] for g in ctx["general"].values() if g["present"]}
    answers_ctx = {"included": set(included), "general": general, "__template__": templates.origin(name)}
    return _resolve(blocks, project, answers_ctx, footnotes, name), footnotes


def letter_date(date: dt.date | None = None) -> dt.date:
    return date or clock.today()


def build_letter(project, draft: bool = False, version: str = "plain", date: dt.date | None = None,
                 templates=None, variant: Variant | None = None) -> Letter:
    """Build the letter and the comment-box text for ``project`` (see module docstring)."""
    if version not in VERSIONS:
        raise UserError(f"unknown version {version!r} (use one of: {', '.join(VERSIONS)})")
    date = letter_date(date)
    ctx, warnings, included, omitted = build_context(project, draft, version, date)
    variant = variant or Variant()
    letter_name, box_name = variant.letter_template, variant.comment_box_template
    ctx.update(variant.context)
    templates = templates or TemplateSet(template_dirs(project))
    blocks, footnotes = render_template(project, templates, letter_name, ctx, included)
    box_blocks, box_notes = render_template(project, templates, box_name, ctx, included)

    docket = project.pack.docket
    name = ctx["commenter"]["name"]
    header = f"{docket.docket_id or docket.id} \N{EM DASH} {name}"
    if version == "confidential":
        header = f"{CONFIDENTIAL_HEADER} \N{EM DASH} {header}"
    elif version == "public" and docket.confidential_submissions:
        header = f"{PUBLIC_HEADER} \N{EM DASH} {header}"
    if draft:
        header = f"DRAFT \N{EM DASH} NOT FOR FILING \N{EM DASH} {header}"
    stamp = dt.datetime.combine(date, dt.time(0, 0)).strftime("%Y-%m-%dT%H:%M:%SZ")
    props = {"commentkit.docket": docket.id, "commentkit.project": name,
             "commentkit.version": version, "commentkit.draft": "yes" if draft else "no",
             "commentkit.generator": f"commentkit {__version__}"}
    common = dict(author=name, subject=f"Comment on {docket.title}",
                  keywords=", ".join(x for x in (docket.docket_id, docket.rin and f"RIN {docket.rin}",
                                                  docket.citation) if x),
                  header_text=header, version=version, draft=draft, created=stamp, properties=props)
    title = f"Comments of {name} on {docket.display_name} ({docket.docket_id or docket.id})"
    doc = Document(blocks=blocks, footnotes=footnotes, title=title, **common)
    # which answers the file holds, so import-docx can tell a deleted anchor from one never built
    keys = ",".join(a.name for a in doc.anchors())
    doc.properties = dict(props)
    for n in range(0, max(1, (len(keys) + 199) // 200)):
        doc.properties[f"commentkit.anchors.{n + 1:02d}"] = keys[n * 200:(n + 1) * 200]
    box = Document(blocks=box_blocks, footnotes=box_notes, title=f"{title}: comment box", **common)
    if version == "plain" and has_confidential(doc) and not docket.confidential_submissions:
        warnings.append("answers mark business confidential passages ([[BCI]]), but this docket does not accept "
                        "confidential material: they are printed as ordinary text and will be public")
    return Letter(doc, box, warnings, included, omitted)


__all__ = ["Letter", "Variant", "build_letter", "build_document", "default_versions", "question_intro", "COMMENT_BOX_LIMIT"]
