"""``commentkit check`` (is the comment ready to file?) and ``commentkit package`` (lay out the
submission folder)."""

from __future__ import annotations

from pathlib import Path

import click

from commentkit.cli import jsonout, layout
from commentkit.cli.common import json_option, open_project, project_dir, quiet_option, today_option
from commentkit.filing import package as pkg
from commentkit.filing import preflight

EXIT_HELP = ("Exit status: 0 when nothing blocks filing (with --strict: no warnings either), 1 when "
             "findings block filing, 2 for usage errors (no project, unreadable files).")


def _print_findings(result, strict: bool) -> None:
    out = layout.echo
    if not result.findings:
        out("No findings.")
    for f in result.findings:
        loc = f.location()
        for line in layout.fill(f"{f.severity:<8} {loc + ': ' if loc else ''}{f.message}", 9):
            click.echo(line)
    box = result.comment_box
    if box.get("characters") is not None:
        out(f"\nComment box: {box['characters']:,} of {box['limit']:,} characters.")
    n = len(result.uploads)
    out(f"Uploads: {n} file(s) of at most 20 (the letter" + (", plus attachments/" if n > len(result.versions)
                                                            else "") + ").")
    if result.deadline:
        out(f"Deadline: {result.deadline['summary']}.")
    out("")
    out(result.summary(strict))


@click.command(epilog=EXIT_HELP)
@project_dir
@click.option("--strict", is_flag=True, help="Warnings block filing too (exit 1).")
@json_option
@today_option
def check(directory, strict, as_json):
    """Check whether the comment is ready to file, and list what is not.

    Each finding is an error (blocks filing), a warning (worth fixing; blocks with --strict)
    or a note, and names the question, section or file (with its line) it is about. Checked:
    core questions unanswered or not final and answers still in draft or review; placeholders
    left in the text (TODO, TBD, XX, [insert …], {{ }}); empty sections and a missing
    executive summary; the comment box over 5,000 characters; more than 20 uploads, any over
    10 MB or of a type regulations.gov does not take (files in the project's attachments/
    folder are uploaded with the letter); signatory or contact missing; the docket ID or RIN
    missing from the letter; confidential material ([[BCI]]) the agency will not treat as
    confidential, or that would show in the public version; personal data (e-mail addresses,
    phone numbers) in answers; the deadline passed, or fewer business days left than the last
    milestone. Nothing is written.

    \b
    Examples:
      commentkit check my-comment
      commentkit check samples/semiconductor-jv --today 2023-09-25
      commentkit check --strict --json | jq '.findings[] | select(.severity=="error")'
    """
    project = open_project(directory)
    result = preflight.check(project)
    if as_json:
        jsonout.emit("check", {**result.as_dict(strict), "project": str(project.root),
                                     "docket": jsonout.docket_ref(project.pack.docket)})
    else:
        layout.echo(f"Preflight check: {project.root} ({result.docket}, {result.commenter})")
        click.echo("")
        _print_findings(result, strict)
    if result.blocks(strict):
        raise SystemExit(1)


@click.command(epilog=EXIT_HELP.replace("nothing blocks filing (with --strict: no warnings either)",
                                        "the package is ready to file"))
@project_dir
@click.option("--out", "-o", "out", metavar="DIR", required=True, type=click.Path(file_okay=True),
              help="Folder to create (or an empty folder, or an earlier package to replace).")
@click.option("--no-pdf", is_flag=True, help="Do not make PDFs even if LibreOffice is installed.")
@json_option
@today_option
@quiet_option
def package(directory, out, no_pdf, as_json):
    """Lay out the submission folder: the final letter and everything to upload, with a checklist.

    Builds the final letter (final answers only) as Word and, when LibreOffice (soffice) is
    installed, PDF; writes comment-box.txt, submitter.json (the regulations.gov comment
    fields, under the public API's names, filled from the questionnaire, with what is
    missing listed) and CHECKLIST.md (each upload step and the result of 'commentkit check').
    Files in the project's attachments/ folder are copied in. Where the docket accepts
    business confidential information and answers mark some ([[BCI]]…[[/BCI]]), the
    confidential version (BCI-…) and the public version (P-…) are both written.

    The folder is built aside and moved into place at the end. An existing --out folder is
    replaced only if it is empty or an earlier package whose files are unchanged: a folder
    holding anything else, or a package file you edited, is refused and left as it is.

    \b
    Examples:
      commentkit package samples/semiconductor-jv --out filing/ --today 2023-09-25
      commentkit package my-comment --out ~/Desktop/acme-comment
    """
    project = open_project(directory)
    result = pkg.make_package(project, Path(out), soffice=not no_pdf)
    res = result.check
    if as_json:
        data = result.as_dict()
        check_part = {k: v for k, v in data.pop("check").items() if k not in ("project", "docket", "commenter", "strict")}
        jsonout.emit("package", {**data, "check": check_part, "project": str(project.root),
                                       "docket": jsonout.docket_ref(project.pack.docket), "changed": True,
                                       "written": [str(result.out)]})
    else:
        click.echo(f"Wrote {result.out}/")
        for name in result.files:
            click.echo(f"  {name}")
        click.echo(result.pdf if not result.pdf_made else "PDF: made with LibreOffice.")
        if no_pdf:
            click.echo("(--no-pdf: no PDF made.)")
        click.echo("")
        _print_findings(res, False)
        click.echo(f"Next: follow {result.out / pkg.CHECKLIST}.")
    if res.blocks():
        raise SystemExit(1)
