"""The comment deadline and the internal milestones as an iCalendar file (RFC 5545).

The deadline is one timed event at the exact instant (written in UTC, so every calendar
program shows it in its own zone); each milestone is an all-day event on its date. Reminders
are absolute times, 09:00 in the docket's time zone on the days chosen, so they land at 09:00
across a daylight-saving change. UIDs are stable (docket, commenter and milestone name), so
importing a newer file (say after an extension) updates the events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import re

from commentkit import __version__
from commentkit.calendar import deadlines

REMINDER_TIME = dt.time(9, 0)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _at_nine(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day, REMINDER_TIME, tzinfo=tz).astimezone(dt.timezone.utc)


def _alarm(when_utc: dt.datetime, text: str):
    from icalendar import Alarm  # lazy: only --ics needs it

    a = Alarm()
    a.add("action", "DISPLAY")
    a.add("description", text)
    a.add("trigger", when_utc, parameters={"VALUE": "DATE-TIME"})  # RFC 5545: absolute triggers say so
    return a


def deadline_reminders(deadline: dt.datetime) -> list[tuple[dt.datetime, str]]:
    """(UTC instant, label): 09:00 docket time a week before, the business day before, and on
    the day; plus two hours before the deadline itself."""
    tz = deadline.tzinfo
    day = deadline.date()
    out = [(_at_nine(day - dt.timedelta(days=7), tz), "Comment deadline in one week"),
           (_at_nine(deadlines.business_days_before(day, 1), tz), "Comment deadline next business day"),
           (_at_nine(day, tz), "Comment deadline today")]
    two_hours = (deadline - dt.timedelta(hours=2)).astimezone(dt.timezone.utc)
    out.append((two_hours, "Comment deadline in two hours"))
    seen, unique = set(), []
    for when, label in sorted(out):
        if when < deadline and when not in seen:
            seen.add(when)
            unique.append((when, label))
    return unique


def calendar(pack, milestones: list[deadlines.MilestoneResult], *, commenter: str, stamp: dt.datetime) -> bytes:
    """The iCalendar file's bytes."""
    from icalendar import Calendar, Event  # lazy: only --ics needs it

    d = pack.docket
    deadline = d.deadline.instant()
    who = _slug(commenter)
    url = next((c.url for c in d.channels if c.url), None)
    stamp = stamp.astimezone(dt.timezone.utc).replace(microsecond=0)

    cal = Calendar()
    cal.add("prodid", f"-//commentkit//commentkit {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{d.id} comment ({commenter})")

    ev = Event()
    ev.add("uid", f"deadline-{_slug(d.id)}-{who}@commentkit")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", deadline.astimezone(dt.timezone.utc))
    ev.add("summary", f"Comments due: {d.display_name} ({d.id})")
    lines = [f"Comments on {d.title} ({d.document_type}, {d.citation}) must be received by "
             f"{deadlines.format_instant(deadline)} ({d.deadline.timezone}).",
             f"Commenter: {commenter}" + ("" if commenter.endswith(".") else ".")]
    if url:
        lines.append(f"Submit: {url}")
    lines.append(deadlines.LATE_WARNING)
    ev.add("description", "\n".join(lines))
    if url:
        ev.add("url", url)
    ev.add("transp", "TRANSPARENT")
    for when, label in deadline_reminders(deadline):
        ev.add_component(_alarm(when, f"{label}: {d.id} ({deadlines.format_instant(deadline)})"))
    cal.add_component(ev)

    for m in milestones:
        ev = Event()
        ev.add("uid", f"milestone-{_slug(m.name)}-{_slug(d.id)}-{who}@commentkit")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", m.date)
        ev.add("dtend", m.date + dt.timedelta(days=1))
        ev.add("summary", f"{m.name}: every core answer {m.needed} ({d.id})")
        ev.add("description",
               f"Internal milestone, {deadlines.plural(m.business_days_before, 'business day')} before the "
               f"comment deadline ({deadlines.format_instant(deadline)}): every core answer should have "
               f"reached status '{m.needed}' by the end of {deadlines.format_day(m.date)}. "
               f"Check with: commentkit status")
        ev.add("transp", "TRANSPARENT")
        tz = deadline.tzinfo
        before = deadlines.business_days_before(m.date, 1)
        ev.add_component(_alarm(_at_nine(before, tz), f"{m.name} due next business day ({d.id})"))
        ev.add_component(_alarm(_at_nine(m.date, tz), f"{m.name} due today ({d.id})"))
        cal.add_component(ev)
    return cal.to_ical()
