"""The ``--json`` outputs: one pydantic model per output, one vocabulary (docs/json.md).

Commands print their JSON through :func:`commentkit.cli.jsonout.emit`, which validates the data
against the output's model here (a key that is not in the model is an error, so the published
schema cannot silently drift) and prints it with ``"schema": "commentkit/<output>/v<N>"`` first.
This module is imported only when ``--json`` is given: creating some forty models costs more
than a light command's whole work.

``python -m commentkit.cli.schemas docs/json`` writes the JSON Schema files of every output;
``tests/test_json_schemas.py`` checks the committed files are these, and validates every
command's output against them.

Vocabulary (the same key for the same thing everywhere): ``docket`` is always a
:class:`DocketRef` object; a question is ``question_id`` (never ``id``/``key``); its priority is
``level`` with ``reasons``; an answer's status is ``status`` (``unanswered`` / ``draft`` /
``review`` / ``final`` / ``skipped``) with ``skip_reason``; a general section of the letter is
``general_section``; a command that changes something says ``changed`` and lists ``written``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from commentkit.files import storage

Level = Literal["core", "recommended", "optional"]
Status = Literal["unanswered", "draft", "review", "final", "skipped"]
Wording = Literal["official", "summary"]
GeneralSection = Literal["executive-summary", "background", "general-comments", "conclusion"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Output(_Model):
    """Base of every output: ``schema`` first."""

    NAME: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1
    schema_: str = Field(alias="schema", description="commentkit/<output>/v<N>: the schema of this object")

    @classmethod
    def schema_id(cls) -> str:
        return f"commentkit/{cls.NAME}/v{cls.VERSION}"


# ---- shared parts ---------------------------------------------------------------------------

class DocketRef(_Model):
    """A docket, the same object in every output."""

    id: str = Field(description="The pack id, as --docket takes it")
    docket_id: str | None = Field(description="The regulations.gov docket ID, or null when not confirmed")
    title: str
    citation: str = Field(description="Federal Register citation of the notice, e.g. 88 FR 54961")


class PageSpan(_Model):
    first: int
    last: int


class Question(_Model):
    """A question of the notice (``questions``, ``show``)."""

    question_id: str
    number: int | None = Field(description="The agency's number, only where the docket pack confirms it")
    section: str
    section_title: str
    title: str
    text: str
    wording: Wording
    fr_pages: PageSpan
    page_known: bool
    citation: str
    tags: list[str]


class QuestionRow(_Model):
    """A question with its priority and its answer's state (``plan``, ``status``)."""

    question_id: str
    number: int | None
    heading: str
    title: str
    section: str
    wording: Wording
    citation: str
    level: Level
    reasons: list[str]
    reason_details: list[dict[str, Any]] = Field(
        description="Each reason's kind, level and the facts it rests on (the same order as reasons)")
    status: Status
    skip_reason: str | None
    owner: str | None
    words: int
    changed_since_final: str | None = Field(
        description="'changed since marked final by X on DATE' when the text changed after approval (then review)")


class Group(_Model):
    """Answers of one priority level or one section of the notice."""

    key: str
    title: str
    questions: int
    counts: dict[str, int] = Field(description="Answers per status")
    done: int = Field(description="Final or skipped")
    words: int


class GeneralSectionRow(_Model):
    general_section: str
    title: str
    status: Status
    owner: str | None
    words: int
    changed_since_final: str | None


class Holiday(_Model):
    date: str
    name: str


class TimeLeft(_Model):
    deadline: str
    deadline_utc: str
    timezone: str
    now: str
    today: str
    closed: bool
    calendar_days_left: int | None
    business_days_left: int | None
    hours_left: float | None
    closed_days_ago: int | None
    closed_hours_ago: float | None
    warning: str | None
    holidays_before_deadline: list[Holiday]
    business_day_convention: str
    deadline_local: str
    local_timezone: str | None = None
    source: str | None = Field(None, description="status: where the deadline comes from (the notice's DATES text)")
    history: list[dict[str, Any]] | None = Field(None, description="status: earlier deadlines it replaced "
                                                                   "(extension, reopening), oldest first")


class Milestone(_Model):
    name: str
    business_days_before: int
    needed_status: Status
    date: str
    due: str
    state: Literal["met", "due", "missed", "unranked"]
    met_already: bool
    core_reached: int
    core_total: int
    core_missing: list[str]


class Finding(_Model):
    severity: Literal["error", "warning", "note"]
    code: str
    message: str
    where: str | None
    path: str | None
    line: int | None


class Upload(_Model):
    name: str
    role: str
    path: str | None
    bytes: int | None
    confidential: bool


# ---- outputs --------------------------------------------------------------------------------

class Dockets(Output):
    NAME = "dockets"

    class Entry(_Model):
        docket: DocketRef
        type: str
        rin: str | None
        deadline: str
        deadline_text: str
        deadline_moved_from: list[str] = Field(description="Earlier deadlines (extensions), oldest first")
        period: Literal["open", "closed"]
        questions: int
        official_wordings: int
        summary_wordings: int
        source: str
        origin: str
        replaces_shipped: bool
        unresolved: list[str]
        path: str

    dockets: list[Entry]


class DocketsCheckUpdates(Output):
    NAME = "dockets-check-updates"

    class Entry(_Model):
        docket: DocketRef
        source: str
        document_number: str
        deadline: str
        outcome: str = Field(description="unchanged, moved, or why it was not checked")
        new_deadline: str | None
        accepted: bool
        pack: str | None = None

    dockets: list[Entry]
    changed: bool
    written: list[str]


class Questions(Output):
    NAME = "questions"
    docket: DocketRef
    questions: list[Question]


class Show(Question, Output):
    NAME = "show"
    docket: DocketRef


class Init(Output):
    NAME = "init"
    project: str
    docket: DocketRef
    commenter: str
    kind: Literal["project", "member-from-template", "member-from-form"]
    questions: int
    answers: int = Field(description="Answer files created (from a returned member form)")
    problems: list[str]
    changed: bool
    written: list[str]


class Interview(Output):
    NAME = "interview"
    project: str
    profile: str
    docket: DocketRef
    answers: dict[str, Any]
    not_applicable: list[str]
    unanswered: list[str]
    required_unanswered: list[str]
    items_asked: int
    stored: list[str] = Field(description="Items stored by this command (--answers / --defaults)")
    changed: bool
    written: list[str]


class Plan(Output):
    NAME = "plan"
    project: str
    docket: DocketRef
    profile: str
    questionnaire: bool = Field(description="Whether the docket pack has a questionnaire")
    answers: int = Field(description="Questionnaire items answered")
    unanswered: list[str] = Field(description="Questionnaire items not answered yet")
    counts: dict[Level, int]
    questions: list[QuestionRow]
    promoted: list[str] = Field(description="Questions you promoted to core (plan --promote)")


class Answer(Output):
    NAME = "answer"
    project: str
    question_id: str | None
    general_section: GeneralSection | None
    path: str
    status_before: Status
    status: Status
    owner: str | None
    changed: bool
    written: list[str]
    notes: list[str]
    words: int
    source: str | None = Field(description="Where the text came from: editor, --text, a file, standard input, ...")


class Mark(Output):
    """``mark`` (one or several answers; also ``plan --skip``)."""

    NAME = "mark"

    class Row(_Model):
        question_id: str | None
        general_section: GeneralSection | None
        path: str
        status_before: Status
        status: Status
        owner: str | None
        approved_by: str | None = Field(description="Who approved the text of a final answer")

    project: str
    status: Status = Field(description="The status set")
    skip_reason: str | None
    answers: list[Row] = Field(description="The answers this command changed")
    unchanged: list[str] = Field(description="Selected answers that already had this status")
    selected: int
    changed: bool
    written: list[str]


class Status_(Output):
    NAME = "status"

    class MemberDue(_Model):
        model_config = ConfigDict(extra="allow")

    project: str
    docket: DocketRef
    commenter: str
    deadline: TimeLeft
    totals: dict[str, Any]
    by_priority: list[Group]
    by_section: list[Group]
    general_sections: list[GeneralSectionRow]
    core_open: list[QuestionRow]
    core_skipped: list[QuestionRow]
    milestones: list[Milestone]
    milestones_from: str
    unsaved_edits: list[str]
    changed_since_final: list[dict[str, Any]] = Field(
        description="Answers whose text changed after they were marked final: question_id or general_section, note")
    questions: list[QuestionRow]
    member_due: dict[str, Any] | None = None


class Deadline(Output):
    NAME = "deadline"
    project: str
    docket: DocketRef
    deadline: TimeLeft
    milestones: list[Milestone]
    ics: str | None
    changed: bool
    written: list[str]


class Build(Output):
    NAME = "build"

    class CommentBox(_Model):
        characters: int
        limit: int
        fits: bool

    project: str
    docket: DocketRef
    versions: list[str]
    draft: bool
    written: list[str]
    included: list[str] = Field(description="Answers in the letter (question ids and general sections)")
    warnings: list[str]
    comment_box: CommentBox | None
    error: str | None
    changed: bool


class ImportDocx(Output):
    NAME = "import-docx"

    class Comment(_Model):
        author: str | None
        text: str

    class AnswerImport(_Model):
        question_id: str | None
        general_section: str | None
        state: str = Field(description="changed, new, unchanged, conflict or refused")
        path: str
        reason: str | None
        status_before: str | None
        status: str | None = Field(description="The answer's status after the import")
        issues: list[str]
        comments: list[ImportDocx.Comment] = Field(description="Word comments on the answer's text")
        notes: list[str] = Field(description="What the three-way comparison decided, in words")
        lost_anchor_text: list[str] = Field(description="Text the change would delete that is elsewhere in Word")
        diff: str | None

    class Outside(_Model):
        text: str
        after: str | None

    class Uncertain(_Model):
        text: str
        why: str

    file: str
    project: str
    docket: DocketRef
    version: str | None
    applied: bool
    changed: bool
    written: list[str]
    answers: list[AnswerImport]
    uncertain_text: list[Uncertain]
    identified_by: str = Field(description="How the letter was recognised: properties, or structure")
    missing_anchors: list[str]
    outside_text: list[Outside]
    tracked_changes_accepted: int
    comments_ignored: int
    warnings: list[str]


class Check(Output):
    NAME = "check"
    project: str
    docket: DocketRef
    commenter: str
    ready: bool
    strict: bool
    counts: dict[str, int]
    findings: list[Finding]
    comment_box: dict[str, Any]
    uploads: list[Upload]
    versions: list[str]
    deadline: dict[str, Any]


class Package(Output):
    NAME = "package"

    class CheckPart(_Model):
        ready: bool
        counts: dict[str, int]
        findings: list[Finding]
        comment_box: dict[str, Any]
        uploads: list[Upload]
        versions: list[str]
        deadline: dict[str, Any]

    project: str
    docket: DocketRef
    out: str
    files: list[str]
    pdf: str | None
    pdf_made: bool
    comment_box_characters: int | None
    check: CheckPart
    changed: bool
    written: list[str]


class TemplateInit(Output):
    NAME = "template-init"
    project: str
    docket: DocketRef
    changed: bool
    written: list[str]


class TemplateCreate(Output):
    NAME = "template-create"
    project: str
    docket: DocketRef
    format: Literal["yaml", "docx"]
    template: str = Field(description="Template label (id and version)")
    association: str
    questions: int
    locked_positions: int
    required_items: list[str]
    member_due: str
    changed: bool
    written: list[str]


class TemplateShow(Output):
    NAME = "template-show"
    file: str
    template: dict[str, Any] = Field(description="The member template's content (docs/association.md)")


class Collect(Output):
    NAME = "collect"
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)
    out: str
    draft: str
    headline: str
    responses: int
    responses_from_roster: int
    responses_off_roster: int
    returned_empty: list[str]
    roster: int | None
    missing: list[str]
    late: list[str]
    skipped: list[dict[str, Any]]
    superseded: list[dict[str, Any]]
    ties: list[dict[str, Any]] = Field(description="Responses of one member that cannot be ordered: not counted")
    unsearchable_aliases: list[str] = Field(description="Member aliases too short to find in the draft")
    members: list[dict[str, Any]]
    disagreements: list[dict[str, Any]]
    aggregates: Any
    compilation: Any
    changed: bool
    written: list[str]


class ExportResponse(Output):
    NAME = "export-response"
    project: str
    docket: DocketRef
    commenter: str
    changed: bool
    written: list[str]


class DocketImport(Output):
    NAME = "docket-import"
    pack: str
    docket: DocketRef
    details: dict[str, Any] = Field(description="The pack's docket.yaml, as written")
    questions: int
    unresolved: list[str]
    report: dict[str, Any] = Field(description="What the importer found and could not determine, part by part")
    dry_run: bool
    changed: bool
    written: list[str]


class DocketFetch(DocketImport):
    NAME = "docket-fetch"


class DocketUpdate(Output):
    NAME = "docket-update"
    pack: str
    docket: DocketRef
    questions: list[dict[str, Any]] = Field(description="What happened to each question (matched, added, ...)")
    docket_changes: list[dict[str, Any]] = Field(description="docket.yaml fields changed: field, old, new")
    counts: dict[str, int]
    review: list[dict[str, Any]] = Field(description="Matches a person should review (by similarity, proposed)")
    dry_run: bool
    changed: bool
    written: list[str]


class DocketAmendment(Output):
    """``docket import`` / ``fetch`` of an extension, reopening or correction notice."""

    NAME = "docket-amendment"
    docket: DocketRef = Field(description="The pack the notice amends")
    kind: str = Field(description="extension, reopening or correction")
    notice: str
    matched_by: str = Field(description="How the amended pack was found")
    source: str
    old_deadline: str
    new_deadline: str | None
    check: list[str] = Field(description="What a person should check in the pack")
    pack: str | None = Field(description="Where the amended pack was written")
    dry_run: bool
    changed: bool
    written: list[str]


OUTPUTS: tuple[type[Output], ...] = (
    Dockets, DocketsCheckUpdates, Questions, Show, Init, Interview, Plan, Answer, Mark, Status_, Deadline,
    Build, ImportDocx, Check, Package, TemplateInit, TemplateCreate, TemplateShow, Collect, ExportResponse,
    DocketImport, DocketFetch, DocketUpdate, DocketAmendment)
BY_NAME = {o.NAME: o for o in OUTPUTS}


def json_schema(output: type[Output]) -> dict[str, Any]:
    schema = output.model_json_schema(by_alias=True, mode="serialization")
    schema["properties"]["schema"] = {"const": output.schema_id(), "description": "The schema of this object",
                                      "title": "Schema", "type": "string"}
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": output.schema_id(), **schema}
    schema["title"] = f"commentkit {output.NAME} --json, version {output.VERSION}"
    return schema


def schema_files() -> dict[str, str]:
    """File name -> content of every output's JSON Schema (``docs/json/``)."""
    return {f"{o.NAME}.v{o.VERSION}.schema.json": json.dumps(json_schema(o), indent=2, ensure_ascii=False) + "\n"
            for o in OUTPUTS}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m commentkit.cli.schemas DIR   (writes the JSON Schema files)", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for name, text in schema_files().items():
        storage.atomic_write(out / name, text.encode("utf-8"))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
