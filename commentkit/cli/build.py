"""``commentkit build``: write the comment letter as Word, Markdown and comment-box text."""

from __future__ import annotations

from pathlib import Path

import click

from commentkit import build as ck_build
from commentkit.cli import jsonout
from commentkit.cli.common import json_option, open_project, project_dir, today_option
from commentkit.files import paths


@click.command()
@project_dir
@click.option("--format", "formats", metavar="LIST", help="Comma-separated formats: docx,md,txt (default: the "
              "project file's build.formats).")
@click.option("--out", "-o", "out", metavar="DIR", type=click.Path(file_okay=False),
              help="Output folder (default: the project's build/).")
@click.option("--reference-docx", metavar="FILE", type=click.Path(dir_okay=False),
              help="Word file whose styles, page setup, header/footer and letterhead to use.")
@click.option("--draft", is_flag=True, help="Also include draft and review answers, each marked DRAFT.")
@click.option("--version", "version", type=click.Choice(["auto", "plain", "public", "confidential"]),
              default="auto", show_default=True,
              help="Confidential passages ([[BCI]]…[[/BCI]]): 'public' redacts them, 'confidential' brackets "
                   "them, 'plain' prints them; 'auto' follows the docket (public and confidential versions "
                   "where the agency accepts confidential material, else plain).")
@today_option(hidden_alias="--date", help="Date the letter (and pretend today is this date; also COMMENTKIT_TODAY).")
@json_option
def build(directory, formats, out, reference_docx, draft, version, as_json):
    """Build the comment letter from the project's answers.

    Writes the Word letter, a Markdown copy for review and version control, and the text for
    the regulations.gov comment box (which must fit in 5,000 characters: the build says how
    long it is and refuses to truncate it). Only final answers appear; with --draft, draft
    and review answers appear too, visibly marked DRAFT. The same input gives byte-identical
    files.

    \b
    Examples:
      commentkit build samples/semiconductor-jv
      commentkit build my-comment --draft --format docx
      commentkit build my-comment --reference-docx letterhead.docx --out filing/
      commentkit build my-comment --today 2023-09-27
    """
    project = open_project(directory)
    settings = project.file.build
    wanted = ck_build.parse_formats(formats, list(settings.formats))
    # build.out from commentkit.yaml must stay inside the project; --out is the user's own choice
    out_dir = Path(out) if out else paths.confine_output(settings.out, project.root, "build.out")
    result = ck_build.build(project, formats=wanted, out=out_dir, reference=reference_docx, draft=draft,
                            version=version)
    box_report = result.comment_box.report() if result.comment_box else {}
    box_error = result.error
    if as_json:
        jsonout.emit("build", {"project": str(project.root), "docket": jsonout.docket_ref(project.pack.docket),
                                     "versions": result.versions, "draft": draft, "written": result.files,
                                     "included": result.included, "warnings": result.warnings,
                                     "comment_box": box_report or None, "error": box_error,
                                     "changed": bool(result.files)})
    else:
        for w in result.warnings:
            click.echo(f"warning: {w}", err=True)
        for f in result.files:
            click.echo(f"Wrote {f}")
        click.echo(f"{len(result.included)} answer(s) in the letter"
                   + (" (drafts included, marked DRAFT)" if draft else ""))
        if box_report and box_error is None:
            click.echo(f"Comment box text: {box_report['characters']:,} of {box_report['limit']:,} characters.")
        if box_error:
            click.echo(f"Error: {box_error}", err=True)
    if box_error:
        raise SystemExit(1)
