"""Deadline arithmetic: U.S. federal business days, time left, and internal milestones.

Pure functions over dates and aware date-times; the caller supplies "now" (see
:mod:`commentkit.files.clock`), so every result is reproducible.

Conventions (also in ``commentkit status --help`` and docs/tracking.md):

* A **business day** is a weekday that is not a U.S. federal holiday (as observed: when a
  holiday falls on a weekend, the observed Friday or Monday is not a business day). Holidays
  come from the ``holidays`` package (``holidays.US``); a table generated from it for
  2000-2045 (:mod:`commentkit.calendar._federal_holidays`) spares every ``status`` run the ~100 ms
  import of that package, and a test keeps the two identical.
* **Business days left** counts the business days *after* today up to *and including* the
  deadline day. With today = Thursday 21 September 2023 and the ANPRM deadline on Thursday
  28 September 2023: 22, 25, 26, 27, 28 September = 5 business days, 7 calendar days.
* **Calendar days left** is the deadline day minus today. On the deadline day itself it is 0
  and the hours left are given; they are also given whenever less than 24 hours remain.
* A **milestone** ``n`` business days before the deadline falls on the business day that
  leaves ``n`` business days (counted as above) until the deadline day; it ends at the
  deadline's time of day (23:59 for the ANPRM) in the docket's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from commentkit.calendar import _federal_holidays as table

STATUS_RANK = {"draft": 1, "review": 2, "final": 3}
"""Order of the answer statuses a milestone can require (skipped satisfies every level)."""

LATE_WARNING = ("Late comments may not be considered: the agency is not obliged to consider comments "
                "received after the deadline. Check whether the comment period was extended or reopened "
                "before filing.")


# ---- holidays and business days ---------------------------------------------------------------

def _package_holidays(year: int) -> dict[dt.date, str]:
    import holidays  # lazy: ~100 ms to import; only for years outside the generated table

    return dict(holidays.US(years=[year]))


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> dict[dt.date, str]:
    """U.S. federal holidays (with observed days) in ``year``: date -> name."""
    if year in table.YEARS:
        return {dt.date.fromisoformat(d): name for d, name in table.HOLIDAYS.get(year, ())}
    return _package_holidays(year)


def holiday_name(day: dt.date) -> str | None:
    return federal_holidays(day.year).get(day)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def business_days_after(start: dt.date, end: dt.date) -> int:
    """Business days ``d`` with ``start < d <= end`` (0 when ``end <= start``)."""
    if end <= start:
        return 0
    n = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        if is_business_day(day):
            n += 1
        day += dt.timedelta(days=1)
    return n


def business_days_before(day: dt.date, n: int) -> dt.date:
    """The business day that leaves ``n`` business days until ``day`` (after it, up to and
    including ``day``). ``n = 0`` is ``day`` itself."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return day
    counted = 1 if is_business_day(day) else 0
    cur = day
    while True:
        cur -= dt.timedelta(days=1)
        if counted >= n and is_business_day(cur):
            return cur
        if is_business_day(cur):
            counted += 1


def holidays_between(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """Federal holidays ``d`` with ``start < d <= end`` (weekday or not), in date order."""
    out: list[tuple[dt.date, str]] = []
    for year in range(start.year, end.year + 1):
        out.extend((d, name) for d, name in federal_holidays(year).items() if start < d <= end)
    return sorted(out)


# ---- time left --------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimeLeft:
    deadline: dt.datetime  # aware, in the docket's zone
    now: dt.datetime  # aware
    today: dt.date
    closed: bool
    calendar_days: int  # deadline day - today (0 on the last day; 0 once closed)
    business_days: int  # business days after today up to and including the deadline day
    hours: float | None  # hours left, on the last day or with under 24 hours to go
    closed_for: dt.timedelta | None  # how long ago the period closed
    holidays: tuple[tuple[dt.date, str], ...]  # federal holidays between today and the deadline

    @property
    def deadline_utc(self) -> dt.datetime:
        return self.deadline.astimezone(dt.timezone.utc)

    def summary(self) -> str:
        """What is left: '7 calendar days, 5 business days', '18 h 59 min' (on the last day), or
        'comment period closed 3 days ago'."""
        if self.closed and self.closed_for is not None:
            return f"comment period closed {describe_ago(self.closed_for)}"
        parts = []
        if self.hours is not None:
            parts.append(format_hours(self.hours))
        if self.calendar_days > 0:
            parts.append(f"{plural(self.calendar_days, 'calendar day')}, "
                         f"{plural(self.business_days, 'business day')}")
        elif self.hours is None:
            parts.append("due today")
        return "; ".join(parts)

    def as_dict(self) -> dict:
        return {
            "deadline": self.deadline.isoformat(),
            "deadline_utc": self.deadline_utc.isoformat().replace("+00:00", "Z"),
            "timezone": str(self.deadline.tzinfo),
            "now": self.now.isoformat(),
            "today": self.today.isoformat(),
            "closed": self.closed,
            "calendar_days_left": self.calendar_days,
            "business_days_left": self.business_days,
            "hours_left": round(self.hours, 2) if self.hours is not None else None,
            "closed_days_ago": self.closed_for.days if self.closed_for is not None else None,
            "closed_hours_ago": round(self.closed_for.total_seconds() / 3600, 2) if self.closed_for else None,
            "warning": LATE_WARNING if self.closed else None,
            "holidays_before_deadline": [{"date": d.isoformat(), "name": n} for d, n in self.holidays],
            "business_day_convention": "business days after today up to and including the deadline day; "
                                       "weekends and U.S. federal holidays excluded",
        }


def time_left(deadline: dt.datetime, now: dt.datetime, today: dt.date | None = None) -> TimeLeft:
    """How long until ``deadline`` (aware) from ``now`` (aware).

    ``today`` is the user's calendar date (default: ``now``'s own date); the day counts are
    from it to the deadline's date in the docket's zone, so ``--today 2023-09-21`` means the
    21st wherever the user is.
    """
    if deadline.tzinfo is None or now.tzinfo is None:
        raise ValueError("deadline and now must be timezone-aware")
    today = today or now.date()
    last_day = deadline.date()
    # Subtract in UTC: Python subtracts two times sharing a tzinfo by wall clock, which is an
    # hour off across a daylight-saving change.
    remaining = deadline.astimezone(dt.timezone.utc) - now.astimezone(dt.timezone.utc)
    if remaining.total_seconds() <= 0:
        return TimeLeft(deadline, now, today, True, 0, 0, None, -remaining, ())
    calendar = max(0, (last_day - today).days)
    business = business_days_after(today, last_day)
    hours = remaining.total_seconds() / 3600 if (calendar == 0 or remaining < dt.timedelta(hours=24)) else None
    return TimeLeft(deadline, now, today, False, calendar, business, hours, None,
                    tuple(holidays_between(today, last_day)))


# ---- milestones -------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnswerState:
    """What a milestone needs to know about one core answer."""

    key: str
    status: str  # draft / review / final / skipped / unanswered
    reached: dict[str, dt.datetime]  # status level -> when the answer reached it (latest reach)


@dataclass(frozen=True)
class MilestoneResult:
    name: str
    business_days_before: int
    needed: str  # draft / review / final
    date: dt.date
    due: dt.datetime  # end of the milestone day (deadline's time of day, docket's zone)
    state: str  # "due" (not over yet), "met", "missed", or "unranked" (no core question to check)
    reached: int  # core answers that reached the needed status by the milestone (or now)
    total: int
    missing: tuple[str, ...]  # keys of core answers that had not

    @property
    def met_already(self) -> bool:
        """Every core answer has reached the needed status (so far, for a milestone still due)."""
        return self.total > 0 and self.reached == self.total

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "business_days_before": self.business_days_before,
            "needed_status": self.needed,
            "date": self.date.isoformat(),
            "due": self.due.isoformat(),
            "state": self.state,
            "met_already": self.met_already,
            "core_reached": self.reached,
            "core_total": self.total,
            "core_missing": list(self.missing),
        }


def milestone_date(deadline: dt.datetime, n: int) -> dt.date:
    return business_days_before(deadline.date(), n)


def reached_by(answer: AnswerState, needed: str, when: dt.datetime) -> bool:
    """Whether ``answer`` had reached status ``needed`` (or beyond, or skipped) at ``when``."""
    when = when.astimezone(dt.timezone.utc)  # compare instants, not wall clocks
    if answer.status == "unanswered":
        return False
    if answer.status == "skipped":
        at = answer.reached.get("skipped")
        return at is None or at.astimezone(dt.timezone.utc) <= when
    if STATUS_RANK.get(answer.status, 0) < STATUS_RANK[needed]:
        return False
    at = answer.reached.get(needed)
    return at is None or at.astimezone(dt.timezone.utc) <= when


def milestones(deadline: dt.datetime, now: dt.datetime, specs, core: list[AnswerState]) -> list[MilestoneResult]:
    """Each milestone (objects with ``name``, ``business_days_before``, ``status``) with its date
    and state: ``due`` (the day has not ended; ``met_already`` says whether every core answer
    is there already), ``met`` (it ended and every core answer had reached the needed status
    by then), ``missed`` (it ended and not all had),
    ``unranked`` (no core question, so nothing to check: the questionnaire is not answered)."""
    out = []
    for m in sorted(specs, key=lambda m: -m.business_days_before):
        day = milestone_date(deadline, m.business_days_before)
        due = dt.datetime.combine(day, deadline.timetz())
        cutoff = min(due.astimezone(dt.timezone.utc), now.astimezone(dt.timezone.utc))
        missing = tuple(a.key for a in core if not reached_by(a, m.status, cutoff))
        if not core:
            state = "unranked"
        elif now.astimezone(dt.timezone.utc) <= due.astimezone(dt.timezone.utc):
            state = "due"  # even when already met: the day is not over (see met_already)
        elif not missing:
            state = "met"
        else:
            state = "missed"
        out.append(MilestoneResult(m.name, m.business_days_before, m.status, day, due, state,
                                   len(core) - len(missing), len(core), missing))
    return out


# ---- wording ----------------------------------------------------------------------------------

def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def format_hours(hours: float) -> str:
    total = max(0, int(hours * 60))
    h, m = divmod(total, 60)
    return f"{h} h {m:02d} min"


def describe_ago(delta: dt.timedelta) -> str:
    days = delta.days
    if days >= 1:
        return f"{plural(days, 'day')} ago"
    hours = int(delta.total_seconds() // 3600)
    if hours >= 1:
        return f"{plural(hours, 'hour')} ago"
    return f"{plural(int(delta.total_seconds() // 60), 'minute')} ago"


def format_instant(when: dt.datetime) -> str:
    """'Thursday 28 September 2023, 23:59 EDT'."""
    return f"{when:%A} {when.day} {when:%B %Y}, {when:%H:%M} {when.tzname()}"


def format_day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


# ---- the generated holiday table --------------------------------------------------------------

TABLE_FIRST, TABLE_LAST = 2000, 2045


def render_holiday_table() -> str:
    """Source of :mod:`commentkit.calendar._federal_holidays`, generated from the ``holidays`` package.

    Regenerate after upgrading ``holidays``::

        python -c "from commentkit.calendar.deadlines import render_holiday_table as r; print(r(), end='')" \\
            > commentkit/_federal_holidays.py
    """
    import holidays  # lazy: the generated table serves every other case

    lines = [
        '"""U.S. federal holidays (observed days included), generated from the `holidays` package',
        f"{holidays.__version__} by commentkit.calendar.deadlines.render_holiday_table(); do not edit by hand.",
        "A test checks this table against the installed package.\"\"\"",
        "",
        f"YEARS = range({TABLE_FIRST}, {TABLE_LAST + 1})",
        "",
        "HOLIDAYS = {",
    ]
    for year in range(TABLE_FIRST, TABLE_LAST + 1):
        lines.append(f"    {year}: (")
        for day, name in sorted(_package_holidays(year).items()):
            lines.append(f"        ({day.isoformat()!r}, {name!r}),")
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"
