"""``commentkit build``: write the comment letter as Word, Markdown and comment-box text."""

from __future__ import annotations

import click

from commentkit.cli import jsonout
from commentkit.cli.common import json_option, project_dir

FORMATS = ("docx", "md", "txt")


def output_base(project, version: str, draft: bool) -> str:
    """File name stem: ``TREAS-DO-2023-0009-acme-corp`` (+ ``-public`` / ``-confidential``, ``-DRAFT``)."""
    import re
    import unicodedata

    docket = project.pack.docket
    name = unicodedata.normalize("NFKD", project.commenter_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    if len(slug) > 40:  # cut at a word boundary, never mid-word (a single long word is cut at 40)
        cut = slug[:41].rfind("-")
        slug = slug[:cut] if cut > 0 else slug[:40]
    slug = slug or "comment"
    base = f"{docket.docket_id or docket.id}-{slug}"
    if version != "plain":
        base += f"-{version}"
    if draft:
        base += "-DRAFT"
    return base


@click.command()
@project_dir
@click.option("--format", "formats", metavar="LIST", help="Comma-separated formats: docx,md,txt (default: the "
              "project file's build.formats).")
@click.option("--out", "out", metavar="DIR", type=click.Path(file_okay=False),
              help="Output folder (default: the project's build/).")
@click.option("--reference-docx", metavar="FILE", type=click.Path(dir_okay=False),
              help="Word file whose styles, page setup, header/footer and letterhead to use.")
@click.option("--draft", is_flag=True, help="Also include draft and review answers, each marked DRAFT.")
@click.option("--version", "version", type=click.Choice(["auto", "plain", "public", "confidential"]),
              default="auto", show_default=True,
              help="Confidential passages ([[BCI]]…[[/BCI]]): 'public' redacts them, 'confidential' brackets "
                   "them, 'plain' prints them; 'auto' follows the docket (public and confidential versions "
                   "where the agency accepts confidential material, else plain).")
@click.option("--date", "date", metavar="YYYY-MM-DD", help="Date of the letter (default: today).")
@json_option
def build(directory, formats, out, reference_docx, draft, version, date, as_json):
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
    """
    from pathlib import Path

    from commentkit import clock
    from commentkit.assemble import COMMENT_BOX_LIMIT, build_letter, default_versions, reference_docx_for
    from commentkit.cli.common import open_project
    from commentkit.errors import UserError

    project = open_project(directory)
    settings = project.file.build
    if formats:
        wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    else:
        wanted = list(settings.formats)
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise UserError(f"unknown format {', '.join(bad) or '(none)'}; use a comma-separated list of "
                        f"{', '.join(FORMATS)}")
    letter_date = clock.parse_date(date, "--date") if date else None
    out_dir = Path(out) if out else project.root / settings.out
    ref = reference_docx_for(project, reference_docx)
    versions = default_versions(project) if version == "auto" else [version]

    written: list[str] = []
    warnings: list[str] = []
    box_report: dict = {}
    box_error: str | None = None
    for v in versions:
        letter = build_letter(project, draft=draft, version=v, date=letter_date)
        for w in letter.warnings:
            if w not in warnings:
                warnings.append(w)
        base = output_base(project, v, draft)
        if "docx" in wanted:
            from commentkit.writers.docx import write_docx

            written.append(str(write_docx(letter.document, out_dir / f"{base}.docx", ref)))
        if "md" in wanted:
            from commentkit.writers.markdown import write_markdown

            written.append(str(write_markdown(letter.document, out_dir / f"{base}.md")))
        if "txt" in wanted and v != "confidential":  # the comment box is public
            from commentkit.writers.text import render_text, write_text

            text = render_text(letter.comment_box)
            n = len(text)
            box_report = {"characters": n, "limit": COMMENT_BOX_LIMIT, "fits": n <= COMMENT_BOX_LIMIT}
            path = out_dir / f"{base}-comment-box.txt"
            if n > COMMENT_BOX_LIMIT:
                box_error = (f"comment-box text is {n:,} characters, {n - COMMENT_BOX_LIMIT:,} over "
                             f"regulations.gov's {COMMENT_BOX_LIMIT:,}: not written (nothing is truncated); "
                             f"shorten general/executive-summary.md or override templates/comment-box.md.j2")
                if path.exists():
                    path.unlink()
            else:
                written.append(str(write_text(letter.comment_box, path, text)))
        included = letter.included
    if as_json:
        jsonout.emit(jsonout.Build, {"project": str(project.root), "docket": jsonout.docket_ref(project.pack.docket),
                                     "versions": versions, "draft": draft, "written": written, "included": included,
                                     "warnings": warnings, "comment_box": box_report or None, "error": box_error,
                                     "changed": bool(written)})
    else:
        for w in warnings:
            click.echo(f"warning: {w}", err=True)
        for f in written:
            click.echo(f"Wrote {f}")
        click.echo(f"{len(included)} answer(s) in the letter" + (" (drafts included, marked DRAFT)" if draft else ""))
        if box_report and box_error is None:
            click.echo(f"Comment box text: {box_report['characters']:,} of {COMMENT_BOX_LIMIT:,} characters.")
        if box_error:
            click.echo(f"Error: {box_error}", err=True)
    if box_error:
        raise SystemExit(1)
