"""``commentkit dockets``."""

from __future__ import annotations

import click

from commentkit.calendar.deadlines import plural
from commentkit.cli import jsonout, layout
from commentkit.cli.common import json_option, today_option
from commentkit.cli.docket import api_options
from commentkit.cli.docket import check_updates as run_check
from commentkit.dockets import catalog as packs
from commentkit.files import clock


def period_state(docket, now) -> str:
    return "open" if now <= docket.deadline.instant() else "closed"


@click.command()
@json_option
@today_option
@click.option("--check-updates", is_flag=True,
              help="Ask the Federal Register API whether the deadline of each open or recently closed docket moved "
                   "(extension, reopening); offers to update the pack.")
@click.option("--yes", "-y", is_flag=True, help="With --check-updates: accept moved deadlines without asking.")
@api_options
def dockets(as_json: bool, check_updates: bool, yes: bool, api_url, timeout, retries):
    """List installed docket packs with their comment deadline and whether the period is open.

    Packs shipped with commentkit and packs you fetched or imported are listed together, each
    saying where it came from, whether its question wordings are the agency's own or
    commentkit's summaries, and what is still to check (for example an unconfirmed docket ID).

    \b
    Example:
      commentkit dockets
      commentkit dockets --json
      commentkit dockets --check-updates
    """
    now = clock.now()
    if check_updates:
        run_check(now, as_json=as_json, yes=yes, api_url=api_url, timeout=timeout, retries=retries)
        return
    rows = []
    shipped = packs.shipped_ids()
    for ref in packs.installed():
        pack = packs.load_path(ref.path, ref.source)
        d = pack.docket
        official = sum(1 for q in pack.bank.questions if q.wording == "official")
        rows.append({
            "docket": jsonout.docket_ref(d),
            "type": d.document_type,
            "rin": d.rin,
            "deadline": d.deadline.instant().isoformat(),
            "deadline_text": f"{d.deadline.date.isoformat()} {d.deadline.time} {d.deadline.timezone}",
            "deadline_moved_from": [h.date.isoformat() for h in d.deadline.history],
            "period": period_state(d, now),
            "questions": len(pack.bank.questions),
            "official_wordings": official,
            "summary_wordings": len(pack.bank.questions) - official,
            "source": ref.source,
            "origin": d.origin,
            "replaces_shipped": ref.source == "user" and d.id in shipped,
            "unresolved": d.unresolved,
            "path": str(ref.path),
        })
    if as_json:
        jsonout.emit("dockets", {"dockets": rows})
        return
    if not rows:
        click.echo("No docket packs installed.")
        return
    for r in rows:
        where = "shipped" if r["source"] == "shipped" else f"{r['origin']}, your packs"
        if r["replaces_shipped"]:
            where = ("your copy of the shipped pack, used in its place" if r["origin"] == "shipped"
                     else where + "; replaces the shipped pack")
        d = r["docket"]
        layout.echo(f"{d['id']}  {r['type']}  {d['citation']}  RIN {r['rin'] or '-'}  [{where}]")
        layout.echo(f"    {d['title']}")
        wording = ("official wording" if not r["summary_wordings"] else
                   "summaries, not the agency's words" if not r["official_wordings"] else
                   f"{r['official_wordings']} official, {r['summary_wordings']} summaries")
        moved = f", moved from {r['deadline_moved_from'][-1]}" if r["deadline_moved_from"] else ""
        layout.echo(f"    comments due {r['deadline_text']} ({r['period']}{moved}); "
                    f"{plural(r['questions'], 'question')} ({wording})")
        if r["unresolved"]:
            layout.echo(f"    to check: {'; '.join(r['unresolved'])}")
