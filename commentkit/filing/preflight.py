"""Preflight: is the comment ready to file? Findings for ``commentkit check`` and ``package``.

Pure: it reads the loaded project (answers, questionnaire profile, pack, templates) and the
time it is given, and returns a :class:`CheckResult`. Nothing here writes a file.

Each :class:`Finding` has a severity:

* ``error`` — blocks filing (``check`` exits 1): a core question not settled, a placeholder
  left in the text, the comment box over 5,000 characters, an upload regulations.gov would
  refuse, no signatory, the docket ID missing from the letter, confidential material the
  agency will publish or a public version that would show it, the deadline passed;
* ``warning`` — worth fixing before filing (``check --strict`` exits 1 on these too);
* ``note`` — for information.

"Attachments" are the files ``commentkit package`` lays out for upload: the letter (one per
version: plain, or public and business-confidential) and every file in the project's
``attachments/`` folder (exhibits, data, studies). ``check`` cannot know the letter's size
before it is built; ``package`` runs the same checks again on the files it built.

The comment-box length is measured by the build's own code
(:func:`commentkit.build.comment_box_report`): ``check`` and ``build`` cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commentkit import build
from commentkit.calendar import deadlines as dl
from commentkit.errors import UserError
from commentkit.files import clock, hints
from commentkit.files.yamlio import read_text
from commentkit.letter.assemble import COMMENT_BOX_LIMIT, admitted, reference_docx_for, unapproved_passages
from commentkit.letter.markers import Hit, scan_placeholders
from commentkit.letter.markers import line_of as _line_of
from commentkit.models.project import GENERAL_SECTIONS
from commentkit.project import status as tracking
from commentkit.questionnaire import priorities as relevance

SEVERITIES: tuple[str, ...] = ("error", "warning", "note")

ATTACHMENTS_DIR = build.ATTACHMENTS_DIR

MAX_ATTACHMENTS = 20
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ACCEPTED_TYPES: frozenset[str] = frozenset({
    "bmp", "docx", "gif", "jpg", "jpeg", "pdf", "png", "pptx", "rtf", "sgml", "tif", "tiff", "txt", "wpd",
    "xlsx", "xml"})
"""File types the regulations.gov comment form takes (its FAQ's list of supported attachment types)."""
LEGACY_TYPES: frozenset[str] = frozenset({"doc", "xls", "ppt"})
"""Older Office formats: not on regulations.gov's list; save them as .docx/.xlsx/.pptx."""

BCI_OPEN = "[[BCI]]"
BCI_CLOSE = "[[/BCI]]"


# ---- results ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    severity: str  # error / warning / note
    code: str  # stable identifier, e.g. "placeholder", "core-open"
    message: str
    where: str | None = None  # question id, "general/<name>", "profile", "docket", "attachments/<file>", ...
    path: str | None = None  # file, relative to the project folder where it is inside it
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "code": self.code, "message": self.message, "where": self.where,
                "path": self.path, "line": self.line}

    def location(self) -> str:
        if self.path:
            return f"{self.path}:{self.line}" if self.line else self.path
        return self.where or ""


@dataclass(frozen=True)
class Upload:
    """A file to upload with the comment."""

    name: str
    role: str  # "letter", "letter-public", "letter-confidential", "attachment"
    path: Path | None = None  # None: not built yet (check before package)
    size: int | None = None
    confidential: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "path": str(self.path) if self.path else None,
                "bytes": self.size, "confidential": self.confidential}


@dataclass
class CheckResult:
    project: Path
    docket: str
    commenter: str
    findings: list[Finding] = field(default_factory=list)
    comment_box: dict[str, Any] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
    deadline: dict[str, Any] = field(default_factory=dict)
    versions: list[str] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def blocks(self, strict: bool = False) -> bool:
        """Whether the findings block filing (errors; with ``strict``, warnings too)."""
        return bool(self.errors or (strict and self.warnings))

    def summary(self, strict: bool = False) -> str:
        counts = ", ".join(f"{self.count(s)} {s}{'' if self.count(s) == 1 else 's'}" for s in SEVERITIES)
        if self.blocks(strict):
            why = "errors" if self.errors else "warnings (--strict)"
            return f"NOT READY to file: {counts}; fix the {why} first."
        return f"Ready to file: {counts}."

    def as_dict(self, strict: bool = False) -> dict[str, Any]:
        return {
            "project": str(self.project), "docket": self.docket, "commenter": self.commenter,
            "ready": not self.blocks(strict), "strict": strict,
            "counts": {s: self.count(s) for s in SEVERITIES},
            "findings": [f.as_dict() for f in self.findings],
            "comment_box": self.comment_box, "uploads": [u.as_dict() for u in self.uploads],
            "versions": self.versions, "deadline": self.deadline,
        }


class _Collector:
    def __init__(self, root: Path):
        self.root = root
        self.items: list[Finding] = []
        self.profile_placeholders: set[str] = set()  # reported once, at profile.yaml, not again in the letter

    def add(self, severity: str, code: str, message: str, where: str | None = None, path: Path | None = None,
            line: int | None = None) -> None:
        rel = None
        if path is not None:
            try:
                rel = str(Path(path).resolve().relative_to(self.root.resolve()))
            except ValueError:
                rel = str(path)
        self.items.append(Finding(severity, code, message, where, rel, line))


# ---- text scanning (pure) ---------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_PHONE = re.compile(r"(?=[\d(+])(?:(?<![\w/.-])(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w/-])"
                    r"|(?<![\w/.-])\+\d{1,3}(?:[ .-]?\d{1,4}){2,5}(?![\w/-]))")
_SSN = re.compile(r"(?=\d)(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")


def _may_be_unmarked_confidential(text: str) -> bool:
    """False only when :data:`_UNMARKED_CONF` cannot match (checked on ASCII text, where its
    case-insensitive parts fold exactly like ``str.lower``)."""
    if not text.isascii():
        return True
    low = text.lower()
    return "confidential" in low or "trade secret" in low or "not for public " in low


_BCI_ANY = re.compile(r"(?i)\[{1,2}\s*/?\s*bci\s*\]{1,2}")
_UNMARKED_CONF = re.compile(r"BUSINESS CONFIDENTIAL|\bCONFIDENTIAL\b|(?i:business confidential information)|"
                            r"(?i:proprietary and confidential)|(?i:\btrade secrets?\b)|(?i:\bnot for public "
                            r"(release|disclosure)\b)")


def scan_personal_data(text: str) -> list[Hit]:
    """E-mail addresses, phone numbers and Social Security numbers in ``text``."""
    hits = [Hit(_line_of(text, m.start()), m.group(0), "e-mail address")
            for m in (_EMAIL.finditer(text) if "@" in text else ())]  # (a scan costs 40 us per answer)
    ssn_spans = [(m.start(), m.end()) for m in _SSN.finditer(text)]
    hits += [Hit(_line_of(text, s), text[s:e], "Social Security number") for s, e in ssn_spans]
    for m in _PHONE.finditer(text):
        if any(s <= m.start() < e for s, e in ssn_spans):
            continue
        digits = sum(c.isdigit() for c in m.group(0))
        if digits >= 10:
            hits.append(Hit(_line_of(text, m.start()), m.group(0).strip(), "phone number"))
    hits.sort(key=lambda h: h.line)
    return hits


_BLOCK_START = re.compile(r"^\s{0,3}([-*+]\s|\d{1,9}[.)]\s|#{1,6}\s|>|\|)")


def inline_blocks(text: str) -> list[tuple[int, str]]:
    """Split Markdown into the pieces a confidential passage cannot cross (paragraphs, list
    items, headings, quote lines, table rows): ``(first line number, text)``."""
    out: list[tuple[int, str]] = []
    cur: list[str] = []
    start = 1
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if cur:
                out.append((start, "\n".join(cur)))
            cur = []
            continue
        if cur and _BLOCK_START.match(line):
            out.append((start, "\n".join(cur)))
            cur = []
        if not cur:
            start = n
        cur.append(line)
    if cur:
        out.append((start, "\n".join(cur)))
    return out


@dataclass(frozen=True)
class MarkerProblem:
    line: int
    message: str


def bci_problems(text: str) -> list[MarkerProblem]:
    """Confidential markers that would not do what the writer meant: a closing marker with no
    opening one (the text before it is printed), a passage left open at the end of a paragraph
    (it does not continue into the next one), nested openings, and look-alikes (``[BCI]``,
    ``[[bci]]``) that are printed as text."""
    out: list[MarkerProblem] = []
    for start, block in inline_blocks(text):
        inside = False
        for m in re.finditer(re.escape(BCI_OPEN) + "|" + re.escape(BCI_CLOSE), block):
            line = start + block.count("\n", 0, m.start())
            if m.group(0) == BCI_OPEN:
                if inside:
                    out.append(MarkerProblem(line, "a second [[BCI]] before the passage is closed"))
                inside = True
            else:
                if not inside:
                    out.append(MarkerProblem(line, "[[/BCI]] closes a passage that was never opened in this "
                                                   "paragraph: the text before it is NOT marked confidential"))
                inside = False
        if inside:
            out.append(MarkerProblem(start, "[[BCI]] is not closed in this paragraph: a passage cannot span "
                                            "paragraphs, so anything meant to follow is NOT marked; close it "
                                            "with [[/BCI]] and mark each paragraph"))
    for m in _BCI_ANY.finditer(text):
        if m.group(0) in (BCI_OPEN, BCI_CLOSE):
            continue
        out.append(MarkerProblem(_line_of(text, m.start()), f"{m.group(0)!r} looks like a confidential marker but "
                                                             f"is not one (use [[BCI]]…[[/BCI]]): it prints as text"))
    return sorted(out, key=lambda p: p.line)


def outside_bci(text: str) -> str:
    """``text`` with every marked confidential passage blanked (same length, same lines)."""
    res = list(text)
    inside_from: int | None = None
    for m in re.finditer(re.escape(BCI_OPEN) + "|" + re.escape(BCI_CLOSE) + r"|\n[ \t]*\n", text):
        tok = m.group(0)
        if tok == BCI_OPEN and inside_from is None:
            inside_from = m.start()
        elif inside_from is not None and (tok == BCI_CLOSE or tok.strip() == ""):
            for i in range(inside_from, m.end() if tok == BCI_CLOSE else m.start()):
                if res[i] != "\n":
                    res[i] = " "
            inside_from = None
    if inside_from is not None:
        for i in range(inside_from, len(res)):
            if res[i] != "\n":
                res[i] = " "
    return "".join(res)


def confidential_passages(text: str) -> list[str]:
    """The text of each marked passage (for checking that a public file does not contain it)."""
    out = []
    for _, block in inline_blocks(text):
        for m in re.finditer(re.escape(BCI_OPEN) + r"(.*?)(?:" + re.escape(BCI_CLOSE) + r"|\Z)", block, re.S):
            passage = " ".join(m.group(1).split())
            if passage:
                out.append(passage)
    return out


# ---- the checks ------------------------------------------------------------------------------

def _body_first_line(ans) -> int:
    """File line number of the first line of the answer's body."""
    if ans.raw is None:
        return 1
    text = ans.raw.decode("utf-8", "replace").lstrip("\ufeff")
    body = ans.body
    if not body:
        return text.count("\n") + 1
    head = text[: len(text) - len(body)] if text.endswith(body) else text[: text.find(body)] if body in text else ""
    return head.count("\n") + 1


def _label(project, key: str) -> str:
    if key in GENERAL_SECTIONS:
        return f"general/{key}.md ({GENERAL_SECTIONS[key]})"
    try:
        q = project.pack.question(key)
    except KeyError:
        return key
    return f"{key} ({project.pack.heading(q)})"


def planned_uploads(project, versions: list[str]) -> list[Upload]:
    """What ``package`` would upload: the letter per version and the project's attachments."""
    out = []
    for v in versions:
        role = {"plain": "letter", "public": "letter-public", "confidential": "letter-confidential"}[v]
        out.append(Upload(build.letter_name(project, v, versions, "pdf"), role, confidential=v == "confidential"))
    for path in build.attachment_files(project):
        try:
            size = path.stat().st_size
        except OSError:
            size = None
        out.append(Upload(path.name, "attachment", path, size, confidential=path.name.upper().startswith("BCI")))
    return out


def check(project, *, now: dt.datetime | None = None, today: dt.date | None = None,
          uploads: list[Upload] | None = None, comment_box_text: str | None = None,
          templates=None) -> CheckResult:
    """Every preflight check on ``project`` (see module docstring).

    ``uploads``: the files actually built (``package``); default: the files ``package`` would
    build, sizes unknown for the letter. ``comment_box_text``: the exact comment-box text when
    the caller built it.
    """
    now = now or clock.now()
    today = today or clock.today()
    pack = project.pack
    docket = pack.docket
    prof = project.profile
    answers = project.answers
    c = _Collector(project.root)
    versions = build.versions_for(project)
    result = CheckResult(project.root, docket.id, project.commenter_name, versions=versions)

    # -- progress: agrees with `commentkit status`
    report = tracking.build_report(pack, answers, relevance.plan(pack, prof), project.file.milestones,
                                   now=now, today=today, commenter=project.commenter_name)
    core = [q for q in report.questions if q.level == "core"]
    for q in report.core_open:
        ans = answers.get(q.id)
        if ans is not None and ans.changed is not None:
            continue  # reported as changed-since-final
        what = {"unanswered": "is unanswered", "draft": "is still a draft", "review": "is still in review"}.get(
            q.state, f"is {q.state}")
        c.add("error", "core-open", f"core question {_label(project, q.id)} {what}: finish it and mark it "
                                    f"final, or mark it skipped with a reason "
                                    f"({hints.command(project.root, 'mark', q.id, 'skip', options=('--reason', '...'))})",
              q.id, ans.path if ans is not None else None)
    for q in report.core_skipped:
        if not q.reason:
            c.add("note", "core-skipped", f"core question {_label(project, q.id)} is skipped without a reason",
                  q.id, answers[q.id].path if q.id in answers else None)
    if not core:
        c.add("note", "no-core", "no question is ranked core (answer the questionnaire: commentkit interview), "
                                 "so core questions cannot be checked", "profile")
    core_ids = {q.id for q in core}
    for q in report.questions:
        ans = answers.get(q.id)
        if ans is None or q.id in core_ids:
            continue
        if ans.changed is not None:
            continue  # reported as changed-since-final
        if q.state in ("draft", "review"):
            c.add("warning", "not-final", f"{_label(project, q.id)} is still {q.state}: the letter leaves it out; "
                                          f"mark it final to include it, or skip it", q.id, ans.path)
        elif ans.meta.status == "final" and q.state == "unanswered":
            c.add("error", "empty-final", f"{_label(project, q.id)} is marked final but has no text: it is left "
                                          f"out of the letter", q.id, ans.path)

    # -- general sections
    included: list[str] = []
    for q in pack.bank.ordered():
        ans = answers.get(q.id)
        if admitted(ans, False):
            included.append(q.id)
    for name in GENERAL_SECTIONS:
        ans = answers.get(name)
        if ans is None or ans.meta.status == "skipped":
            continue
        where = f"general/{name}"
        if ans.changed is not None or (ans.meta.status == "final" and not admitted(ans, False)):
            continue  # reported below (changed since approved / unapproved text)
        if ans.is_empty:
            c.add("warning", "empty-section", f"{_label(project, name)} is empty: the letter leaves it out "
                                              f"(write it, or delete the file)", where, ans.path)
        elif ans.meta.status != "final":
            c.add("warning", "not-final", f"{_label(project, name)} is still {ans.meta.status}: the letter leaves "
                                          f"it out; mark it final to include it", where, ans.path)
        else:
            included.append(name)
    es = answers.get("executive-summary")
    if "executive-summary" not in included:
        c.add("warning", "no-executive-summary",
              "no executive summary: the letter has none and the comment box only points to the attachment "
              "(write general/executive-summary.md and mark it final)", "general/executive-summary",
              es.path if es is not None else None)
    if not any(k not in GENERAL_SECTIONS for k in included):
        c.add("error", "no-answers", "no answer is final: the letter would respond to no question")

    # -- nothing unapproved: text changed after approval, generated or member text nobody approved
    for key, ans in answers.items():
        if ans.changed is None:
            continue
        where = key if key not in GENERAL_SECTIONS else f"general/{key}"
        c.add("error", "changed-since-final",
              f"{_label(project, key)} was {ans.changed_note()}: it is not final (the letter leaves it out) "
              f"until it is marked final again ({hints.command(project.root, 'mark', key, 'final')})",
              where, ans.path)
    for p in unapproved_passages(project):
        ans = answers.get(p.key)
        c.add("error", "unapproved-text", p.message, p.where, ans.path if ans is not None else None)

    # -- text of everything the letter prints (and of answers changed since approval: they are
    # filed once marked final again, so what they hold is reported now)
    scanned = included + [k for k, a in answers.items() if a.changed is not None and k not in included]
    for key in scanned:
        ans = answers[key]
        base = _body_first_line(ans) - 1
        where = key if key not in GENERAL_SECTIONS else f"general/{key}"
        _check_text(c, project, key, where, ans.body, ans.path, base, prof)
        _check_empty_headings(c, project, where, ans.body, ans.path, base)

    # -- profile: signatory, contact, placeholders
    _check_profile(c, project, prof)

    # -- docket facts and the letter / comment box templates
    result.comment_box = _check_templates(c, project, included, comment_box_text, COMMENT_BOX_LIMIT)

    # -- confidential material
    _check_confidential(c, project, scanned)

    # -- uploads
    result.uploads = uploads if uploads is not None else planned_uploads(project, versions)
    _check_uploads(c, project, result.uploads)

    # -- deadline and milestones
    result.deadline = _check_deadline(c, project, report)

    order = {s: i for i, s in enumerate(SEVERITIES)}
    result.findings = sorted(c.items, key=lambda f: order[f.severity])
    return result


def _check_text(c: _Collector, project, key: str, where: str, body: str, path, base: int, prof: dict) -> None:
    label = _label(project, key)
    for h in scan_placeholders(body):
        c.add("error", "placeholder", f"{label}: placeholder {h.text!r} left in the text", where, path,
              base + h.line)
    own = {str(prof.get(k) or "").strip().lower() for k in ("contact_email", "contact_phone")} - {""}
    own_digits = {re.sub(r"\D", "", str(prof.get("contact_phone") or ""))} - {""}
    for h in scan_personal_data(body):
        mine = h.text.lower() in own or (h.kind == "phone number" and re.sub(r"\D", "", h.text) in own_digits)
        if mine:
            c.add("note", "contact-in-text", f"{label}: the commenter's own contact {h.kind} {h.text!r} appears in "
                                             f"the text (it is public once filed)", where, path, base + h.line)
        else:
            c.add("warning", "personal-data", f"{label}: {h.kind} {h.text!r} in the text: comments are published "
                                              f"as filed; remove personal data unless it is meant to be public",
                  where, path, base + h.line)


def _check_empty_headings(c: _Collector, project, where: str, body: str, path, base: int) -> None:
    lines = body.split("\n")
    heads = [(i, len(m.group(1))) for i, ln in enumerate(lines) if (m := re.match(r"^\s{0,3}(#{1,6})\s", ln))]
    for n, (i, level) in enumerate(heads):
        nxt = next((j for j, lv in heads[n + 1:] if lv <= level), len(lines))
        following = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        content = "\n".join(lines[i + 1:min(nxt, following)]).strip()
        if not content and (n + 1 >= len(heads) or heads[n + 1][1] <= level):
            c.add("warning", "empty-section", f"{_label(project, where.split('/')[-1])}: heading "
                                              f"{lines[i].strip()!r} has nothing under it", where, path,
                  base + i + 1)


_PROFILE_TEXT = ("commenter_name", "client_description", "commenter_address", "interest_statement", "contact_name",
                 "contact_email", "contact_phone", "signatory_name", "signatory_title", "diligence_description")


def _check_profile(c: _Collector, project, prof: dict) -> None:
    path = project.profile_path
    if not prof:
        c.add("error", "no-profile", "no questionnaire answers (profile.yaml): the letter has no signatory, contact "
                                     "or letterhead address; run "
                                     f"'{hints.command(project.root, 'interview')}'", "profile",
              path if path.exists() else None)
        return

    def val(key):
        v = prof.get(key)
        if isinstance(v, (list, tuple)):
            return "\n".join(str(x) for x in v if str(x).strip()).strip()
        return str(v).strip() if v is not None else ""

    def line_of(key) -> int | None:
        try:
            for n, ln in enumerate(read_text(path, "profile file").split("\n"), start=1):
                if ln.startswith(f"{key}:"):
                    return n
        except (OSError, UserError):
            return None
        return None

    named = val("commenter_name")
    if named and " ".join(named.split()) != " ".join(project.file.commenter.name.split()):
        c.add("warning", "commenter-names-differ",
              f"the letter names the commenter {named!r} (commenter_name in profile.yaml), but the project file "
              f"says {project.file.commenter.name!r} (commenter.name in commentkit.yaml): make them agree",
              "profile", path, line_of("commenter_name"))
    if not val("signatory_name"):
        c.add("error", "no-signatory", "no signatory: the letter is unsigned (signatory_name in profile.yaml; "
                                       + hints.command(project.root, "interview", options=("--item", "signatory_name"))
                                       + ")", "profile", path)
    elif not val("signatory_title"):
        c.add("warning", "no-signatory-title", "the signatory has no title (signatory_title in profile.yaml)",
              "profile", path)
    if not val("contact_email") and not val("contact_phone"):
        c.add("warning", "no-contact", "no contact e-mail or phone: the agency cannot reach the commenter "
                                       "(contact_email / contact_phone in profile.yaml)", "profile", path)
    elif not val("contact_name"):
        c.add("note", "no-contact-name", "no contact name (contact_name in profile.yaml)", "profile", path)
    if not val("commenter_address"):
        c.add("warning", "no-address", "no letterhead address (commenter_address in profile.yaml)", "profile", path)
    if prof.get("commenter_type") == "law_firm" and not val("client_description"):
        c.add("warning", "no-client", "a law firm commenting on behalf of a client, but the client is not described "
                                      "(client_description in profile.yaml)", "profile", path)
    for key in _PROFILE_TEXT:
        v = val(key)
        if not v:
            continue
        for h in scan_placeholders(v):
            c.profile_placeholders.add(h.text)
            c.add("error", "placeholder", f"profile {key}: placeholder {h.text!r}", "profile", path, line_of(key))


def _check_templates(c: _Collector, project, included: list[str], box_text: str | None, limit: int) -> dict:
    """Docket ID and RIN in the letter; the comment box's length. Returns the comment-box report.

    The letter is built by :mod:`commentkit.build`, the code ``commentkit build`` runs, so the
    comment-box count here is the count ``build`` prints."""
    docket = project.pack.docket
    pack_file = Path(project.pack.path) / "docket.yaml"
    if not docket.docket_id:
        c.add("error", "no-docket-id", f"docket ID missing from the letter: the pack for {docket.id} has no "
                                       f"confirmed regulations.gov docket ID (set docket_id in docket.yaml)",
              "docket", pack_file)
    if not docket.rin:
        c.add("warning", "no-rin", f"no RIN in the pack for {docket.id}: the Re: line carries none (set rin in "
                                   f"docket.yaml if the notice has one)", "docket", pack_file)
    try:
        letter = build.build_letter(project, version=build.comment_box_version(project))
    except UserError as exc:
        c.add("error", "template", f"the letter cannot be built: {exc.format()}", "templates")
        return {"characters": None, "at_most": None, "exact": False, "limit": limit, "fits": None}
    plain = build.document_text(letter.document)
    if docket.docket_id and docket.docket_id not in plain:
        c.add("error", "no-docket-id", f"docket ID {docket.docket_id} missing from the letter (a template override "
                                       f"dropped it from the Re: line?)", "templates")
    if docket.rin and docket.rin not in plain:
        c.add("error", "no-rin", f"RIN {docket.rin} missing from the letter (a template override dropped it from "
                                 f"the Re: line?)", "templates")
    answer_text = "\n".join(a.body for a in project.answers.values())
    for h in scan_placeholders(plain):
        if h.kind == "template" or h.text in c.profile_placeholders or h.text in answer_text:
            continue  # answers' placeholders are reported at the answer; profile ones at profile.yaml
        c.add("error", "placeholder", f"letter template: placeholder {h.text!r} (in a template or a questionnaire "
                                      f"answer it prints)", "templates")

    if box_text is None:
        box_text = build.comment_box_text(letter)
    n = len(box_text)
    # "exact" and "at_most" stay for callers of the earlier JSON: the count is always exact now
    box = {"characters": n, "at_most": n, "exact": True, "limit": limit, "fits": n <= limit}
    if n > limit:
        c.add("error", "comment-box", f"the comment-box text is {n:,} characters, {n - limit:,} over regulations.gov's "
                                      f"{limit:,}: shorten general/executive-summary.md or override "
                                      f"templates/comment-box.md.j2", "general/executive-summary")
    return box


def _check_confidential(c: _Collector, project, included: list[str]) -> None:
    docket = project.pack.docket
    accepts = docket.confidential_submissions
    for key in included:
        ans = project.answers[key]
        where = key if key not in GENERAL_SECTIONS else f"general/{key}"
        base = _body_first_line(ans) - 1
        body = ans.body
        label = _label(project, key)
        marked = BCI_OPEN in body
        if marked and not accepts:
            line = _line_of(body, body.index(BCI_OPEN))
            c.add("error", "confidential-not-accepted",
                  f"{label} marks business confidential material ([[BCI]]), but {docket.id} does not accept "
                  f"confidential submissions: everything filed is public. Remove the material (the markers alone "
                  f"do not protect it)", where, ans.path, base + line)
        if accepts or marked:
            for p in bci_problems(body):
                c.add("error", "confidential-marker", f"{label}: {p.message}", where, ans.path, base + p.line)
        rest = outside_bci(body)
        for m in _UNMARKED_CONF.finditer(rest) if _may_be_unmarked_confidential(rest) else ():
            if accepts:
                msg = (f"{label}: {m.group(0)!r} outside a [[BCI]] passage: if this is confidential material it "
                       f"would be in the public version; mark it [[BCI]]…[[/BCI]]")
            else:
                msg = (f"{label}: {m.group(0)!r}: {docket.id} does not accept confidential submissions, so "
                       f"everything filed is public")
            c.add("warning", "unmarked-confidential", msg, where, ans.path, base + _line_of(rest, m.start()))
        if key == "executive-summary" and marked and accepts:
            c.add("note", "confidential-comment-box", f"{label} has confidential passages: the comment box (public) "
                                                      f"shows them redacted", where, ans.path)


def _check_uploads(c: _Collector, project, uploads: list[Upload]) -> None:
    accepts = project.pack.docket.confidential_submissions
    if len(uploads) > MAX_ATTACHMENTS:
        c.add("error", "too-many-attachments", f"{len(uploads)} files to upload: regulations.gov takes at most "
                                               f"{MAX_ATTACHMENTS} per comment (combine exhibits into one PDF)",
              ATTACHMENTS_DIR)
    for u in uploads:
        where = f"{ATTACHMENTS_DIR}/{u.name}" if u.role == "attachment" else u.name
        ext = u.name.rsplit(".", 1)[-1].lower() if "." in u.name else ""
        if ext in LEGACY_TYPES:
            c.add("error", "file-type", f"{u.name}: .{ext} is not among the file types regulations.gov takes; save it "
                                        f"as .{ext}x or PDF", where, u.path)
        elif ext not in ACCEPTED_TYPES:
            c.add("error", "file-type", f"{u.name}: {'.' + ext if ext else 'no extension'} is not among the file "
                                        f"types regulations.gov takes ({', '.join(sorted(ACCEPTED_TYPES))})",
                  where, u.path)
        if u.size is not None and u.size > MAX_ATTACHMENT_BYTES:
            c.add("error", "file-size", f"{u.name} is {u.size / 1048576:.1f} MB: regulations.gov takes at most "
                                        f"{MAX_ATTACHMENT_BYTES // 1048576} MB per file", where, u.path)
        elif u.size == 0:
            c.add("error", "file-empty", f"{u.name} is empty", where, u.path)
        if u.role == "attachment" and u.confidential and not accepts:
            c.add("error", "confidential-not-accepted", f"{u.name} is named as a business confidential file (BCI…), "
                                                        f"but {project.pack.docket.id} does not accept confidential "
                                                        f"submissions", where, u.path)
    try:
        rp = reference_docx_for(project)
    except UserError as exc:
        c.add("error", "reference-docx", f"the letter cannot be built: {exc.format()}", "build.reference_docx")
        rp = None
    if rp is not None and rp.stat().st_size > MAX_ATTACHMENT_BYTES:
        c.add("error", "file-size", f"the reference Word file {rp.name} is over 10 MB, so the letter built from it "
                                    f"will be too", "build.reference_docx", rp)
    folder = project.root / ATTACHMENTS_DIR
    if folder.is_dir():
        for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
            c.add("warning", "attachment-folder", f"{ATTACHMENTS_DIR}/{sub.name}/ is a folder: only files directly "
                                                  f"in {ATTACHMENTS_DIR}/ are uploaded", f"{ATTACHMENTS_DIR}/{sub.name}",
                  sub)


def _check_deadline(c: _Collector, project, report) -> dict:
    t = report.time
    specs = project.file.milestones
    if t.closed:
        c.add("error", "deadline-passed", f"the comment period closed {dl.describe_ago(t.closed_for)} "
                                          f"({dl.format_instant(t.deadline)}). {dl.LATE_WARNING}", "deadline")
    else:
        last = min(specs, key=lambda m: m.business_days_before) if specs else None
        if t.calendar_days == 0:
            c.add("warning", "deadline-today", f"the deadline is today: {t.summary()} left "
                                               f"({dl.format_instant(t.deadline)})", "deadline")
        elif last is not None and t.business_days < last.business_days_before:
            c.add("warning", "deadline-near", f"{dl.plural(t.business_days, 'business day')} left, fewer than the "
                                              f"last milestone ({last.name}, {dl.plural(last.business_days_before, 'business day')} "
                                              f"before the deadline of {dl.format_instant(t.deadline)})", "deadline")
        for m in report.milestones:
            if m.state == "missed":
                c.add("note", "milestone-missed", f"milestone {m.name!r} ({dl.format_day(m.date)}) was missed: "
                                                  f"{m.reached}/{m.total} core answers had reached {m.needed}",
                      "deadline")
    return {"deadline": t.deadline.isoformat(), "closed": t.closed, "summary": t.summary(),
            "business_days_left": t.business_days, "calendar_days_left": t.calendar_days}
