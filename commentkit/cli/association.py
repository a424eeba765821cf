"""``commentkit template create``, ``commentkit collect`` and ``commentkit export-response``."""

from __future__ import annotations

from pathlib import Path

import click

from commentkit.association import form as memberform
from commentkit.association import responses as members
from commentkit.association import settings as association
from commentkit.association import template as association_template
from commentkit.association.report import collect as run
from commentkit.cli import jsonout
from commentkit.cli.common import json_option, project_dir, quiet_option, today_option
from commentkit.errors import UserError
from commentkit.files import storage
from commentkit.project.folder import Project, find_root

MAX_LISTED = 20  # problems printed by collect; the tracker lists them all


@click.group()
def template():
    """Member templates of a trade association (see docs/association.md).

    \b
    Examples:
      commentkit template init my-association
      commentkit template create samples/association/assoc --out member-template.yaml
      commentkit template show member-template.yaml
    """


@template.command("init")
@project_dir
@json_option
@today_option
def init_settings(directory, as_json):
    """Write a commented starter association.yaml in the association project DIR.

    It names the project's docket, a member due date two weeks before the agency's, a few
    questionnaire items to count and three questions to ask about; edit it, then run
    'commentkit template create'. An existing association.yaml is never replaced.

    \b
    Example:
      commentkit template init assoc
    """
    proj = Project.open(directory)
    path = association.settings_path(proj.root)
    if path.exists():
        raise UserError("already exists; nothing was changed (edit it, or move it away first)", path)
    text = association.starter_text(proj)
    storage.atomic_write(path, text)
    association.load(proj.root, proj.pack)  # the starter must load as written
    if as_json:
        jsonout.emit("template-init", {"project": str(proj.root), "docket": jsonout.docket_ref(proj.pack.docket),
                                       "changed": True, "written": [str(path)]})
        return
    click.echo(f"Wrote {path}: edit the association, questions and positions, then run "
               f"'commentkit template create {directory} --out member-template.yaml'.")


@template.command("create")
@project_dir
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="The file to write (one file to e-mail to members).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "docx"]), default=None,
              help="yaml: for members who use commentkit; docx: a fillable Word form. "
                   "Default: from the --out extension.")
@json_option
@today_option
def create(directory, out, fmt, as_json):
    """Write the member template of the association project DIR.

    The association's settings come from association.yaml beside commentkit.yaml: positions
    (locked or editable), member prompts, required questionnaire items, the member due date.

    With --format docx (or an --out name ending in .docx) it writes a fillable Word form for
    members without commentkit; 'commentkit collect' reads returned forms like member projects.

    \b
    Examples:
      commentkit template create assoc --out assoc-member-template.yaml
      commentkit template create assoc --out assoc-member-form.docx
      commentkit init acme-response --from-template assoc-member-template.yaml --commenter "Acme Corp."
    """
    proj = Project.open(directory)
    settings = association.load(proj.root, proj.pack)
    out_path = Path(out)
    fmt = fmt or ("docx" if out_path.suffix.lower() == ".docx" else "yaml")
    tpl = association_template.build(proj, settings)
    if fmt == "docx":
        data = memberform.write(tpl)
    else:
        if out_path.suffix.lower() == ".docx":
            raise UserError("--format yaml cannot be written to a .docx file name", out_path)
        data = association_template.render(tpl, out_path.name).encode("utf-8")
    storage.atomic_write(out_path, data)
    locked = sum(1 for q in tpl.questions if q.locked)
    if as_json:
        jsonout.emit("template-create", {
            "project": str(proj.root), "docket": jsonout.docket_ref(proj.pack.docket), "format": fmt,
            "template": tpl.label, "association": tpl.association.name, "questions": len(tpl.questions),
            "locked_positions": locked, "required_items": list(tpl.required_items),
            "member_due": tpl.member_due.isoformat(), "changed": True, "written": [str(out_path)]})
        return
    click.echo(f"Wrote {out_path}: template {tpl.label} for {tpl.association.name}, {len(tpl.questions)} "
               f"question(s) ({locked} locked position(s)), {len(tpl.required_items)} required item(s), "
               f"member due date {tpl.member_due}.")


@template.command("show")
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@today_option
def show(file, as_json):
    """Check a member template file and summarise what it asks.

    \b
    Example:
      commentkit template show assoc-member-template.yaml
    """
    tpl = association_template.load(Path(file))
    if as_json:
        jsonout.emit("template-show", {"file": str(file), "template": tpl.model_dump(
            mode="json", exclude={"templates", "reference_docx"})})
        return
    d = tpl.docket
    click.echo(f"{tpl.association.name}: template {tpl.label} (checksum verified)")
    click.echo(f"Docket {d.docket_id or d.id} ({d.citation}); agency deadline {d.deadline:%Y-%m-%d %H:%M} "
               f"{d.deadline_zone}; member due date {tpl.member_due}")
    for q in tpl.questions:
        what = []
        if q.position:
            what.append("locked position" if q.locked else "editable position")
        if q.prompt:
            what.append("prompt")
        click.echo(f"  {q.id:<14} {q.heading}  [{', '.join(what)}]")
    if tpl.required_items:
        click.echo(f"Required questionnaire items: {', '.join(tpl.required_items)}")


@click.command()
@click.argument("assoc_dir", type=click.Path(file_okay=False), metavar="ASSOC_DIR")
@click.argument("members", nargs=-1, required=True, type=click.Path(), metavar="MEMBER_FILES_OR_DIRS...")
@click.option("--out", "-o", "out", type=click.Path(file_okay=False), metavar="DIR",
              help="Output folder (default: ASSOC_DIR/collected).")
@click.option("--force", is_flag=True, help="Replace output files edited since the last run (backed up first).")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write the members' raw answers to an Excel workbook (internal: it names members).")
@today_option
@json_option
@quiet_option
def collect(assoc_dir, members, out, force, xlsx, as_json):
    """Collect member responses into a tracker, aggregates, a compilation and a consolidated draft.

    MEMBER_FILES_OR_DIRS are member projects, exported responses (.yaml), returned Word forms
    (.docx), or folders holding them. A malformed one is reported by name and skipped.

    \b
    Writes into ASSOC_DIR/collected/ (or --out):
      tracker.md, tracker.csv   who responded, completeness, late, missing from the roster
      aggregates.md             members per sector, activity, ... (small counts suppressed)
      compilation.md            member input per question; disagreements flagged with a diff
      consolidated/             the association's letter with member input: a project to build
      collect.json              all of the above for scripts
      --xlsx FILE               the raw answers in Excel (internal: names members)

    Nothing public (the draft, the tables) is written if it would still name a member or hold
    text a member marked confidential.

    \b
    Example:
      commentkit collect samples/association/assoc samples/association/members
      commentkit build samples/association/assoc/collected/consolidated --draft
    """
    result = run(Path(assoc_dir), [Path(m) for m in members], Path(out) if out else None, force=force,
                 xlsx=Path(xlsx) if xlsx else None)
    if as_json:
        jsonout.emit("collect", {**result.summary(), "changed": True, "written": [str(result.out_dir)]})
        return
    t = result.tracker
    click.echo(f"{t.headline()}; {len(t.late)} late; {len(result.collection.skipped)} skipped.")
    for s in result.collection.skipped:
        click.echo(f"  skipped {s.source}: {s.reason}", err=True)
    problems = [f"  {r.name}: {p}" for r in t.rows for p in r.problems]
    for line in problems[:MAX_LISTED]:
        click.echo(line, err=True)
    if len(problems) > MAX_LISTED:
        click.echo(f"  ... and {len(problems) - MAX_LISTED} more problem(s): see {result.out_dir / 'tracker.md'}",
                   err=True)
    for alias in result.unsearchable:
        click.echo(f"  alias too short to find in the draft (check it by hand): {alias}", err=True)
    for x in result.collection.superseded:
        click.echo(f"  replaced: {x.old.name} ({x.old.source}) by {x.new.source} ({x.rule})")
    for tie in result.collection.ties:
        click.echo(f"  TIE, not counted until resolved: {tie.responses[0].name}: "
                   + ", ".join(str(m.source) for m in tie.responses), err=True)
    for qc in result.compiled:
        for e in qc.disagreements:
            how = "changed the locked position" if e.changed_locked else "does not join the position"
            who = e.member.name if e.label == e.member.name else f"{e.member.name} ({e.label})"
            click.echo(f"  disagreement on {qc.question.id}: {who} {how}")
    for rel in result.backed_up:
        click.echo(f"  replaced edited file {rel} (previous version in {result.out_dir}/.commentkit/backups)")
    click.echo(f"Wrote {result.out_dir}/: tracker.md, aggregates.md, compilation.md, consolidated/ "
               f"(build it: commentkit build {result.out_dir / 'consolidated'} --draft)")
    if xlsx:
        click.echo(f"Wrote {xlsx} (internal: it names members and holds their answers as written)")


@click.command("export-response")
@project_dir
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="The response file to write (send it to the association).")
@today_option
@json_option
def export_response(directory, out, as_json):
    """Export a member project's response as one file for the association.

    \b
    Example:
      commentkit export-response acme-response --out acme-response.yaml
    """
    root = find_root(directory)
    text = members.export(root)
    storage.atomic_write(Path(out), text)
    if as_json:
        proj = Project(root)
        jsonout.emit("export-response", {"project": str(root), "docket": jsonout.docket_ref(proj.pack.docket),
                                              "commenter": proj.commenter_name, "changed": True, "written": [out]})
        return
    click.echo(f"Wrote {out}. Send it to the association; it can be read with 'commentkit collect'.")
