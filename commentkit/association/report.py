"""Writing what ``collect`` computed: tracker, aggregate table, compilation, JSON, consolidated draft.

Everything goes into one output folder (default ``<association>/collected/``). The consolidated
draft is its own buildable project folder (``collected/consolidated/``): the association's
project file, profile and answers copied, with member statistics and selected member input
inserted. The association's own files are only read.

Re-running ``collect`` replaces only files it wrote last time and that nobody changed since
(``.collect-manifest.json`` keeps their digests); a file edited since is never overwritten: the
run stops and says which, unless ``--force`` (then the edited file is kept in a backup first).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from commentkit.association import collect as mc
from commentkit.association import disclosure, spreadsheet
from commentkit.association import settings as association
from commentkit.association import template as association_template
from commentkit.association.collect import (
    Aggregates,
    Collection,
    QuestionCompilation,
    Tracker,
    first_paragraph,
    labels,
    select_quotes,
)
from commentkit.association.disclosure import plural
from commentkit.errors import UserError
from commentkit.files import clock, paths, storage
from commentkit.files.yamlio import read_text
from commentkit.letter import markers
from commentkit.models.project import PROFILE_FILE, PROJECT_FILE, AnswerMeta
from commentkit.project import answerfile
from commentkit.project.folder import Project

MANIFEST = ".collect-manifest.json"
DRAFT_DIR = "consolidated"


def _md_cell(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _stamp(value: dt.datetime | None, zone: str = "UTC") -> str:
    """A submission time in the docket's time zone (the zone of the due dates)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


def _long_date(d: dt.date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


# ---- tracker --------------------------------------------------------------------------------------

def tracker_md(t: Tracker, col: Collection, template) -> str:
    lines = [f"# Response tracker: {template.association.name}", "",
             f"Template {template.label}; member due date {_long_date(t.member_due)} (late: sent after 23:59 "
             f"that day, {template.docket.deadline_zone} time, the zone of the times below).", ""]
    summary = f"**{t.headline()}**; {len(t.late)} late; {len(col.skipped)} file(s) skipped as unreadable."
    lines += [summary, "",
              "| Member | Kind | Submitted | Late | Required items | Questions answered | Disagreements | "
              "Problems | On roster |",
              "|---|---|---|---|---|---|---|---|---|"]
    zone = template.docket.deadline_zone
    for r in t.rows:
        late = "LATE" if r.late else ("?" if r.late is None else "")
        roster = "" if r.on_roster is None else ("yes" if r.on_roster else "NOT ON ROSTER")
        kind = f"{r.kind}, returned empty" if r.empty else r.kind
        lines.append(f"| {_md_cell(r.name)} | {kind} | {_stamp(r.submitted, zone)} | {late} | "
                     f"{r.required_filled}/{r.required_total} | {r.answered}/{r.asked} | {r.disagreements or ''} | "
                     f"{len(r.problems) or ''} | {roster} |")
    if t.missing:
        lines += ["", "## Still missing (on the roster, no response)", ""]
        lines += [f"- {r.name}" + (f" <{r.email}>" if r.email else "") for r in t.missing]
    probs = [(r, p) for r in t.rows for p in r.problems]
    if probs:
        lines += ["", "## Problems in responses (by member and item)", ""]
        lines += [f"- {r.name} ({r.source}): {p}" for r, p in probs]
    if col.skipped:
        lines += ["", "## Skipped (could not be read)", ""]
        lines += [f"- {s.source}: {s.reason}" for s in col.skipped]
    if col.ties:
        lines += ["", "## Ties to resolve (same member, same times, different content: none is counted)", ""]
        for tie in col.ties:
            lines += [f"- {tie.responses[0].name}: " + "; ".join(f"{m.source} (as {m.name!r})" for m in tie.responses)
                      + ". Remove all but one and run collect again."]
    if col.superseded:
        lines += ["", "## Replaced (one response per member: the later response time wins, then the later file "
                      "time)", ""]
        lines += [f"- {x.old.name}: {x.old.source} replaced by {x.new.source} (as {x.new.name!r}; {x.rule})"
                  for x in col.superseded]
    return "\n".join(lines) + "\n"


def tracker_csv(t: Tracker, col: Collection | None = None) -> str:
    """The tracker as CSV; replaced responses follow as rows of kind "replaced by FILE (rule)"."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["member", "kind", "source", "submitted", "late", "required_filled", "required_total",
                "questions_answered", "questions_asked", "disagreements", "problems", "on_roster", "returned_empty"])
    for r in t.rows:
        w.writerow([r.name, r.kind, r.source, r.submitted.isoformat() if r.submitted else "",
                    "" if r.late is None else ("yes" if r.late else "no"), r.required_filled, r.required_total,
                    r.answered, r.asked, r.disagreements, "; ".join(r.problems),
                    "" if r.on_roster is None else ("yes" if r.on_roster else "no"), "yes" if r.empty else "no"])
    for m in t.missing:
        w.writerow([m.name, "missing", "", "", "", "", "", "", "", "", "", "yes", ""])
    for x in (col.superseded if col is not None else []):
        w.writerow([x.old.name, f"replaced by {x.new.source} ({x.rule})", str(x.old.source),
                    x.old.submitted.isoformat() if x.old.submitted else "", "", "", "", "", "", "", "", "", ""])
    return buf.getvalue()


# ---- aggregates -----------------------------------------------------------------------------------

def aggregates_md(a: Aggregates, heading_level: int = 1, title: bool = True) -> str:
    h = "#" * heading_level
    lines = []
    if title:
        lines += [f"{h} Member exposure (aggregated)", ""]
    empty = (f" ({plural(a.returned_empty, 'response')} returned empty "
             f"{'are' if a.returned_empty != 1 else 'is'} not counted)") if a.returned_empty and title else ""
    lines += [f"Based on {plural(a.respondents, 'responding member')}{empty}."]
    if a.withheld:
        lines += ["", f"Fewer than {a.threshold} members responded, so no figures are shown.", ""]
        return "\n".join(lines)
    lines[-1] += (f" A count from 1 to {a.threshold - 1}, and any count from which one could be worked out, "
                  f"reads \N{LEFT DOUBLE QUOTATION MARK}{disclosure.SUPPRESSED}\N{RIGHT DOUBLE QUOTATION MARK}.")
    lines.append("")
    for t in a.tables:
        head = f"{h}# {t.title}" if title else f"**{_md_cell(t.title)}**"
        lines += [head, "", "| Answer | Members | Share |", "|---|---:|---:|"]
        for c in t.cells:
            if c.count is None:
                lines.append(f"| {_md_cell(c.label)} | {disclosure.SUPPRESSED} | \N{EM DASH} |")
            else:
                share = f"{c.share:.0%}" if c.share is not None else "\N{EM DASH}"
                lines.append(f"| {_md_cell(c.label)} | {c.count} | {share} |")
        lines.append("")
    return "\n".join(lines)


def aggregates_json(a: Aggregates) -> dict:
    return {"respondents": a.respondents, "returned_empty": a.returned_empty, "threshold": a.threshold,
            "withheld": a.withheld,
            "tables": [{"item": t.item, "title": t.title, "type": t.kind,
                        "cells": [{"label": c.label, "count": c.count,
                                   "share": round(c.share, 4) if c.share is not None else None,
                                   "suppressed": c.suppressed} for c in t.cells]} for t in a.tables]}


# ---- compilation ----------------------------------------------------------------------------------

def _quote(text: str) -> list[str]:
    return [("> " + line) if line.strip() else ">" for line in text.strip().splitlines()]


def compilation_md(compiled: list[QuestionCompilation], template, col: Collection | None = None) -> str:
    attributed = template.association.attribution == "attributed"
    lines = [f"# Member input by question: {template.association.name}", "",
             f"Members are {'named' if attributed else 'anonymised (numbers follow no order of names)'}. "
             f"Entries marked **DISAGREES** do not join a locked position or changed its wording.", ""]
    for qc in compiled:
        q = qc.question
        lines += [f"## {q.heading}", "", f"*{q.cite}; question id `{q.id}`*", ""]
        if q.position:
            lines += [f"**Association position ({'locked' if q.locked else 'editable'}):**", ""]
            lines += _quote(q.position) + [""]
        n_dis = len(qc.disagreements)
        lines += [f"{len(qc.with_input)} member input(s); {n_dis} disagreement(s).", ""]
        for e in qc.entries:
            flag = " \N{EM DASH} **DISAGREES**" if e.disagrees else ""
            status = f" ({e.status})" if e.status and e.status != "final" else ""
            lines += [f"### {e.label}{status}{flag}", ""]
            if e.undecided:
                lines += ["No stance marked on the position (neither joining nor not joining): ask the member.", ""]
            if e.saw_earlier:
                lines += ["This member saw an earlier wording of the position (an earlier template version); "
                          "any change is shown against that wording.", ""]
            if e.disagrees:
                why = []
                if e.stance is not None and e.stance.agree is False:
                    why.append("does not join the position")
                if e.changed_locked:
                    why.append("changed the locked wording")
                lines += ["Disagreement: " + " and ".join(why) + ".", ""]
            if e.diff:
                kind = "Changes to the locked position" if e.changed_locked else "Proposed rewording"
                lines += [f"{kind} ([-removed-] {{+added+}}):", "", "    " + e.diff, ""]
            if e.stance is not None and e.stance.note:
                lines += [f"Note: {e.stance.note.strip()}", ""]
            if e.answer:
                if disclosure.confidential_parts(e.answer):
                    lines += ["**Holds text marked confidential ([[BCI]] or CONFIDENTIAL): never quoted in the "
                              "comment.**", ""]
                elif not disclosure.may_quote(e.member.respondent.may_quote):
                    lines += ["*The member did not consent to be quoted.*", ""]
                lines += [e.answer.strip(), ""]
    strays = [m for m in (col.members if col is not None else []) if m.outside]
    if strays and col is not None:
        names = labels(col, template.association.attribution)
        lines += ["## Text typed outside the form's fields", "",
                  "Returned Word forms with text outside every box; kept here in full, for counsel to place.", ""]
        for m in sorted(strays, key=lambda m: names[m.key]):
            lines += [f"### {names[m.key]}", ""]
            for text in m.outside:
                lines += _quote(text) + [""]
    return "\n".join(lines)


def compilation_json(compiled: list[QuestionCompilation]) -> list[dict]:
    return [{"question": qc.question.id, "locked": qc.question.locked,
             "entries": [{"member": e.label, "answer": e.answer, "status": e.status, "disagrees": e.disagrees,
                          "undecided": e.undecided, "saw_earlier_wording": e.saw_earlier,
                          "changed_locked": e.changed_locked, "agree": e.stance.agree if e.stance else None,
                          "note": e.stance.note if e.stance else None, "diff": e.diff,
                          "proposed": e.proposed} for e in qc.entries]} for qc in compiled]


# ---- consolidated draft ---------------------------------------------------------------------------

def member_input_block(qc: QuestionCompilation, respondents: int, threshold: int, limit: int, today: dt.date,
                       attribution: str, names: disclosure.Names) -> str:
    """The marked passage of member input under one question of the consolidated draft.

    Every sentence states counts computed here and appears only if its counts may be published
    (:func:`commentkit.association.disclosure.safe_count`); a zero or withheld count gives no sentence.
    Quotes come only from members who consented, never from an answer holding confidential text,
    with every member name replaced (the member is named only if it consented and the association
    attributes input)."""
    # an answer that is confidential from end to end is not counted as addressing the question in public
    n = sum(1 for e in qc.with_input if disclosure.public_text(e.answer).strip())
    said = []
    if n and disclosure.safe_count(n, respondents, threshold):
        said.append(f"{n} of our {plural(respondents, 'responding member')} addressed this question.")
    dis = len(qc.not_joining)
    if qc.question.position and dis and disclosure.safe_count(dis, respondents, threshold):
        said.append(f"{plural(dis, 'member')} did not join the position above.")
    changed = sum(1 for e in qc.entries if e.changed_locked and not e.not_joining)
    if changed and disclosure.safe_count(changed, respondents, threshold):
        said.append(f"{plural(changed, 'member')} joined it with changes to its wording.")
    choice = select_quotes(qc, limit)
    held = []
    if choice.confidential:
        held.append(f"{plural(choice.confidential, 'answer')} holding confidential text")
    if choice.no_consent:
        held.append(f"{plural(choice.no_consent, 'answer')} from members who did not consent to be quoted")
    head = f"**{markers.member_input_note(today)}**"
    if held:  # a note for counsel, found by 'commentkit check' like the marker before it
        head += f" **[Not quoted by commentkit: {' and '.join(held)}.]**"
    lines = [" ".join([head, *said]), ""]
    for e in choice.quotes:
        text = first_paragraph(e.answer or "")
        named = disclosure.may_name(e.member.respondent.may_name, attribution)
        if named:
            text = names.redact(text, e.member.key, keep={e.member.key})
        else:
            text = names.redact(text, e.member.key)
        lines += _quote(text)
        lines += [">", f"> \N{EM DASH} {e.member.name if named else 'a member company'}", ""]
    return "\n".join(lines).rstrip() + "\n"


def background_block(a: Aggregates, today: dt.date) -> str:
    return (f"**{markers.member_statistics_note(today)}** "
            f"The figures below are drawn from a survey of our members.\n\n" + aggregates_md(a, 3, title=False))


@dataclass
class Draft:
    files: dict[str, bytes]  # path relative to the draft folder -> content


def consolidated_draft(assoc, compiled: list[QuestionCompilation], agg: Aggregates, template, settings,
                       today: dt.date, names: disclosure.Names | None = None) -> Draft:
    """The files of the consolidated draft project (the association's own files are only read)."""
    files: dict[str, bytes] = {}
    files[PROJECT_FILE] = _draft_project_file(read_text(assoc.project_path, "project file"))
    if assoc.profile_path.exists():
        files[PROFILE_FILE] = paths.read_regular(assoc.profile_path, "profile file")
    for rel in _support_files(assoc):
        files[rel] = paths.read_regular(assoc.root / rel, "association file")
    own = assoc.answers
    by_q = {qc.question.id: qc for qc in compiled}
    names = names or disclosure.Names()
    for key, ans in own.items():
        if key in by_q or key == "background":
            continue
        files[str(ans.path.relative_to(assoc.root).as_posix())] = paths.read_regular(ans.path, "answer file")
    for qid, qc in by_q.items():
        mine = own.get(qid)
        body = mine.text if mine is not None and mine.text else (qc.question.position or "")
        block = member_input_block(qc, agg.respondents, agg.threshold, settings.draft_quotes_per_question, today,
                                   settings.attribution, names)
        meta = AnswerMeta(question=qid, status="draft", owner=mine.meta.owner if mine else None,
                          origin="collect")  # holds member input: filed only once approved
        files[f"answers/{qid}.md"] = answerfile.render(meta, (body + "\n\n" + block).strip()).encode("utf-8")
    bg = own.get("background")
    bg_body = (bg.text + "\n\n" if bg is not None and bg.text else "") + background_block(agg, today)
    files["general/background.md"] = answerfile.render(
        AnswerMeta(section="background", status="draft", owner=bg.meta.owner if bg else None, origin="collect"),
        bg_body).encode("utf-8")
    return Draft(files)


def _draft_project_file(text: str) -> bytes:
    note = ("# CONSOLIDATED DRAFT written by `commentkit collect` from the association's project and its\n"
            "# members' responses. Edit here; the association's own project is unchanged.\n")
    lines = text.splitlines(keepends=True)
    # the member-template settings live in association.yaml, not here; nothing else changes
    return (note + "".join(lines)).encode("utf-8")


def _support_files(assoc) -> list[str]:
    """The association's letterhead and template overrides, where they sit inside its project
    (a path outside it stays as the project file says, relative to the draft: see docs)."""
    out = []
    root = assoc.root.resolve()

    def inside(p: Path) -> str | None:
        try:
            return p.resolve().relative_to(root).as_posix()
        except (ValueError, OSError):
            return None

    b = assoc.file.build
    if b.reference_docx and (assoc.root / b.reference_docx).is_file():
        rel = inside(assoc.root / b.reference_docx)
        if rel:
            out.append(rel)
    if b.templates and (assoc.root / b.templates).is_dir():
        for p in sorted((assoc.root / b.templates).rglob("*")):
            if p.is_file() and not p.name.startswith("."):
                rel = inside(p)
                if rel:
                    out.append(rel)
    return out


# ---- writing with protection of edited files ------------------------------------------------------

def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def write_all(out_dir: Path, files: dict[str, bytes], *, force: bool = False) -> list[str]:
    """Write ``files`` under ``out_dir``; refuse to replace any file changed since the last run.

    Returns the relative paths kept in a backup (only with ``force``).
    """
    paths.check_write(Path(out_dir) / MANIFEST, "collect output")  # inside the association: not through a link
    out_dir = paths.confine(out_dir)  # nothing written through a link inside it either
    for rel in files:
        if rel.startswith("/") or ".." in Path(rel).parts:
            raise UserError(f"refusing to write {rel!r} outside the output folder", out_dir)
    manifest_path = out_dir / MANIFEST
    old: dict[str, str] = {}
    if manifest_path.exists():
        try:
            old = json.loads(paths.read_regular(manifest_path, "collect manifest").decode("utf-8")).get("files", {})
            if not isinstance(old, dict):
                old = {}
        except (ValueError, OSError, AttributeError, UserError):
            old = {}
    edited = []
    for rel, raw in files.items():
        path = out_dir / rel
        if not path.exists():
            continue
        cur = _digest(paths.read_regular(path, "output file"))
        if cur == _digest(raw):
            continue
        if old.get(rel) != cur:
            edited.append(rel)
    # files from the last run that this run no longer writes: remove only if unchanged
    stale = [rel for rel in old if rel not in files and isinstance(rel, str) and ".." not in Path(rel).parts
             and not rel.startswith("/") and (out_dir / rel).exists()
             and _digest(paths.read_regular(out_dir / rel, "output file")) == old[rel]]
    kept: list[str] = []
    if edited and not force:
        first = out_dir / edited[0]
        more = f" (and {len(edited) - 1} more)" if len(edited) > 1 else ""
        raise UserError(f"was edited since 'commentkit collect' wrote it{more}; nothing was written. Move your "
                        f"edits elsewhere, choose another --out folder, or pass --force (edited files are "
                        f"backed up first)", first)
    with storage.transaction(out_dir, "collect") as tx:  # every output file, or none
        for rel in edited:
            storage.backup(out_dir / rel, out_dir)
            kept.append(rel)
        for rel, raw in files.items():
            path = out_dir / rel
            if path.exists() and _digest(paths.read_regular(path, "output file")) == _digest(raw):
                continue
            tx.write(path, raw)
        for rel in stale:
            tx.remove(out_dir / rel)
        manifest = {"written_by": "commentkit collect", "files": {rel: _digest(raw) for rel, raw in files.items()}}
        tx.write(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return kept



# ---- the whole run --------------------------------------------------------------------------------

@dataclass
class CollectResult:
    out_dir: Path
    collection: Collection
    tracker: Tracker
    aggregates: Aggregates
    compiled: list[QuestionCompilation]
    backed_up: list[str]
    unsearchable: list[str] = field(default_factory=list)  # aliases too short to find in text

    def summary(self) -> dict:
        t = self.tracker
        return {
            "unsearchable_aliases": list(self.unsearchable),
            "out": str(self.out_dir),
            "draft": str(self.out_dir / DRAFT_DIR),
            "headline": t.headline(),
            "responses": len(t.rows),
            "responses_from_roster": len(t.from_roster),
            "responses_off_roster": len(t.off_roster),
            "returned_empty": [r.name for r in t.empty],
            "roster": t.roster_size,
            "missing": [r.name for r in t.missing],
            "late": [r.name for r in t.late],
            "skipped": [{"source": str(s.source), "reason": s.reason} for s in self.collection.skipped],
            "superseded": [{"member": x.old.name, "source": str(x.old.source), "replaced_by": str(x.new.source),
                            "replaced_by_name": x.new.name, "rule": x.rule} for x in self.collection.superseded],
            "ties": [{"member": t.responses[0].name, "sources": [str(m.source) for m in t.responses]}
                     for t in self.collection.ties],
            "members": [{"name": r.name, "kind": r.kind, "source": r.source,
                         "submitted": r.submitted.isoformat() if r.submitted else None, "late": r.late,
                         "required_filled": r.required_filled, "required_total": r.required_total,
                         "questions_answered": r.answered, "questions_asked": r.asked,
                         "disagreements": r.disagreements, "problems": r.problems, "on_roster": r.on_roster,
                         "returned_empty": r.empty}
                        for r in t.rows],
            "disagreements": [{"question": qc.question.id, "member": e.label, "changed_locked": e.changed_locked,
                               "diff": e.diff} for qc in self.compiled for e in qc.disagreements],
            "aggregates": aggregates_json(self.aggregates),
            "compilation": compilation_json(self.compiled),
        }


def named_members(compiled: list[QuestionCompilation], attribution: str, limit: int) -> set[str]:
    """Members the draft may name: quoted, consented to be named, and the association attributes."""
    return {e.member.key for qc in compiled for e in select_quotes(qc, limit).quotes
            if disclosure.may_name(e.member.respondent.may_name, attribution)}


def check_public_files(files: dict[str, bytes], names: disclosure.Names, secrets: list[str], allowed: set[str],
                       out_dir: Path) -> None:
    """The final scan of everything public (the draft's text files, the aggregate table): no member
    name or alias (except members who consented to be named), no confidential text or marker."""
    for rel, raw in sorted(files.items()):
        if not (rel.startswith(DRAFT_DIR + "/") or rel == "aggregates.md"):
            continue
        if not rel.endswith((".md", ".yaml", ".yml", ".j2", ".txt")):
            continue
        text = raw.decode("utf-8", errors="replace")
        names.check(text, out_dir / rel, allowed)
        starts = [i for i in (text.find("[Member input inserted by commentkit"),
                              text.find("[Member statistics inserted by commentkit")) if i >= 0]
        generated = 0 if rel == "aggregates.md" else (min(starts) if starts else len(text))
        disclosure.check_public(text, secrets, out_dir / rel, generated)


def confidential_passages(col: Collection) -> list[str]:
    out = []
    for m in [*col.members, *(x.old for x in col.superseded)]:
        for text in [*m.answers.values(), *(st.note or "" for st in m.stances.values()), *m.outside]:
            out += disclosure.confidential_parts(text)
    return out


def collect(assoc_dir: Path, inputs: list[Path], out_dir: Path | None = None, *, force: bool = False,
            today: dt.date | None = None, xlsx: Path | None = None) -> CollectResult:
    """Read the association project and every member input; write the collect outputs.

    Nothing is written if a public file would still name a member or hold confidential text."""
    assoc = Project.open(assoc_dir)
    settings = association.load(assoc.root, assoc.pack)
    template = association_template.build(assoc, settings)
    interview = assoc.pack.interview
    out_dir = Path(out_dir) if out_dir is not None else assoc.root / "collected"
    if out_dir.resolve() == assoc.root.resolve():
        raise UserError("--out must not be the association's project folder itself", out_dir)
    roster = None
    if settings.roster:
        roster = mc.load_roster(assoc.root / settings.roster)
    col = mc.gather(inputs, template, interview, exclude={assoc.root.resolve(), out_dir.resolve()}, roster=roster)
    compiled = mc.compile_questions(col, template, settings.attribution)
    track = mc.tracker(col, template, roster, compiled, base=Path.cwd())
    agg = mc.aggregates(col, interview, association.aggregate_item_ids(settings, assoc.pack),
                        settings.suppression_threshold, settings.aggregate_headings)
    today = today or clock.today()
    result = CollectResult(out_dir, col, track, agg, compiled, [])
    names = mc.member_names(col, roster)
    result.unsearchable = [f"{names.display.get(k, k)}: {a!r}" for k, a in names.too_short]
    files: dict[str, bytes] = {
        "tracker.md": tracker_md(track, col, template).encode("utf-8"),
        "tracker.csv": tracker_csv(track, col).encode("utf-8"),
        "aggregates.md": aggregates_md(agg).encode("utf-8"),
        "compilation.md": compilation_md(compiled, template, col).encode("utf-8"),
    }
    draft = consolidated_draft(assoc, compiled, agg, template, settings, today, names)
    for rel, raw in draft.files.items():
        files[f"{DRAFT_DIR}/{rel}"] = raw
    allowed = named_members(compiled, settings.attribution, settings.draft_quotes_per_question)
    check_public_files(files, names, confidential_passages(col), allowed, out_dir)
    summary = result.summary()
    files["collect.json"] = (json.dumps(summary, indent=1, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    if xlsx is not None:
        data = spreadsheet.workbook(col, track, template, interview)
    result.backed_up = write_all(out_dir, files, force=force)
    if xlsx is not None:
        storage.atomic_write(Path(xlsx), data)
    return result
