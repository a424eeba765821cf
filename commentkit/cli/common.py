"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import json
from typing import Any

import click

from commentkit.files import clock
from commentkit.project.folder import Project

project_dir = click.argument("directory", required=False, default=".", type=click.Path(file_okay=False),
                             metavar="[DIR]")
"""The project folder (default: the current folder or the nearest one above holding commentkit.yaml)."""

json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text.")


def today_option(f):
    """``--today YYYY-MM-DD``: pretend today is that date (also COMMENTKIT_TODAY)."""

    def apply(ctx, param, value):
        clock.set_today(value)
        return value

    return click.option("--today", metavar="YYYY-MM-DD", expose_value=False, callback=apply, is_eager=True,
                        help="Pretend today is this date (also: COMMENTKIT_TODAY).")(f)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def open_project(directory: str):
    return Project.open(directory)
