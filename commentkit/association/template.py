"""The distributable member template: one YAML file an association e-mails to its members.

It holds everything a member needs without access to the association's project: the docket
and its deadline, the association's identity, each question (with its provenance, exactly as
the letter shows it), the association's position (locked or editable) and prompt, the
questionnaire items members must fill (their full definitions), the member due date, the
association's letter templates and letterhead (binary files as base64), and the template's id
and version.

The last line is ``checksum: sha256:<hex>``, the digest of every byte before it (line endings
normalised to LF, so a mail client's CRLF rewrite does not matter). A truncated file has no
such line; a changed one has a wrong digest. Both are refused before anything is parsed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import Field

from commentkit.association.settings import Attribution
from commentkit.errors import UserError
from commentkit.files import clock, limits, paths
from commentkit.files.yamlio import declared_version, dump_yaml, parse_yaml, read_text, refuse_newer, validate
from commentkit.letter.assemble import question_intro
from commentkit.letter.writers.docx import check_docx_safe
from commentkit.models.docket import ID_PATTERN, Strict, Wording
from commentkit.models.interview import Item

TEMPLATE_FORMAT = "commentkit-member-template"
TEMPLATE_FORMAT_VERSION = 1
CHECKSUM_PREFIX = "checksum: sha256:"
MAX_TEMPLATE_BYTES = limits.ASSOCIATION_TEMPLATE_BYTES  # the limit table (commentkit.files.limits)
MAX_EMBEDDED_FILE = 5 * 1024 * 1024


class TemplateId(Strict):
    id: str
    version: int = Field(ge=1)
    created: str


class TemplateAssociation(Strict):
    name: str = Field(min_length=1)
    short_name: str | None = None
    contact: str | None = None
    return_to: str | None = None
    confidentiality: str | None = None
    attribution: Attribution = "anonymised"


class TemplateDocket(Strict):
    id: str
    docket_id: str | None = None
    agency: str
    title: str
    rin: str | None = None
    citation: str = Field(description="e.g. 88 FR 54961")
    document_number: str
    publication_date: dt.date
    deadline: dt.datetime = Field(description="The agency's deadline, with its offset")
    deadline_zone: str


class TemplateQuestion(Strict):
    id: str = Field(pattern=ID_PATTERN, description="A question id of the docket pack (also an answer file name)")
    number: int | None = None
    heading: str
    section: str
    text: str
    wording: Wording
    cite: str
    intro: str | None = Field(None, description="How the letter introduces the question (official or summary)")
    position: str | None = None
    locked: bool = False
    prompt: str | None = None


class EmbeddedFile(Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-][A-Za-z0-9_./-]*$")
    encoding: Literal["utf-8", "base64"]
    data: str

    def content(self) -> bytes:
        if self.encoding == "utf-8":
            return self.data.encode("utf-8")
        try:
            return base64.b64decode(self.data, validate=True)
        except (ValueError, TypeError):
            raise ValueError(f"embedded file {self.name!r} is not valid base64") from None

    @classmethod
    def of(cls, name: str, raw: bytes) -> "EmbeddedFile":
        try:
            text = raw.decode("utf-8")
            if "\x00" not in text and "\r" not in text:
                return cls(name=name, encoding="utf-8", data=text)
        except UnicodeDecodeError:
            pass
        return cls(name=name, encoding="base64", data=base64.b64encode(raw).decode("ascii"))


class MemberTemplate(Strict):
    format: Literal["commentkit-member-template"]
    format_version: int
    template: TemplateId
    association: TemplateAssociation
    docket: TemplateDocket
    member_due: dt.date
    required_items: list[str] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list, description="Definitions of the items members fill")
    questions: list[TemplateQuestion] = Field(min_length=1)
    templates: list[EmbeddedFile] = Field(default_factory=list)
    reference_docx: EmbeddedFile | None = None
    positions_checksum: str

    def question(self, qid: str) -> TemplateQuestion | None:
        for q in self.questions:
            if q.id == qid:
                return q
        return None

    def item(self, iid: str) -> Item | None:
        for it in self.items:
            if it.id == iid:
                return it
        return None

    @property
    def label(self) -> str:
        return f"{self.template.id} version {self.template.version}"


def positions_checksum(questions) -> str:
    """Digest of the locked positions (question id and text), to recognise a template's forms."""
    locked = sorted((q.id, q.position or "") for q in questions if q.locked)
    return hashlib.sha256(json.dumps(locked, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


# ---- writing -------------------------------------------------------------------------------

HEADER = """\
# commentkit member template: {assoc} -- {docket} ({citation})
# Member due date: {due}. Agency deadline: {deadline}.
# Start your response with:  commentkit init my-response --from-template {filename} --commenter "Your Company"
# Do not edit this file: its last line is a checksum, and an edited or shortened copy is refused.
"""


def build(project, settings, *, now: dt.datetime | None = None) -> MemberTemplate:
    """The template for an association ``project`` (a commentkit Project) and its settings."""
    pack = project.pack
    docket = pack.docket
    name = settings.association.name or project.commenter_name
    questions: list[TemplateQuestion] = []
    for q in pack.bank.ordered():
        qs = settings.questions.get(q.id)
        if qs is None:
            continue
        questions.append(TemplateQuestion(
            id=q.id, number=q.number, heading=pack.heading(q), section=pack.bank.section(q.section).title,
            text=q.text.strip(), wording=q.wording, cite=pack.cite(q), intro=question_intro(q, pack),
            position=qs.position, locked=qs.locked,
            prompt=qs.prompt))
    wanted = set(settings.required_items) | set(settings.aggregate_items or [])
    items = [it for it in (pack.interview.items if pack.interview is not None else []) if it.id in wanted]
    created = (now or clock.now()).astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()
    return MemberTemplate(
        format=TEMPLATE_FORMAT, format_version=TEMPLATE_FORMAT_VERSION,
        template=TemplateId(id=settings.template.id, version=settings.template.version, created=created),
        association=TemplateAssociation(name=name, short_name=settings.association.short_name,
                                        contact=settings.association.contact,
                                        return_to=settings.association.return_to,
                                        confidentiality=settings.association.confidentiality,
                                        attribution=settings.attribution),
        docket=TemplateDocket(id=docket.id, docket_id=docket.docket_id, agency=docket.agency, title=docket.title,
                              rin=docket.rin, citation=docket.citation,
                              document_number=docket.federal_register.document_number,
                              publication_date=docket.federal_register.publication_date,
                              deadline=docket.deadline.instant(), deadline_zone=docket.deadline.timezone),
        member_due=settings.member_due,
        required_items=list(settings.required_items),
        items=items,
        questions=questions,
        templates=_embedded_templates(project),
        reference_docx=_embedded_reference(project),
        positions_checksum=positions_checksum(questions),
    )


def _embedded_templates(project) -> list[EmbeddedFile]:
    folder_name = project.file.build.templates
    if not folder_name:
        return []
    folder = project.root / folder_name
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.stat().st_size > MAX_EMBEDDED_FILE:
            raise UserError(f"template file is too large to send to members (limit {MAX_EMBEDDED_FILE} bytes)", path)
        out.append(EmbeddedFile.of(path.relative_to(folder).as_posix(), paths.read_regular(path, "template file")))
    return out


def _embedded_reference(project) -> EmbeddedFile | None:
    ref = project.file.build.reference_docx
    if not ref:
        return None
    path = project.root / ref
    if not path.is_file():
        raise UserError(f"build.reference_docx names {ref!r}, which does not exist", project.project_path)
    if path.stat().st_size > MAX_EMBEDDED_FILE:
        raise UserError(f"reference DOCX is too large to send to members (limit {MAX_EMBEDDED_FILE} bytes)", path)
    check_docx_safe(path, "reference Word file")  # members should not receive a broken letterhead
    return EmbeddedFile.of(path.name, paths.read_regular(path, "reference Word file"))


def render(template: MemberTemplate, filename: str = "THIS-FILE") -> str:
    """The template file's text, checksum line included."""
    header = HEADER.format(assoc=template.association.name, docket=template.docket.id,
                           citation=template.docket.citation, due=template.member_due.isoformat(),
                           deadline=template.docket.deadline.isoformat(), filename=filename)
    data = template.model_dump(mode="json", exclude_none=True)
    body = header + dump_yaml(data)
    return seal(body)


def seal(body: str) -> str:
    body = body.replace("\r\n", "\n")
    if not body.endswith("\n"):
        body += "\n"
    return body + CHECKSUM_PREFIX + hashlib.sha256(body.encode("utf-8")).hexdigest() + "\n"


def unseal(text: str, path: Path, what: str) -> str:
    """Check the trailing checksum line; return the text before it."""
    text = text.replace("\r\n", "\n")
    stripped = text.rstrip("\n")
    cut = stripped.rfind("\n")
    last = stripped[cut + 1:]
    if not last.startswith(CHECKSUM_PREFIX):
        raise UserError(f"{what} is truncated or damaged (its last line is not the checksum line); "
                        f"ask for a fresh copy", path)
    body = stripped[: cut + 1]
    digest = last[len(CHECKSUM_PREFIX):].strip()
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != digest:
        raise UserError(f"{what} was changed or damaged after it was written (checksum mismatch); "
                        f"ask for a fresh copy", path)
    return body


def parse(text: str, path: Path) -> MemberTemplate:
    body = unseal(text, path, "member template")
    data = parse_yaml(body, path)
    if not isinstance(data, dict) or data.get("format") != TEMPLATE_FORMAT:
        raise UserError("not a commentkit member template (no 'format: commentkit-member-template')", path)
    refuse_newer(declared_version(data, path, missing=TEMPLATE_FORMAT_VERSION, key="format_version", text=body),
                 TEMPLATE_FORMAT_VERSION, path, "member template", body, key="format_version")
    tpl = validate(MemberTemplate, data, path, body)
    for f in [*tpl.templates, *([tpl.reference_docx] if tpl.reference_docx else [])]:
        if ".." in f.name.split("/") or f.name.startswith("/"):
            raise UserError(f"embedded file name {f.name!r} points outside the project", path)
        try:
            f.content()
        except ValueError as exc:
            raise UserError(str(exc), path) from None
    if positions_checksum(tpl.questions) != tpl.positions_checksum:
        raise UserError("positions checksum does not match the positions in the file", path)
    return tpl


def load(path: Path) -> MemberTemplate:
    """Read and verify a member template file (one-line errors for anything wrong)."""
    path = Path(path)
    paths.check_regular(path, "member template")  # no FIFO, device or link out of a managed folder
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except FileNotFoundError:
        raise UserError("member template not found", path) from None
    except IsADirectoryError:
        raise UserError("expected a member template file, found a folder", path) from None
    except OSError as exc:
        raise UserError(f"cannot read member template: {exc.strerror or exc}", path) from None
    if magic == b"PK\x03\x04":
        raise UserError("this is a Word (.docx) file, not a member template; a returned member form is read "
                        "with 'commentkit init DIR --from-form FILE.docx' or 'commentkit collect'", path)
    text = read_text(path, "member template", MAX_TEMPLATE_BYTES)
    return parse(text, path)
