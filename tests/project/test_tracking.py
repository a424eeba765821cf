"""``commentkit status`` and ``commentkit deadline`` on a sample project with a mix of statuses."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from answers_pack import make_project

UTC = dt.timezone.utc


@pytest.fixture
def sample(tmp_path, run, monkeypatch):
    """def-a final, def-b review, notif-a draft, notif-b unanswered (all core); other-a skipped
    (recommended); other-b draft (optional); executive summary draft. Written on dates that
    make the first-draft milestone (14 Sep) met and legal review (21 Sep) not yet met."""
    root = make_project(run, tmp_path / "proj")

    def at(when, *args):
        monkeypatch.setenv("COMMENTKIT_NOW", when)
        res = run(*args)
        assert res.exit_code == 0, res.output

    at("2023-09-11T10:00:00-04:00", "answer", "def-a", root, "--text", "One two three four five.")
    at("2023-09-12T10:00:00-04:00", "answer", "def-b", root, "--text", "Six seven eight.")
    at("2023-09-13T10:00:00-04:00", "answer", "notif-a", root, "--text", "- nine\n- ten")
    at("2023-09-14T10:00:00-04:00", "answer", "other-b", root, "--text", "Optional words here.")
    at("2023-09-15T10:00:00-04:00", "mark", "def-a", "final", root)
    at("2023-09-18T10:00:00-04:00", "mark", "def-b", "review", root)
    at("2023-09-18T11:00:00-04:00", "mark", "other-a", "skip", root, "--reason", "Not our issue")
    at("2023-09-18T12:00:00-04:00", "answer", "executive-summary", root, "--text", "We ask Treasury to narrow it.")
    monkeypatch.delenv("COMMENTKIT_NOW")
    return root


def status_json(run, root, today):
    res = run("status", root, "--json", "--today", today)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_status_json_counts_by_priority_section_and_total(run, sample):
    data = status_json(run, sample, "2023-09-21")
    pri = {g["key"]: g for g in data["by_priority"]}
    assert pri["core"]["counts"] == {"final": 1, "review": 1, "draft": 1, "skipped": 0, "unanswered": 1}
    assert pri["core"]["words"] == 10 and pri["core"]["done"] == 1
    assert pri["recommended"]["counts"]["skipped"] == 1 and pri["recommended"]["done"] == 1
    assert pri["optional"]["counts"]["draft"] == 1 and pri["optional"]["words"] == 3
    sec = {g["key"]: g for g in data["by_section"]}
    assert sec["definitions"]["counts"]["final"] == 1 and sec["definitions"]["counts"]["review"] == 1
    assert sec["notification"]["counts"]["unanswered"] == 1
    assert data["totals"]["questions"] == 6 and data["totals"]["done"] == 2
    assert data["totals"]["words"] == 13 and data["totals"]["words_with_general_sections"] == 19
    assert [q["question_id"] for q in data["core_open"]] == ["def-b", "notif-a", "notif-b"]
    assert data["core_skipped"] == []
    gen = {g["general_section"]: g for g in data["general_sections"]}
    assert gen["executive-summary"]["status"] == "draft" and gen["background"]["status"] == "unanswered"


def test_status_deadline_and_milestones_on_21_september(run, sample):
    data = status_json(run, sample, "2023-09-21")
    d = data["deadline"]
    assert (d["closed"], d["calendar_days_left"], d["business_days_left"]) == (False, 7, 5)
    assert d["deadline"] == "2023-09-28T23:59:00-04:00" and d["deadline_utc"] == "2023-09-29T03:59:00Z"
    ms = {m["name"]: m for m in data["milestones"]}
    assert ms["First draft"]["date"] == "2023-09-14"
    assert ms["First draft"]["state"] == "missed"  # notif-b never drafted
    assert ms["First draft"]["core_missing"] == ["notif-b"]
    assert ms["Legal review"]["date"] == "2023-09-21" and ms["Legal review"]["state"] == "due"
    assert ms["Sign-off"]["date"] == "2023-09-26" and ms["Sign-off"]["core_reached"] == 1


def test_status_text(run, sample):
    res = run("status", sample, "--today", "2023-09-21", env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    out = res.output
    lines = out.splitlines()
    assert lines[2].startswith("Deadline:  Thursday 28 September 2023, 23:59 EDT (America/New_York)")
    assert "7 calendar days, 5 business days" in out
    assert "after today up to and including the deadline day" in " ".join(out.split())
    core = next(ln for ln in lines if ln.strip().startswith("Core "))
    assert "1/4" in core and "1 final, 1 review, 1 draft, 1 unanswered; 10 words" in core
    assert "[#####=====-----.....]" in core
    assert "Core questions not final (3):" in out
    row = next(ln for ln in lines if ln.strip().startswith("def-b"))
    assert "Q7" in row and "review" in row
    assert not any(ln.strip().startswith("def-a ") for ln in lines)  # final: not listed
    at = next(n for n, ln in enumerate(lines) if ln.strip().startswith("First draft"))
    ms = lines[at] + lines[at + 1]  # the count may wrap onto the next line
    assert "Thu 14 Sep 2023" in ms and "MISSED" in ms and "3/4" in ms


def test_status_after_the_deadline_warns(run, sample):
    res = run("status", sample, "--today", "2026-11-24")
    assert res.exit_code == 0
    assert "CLOSED:    the comment period closed 1,152 days ago" in res.output
    assert "Late comments may not be considered" in res.output
    data = status_json(run, sample, "2026-11-24")
    assert data["deadline"]["closed"] is True and data["deadline"]["closed_days_ago"] == 1152
    ms = {m["name"]: m["state"] for m in data["milestones"]}
    assert ms == {"First draft": "missed", "Legal review": "missed", "Sign-off": "missed"}


def test_status_on_the_last_day_gives_hours(run, sample, monkeypatch):
    monkeypatch.setenv("COMMENTKIT_NOW", "2023-09-28T16:30:00-04:00")
    res = run("status", sample)
    assert "Time left: 7 h 29 min: the deadline is TODAY (as of 16:30 EDT)." in res.output
    data = json.loads(run("status", sample, "--json").output)
    assert data["deadline"]["hours_left"] == 7.48 and data["deadline"]["calendar_days_left"] == 0


def test_a_moved_deadline_shows_in_status(run, sample):
    """An extension accepted into the pack (docket update) moves the deadline and milestones."""
    import os

    from commentkit.dockets import catalog as packs

    docket = Path(os.environ["COMMENTKIT_DATA_DIR"]) / "dockets" / "TREAS-DO-2023-0009" / "docket.yaml"
    docket.write_text(docket.read_text().replace("date: 2023-09-28", "date: 2023-10-12"))
    packs.load_path.cache_clear()
    data = status_json(run, sample, "2023-09-21")
    assert data["deadline"]["deadline"] == "2023-10-12T23:59:00-04:00"
    # 22 Sep .. 12 Oct: 15 weekdays, less Columbus Day (9 Oct)
    assert data["deadline"]["business_days_left"] == 14
    assert data["deadline"]["holidays_before_deadline"] == [{"date": "2023-10-09", "name": "Columbus Day"}]
    assert [m["date"] for m in data["milestones"]] == ["2023-09-27", "2023-10-04", "2023-10-10"]
    res = run("status", sample, "--today", "2023-09-21")
    assert "Thursday 12 October 2023, 23:59 EDT" in res.output and "Mon 9 Oct 2023 (Columbus Day)" in res.output


def test_all_core_final_meets_the_milestones(run, sample, monkeypatch):
    monkeypatch.setenv("COMMENTKIT_NOW", "2023-09-19T09:00:00-04:00")
    run("answer", "notif-b", sample, "--text", "Now drafted.")
    for key in ("def-b", "notif-a", "notif-b"):
        assert run("mark", key, "final", sample).exit_code == 0
    monkeypatch.delenv("COMMENTKIT_NOW")
    data = status_json(run, sample, "2023-09-27")
    ms = {m["name"]: m["state"] for m in data["milestones"]}
    assert ms == {"First draft": "missed", "Legal review": "met", "Sign-off": "met"}
    assert data["core_open"] == []
    res = run("status", sample, "--today", "2023-09-27")
    assert "Core questions: all final" in res.output


def test_status_without_questionnaire_says_nothing_is_core(run, tmp_path):
    root = make_project(run, tmp_path / "p", profile=False)
    res = run("status", root, "--today", "2023-09-21")
    assert res.exit_code == 0
    assert "Core questions: none yet" in res.output and "not checked" in res.output


def test_status_outside_a_project_is_a_one_line_error(run, tmp_path):
    res = run("status", tmp_path)
    assert res.exit_code == 2 and "not a commentkit project" in res.stderr
    res = run("status", tmp_path, "--today", "21/09/2023")
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.stderr


def test_help_states_business_day_convention(run):
    for cmd in ("status", "deadline"):
        res = run(cmd, "--help")
        text = " ".join(res.output.split())
        assert "after today up to and including the deadline day" in text
        assert f"commentkit {cmd} " in text  # an example


# ---- iCalendar ------------------------------------------------------------------------------

def load_ics(path: Path):
    from icalendar import Calendar

    return Calendar.from_ical(path.read_bytes())


def test_ics_parses_back_with_the_right_utc_instant(run, sample, tmp_path):
    ics = tmp_path / "out" / "deadline.ics"
    ics.parent.mkdir()
    res = run("deadline", sample, "--ics", ics, "--today", "2023-09-21")
    assert res.exit_code == 0, res.output
    assert f"Wrote {ics}" in res.output
    cal = load_ics(ics)
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 4
    dl = next(e for e in events if str(e["uid"]).startswith("deadline-"))
    assert dl.decoded("dtstart").astimezone(UTC) == dt.datetime(2023, 9, 29, 3, 59, tzinfo=UTC)
    assert "TREAS-DO-2023-0009" in str(dl["summary"])
    alarms = [a.decoded("trigger") for a in dl.walk("VALARM")]
    assert dt.datetime(2023, 9, 28, 13, 0, tzinfo=UTC) in alarms  # 09:00 EDT on the day
    assert dt.datetime(2023, 9, 29, 1, 59, tzinfo=UTC) in alarms  # two hours before
    days = sorted((str(e["summary"]), e.decoded("dtstart")) for e in events if e is not dl)
    assert [d for _, d in days] == [dt.date(2023, 9, 14), dt.date(2023, 9, 21), dt.date(2023, 9, 26)]
    assert all(e.walk("VALARM") for e in events)
    raw = ics.read_text()
    assert "DTSTART:20230929T035900Z" in raw
    # absolute reminders must carry VALUE=DATE-TIME (the default type of TRIGGER is a duration)
    triggers = [ln for ln in raw.splitlines() if ln.startswith("TRIGGER")]
    assert triggers and all(ln.startswith("TRIGGER;VALUE=DATE-TIME:") for ln in triggers)
    data = ics.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and b"\n" not in data.replace(b"\r\n", b"")  # CRLF only


def test_ics_uids_are_stable_and_rewrite_is_allowed(run, sample, tmp_path):
    ics = tmp_path / "d.ics"
    run("deadline", sample, "--ics", ics, "--today", "2023-09-20")
    first = sorted(str(e["uid"]) for e in load_ics(ics).walk("VEVENT"))
    res = run("deadline", sample, "--ics", ics, "--today", "2023-09-21")
    assert res.exit_code == 0
    assert sorted(str(e["uid"]) for e in load_ics(ics).walk("VEVENT")) == first
    assert len(set(first)) == 4


def test_ics_refuses_to_overwrite_another_file(run, sample, tmp_path):
    other = tmp_path / "notes.ics"
    other.write_text("my notes, not a calendar\n")
    res = run("deadline", sample, "--ics", other)
    assert res.exit_code == 2 and "not an iCalendar file" in res.stderr
    assert other.read_text() == "my notes, not a calendar\n"


def test_ics_reminders_stay_at_nine_across_the_dst_change(sample):
    from zoneinfo import ZoneInfo

    from commentkit.calendar import ics

    deadline = dt.datetime(2023, 11, 7, 23, 59, tzinfo=ZoneInfo("America/New_York"))
    rem = dict((label, when) for when, label in ics.deadline_reminders(deadline))
    assert rem["Comment deadline in one week"] == dt.datetime(2023, 10, 31, 13, 0, tzinfo=UTC)  # EDT
    assert rem["Comment deadline today"] == dt.datetime(2023, 11, 7, 14, 0, tzinfo=UTC)  # EST
    assert rem["Comment deadline next business day"] == dt.datetime(2023, 11, 6, 14, 0, tzinfo=UTC)


def test_deadline_json(run, sample):
    res = run("deadline", sample, "--json", "--today", "2023-09-21")
    data = json.loads(res.output)
    assert data["deadline"]["business_days_left"] == 5 and data["ics"] is None
    assert [m["date"] for m in data["milestones"]] == ["2023-09-14", "2023-09-21", "2023-09-26"]


# ---- start-up cost ----------------------------------------------------------------------------

@pytest.mark.parametrize("cmd", ["status", "deadline"])
def test_status_and_deadline_import_no_heavy_modules(sample, cmd):
    code = (
        "import sys\n"
        "from commentkit.cli import main\n"
        "try:\n"
        f"    main([{cmd!r}, {str(sample)!r}, '--today', '2023-09-21'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "heavy = [m for m in ('docx', 'markdown_it', 'httpx', 'holidays', 'icalendar') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    import os

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    assert out.returncode == 0, out.stderr
    assert "HEAVY []" in out.stdout
