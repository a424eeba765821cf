"""``commentkit init``."""

from __future__ import annotations

from pathlib import Path

import click

from commentkit.association import member_project as members_project
from commentkit.calendar.deadlines import plural
from commentkit.cli import jsonout
from commentkit.cli.common import complete_docket_ids, json_option, today_option
from commentkit.errors import UserError
from commentkit.files import limits, storage
from commentkit.models.project import PROJECT_FILE
from commentkit.project.folder import Project, create


@click.command()
@click.argument("directory", type=click.Path(file_okay=False), metavar="DIR")
@click.option("--docket", "-d", metavar="ID", shell_complete=complete_docket_ids,
              help="Docket id (see 'commentkit dockets').")
@click.option("--commenter", "-c", metavar="NAME", help="Organisation or person submitting the comment.")
@click.option("--owner", metavar="NAME", help="Default owner recorded on answers.")
@click.option("--from-template", "from_template", type=click.Path(dir_okay=False), metavar="FILE",
              help="Start a member project from a trade association's member template.")
@click.option("--member-id", metavar="ID", help="With --from-template: your id on the association's roster.")
@click.option("--from-form", "from_form", type=click.Path(dir_okay=False), metavar="FILE.docx",
              help="Start a member project from a returned Word member form (its answers included).")
@json_option
@today_option
def init(directory, docket, commenter, owner, from_template, member_id, from_form, as_json):
    """Create a comment project in the folder DIR.

    The folder gets a commented project file (commentkit.yaml), answers/ for one Markdown file
    per question and general/ for the executive summary and other general sections.

    \b
    Examples:
      commentkit init acme-comment --docket TREAS-DO-2023-0009 --commenter "Acme Corp."
      commentkit init acme-response --from-template assoc-member-template.yaml --commenter "Acme Corp."
      commentkit init acme-response --from-form acme-returned-form.docx
    """
    commenter = limits.from_argument(commenter, "--commenter") if commenter is not None else None
    owner = limits.from_argument(owner, "--owner") if owner is not None else None
    storage.recover_staged(Path(directory))
    if (Path(directory) / PROJECT_FILE).exists():
        raise UserError("a commentkit project already exists here; nothing was changed", Path(directory) / PROJECT_FILE)
    if from_form:
        with storage.staged_folder(Path(directory)) as staging:  # every file, or none
            _, problems = members_project.create_from_form(staging, Path(from_form), commenter, owner,
                                                           Path(from_template) if from_template else None)
        proj = Project.open(directory)
        n = len(list((proj.root / "answers").glob("*.md")))
        if as_json:
            _emit(proj, "member-from-form", answers=n, problems=[p.format() for p in problems])
            return
        click.echo(f"Created member project {directory} for {proj.file.commenter.name} from {from_form} "
                   f"({n} answer(s), saved as draft).")
        for p in problems:
            click.echo(f"  {from_form}: {p.format()}", err=True)
        click.echo(f"Next: commentkit status {directory}")
        return
    if from_template:
        if not commenter:
            raise UserError("--commenter is required (your company's name, as the association should list it)")
        with storage.staged_folder(Path(directory)) as staging:  # every file, or none
            _, tpl = members_project.create(staging, Path(from_template), commenter, owner, member_id, docket)
        if as_json:
            _emit(Project.open(directory), "member-from-template")
            return
        click.echo(f"Created member project {directory} answering {tpl.association.name}'s template "
                   f"{tpl.label} ({plural(len(tpl.questions), 'question')}).")
        click.echo(f"Your due date: {tpl.member_due} (agency deadline {tpl.docket.deadline:%Y-%m-%d}). "
                   f"Read {Path(directory) / 'MEMBER-GUIDE.md'}, then: commentkit interview {directory}")
        return
    if member_id:
        raise UserError("--member-id is only used with --from-template")
    if not docket:
        raise UserError("--docket is required (see 'commentkit dockets')")
    if not commenter:
        raise UserError("--commenter is required (the organisation or person submitting the comment)")
    with storage.staged_folder(Path(directory)) as staging:  # every file, or none
        create(staging, docket, commenter, owner)
    proj = Project.open(directory)
    n = len(proj.pack.bank.questions)
    if as_json:
        _emit(proj, "project")
        return
    click.echo(f"Created {proj.project_path} for {proj.file.docket} ({plural(n, 'question')}).")
    click.echo(f"Next: commentkit interview {directory}")


def _emit(proj, kind: str, answers: int = 0, problems: list[str] | None = None) -> None:
    written = sorted(str(p) for p in proj.root.rglob("*") if p.is_file() and ".commentkit" not in p.parts)
    jsonout.emit("init", {"project": str(proj.root), "docket": jsonout.docket_ref(proj.pack.docket),
                                "commenter": proj.commenter_name, "kind": kind,
                                "questions": len(proj.pack.bank.questions), "answers": answers,
                                "problems": problems or [], "changed": True, "written": written})
