"""What ``commentkit collect`` computes from member responses. Pure: no files written here.

* :func:`gather` reads every input (member projects, exported responses, returned forms) into
  :class:`~commentkit.association.responses.MemberResponse`, skipping a malformed one with its reason.
* :func:`tracker` - who responded, how completely, who is late, who is missing from the roster.
* :func:`aggregates` - counts and shares per answer choice, with small-number suppression.
* :func:`compile_questions` - member input per question, attributed or anonymised, with members
  who do not join a locked position flagged (and the wording they changed, as a word diff).
* :mod:`commentkit.association.report` writes these and the consolidated draft.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from commentkit.association import disclosure
from commentkit.association import form as memberform
from commentkit.association.responses import (
    TEMPLATE_COPY,
    MemberResponse,
    Problem,
    Stance,
    check_against,
    is_member_project,
    load_export,
    load_project,
    normalise_name,
    seen_positions,
    validate_profile,
)
from commentkit.association.template import load as load_template
from commentkit.errors import UserError
from commentkit.files import limits, paths, progress
from commentkit.files.yamlio import read_text
from commentkit.questionnaire import conditions

MEMBER_SUFFIXES = (".yaml", ".yml", ".docx")


# ---- gathering ------------------------------------------------------------------------------------

@dataclass
class Skipped:
    source: Path
    reason: str


@dataclass
class Replacement:
    old: MemberResponse
    new: MemberResponse
    rule: str  # why ``new`` replaces ``old``

    def __iter__(self):  # (old, new), as before
        return iter((self.old, self.new))


@dataclass
class Tie:
    responses: list[MemberResponse]  # same member, same response time and file time, different content


@dataclass
class Collection:
    members: list[MemberResponse] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    superseded: list[Replacement] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)

    @property
    def counted(self) -> list[MemberResponse]:
        """The responses the aggregates, compilation and draft use: not empty, not held over a tie."""
        return [m for m in self.members if not m.empty and not m.held]



# ---- any input -----------------------------------------------------------------------------------

def load_any(path: Path, template=None) -> MemberResponse:
    """A member response from a project folder, an exported ``.yaml`` file or a returned ``.docx`` form."""
    path = Path(path)
    if path.is_dir():
        if not is_member_project(path):
            raise UserError("folder is not a member project (no commentkit.yaml)", path)
        return load_project(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return memberform.read(path, template)
    if suffix in (".yaml", ".yml"):
        return load_export(path)
    raise UserError("not a member response (expected a member project folder, an exported .yaml response "
                    "or a returned .docx form)", path)


def expand(inputs: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Member inputs: a member project, a response file, or a folder holding either (one level)."""
    out: list[Path] = []
    ignored: list[Skipped] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir() and not is_member_project(path):
            try:
                children = sorted(path.iterdir())
            except OSError as exc:
                ignored.append(Skipped(path, f"cannot list folder: {exc.strerror or exc}"))
                continue
            for child in children:
                if child.name.startswith((".", "~$")):
                    continue  # hidden files and Word's lock files
                if child.is_dir():
                    if is_member_project(child):
                        out.append(child)
                    else:
                        ignored.append(Skipped(child, "folder is not a member project (no commentkit.yaml)"))
                elif child.suffix.lower() in MEMBER_SUFFIXES:
                    out.append(child)
            continue
        if not path.exists():
            ignored.append(Skipped(path, "not found"))
            continue
        out.append(path)
    return out, ignored


def gather(inputs: list[Path], template, interview, exclude: set[Path] | frozenset = frozenset(),
           roster: list["RosterEntry"] | None = None) -> Collection:
    """Read, check and validate every member input; one response per member (see :func:`resolve`)."""
    paths, skipped = expand(inputs)
    limits.check_size(len(paths), "members", "member responses given to collect")
    limits.check_size(sum(1 for p in paths if p.suffix.lower() == ".docx"), "forms", "returned Word forms")
    col = Collection(skipped=skipped)
    responses: list[MemberResponse] = []
    seen: set[Path] = set()
    excluded = {_identity(p) for p in exclude}
    index = RosterIndex(roster)
    known_q = {q.id for q in template.questions}
    for path in progress.items(paths, "Reading member responses", label=lambda p: p.name):
        ident = _identity(path)
        if ident in seen or ident in excluded:
            continue
        seen.add(ident)
        resolved = Path(os.path.abspath(path))
        try:
            m = load_any(path, template)
            check_against(m, template.template.id, template.template.version, template.docket.id, path)
            if m.seen_positions is None and m.kind == "project":
                m.seen_positions = _project_seen_positions(m, template)
            # text no output file could hold (NUL, or bytes that are not UTF-8) is refused at the door
            limits.check_text(m.name, "the member's name", path, after="")
            for qid, text in m.answers.items():
                limits.check_text(text, f"the answer to {qid}", path, after="")
        except UserError as exc:
            same = exc.path is not None and Path(os.path.abspath(exc.path)) == resolved
            col.skipped.append(Skipped(path, exc.message if same else exc.format()))
            continue
        except RecursionError:
            col.skipped.append(Skipped(path, "nested too deeply to read"))
            continue
        values, problems = validate_profile(m.profile, interview, template.required_items)
        m.profile = values
        m.problems = problems + m.problems
        for qid, st in m.stances.items():
            q = template.question(qid)
            if st.agree is None and q is not None and q.position and m.kind != "form":
                m.problems.append(Problem(qid, "no stance on the position (agree: is empty); not counted as "
                                               "joining: ask the member"))
        if is_empty(m, template):
            m.empty = True
            m.problems = [Problem("response", "returned empty: nothing was filled in; not counted in the "
                                              "aggregates")]
        older = m.template_version < template.template.version
        for qid in list(m.answers):
            if qid not in known_q:
                m.problems.append(Problem(qid, (f"question no longer asked in version {template.template.version}"
                                                if older else "answer to a question the template does not ask")
                                          + "; not compiled"))
                del m.answers[qid]
        if older:
            m.problems.append(Problem("template", f"answers version {m.template_version}; its answers to the "
                                                  f"questions version {template.template.version} still asks "
                                                  f"are used"))
        m.identity, note = index.identify(m)
        if note:
            m.problems.append(Problem("member", note))
        responses.append(m)
    col.members, col.superseded, col.ties = resolve(responses)
    return col


def _project_seen_positions(m: MemberResponse, template) -> dict[str, str] | None:
    """For a member project made from another version (or edition) of the template: the locked
    positions it was made from (its copy of the template), so the association's own edits are not
    read as the member's."""
    copy = Path(m.source) / TEMPLATE_COPY
    if m.template_version == template.template.version:
        paths.check_regular(copy, "template copy")  # no FIFO (it would block), no link out of the member project
        try:  # positions_checksum is the template's last key, just above the checksum line
            tail = paths.read_regular(copy, "member's template copy")[-4096:].decode("utf-8", errors="replace")
        except (OSError, UserError):
            return None
        hit = re.search(r"^positions_checksum:\s*(\w+)", tail, re.MULTILINE)
        if hit is None or hit.group(1) == template.positions_checksum:
            return None
    if not copy.is_file():
        return None
    return seen_positions(load_template(copy))


def _when(m: MemberResponse) -> tuple:
    zero = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    sub = m.submitted or zero
    if sub.tzinfo is None:
        sub = sub.replace(tzinfo=dt.timezone.utc)
    return (sub, m.file_time or zero)


def _content(m: MemberResponse) -> str:
    return json.dumps([m.profile, m.answers, {k: v.model_dump() for k, v in m.stances.items()},
                       m.respondent.model_dump()], sort_keys=True, default=str)


def resolve(responses: list[MemberResponse]) -> tuple[list[MemberResponse], list[Replacement], list[Tie]]:
    """One response per member (same :attr:`identity`): the latest **response time** (the export
    time, the form's saved time, the project's submission) wins; at equal response times the later
    **file time** (modification time) wins. Two latest responses with equal times and different
    content are a tie: the member is listed once, its responses are held (not counted) and the tie
    is reported for the staff to resolve."""
    groups: dict[str, list[MemberResponse]] = {}
    for m in responses:
        groups.setdefault(m.identity or m.key, []).append(m)
    kept, replaced, ties = [], [], []
    for group in groups.values():
        group.sort(key=lambda m: (_when(m), str(m.source)))
        top = group[-1]
        tied = [m for m in group if _when(m) == _when(top)]
        distinct = {_content(m) for m in tied}
        if len(tied) > 1 and len(distinct) > 1:
            top = tied[0]
            top.held = True
            files = ", ".join(str(m.source) for m in tied)
            top.problems.append(Problem("response", f"TIE: {len(tied)} responses with the same response and file "
                                                    f"time and different content ({files}); none is counted until "
                                                    f"the staff remove all but one and run collect again"))
            ties.append(Tie(tied))
        for m in group:
            if m is top or (top.held and m in tied):
                continue
            if _when(m)[0] < _when(top)[0]:
                rule = "later response time"
            elif _when(m) < _when(top):
                rule = "same response time, later file time"
            else:
                rule = "same times, same content"
            replaced.append(Replacement(m, top, rule))
        kept.append(top)
    kept.sort(key=lambda x: x.key)
    return kept, replaced, ties


def is_empty(m: MemberResponse, template) -> bool:
    """Nothing filled in: no questionnaire answer, no answer to a question, and every position left
    as the association wrote it (agreed, no note, wording unchanged). Problems that are not about
    what was filled in (text typed outside a form's fields) make a response not empty."""
    if m.outside or any(conditions.is_answered(v) for v in m.profile.values()):
        return False
    if any(a and a.strip() for a in m.answers.values()):
        return False
    positions = {q.id: q.position for q in template.questions}
    positions.update(m.seen_positions or {})
    for qid, st in m.stances.items():
        if st.agree is False or (st.note and st.note.strip()):
            return False
        if st.position is not None and _norm(st.position) != _norm(positions.get(qid)):
            return False
    return True


def _identity(path: Path):
    """Same file or folder (device and inode: one stat, no path resolution)."""
    try:
        st = os.stat(path)
        return (st.st_dev, st.st_ino)
    except OSError:
        return os.path.abspath(path)


# ---- roster ---------------------------------------------------------------------------------------

@dataclass
class RosterEntry:
    name: str
    email: str | None = None
    id: str | None = None
    aliases: list[str] = field(default_factory=list)  # short_name, ticker and aliases columns


class RosterIndex:
    """Who a response is from: by roster id first, then by normalised legal name (or a roster alias)."""

    def __init__(self, roster: list[RosterEntry] | None):
        self.roster = roster or []
        self.by_id = {r.id.casefold(): r for r in self.roster if r.id}
        self.by_name: dict[str, RosterEntry] = {}
        for r in self.roster:
            for n in [r.name, *r.aliases]:
                self.by_name.setdefault(normalise_name(n), r)

    def entry(self, m: MemberResponse) -> RosterEntry | None:
        hit = self.by_id.get(m.member_id.strip().casefold()) if m.member_id else None
        return hit or self.by_name.get(normalise_name(m.name))

    @staticmethod
    def key_of(r: RosterEntry) -> str:
        return f"id:{r.id.casefold()}" if r.id else f"name:{normalise_name(r.name)}"

    def identify(self, m: MemberResponse) -> tuple[str, str | None]:
        by_id = self.by_id.get(m.member_id.strip().casefold()) if m.member_id else None
        by_name = self.by_name.get(normalise_name(m.name))
        note = None
        if by_id is not None and by_name is not None and by_id is not by_name:
            note = (f"roster id {m.member_id} is {by_id.name!r} but the name given is {m.name!r} "
                    f"(roster: {by_name.name!r}); counted as {by_id.name!r} by its id")
        hit = by_id or by_name
        if hit is not None:
            return self.key_of(hit), note
        return f"name:{normalise_name(m.name)}", note


def load_roster(path: Path) -> list[RosterEntry]:
    """A CSV with a header row: ``name`` (required), ``email``, ``id``, ``short_name``, ``ticker`` and
    ``aliases`` (optional; several aliases separated by semicolons).

    Every member sits on one line. A line that is not valid CSV (an unterminated quote, text
    after a closing quote) or has more cells than the header stops the run with the file and line:
    the roster decides who is reported missing, so a half-read roster would tell the association
    a wrong story.
    """
    text = read_text(path, "roster")
    if text.startswith("\ufeff"):
        text = text[1:]  # Excel's "CSV UTF-8" starts with a byte-order mark
    rows: list[tuple[int, list[str]]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            parsed = list(csv.reader([raw], strict=True))
        except csv.Error as exc:
            reason = "a quoted cell is not closed on this line" if "end of data" in str(exc) else str(exc)
            raise UserError(f"not a valid CSV row ({reason}): {_clip(raw)}; fix the roster and run collect again",
                            path, n) from None
        rows.append((n, parsed[0] if parsed else []))
    if not rows:
        raise UserError("roster is empty (expected a header row: name,email,id)", path, 1)
    first, head = rows[0]
    header = [h.strip().casefold() for h in head]
    if "name" not in header:
        raise UserError("roster's first row must be a header with a 'name' column (and optionally email, id)",
                        path, first)
    col = {h: i for i, h in enumerate(header)}
    out: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for n, row in rows[1:]:
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            raise UserError(f"row has {len(row)} cells but the header has {len(header)} (a name with a comma must "
                            f"be in double quotes): {_clip(','.join(row))}", path, n)

        def get(key):
            i = col.get(key)
            return row[i].strip() if i is not None and i < len(row) and row[i].strip() else None

        name = get("name")
        if not name:
            raise UserError("row has no member name", path, n)
        key = normalise_name(name)
        if key in seen:
            raise UserError(f"member {name!r} is listed twice (also on line {seen[key]})", path, n)
        seen[key] = n
        aliases = [a.strip() for key in ("short_name", "ticker", "aliases") for a in (get(key) or "").split(";")
                   if a.strip()]
        out.append(RosterEntry(name=name, email=get("email"), id=get("id"), aliases=aliases))
    return out


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[:width] + "\N{HORIZONTAL ELLIPSIS}")


# ---- tracker --------------------------------------------------------------------------------------

@dataclass
class TrackerRow:
    name: str
    kind: str
    source: str
    submitted: dt.datetime | None
    late: bool | None  # None: no date known
    required_filled: int
    required_total: int
    answered: int
    asked: int
    disagreements: int
    problems: list[str]
    on_roster: bool | None  # None: no roster
    empty: bool = False  # returned with nothing filled in


@dataclass
class Tracker:
    rows: list[TrackerRow]
    missing: list[RosterEntry]
    member_due: dt.date
    roster_size: int | None

    @property
    def late(self) -> list[TrackerRow]:
        return [r for r in self.rows if r.late]

    @property
    def from_roster(self) -> list[TrackerRow]:
        """Responses from members on the roster (all responses when there is no roster)."""
        return [r for r in self.rows if r.on_roster is not False]

    @property
    def off_roster(self) -> list[TrackerRow]:
        return [r for r in self.rows if r.on_roster is False]

    @property
    def empty(self) -> list[TrackerRow]:
        return [r for r in self.rows if r.empty]

    def headline(self) -> str:
        """One sentence a reader can check against the roster: roster responses and responses from
        outside the roster are counted separately, and empty returns are named."""
        own = self.from_roster
        empty_own = sum(1 for r in own if r.empty)
        if self.roster_size is not None:
            text = f"{len(own)} of {self.roster_size} roster member(s) responded"
        else:
            text = f"{len(own)} response(s)"
        if empty_own:
            text += f" ({empty_own} returned empty)"
        if self.roster_size is not None:
            text += f"; {len(self.missing)} missing"
            off = self.off_roster
            if off:
                empty_off = sum(1 for r in off if r.empty)
                text += f"; {len(off)} response(s) from outside the roster"
                if empty_off:
                    text += f" ({empty_off} returned empty)"
        return text


def due_instant(template) -> dt.datetime:
    """End of the member due date (23:59:59) in the docket's time zone."""
    return dt.datetime.combine(template.member_due, dt.time(23, 59, 59), tzinfo=ZoneInfo(template.docket.deadline_zone))


def tracker(col: Collection, template, roster: list[RosterEntry] | None, compiled: list["QuestionCompilation"],
            base: Path | None = None) -> Tracker:
    due = due_instant(template)
    asked_q = [q.id for q in template.questions if q.prompt or q.position]
    disagreements: dict[str, int] = {}
    for qc in compiled:
        for e in qc.entries:
            if e.disagrees:
                disagreements[e.member.key] = disagreements.get(e.member.key, 0) + 1
    index = RosterIndex(roster)
    matched: set[int] = set()
    rows = []
    for m in col.members:
        late = None
        if m.submitted is not None:
            sub = m.submitted if m.submitted.tzinfo else m.submitted.replace(tzinfo=dt.timezone.utc)
            late = sub > due
        req = [i for i in template.required_items]
        filled = sum(1 for i in req if conditions.is_answered(m.profile.get(i)))
        on = None
        if roster is not None:
            hit = index.entry(m)
            on = hit is not None
            if hit is not None:
                matched.add(id(hit))
        rows.append(TrackerRow(
            name=m.name, kind=m.kind, source=_rel(m.source, base), submitted=m.submitted, late=late,
            required_filled=filled, required_total=len(req),
            answered=sum(1 for q in asked_q if m.answers.get(q)), asked=len(asked_q),
            disagreements=disagreements.get(m.key, 0), problems=[p.format() for p in m.problems], on_roster=on,
            empty=m.empty))
    missing = [r for r in roster or [] if id(r) not in matched]
    return Tracker(rows=rows, missing=missing, member_due=template.member_due,
                   roster_size=len(roster) if roster is not None else None)


def _rel(path: Path, base: Path | None) -> str:
    if base is not None:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
        if not rel.startswith(".."):
            return Path(rel).as_posix()
    return str(path)


# ---- aggregates -----------------------------------------------------------------------------------

@dataclass
class Cell:
    label: str
    count: int | None  # None: suppressed
    share: float | None
    suppressed: str | None = None  # "small" (1 .. threshold-1) or "secondary" (would let one be worked out)


@dataclass
class AggregateTable:
    item: str
    title: str
    kind: str
    cells: list[Cell]


@dataclass
class Aggregates:
    respondents: int  # members who filled something in (empty returns and held ties are not counted)
    threshold: int
    tables: list[AggregateTable]
    returned_empty: int = 0
    withheld: bool = False  # fewer respondents than the threshold: no table is published

    @property
    def published_cells(self) -> list[tuple[AggregateTable, Cell]]:
        return [(t, c) for t in self.tables for c in t.cells if c.count is not None]


NO_ANSWER = "No answer"


def aggregates(col: Collection, interview, item_ids: list[str], threshold: int,
               headings: dict[str, str] | None = None) -> Aggregates:
    """Members per answer choice, with small-cell and complementary suppression
    (:func:`commentkit.association.disclosure.protect`).

    A single-answer item (choice, yes/no) partitions the responding members into its choices and
    "No answer"; each tick-all-that-apply choice partitions them into those who ticked it and
    those who did not. In every partition no published cell is from 1 to threshold - 1 and the
    withheld cells never add up to 1 .. threshold - 1 (which subtraction from the published total
    would reveal). With fewer respondents than the threshold no table is published at all.
    """
    counted = col.counted
    n = len(counted)
    tables = []
    items = {it.id: it for it in interview.items} if interview is not None else {}
    for iid in item_ids:
        item = items.get(iid)
        if item is None:
            continue
        if item.type == "yesno":
            options = [(True, "Yes"), (False, "No")]
        else:
            options = [(c.value, c.label) for c in item.choices]
        counts = {v: 0 for v, _ in options}
        unanswered = 0
        for m in counted:
            value = m.profile.get(iid)
            chosen = value if isinstance(value, list) else ([] if value is None else [value])
            chosen = [v for v in chosen if v in counts]
            if not chosen:
                unanswered += 1
            for v in chosen:
                counts[v] += 1
        labels = [label for _, label in options]
        values = [counts[v] for v, _ in options]
        if item.type == "multichoice":
            hidden = [disclosure.protect([c, n - c], threshold)[0] for c in values]
            small = [0 < c < threshold or 0 < n - c < threshold for c in values]
        else:
            labels.append(NO_ANSWER)
            values.append(unanswered)
            hidden = disclosure.protect(values, threshold)
            small = [0 < c < threshold for c in values]
        cells = []
        for label, c, h, sm in zip(labels, values, hidden, small):
            if label == NO_ANSWER and c == 0:
                continue  # nothing to say (and nothing withheld)
            if h or n < threshold:
                cells.append(Cell(label, None, None, "small" if sm else "secondary"))
            else:
                cells.append(Cell(label, c, (c / n) if n else None))
        title = (headings or {}).get(iid) or report_heading(item)
        tables.append(AggregateTable(iid, title, item.type, cells))
    return Aggregates(n, threshold, tables, returned_empty=sum(1 for m in col.members if m.empty),
                      withheld=0 < n < threshold)


def report_heading(item) -> str:
    """A table heading in the report's voice, not the survey's: the question is quoted, not asked."""
    prompt = " ".join(item.prompt.split()).rstrip("?:. ")
    if item.type == "multichoice":
        return f"Responding members by answer to \N{LEFT DOUBLE QUOTATION MARK}{prompt}?\N{RIGHT DOUBLE QUOTATION MARK} (more than one answer possible)"
    return f"Responding members by answer to \N{LEFT DOUBLE QUOTATION MARK}{prompt}?\N{RIGHT DOUBLE QUOTATION MARK}"


# ---- per-question compilation ---------------------------------------------------------------------

def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def word_diff(old: str, new: str) -> str:
    """``[-removed-]{+added+}`` word diff, readable in any editor and in Markdown."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(a[i1:i2])
            continue
        if op in ("delete", "replace"):
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if op in ("insert", "replace"):
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


@dataclass
class Entry:
    member: MemberResponse
    label: str
    answer: str | None
    status: str | None
    stance: Stance | None
    disagrees: bool
    changed_locked: bool
    proposed: str | None  # an editable position reworded
    diff: str | None
    undecided: bool = False  # no stance marked: neither joining nor not joining
    saw_earlier: bool = False  # the member saw an earlier wording of the position (another version)

    @property
    def not_joining(self) -> bool:
        """The member marked "do not join" (a changed wording alone is not "not joining")."""
        return self.stance is not None and self.stance.agree is False


@dataclass
class QuestionCompilation:
    question: Any  # TemplateQuestion
    entries: list[Entry]

    @property
    def with_input(self) -> list[Entry]:
        return [e for e in self.entries if e.answer]

    @property
    def disagreements(self) -> list[Entry]:
        return [e for e in self.entries if e.disagrees]

    @property
    def not_joining(self) -> list[Entry]:
        return [e for e in self.entries if e.not_joining]

    @property
    def undecided(self) -> list[Entry]:
        return [e for e in self.entries if e.undecided]


def labels(col: Collection, attribution: str) -> dict[str, str]:
    """Member key -> how the member is named in compilations ("Member 07" when anonymised).

    Anonymous numbers follow a hash of the name, not the alphabet, so they reveal nothing.
    """
    if attribution == "attributed":
        return {m.key: m.name for m in col.members}
    order = sorted(col.members, key=lambda m: hashlib.sha256(m.key.encode("utf-8")).hexdigest())
    width = max(2, len(str(len(order))))
    return {m.key: f"Member {i:0{width}d}" for i, m in enumerate(order, start=1)}


def compile_questions(col: Collection, template, attribution: str) -> list[QuestionCompilation]:
    """Member input per question. A position is compared with the wording the member saw (its
    template version), so the association's own later edits are never shown as the member's."""
    names = labels(col, attribution)
    out = []
    for q in template.questions:
        entries = []
        for m in col.counted:
            st = m.stances.get(q.id)
            answer = m.answers.get(q.id)
            changed = False
            proposed = diff = None
            disagrees = undecided = earlier = False
            if q.position and st is not None:
                seen = (m.seen_positions or {}).get(q.id, q.position) if q.locked else q.position
                earlier = _norm(seen) != _norm(q.position)
                if st.position is not None and _norm(st.position) != _norm(seen):
                    diff = word_diff(_norm(seen), _norm(st.position))
                    if q.locked:
                        changed = True
                    else:
                        proposed = st.position.strip()
                undecided = st.agree is None
                disagrees = st.agree is False or (q.locked and changed)
            if not (answer or disagrees or proposed or undecided or (st is not None and st.note)):
                continue
            entries.append(Entry(m, names[m.key], answer, m.statuses.get(q.id), st, disagrees, changed,
                                 proposed, diff, undecided, earlier))
        entries.sort(key=lambda e: e.label)
        out.append(QuestionCompilation(q, entries))
    return out


@dataclass
class QuoteChoice:
    quotes: list[Entry]
    no_consent: int = 0  # answers not quoted: the member did not say "you may quote us"
    confidential: int = 0  # answers not quoted: they hold BCI or a paragraph marked confidential


def select_quotes(qc: QuestionCompilation, limit: int) -> QuoteChoice:
    """Member inputs for the consolidated draft: only from members who consented to be quoted,
    never an answer holding confidential text; the most substantial first (words of its first
    paragraph), then by label."""
    out = QuoteChoice([])
    ok = []
    for e in qc.with_input:
        if disclosure.confidential_parts(e.answer):
            out.confidential += 1
        elif not disclosure.may_quote(e.member.respondent.may_quote):
            out.no_consent += 1
        else:
            ok.append(e)
    ok.sort(key=lambda e: (-len(first_paragraph(e.answer or "").split()), e.label))
    out.quotes = ok[:limit]
    return out


def redact_name(text: str, name: str, replacement: str = "[the member]") -> str:
    """The member's own names in ``text`` replaced (see :class:`commentkit.association.disclosure.Names`)."""
    names = disclosure.Names()
    names.add("self", name)
    return names.redact(text, "self")


def member_names(col: Collection, roster: list[RosterEntry] | None) -> disclosure.Names:
    """Every name and alias of every roster member and every response (superseded and held ones too),
    with the e-mail domains of the roster and of each response's contact, and the contact's name."""
    names = disclosure.Names()
    index = RosterIndex(roster)
    for r in roster or []:
        names.add(index.key_of(r), r.name, [*r.aliases, *_domain(r.email)])
    every = [*col.members, *(x.old for x in col.superseded), *(m for t in col.ties for m in t.responses)]
    for m in every:
        person = (m.respondent.contact_name or "").split(",")[0].strip()
        names.add(m.key, m.name, [*m.respondent.aliases, *_domain(m.respondent.contact_email),
                                  *([person] if len(person.split()) >= 2 else [])])
    return names


def _domain(email: str | None) -> list[str]:
    """An e-mail address's domain ("legal@dogwoodcap.example.com" -> "dogwoodcap.example.com"): it
    identifies the member in a quoted address or link as surely as its name."""
    if not email or "@" not in email:
        return []
    domain = email.rsplit("@", 1)[1].strip().strip(">")
    return [domain] if "." in domain else []


def first_paragraph(text: str, max_words: int = 120) -> str:
    para = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    words = para.split()
    if len(words) > max_words:
        return " ".join(words[:max_words]) + " \N{HORIZONTAL ELLIPSIS}"
    return " ".join(words)
