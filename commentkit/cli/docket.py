"""``commentkit docket import | fetch | update``: docket packs from the Federal Register's own files."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from commentkit.calendar.deadlines import plural
from commentkit.cli import jsonout
from commentkit.cli.common import complete_docket_ids, json_option, quiet_option, today_option
from commentkit.dockets import catalog as packs
from commentkit.dockets import packwrite
from commentkit.dockets.federal_register import fetch as frfetch
from commentkit.dockets.federal_register import importer as frimport
from commentkit.dockets.federal_register.fetch import Client
from commentkit.dockets.federal_register.importer import MAX_INPUT_BYTES
from commentkit.errors import UserError
from commentkit.files import clock, progress
from commentkit.files.yamlio import read_bytes


@click.group()
def docket():
    """Build or refresh a docket pack from a Federal Register document.

    \b
    Examples:
      commentkit docket fetch 2025-01234
      commentkit docket import 2023-17164.xml --meta 2023-17164.json
      commentkit docket update TREAS-DO-2023-0009 --fetch
    """


def _read_input(path: str, what: str) -> bytes:
    return read_bytes(Path(path), what, MAX_INPUT_BYTES)


def _today():
    return clock.today()


def _summary_lines(result) -> list[str]:
    d, bank = result.docket, result.bank
    numbered = sum(1 for q in bank.questions if q.number is not None)
    official = sum(1 for q in bank.questions if q.wording == "official")
    fr = d.federal_register
    return [
        f"FR Doc. {fr.document_number} ({d.federal_register.cite(fr.pages)}, {fr.publication_date.isoformat()}): "
        f"{d.document_type}, {d.agency}",
        f"  {d.title}",
        f"  docket ID: {d.docket_id or 'not stated (pack id ' + d.id + ')'}; RIN: {d.rin or '-'}",
        f"  comments due {d.deadline.date.isoformat()} {d.deadline.time} {d.deadline.timezone}",
        f"  {plural(len(bank.questions), 'question')} ({official} in the notice's words, {numbered} with the notice's number) "
        f"in {len(bank.sections)} sections",
    ]


_STYLE_NAMES = {"statement": "statement-form requests", "unlabelled": "unlabelled question paragraphs", "bullet": "bulleted", "\N{PILCROW SIGN} N": "numbered paragraphs",
                "N.": 'labelled "1."', "(N)": 'labelled "(1)"', "N)": 'labelled "1)"', "Question N": 'labelled "Question 1"',
                "QN": 'labelled "Q1"', "N.M": 'labelled "1.1"'}


def report_data(result) -> dict:
    """The question finder's report as data: label styles, numbering gaps, requests not taken."""
    rep = getattr(result, "report", None)
    if rep is None:
        return {"styles": {}, "gaps": [], "not_taken": []}
    return {"styles": dict(rep.styles), "gaps": list(rep.gaps),
            "not_taken": [{"page": page, "text": text} for page, text in rep.not_taken]}


def _report_lines(result) -> list[str]:
    data = report_data(result)
    lines = []
    if data["styles"]:
        parts = [f"{n} {_STYLE_NAMES.get(s, 'labelled ' + repr(s))}" for s, n in data["styles"].items()]
        lines.append("  questions by label: " + ", ".join(parts))
    if data["gaps"]:
        lines.append("  numbering gaps: no question " + ", ".join(str(g) for g in data["gaps"]) + " in the text")
    if data["not_taken"]:
        vol = result.docket.federal_register.volume
        lines.append(f"Paragraphs that ask or request comment but were not taken as questions "
                     f"({len(data['not_taken'])}; check them against the notice):")
        for row in data["not_taken"]:
            text = row["text"] if len(row["text"]) <= 110 else row["text"][:109].rstrip() + "\u2026"
            lines.append(f"  - {vol} FR {row['page']}: {text}")
    return lines


def _unresolved_lines(items: list[str]) -> list[str]:
    if not items:
        return []
    return ["Could not determine (listed under 'unresolved' in docket.yaml; check and fill in):"] + \
        [f"  - {u}" for u in items]


def _where_note(dest: Path) -> str | None:
    parent = dest.resolve().parent
    if parent in (packs.user_dir().resolve(), packs.shipped_dir().resolve()):
        return None
    return (f"Note: commentkit looks for packs in {packs.user_dir()} (and the shipped questions/); copy the folder "
            f"there, or import without --out to install it for your user.")


def do_import(result, *, out: str | None, source_label: str, sources: dict[str, bytes], force: bool,
              dry_run: bool, as_json: bool, origin_word: str = "Imported") -> None:
    """Write a new pack (to --out, or installed in the user's docket folder) and report."""
    d = result.docket
    if out:
        # "--out my-packs/" (ending in a slash): a folder named after the pack's id inside it, so the
        # id need not be known in advance
        dest = Path(out) / d.id if out.endswith(("/", os.sep)) else Path(out)
    else:
        dest = packs.user_dir() / d.id
        shipped = packs.shipped_dir() / d.id
        if (shipped / packs.DOCKET_FILE).is_file():
            # never hide the shipped pack behind an import: projects on it would lose their questions
            raise UserError(f"commentkit ships a pack {d.id}; merge the official text into it instead (answers "
                            f"keep their questions): 'commentkit docket import FILE --update "
                            f"{shipped}' or 'commentkit docket update {d.id} --fetch'")
    dup = _installed_duplicate(d)
    if dup is not None and not out and dup.path.resolve() != dest.resolve():
        raise UserError(f"FR Doc. {d.federal_register.document_number} ({d.citation}) is already installed as "
                        f"{dup.docket_id} ({dup.source}); update that pack instead: 'commentkit docket import FILE "
                        f"--update {dup.path}'")
    if dest.is_dir() and (dest / packs.DOCKET_FILE).is_file():
        if not force:
            raise UserError("a docket pack is already there; nothing was written (use --update DIR to merge the "
                            "official text into it: its questions keep their ids)", dest)
        try:
            old_ids = {q.id for q in packs.load_path(dest, "path").bank.questions}
        except UserError:
            old_ids = set()
        lost = sorted(old_ids - {q.id for q in result.bank.questions})
        if lost:
            raise UserError(f"--force would replace a pack whose questions {', '.join(lost[:6])}"
                            f"{' ...' if len(lost) > 6 else ''} the new import does not have: projects on it would "
                            f"lose them. Use --update DIR instead; nothing was written", dest)
    files = packwrite.new_pack_files(result, source_label, _today(), sources)
    if not dry_run:
        packwrite.install(files, dest, replace=force)
    if dest.name != d.id:
        click.echo(f"Note: the pack's id is {d.id} but the folder is named {dest.name}; commentkit finds packs by "
                   f"folder name, so name the folder {d.id}.", err=True)
    if as_json:
        jsonout.emit("docket-fetch" if d.origin == "fetched" else "docket-import",
                     {"pack": str(dest), "docket": jsonout.docket_ref(d), "details": d.model_dump(mode="json"),
                      "questions": len(result.bank.questions), "unresolved": list(d.unresolved),
                      "report": report_data(result), "dry_run": dry_run, "changed": not dry_run,
                      "written": [] if dry_run else [str(dest)]})
        return
    for line in _summary_lines(result) + _report_lines(result):
        click.echo(line)
    click.echo(("Would write " if dry_run else "Wrote ") + f"{dest}")
    for line in _unresolved_lines(list(d.unresolved)):
        click.echo(line)
    if not dry_run:
        note = _where_note(dest)
        if note:
            click.echo(note)
        elif d.id == dest.name:
            click.echo(f"Next: commentkit init my-comment --docket {d.id} --commenter \"Your organisation\"")


def do_update(pack, source: str, result, *, source_label: str, sources: dict[str, bytes], origin: str,
              dry_run: bool, yes: bool, ask: bool, as_json: bool, accept_similar: bool = False) -> None:
    """Show every proposed match, then write: matches by number and by the mapping file always,
    matches by text similarity only when confirmed (or with --accept-similar)."""
    today = _today()
    full = packwrite.plan_update(pack, source, result, source_label, today, origin=origin, sources=sources,
                                 accept_similar=True)
    full_report = full.report()
    n_similar = full_report["similar"]
    if not as_json:
        click.echo(f"Updating {pack.docket.id} ({pack.path}) from {source_label}:")
        for line in packwrite.review_lines(full_report):
            click.echo(line)
    write = not dry_run
    take_similar = accept_similar
    if write and ask and not yes and n_similar and not accept_similar:
        if as_json:
            raise UserError("--json cannot ask for confirmation; add --yes to write, or --dry-run")
        try:
            take_similar = click.confirm(f"Apply the {n_similar} match(es) by text similarity shown above? (No keeps "
                                         f"those summaries and adds the official questions beside them)",
                                         default=False)
        except click.Abort:
            raise UserError("no answer (input closed); nothing was written. Re-run with --yes (matches by number "
                            "and mapping only) or --yes --accept-similar") from None
    plan = full if take_similar else packwrite.plan_update(pack, source, result, source_label, today, origin=origin,
                                                           sources=sources, accept_similar=False)
    report = plan.report()
    if not as_json:
        for line in packwrite.format_report(report):
            click.echo(line)
        if n_similar and not take_similar:
            click.echo(f"{n_similar} match(es) by text similarity were not applied; confirm them in "
                       f"{packwrite.MAP_FILE} (pack question id: official number), or re-run with --accept-similar.")
        if source == "shipped":
            click.echo(f"The shipped pack is not changed; the updated pack is installed for your user at {plan.dest} "
                       f"and takes its place.")
    if write and ask and not yes:
        if as_json:
            raise UserError("--json cannot ask for confirmation; add --yes to write, or --dry-run")
        try:
            write = click.confirm("Write these changes?", default=False)
        except click.Abort:
            raise UserError("no answer (input closed); nothing was written. Re-run with --yes to write "
                            "without asking") from None
    if write:
        plan.apply()
    review = [c for c in full_report["questions"] if c["kind"] in ("matched", "proposed")]
    if as_json:
        jsonout.emit("docket-update", {"pack": report["pack"], "docket": jsonout.docket_ref(pack.docket),
                                            "questions": report["questions"], "docket_changes": report["docket"],
                                            "counts": report["counts"], "review": review, "dry_run": dry_run,
                                            "changed": write, "written": [str(plan.dest)] if write else []})
        return
    if write:
        click.echo(f"Wrote {plan.dest} (previous files kept in {plan.dest / packwrite.BACKUPS}).")
    else:
        click.echo("Nothing was written.")


@docket.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--meta", type=click.Path(dir_okay=False), metavar="JSON",
              help="The document's Federal Register API JSON (publication date, deadline, docket IDs).")
@click.option("--out", "-o", type=click.Path(file_okay=False), metavar="DIR",
              help="Write the new pack into DIR; a DIR ending in / gets a folder named after the pack's id "
                   "(default: install it in your user docket folder).")
@click.option("--update", "update_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Replace summary wordings in the pack in DIR with the official text.")
@click.option("--document", metavar="NUMBER",
              help="FR Doc. number of the document to import when FILE is a whole daily issue (govinfo bulk XML).")
@click.option("--published", metavar="YYYY-MM-DD", help="Publication date, if neither FILE nor --meta states it.")
@click.option("--docket-id", metavar="ID", help="The regulations.gov docket ID, if the document does not state it.")
@click.option("--force", is_flag=True, help="Replace an existing pack in the destination (only when every question "
                                          "id of that pack is kept).")
@click.option("--accept-similar", is_flag=True,
              help="With --update: also apply matches found by text similarity (shown for review first).")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@json_option
@today_option
def import_(file, meta, out, update_dir, document, published, docket_id, force, accept_similar, dry_run, as_json):
    """Build a docket pack from a Federal Register document you downloaded.

    FILE is the document's full-text XML or its plain-text edition (federalregister.gov or
    govinfo.gov), or a whole daily issue's XML with --document NUMBER. The importer reads the metadata (agency, docket ID, RIN, title, FR citation and
    pages, comment deadline), the section headings and every numbered (or bulleted) question with
    its FR page, in the notice's own words. What it cannot determine is printed and listed under
    'unresolved' in docket.yaml; nothing is guessed.

    With --update DIR it replaces the summary wordings of the pack in DIR with the official text,
    keeping each question's id, tags and relevance rules, and prints what changed (matches found
    by text similarity only with --accept-similar).

    An extension, reopening or correction notice is not a pack: it moves the deadline of the
    installed pack it amends (found by the FR Doc. number, citation, docket ID or RIN it names),
    keeping the previous deadline in deadline.history; the questions are never replaced.

    \b
    Examples:
      commentkit docket import 2025-01234.xml --meta 2025-01234.json
      commentkit docket import 2025-01234.txt --published 2025-01-31 --out my-packs/
      commentkit docket import 2023-17164.xml --meta 2023-17164.json --update questions/TREAS-DO-2023-0009/
      commentkit docket import 2023-20001.xml          # an extension of the comment period
    """
    if out and update_dir:
        raise UserError("give either --out (a new pack) or --update (an existing pack), not both")
    raw = _read_input(file, "Federal Register document")
    notice = frimport.read_document(Path(file), raw, document)
    am = frimport.amendment(notice)
    if am is not None:
        if out:
            raise UserError(f"{Path(file).name} is a{'n' if am.kind[0] in 'aeiou' else ''} {am.kind} notice, not a "
                            f"notice with its own questions: import it without --out, and it updates the pack it "
                            f"amends")
        apply_amendment(am, Path(file).name, {Path(file).name: raw}, update_dir=update_dir, dry_run=dry_run,
                        as_json=as_json)
        return
    api = None
    sources = {Path(file).name: raw}
    if meta:
        meta_raw = _read_input(meta, "API metadata file")
        api = frimport.parse_api_json(meta_raw, Path(meta))
        sources[Path(meta).name] = meta_raw
    ov = frimport.Overrides(published=clock.parse_date(published, "--published") if published else None,
                            docket_id=docket_id)
    if docket_id and not frimport.REGS_DOCKET.fullmatch(docket_id):
        raise UserError(f"--docket-id {docket_id!r} does not look like a regulations.gov docket ID "
                        f"(e.g. TREAS-DO-2023-0009)")
    result = frimport.build(notice, api, ov, source_label=Path(file).name)
    if update_dir:
        folder = Path(update_dir)
        pack = packs.load_path(folder, "path")
        do_update(pack, "path", result, source_label=Path(file).name, sources=sources, origin="imported",
                  dry_run=dry_run, yes=True, ask=False, as_json=as_json, accept_similar=accept_similar)
        return
    do_import(result, out=out, source_label=Path(file).name, sources=sources, force=force, dry_run=dry_run,
              as_json=as_json)


def apply_amendment(am, source_label: str, sources: dict[str, bytes], *, update_dir: str | None, dry_run: bool,
                    as_json: bool) -> None:
    """An extension, reopening or correction notice moves the deadline of the pack it amends.

    The pack's question bank and questionnaire are never replaced; a shipped pack is copied whole
    to the user's docket folder first, so projects on it keep working.
    """
    if update_dir:
        folder = Path(update_dir)
        pack = packs.load_path(folder, "path")
        ref = packs.PackRef(pack.docket.id, folder, "path")
        how = "--update"
    else:
        found, how = packwrite.find_amended(am)
        ref = found
        pack = packs.load_path(ref.path, ref.source)
    d = pack.docket
    change = packwrite.amendment_changes(pack, am, source_label)
    new = change["deadline"]
    today = _today()
    data = {"kind": am.kind, "notice": am.label(), "pack": d.id, "matched_by": how, "source": ref.source,
            "old_deadline": d.deadline.date.isoformat(), "new_deadline": new["date"].isoformat() if new else None,
            "check": change["check"], "written": False}
    if new is None and not change["check"]:
        if am.deadline is None:
            raise UserError(f"{source_label}: this {am.kind} notice for {d.id} states no new comment deadline that "
                            f"commentkit could read; nothing was changed. Set deadline.date in the pack by hand "
                            f"if the period moved")
    written_to = None
    if not dry_run and (new is not None or change["check"]):
        why = (f"{am.kind.capitalize()} notice {am.label()}: \"{new['sentence']}\" (imported from {source_label} on "
               f"{today.isoformat()})") if new else d.deadline.source or ""
        note = (f"{today.isoformat()}: {am.kind} notice {am.label()} imported from {source_label}"
                + (f": comment deadline moved from {d.deadline.date.isoformat()} to {new['date'].isoformat()}"
                   if new else "") + ". The questions are unchanged.")
        written_to = packwrite.set_deadline(ref.path, ref.source, new["date"] if new else d.deadline.date, why,
                                            by=f"{am.kind} notice {am.label()}", today=today,
                                            time=new["time"] if new else None,
                                            timezone=new["timezone"] if new else None, note=note,
                                            unresolved=change["check"], sources=sources) if new else \
            packwrite.set_deadline(ref.path, ref.source, d.deadline.date, d.deadline.source or why,
                                   by=f"{am.kind} notice {am.label()} (deadline unchanged)", today=today,
                                   note=note, unresolved=change["check"], sources=sources)
        data["written"] = True
        data["pack_path"] = str(written_to)
    if as_json:
        jsonout.emit("docket-amendment", {
            "docket": jsonout.docket_ref(d), "kind": am.kind, "notice": am.label(), "matched_by": how,
            "source": ref.source, "old_deadline": data["old_deadline"], "new_deadline": data["new_deadline"],
            "check": data["check"], "pack": data.get("pack_path"), "dry_run": dry_run, "changed": data["written"],
            "written": [data["pack_path"]] if data["written"] else []})
        return
    click.echo(f"{source_label}: {am.kind} notice ({am.label()}) for {d.id} (matched by {how}).")
    if new:
        click.echo(f"  comment deadline: {d.deadline.date.isoformat()} {d.deadline.time} -> "
                   f"{new['date'].isoformat()} {new['time'] or d.deadline.time} ({new['timezone'] or d.deadline.timezone})")
        click.echo(f"  from the notice: \"{new['sentence']}\"")
    else:
        click.echo(f"  the comment deadline is unchanged ({d.deadline.date.isoformat()})")
    for line in change["check"]:
        click.echo(f"  to check: {line}")
    if dry_run:
        click.echo("Nothing was written (--dry-run).")
    elif written_to is not None:
        click.echo(f"Updated {written_to}: the question bank is unchanged; the previous deadline is kept in "
                   f"deadline.history" + (f" and the previous files in {written_to / packwrite.BACKUPS}."
                                          if ref.source != "shipped" else "."))
        if ref.source == "shipped":
            click.echo(f"The shipped pack is not changed; your copy in {written_to} takes its place, with the same "
                       f"questions, so existing projects keep working. 'commentkit status' shows the new deadline.")


def api_options(f):
    """--api-url, --timeout, --retries and --quiet for the commands that ask the Federal Register API."""
    f = quiet_option(f)
    f = click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True, metavar="N",
                     help="Retries after a time-out, connection error or server error (with back-off).")(f)
    f = click.option("--timeout", type=click.FloatRange(0.1, 600), default=30.0, show_default=True, metavar="SECONDS",
                     help="Give up on a request after this long in total (connecting, waiting and "
                          "downloading); the command gives up after its requests' retries and back-off.")(f)
    f = click.option("--api-url", metavar="URL",
                     help="Federal Register API base URL (default: $COMMENTKIT_FR_API or "
                          "https://www.federalregister.gov/api/v1).")(f)
    return f


def make_client(api_url, timeout, retries, quiet: bool = False):
    # download and waiting lines: also in a pipe or a log (a stalled server must be visible), not with
    # --quiet or --json
    return Client(api_url, timeout=timeout, retries=retries, show_progress=not (quiet or progress.quiet()))


def _installed_duplicate(d):
    """An installed pack for the same FR document (by FR Doc. number, or volume and first page)."""
    fr = d.federal_register
    for ref in packs.installed():
        try:
            other = packs.load_path(ref.path, ref.source).docket.federal_register
        except Exception:  # a broken pack elsewhere must not stop an import
            continue
        if other.document_number == fr.document_number or (other.volume, other.first_page) == (fr.volume,
                                                                                               fr.first_page):
            return ref
    return None


def _installed_by_number(number: str):
    for ref in packs.installed():
        try:
            pack = packs.load_path(ref.path, ref.source)
        except Exception:  # a broken pack elsewhere must not stop a fetch
            continue
        if pack.docket.federal_register.document_number == number:
            return ref
    return None


def _parse_download(raw: bytes, number: str, url: str):
    try:
        return frimport.parse_xml(raw, f"{number}.xml")
    except UserError as exc:
        raise UserError(f"{exc.format()} (downloaded from {url})") from None


@docket.command("fetch")
@click.argument("number")
@click.option("--out", "-o", type=click.Path(file_okay=False), metavar="DIR",
              help="Write the pack into DIR instead of installing it in your user docket folder; a DIR ending in "
                   "/ gets a folder named after the pack's id.")
@click.option("--docket-id", metavar="ID", help="The regulations.gov docket ID, if the document does not state it.")
@click.option("--force", is_flag=True, help="Replace an existing pack in the destination.")
@api_options
@json_option
@today_option
def fetch(number, out, docket_id, force, api_url, timeout, retries, as_json):
    """Download a Federal Register document by its number and install it as a docket pack.

    NUMBER is the FR document number printed as "FR Doc. NUMBER" at the end of the notice (also
    in its federalregister.gov address). commentkit asks the Federal Register's public API for the
    document's metadata, downloads its full-text XML, imports it (as 'docket import' does) and
    installs the pack in your user docket folder, where 'commentkit dockets' lists it and
    'commentkit init --docket' finds it. Nothing is installed unless the whole import succeeds.

    \b
    Examples:
      commentkit docket fetch 2025-01234
      commentkit docket fetch 2025-01234 --api-url https://fr-mirror.example.org/api/v1
    """
    number = frfetch.check_number(number)
    ref = _installed_by_number(number)
    if ref is not None and not force and not out:
        raise UserError(f"FR Doc. {number} is already installed as {ref.docket_id} ({ref.source}); refresh it with "
                        f"'commentkit docket update {ref.docket_id} --fetch'")
    if docket_id and not frimport.REGS_DOCKET.fullmatch(docket_id):
        raise UserError(f"--docket-id {docket_id!r} does not look like a regulations.gov docket ID")
    with make_client(api_url, timeout, retries, quiet=as_json) as client:
        meta, raw_json, raw_xml, xml_url = frfetch.fetch_document(client, number)
    notice = _parse_download(raw_xml, number, xml_url)
    am = frimport.amendment(notice)
    if am is not None and not out:
        # an extension or correction moves the deadline of the pack it amends; it is not a pack
        apply_amendment(am, f"FR Doc. {number} (Federal Register API)",
                        {f"{number}.json": raw_json, f"{number}.xml": raw_xml}, update_dir=None, dry_run=False,
                        as_json=as_json)
        return
    result = frimport.build(notice, meta, frimport.Overrides(docket_id=docket_id),
                            source_label=f"the Federal Register API (FR Doc. {number})")
    result.docket.origin = "fetched"
    do_import(result, out=out, source_label=f"the Federal Register API and full-text XML of FR Doc. {number}",
              sources={f"{number}.json": raw_json, f"{number}.xml": raw_xml}, force=force, dry_run=False,
              as_json=as_json)


@docket.command("update")
@click.argument("docket_id", metavar="ID", shell_complete=complete_docket_ids)
@click.option("--fetch", "do_fetch", is_flag=True, help="Fetch the official text from the Federal Register API.")
@click.option("--yes", "-y", is_flag=True, help="Write without asking (for scripts): matches by number and by "
                                                "official-map.yaml only.")
@click.option("--accept-similar", is_flag=True, help="Also apply matches found by text similarity (listed for review "
                                                     "before anything is written).")
@click.option("--dry-run", is_flag=True, help="Show the changes; write nothing.")
@api_options
@json_option
@today_option
def update(docket_id, do_fetch, yes, accept_similar, dry_run, api_url, timeout, retries, as_json):
    """Replace a pack's summary wordings with the notice's official questions.

    Fetches the pack's Federal Register document (its FR Doc. number is in docket.yaml), matches
    each official question to the summary it replaces (agency number, then your
    official-map.yaml, then text similarity), shows the changes and asks before writing. Each
    matched question keeps its id, title, tags and relevance rules, so answers already written
    stay attached. A shipped pack is not modified: the updated pack is installed in your user
    docket folder and takes its place. Previous files are kept in the pack's .backups/ folder.

    \b
    Examples:
      commentkit docket update TREAS-DO-2023-0009 --fetch
      commentkit docket update TREAS-DO-2023-0009 --fetch --dry-run
      commentkit docket update TREAS-DO-2023-0009 --fetch --yes --json
    """
    if not do_fetch:
        raise UserError("say where the official text comes from: --fetch (from the Federal Register API), or use "
                        "'commentkit docket import FILE --update DIR' with a file you downloaded")
    ref = packs.find(docket_id)
    pack = packs.load_path(ref.path, ref.source)
    number = pack.docket.federal_register.document_number
    with make_client(api_url, timeout, retries, quiet=as_json) as client:
        meta, raw_json, raw_xml, xml_url = frfetch.fetch_document(client, number)
    notice = _parse_download(raw_xml, number, xml_url)
    result = frimport.build(notice, meta, source_label=f"FR Doc. {number}")
    do_update(pack, ref.source, result, source_label=f"the Federal Register (FR Doc. {number}, full-text XML)",
              sources={f"{number}.json": raw_json, f"{number}.xml": raw_xml}, origin="fetched", dry_run=dry_run,
              yes=yes, ask=True, as_json=as_json, accept_similar=accept_similar)


RECENTLY_CLOSED_DAYS = 90
"""``dockets --check-updates`` also asks about periods closed this recently (reopenings happen)."""


def check_updates(now, *, as_json: bool, yes: bool, api_url, timeout, retries) -> None:
    """For each open or recently closed pack, ask the API whether ``comments_close_on`` moved."""
    rows = []
    client = None
    try:
        for ref in packs.installed():
            pack = packs.load_path(ref.path, ref.source)
            d = pack.docket
            number = d.federal_register.document_number
            row = {"docket": jsonout.docket_ref(d), "source": ref.source, "document_number": number,
                   "deadline": d.deadline.date.isoformat(), "outcome": "", "new_deadline": None, "accepted": False}
            rows.append(row)
            closed_for = (now - d.deadline.instant()).days
            if closed_for > RECENTLY_CLOSED_DAYS:
                row["outcome"] = f"not checked: closed more than {RECENTLY_CLOSED_DAYS} days ago"
                continue
            if client is None:
                client = make_client(api_url, timeout, retries, quiet=True)
            url = client.document_url(number)
            try:
                fetched = client.get(url, what=f"FR Doc. {number}")
            except frfetch.NotFoundError:
                row["outcome"] = f"unknown to the Federal Register API ({url})"
                continue
            meta = frimport.parse_api_json(fetched.content, f"{number}.json")
            new = meta.comments_close_on
            if new is None:
                row["outcome"] = "the API gives no comment deadline"
            elif new == d.deadline.date:
                row["outcome"] = "unchanged"
            else:
                row["outcome"] = "moved"
                row["new_deadline"] = new.isoformat()
                row["_ref"] = ref
                row["_why"] = (f"Federal Register API comments_close_on {new.isoformat()} (checked "
                               f"{clock.today().isoformat()}; was {d.deadline.date.isoformat()}): an extension or "
                               f"reopening; confirm it in the Federal Register. Previously: {d.deadline.source or '-'}")
    finally:
        if client is not None:
            client.close()

    for row in rows:
        if row["outcome"] != "moved":
            continue
        accept = yes
        if not yes and not as_json:
            click.echo(f"{row['docket']['id']}: the comment deadline moved from {row['deadline']} to {row['new_deadline']} "
                       f"(Federal Register API; an extension or reopening).")
            try:
                accept = click.confirm(f"Update the pack's deadline to {row['new_deadline']}?", default=False)
            except click.Abort:
                raise UserError("no answer (input closed); nothing was changed. Re-run with --yes to accept") from None
        if accept:
            dest = packwrite.set_deadline(row["_ref"].path, row["_ref"].source,
                                          dt.date.fromisoformat(row["new_deadline"]), row["_why"])
            row["accepted"] = True
            row["pack"] = str(dest)
    for row in rows:
        row.pop("_ref", None)
        row.pop("_why", None)
    if as_json:
        jsonout.emit("dockets-check-updates", {"dockets": rows, "changed": any(r["accepted"] for r in rows),
                                                   "written": [r["pack"] for r in rows if r.get("pack")]})
        return
    for row in rows:
        line = f"{row['docket']['id']}  FR Doc. {row['document_number']}  due {row['deadline']}: {row['outcome']}"
        if row["outcome"] == "moved":
            line += f" -> {row['new_deadline']}"
            line += (f"; pack updated ({row['pack']}). 'commentkit status' now shows the new deadline and "
                     f"milestones" if row["accepted"] else "; not changed (re-run with --yes to accept)")
        click.echo(line)
