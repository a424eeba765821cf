"""``commentkit plan``: the notice's questions ranked for this commenter, with the reasons."""

from __future__ import annotations

import click

from commentkit.cli import jsonout, layout
from commentkit.cli.common import json_option, open_project, project_dir, today_option
from commentkit.project.profilefile import load_profile
from commentkit.project.status import answer_state, word_count
from commentkit.questionnaire import engine
from commentkit.questionnaire import priorities as relevance


@click.command()
@project_dir
@click.option("--level", "levels", multiple=True, type=click.Choice(["core", "recommended", "optional"]),
              help="Only questions at this level (repeatable).")
@json_option
@today_option
def plan(directory, levels, as_json):
    """Rank every question of the notice as core, recommended or optional, with the reasons.

    The ranking comes from your questionnaire answers (profile.yaml) and the relevance rules in
    the docket pack: a question is core or recommended when a rule matches what you reported,
    core when it is tagged with a theme you chose, and optional otherwise. The same answers
    always give the same plan. Questions appear in the notice's order within each level; the
    agency's question number is shown only where the docket pack confirms it.

    \b
    Examples:
      commentkit plan my-comment
      commentkit plan my-comment --level core
      commentkit plan my-comment --json
    """
    proj = open_project(directory)
    pack = proj.pack
    profile = _profile(proj)
    priorities = relevance.plan(pack, profile)
    shown = [p for p in priorities if not levels or p.level in levels]
    if as_json:
        jsonout.emit("plan", _json(proj, pack, profile, priorities, shown))
        return
    _table(proj, pack, profile, priorities, shown, levels)


def _profile(proj) -> dict:
    return load_profile(proj)


def _record(proj, pack, p) -> dict:
    ans = proj.answers.get(p.question_id)
    state = answer_state(ans)
    return jsonout.question_row(pack, p.question_id, level=p.level, reasons=p.reasons, status=state,
                                skip_reason=ans.meta.reason if state == "skipped" else None,
                                owner=ans.meta.owner if ans is not None else None,
                                words=word_count(ans.body) if ans is not None and state != "skipped" else 0)


def _json(proj, pack, profile, priorities, shown) -> dict:
    counts = {lv: sum(1 for p in priorities if p.level == lv) for lv in relevance.LEVELS}
    return {
        "docket": jsonout.docket_ref(pack.docket),
        "project": str(proj.root),
        "profile": str(proj.profile_path),
        "questionnaire": pack.interview is not None,
        "answers": _answered(pack, profile),
        "unanswered": _unanswered(pack, profile),
        "counts": counts,
        "questions": [_record(proj, pack, p) for p in shown],
    }


def _table(proj, pack, profile, priorities, shown, levels) -> None:
    width = layout.width()
    echo = layout.echo
    d = pack.docket
    counts = {lv: sum(1 for p in priorities if p.level == lv) for lv in relevance.LEVELS}
    echo(f"Priorities for {proj.commenter_name}: {d.display_name} ({d.id}, {d.citation})")
    if pack.interview is None:
        echo("This docket pack has no questionnaire, so every question is optional.")
    elif not profile:
        echo("The questionnaire is not answered yet, so every question is optional: run "
             "'commentkit interview' first.")
    else:
        n = _answered(pack, profile)
        echo(f"From {n} answer{'' if n == 1 else 's'} in {proj.profile_path.name}: {counts['core']} core, "
                   f"{counts['recommended']} recommended, {counts['optional']} optional.")
        open_ids = _unanswered(pack, profile)
        if open_ids:
            k = len(open_ids)
            echo(f"The questionnaire has {k} unanswered item{'' if k == 1 else 's'} "
                       f"({', '.join(open_ids[:6])}{', ...' if k > 6 else ''}); answering "
                       f"{'it' if k == 1 else 'them'} ('commentkit interview') may change this plan.")
    summaries = any(pack.question(p.question_id).wording == "summary" for p in shown)
    if summaries:
        echo("Titles marked * are commentkit's summaries of the notice, not the agency's words.")
    idw = max([len(p.question_id) for p in shown] + [2])
    numbered = any(pack.question(p.question_id).number for p in shown)
    numw = 4 if numbered else 0
    citew = max([len(pack.cite(pack.question(p.question_id))) for p in shown] + [0])
    left = 2 + idw + 1 + (numw + 1 if numbered else 0)
    for level in relevance.LEVELS:
        group = [p for p in shown if p.level == level]
        if not group and (levels and level not in levels):
            continue
        click.echo("")
        click.echo(f"{level.upper()} ({len(group)})")
        if not group:
            click.echo("  (none)")
            continue
        common = _common_default(group)
        if common:
            echo(f"  ({common.replace('this question', 'these questions')})")
        for p in group:
            q = pack.question(p.question_id)
            num = [f"Q{q.number}" if q.number else ""] if numbered else []
            title = q.title + ("*" if q.wording == "summary" else "")  # wrapped, never cut: the * stays
            for line in layout.row([q.id, *num, title, pack.cite(q)], [idw, *([numw] if numbered else []), None,
                                                                       citew]):
                click.echo(line)
            if common:
                continue
            for reason in p.reasons:
                for line in layout.fill(reason, left + 2, first=" " * left + "- ", total=width):
                    click.echo(line)


def _answered(pack, profile: dict) -> int:
    if pack.interview is None:
        return len(profile)
    return len(engine.effective(pack.interview, profile))


def _unanswered(pack, profile: dict) -> list[str]:
    if pack.interview is None:
        return []
    return engine.unanswered_ids(pack.interview, profile)


def _common_default(group) -> str | None:
    """The shared reason of a group that has only the default reason (optional questions)."""
    defaults = {relevance.NO_MATCH, relevance.NOT_INTERVIEWED, relevance.NO_INTERVIEW}
    reasons = {p.reasons for p in group}
    if len(reasons) == 1:
        (only,) = reasons
        if len(only) == 1 and only[0] in defaults:
            return only[0]
    return None
