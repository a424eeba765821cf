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
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from commentkit.association import form as memberform
from commentkit.association.responses import (
    MemberResponse,
    Problem,
    Stance,
    check_against,
    is_member_project,
    load_export,
    load_project,
    normalise_name,
    validate_profile,
)
from commentkit.errors import UserError
from commentkit.files import progress
from commentkit.files.yamlio import read_text
from commentkit.questionnaire import conditions

MEMBER_SUFFIXES = (".yaml", ".yml", ".docx")


# ---- gathering ------------------------------------------------------------------------------------

@dataclass
class Skipped:
    source: Path
    reason: str


@dataclass
class Collection:
    members: list[MemberResponse] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    superseded: list[tuple[MemberResponse, MemberResponse]] = field(default_factory=list)  # (older, kept)



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


def gather(inputs: list[Path], template, interview, exclude: set[Path] | frozenset = frozenset()) -> Collection:
    """Read, check and validate every member input; later duplicates of a member replace earlier ones."""
    paths, skipped = expand(inputs)
    col = Collection(skipped=skipped)
    by_key: dict[str, MemberResponse] = {}
    seen: set[Path] = set()
    excluded = {_identity(p) for p in exclude}
    for path in progress.items(paths, "Reading member responses", label=lambda p: p.name):
        ident = _identity(path)
        if ident in seen or ident in excluded:
            continue
        seen.add(ident)
        resolved = Path(os.path.abspath(path))
        try:
            m = load_any(path, template)
            check_against(m, template.template.id, template.template.version, template.docket.id, path)
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
        if is_empty(m, template):
            m.empty = True
            m.problems = [Problem("response", "returned empty: nothing was filled in; not counted in the "
                                              "aggregates")]
        known_q = {q.id for q in template.questions}
        for qid in list(m.answers):
            if qid not in known_q:
                m.problems.append(Problem(qid, "answer to a question the template does not ask; not compiled"))
                del m.answers[qid]
        prev = by_key.get(m.key)
        if prev is not None:
            older, newer = sorted((prev, m), key=_when_key)
            col.superseded.append((older, newer))
            by_key[m.key] = newer
        else:
            by_key[m.key] = m
    col.members = sorted(by_key.values(), key=lambda x: x.key)
    return col


def is_empty(m: MemberResponse, template) -> bool:
    """Nothing filled in: no questionnaire answer, no answer to a question, and every position left
    as the association wrote it (agreed, no note, wording unchanged). Problems that are not about
    what was filled in (text typed outside a form's fields) make a response not empty."""
    if m.outside or any(conditions.is_answered(v) for v in m.profile.values()):
        return False
    if any(a and a.strip() for a in m.answers.values()):
        return False
    positions = {q.id: q.position for q in template.questions}
    for qid, st in m.stances.items():
        if not st.agree or (st.note and st.note.strip()):
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


def _when_key(m: MemberResponse):
    return (m.submitted or dt.datetime.min.replace(tzinfo=dt.timezone.utc), str(m.source))


# ---- roster ---------------------------------------------------------------------------------------

@dataclass
class RosterEntry:
    name: str
    email: str | None = None
    id: str | None = None


def load_roster(path: Path) -> list[RosterEntry]:
    """A CSV with a header row: ``name`` (required), ``email`` and ``id`` (optional).

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
        out.append(RosterEntry(name=name, email=get("email"), id=get("id")))
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
    roster_keys: dict[str, RosterEntry] = {}
    roster_ids: dict[str, RosterEntry] = {}
    for r in roster or []:
        roster_keys[normalise_name(r.name)] = r
        if r.id:
            roster_ids[r.id.casefold()] = r
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
            hit = (roster_ids.get(m.member_id.casefold()) if m.member_id else None) or roster_keys.get(m.key)
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
    suppressed: str | None = None  # "small" (under the threshold) or "secondary" (would reveal one)


@dataclass
class AggregateTable:
    item: str
    title: str
    kind: str
    cells: list[Cell]


@dataclass
class Aggregates:
    respondents: int  # members who filled something in (empty returns are not counted)
    threshold: int
    tables: list[AggregateTable]
    returned_empty: int = 0


def aggregates(col: Collection, interview, item_ids: list[str], threshold: int) -> Aggregates:
    """Members per answer choice. No cell shows a count from 1 to ``threshold - 1``.

    For single-answer items (choice, yes/no) the counts add up to the number answering, so when
    exactly one cell is suppressed the next smallest is suppressed too (otherwise subtraction
    would reveal it). Multiple-choice counts do not add up to anything and need no second cell.
    """
    counted = [m for m in col.members if not m.empty]
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
        for m in counted:
            value = m.profile.get(iid)
            if value is None:
                continue
            chosen = value if isinstance(value, list) else [value]
            for v in chosen:
                if v in counts:
                    counts[v] += 1
        cells = []
        for v, label in options:
            c = counts[v]
            if 0 < c < threshold:
                cells.append(Cell(label, None, None, "small"))
            else:
                cells.append(Cell(label, c, (c / n) if n else None))
        if item.type != "multichoice":
            small = [x for x in cells if x.suppressed]
            if len(small) == 1:
                rest = sorted((x for x in cells if not x.suppressed and x.count), key=lambda x: x.count or 0)
                if rest:
                    rest[0].count = rest[0].share = None
                    rest[0].suppressed = "secondary"
        tables.append(AggregateTable(iid, item.prompt, item.type, cells))
    return Aggregates(n, threshold, tables, returned_empty=len(col.members) - n)


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
    names = labels(col, attribution)
    out = []
    for q in template.questions:
        entries = []
        for m in col.members:
            st = m.stances.get(q.id)
            answer = m.answers.get(q.id)
            changed = False
            proposed = diff = None
            disagrees = False
            if q.position and st is not None:
                if st.position is not None and _norm(st.position) != _norm(q.position):
                    diff = word_diff(_norm(q.position), _norm(st.position))
                    if q.locked:
                        changed = True
                    else:
                        proposed = st.position.strip()
                disagrees = bool(q.locked and (changed or not st.agree)) or (not q.locked and not st.agree)
            if not (answer or disagrees or proposed or (st is not None and st.note)):
                continue
            entries.append(Entry(m, names[m.key], answer, m.statuses.get(q.id), st, disagrees, changed,
                                 proposed, diff))
        entries.sort(key=lambda e: e.label)
        out.append(QuestionCompilation(q, entries))
    return out


def select_quotes(qc: QuestionCompilation, limit: int) -> list[Entry]:
    """Member inputs for the consolidated draft: the most substantial first (word count), then by label."""
    ranked = sorted(qc.with_input, key=lambda e: (-len((e.answer or "").split()), e.label))
    return ranked[:limit]


def redact_name(text: str, name: str, replacement: str = "[the member]") -> str:
    """For anonymised quotes: the member's name (or its leading words, as members shorten it) removed."""
    words = [w for w in re.split(r"\s+", name.strip()) if w]
    for k in range(len(words), 0, -1):
        cand = " ".join(words[:k]).rstrip(",.")
        if k == 1 and len(cand) < 4:
            break
        pattern = re.compile(r"(?<![\w])" + re.escape(cand) + r"(?:'s)?(?![\w])", re.IGNORECASE)
        if pattern.search(text):
            return pattern.sub(replacement, text)
    return text


def first_paragraph(text: str, max_words: int = 120) -> str:
    para = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    words = para.split()
    if len(words) > max_words:
        return " ".join(words[:max_words]) + " \N{HORIZONTAL ELLIPSIS}"
    return " ".join(words)
