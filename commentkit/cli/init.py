"""``commentkit init``."""

from __future__ import annotations

import click


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--docket", "-d", metavar="ID", help="Docket id (see 'commentkit dockets').")
@click.option("--commenter", "-c", metavar="NAME", help="Organisation or person submitting the comment.")
@click.option("--owner", metavar="NAME", help="Default owner recorded on answers.")
def init(directory, docket, commenter, owner):
    """Create a comment project in DIRECTORY.

    The folder gets a commented project file (commentkit.yaml), answers/ for one Markdown file
    per question and general/ for the executive summary and other general sections.

    \b
    Example:
      commentkit init acme-comment --docket TREAS-DO-2023-0009 --commenter "Acme Corp."
    """
    from pathlib import Path

    from commentkit.errors import UserError
    from commentkit.project import create

    if not docket:
        raise UserError("--docket is required (see 'commentkit dockets')")
    if not commenter:
        raise UserError("--commenter is required (the organisation or person submitting the comment)")
    proj = create(Path(directory), docket, commenter, owner)
    n = len(proj.pack.bank.questions)
    click.echo(f"Created {proj.project_path} for {proj.file.docket} ({n} questions).")
    click.echo(f"Next: commentkit interview {directory}")
