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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from commentkit import __version__
from commentkit.errors import UserError
from commentkit.files import clock, hints
from commentkit.letter import markers
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
    Provenance,
    Quote,
    Run,
    Source,
    anchor_name,
    has_confidential,
    provenance_of,
    set_provenance,
)
from commentkit.models.project import GENERAL_SECTIONS, ORIGIN_LABELS
from commentkit.questionnaire.background import background_markdown

LETTER_TEMPLATE = "letter.md.j2"
COMMENT_BOX_TEMPLATE = "comment-box.md.j2"
COMMENT_BOX_LIMIT = 5000

_DOC_LABEL = {"ANPRM": "ANPRM", "NPRM": "proposed rule", "SNPRM": "proposed rule",
              "interim final rule": "interim final rule", "request for information": "request for information",
              "final rule": "final rule", "notice": "notice", "other": "notice"}
_DOC_LONG = {"ANPRM": "advance notice of proposed rulemaking", "NPRM": "notice of proposed rulemaking",
             "SNPRM": "supplemental notice of proposed rulemaking", "interim final rule": "interim final rule",
             "request for information": "request for information", "final rule": "final rule", "notice": "notice",
             "other": "notice"}
"""What the introduction calls the document the first time (it then defines the short label)."""
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


# ---- approval: what a final letter may print -------------------------------------------------

def needs_record(ans) -> bool:
    """Text a person did not write (generated from the questionnaire, member input from collect)
    is filed only with a record of who approved it (``approved:``), not on a status alone."""
    return ans.meta.origin is not None


def admitted(ans, draft: bool) -> bool:
    """Whether answer ``ans`` is printed: final (and, for generated or member text, approved with
    a record of who and when); with ``draft``, also draft and review answers (marked)."""
    if ans is None or ans.is_empty or ans.meta.status == "skipped":
        return False
    if draft:
        return ans.meta.status in ("final", "review", "draft")
    return ans.meta.status == "final" and (ans.approved or not needs_record(ans))


def settled(ans) -> bool:
    """Final and approved as required: printed without a DRAFT mark."""
    return admitted(ans, False)


def answer_provenance(key: str, ans) -> Provenance:
    origin = ans.meta.origin
    source: Source = "generated" if origin == "questionnaire" else "member" if origin == "collect" else "answer"
    a = ans.meta.approved if ans.approved else None
    return Provenance(source=source, key=key, status=ans.meta.status, origin=origin,
                      approved_by=a.by if a else None, approved_at=a.at.isoformat() if a else None)


@dataclass(frozen=True)
class Passage:
    """Text the letter would print that no person has approved (``check`` lists each one)."""

    key: str      # answer key or general section
    where: str    # "general/background", a question id
    message: str


def unapproved_passages(project) -> list[Passage]:
    """Generated or member-inserted text that a final build leaves out because nobody approved it."""
    root = project.root
    out: list[Passage] = []
    for key, ans in project.answers.items():
        if ans.is_empty or ans.meta.status != "final" or not needs_record(ans) or ans.approved:
            continue
        where = f"general/{key}" if key in GENERAL_SECTIONS else key
        approve = hints.command(root, "mark", key, "final", options=("--by", "NAME"))
        out.append(Passage(key, where, f"{where}.md is {ORIGIN_LABELS[ans.meta.origin or '']} and marked final "
                                       f"without a record of who approved it: the letter leaves it out (approve it "
                                       f"with '{approve}')"))
    bg = project.answers.get("background")
    if (bg is None or bg.is_empty) and generated_background(project):
        draft = hints.command(root, "answer", "background", options=("--from-questionnaire",))
        final = hints.command(root, "mark", "background", "final")
        skip = hints.command(root, "mark", "background", "skip", options=("--reason", "..."))
        out.append(Passage("background", "general/background",
                           f"the Background drafted from the questionnaire has not been approved: the letter leaves "
                           f"it out. Save it with '{draft}', review and edit it, then '{final}'; or file without "
                           f"a Background: '{skip}'"))
    return out


def generated_background(project) -> str:
    """The Background the questionnaire drafts ('' when it gives nothing, or fails)."""
    if not project.profile:
        return ""
    try:
        return background_markdown(project.pack, project.profile, project.commenter_name)
    except UserError:
        return ""


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


_CITE = re.compile(r"\b(\d+) (FR|CFR|U\.S\.C\.|Fed\. Reg\.) (?=[\d§])")
_NUMBERED = re.compile(r"\b(Docket No\.|RIN|No\.|§|Part|E\.O\.|Executive Order) (?=[\dA-Z])")


def nbsp(text: str) -> str:
    """Citations that do not break across lines: ``88 FR 54961``, ``31 CFR 800``, ``RIN 1505-AC82``
    and ``Docket No. X`` with non-breaking spaces. (Page ranges keep an ordinary hyphen: Word
    stores a non-breaking one as a special element that re-saved files and readers lose.)"""
    text = _CITE.sub("\\1\N{NO-BREAK SPACE}\\2\N{NO-BREAK SPACE}", text)
    return _NUMBERED.sub("\\1\N{NO-BREAK SPACE}", text)


def agency_forms(agency: str) -> dict[str, str]:
    """``agency_short`` and ``agency_defined``: "Department of the Treasury" is defined as
    (\u201cTreasury\u201d), "Department of Commerce" as (\u201cCommerce\u201d); other agencies keep
    their name (nothing defined)."""
    m = re.fullmatch(r"(?:U\.S\.\s+|United States\s+)?Department of (?:the )?(.+)", agency.strip())
    if not m:
        return {"agency_short": agency, "agency_defined": ""}
    short = m.group(1)
    return {"agency_short": short,
            "agency_defined": f" (\N{LEFT DOUBLE QUOTATION MARK}{short}\N{RIGHT DOUBLE QUOTATION MARK})"}


_CORPORATE = re.compile(r"(?:,\s*|\s+)(?:Inc\.?|Incorporated|L\.?\s?L\.?\s?C\.?|Ltd\.?|Limited|L\.?\s?L\.?\s?P\.?|"
                        r"L\.?\s?P\.?|Corp\.?|Corporation|Co\.|Company|P\.?L\.?C\.?|N\.\s?A\.|GmbH|S\.\s?A\.|AG|"
                        r"P\.\s?C\.)\s*$", re.I)
_MINOR = frozenset({"of", "and", "the", "for", "on", "in", "&", "a", "an", "to", "at", "de"})


def derive_short_name(name: str, kind: str | None = None) -> str:
    """A short name for the commenter, as a lawyer would define it: the first word of a company
    name ('Meridian Deposition Systems, Inc.' -> 'Meridian'; a name with a corporate suffix, or a
    commenter of type company), the initials of a longer organization's name ('Commonwealth
    Public Employees' Retirement System' -> 'CPERS'), else the name itself (individuals keep
    their name). Set ``commenter.short_name`` in commentkit.yaml to choose another."""
    full = " ".join(name.split())
    if kind == "individual":
        return full
    base, corporate = full, False
    while (m := _CORPORATE.search(base)) and m.start() > 0:
        base, corporate = base[:m.start()].rstrip(" ,"), True
    words = base.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    if not words:
        return full
    if corporate or kind == "company":
        first = words[0].strip(",")
        if (len(first) <= 3 or first.endswith(".")) and len(words) > 1:  # 'U.S. Steel', 'GE Vernova'
            first = f"{first} {words[1].strip(',')}"
        return first
    if len(words) >= 3:
        initials = [w[0] for w in words if w.lower() not in _MINOR and w[:1].isalpha()]
        if len(initials) >= 3 and all(c.isupper() for c in initials):
            return "".join(initials)
    return full


def short_name_forms(full: str, short: str | None) -> dict[str, str]:
    """``short`` (mid-sentence), ``short_start`` (starting a sentence) and ``defined`` (the
    definition after the first mention: `` (“Meridian”)`` or `` (the “System”)``; empty when the
    short name is the name)."""
    full = " ".join(full.split())
    short = " ".join((short or "").split()) or full
    if short == full:
        return {"short_name": full, "short_name_start": full, "defined": ""}
    article = ""
    bare = short
    if bare.lower().startswith("the "):
        article, bare = "the ", bare[4:]
    mid = article + bare
    return {"short_name": mid, "short_name_start": mid[:1].upper() + mid[1:],
            "defined": f" ({article}\N{LEFT DOUBLE QUOTATION MARK}{bare}\N{RIGHT DOUBLE QUOTATION MARK})"}


def question_intro(q, pack) -> str:
    """How the letter introduces a question: the agency's words, or a summary marked as one."""
    label = _DOC_LABEL.get(pack.docket.document_type, "notice")
    cite = nbsp(pack.cite(q))
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
        "cite": nbsp(pack.cite(q)), "intro": question_intro(q, pack), "section": q.section,
        "whole_notice": q.wording != "official" and pack.pages_of(q) in (None, pack.docket.federal_register.pages),
        "status": ans.meta.status, "owner": ans.meta.owner,
        "draft": draft_mode and not settled(ans), "anchor": anchor_name("answer", q.id),
    }


def build_context(project, draft: bool, version: str, date: dt.date) -> tuple[dict[str, Any], list[str],
                                                                               list[str], list[str]]:
    """Template context (plain data only), warnings, included and omitted question ids."""
    pack = project.pack
    docket = pack.docket
    prof = project.profile
    warnings: list[str] = []
    answers = project.answers

    sections: list[dict[str, Any]] = []
    included: list[str] = []
    omitted: list[str] = []
    by_section: dict[str, list] = {}
    for q in pack.bank.ordered():
        ans = answers.get(q.id)
        if ans is None or ans.meta.status == "skipped":
            continue
        if ans.is_empty and ans.meta.status in ("final", "review", "draft") and (draft or ans.meta.status == "final"):
            warnings.append(f"answer {q.id} is marked {ans.meta.status} but empty; left out")
            omitted.append(q.id)
            continue
        if not admitted(ans, draft):
            omitted.append(q.id)
            if ans.changed is not None:
                warnings.append(f"answer {q.id} was {ans.changed_note()}: left out until it is marked final again")
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
        present = admitted(ans, draft)
        general[name.replace("-", "_")] = {
            "name": name, "title": title, "present": present,
            "status": ans.meta.status if ans else None,
            "draft": present and draft and not settled(ans),
            "anchor": anchor_name("general", name),
        }
        if ans is not None and not ans.is_empty and not present and ans.meta.status != "skipped":
            if ans.changed is not None:
                warnings.append(f"general/{name}.md was {ans.changed_note()}: left out until it is marked final "
                                f"again")
            elif ans.meta.status == "final":
                warnings.append(f"general/{name}.md is marked final without a record of who approved it "
                                f"({ans.meta.origin} text): left out")
            else:
                warnings.append(f"general/{name}.md is {ans.meta.status}, not final; left out (use --draft)")
    if not general["executive_summary"]["present"]:
        warnings.append("no executive summary (write general/executive-summary.md); the letter has none")

    name = _str(prof.get("commenter_name")) or project.file.commenter.name
    kind = _str(prof.get("commenter_type"))
    short = project.file.commenter.short_name or derive_short_name(name, kind)
    contacts = [x for x in (_str(prof.get("contact_email")), _str(prof.get("contact_phone"))) if x]
    conclusion_own = general["conclusion"]["present"]
    # contact details are printed once: by the letter's own conclusion when it has one, or by
    # the text of an answer that gives them; else in the signature block
    in_text = any(c in answers[k].body or _digits(c) and _digits(c) in _digits(answers[k].body)
                  for c in contacts for k in [*included, *(g["name"] for g in general.values() if g["present"])])
    commenter = {
        "name": name,
        **short_name_forms(name, short),
        "contact_elsewhere": bool(contacts) and (in_text or not conclusion_own),
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
    # The Background drafted from the questionnaire is text nobody approved: a draft build shows
    # it, marked; a final build leaves it out (it is filed only once saved as general/background.md,
    # reviewed and marked final). It replaces nothing: a background.md that is not final is not
    # swapped for generated text.
    prose = ""
    bg = answers.get("background")
    if draft and not general["background"]["present"] and prof and (bg is None or bg.is_empty):
        try:
            prose = background_markdown(pack, prof, name)
        except UserError as exc:
            warnings.append(f"could not draft the background from the questionnaire: {exc.format()}")
    if not draft and (bg is None or bg.is_empty) and generated_background(project):
        warnings.append("the Background drafted from the questionnaire has not been approved: left out "
                        "(see 'commentkit check')")
    ctx = {
        "docket": {
            "id": docket.id, "docket_id": docket.docket_id, "agency": docket.agency, "office": docket.office,
            "rin": docket.rin, "cfr": docket.cfr, "title": docket.title, "short_name": docket.short_name,
            "document_type": docket.document_type, "label": label,
            "label_long": _DOC_LONG.get(docket.document_type, "notice"),
            **agency_forms(docket.agency),
            "citation": nbsp(docket.citation),
            "fr_pages": nbsp(docket.federal_register.cite(docket.federal_register.pages)),
            "fr_doc": docket.federal_register.document_number,
            "publication_date": docket.federal_register.publication_date.isoformat(),
            "deadline": docket.deadline.date.isoformat(),
            "addressee": {"attention": docket.addressee.attention_line(), "office": docket.addressee.office,
                          "organization": list(docket.addressee.organization),
                          "address": list(docket.addressee.address),
                          "contact": docket.addressee.contact.model_dump() if docket.addressee.contact else None,
                          "salutation": docket.addressee.letter_salutation(
                              docket.office or docket.addressee.office or docket.agency)},
            "confidential_submissions": docket.confidential_submissions,
        },
        "commenter": commenter,
        "profile": {**{it.id: None for it in (pack.interview.items if pack.interview else [])}, **prof},
        "labels": _labels(project),
        "letter": {"date": date.isoformat(), "draft": draft, "version": version,
                   "confidential": version == "confidential", "public": version == "public",
                   "count": len(included), "redacted": REDACTED, "summary_label": markers.SUMMARY_LABEL,
                   "appendix": _appendix(project.file.build.appendix, [q for s in sections for q in s["questions"]])},
        "general": general,
        "background_prose": Markup(prose),
        "sections": sections,
        "answered": [q for s in sections for q in s["questions"]],
    }
    return ctx, warnings, included, omitted


def _digits(text: str) -> str:
    d = re.sub(r"\D", "", text or "")
    return d if len(d) >= 7 else ""


def _appendix(setting: str, answered: list[dict]) -> bool:
    """Whether the letter ends with the table of questions answered: 'auto' only when a row says
    more than "summary, whole notice" (an official question, or a narrower page)."""
    if not answered or setting == "never":
        return False
    return setting == "always" or any(q["official"] or not q["whole_notice"] for q in answered)


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
        elif b.kind == "generated":  # ::: generated background: text drafted by commentkit
            key = b.args[0] if b.args else "background"
            blocks = _resolve(b.blocks, project, answers_ctx, footnotes, template)
            prov = Provenance(source="generated", key=key, origin="questionnaire")
            out.append(Anchor(anchor_name("general", key), set_provenance(blocks, prov, replace=True), key=key,
                              kind="general", provenance=prov))
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
        prov = answer_provenance(key, ans)
        footnotes.update({k: set_provenance(v, prov) for k, v in notes.items()})
        blocks = set_provenance(_shift_headings(blocks, 3), prov)
    else:  # fallback content written inside the directive (the template's own conclusion ...)
        blocks = _resolve(d.blocks, project, answers_ctx, footnotes, template)
        if kind == "answer" and not blocks:
            raise UserError(f"'::: answer {key}': the answer is not included in this build "
                            f"(check 'q.id in answered' in the template)", answers_ctx["__template__"])
        prov = Provenance()
        if kind == "general" and key == "background" and blocks:
            # a template that prints the questionnaire's draft as the background's fallback (as
            # commentkit's templates did before 'generated'): generated text, not the letter form
            prov = Provenance(source="generated", key=key, origin="questionnaire")
            set_provenance(blocks, prov, replace=True)
    return Anchor(anchor_name(kind, key), blocks, key=key, kind=kind, provenance=prov)


def gate(blocks: list, draft: bool, warnings: list[str]) -> list:
    """Nothing unapproved reaches a final letter: a final build drops every block no person
    approved (with the heading right above it when nothing else is left under that heading);
    a draft build keeps them, each generated passage visibly labeled
    (:data:`commentkit.letter.markers.GENERATED_LABEL`) and styled as generated text."""
    out: list = []
    for b in blocks:
        prov = provenance_of(b)
        if isinstance(b, Quote):
            b.blocks = gate(b.blocks, draft, warnings)
        if prov.approved:
            out.append(b)
            continue
        if not draft:
            what = {"generated": "text generated from the questionnaire",
                    "member": "member input"}.get(prov.source, "text")
            msg = f"{what} ({prov.key or 'letter'}) has not been approved: left out of the letter"
            if msg not in warnings:
                warnings.append(msg)
            if out and isinstance(out[-1], Heading) and provenance_of(out[-1]).source == "boilerplate":
                out.pop()  # "Background" with nothing under it
            continue
        if prov.source not in ("generated", "member"):
            out.append(b)  # a draft answer: the template's DRAFT line marks it
            continue
        label = markers.GENERATED_LABEL if prov.source == "generated" else markers.MEMBER_LABEL
        out.append(Paragraph([Run(label)], role="generated-mark"))
        for inner in ([b] if not isinstance(b, Anchor) else b.blocks):
            if isinstance(inner, Paragraph) and inner.role == "body":
                inner.role = "generated"
        out.append(b)
    return out


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
    blocks = gate(blocks, draft, warnings)
    box_blocks = gate(box_blocks, draft, warnings)

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
