"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import json
from typing import Any

import click

from commentkit.dockets import catalog
from commentkit.files import clock, progress
from commentkit.models.project import GENERAL_SECTIONS
from commentkit.project.folder import Project

project_dir = click.argument("directory", required=False, default=".", type=click.Path(file_okay=False),
                             metavar="[DIR]")
"""The project folder (default: the current folder or the nearest one above holding commentkit.yaml)."""

json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text.")


def _apply_quiet(ctx, param, value):
    progress.to_stderr(enabled=not value)
    return value


quiet_option = click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=_apply_quiet,
                            help="No progress lines on standard error (shown only in a terminal anyway).")
"""``--quiet``: slow steps report their progress on standard error when it is a terminal, unless given."""


def _apply_today(ctx, param, value):
    clock.set_today(value)
    return value


def today_option(f=None, *, hidden_alias: str | None = None, help: str | None = None):
    """``--today YYYY-MM-DD``: pretend today is that date (also COMMENTKIT_TODAY).

    ``hidden_alias`` adds an older name for the same option that ``--help`` does not show
    (``build --date``)."""

    def decorate(f):
        f = click.option("--today", metavar="YYYY-MM-DD", expose_value=False, callback=_apply_today, is_eager=True,
                         help=help or "Pretend today is this date (also: COMMENTKIT_TODAY).")(f)
        if hidden_alias:
            f = click.option(hidden_alias, metavar="YYYY-MM-DD", expose_value=False, callback=_apply_today,
                             is_eager=True, hidden=True, help="Same as --today.")(f)
        return f

    return decorate(f) if f is not None else decorate


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def open_project(directory: str):
    return Project.open(directory)


# ---- shell completion (docs/cli.md) ----------------------------------------------------------
# These run while the shell asks for completions: they never raise (a broken pack or a folder
# that is not a project completes nothing).

def complete_docket_ids(ctx, param, incomplete: str) -> list[str]:
    try:
        return [r.docket_id for r in catalog.installed() if r.docket_id.lower().startswith(incomplete.lower())]
    except Exception:  # completion must never fail the shell
        return []


def complete_question_ids(ctx, param, incomplete: str) -> list[str]:
    """Question ids of the project in the current folder (or of --docket, when given)."""
    try:
        docket = (ctx.params or {}).get("docket")
        pack = catalog.load(docket) if docket else Project.open(".").pack
        return [q.id for q in pack.bank.ordered() if q.id.startswith(incomplete)]
    except Exception:  # completion must never fail the shell
        return []


def complete_answer_keys(ctx, param, incomplete: str) -> list[str]:
    """Question ids and general sections of the project in the current folder."""
    return complete_question_ids(ctx, param, incomplete) + [s for s in GENERAL_SECTIONS if s.startswith(incomplete)]
