"""``commentkit questions`` and ``commentkit show``."""

from __future__ import annotations

import click

from commentkit.cli import jsonout, layout
from commentkit.cli.common import complete_docket_ids, complete_question_ids, json_option, today_option
from commentkit.dockets import catalog as packs
from commentkit.errors import UserError
from commentkit.project.folder import Project, find_root


def _pack(docket: str | None, directory: str | None):
    """The pack named by --docket, else the one of the project in DIR (or the only shipped one)."""
    if docket:
        return packs.load(docket)
    try:
        return Project(find_root(directory or ".")).pack
    except UserError:
        if directory:
            raise
    refs = packs.installed()
    if len(refs) == 1:
        return packs.load_path(refs[0].path, refs[0].source)
    raise UserError("which docket? give --docket ID or run inside a project "
                    f"(installed: {', '.join(r.docket_id for r in refs)})")


def question_record(pack, q) -> dict:
    return {
        "question_id": q.id,
        "number": q.number,
        "section": q.section,
        "section_title": pack.bank.section(q.section).title,
        "title": q.title,
        "text": q.text,
        "wording": q.wording,
        "fr_pages": {"first": pack.pages_of(q).first, "last": pack.pages_of(q).last},
        "page_known": q.pages is not None,
        "citation": pack.cite(q),
        "tags": q.tags,
    }


docket_option = click.option("--docket", "-d", metavar="ID", shell_complete=complete_docket_ids, help="Docket id (default: the project's docket).")
project_option = click.option("--project", "-p", "project_opt", metavar="DIR", type=click.Path(file_okay=False),
                              hidden=True, help="Same as the DIR argument (older spelling).")
folder_argument = click.argument("directory", required=False, default=None, type=click.Path(file_okay=False),
                                 metavar="[DIR]")
"""The project folder whose docket to use (default: the current folder's project, else --docket)."""


def _folder(directory: str | None, project_opt: str | None) -> str | None:
    if directory and project_opt and directory != project_opt:
        raise UserError(f"two project folders given ({directory} and --project {project_opt}); give one")
    return directory or project_opt


@click.command()
@folder_argument
@docket_option
@project_option
@click.option("--section", "-s", metavar="S", help="Only questions in this section (id or part of its title).")
@click.option("--tag", metavar="T", multiple=True, help="Only questions with this tag (repeatable).")
@json_option
@today_option
def questions(directory, docket, project_opt, section, tag, as_json):
    """List a docket's questions in the notice's order.

    Each line shows the question id, the agency's number where confirmed (Q12), the FR page
    and whether the wording is the agency's own (official) or commentkit's summary.

    \b
    Examples:
      commentkit questions --docket TREAS-DO-2023-0009
      commentkit questions --docket TREAS-DO-2023-0009 --tag lp-investments
      commentkit questions my-comment --json
    """
    pack = _pack(docket, _folder(directory, project_opt))
    qs = pack.bank.ordered()
    if section:
        wanted = {s.id for s in pack.bank.sections
                  if s.id == section or section.lower() in s.title.lower()}
        if not wanted:
            raise UserError(f"no section matches {section!r} (sections: "
                            f"{', '.join(s.id for s in pack.bank.sections)})")
        qs = [q for q in qs if q.section in wanted]
    known_tags = sorted({t for q in pack.bank.questions for t in q.tags})
    for t in tag:
        if t not in known_tags:
            raise UserError(f"no question in {pack.docket.id} has the tag {t!r} (tags: {', '.join(known_tags)})")
        qs = [q for q in qs if t in q.tags]
    if as_json:
        jsonout.emit("questions", {"docket": jsonout.docket_ref(pack.docket),
                                         "questions": [question_record(pack, q) for q in qs]})
        return
    current = None
    idw = max([len(q.id) for q in qs] + [2])
    numbered = any(q.number for q in qs)
    for q in qs:
        if q.section != current:
            current = q.section
            sec = pack.bank.section(q.section)
            click.echo("")
            layout.echo(f"{sec.title}  [{sec.id}]")
        num = [f"Q{q.number}" if q.number else ""] if numbered else []
        for line in layout.row([q.id, *num, f"{q.title}  ({pack.cite(q)}; {q.wording})"],
                               [idw, *([4] if numbered else []), None]):
            click.echo(line)
    if not qs:
        click.echo("No questions match.")
    else:
        click.echo("")
        layout.echo(f"{len(qs)} question{'' if len(qs) == 1 else 's'}. Wording 'summary' means commentkit's summary, "
                    "not the agency's words.")


@click.command()
@click.argument("question", shell_complete=complete_question_ids)
@folder_argument
@docket_option
@project_option
@json_option
@today_option
def show(question, directory, docket, project_opt, as_json):
    """Show one question in full: its text, where it is in the notice, and its citation.

    QUESTION is a question id (cov-tx-3) or, where the bank confirms it, the agency's number (12).

    \b
    Examples:
      commentkit show cov-tx-3 --docket TREAS-DO-2023-0009
      commentkit show cov-tx-3 my-comment --json
    """
    pack = _pack(docket, _folder(directory, project_opt))
    try:
        q = pack.question(question)
    except KeyError:
        raise UserError(f"no question {question!r} in {pack.docket.id}; see 'commentkit questions'") from None
    rec = question_record(pack, q)
    if as_json:
        jsonout.emit("show", {"docket": jsonout.docket_ref(pack.docket), **rec})
        return
    d = pack.docket
    heading = pack.heading(q)
    layout.echo(heading)
    layout.echo("=" * len(heading))
    layout.echo(f"Section:  {rec['section_title']}")
    layout.echo(f"Source:   {d.title}, {d.document_type}, docket {d.id}, {pack.cite(q)}"
               + ("" if q.pages else " (page within the notice not confirmed)"))
    if q.wording == "official":
        layout.echo("Wording:  official (the agency's own words)\n")
        layout.echo(f"  \"{q.text.strip()}\"")
    else:
        layout.echo("Wording:  summary by commentkit - NOT the agency's words; quote the Federal Register "
                   "for the official text\n")
        layout.echo(f"  In substance: {q.text.strip()}")
    if q.tags:
        layout.echo(f"\nTags: {', '.join(q.tags)}")
