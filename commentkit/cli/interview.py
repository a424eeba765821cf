"""``commentkit interview``: the guided exposure questionnaire.

Asks the docket pack's questionnaire (``interview.yaml``) and stores every answer in the
project's ``profile.yaml`` the moment it is given. The asking is done by an *asker*: arrow-key
lists (questionary) when standard input and output are a terminal, numbered plain-text prompts
otherwise (pipes, click's test runner, ``--plain``). The walk itself is ``commentkit.questionnaire.engine``.
"""

from __future__ import annotations

import shlex
import signal
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import click

from commentkit.cli import jsonout
from commentkit.cli.common import json_option, open_project, project_dir, today_option
from commentkit.errors import ConflictError, UserError
from commentkit.files.yamlio import load_roundtrip, parse_yaml, read_text
from commentkit.project.profilefile import ProfileFile
from commentkit.questionnaire import conditions, engine
from commentkit.questionnaire.conditions import interview_file
from commentkit.questionnaire.i18n import ENGLISH, chrome, language, localize, message

BACK = object()
"""What an asker returns when the user asks to go back to the previous item."""

_ABSENT = object()
BACK_WORDS = {"back", "<", "返回"}
BLANK_WORD = "-"


class Stop(Exception):
    """The user ended the session (Ctrl-C or end of input)."""

    def __init__(self, reason: str):
        self.reason = reason  # "interrupt" or "eof"


# ---- askers --------------------------------------------------------------------------------------

def _wrap(text: str, indent: str = "  ") -> str:
    # Chinese characters take two columns and have no spaces to break at: wrap at half the width
    wide = any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in str(text))
    return "\n".join(textwrap.fill(p, width=48 if wide else 96, initial_indent=indent, subsequent_indent=indent,
                                   break_long_words=wide)
                     for p in str(text).strip().split("\n") if p.strip())


class _Asker:
    lang = ENGLISH

    def __init__(self, lang: str = ENGLISH):
        self.lang = lang

    def say(self, key: str, english: str, **values) -> str:
        return chrome(self.lang, key, english, **values)

    def heading(self, item, progress) -> str:
        line = self.say("progress", "item {n} of about {about}", n=progress.number, about=progress.about)
        return f"\n[{line}]{' ' + item.group if item.group else ''}"

    def shown(self, item, value) -> str:
        if item.type == "yesno" and isinstance(value, bool):
            return self.say("yes", "yes") if value else self.say("no", "no")
        if value is None:
            return self.say("blank", "(left blank)")
        return engine.display(item, value)

    def refused(self, text: str) -> None:
        click.echo("  " + self.say("not_accepted", "Not accepted: {message}. Please try again.",
                                   message=message(self.lang, text)))


class PlainAsker(_Asker):
    """Numbered prompts on plain lines: works in pipes, with screen readers and in tests."""

    def _read(self, prompt: str) -> str:
        click.echo(prompt, nl=False)
        try:
            line = sys.stdin.readline()
        except KeyboardInterrupt:
            raise Stop("interrupt") from None
        if line == "":
            raise Stop("eof")
        return line.rstrip("\r\n")

    def ask(self, item, current: Any, progress, can_go_back: bool) -> Any:
        click.echo(self.heading(item, progress))
        click.echo(item.prompt)
        if item.help:
            click.echo(_wrap(item.help))
        for n, c in enumerate(item.choices, start=1):
            click.echo(f"  {n:>2}. {c.label}")
            if c.help:
                click.echo(_wrap(c.help, "        "))
        default = current if current is not _ABSENT else (
            engine.coerce(item, item.default) if item.default is not None else _ABSENT)
        key = "hint." + item.type + (".multiline" if item.type == "text" and item.multiline else "")
        hints = [self.say(key, _HINTS[item.type](item), n=len(item.choices))]
        if not item.validation.required:
            hints.append(self.say("hint.blank", "'{blank}' leaves it blank", blank=BLANK_WORD))
        if can_go_back:
            hints.append(self.say("hint.back", "'back' returns to the previous item"))
        sep = "；" if self.lang != ENGLISH else "; "
        click.echo(_wrap(("（" if self.lang != ENGLISH else "(") + sep.join(hints)
                         + ("）" if self.lang != ENGLISH else ")")))
        if default is not _ABSENT:
            click.echo("  " + self.say("enter_keeps", "Enter keeps: {value}", value=_short(self.shown(item, default))))
        while True:
            first = self._read("> ")
            word = first.strip()
            if word.casefold() in BACK_WORDS:
                return BACK
            if not word:
                if default is not _ABSENT:
                    return default
                if item.validation.required:
                    click.echo("  " + self.say("required", "An answer is required."))
                    continue
                return None
            if word == BLANK_WORD:
                if item.validation.required:
                    click.echo("  " + self.say("required", "An answer is required."))
                    continue
                return None
            raw = first
            if item.type == "text" and item.multiline:
                lines = [first]
                while True:
                    more = self._read("  ")
                    if not more.strip():
                        break
                    lines.append(more)
                raw = "\n".join(lines)
            try:
                value = engine.coerce(item, raw)
                engine.check_required(item, value)
                return value
            except engine.AnswerError as exc:
                self.refused(str(exc))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(text: str, limit: int = 300) -> str:
    one = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return one if len(one) <= limit else one[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


_HINTS = {
    "text": lambda it: "type your answer; finish with an empty line" if it.multiline else "type your answer",
    "yesno": lambda it: "yes or no",
    "choice": lambda it: f"type a number from 1 to {len(it.choices)}",
    "multichoice": lambda it: "type the numbers that apply, separated by commas, e.g. 1,3",
    "number": lambda it: "type a number",
    "date": lambda it: "type a date as YYYY-MM-DD",
}


class TerminalAsker(_Asker):
    """Arrow-key lists and check boxes (questionary) for an interactive terminal."""

    def ask(self, item, current: Any, progress, can_go_back: bool) -> Any:
        import questionary  # lazy: only interactive prompts need it
        from questionary import Choice, Separator  # lazy: only interactive prompts need it

        click.echo(self.heading(item, progress))
        if item.help:
            click.echo(_wrap(item.help))
        default = current if current is not _ABSENT else (
            engine.coerce(item, item.default) if item.default is not None else _ABSENT)
        extra = []
        if not item.validation.required:
            extra.append(Choice(self.say("leave_blank", "(leave blank)"), value="__blank__"))
        if can_go_back:
            extra.append(Choice(self.say("go_back", "\N{LEFTWARDS ARROW} back to the previous item"), value="__back__"))

        problem = None
        while True:
            answer = self._prompt(questionary, Choice, Separator, item, default, extra, can_go_back)
            if answer is BACK:
                return BACK
            if answer == "__blank__" or answer is None:
                value = None
            else:
                try:
                    value = engine.coerce(item, answer)
                except engine.AnswerError as exc:
                    problem = str(exc)
                    value = _ABSENT
            if value is not _ABSENT:
                try:
                    engine.check_required(item, value)
                    problem = None
                except engine.AnswerError as exc:
                    problem = str(exc)
            if problem is None:
                if item.type == "multichoice" and value:
                    click.echo("  " + self.say("chosen", "Chosen: {labels}", labels=engine.display(item, value)))
                return value
            # the message goes right under the prompt it belongs to; the prompt comes back with the
            # answer given, to correct
            self.refused(problem)
            if item.type == "multichoice":
                default = [v for v in (answer or []) if not str(v).startswith("__")]
            elif item.type not in ("choice", "yesno") and isinstance(answer, str):
                default = _Typed(answer)

    def _prompt(self, questionary, Choice, Separator, item, default, extra, can_go_back):
        """One question on the terminal; the raw answer, BACK, '__blank__' or None."""
        try:
            if item.type in ("choice", "yesno"):
                options = ([Choice(c.label, value=c.value, description=c.help) for c in item.choices]
                           if item.type == "choice" else [Choice(_cap(self.say("yes", "Yes")), value="yes"),
                                                          Choice(_cap(self.say("no", "No")), value="no")])
                pre = None
                if default is not _ABSENT and default is not None:
                    pre = default if item.type == "choice" else ("yes" if default else "no")
                answer = questionary.select(item.prompt, choices=options + ([Separator()] + extra if extra else []),
                                            default=pre).unsafe_ask()
            elif item.type == "multichoice":
                chosen = default if isinstance(default, list) else []
                options = [Choice(c.label, value=c.value, checked=c.value in chosen, description=c.help)
                           for c in item.choices]
                answer = questionary.checkbox(
                    item.prompt, choices=options + ([Separator()] + extra if extra else []),
                    instruction=self.say("checkbox", "(space to tick, enter to confirm)")).unsafe_ask()
                if "__back__" in answer:
                    return BACK
                if "__blank__" in answer:
                    return "__blank__"
                return answer
            else:
                if isinstance(default, _Typed):
                    pre = str(default)
                else:
                    pre = engine.as_input(item, default) if default is not _ABSENT else ""
                hints = []
                if not item.validation.required:
                    hints.append(self.say("hint.blank", "'{blank}' leaves it blank", blank=BLANK_WORD))
                if can_go_back:
                    hints.append(self.say("hint.back", "'back' returns to the previous item"))
                hint = (f" ({'; '.join(hints)})" if self.lang == ENGLISH else f"（{'；'.join(hints)}）") if hints else ""
                answer = questionary.text(item.prompt + hint, default=pre, multiline=item.multiline).unsafe_ask()
                word = answer.strip()
                if word.casefold() in BACK_WORDS:
                    return BACK
                if word == BLANK_WORD:  # the same rule as at the plain prompt
                    return "__blank__" if not item.validation.required else ""
        except KeyboardInterrupt:
            raise Stop("interrupt") from None
        except EOFError:
            raise Stop("eof") from None
        if answer == "__back__":
            return BACK
        return answer


class _Typed(str):
    """Text the user typed that was not accepted: offered again at the prompt, to correct."""


class _interrupt_deferred:
    """Hold Ctrl-C while an answer is being written, so the answer just given always reaches disk.

    The context value is a list that is non-empty when Ctrl-C arrived meanwhile.
    """

    def __enter__(self):
        self.pending: list[int] = []
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            try:
                self.previous = signal.signal(signal.SIGINT, lambda signum, frame: self.pending.append(signum))
            except (ValueError, OSError):
                self.previous = None
        return self.pending

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False


def _is_terminal() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


# ---- the command ---------------------------------------------------------------------------------

@click.command()
@project_dir
@click.option("--review", is_flag=True, help="Walk through every item again, with your answer as the default.")
@click.option("--item", "items", multiple=True, metavar="ID", help="Ask only this item again (repeatable).")
@click.option("--answers", "answers_file", metavar="FILE.yaml", type=click.Path(dir_okay=False),
              help="Store answers from a YAML file (item: answer) without prompting.")
@click.option("--defaults", is_flag=True, help="Store the questionnaire's default for every unanswered item "
                                                 "that has one, without prompting.")
@click.option("--plain", is_flag=True, help="Numbered plain-text prompts even in a terminal.")
@click.option("--lang", "lang", metavar="LANG",
              help="Ask in this language: en or zh-CN (简体中文). Default: COMMENTKIT_LANG, else the locale "
                   "(LANG). Answers are stored the same whatever the language; the letter is English.")
@json_option
@today_option
def interview(directory, review, items, answers_file, defaults, plain, lang, as_json):
    """Answer the exposure questionnaire: who you are and how the rule touches you.

    Every answer is saved to profile.yaml the moment you give it. Stop at any time (Ctrl-C,
    or Ctrl-D); running the command again resumes at the first unanswered item. At any prompt,
    type 'back' to return to the previous item and '-' to leave an optional item blank.

    In a terminal, lists are arrow-key menus and multiple choice is a check-box list; elsewhere
    (or with --plain) choices are numbered and you type the numbers.

    --answers FILE.yaml stores answers from a file (keys are item ids, as in profile.yaml) and
    checks all of them first: if any is invalid, every problem is listed with its item id and
    line, and nothing is stored. --json prints the stored answers and what is still unanswered.

    \b
    Examples:
      commentkit interview my-comment
      commentkit interview my-comment --review
      commentkit interview my-comment --item sectors --item semi_activities
      commentkit interview my-comment --lang zh-CN
      commentkit interview my-comment --answers answers.yaml --defaults
      commentkit interview my-comment --json
    """
    proj = open_project(directory)
    pack = proj.pack
    if pack.interview is None:
        raise UserError(f"docket {pack.docket.id} has no questionnaire (its pack has no interview.yaml); "
                        f"'commentkit plan' lists every question as optional")
    iv = pack.interview
    ifile = interview_file(pack)
    engine.check_pack(iv, ifile)
    pf = ProfileFile.of(proj, lenient=True)
    shown = _shown_dir(directory)
    for problem in pf.invalid:  # hand-edited values that are not valid: asked again, never used
        click.echo(f"Note: {problem.format(pf.path)}; it is not used, and will be asked again "
                   f"(or replaced by --answers).", err=True)

    if as_json and (review or items):
        raise UserError("--json prints the stored answers (and stores those of --answers / --defaults); "
                        "it cannot be combined with --review or --item")
    if answers_file or defaults:
        if review or items:
            raise UserError("--answers and --defaults store answers without prompting; "
                            "they cannot be combined with --review or --item")
        stored = _store_noninteractive(pf, iv, ifile, answers_file, defaults, shown, quiet=as_json)
        if as_json:
            jsonout.emit("interview", {**_json_report(proj, pf, iv, ifile), "stored": stored,
                                             "changed": bool(stored), "written": [str(pf.path)] if stored else []})
        return
    if as_json:
        jsonout.emit("interview", {**_json_report(proj, pf, iv, ifile), "stored": [], "changed": False,
                                         "written": []})
        return
    if review and items:
        raise UserError("use either --review (every item) or --item ID (some items), not both")
    lang = language(lang)
    asker = TerminalAsker(lang) if (not plain and _is_terminal()) else PlainAsker(lang)
    # the same items, conditions and choice values, with the texts of the chosen language
    _session(pf, localize(pack, lang), ifile, asker, review=review, only=list(dict.fromkeys(items)), shown=shown,
             suggest=_suggestions(proj))


def _shown_dir(directory: str) -> str:
    """How to name the project folder in 'run this next' hints (as the user typed it)."""
    return shlex.quote(directory) if directory and directory != "." else ""


def _cmd(shown: str, *rest: str) -> str:
    return " ".join(["commentkit", "interview", *([shown] if shown else []), *rest])


def _suggestions(proj) -> dict[str, str]:
    """Answers offered as the default (Enter keeps them) when an item was never answered: what the
    project file already says (the commenter's name given to 'commentkit init')."""
    out = {}
    name = getattr(getattr(proj.file, "commenter", None), "name", None)
    if name:
        out["commenter_name"] = name
    return out


FOLLOWS = {"signatory_name": "contact_name"}
"""Never-answered items that offer another item's answer as their default (the contact often signs)."""


def _offered(item_id: str, answers: dict, suggest: dict) -> Any:
    if item_id in suggest:
        return suggest[item_id]
    source = FOLLOWS.get(item_id)
    if source and conditions.is_answered(answers.get(source)):
        return answers[source]
    return _ABSENT


def _session(pf, iv, ifile, asker, *, review: bool, only: list[str], shown: str,
             suggest: dict | None = None) -> None:
    answers = pf.answers
    if only:
        known = {it.id for it in iv.items}
        for item_id in only:
            if item_id not in known:
                raise UserError(f"no item {item_id!r} in the questionnaire{engine.did_you_mean(item_id, known)}",
                                ifile)
        asked = {it.id for it in engine.applicable(iv, answers, ifile)}
        for item_id in only:
            if item_id not in asked:
                raise UserError(f"item {item_id!r} is not asked with your current answers (it is asked only "
                                f"when {iv.item(item_id).when})")
        current = iv.item(only[0])
    elif review:
        items = engine.applicable(iv, answers, ifile)
        current = items[0] if items else None
    else:
        current = engine.next_unanswered(iv, answers, ifile)
        if current is None:
            click.echo(asker.say("all_answered", "Every item of the questionnaire is answered ({path}).",
                                 path=pf.path))
            click.echo(asker.say("change_hint", "Change one with '{one}' or go through all with '{all}'.",
                                 one=_cmd(shown, '--item ID'), all=_cmd(shown, '--review')))
            return
        if not answers:
            click.echo(iv.title)
            if iv.intro:
                click.echo(_wrap(iv.intro, ""))
        else:
            click.echo(asker.say("resuming", "Resuming at the first unanswered item ({n} answers already saved).",
                                 n=len(answers)))

    history: list[str] = []
    visited: set[str] = set()
    saved: set[str] = set()
    try:
        while current is not None:
            prog = engine.progress(iv, answers, current, ifile)
            before = answers.get(current.id, _ABSENT)
            offered = before if before is not _ABSENT else _offered(current.id, answers, suggest or {})
            try:
                result = asker.ask(current, offered, prog, can_go_back=bool(history))
            except Stop as stop:
                _stopped(stop, len(saved), pf, shown, review, only, asker)
                return
            if result is BACK:
                if not history:
                    click.echo("  " + asker.say("first_item", "This is the first item of this session; there is "
                                                              "nothing to go back to."))
                    continue
                current = iv.item(history.pop())
                continue
            if before is _ABSENT or before != result:
                with _interrupt_deferred() as pending:
                    try:
                        pf.set(current.id, result)
                    except ConflictError as exc:  # profile.yaml changed meanwhile: say what was not saved
                        raise ConflictError(
                            f"{exc.message}. Your answer to {current.id} "
                            f"({_short(engine.display(current, result))}) was not saved"
                            + (f" (the {len(saved)} given before it in this session are)" if saved else "")
                            + f". Check the file, then run '{_cmd(shown)}' to continue",
                            exc.path, exc.line) from None
                answers[current.id] = result
                saved.add(current.id)
                if pending:
                    _stopped(Stop("interrupt"), len(saved), pf, shown, review, only, asker)
                    return
            history.append(current.id)
            visited.add(current.id)
            current = _next(iv, answers, ifile, current, review=review, only=only, visited=visited)
    except KeyboardInterrupt:  # Ctrl-C between prompts (while one is printed, say)
        _stopped(Stop("interrupt"), len(saved), pf, shown, review, only, asker)
        return
    _finished(pf, iv, ifile, answers, len(saved), shown, only, asker)


def _next(iv, answers, ifile, current, *, review: bool, only: list[str], visited: set[str]):
    if only:
        rest = only[only.index(current.id) + 1:] if current.id in only else []
        asked = {it.id for it in engine.applicable(iv, answers, ifile)}
        for item_id in rest:
            if item_id in asked:
                return iv.item(item_id)
        return None
    if review:
        items = engine.applicable(iv, answers, ifile)
        ids = [it.id for it in items]
        if current.id in ids:
            rest = items[ids.index(current.id) + 1:]
        else:
            order = [it.id for it in iv.items]
            rest = [it for it in items if order.index(it.id) > order.index(current.id)]
        return rest[0] if rest else None
    return engine.next_unanswered(iv, answers, ifile, after=current.id, also=visited)


def _stopped(stop: Stop, saved: int, pf, shown: str, review: bool, only: list[str], asker=None) -> None:
    say = asker.say if asker is not None else (lambda key, english, **kw: english.format(**kw))
    key = "interrupted" if stop.reason == "interrupt" else "input_ended"
    what = "Interrupted" if stop.reason == "interrupt" else "Input ended"
    again = _cmd(shown, "--review") if review else _cmd(shown, *[f"--item {i}" for i in only]) if only else _cmd(shown)
    where = say("resume", "resume where you left off") if not (review or only) else say("continue", "continue")
    click.echo("\n" + say(key, what + ". Every answer given so far is saved in {path} ({n} in this session); "
                                "run '{cmd}' to {where}.", path=pf.path, n=saved, cmd=again, where=where), err=True)
    sys.stdout.flush()
    click.get_current_context().exit(130 if stop.reason == "interrupt" else 1)


def _finished(pf, iv, ifile, answers, saved: int, shown: str, only: list[str], asker=None) -> None:
    say = asker.say if asker is not None else (lambda key, english, **kw: english.format(**kw))
    click.echo("\n" + say("saved", f"Saved {{n}} answer{'' if saved == 1 else 's'} in this session to {{path}}.",
                          n=saved, path=pf.path))
    open_ids = engine.unanswered_ids(iv, answers, ifile)
    if open_ids:
        k = len(open_ids)
        click.echo(say("still_open", f"{{n}} item{' is' if k == 1 else 's are'} still unanswered ({{ids}}); run "
                                     f"'{{cmd}}' to answer {'it' if k == 1 else 'them'}.",
                       n=k, ids=", ".join(open_ids), cmd=_cmd(shown)))
    _note_stale(iv, ifile, answers, say)
    plan = "commentkit plan" + (f" {shown}" if shown else "")
    click.echo(say("next", "Next: '{cmd}' ranks the notice's questions for you.", cmd=plan))


def _note_stale(iv, ifile, answers, say=None) -> None:
    """Say which stored answers no longer apply (kept in the file, ignored by plan and the letter)."""
    say = say or (lambda key, english, **kw: english.format(**kw))
    asked = {it.id for it in engine.applicable(iv, answers, ifile)}
    stale = [k for k, v in answers.items() if k not in asked and conditions.is_answered(v)]
    if stale:
        click.echo(say("stale", "Your answers to {ids} no longer apply to your other answers; they stay in "
                                "profile.yaml but are ignored.", ids=", ".join(stale)))


def _read_answers_file(path: str):
    p = Path(path)
    text = read_text(p, "answers file")
    data = parse_yaml(text, p)
    if data is None:
        return {}, {}, p
    if not isinstance(data, dict):
        raise UserError("answers file must be a mapping of item id: answer (like profile.yaml)", p, 1)
    data = dict(data)
    data.pop("schema_version", None)
    lines: dict[str, int] = {}
    doc = load_roundtrip(text, p)
    if hasattr(doc, "lc"):
        for key in doc:
            try:
                lines[key] = doc.lc.key(key)[0] + 1
            except Exception:  # a key ruamel cannot locate: the message then has no line
                pass
    return data, lines, p


def _store_noninteractive(pf, iv, ifile, answers_file: str | None, defaults: bool, shown: str,
                          quiet: bool = False) -> list[str]:
    """Store answers from a file and/or defaults; returns the item ids stored."""
    given, lines, path = ({}, {}, None)
    if answers_file:
        given, lines, path = _read_answers_file(answers_file)
    checked = engine.check_answers(iv, given, base=pf.answers, lines=lines, file=ifile)
    if checked.problems:
        n = len(checked.problems)
        click.echo(f"Error: {path}: {n} invalid answer{'' if n == 1 else 's'}; nothing was stored:", err=True)
        for problem in checked.problems:
            click.echo(f"  {problem.format(path)}", err=True)
        click.get_current_context().exit(2)
    values = dict(checked.values)
    if defaults:
        merged = {**pf.answers, **values}
        changed = True
        while changed:
            changed = False
            for it in engine.applicable(iv, merged, ifile):
                if it.id not in merged and it.default is not None:
                    merged[it.id] = values[it.id] = engine.coerce(it, it.default)
                    changed = True
    if values:
        pf.update(values)
    if quiet:
        return list(values)
    n = len(values)
    click.echo(f"Stored {n} answer{'' if n == 1 else 's'} in {pf.path}.")
    answers = pf.answers
    open_ids = engine.unanswered_ids(iv, answers, ifile)
    required = engine.missing_required(iv, answers, ifile)
    if open_ids:
        req = f" (required: {', '.join(required)})" if required else ""
        click.echo(f"Still unanswered: {', '.join(open_ids)}{req}; run '{_cmd(shown)}' to answer them.")
    _note_stale(iv, ifile, answers)
    return list(values)


def _json_report(proj, pf, iv, ifile) -> dict:
    answers = pf.answers
    asked = {it.id for it in engine.applicable(iv, answers, ifile)}
    return {
        "project": str(proj.root),
        "profile": str(pf.path),
        "docket": jsonout.docket_ref(pf.pack.docket),
        "answers": {k: engine.jsonable(v) for k, v in answers.items()},
        "not_applicable": [k for k in answers if k not in asked],
        "unanswered": engine.unanswered_ids(iv, answers, ifile),
        "required_unanswered": engine.missing_required(iv, answers, ifile),
        "items_asked": len(asked),
    }
