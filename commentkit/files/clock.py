"""The current date and time, injectable for tests and reproducible runs.

``COMMENTKIT_NOW`` (an ISO date-time with offset, e.g. ``2023-09-28T18:00:00-04:00``) or
``COMMENTKIT_TODAY`` (``YYYY-MM-DD``; the time is then 09:00 local) replace the system clock.
Commands with a ``--today`` option set ``COMMENTKIT_TODAY`` for their run.
"""

from __future__ import annotations

import datetime as dt
import os

from commentkit.errors import UserError


def _env_now() -> dt.datetime | None:
    raw = os.environ.get("COMMENTKIT_NOW")
    if raw:
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise UserError(f"COMMENTKIT_NOW={raw!r} is not an ISO date-time like 2023-09-28T18:00:00-04:00") from None
        return value if value.tzinfo else value.astimezone()
    raw = os.environ.get("COMMENTKIT_TODAY")
    if raw:
        day = parse_date(raw, "COMMENTKIT_TODAY")
        return dt.datetime.combine(day, dt.time(9, 0)).astimezone()
    return None


def parse_date(raw: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise UserError(f"{what} {raw!r} is not a date like 2023-09-21 (YYYY-MM-DD)") from None


def now() -> dt.datetime:
    """Aware current date-time (local zone unless injected)."""
    return _env_now() or dt.datetime.now().astimezone()


def today() -> dt.date:
    return now().date()


def set_today(raw: str | None) -> None:
    """Apply a ``--today`` option for the rest of this process."""
    if raw:
        parse_date(raw, "--today")
        os.environ["COMMENTKIT_TODAY"] = raw.strip()
        os.environ.pop("COMMENTKIT_NOW", None)
