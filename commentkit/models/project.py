"""Schema of a comment project's files: ``commentkit.yaml`` and the answer files' front matter.

Layout (docs/projects.md explains the choice)::

    my-comment/
      commentkit.yaml        project file: docket, commenter, settings (commented, edit freely)
      profile.yaml           questionnaire answers (the exposure profile)
      answers/<id>.md        one Markdown file per agency question: front matter + answer
      general/<name>.md      executive summary, background, general comments, conclusion
      templates/             optional: your own copies of letter templates
      build/                 what `commentkit build` writes (safe to delete)
      .commentkit/           backups and the lock file (safe to ignore in git)
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from commentkit.models.docket import Strict

PROJECT_SCHEMA_VERSION = 1
PROJECT_FILE = "commentkit.yaml"
PROFILE_FILE = "profile.yaml"
ANSWERS_DIR = "answers"
GENERAL_DIR = "general"
STATE_DIR = ".commentkit"

Status = Literal["draft", "review", "final", "skipped"]
STATUSES: tuple[str, ...] = ("draft", "review", "final", "skipped")

GENERAL_SECTIONS: dict[str, str] = {
    "executive-summary": "Executive Summary",
    "background": "Background",
    "general-comments": "General Comments",
    "conclusion": "Conclusion",
}
"""Parts of the letter that are not agency questions, in letter order."""


class Commenter(Strict):
    name: str = Field(min_length=1, description="Organization or person submitting the comment")
    short_name: str | None = Field(
        None, description="The short name the letter defines and then uses: 'Meridian' for 'Meridian Deposition "
                          "Systems, Inc.' (defined as (\u201cMeridian\u201d)), or 'the System' (defined as "
                          "(the \u201cSystem\u201d)). Default: derived from the name")


class Milestone(Strict):
    name: str
    business_days_before: int = Field(ge=0, description="Business days before the agency deadline")
    status: Literal["draft", "review", "final"] = Field(
        "final", description="Status every core answer must have reached by then")


def default_milestones() -> list[Milestone]:
    return [
        Milestone(name="First draft", business_days_before=10, status="draft"),
        Milestone(name="Legal review", business_days_before=5, status="review"),
        Milestone(name="Sign-off", business_days_before=2, status="final"),
    ]


class BuildSettings(Strict):
    formats: list[Literal["docx", "md", "txt"]] = Field(default_factory=lambda: ["docx", "md", "txt"])  # type: ignore[arg-type]
    appendix: Literal["auto", "always", "never"] = Field(
        "auto", description="The appendix table of questions answered: 'auto' prints it only when it adds "
                            "something (an official question, or a page narrower than the whole notice)")
    out: str = "build"
    reference_docx: str | None = Field(None, description="Word file whose styles, page setup and letterhead to use")
    templates: str | None = Field("templates", description="Folder of template overrides, relative to the project")


class MemberLink(Strict):
    """``member:`` block: this project is a member's response to a trade association's template."""

    association: str = Field(min_length=1, description="The association whose comments the member joins")
    template: str = Field(min_length=1, description="Template id")
    version: int = Field(ge=1, description="Template version")
    due: dt.date = Field(description="The association's member due date (earlier than the agency's)")
    member_id: str | None = Field(None, description="The member's id on the association's roster, if given")
    submitted: dt.datetime | None = Field(None, description="When the response was sent, if you record it here; "
                                                         "otherwise collect uses the latest answer's time")


class ProjectFile(Strict):
    """``commentkit.yaml``."""

    schema_version: int = PROJECT_SCHEMA_VERSION
    docket: str = Field(min_length=1)
    commenter: Commenter
    owner: str | None = Field(None, description="Default owner of answers (a name or initials)")
    milestones: list[Milestone] = Field(default_factory=default_milestones)
    build: BuildSettings = Field(default_factory=BuildSettings)
    member: MemberLink | None = Field(None, description="Set in member projects (init --from-template)")


class Approval(Strict):
    """``approved:`` in an answer's front matter: who marked the text final, when, and a
    fingerprint of the text they approved (set by ``commentkit mark ID final``)."""

    by: str = Field(min_length=1, description="Who marked the answer final")
    at: dt.datetime = Field(description="When")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the approved text, normalized "
                                                                "(see commentkit.answerfile.fingerprint)")

    @field_validator("at")
    @classmethod
    def _aware(cls, v):
        return v.replace(tzinfo=dt.timezone.utc) if v.tzinfo is None else v


Origin = Literal["questionnaire", "collect"]
ORIGIN_LABELS: dict[str, str] = {"questionnaire": "drafted from the questionnaire",
                                 "collect": "holds member input inserted by commentkit collect"}


class AnswerMeta(Strict):
    """Front matter of an answer file (``answers/<id>.md`` or ``general/<name>.md``)."""

    question: str | None = Field(None, description="Question id (answers/)")
    section: str | None = Field(None, description="General section name (general/)")
    status: Status = "draft"
    owner: str | None = None
    updated: dt.datetime | None = None
    reason: str | None = Field(None, description="Why the question is skipped")
    reached: dict[Status, dt.datetime] | None = Field(
        None, description="When the answer reached each status (set by commentkit; milestones use it)")
    origin: Origin | None = Field(None, description="Where the text came from when a person did not write it: "
                                                    "questionnaire (generated) or collect (member input)")
    approved: Approval | None = Field(None, description="Who marked the text final, when, and its fingerprint")

    @field_validator("updated")
    @classmethod
    def _aware(cls, v):
        if v is not None and v.tzinfo is None:
            v = v.replace(tzinfo=dt.timezone.utc)
        return v

    @field_validator("reached")
    @classmethod
    def _aware_all(cls, v):
        if v:
            v = {k: (t.replace(tzinfo=dt.timezone.utc) if t.tzinfo is None else t) for k, t in v.items()}
        return v or None
