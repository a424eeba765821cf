"""``commentkit status`` and ``commentkit deadline``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from commentkit.calendar import deadlines as dl
from commentkit.calendar import ics
from commentkit.cli import jsonout, layout
from commentkit.cli.common import json_option, open_project, project_dir, today_option
from commentkit.errors import UserError
from commentkit.files import clock, hints, paths, storage
from commentkit.files.editor import EDITS_DIR
from commentkit.project import status as tracking
from commentkit.questionnaire import priorities as relevance

CONVENTION = ("Business days are counted after today up to and including the deadline day, "
              "excluding weekends and U.S. federal holidays (observed days included).")


def _report(proj):
    now = clock.now()
    anchor = None
    member = proj.file.member
    if member is not None:  # a member's work is due to its association first
        agency = proj.pack.docket.deadline.instant()
        anchor = (f"the member due date set by {member.association}", dt.datetime.combine(member.due, agency.timetz()))
    return tracking.build_report(proj.pack, proj.answers, relevance.plan(proj.pack, proj.profile),
                                 proj.file.milestones, now=now, today=clock.today(),
                                 commenter=proj.commenter_name, unsaved_edits=_unsaved_edits(proj.root),
                                 milestones_from=anchor)


def _unsaved_edits(root) -> list[str]:
    """Editor text that commentkit kept because it could not be saved (see docs/answers.md)."""
    folder = root / EDITS_DIR
    if not folder.is_dir():
        return []
    return [str(p.relative_to(root)) for p in folder.glob("*.md") if p.is_file()]


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\N{HORIZONTAL ELLIPSIS}"


def moved_lines(deadline) -> list[str]:
    """When an extension, reopening or correction moved the deadline: from what, and on whose word."""
    if not deadline.history:
        return []
    prev = deadline.history[-1]
    return [f"Moved:     from {prev.date.isoformat()} {prev.time} by the {prev.replaced_by}",
            f"Source:    {deadline.source}"]


def deadline_lines(report) -> list[str]:
    t = report.time
    d = t.deadline
    lines = [f"Deadline:  {dl.format_instant(d)} ({d.tzinfo})"]
    local = report.deadline_local
    if local.utcoffset() != d.utcoffset() or local.tzname() != d.tzname():
        lines.append(f"           {dl.format_instant(local)} (your time)")
    if t.closed:
        lines.append(f"CLOSED:    the comment period closed {dl.describe_ago(t.closed_for)} "
                     f"(as of {dl.format_day(t.today)}).")
        lines.append(f"Warning:   {dl.LATE_WARNING}")
    elif t.calendar_days == 0:
        lines.append(f"Time left: {t.summary()}: the deadline is TODAY "
                     f"(as of {t.now.astimezone(d.tzinfo):%H:%M %Z}).")
    else:
        lines.append(f"Time left: {t.summary()} (as of {dl.format_day(t.today)}; business days: after today "
                     "up to and including the deadline day, without weekends and federal holidays)")
        if t.holidays:
            days = ", ".join(f"{dl.format_day(day)} ({name})" for day, name in t.holidays)
            lines.append(f"Holidays:  {days}")
    return lines


def milestone_lines(report) -> list[str]:
    if not report.milestones:
        return ["Milestones: none set (add them under 'milestones:' in commentkit.yaml)."]
    lines = [f"Milestones, counted back from {report.milestones_from} "
             f"(met = every core answer at the status shown by the end of the day, "
             f"{report.time.deadline:%H:%M %Z}):"]
    for m in report.milestones:
        state = {"met": "met", "due": "due", "missed": "MISSED", "unranked": "-"}[m.state]
        extra = f"{m.reached}/{m.total} core answers reached it"
        if m.state == "due" and m.met_already:
            extra = "already met"
        elif m.state == "unranked":
            extra = "not checked: no question is ranked core yet (commentkit interview)"
        lines += layout.row([m.name, dl.format_day(m.date), dl.plural(m.business_days_before, "business day")
                             + " before", m.needed, state], [18, 15, 23, 7, 6], rest=extra, rest_indent=4)
    return lines


def _group_lines(g, width: int) -> list[str]:
    counts = ", ".join(f"{n} {state}" for state, n in g.counts.items() if n) or "no questions"
    words = f"; {g.words:,} words" if g.words else ""
    bar = 20 if layout.width() >= 100 else 10
    return layout.row([g.title, tracking.bar(g, bar), f"{g.done:>3}/{g.total:<3}"], [width, bar + 2, 7],
                      rest=counts + words, rest_indent=4)


def _time_json(report, docket_deadline=None) -> dict:
    data = {**report.time.as_dict(), "deadline_local": report.deadline_local.isoformat(),
            "local_timezone": report.deadline_local.tzname()}
    if docket_deadline is not None:  # where the deadline comes from, and the deadlines it replaced
        data["source"] = docket_deadline.source
        data["history"] = [h.model_dump(mode="json") for h in docket_deadline.history]
    return data


def _status_json(proj, report, member_due) -> dict:
    """``status --json``: the report in the JSON vocabulary (docs/json.md)."""
    pack = proj.pack
    details = {p.question_id: p.details for p in relevance.plan(pack, proj.profile)}
    general = {g.name for g in report.general}

    def row(q) -> dict:
        return jsonout.question_row(pack, q.id, level=q.level, reasons=q.priority_reasons, status=q.state,
                                    skip_reason=q.reason, owner=q.owner, words=q.words, details=details.get(q.id, ()),
                                    changed=q.changed)

    def group(g) -> dict:
        return {"key": g.key, "title": g.title, "questions": g.total, "counts": dict(g.counts), "done": g.done,
                "words": g.words}

    return {
        "project": str(proj.root), "docket": jsonout.docket_ref(pack.docket), "commenter": report.commenter,
        "deadline": _time_json(report, pack.docket.deadline),
        "totals": {**group(report.totals), "words_with_general_sections": report.words},
        "by_priority": [group(g) for g in report.by_priority],
        "by_section": [group(g) for g in report.by_section],
        "general_sections": [{"general_section": g.name, "title": g.title, "status": g.state, "owner": g.owner,
                              "words": g.words, "changed_since_final": g.changed} for g in report.general],
        "core_open": [row(q) for q in report.core_open],
        "core_skipped": [row(q) for q in report.core_skipped],
        "milestones": [m.as_dict() for m in report.milestones],
        "milestones_from": report.milestones_from,
        "unsaved_edits": list(report.unsaved_edits),
        "changed_since_final": [{"question_id": None if k in general else k, "general_section": k if k in general
                                 else None, "note": n} for k, n in report.changed_since_final],
        "questions": [row(q) for q in report.questions],
        "member_due": member_due,
    }


@click.command(epilog=CONVENTION)
@project_dir
@json_option
@today_option
def status(directory, as_json):
    """Where the comment stands: deadline, progress, open core questions, milestones.

    The top lines give the agency's deadline in the docket's time zone and in yours, and the
    time left in calendar days and business days (on the last day, in hours). Business days
    are counted after today up to and including the deadline day, without weekends and U.S.
    federal holidays: with --today 2023-09-21 and a deadline of Thursday 28 September 2023,
    23:59 ET, that is 7 calendar days and 5 business days. After the deadline, it says how long
    ago the period closed and warns that late comments may not be considered.

    Progress is shown by priority (core / recommended / optional, from the questionnaire) and
    by section of the notice: answers per status, a bar (# final or skipped, = review,
    - draft, . unanswered) and word counts. Then the core questions not yet final, the general
    sections, and each milestone from commentkit.yaml with its date and whether it is met.

    \b
    Examples:
      commentkit status my-comment
      commentkit status --today 2023-09-21
      commentkit status --json | jq '.core_open[].question_id'
    """
    proj = open_project(directory)
    report = _report(proj)
    member = proj.file.member is not None  # a trade association member's due date (docs/association.md)
    if member:
        pass

    if as_json:
        jsonout.emit("status", _status_json(proj, report, tracking.due_json(proj) if member else None))
        return
    out = layout.echo
    out(f"{report.docket_id}: {report.docket_title} ({report.citation})")
    out(f"Commenter: {report.commenter}")
    for line in deadline_lines(report):
        out(line)
    for line in moved_lines(proj.pack.docket.deadline):
        out(line)
    for line in tracking.due_lines(proj) if member else ():
        out(line)
    t = report.totals
    out("")
    out(f"Progress: {t.done} of {dl.plural(t.total, 'question')} settled (final or skipped); {t.counts['review']} in review, "
        f"{t.counts['draft']} draft, {t.counts['unanswered']} unanswered. {report.words:,} words in all.")
    out("  Bars: # final or skipped   = review   - draft   . unanswered")
    out("")
    out("By priority:")
    for g in report.by_priority:
        for line in _group_lines(g, 12):
            out(line)
    out("")
    out("By section:")
    width = min(36, max((len(g.title) for g in report.by_section), default=10))
    for g in report.by_section:
        for line in _group_lines(g, width):
            out(line)
    out("")
    out("General sections:")
    for g in report.general:
        out(f"  {g.title:<18} {g.state:<10}" + (f" {g.words:,} words" if g.words else "")
            + (f"  ({g.owner})" if g.owner else ""))
    out("")
    changed = report.changed_since_final
    if changed:
        out(f"Changed since approved ({len(changed)}): not final until marked final again "
            f"({hints.command(proj.root, 'mark', 'ID', 'final')}):")
        for key, note in changed:
            out(f"  {key}: {note}")
        out("")
    open_core = report.core_open
    if any(q.level == "core" for q in report.questions):
        if open_core:
            out(f"Core questions not final ({len(open_core)}):")
            idw = max(len(q.id) for q in open_core)
            numbered = any(q.number for q in open_core)
            for q in open_core:
                num = [f"Q{q.number}" if q.number else ""] if numbered else []
                for line in layout.row([q.id, *num, q.title, q.state + (f" {q.owner}" if q.owner else "")],
                                       [idw, *([4] if numbered else []), None, 22]):
                    out(line)
        else:
            out("Core questions: all final (or skipped with a reason).")
        for q in report.core_skipped:
            out(f"  skipped: {q.id} ({q.reason})")
    else:
        out(f"Core questions: none yet. Answer the questionnaire ({hints.command(proj.root, 'interview')}) "
            "to rank the questions.")
    out("")
    for line in milestone_lines(report):
        out(line)
    if report.unsaved_edits:
        out("")
        out(f"Unsaved editor text ({len(report.unsaved_edits)} file(s)), kept when a save failed; save one with "
            f"'{hints.command(proj.root, 'answer', 'ID', options=('--file', 'PATH'))}' or delete it:")
        for path in report.unsaved_edits:
            out(f"  {path}")


@click.command(epilog=CONVENTION)
@project_dir
@click.option("--ics", "ics_path", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write the deadline and milestones, with reminders, to an iCalendar (.ics) file.")
@json_option
@today_option
def deadline(directory, ics_path, as_json):
    """The comment deadline, the time left and the milestone dates; optionally as a calendar.

    --ics FILE writes an iCalendar file that Outlook, Apple Calendar and Google Calendar
    import: the deadline as an event at its exact time (reminders a week before, the business
    day before, on the day at 09:00 docket time, and two hours before), and each milestone as an
    all-day event with reminders. Importing a newer file (after an extension) updates the same
    events. Business days are counted after today up to and including the deadline day, without
    weekends and U.S. federal holidays.

    \b
    Examples:
      commentkit deadline my-comment
      commentkit deadline my-comment --ics comment-deadline.ics
      commentkit deadline --today 2023-09-21 --json
    """
    proj = open_project(directory)
    report = _report(proj)
    written = None
    if ics_path:
        target = Path(ics_path)
        if not target.parent.is_dir():
            raise UserError("the folder for the calendar file does not exist; nothing was written", target.parent)
        if target.exists():
            head = paths.read_regular(target, "existing calendar file")[:64].lstrip()
            if not head.upper().startswith(b"BEGIN:VCALENDAR"):
                raise UserError("exists and is not an iCalendar file; nothing was written (choose another name)",
                                target)
        data = ics.calendar(proj.pack, report.milestones, commenter=report.commenter, stamp=clock.now())
        storage.atomic_write(target, data)
        written = target
    if as_json:
        jsonout.emit("deadline", {"project": str(proj.root), "docket": jsonout.docket_ref(proj.pack.docket),
                                        "deadline": _time_json(report),
                                        "milestones": [m.as_dict() for m in report.milestones],
                                        "ics": str(written) if written else None, "changed": written is not None,
                                        "written": [str(written)] if written else []})
        return
    layout.echo(f"{report.docket_id}: {report.docket_title} ({report.citation})")
    for line in deadline_lines(report):
        layout.echo(line)
    click.echo("")
    for line in milestone_lines(report):
        layout.echo(line)
    if written:
        n = len(report.milestones)
        click.echo(f"\nWrote {written}: the deadline and {n} milestone{'s' if n != 1 else ''} with reminders; "
                   "import it into your calendar.")
