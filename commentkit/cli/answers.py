"""``commentkit answer`` and ``commentkit mark``: write answers and set their review status."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import click

from commentkit.cli import jsonout
from commentkit.cli.common import complete_answer_keys, json_option, open_project, project_dir, today_option
from commentkit.errors import ConflictError, UserError
from commentkit.files import editor, hints, limits, storage
from commentkit.files.yamlio import read_text
from commentkit.models.project import GENERAL_SECTIONS
from commentkit.project.profilefile import load_profile
from commentkit.project.status import answer_state, word_count
from commentkit.questionnaire import priorities
from commentkit.questionnaire.background import background_markdown

STATUS_WORDS = {"draft": "draft", "review": "review", "final": "final", "skip": "skipped", "skipped": "skipped"}

GENERAL_HELP = {
    "executive-summary": "A short summary of your main points and recommendations, for the first page.",
    "background": "Who you are and why this rule affects you (pre-filled from the questionnaire when "
                  "it is empty).",
    "general-comments": "Comments that do not answer one of the agency's questions.",
    "conclusion": "Closing paragraph: your main requests, and an offer to discuss.",
}


def resolve(proj, ref: str):
    """``(key, question or None)`` for a question id / confirmed agency number or a general section."""
    ref = ref.strip()
    if ref in GENERAL_SECTIONS:
        return ref, None
    pack = proj.pack
    try:
        q = pack.question(ref)
    except KeyError:
        hint = ""
        bare = ref[1:] if ref[:1] in "qQ" else ref
        if bare.isdigit():
            hint = (" (agency question numbers are accepted only where the question bank confirms them; "
                    "this bank does not confirm that number: use the question id)")
        raise UserError(f"no question {ref!r} in docket {pack.docket.id}{hint}; see 'commentkit questions' "
                        f"(general sections: {', '.join(GENERAL_SECTIONS)})") from None
    return q.id, q


def header_lines(proj, key: str, q, old) -> list[str]:
    """What the editor shows above the answer: the question, its provenance and citation."""
    pack = proj.pack
    d = pack.docket
    lines: list[str] = []
    if q is None:
        lines += [f"{GENERAL_SECTIONS[key]} (general section '{key}' of your comment letter)",
                  GENERAL_HELP.get(key, ""), ""]
    else:
        lines += [pack.heading(q), f"Question id: {q.id}   Section: {pack.bank.section(q.section).title}",
                  f"Source: {d.title}, {d.document_type}, docket {d.id}, {pack.cite(q)}"
                  + ("" if q.pages else " (page within the notice not confirmed)")]
        if q.wording == "official":
            lines += ["Wording: official (the agency's own words):", ""]
            lines += [f"  \"{ln}\"" if i == 0 else f"   {ln}" for i, ln in enumerate(_wrap(q.text))]
        else:
            lines += ["Wording: SUMMARY by commentkit, NOT the agency's words (quote the Federal Register",
                      "for the official text):", ""]
            lines += [f"  In substance: {ln}" if i == 0 else f"  {ln}" for i, ln in enumerate(_wrap(q.text))]
        lines.append("")
    if old is not None:
        status = old.meta.status + (f" ({old.meta.reason})" if old.meta.reason else "")
        lines.append(f"Current status: {status}; owner: {old.meta.owner or 'none'}")
    lines += ["Write the answer in Markdown: blank line between paragraphs, *emphasis*, - bullets,",
              "1. numbered lists, > quotes, [links](https://...), footnotes[^1] with [^1]: text.",
              "Save and quit to store it. Quit without saving (or empty the answer) to change nothing."]
    return lines


def _wrap(text: str, width: int = 88) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width) or [""]


def _prefill(proj, key: str) -> str:
    """Initial text of the background section, from the questionnaire (when available)."""
    if key != "background":
        return ""
    text = background_markdown(proj.pack, proj.profile, proj.commenter_name).strip()
    return text + "\n" if text else ""


def source_keeps_origin(old) -> bool:
    """An edit in the editor of existing text keeps where the text came from."""
    return old is not None and bool(old.body.strip())


def _read_stdin() -> str:
    """Standard input as bytes, bounded and decoded: invalid UTF-8, NUL or too much is one line."""
    return limits.read_stream(getattr(sys.stdin, "buffer", sys.stdin), "standard input")


def _keep_text(proj, key: str, body: str, edit_file: Path | None) -> Path:
    """Put text that could not be saved somewhere safe inside the project."""
    if edit_file is not None and edit_file.exists():
        return edit_file
    return editor.new_edit_file(proj.root, key, body)


@click.command()
@click.argument("question", metavar="N", shell_complete=complete_answer_keys)
@project_dir
@click.option("--text", "-t", metavar="TEXT", help="The answer text (Markdown) instead of opening the editor.")
@click.option("--file", "-f", "from_file", metavar="PATH", help="Read the answer (Markdown) from PATH ('-': stdin).")
@click.option("--edit", "-e", "force_edit", is_flag=True,
              help="Open the editor even when standard input is not a terminal.")
@click.option("--owner", metavar="NAME", help="Record NAME as the answer's owner.")
@click.option("--keep-status", is_flag=True,
              help="Keep a final answer final although its text changed (default: back to review).")
@click.option("--from-questionnaire", "from_questionnaire", is_flag=True,
              help="background only: store the text drafted from your questionnaire answers.")
@json_option
@today_option
def answer(question, directory, text, from_file, force_edit, owner, keep_status, from_questionnaire, as_json):
    """Write or revise the answer to question N (or a general section).

    N is a question id (cov-tx-3), the agency's number where the question bank confirms it
    (12 or Q12), or a general section: executive-summary, background, general-comments,
    conclusion.

    Without --text or --file, the answer opens in $VISUAL / $EDITOR with the question, its
    Federal Register citation and whether its wording is the agency's at the top, in a comment
    block that is not stored. When standard input is not a terminal, the answer is read from
    it. The previous version is kept in .commentkit/backups/. Nothing is written when the editor
    fails, or when the answer comes back unchanged or empty; what you typed stays in
    .commentkit/edits/ until it is saved. Changing the text of a final answer puts it back to
    review (use --keep-status to keep it final). An empty background section opens with text
    drafted from your questionnaire answers (--from-questionnaire stores that text directly).

    \b
    Examples:
      commentkit answer def-1 my-comment
      commentkit answer def-1 --text "We support a revenue test measured over the last fiscal year."
      commentkit answer executive-summary --file summary.md --owner "J. Doe"
      commentkit answer background --from-questionnaire
      pandoc memo.docx -t markdown | commentkit answer notif-2 my-comment
    """
    if sum(x is not None and x is not False for x in (text, from_file, from_questionnaire or None)) > 1:
        raise UserError("give only one of --text, --file and --from-questionnaire")
    owner = limits.from_argument(owner, "--owner") if owner is not None else None
    proj = open_project(directory)
    key, q = resolve(proj, question)
    old = proj.answers.get(key)
    old_body = old.body if old is not None else ""
    edit_file: Path | None = None
    origin = "keep" if source_keeps_origin(old) else None  # text a person supplies is theirs

    if from_questionnaire:
        if key != "background":
            raise UserError("--from-questionnaire is for the background section: "
                            + hints.command(proj.root, "answer", "background", options=("--from-questionnaire",)))
        source, new = "the questionnaire", _prefill(proj, key)
        origin = "questionnaire"
        if not new.strip():
            raise UserError("the questionnaire gives nothing to say about you yet; answer it first "
                            f"({hints.command(proj.root, 'interview')})")
    elif text is not None:
        source, new, origin = "--text", limits.from_argument(text, "--text"), None
        limits.check_size(len(new.encode("utf-8")), limits.answer_text_limit(), "--text")
    elif from_file is not None:
        if from_file == "-":
            source, new, origin = "standard input", _read_stdin(), None
        else:
            src = Path(from_file)
            if src.suffix.lower() in (".docx", ".doc", ".odt", ".rtf", ".pdf"):
                raise UserError("is not a text file: convert it to Markdown first, e.g. "
                                f"pandoc {src.name} -t markdown | {hints.command(proj.root, 'answer', key)}", src)
            source, new, origin = from_file, read_text(src, "answer text file", limits.answer_text_limit()), None
            new = editor.strip_instructions(new, src)
            if src.resolve().parent == (proj.root / editor.EDITS_DIR).resolve():
                edit_file = src  # a kept working file: deleted once its text is saved
    elif force_edit or sys.stdin is None or sys.stdin.isatty():
        source = "editor"
        start = old_body if old_body.strip() else _prefill(proj, key)
        if not old_body.strip() and start.strip():
            origin = "questionnaire"  # the person edits text generated from the questionnaire
        initial = editor.instructions(header_lines(proj, key, q, old)) + start.strip("\n") + ("\n" if start else "")
        edit_file = editor.new_edit_file(proj.root, key, initial)
        _say_which_editor()
        started = time.monotonic()
        try:
            code = editor.run_editor(edit_file)
        except UserError:
            edit_file.unlink(missing_ok=True)
            raise
        quick = time.monotonic() - started < 1.5
        raw = read_text(edit_file, "edited answer", limits.answer_text_limit())
        if code == 0 and raw == initial and quick:
            click.echo("The editor returned at once without changes. If it opens in a window (VS Code, "
                       "Sublime Text...), make it wait: export VISUAL='code --wait'.", err=True)
        if code == 0 and raw == initial and not old_body.strip() and start.strip():
            edit_file.unlink(missing_ok=True)
            msg = (f"The pre-filled {key} text was left as it was: nothing was written. To store it "
                   f"unchanged: {hints.command(proj.root, 'answer', key, options=('--from-questionnaire',))}")
            if as_json:
                _emit_change("answer", proj, key, q, old, old, notes=[msg], source=source)
                return
            click.echo(msg)
            return
        if code != 0:
            if raw == initial:
                edit_file.unlink(missing_ok=True)
                raise UserError(f"the editor exited with status {code}; the answer to {key} was not changed")
            raise UserError(f"the editor exited with status {code}; the answer to {key} was not changed. "
                            f"What you typed is kept in {edit_file} (save it with: "
                            f"{hints.command(proj.root, 'answer', key, options=('--file', str(edit_file)))})")
        new = editor.strip_instructions(raw, edit_file)
    else:
        source, new, origin = "standard input", _read_stdin(), None

    if not new.strip():
        if edit_file is not None:
            edit_file.unlink(missing_ok=True)
        click.echo(f"The answer from {source} is empty: nothing was written; the answer to {key} is unchanged. "
                   f"(To leave a question unanswered: "
                   f"{hints.command(proj.root, 'mark', key, 'skip', options=('--reason', '...'))})", err=True)
        sys.exit(1)
    if old is not None and new.strip() == old_body.strip():
        if edit_file is not None:
            edit_file.unlink(missing_ok=True)
        if as_json:
            _emit_change("answer", proj, key, q, old, old, source=source)
            return
        click.echo(f"No change to the answer to {key}: nothing was written.")
        return

    status = None
    notes = []
    if old is not None and old.meta.status == "skipped":
        status = "draft"
        notes.append(f"{key} was skipped; now that it has an answer its status is draft")
    elif old is not None and old.meta.status == "final" and not keep_status:
        status = "review"
        notes.append(f"the text of a final answer changed, so its status is back to review "
                     f"(mark it final again with: {hints.command(proj.root, 'mark', key, 'final')})")
    try:
        path = proj.save_answer(key, new, status=status, owner=owner, expect=old, origin=origin)
    except ConflictError as exc:
        kept = _keep_text(proj, key, new, edit_file)
        raise ConflictError(f"{exc.message}. Your new text was not saved to the answer; it is kept in {kept} "
                            f"(compare, then: {hints.command(proj.root, 'answer', key, options=('--file', str(kept)))})",
                            exc.path) from None
    if edit_file is not None:
        edit_file.unlink(missing_ok=True)
    saved = proj.answers[key]
    rel = path.relative_to(proj.root)
    if as_json:
        _emit_change("answer", proj, key, q, old, saved, written=[str(path)], notes=notes, source=source)
        return
    click.echo(f"Saved {rel} ({saved.meta.status}, {word_count(saved.body):,} words"
               + (f"; previous version in {storage.BACKUP_DIR}/" if old is not None else "") + ").")
    for n in notes:
        click.echo(f"Note: {n}.")


MARK_STATUSES = ("draft", "review", "final", "skip")


@click.command(context_settings={"ignore_unknown_options": False})
@click.argument("args", nargs=-1, metavar="[N]... STATUS [DIR]", shell_complete=complete_answer_keys)
@click.option("--reason", "-r", metavar="TEXT", help="Why the questions are skipped (required with skip).")
@click.option("--owner", metavar="NAME", help="Record NAME as the answers' owner.")
@click.option("--by", "approver", metavar="NAME", help="final: who approves the text (default: --owner, the "
              "answer's owner, the project's owner, or your login name).")
@click.option("--level", "levels", multiple=True, type=click.Choice(["core", "recommended", "optional"]),
              help="Select the questions 'commentkit plan' ranks at this level (repeatable).")
@click.option("--section", "sections", multiple=True, metavar="S",
              help="Select the questions of section S of the notice (repeatable; see 'commentkit questions').")
@click.option("--unanswered", is_flag=True, help="Select only questions with no answer text that are not skipped.")
@click.option("--yes", "-y", is_flag=True, help="Apply the changes without asking for confirmation.")
@json_option
@today_option
def mark(args, reason, owner, approver, levels, sections, unanswered, yes, as_json):
    """Set the review status of the answers to questions N... (or general sections).

    Statuses: draft (being written), review (ready for review), final (approved for filing),
    skip (deliberately not answered; --reason is required and is kept in the answer file).
    review and final need answer text. The change is recorded with the time, so milestones can
    tell when each answer reached each status. Marking final records who approved the text
    (--by), when, and a fingerprint of the text: if the text is later changed by any means (an
    editor included), status and check report it and the answer is no longer final until it is
    marked final again.

    Name the questions, or select them: --level (as 'commentkit plan' ranks them), --section and
    --unanswered narrow the named questions, or every question of the notice when none is named.
    When more than one answer would change, commentkit lists the changes and asks once (--yes
    skips the question). Nothing is written if any selected answer cannot take the status.

    \b
    Examples:
      commentkit mark def-1 review
      commentkit mark def-1 final --owner "A. Partner"
      commentkit mark notif-3 skip --reason "Not relevant to our members"
      commentkit mark semi-1 semi-2 semi-4 skip --reason "We make no chips"
      commentkit mark skip --level optional --unanswered --reason "Outside our business" --yes
      commentkit mark executive-summary draft my-comment
    """
    words = [a.lower() for a in args]
    at = [n for n, w in enumerate(words) if w in MARK_STATUSES]
    if not at:
        raise UserError(f"say which status to set: one of {', '.join(MARK_STATUSES)} "
                        f"(e.g. commentkit mark def-1 review)")
    if len(at) > 1:
        raise UserError(f"give one status, not {len(at)} ({', '.join(args[n] for n in at)})")
    ids, status, rest = list(args[:at[0]]), words[at[0]], list(args[at[0] + 1:])
    if len(rest) > 1:
        raise UserError(f"after the status only the project folder may follow, not {' '.join(rest)!r}; "
                        f"put the question ids before the status")
    directory = rest[0] if rest else "."
    if not ids and not (levels or sections or unanswered):
        raise UserError("name the questions before the status, or select them with --level, --section or "
                        "--unanswered (e.g. commentkit mark def-1 def-2 review)")
    new_status = STATUS_WORDS[status]
    owner = limits.from_argument(owner, "--owner") if owner is not None else None
    reason = limits.from_argument(reason, "--reason") if reason is not None else None
    approver = limits.from_argument(approver, "--approver") if approver is not None else None
    if new_status == "skipped":
        if not (reason or "").strip():
            example = " ".join(ids) or "--level optional"
            raise UserError(f"say why with --reason, e.g. commentkit mark {example} skip --reason "
                            "\"Outside our business\"")
        reason = " ".join(reason.split())
    elif reason is not None:
        raise UserError("--reason is only for skip")
    if approver is not None and new_status != "final":
        raise UserError("--by is for final (who approves the text)")
    proj = open_project(directory)
    keys = select(proj, ids, levels=levels, sections=sections, unanswered=unanswered)
    single = len(ids) == 1 and not (levels or sections or unanswered)
    apply_status(proj, keys, new_status, reason=reason, owner=owner, yes=yes or single, as_json=as_json,
                 single=single, approver=approver)


def select(proj, ids: list[str], *, levels=(), sections=(), unanswered: bool = False) -> list[str]:
    """Answer keys for question ids / general sections, narrowed by plan level, section and
    answered state (every question of the notice when no id is given), in the notice's order."""
    pack = proj.pack
    keys = list(dict.fromkeys(resolve(proj, ref)[0] for ref in ids)) if ids else [q.id for q in pack.bank.ordered()]
    if sections:
        known = [s.id for s in pack.bank.sections]
        for sec in sections:
            if sec not in known:
                raise UserError(f"no section {sec!r} in docket {pack.docket.id} (sections: {', '.join(known)})")
        keys = [k for k in keys if k not in GENERAL_SECTIONS and pack.question(k).section in sections]
    if levels:
        level_of = {p.question_id: p.level for p in priorities.plan(pack, load_profile(proj))}
        keys = [k for k in keys if level_of.get(k) in levels]
    if unanswered:
        answers = proj.answers
        keys = [k for k in keys if k not in answers
                or (not answers[k].body.strip() and answers[k].meta.status != "skipped")]
    return keys


def _current(old) -> str:
    if old is None:
        return "unanswered"
    before = old.meta.status if (old.body.strip() or old.meta.status == "skipped") else "unanswered"
    changed = old.changed_note()
    return f"{before} ({changed})" if changed else before


def apply_status(proj, keys: list[str], new_status: str, *, reason: str | None, owner: str | None, yes: bool,
                 as_json: bool, single: bool = False, approver: str | None = None) -> None:
    """Set ``new_status`` on the answers ``keys``: list the changes, ask once (unless ``yes``), write."""
    answers = proj.answers
    changes, unchanged, blocked = [], [], []
    for key in keys:
        old = answers.get(key)
        body = old.body if old is not None else ""
        if new_status != "skipped" and not body.strip():
            blocked.append(key)
            continue
        if (old is not None and old.meta.status == new_status and (owner is None or owner == old.meta.owner)
                and (new_status != "skipped" or reason == old.meta.reason)
                and (new_status != "final" or (old.approved and approver in (None, old.meta.approved.by)))):
            unchanged.append(key)
            continue
        changes.append((key, _current(old)))
    if blocked:
        if single:
            key = blocked[0]
            raise UserError(f"the answer to {key} has no text yet; write it first "
                            f"({hints.command(proj.root, 'answer', key)}) or skip it "
                            f"({hints.command(proj.root, 'mark', key, 'skip', options=('--reason', '...'))})")
        raise UserError(f"{len(blocked)} of the selected answers have no text yet, so they cannot be "
                        f"{new_status} ({', '.join(blocked)}); nothing was changed. Write them first, or leave "
                        f"them out (--unanswered selects only the empty ones)")

    def report(done: list) -> dict:
        """``mark --json`` (docs/json.md): each answer changed, in the JSON vocabulary."""
        rows = []
        for k, before in done:
            saved = answers.get(k)
            general = k in GENERAL_SECTIONS
            rows.append({"question_id": None if general else k, "general_section": k if general else None,
                         "path": proj.answer_path(k).relative_to(proj.root).as_posix(),
                         "status_before": before.split(" ")[0], "status": answer_state(saved),
                         "owner": saved.meta.owner if saved is not None else None,
                         "approved_by": saved.meta.approved.by if saved is not None and saved.meta.approved else None})
        return {"project": str(proj.root), "status": new_status,
                "skip_reason": reason if new_status == "skipped" else None, "answers": rows,
                "unchanged": unchanged, "selected": len(keys), "changed": bool(done),
                "written": [str(proj.answer_path(k)) for k, _ in done]}

    if not changes:
        if as_json:
            jsonout.emit("mark", report([]))
        elif single and unchanged:
            click.echo(f"{unchanged[0]} is already {new_status}: nothing was written.")
        else:
            click.echo(f"Nothing to change: {'no question matches the selection' if not keys else ''}"
                       f"{f'all {len(unchanged)} selected answers are already {new_status}' if unchanged else ''}.")
        return
    if not yes:
        out = sys.stderr if as_json else sys.stdout
        click.echo(f"{len(changes)} answer{'' if len(changes) == 1 else 's'} will change"
                   + (f" (reason: {reason})" if new_status == "skipped" else "") + ":", file=out)
        for key, before in changes:
            click.echo(f"  {key}: {before} -> {new_status}", file=out)
        if unchanged:
            click.echo(f"  ({len(unchanged)} already {new_status}: {', '.join(unchanged)})", file=out)
        if not click.confirm("Apply these changes?", default=False, err=as_json):
            click.echo("Nothing was changed.", err=as_json)
            if as_json:
                jsonout.emit("mark", report([]))
            return
    done: list[tuple[str, str]] = []
    for key, before in changes:
        old = answers.get(key)
        body = old.body if old is not None else ""
        try:
            proj.save_answer(key, body, status=new_status, owner=owner, reason=reason, expect=old, approver=approver)
        except UserError as exc:
            if done:
                raise type(exc)(f"{exc.message}. Already changed before this: "
                                f"{', '.join(k for k, _ in done)}", exc.path, getattr(exc, "line", None)) from None
            raise
        done.append((key, before))
    if as_json:
        jsonout.emit("mark", report(done))
        return
    for key, before in done:
        saved = answers[key]
        click.echo(f"{key}: {before} -> {new_status}" + (f" ({reason})" if new_status == "skipped" else "")
                   + (f"; owner {saved.meta.owner}" if saved.meta.owner else "")
                   + (f"; approved by {saved.meta.approved.by}" if saved.meta.approved else "") + ".")


def _say_which_editor() -> None:
    """Without $VISUAL and $EDITOR, say which editor opens and how to choose another."""
    if any(os.environ.get(var, "").strip() for var in ("VISUAL", "EDITOR")):
        return
    try:
        name = Path(editor.editor_command()[0]).name
    except UserError:
        return  # run_editor says that no editor was found
    click.echo(f"Opening {name} ($VISUAL and $EDITOR are not set; to choose your editor: export EDITOR=nano, "
               f"or VISUAL='code --wait')", err=True)


def _emit_change(output: str, proj, key: str, q, before, after, *, written=(), notes=(), source=None) -> None:
    """``answer --json``: what changed in the answer to ``key``."""
    data = {"project": str(proj.root), "question_id": q.id if q is not None else None,
            "general_section": key if q is None else None,
            "path": proj.answer_path(key).relative_to(proj.root).as_posix(),
            "status_before": answer_state(before), "status": answer_state(after),
            "owner": after.meta.owner if after is not None else None, "changed": bool(written),
            "written": list(written), "notes": list(notes)}
    data.update(words=word_count(after.body) if after is not None else 0, source=source)
    jsonout.emit(output, data)
