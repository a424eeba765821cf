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
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from commentkit.association import collect as mc
from commentkit.association import settings as association
from commentkit.association import template as association_template
from commentkit.association.collect import (
    Aggregates,
    Collection,
    QuestionCompilation,
    Tracker,
    first_paragraph,
    labels,
    redact_name,
    select_quotes,
)
from commentkit.errors import UserError
from commentkit.files import clock, storage
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


def small(count: int, threshold: int) -> str:
    """A count for the public letter: under the threshold it reads "fewer than N"."""
    if 0 < count < threshold:
        return f"fewer than {threshold}"
    return str(count)


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
    if col.superseded:
        lines += ["", "## Superseded (a later response from the same member was used)", ""]
        lines += [f"- {old.name}: {old.source} replaced by {new.source}" for old, new in col.superseded]
    return "\n".join(lines) + "\n"


def tracker_csv(t: Tracker) -> str:
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
    return buf.getvalue()


# ---- aggregates -----------------------------------------------------------------------------------

def aggregates_md(a: Aggregates, heading_level: int = 1, title: bool = True) -> str:
    h = "#" * heading_level
    lines = []
    if title:
        lines += [f"{h} Member exposure (aggregated)", ""]
    empty = (f" ({a.returned_empty} response{'s' if a.returned_empty != 1 else ''} returned empty "
             f"{'are' if a.returned_empty != 1 else 'is'} not counted)") if a.returned_empty else ""
    lines += [f"Based on {a.respondents} responding member{'s' if a.respondents != 1 else ''}{empty}. Counts from 1 "
              f"to {a.threshold - 1} are not shown (\"<{a.threshold}\") so that no member can be identified.", ""]
    for t in a.tables:
        head = f"{h}# {t.title}" if title else f"**{_md_cell(t.title)}**"
        lines += [head, "", "| Answer | Members | Share |", "|---|---:|---:|"]
        for c in t.cells:
            if c.count is None:
                lines.append(f"| {_md_cell(c.label)} | <{a.threshold} | \N{EM DASH} |")
            else:
                share = f"{c.share:.0%}" if c.share is not None else "\N{EM DASH}"
                lines.append(f"| {_md_cell(c.label)} | {c.count} | {share} |")
        lines.append("")
    return "\n".join(lines)


def aggregates_json(a: Aggregates) -> dict:
    return {"respondents": a.respondents, "returned_empty": a.returned_empty, "threshold": a.threshold,
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
            if e.disagrees:
                why = []
                if e.stance is not None and not e.stance.agree:
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
                          "changed_locked": e.changed_locked, "agree": e.stance.agree if e.stance else None,
                          "note": e.stance.note if e.stance else None, "diff": e.diff,
                          "proposed": e.proposed} for e in qc.entries]} for qc in compiled]


# ---- consolidated draft ---------------------------------------------------------------------------

def member_input_block(qc: QuestionCompilation, respondents: int, threshold: int, limit: int, today: dt.date,
                       attributed: bool) -> str:
    n = len(qc.with_input)
    parts = [f"**{markers.member_input_note(today)}** {small(n, threshold).capitalize()} of our {respondents} responding members "
             f"addressed this question."]
    dis = len(qc.disagreements)
    if dis:
        who = f"Some members ({small(dis, threshold)})" if 0 < dis < threshold else f"{dis} members"
        parts.append(f"{who} did not join the position above.")
    lines = [" ".join(parts), ""]
    for e in select_quotes(qc, limit):
        text = first_paragraph(e.answer or "")
        if not attributed:
            text = redact_name(text, e.member.name)
        lines += _quote(text)
        lines += [">", f"> \N{EM DASH} {e.label if attributed else 'a member company'}", ""]
    return "\n".join(lines).rstrip() + "\n"


def background_block(a: Aggregates, today: dt.date) -> str:
    return (f"**{markers.member_statistics_note(today)}** "
            f"The figures below are drawn from a survey of our members.\n\n" + aggregates_md(a, 3, title=False))


@dataclass
class Draft:
    files: dict[str, bytes]  # path relative to the draft folder -> content


def consolidated_draft(assoc, compiled: list[QuestionCompilation], agg: Aggregates, template, settings,
                       today: dt.date) -> Draft:
    """The files of the consolidated draft project (the association's own files are only read)."""
    files: dict[str, bytes] = {}
    files[PROJECT_FILE] = _draft_project_file(assoc.project_path.read_text(encoding="utf-8"))
    if assoc.profile_path.exists():
        files[PROFILE_FILE] = assoc.profile_path.read_bytes()
    for rel in _support_files(assoc):
        files[rel] = (assoc.root / rel).read_bytes()
    own = assoc.answers
    by_q = {qc.question.id: qc for qc in compiled}
    attributed = settings.attribution == "attributed"
    for key, ans in own.items():
        if key in by_q or key == "background":
            continue
        files[str(ans.path.relative_to(assoc.root).as_posix())] = ans.path.read_bytes()
    for qid, qc in by_q.items():
        mine = own.get(qid)
        body = mine.text if mine is not None and mine.text else (qc.question.position or "")
        block = member_input_block(qc, agg.respondents, agg.threshold, settings.draft_quotes_per_question, today,
                                   attributed)
        meta = AnswerMeta(question=qid, status="draft", owner=mine.meta.owner if mine else None)
        files[f"answers/{qid}.md"] = answerfile.render(meta, (body + "\n\n" + block).strip()).encode("utf-8")
    bg = own.get("background")
    bg_body = (bg.text + "\n\n" if bg is not None and bg.text else "") + background_block(agg, today)
    files["general/background.md"] = answerfile.render(
        AnswerMeta(section="background", status="draft", owner=bg.meta.owner if bg else None),
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
    out_dir = Path(out_dir)
    for rel in files:
        if rel.startswith("/") or ".." in Path(rel).parts:
            raise UserError(f"refusing to write {rel!r} outside the output folder", out_dir)
    manifest_path = out_dir / MANIFEST
    old: dict[str, str] = {}
    if manifest_path.exists():
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8")).get("files", {})
            if not isinstance(old, dict):
                old = {}
        except (ValueError, OSError, AttributeError):
            old = {}
    edited = []
    for rel, raw in files.items():
        path = out_dir / rel
        if not path.exists():
            continue
        cur = _digest(path.read_bytes())
        if cur == _digest(raw):
            continue
        if old.get(rel) != cur:
            edited.append(rel)
    # files from the last run that this run no longer writes: remove only if unchanged
    stale = [rel for rel in old if rel not in files and isinstance(rel, str) and ".." not in Path(rel).parts
             and not rel.startswith("/") and (out_dir / rel).exists()
             and _digest((out_dir / rel).read_bytes()) == old[rel]]
    kept: list[str] = []
    if edited and not force:
        first = out_dir / edited[0]
        more = f" (and {len(edited) - 1} more)" if len(edited) > 1 else ""
        raise UserError(f"was edited since 'commentkit collect' wrote it{more}; nothing was written. Move your "
                        f"edits elsewhere, choose another --out folder, or pass --force (edited files are "
                        f"backed up first)", first)
    with storage.project_lock(out_dir):
        for rel in edited:
            storage.backup(out_dir / rel, out_dir)
            kept.append(rel)
        for rel, raw in files.items():
            path = out_dir / rel
            if path.exists() and _digest(path.read_bytes()) == _digest(raw):
                continue
            storage.atomic_write(path, raw)
        for rel in stale:
            try:
                (out_dir / rel).unlink()
            except OSError:
                pass
        manifest = {"written_by": "commentkit collect", "files": {rel: _digest(raw) for rel, raw in files.items()}}
        storage.atomic_write(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
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

    def summary(self) -> dict:
        t = self.tracker
        return {
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
            "superseded": [{"member": o.name, "source": str(o.source), "replaced_by": str(n.source)}
                           for o, n in self.collection.superseded],
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


def collect(assoc_dir: Path, inputs: list[Path], out_dir: Path | None = None, *, force: bool = False,
            today: dt.date | None = None) -> CollectResult:
    """Read the association project and every member input; write the collect outputs."""
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
    col = mc.gather(inputs, template, interview, exclude={assoc.root.resolve(), out_dir.resolve()})
    compiled = mc.compile_questions(col, template, settings.attribution)
    track = mc.tracker(col, template, roster, compiled, base=Path.cwd())
    agg = mc.aggregates(col, interview, association.aggregate_item_ids(settings, assoc.pack),
                        settings.suppression_threshold)
    today = today or clock.today()
    result = CollectResult(out_dir, col, track, agg, compiled, [])
    files: dict[str, bytes] = {
        "tracker.md": tracker_md(track, col, template).encode("utf-8"),
        "tracker.csv": tracker_csv(track).encode("utf-8"),
        "aggregates.md": aggregates_md(agg).encode("utf-8"),
        "compilation.md": compilation_md(compiled, template, col).encode("utf-8"),
    }
    draft = consolidated_draft(assoc, compiled, agg, template, settings, today)
    for rel, raw in draft.files.items():
        files[f"{DRAFT_DIR}/{rel}"] = raw
    summary = result.summary()
    files["collect.json"] = (json.dumps(summary, indent=1, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    result.backed_up = write_all(out_dir, files, force=force)
    return result
