"""One model of a member's response, whatever it came in as, and the loaders that fill it.

A member answers an association's template in one of three ways:

* a **member project** (``commentkit init DIR --from-template FILE``): a comment project whose
  ``commentkit.yaml`` has a ``member:`` block, with ``profile.yaml``, ``positions.yaml`` and
  ``answers/<id>.md``;
* an **exported response file** (``commentkit export-response``): the same content in one
  sealed YAML file to e-mail;
* a **returned Word form** (``commentkit template create --format docx``), read by
  :mod:`commentkit.association.form`.

Each becomes a :class:`MemberResponse`. A file that cannot be read at all raises
:class:`~commentkit.errors.UserError` (``collect`` reports it by name and skips it); problems
inside an otherwise readable response (a bad date, a choice not in the list, a required item
left empty, text typed outside any field) are kept in ``problems`` and reported by member and
item. Loading is pure apart from reading the files.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from commentkit.association.disclosure import normalise_legal_name
from commentkit.association.template import load as load_template
from commentkit.association.template import seal, unseal
from commentkit.errors import UserError
from commentkit.files import clock, paths
from commentkit.files.yamlio import (
    declared_version,
    dump_yaml,
    format_loc,
    line_of,
    parse_yaml,
    read_text,
    refuse_newer,
    validate,
)
from commentkit.models.docket import Strict
from commentkit.models.project import ANSWERS_DIR, PROFILE_FILE, PROJECT_FILE, ProjectFile
from commentkit.project import answerfile
from commentkit.project.folder import check_schema_version
from commentkit.questionnaire import conditions, engine

POSITIONS_FILE = "positions.yaml"
RESPONDENT_FILE = "respondent.yaml"
TEMPLATE_COPY = "association-template.yaml"
RESPONSE_FORMAT = "commentkit-member-response"
RESPONSE_FORMAT_VERSION = 1

Kind = Literal["project", "export", "form"]


class Stance(Strict):
    """A member's reaction to one association position (``positions.yaml``)."""

    agree: bool | None = Field(True, description="false: the member does not join this position; null: no "
                                                 "stance marked (reported, never counted as joining)")
    note: str | None = Field(None, description="Why, or what the member adds")
    position: str | None = Field(None, description="The position text as the member left it")


class Respondent(Strict):
    """Who answered for the member, and what the association may do with the answers (``respondent.yaml``)."""

    contact_name: str | None = None
    contact_title: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    aliases: list[str] = Field(default=[], description="Other names the company is known by (short name, "
                                                       "ticker): kept out of the association's public comment")
    may_quote: bool | None = Field(None, description="May we quote you? (anonymously unless may_name) "
                                                    "No answer: no quote")
    may_name: bool | None = Field(None, description="May we name you? No answer: not named")


@dataclass
class Problem:
    item: str  # questionnaire item id, question id, or "form"
    message: str

    def format(self) -> str:
        return f"{self.item}: {self.message}"


@dataclass
class MemberResponse:
    name: str
    source: Path
    kind: Kind
    template_id: str
    template_version: int
    docket: str
    submitted: dt.datetime | None = None
    member_id: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    stances: dict[str, Stance] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)  # text typed outside a form's fields, in full
    empty: bool = False  # returned with nothing filled in (set by collect): not counted in aggregates
    respondent: Respondent = field(default_factory=Respondent)
    file_time: dt.datetime | None = None  # the file's modification time (breaks ties of ``submitted``)
    seen_positions: dict[str, str] | None = None  # locked positions as the member saw them (earlier versions)
    identity: str = ""  # set by collect: "id:<roster id>" or "name:<normalised legal name>"
    held: bool = False  # set by collect: tied with another response of the same member; not counted

    @property
    def key(self) -> str:
        """The member this response is from (its roster identity once collect has set it)."""
        return self.identity or normalise_name(self.name)


def normalise_name(name: str) -> str:
    """Case, punctuation, a leading "The" and the legal form ("Inc.", "LLC") ignored."""
    return normalise_legal_name(name) or " ".join(name.casefold().split())


def file_time(path: Path) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(Path(path).stat().st_mtime, dt.timezone.utc)
    except OSError:
        return None


# ---- fast YAML for many small member files ---------------------------------------------------------

_SEEN: dict[str, Any] = {}
_SEEN_MAX = 64


def parse_yaml_fast(text: str, path: Path | None = None) -> Any:
    """Parse YAML with :func:`commentkit.files.yamlio.parse_yaml` (libyaml's C parser; errors with
    their line), remembering recent texts: collect reads thousands of small files.

    Many members leave a file exactly as the template created it (``positions.yaml`` most of
    all), so the last few distinct texts parsed in this process are remembered; callers get a
    deep copy, never the remembered object.
    """
    if text in _SEEN:
        _SEEN[text] = _SEEN.pop(text)  # most recently used last: files every member leaves alone stay
        return copy.deepcopy(_SEEN[text])
    data = parse_yaml(text, path)  # libyaml's C parser, with the reference reader's limits and errors
    if len(text) < 20_000:
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.pop(next(iter(_SEEN)))
        _SEEN[text] = copy.deepcopy(data)
    return data


def read_answer(path: Path):
    """An answer file (:func:`commentkit.project.answerfile.read`, which reads plain front matter fast)."""
    return answerfile.read(path)


# ---- checking a response against the template ---------------------------------------------------

def check_against(member: MemberResponse, template_id: str, template_version: int, docket: str,
                  where: Path) -> None:
    """Refuse a response to another template, a newer version of it, or another docket (says which).

    A response to an earlier version is accepted: collect uses its answers to every question
    the current version still asks (matched by id)."""
    if member.docket != docket:
        raise UserError(f"answers docket {member.docket}, not {docket}", where)
    if member.template_id != template_id:
        raise UserError(f"answers template {member.template_id!r}, not this association's {template_id!r}", where)
    if member.template_version > template_version:
        raise UserError(f"answers version {member.template_version} of template {template_id!r}, newer than the "
                        f"association's current version {template_version}", where)


def validate_profile(raw: dict[str, Any], interview, required: list[str]) -> tuple[dict[str, Any], list[Problem]]:
    """Coerce raw questionnaire answers like the interview does; every problem is kept, by item."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    if interview is None:
        return dict(raw), problems
    known = {it.id: it for it in interview.items}
    conditional = any(known[i].when for i in required if i in known)
    for key, value in raw.items():
        item = known.get(key) if isinstance(key, str) else None
        if item is None:
            problems.append(Problem(str(key), "no such item in the questionnaire"))
            continue
        try:
            coerced = engine.coerce(item, value)
        except engine.AnswerError as exc:
            problems.append(Problem(key, str(exc)))
            continue
        if coerced is not None:
            values[key] = coerced
    if required:
        asked = set(known)
        if conditional:
            try:
                asked = {it.id for it in engine.applicable(interview, values)}
            except UserError:
                pass
        for iid in required:
            if iid in asked and not conditions.is_answered(values.get(iid)):
                problems.append(Problem(iid, "required item left empty"))
    return values, problems


# ---- member projects ----------------------------------------------------------------------------

def is_member_project(path: Path) -> bool:
    return (Path(path) / PROJECT_FILE).is_file()


def load_project(root: Path) -> MemberResponse:
    """Read a member project folder (not its pack: collect checks against the association's)."""
    root = paths.confine(root)  # a member project is read under the path policy: nothing outside it
    pf_path = root / PROJECT_FILE
    text = read_text(pf_path, "project file")
    data = parse_yaml_fast(text, pf_path)
    if not isinstance(data, dict):
        raise UserError("project file must be a mapping of settings", pf_path, 1)
    check_schema_version(data, pf_path)
    pf = validate(ProjectFile, data, pf_path, text)
    if pf.member is None:
        raise UserError("not a member project (its commentkit.yaml has no member: block); start one with "
                        "'commentkit init DIR --from-template FILE'", pf_path)
    m = pf.member
    resp = MemberResponse(name=pf.commenter.name, source=root, kind="project", template_id=m.template,
                          template_version=m.version, docket=pf.docket, member_id=m.member_id)
    latest: dt.datetime | None = None
    prof_path = root / PROFILE_FILE
    if prof_path.exists():
        prof = parse_yaml_fast(read_text(prof_path, "profile file"), prof_path)
        if prof is not None and not isinstance(prof, dict):
            raise UserError("profile must be a mapping of item: answer", prof_path, 1)
        prof = dict(prof or {})
        prof.pop("schema_version", None)
        resp.profile = prof
    resp.stances = load_stances(root / POSITIONS_FILE)
    resp.respondent = load_respondent(root / RESPONDENT_FILE)
    resp.file_time = file_time(pf_path)
    folder = root / ANSWERS_DIR
    # every *.md entry is read (a FIFO or a link out is refused by the reader, not skipped silently)
    names = [e.name for e in paths.list_folder(folder, "answers folder")
             if e.name.endswith(".md") and not e.name.startswith((".", "~$"))]
    if names:
        for name in names:
            path = folder / name
            ans = read_answer(path)
            key = ans.meta.question or path.stem
            if ans.meta.updated is not None and (latest is None or ans.meta.updated > latest):
                latest = ans.meta.updated
            if ans.meta.status == "skipped" or ans.is_empty:
                continue
            resp.answers[key] = ans.text
            resp.statuses[key] = ans.meta.status
    resp.submitted = m.submitted or latest
    return resp


def load_respondent(path: Path) -> Respondent:
    if not path.exists():
        return Respondent()
    text = read_text(path, "respondent file")
    data = parse_yaml_fast(text, path)
    if data is None:
        return Respondent()
    if not isinstance(data, dict):
        raise UserError("respondent file must be a mapping (contact_name:, may_quote: ...)", path, 1)
    data.pop("schema_version", None)
    return validate(Respondent, data, path, text)


def seen_positions(template) -> dict[str, str]:
    """The locked positions of a template, as its members saw them."""
    return {q.id: q.position for q in template.questions if q.locked and q.position}


def load_stances(path: Path) -> dict[str, Stance]:
    if not path.exists():
        return {}
    text = read_text(path, "positions file")
    data = parse_yaml_fast(text, path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError("positions file must map question ids to agree/note/position", path, 1)
    out: dict[str, Stance] = {}
    for key, value in data.items():
        if key == "schema_version":
            continue
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise UserError(f"{key}: expected agree:, note: and position: lines", path, line_of(text, (key,)))
        out[str(key)] = _stance(key, value, path, text)
    return out


def _stance(key: Any, value: dict, path: Path, text: str) -> Stance:
    """One position's stance; an error names the question id and its line in ``positions.yaml``."""
    try:
        return Stance.model_validate(value)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = (key, *err["loc"])
        line = line_of(text, loc)
        msg = err["msg"]
        if isinstance(err.get("input"), (str, int, float, bool)) and err["loc"]:
            msg += f" (got {err['input']!r})"
        more = exc.error_count() - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        raise UserError(f"question {key}: {format_loc(err['loc'])}: {msg}{suffix}", path, line) from None


# ---- exported response files --------------------------------------------------------------------

class ResponseTemplateRef(Strict):
    id: str
    version: int


class ResponseMember(Strict):
    name: str = Field(min_length=1)
    id: str | None = None


class ResponseFile(Strict):
    """An exported member response (one sealed YAML file)."""

    format: Literal["commentkit-member-response"]
    format_version: int
    template: ResponseTemplateRef
    docket: str
    member: ResponseMember
    exported: dt.datetime
    submitted: dt.datetime | None = None
    profile: dict[str, Any] = Field(default_factory=dict)
    positions: dict[str, Stance] = Field(default_factory=dict)
    answers: dict[str, str] = Field(default_factory=dict)
    statuses: dict[str, str] = Field(default_factory=dict)
    respondent: Respondent = Field(default_factory=Respondent)
    seen_positions: dict[str, str] | None = Field(None, description="The locked positions as the member saw them")


def export(root: Path, *, now: dt.datetime | None = None) -> str:
    """The sealed export text of a member project."""
    resp = load_project(root)
    stamp = (now or clock.now()).astimezone(dt.timezone.utc).replace(microsecond=0)
    data = {
        "format": RESPONSE_FORMAT, "format_version": RESPONSE_FORMAT_VERSION,
        "template": {"id": resp.template_id, "version": resp.template_version},
        "docket": resp.docket,
        "member": {"name": resp.name, **({"id": resp.member_id} if resp.member_id else {})},
        "exported": stamp.isoformat(),
        "submitted": (resp.submitted or stamp).isoformat(),
        "profile": _jsonable(resp.profile),
        "positions": {k: v.model_dump(exclude_none=True) for k, v in resp.stances.items()},
        "answers": resp.answers,
        "statuses": resp.statuses,
        "respondent": resp.respondent.model_dump(exclude_none=True, exclude_defaults=True),
    }
    copy = Path(root) / TEMPLATE_COPY
    if copy.exists():
        data["seen_positions"] = seen_positions(load_template(copy))
    header = (f"# commentkit member response: {resp.name}, for template {resp.template_id} "
              f"version {resp.template_version} ({resp.docket}).\n"
              f"# Send this file to the association. Do not edit it: the last line is a checksum.\n")
    return seal(header + dump_yaml(data))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def load_export(path: Path) -> MemberResponse:
    path = Path(path)
    text = read_text(path, "member response file")
    if text.lstrip().startswith("# commentkit member template") or "\nformat: commentkit-member-template" in text:
        raise UserError("this is the association's member template, not a member's response", path)
    body = unseal(text, path, "member response file")
    data = parse_yaml(body, path)
    if not isinstance(data, dict) or data.get("format") != RESPONSE_FORMAT:
        raise UserError("not a commentkit member response (no 'format: commentkit-member-response')", path)
    refuse_newer(declared_version(data, path, missing=RESPONSE_FORMAT_VERSION, key="format_version", text=body),
                 RESPONSE_FORMAT_VERSION, path, "member response file", body, key="format_version")
    rf = validate(ResponseFile, data, path, body)
    # "submitted" in the file is the last edit of the member's answers; the response reached the
    # association no earlier than it was exported, so the export time is what the tracker shows
    # (and what decides "late").
    return MemberResponse(name=rf.member.name, source=path, kind="export", template_id=rf.template.id,
                          template_version=rf.template.version, docket=rf.docket, member_id=rf.member.id,
                          submitted=rf.exported, profile=dict(rf.profile),
                          answers={k: v.strip() for k, v in rf.answers.items() if v and v.strip()},
                          statuses=dict(rf.statuses), stances=dict(rf.positions), respondent=rf.respondent,
                          file_time=file_time(path), seen_positions=rf.seen_positions)
