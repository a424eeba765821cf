"""Schema of a docket pack: ``docket.yaml`` (metadata) and ``questions.yaml`` (question bank).

A pack lives in ``questions/<docket-id>/``. See docs/docket-packs.md.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PACK_SCHEMA_VERSION = 1

ID_PATTERN = r"^[a-z][a-z0-9-]{0,31}$"
"""Question and section ids: short, lower case, usable in Word bookmark names (after - → _)."""


class Strict(BaseModel):
    """Base for user-edited files: unknown keys are errors (they are usually typos).

    Empty-list defaults are written ``default=[]`` (pydantic copies a mutable default for each
    instance); ``default_factory=list`` would make pydantic inspect the builtin's signature,
    about 1.5 ms of a command's start-up."""

    model_config = ConfigDict(extra="forbid", frozen=False)


class PageRange(Strict):
    first: int = Field(gt=0)
    last: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self):
        if self.last < self.first:
            raise ValueError(f"page range ends ({self.last}) before it starts ({self.first})")
        return self

    def contains(self, other: "PageRange") -> bool:
        return self.first <= other.first and other.last <= self.last

    def is_single(self) -> bool:
        return self.first == self.last


class FederalRegisterCitation(Strict):
    volume: int = Field(gt=0)
    first_page: int = Field(gt=0)
    last_page: int = Field(gt=0)
    issue: int | None = None
    document_number: str = Field(min_length=1, description="FR Doc. number, e.g. 2023-17164")
    publication_date: dt.date

    @model_validator(mode="after")
    def _ordered(self):
        if self.last_page < self.first_page:
            raise ValueError("last_page is before first_page")
        return self

    @property
    def pages(self) -> PageRange:
        return PageRange(first=self.first_page, last=self.last_page)

    def cite(self, pages: PageRange | None = None) -> str:
        """``88 FR 54961`` for the document, ``88 FR 54966`` or ``88 FR 54966-54967`` for pages."""
        if pages is None:
            return f"{self.volume} FR {self.first_page}"
        if pages.is_single():
            return f"{self.volume} FR {pages.first}"
        return f"{self.volume} FR {pages.first}-{pages.last}"


_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class PreviousDeadline(Strict):
    """A deadline that an extension, reopening or correction replaced."""

    date: dt.date
    time: str = "23:59"
    source: str | None = None
    replaced_on: dt.date = Field(description="When commentkit recorded the change")
    replaced_by: str = Field(description="What moved it: the notice (FR Doc., citation) or the API check")

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, v):
        return Deadline._time(v)


class Deadline(Strict):
    date: dt.date
    time: str = Field("23:59", description="HH:MM, 24-hour clock, in `timezone`")
    timezone: str = "America/New_York"
    source: str | None = Field(None, description="Where the deadline comes from (the DATES text)")
    history: list[PreviousDeadline] = Field(default=[], description="Earlier deadlines, oldest first")

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, v):
        if isinstance(v, int):  # YAML 1.1 sexagesimal 23:59 -> 1439
            v = f"{v // 60:02d}:{v % 60:02d}"
        v = str(v)
        if not _TIME.match(v):
            raise ValueError("time must be HH:MM on a 24-hour clock, e.g. 23:59")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v):
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {v!r}") from None
        return v

    def instant(self) -> dt.datetime:
        """The deadline as an aware datetime in its own time zone."""
        hh, mm = (int(x) for x in self.time.split(":"))
        return dt.datetime.combine(self.date, dt.time(hh, mm), tzinfo=ZoneInfo(self.timezone))


class NoticeContact(Strict):
    """The person the notice names (FOR FURTHER INFORMATION CONTACT, or the ADDRESSES attention
    line): the letter is addressed to them ("Dear Ms. Sharma:")."""

    name: str = Field(min_length=1, description="Full name as the notice gives it: 'Meena R. Sharma'")
    title: str | None = Field(None, description="Title as the notice gives it: 'Acting Director'")
    courtesy: str | None = Field(None, description="'Ms.', 'Mr.', 'Dr.' ... for the salutation; without it "
                                                   "the letter uses the full name ('Dear Meena R. Sharma:')")
    source: str | None = Field(None, description="Where the name comes from (the notice's section, or a "
                                                 "secondary source)")

    @property
    def surname(self) -> str:
        parts = [p for p in self.name.replace(",", " ").split() if p.rstrip(".").lower() not in ("jr", "sr", "ii",
                                                                                              "iii", "iv")]
        return parts[-1] if parts else self.name

    @property
    def salutation(self) -> str:
        return f"Dear {self.courtesy} {self.surname}:" if self.courtesy else f"Dear {self.name}:"


GENERIC_SALUTATIONS = frozenset({"Dear Sir or Madam:", "To Whom It May Concern:", "Dear Sir/Madam:"})
"""Salutations that give way to a named contact (older packs and importers wrote the first)."""


class Addressee(Strict):
    attention: str | None = Field(None, description="Attention line, if the notice gives one; default: the "
                                                    "contact's name and title")
    office: str | None = None
    organization: list[str] = Field(default=[], description="Office and department lines")
    address: list[str] = Field(default=[], description="Street and city lines")
    contact: NoticeContact | None = Field(None, description="The person the notice names; the letter's "
                                                            "salutation and attention line use it")
    salutation: str | None = Field(None, description="The letter's salutation, verbatim; default: the "
                                                     "contact's ('Dear Ms. Sharma:'), else the office's "
                                                     "('To the Office of Investment Security:')")

    def letter_salutation(self, office: str) -> str:
        """The salutation the letter prints: ``salutation`` as written (a generic one gives way to a
        named contact), else the contact's, else one to ``office`` (the docket's office or agency)."""
        if self.salutation and (self.salutation.strip() not in GENERIC_SALUTATIONS or self.contact is None):
            return self.salutation.strip()
        if self.contact is not None:
            return self.contact.salutation
        return f"To the {office}:" if not office.lower().startswith("the ") else f"To {office}:"

    def attention_line(self) -> str | None:
        if self.attention:
            return self.attention
        if self.contact is not None:
            return self.contact.name + (f", {self.contact.title}" if self.contact.title else "")
        return None


class Channel(Strict):
    kind: Literal["regulations.gov", "mail", "email", "hand-delivery", "other"]
    label: str
    url: str | None = None
    address: list[str] = Field(default=[])
    instructions: str


class Link(Strict):
    label: str
    url: str


DocumentType = Literal["ANPRM", "NPRM", "SNPRM", "interim final rule", "request for information", "notice",
                       "final rule", "other"]


class Docket(Strict):
    """``docket.yaml``: who asks, about what, and by when."""

    schema_version: int = PACK_SCHEMA_VERSION
    id: str = Field(min_length=3, description="Pack id: the docket ID where known (TREAS-DO-2023-0009), "
                                            "else FR-<document number>")
    docket_id: str | None = Field(None, description="The regulations.gov docket ID, only where confirmed")
    agency: str
    office: str | None = None
    cfr: str | None = None
    rin: str | None = None
    document_type: DocumentType
    title: str
    short_name: str | None = None
    federal_register: FederalRegisterCitation
    deadline: Deadline
    addressee: Addressee
    channels: list[Channel] = Field(min_length=1)
    confidential_submissions: bool = False
    confidential_note: str | None = None
    links: list[Link] = Field(default=[])
    authority: str | None = None
    notes: list[str] = Field(default=[])
    origin: Literal["shipped", "imported", "fetched"] = "shipped"
    unresolved: list[str] = Field(default=[],
                                  description="What an importer could not determine; for the user to fill in")

    @field_validator("id")
    @classmethod
    def _id(cls, v):
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", v):
            raise ValueError("docket id may use letters, digits, '.', '_' and '-' only")
        return v

    @field_validator("docket_id")
    @classmethod
    def _docket_id_chars(cls, v):
        # it names output files (build, package): no path separators or '..'
        if v is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", v):
            raise ValueError("docket_id may use letters, digits, '.', '_' and '-' only (e.g. TREAS-DO-2023-0009)")
        return v

    @model_validator(mode="after")
    def _docket_id(self):
        if self.docket_id is None and "docket ID" not in " ".join(self.unresolved):
            self.unresolved.append("docket ID: not confirmed; find it on regulations.gov and set docket_id")
        return self

    @property
    def citation(self) -> str:
        return self.federal_register.cite()

    @property
    def display_name(self) -> str:
        return self.short_name or self.title


Wording = Literal["official", "summary"]
Level = Literal["core", "recommended", "optional"]


class RelevanceRule(Strict):
    """When ``when`` holds for the commenter's exposure profile, the question is at least ``level``."""

    when: str = Field(description="Sandboxed Jinja expression over interview answers")
    level: Literal["core", "recommended"]
    reason: str = Field(description="Why, in words addressed to the commenter: 'you reported ...'")


class Section(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    pages: PageRange | None = None
    wording: Wording = Field("official", description="Whether the title is the notice's own heading")
    summary: str | None = None


class Question(Strict):
    id: str = Field(pattern=ID_PATTERN, description="Stable id; never a claimed agency number")
    number: int | None = Field(None, gt=0, description="The agency's own question number, only where confirmed")
    section: str
    title: str = Field(min_length=1, description="Short title")
    text: str = Field(min_length=1)
    wording: Wording
    pages: PageRange | None = Field(None, description="FR pages; None means only the whole notice is known")
    tags: list[str] = Field(default=[])
    relevance: list[RelevanceRule] = Field(default=[])


class QuestionBank(Strict):
    """``questions.yaml``: the notice's sections in order and its questions."""

    schema_version: int = PACK_SCHEMA_VERSION
    wording_note: str | None = Field(None, description="How the wordings were obtained")
    sections: list[Section] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        seen: set[str] = set()
        for s in self.sections:
            if s.id in seen:
                raise ValueError(f"section id {s.id!r} is used twice")
            seen.add(s.id)
        qids: set[str] = set()
        numbers: dict[int, str] = {}
        for q in self.questions:
            if q.id in qids:
                raise ValueError(f"question id {q.id!r} is used twice")
            qids.add(q.id)
            if q.section not in seen:
                raise ValueError(f"question {q.id!r} is in unknown section {q.section!r}")
            if q.number is not None:
                if q.number in numbers:
                    raise ValueError(f"agency question number {q.number} is claimed by both "
                                     f"{numbers[q.number]!r} and {q.id!r}")
                numbers[q.number] = q.id
        return self

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def ordered(self) -> list[Question]:
        """Questions in the notice's order: by section order, then as listed."""
        order = {s.id: i for i, s in enumerate(self.sections)}
        return sorted(self.questions, key=lambda q: order[q.section])


class Pack(BaseModel):
    """A loaded docket pack (not a file: the union of the pack's files)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    docket: Docket
    bank: QuestionBank
    interview: object | None = None  # commentkit.models.interview.Interview, when the pack has one
    path: str
    source: Literal["shipped", "user", "path"] = "shipped"

    def question(self, ref: str) -> Question:
        """Find a question by id, or by agency number ``12`` / ``Q12`` where the bank confirms one."""
        ref = ref.strip()
        for q in self.bank.questions:
            if q.id == ref:
                return q
        num = ref[1:] if ref[:1] in "qQ" and ref[1:].isdigit() else ref
        if num.isdigit():
            for q in self.bank.questions:
                if q.number == int(num):
                    return q
        raise KeyError(ref)

    def pages_of(self, q: Question) -> PageRange:
        if q.pages is not None:
            return q.pages
        sec = self.bank.section(q.section)
        return sec.pages or self.docket.federal_register.pages

    def cite(self, q: Question) -> str:
        return self.docket.federal_register.cite(self.pages_of(q))

    def heading(self, q: Question) -> str:
        """Response heading: the agency's number only when the bank confirms it."""
        if q.number is not None:
            return f"Question {q.number} \N{EM DASH} {q.title}"
        return q.title
