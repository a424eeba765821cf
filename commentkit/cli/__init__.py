"""The ``commentkit`` command. Subcommands live in their own modules and are imported only
when run, so ``commentkit --help`` and light commands start fast."""

from __future__ import annotations

import importlib
import os
import shlex
import sys

import click

from commentkit import __version__
from commentkit.cli import runtime
from commentkit.errors import UserError

# name -> (module:attribute, one-line help). Keep the help here so `--help` imports nothing.
COMMANDS: dict[str, tuple[str, str]] = {
    "dockets": ("commentkit.cli.dockets:dockets", "List installed docket packs and their deadlines."),
    "questions": ("commentkit.cli.questions:questions", "List a docket's questions."),
    "show": ("commentkit.cli.questions:show", "Show one question in full, with its citation."),
    "init": ("commentkit.cli.init:init", "Create a comment project folder."),
    "build": ("commentkit.cli.build:build", "Build the comment letter: Word, Markdown and comment-box text."),
    "import-docx": ("commentkit.cli.roundtrip:import_docx", "Import edits made in Word back into the answer files."),
    "docket": ("commentkit.cli.docket:docket", "Build or refresh a docket pack from the Federal Register."),
    "template": ("commentkit.cli.association:template", "Trade associations: create or check a member template."),
    "collect": ("commentkit.cli.association:collect", "Trade associations: collect member responses into a draft."),
    "export-response": ("commentkit.cli.association:export_response", "Members: export your response as one file."),
    "interview": ("commentkit.cli.interview:interview", "Answer the exposure questionnaire (saved after every answer)."),
    "plan": ("commentkit.cli.plan:plan", "Rank the notice's questions as core, recommended or optional, with reasons."),
    "answer": ("commentkit.cli.answers:answer", "Write or revise an answer (editor, --text, --file or stdin)."),
    "mark": ("commentkit.cli.answers:mark", "Set an answer's status: draft, review, final or skip."),
    "status": ("commentkit.cli.tracking:status", "Progress, deadline, core questions still open, milestones."),
    "deadline": ("commentkit.cli.tracking:deadline", "Deadline, time left and milestones; --ics for calendars."),
    "check": ("commentkit.cli.preflight:check", "Preflight: is the comment ready to file? Errors, warnings, notes."),
    "package": ("commentkit.cli.preflight:package", "Lay out the submission folder: letter, PDF, comment box, checklist."),
    "serve": ("commentkit.web.command:serve", "Work in the browser: the whole drafting workflow on this computer."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx, name):
        if name in self.commands:
            return self.commands[name]
        if name not in COMMANDS:
            return None
        target, _ = COMMANDS[name]
        mod, attr = target.split(":")
        return getattr(importlib.import_module(mod), attr)

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx) if name in COMMANDS]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx):
        argv = [*(getattr(ctx, "_protected_args", None) or []), *ctx.args]
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"Error: {exc.format()}", err=True)
            ctx.exit(exc.exit_code)
        except (KeyboardInterrupt, click.exceptions.Abort) as exc:
            # Ctrl-C, or end of input at a prompt: every write is atomic, so what was saved is whole
            what = "Interrupted" if isinstance(exc, KeyboardInterrupt) else "Stopped (no answer at a prompt)"
            click.echo(f"\n{what}. Everything saved before this point is on disk; nothing was half-written. "
                       f"To continue, run the command again: {_shown(argv)}", err=True)
            ctx.exit(130 if isinstance(exc, KeyboardInterrupt) else 1)
        except BrokenPipeError:  # `commentkit plan | head`: the reader has what it wanted
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes at exit
            except (OSError, ValueError):
                pass
            ctx.exit(141)  # 128 + SIGPIPE, as other command-line tools end
        except OSError as exc:  # disk full, permission denied, ...: the environment, not a bug
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            click.echo(f"Error: {where}{exc.strerror or exc}; nothing was half-written", err=True)
            ctx.exit(2)


def _shown(argv: list[str]) -> str:
    return "commentkit " + " ".join(shlex.quote(a) for a in argv)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="commentkit")
def cli():
    """Write public comments on U.S. federal rulemakings.

    \b
    A typical session:
      commentkit dockets
      commentkit init my-comment --docket TREAS-DO-2023-0009 --commenter "Acme Corp."
      commentkit interview my-comment
      commentkit plan my-comment
      commentkit answer cov-tx-1 my-comment
      commentkit status my-comment
      commentkit build my-comment
    """


def main(argv: list[str] | None = None) -> None:
    """The console entry point (``commentkit``); see :mod:`commentkit.cli.runtime`."""
    runtime.start()
    try:
        cli.main(args=argv, prog_name="commentkit")
    finally:
        runtime.finish()


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
