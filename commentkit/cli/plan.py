"""``commentkit plan``: the notice's questions ranked for this commenter, with the reasons."""

from __future__ import annotations

import click

from commentkit.cli import jsonout, layout
from commentkit.cli.answers import apply_status, select
from commentkit.cli.common import json_option, open_project, project_dir, today_option
from commentkit.errors import UserError
from commentkit.project.profilefile import ProfileFile, load_profile
from commentkit.project.status import answer_state, word_count
from commentkit.questionnaire import engine
from commentkit.questionnaire import priorities as relevance


@click.command()
@project_dir
@click.option("--level", "levels", multiple=True, type=click.Choice(["core", "recommended", "optional"]),
              help="Only questions at this level (repeatable).")
@click.option("--promote", "promote", multiple=True, metavar="ID",
              help="Rank question ID core whatever your exposure says (stored in profile.yaml; repeatable).")
@click.option("--unpromote", "unpromote", multiple=True, metavar="ID",
              help="Undo --promote for question ID (repeatable).")
@click.option("--skip", "skip_levels", multiple=True, type=click.Choice(["recommended", "optional"]),
              help="Mark every unanswered question at this level skipped, with --reason, after one "
                   "confirmation (repeatable).")
@click.option("--reason", "-r", metavar="TEXT", help="Why the questions are skipped (with --skip).")
@click.option("--yes", "-y", is_flag=True, help="With --skip: do not ask for confirmation.")
@json_option
@today_option
def plan(directory, levels, promote, unpromote, skip_levels, reason, yes, as_json):
    """Rank every question of the notice as core, recommended or optional, with the reasons.

    The ranking comes from your questionnaire answers (profile.yaml) and the relevance rules in
    the docket pack: your exposure (what you reported) makes a question core or recommended; a
    theme you chose makes a question recommended, never core on its own; a question you promote
    (--promote ID) is core. Each reason quotes the answers it rests on. The same answers always
    give the same plan. Questions appear in the notice's order within each level; the agency's
    question number is shown only where the docket pack confirms it.

    --skip LEVEL --reason TEXT writes the skip decisions for the unanswered questions at that
    level in one step (the same as 'commentkit mark skip --level LEVEL --unanswered').

    \b
    Examples:
      commentkit plan my-comment
      commentkit plan my-comment --level core
      commentkit plan my-comment --promote burden-2
      commentkit plan my-comment --skip optional --reason "Outside our business"
      commentkit plan my-comment --json
    """
    proj = open_project(directory)
    pack = proj.pack
    if promote or unpromote:
        _promote(proj, promote, unpromote, quiet=as_json)
    if skip_levels:
        if not (reason or "").strip():
            raise UserError("say why with --reason, e.g. commentkit plan --skip optional --reason "
                            "\"Outside our business\"")
        if levels or promote or unpromote:
            raise UserError("--skip writes skip decisions; use it without --level, --promote or --unpromote")
        keys = select(proj, [], levels=skip_levels, unanswered=True)
        apply_status(proj, keys, "skipped", reason=" ".join(reason.split()), owner=None, yes=yes,
                     as_json=as_json)
        return
    if reason is not None or yes:
        raise UserError("--reason and --yes go with --skip")
    profile = _profile(proj)
    priorities = relevance.plan(pack, profile)
    shown = [p for p in priorities if not levels or p.level in levels]
    if as_json:
        jsonout.emit("plan", _json(proj, pack, profile, priorities, shown))
        return
    _table(proj, pack, profile, priorities, shown, levels)


def _promote(proj, promote, unpromote, quiet: bool) -> None:
    """Add ``promote`` to and remove ``unpromote`` from profile.yaml's ``promote`` list."""
    if proj.pack.interview is None:
        raise UserError(f"docket {proj.pack.docket.id} has no questionnaire, so there is no profile.yaml "
                        f"to keep promotions in")
    known = {q.id for q in proj.pack.bank.questions}
    for qid in (*promote, *unpromote):
        if qid not in known:
            raise UserError(f"no question {qid!r} in docket {proj.pack.docket.id}; see 'commentkit questions'")
    pf = ProfileFile.of(proj)
    ids = [q for q in pf.promoted if q not in unpromote] + [q for q in promote if q not in unpromote]
    if ids != pf.promoted:
        pf.set_promoted(ids)
    if not quiet:
        now = ", ".join(pf.promoted) or "none"
        click.echo(f"Promoted to core in {pf.path.name}: {now}.")


def _profile(proj) -> dict:
    return load_profile(proj)


def _record(proj, pack, p) -> dict:
    ans = proj.answers.get(p.question_id)
    state = answer_state(ans)
    return jsonout.question_row(pack, p.question_id, level=p.level, reasons=p.reasons, status=state,
                                skip_reason=ans.meta.reason if state == "skipped" else None,
                                owner=ans.meta.owner if ans is not None else None,
                                words=word_count(ans.body) if ans is not None and state != "skipped" else 0,
                                details=p.details, changed=_changed(ans))


def _changed(ans) -> str | None:
    """'changed since marked final by X on DATE' (as status says it), else None."""
    note = getattr(ans, "changed_note", None)
    return note() if note is not None else None


def _json(proj, pack, profile, priorities, shown) -> dict:
    counts = {lv: sum(1 for p in priorities if p.level == lv) for lv in relevance.LEVELS}
    return {
        "docket": jsonout.docket_ref(pack.docket),
        "promoted": list(profile.get(relevance.PROMOTE_KEY) or []),
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
