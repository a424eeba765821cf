"""``commentkit import-docx``: bring counsel's Word edits back into the answer files."""

from __future__ import annotations

from pathlib import Path

import click

from commentkit.cli import jsonout
from commentkit.cli.common import json_option, open_project, today_option
from commentkit.errors import UserError
from commentkit.roundtrip.importer import apply_import, plan_import, read_docx


@click.command("import-docx")
@click.argument("file", type=click.Path(dir_okay=False), metavar="FILE.docx")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False), metavar="[DIR]")
@click.option("--apply", "apply_", is_flag=True, help="Write the changes (default: only show them).")
@click.option("--keep-status", is_flag=True, help="Keep each changed answer's status (default: final → review).")
@click.option("--accept-changes", is_flag=True,
              help="Accept tracked changes (insertions kept, deletions dropped) and ignore comments.")
@click.option("--force-commenter", is_flag=True,
              help="Import a letter built for another commenter (refused by default).")
@click.option("--recover", is_flag=True,
              help="Create the answers of a letter most of whose answers have no file in this project "
                   "(refused by default: it looks like another project's letter).")
@click.option("--take", "takes", multiple=True, metavar="[ID=]word|disk",
              help="Resolve conflicts (a passage changed both in Word and on disk since the build): "
                   "'word' or 'disk' for every answer, or ID=word / ID=disk for one. Repeatable.")
@click.option("--force", is_flag=True,
              help="Write even a change that would delete text the Word file still holds outside its answer.")
@json_option
@today_option
def import_docx(file, directory, apply_, keep_status, accept_changes, force_commenter, recover, takes, force,
                as_json):
    """Import edits made in Word to a letter that 'commentkit build' made.

    Each answer and general section in the built Word file is wrapped in an invisible
    bookmark; this command maps each one back to its file, converts the edited text to
    Markdown (paragraphs, bold, italic, lists, links, quotes, tables, footnotes) and shows a
    diff per changed answer. With --apply it writes them: the previous text is kept in
    .commentkit/backups/ and a changed final answer goes back to review (--keep-status to
    keep it final). The build stores each answer's text as built inside the Word file, so
    the import is three-way: a change made only in Word is taken, one made only on disk is
    kept (an old copy never reverts newer work), changes to different paragraphs are merged,
    and a paragraph changed on both sides is a conflict you resolve with --take. Unchanged
    paragraphs keep their exact bytes. Unaccepted tracked changes or comments stop the
    import unless you pass --accept-changes; comments are listed with their author. Text
    typed outside every answer is reported (it has no file to go to).
    A letter built for another docket or another commenter, or from another project (most of
    its answers have no file here), and a member form are refused.

    \b
    Examples:
      commentkit import-docx my-comment/build/TREAS-DO-2023-0009-acme-corp.docx my-comment
      commentkit import-docx my-comment/build/TREAS-DO-2023-0009-acme-corp.docx my-comment --apply
      commentkit import-docx ~/Downloads/acme-edited.docx my-comment --accept-changes --apply --json
      cd my-comment && commentkit import-docx build/TREAS-DO-2023-0009-acme-corp.docx
    """
    path = Path(file)
    if not path.is_file():
        raise UserError("Word file not found", path)
    take: dict[str, str] = {}
    for t in takes:
        key, _, side = t.rpartition("=")
        if side not in ("word", "disk"):
            raise UserError(f"--take {t}: use 'word' or 'disk', or ID=word / ID=disk")
        take[key or "*"] = side
    project = open_project(directory)
    letter = read_docx(path, accept_changes=accept_changes)
    if (letter.changes or letter.comments) and not accept_changes:
        if letter.comments:
            # say which comments, next to the answer they sit in, before refusing
            plan = plan_import(project, letter, keep_status=keep_status, force_commenter=force_commenter,
                               recover=recover, take=take)
            for a in plan.answers:
                for author, text in a.comments:
                    click.echo(f"comment in {a.path} by {author}: \u201c{_short(text)}\u201d", err=True)
        parts = []
        if letter.changes:
            parts.append(f"{letter.changes} unaccepted tracked change(s)"
                         + (f" in {', '.join(letter.change_places)}" if letter.change_places else ""))
        if letter.comments:
            parts.append(f"{letter.comments} comment(s)")
        raise UserError(f"{' and '.join(parts)}: accept or reject them in Word, or re-run with --accept-changes "
                        f"(insertions kept, deletions dropped, comments ignored); nothing was imported", path)
    plan = plan_import(project, letter, keep_status=keep_status, force_commenter=force_commenter, recover=recover,
                       take=take)
    written: list[str] = []
    if apply_ and plan.unsafe and not force:
        lines = []
        for a in plan.unsafe:
            lines.append(f"{a.path} would lose {len(a.lost_anchor)} paragraph(s) (e.g. "
                         f"\u201c{_short(a.lost_anchor[0])}\u201d)")
        raise UserError("refused: " + "; ".join(lines) + ". The Word file lost these answers' anchors (an editor "
                        "dropped or moved them), so commentkit cannot tell a paragraph deleted in Word from one "
                        "it could not place; nothing was written. Build the letter again and redo the edit there, "
                        "or copy the change into the answer file by hand", path)
    if apply_ and plan.changed:
        written = apply_import(project, plan)

    if as_json:
        jsonout.emit("import-docx", {
            "file": str(path), "project": str(project.root), "docket": jsonout.docket_ref(project.pack.docket),
            "version": letter.version, "applied": bool(apply_), "changed": bool(written), "written": written,
            "answers": [{"question_id": None if a.kind == "general" else a.key,
                         "general_section": a.key if a.kind == "general" else None,
                         "state": a.state, "path": a.path, "reason": a.reason or None,
                         "status_before": a.status_before, "status": a.status_after, "issues": a.issues,
                         "comments": [{"author": au, "text": tx} for au, tx in a.comments], "notes": a.notes,
                         "lost_anchor_text": a.lost_anchor, "diff": a.diff or None} for a in plan.answers],
            "uncertain_text": [{"text": t, "why": why} for t, why in plan.uncertain],
            "identified_by": letter.identified_by,
            "missing_anchors": plan.missing,
            "outside_text": [{"text": t, "after": where} for t, where in plan.outside],
            "tracked_changes_accepted": letter.changes if accept_changes else 0,
            "comments_ignored": letter.comments if accept_changes else 0,
            "warnings": plan.warnings,
        })
        return
    for w in plan.warnings:
        click.echo(f"warning: {w}", err=True)
    if accept_changes and letter.changes:
        click.echo(f"Accepted {letter.changes} tracked change(s): insertions kept, deletions dropped.")
    if accept_changes and letter.comments:
        click.echo(f"Ignored {letter.comments} comment(s); they are not imported.")
    placed = [a.key for a in plan.answers if any("placed by the letter's structure" in n for n in a.notes)]
    if placed:
        click.echo(f"note: {len(placed)} answer(s) found by the letter's structure, their anchors having been lost "
                   f"in an earlier save or export: {', '.join(placed)}", err=True)
    for a in plan.answers:
        for note in a.notes:
            if "placed by the letter's structure" not in note:
                click.echo(f"note: {a.path}: {note}", err=True)
        for author, text in a.comments:
            click.echo(f"comment in {a.path} by {author}: \u201c{_short(text)}\u201d", err=True)
        if a.state == "conflict":
            click.echo(a.diff.rstrip("\n"))
            click.echo(f"  CONFLICT {a.path}: {a.reason}")
        if a.state in ("changed", "new"):
            click.echo(a.diff.rstrip("\n"))
            if a.state == "new":
                note = "new file"
            else:
                note = f"status {a.status_before} → {a.status_after}" if a.status_after != a.status_before \
                    else f"status stays {a.status_before}"
            click.echo(f"  ({a.path}: {note})")
        for issue in a.issues:
            click.echo(f"warning: {a.path}: {issue} in the Word text", err=True)
    for a in plan.answers:
        if a.state == "refused":
            click.echo(f"Not imported: {a.path}: {a.reason}", err=True)
    for key in plan.missing:
        click.echo(f"warning: the Word file has no anchor for {key} (its text or bookmark was deleted); "
                   f"the answer on disk is unchanged", err=True)
    for text, where in plan.outside:
        click.echo(f"warning: text outside any answer (after {where}) is not imported: \u201c{_short(text)}\u201d",
                   err=True)
    for text, why in plan.uncertain:
        click.echo(f"warning: text not imported, {why} (its anchors were lost): \u201c{_short(text)}\u201d",
                   err=True)
    for a in plan.unsafe:
        click.echo(f"warning: {a.path}: this change deletes text, and the Word file lost this answer's anchors: "
                   f"--apply refuses it", err=True)
    changed = plan.changed
    unchanged = sum(1 for a in plan.answers if a.state == "unchanged")
    summary = f"{len(changed)} changed, {unchanged} unchanged"
    refused = sum(1 for a in plan.answers if a.state == "refused")
    if refused:
        summary += f", {refused} not imported"
    if plan.conflicts:
        summary += f", {len(plan.conflicts)} in conflict (not written; choose with --take)"
    if apply_:
        click.echo(f"{summary}. Wrote {len(written)} file(s)"
                   + ("; previous versions are in .commentkit/backups/." if written else "."))
        if plan.conflicts:
            click.echo(f"{len(plan.conflicts)} answer(s) in conflict were not written: re-run with --take "
                       f"ID=word or ID=disk for each ({', '.join(a.key for a in plan.conflicts)})", err=True)
            raise SystemExit(1)
    elif changed:
        click.echo(f"{summary}. Nothing written: re-run with --apply to save these changes.")
    elif plan.conflicts or plan.uncertain or plan.missing or refused:
        click.echo(f"{summary}. Nothing to write; see the warnings above for what was not imported.")
    else:
        click.echo(f"{summary}. The answers on disk already match the Word file.")


def _short(text: str) -> str:
    return text if len(text) <= 100 else text[:97] + "..."
