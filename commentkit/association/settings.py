"""A trade association's settings for member templates: ``association.yaml``.

The file sits beside ``commentkit.yaml`` in the association's own comment project and says
what members receive (positions, prompts, required questionnaire items, the member due date)
and how their responses are collected (roster, small-number suppression, attribution).
docs/association.md describes every key. Pure: reading and validating only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from commentkit.errors import UserError
from commentkit.files.yamlio import declared_version, line_of, parse_yaml, read_text, refuse_newer, validate
from commentkit.models.docket import Strict

ASSOCIATION_FILE = "association.yaml"
ASSOCIATION_SCHEMA_VERSION = 1

Attribution = Literal["attributed", "anonymised"]


class QuestionSetting(Strict):
    """What members see for one agency question."""

    position: str | None = Field(None, description="The association's position, in Markdown")
    locked: bool = Field(False, description="true: members may agree or disagree but not edit the text")
    prompt: str | None = Field(None, description="What the association asks members to supply")

    @field_validator("position", "prompt")
    @classmethod
    def _strip(cls, v):
        if v is not None:
            v = v.strip()
            return v or None
        return v


class AssociationIdentity(Strict):
    name: str | None = Field(None, description="Defaults to the project's commenter name")
    short_name: str | None = None
    contact: str | None = Field(None, description="Who members write to with questions")
    return_to: str | None = Field(None, description="Where members send their response (an e-mail address)")
    confidentiality: str | None = Field(None, description="The note on confidentiality shown to members")


class TemplateIdentity(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$", description="Stable id for this template series")
    version: int = Field(1, ge=1, description="Raise when positions or prompts change after sending")


class AssociationSettings(Strict):
    """``association.yaml``."""

    schema_version: int = ASSOCIATION_SCHEMA_VERSION
    association: AssociationIdentity = Field(default_factory=AssociationIdentity)
    template: TemplateIdentity
    member_due: dt.date = Field(description="Members' deadline, earlier than the agency's")
    attribution: Attribution = "anonymised"
    suppression_threshold: int = Field(3, ge=1, le=100, description="No aggregate cell below this count")
    roster: str | None = Field(None, description="CSV of members (columns: name, email, id), relative to the project")
    required_items: list[str] = Field(default_factory=list, description="Questionnaire items members must fill")
    aggregate_items: list[str] | None = Field(
        None, description="Questionnaire items to count (choice, multichoice, yes/no); default: the "
                          "required ones of those types")
    aggregate_headings: dict[str, str] = Field(
        default={}, description="Item id -> the heading of its table in the report's voice (default: the "
                                "questionnaire's prompt, quoted)")
    draft_quotes_per_question: int = Field(3, ge=0, le=50,
                                           description="Member inputs quoted per question in the consolidated draft")
    questions: dict[str, QuestionSetting] = Field(min_length=1)

    @field_validator("member_due", mode="before")
    @classmethod
    def _date(cls, v):
        if isinstance(v, dt.datetime):
            return v.date()
        return v


def settings_path(root: Path) -> Path:
    return Path(root) / ASSOCIATION_FILE


def load(root: Path, pack) -> AssociationSettings:
    """Read ``association.yaml`` from an association project and check it against its pack."""
    path = settings_path(root)
    if not path.exists():
        raise UserError(f"no {ASSOCIATION_FILE} here: this is not an association project "
                        f"(docs/association.md shows how to write one)", path)
    text = read_text(path, "association file")
    data = parse_yaml(text, path)
    if not isinstance(data, dict):
        raise UserError("association file must be a mapping of settings (see docs/association.md)", path, 1)
    refuse_newer(declared_version(data, path, missing=ASSOCIATION_SCHEMA_VERSION, text=text),
                 ASSOCIATION_SCHEMA_VERSION, path, "association file", text)
    settings = validate(AssociationSettings, data, path, text)
    check_against_pack(settings, pack, path, text)
    return settings


def check_against_pack(settings: AssociationSettings, pack, path: Path, text: str | None = None) -> None:
    def fail(msg: str, loc: tuple):
        raise UserError(msg, path, line_of(text, loc) if text else None)

    known = {q.id for q in pack.bank.questions}
    for qid, qs in settings.questions.items():
        if qid not in known:
            fail(f"questions.{qid}: no question {qid!r} in docket {pack.docket.id} "
                 f"(see 'commentkit questions')", ("questions", qid))
        if qs.locked and not qs.position:
            fail(f"questions.{qid}: locked is true but there is no position to lock", ("questions", qid))
        if not qs.position and not qs.prompt:
            fail(f"questions.{qid}: give a position, a prompt, or both", ("questions", qid))
    items = {it.id: it for it in pack.interview.items} if pack.interview is not None else {}
    for i, iid in enumerate(settings.required_items):
        if iid not in items:
            fail(f"required_items[{i}]: no questionnaire item {iid!r} in docket {pack.docket.id}",
                 ("required_items", i))
    for i, iid in enumerate(settings.aggregate_items or []):
        if iid not in items:
            fail(f"aggregate_items[{i}]: no questionnaire item {iid!r} in docket {pack.docket.id}",
                 ("aggregate_items", i))
        if items[iid].type not in ("choice", "multichoice", "yesno"):
            fail(f"aggregate_items[{i}]: item {iid!r} is {items[iid].type}; only choice, multichoice and "
                 f"yes/no items can be counted", ("aggregate_items", i))
    for iid in settings.aggregate_headings:
        if iid not in items:
            fail(f"aggregate_headings.{iid}: no questionnaire item {iid!r} in docket {pack.docket.id}",
                 ("aggregate_headings", iid))
    if settings.member_due >= pack.docket.deadline.date:
        fail(f"member_due {settings.member_due} must be before the agency deadline "
             f"{pack.docket.deadline.date}", ("member_due",))


STARTER = """\
# Member template settings of {name} for its comment on {docket} ({citation}).
# Written by `commentkit template init`; edit it by hand. Reference: docs/association.md
# `commentkit template create` turns this project and these settings into the file (or Word form)
# members receive; `commentkit collect` reads what they send back.
schema_version: 1

association:
  name: {name_q}        # as members should see it
  short_name: null                 # e.g. CATI: used in the form ("CATI's position")
  contact: null                    # who members write to with questions (name, title, telephone)
  return_to: null                  # where members send their response (an e-mail address)
  confidentiality: >-              # shown to members on the form and the guide
    We treat each member's response as confidential. Our comment reports member data only in
    aggregate and quotes a member only if it agrees, without naming it unless it agrees to that too.

template:
  id: {template_id}     # stable id of this template series (lower case, digits, hyphens)
  version: 1                       # raise it when positions or prompts change after sending

member_due: {due}           # members' deadline; must be before the agency's ({deadline})
attribution: anonymised          # or: attributed (members who agree to be named are named)
suppression_threshold: 3         # no aggregate count from 1 to 2, and none that reveals one, is shown
roster: null                     # e.g. roster.csv with columns: name, email, id, aliases (';' between)

# Questionnaire items every member must answer (ids of the docket pack's interview.yaml items).
required_items: [{required}]
# Items counted in the aggregate tables (choice, multiple-choice and yes/no items).
aggregate_items: [{aggregate}]
# Table headings in the comment, in the report's voice (default: the questionnaire's prompt, quoted).
aggregate_headings: {{}}
draft_quotes_per_question: 2     # member quotes per question in the consolidated draft (with consent)

# The questions you ask members about (ids: `commentkit questions`). For each: a position
# (locked: members may join it or not, but not reword it), a prompt for members, or both.
questions:
{questions}"""


def starter_text(project) -> str:
    """A commented starter ``association.yaml`` for an association project (it loads as written)."""
    pack = project.pack
    docket = pack.docket
    name = project.commenter_name
    tid = re.sub(r"[^a-z0-9]+", "-", f"{name.split()[0] if name else 'assoc'}-{docket.id}".lower()).strip("-")[:60]
    if len(tid) < 2:
        tid = "association-template"
    deadline = docket.deadline.date
    due = deadline - dt.timedelta(days=14)
    items = pack.interview.items if pack.interview is not None else []
    counted = [it.id for it in items if it.type in ("choice", "multichoice", "yesno")][:4]
    qs = []
    for q in pack.bank.ordered()[:3]:
        heading = " ".join(pack.heading(q).split())
        qs.append(f"  {q.id}:                    # {heading}\n"
                  f"    # locked: true\n"
                  f"    # position: >-\n"
                  f"    #   The association's position, in Markdown.\n"
                  f"    prompt: >-\n"
                  f"      Describe how this affects your company, with figures where you can.\n")
    return STARTER.format(name=name, name_q=json.dumps(name, ensure_ascii=False), docket=docket.id,
                          citation=docket.citation, template_id=tid, due=due.isoformat(),
                          deadline=deadline.isoformat(), required=", ".join(counted[:2]),
                          aggregate=", ".join(counted), questions="".join(qs))


def aggregate_item_ids(settings: AssociationSettings, pack) -> list[str]:
    if settings.aggregate_items is not None:
        return list(settings.aggregate_items)
    if pack.interview is None:
        return []
    types = {it.id: it.type for it in pack.interview.items}
    return [i for i in settings.required_items if types.get(i) in ("choice", "multichoice", "yesno")]
