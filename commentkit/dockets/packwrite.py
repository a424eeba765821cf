"""Writing docket packs to disk: new packs from an import, updated packs, moved deadlines.

Every write builds the complete pack in a temporary folder next to its destination, loads it
back through the normal pack loader (so a pack that would not validate is never installed),
then moves it into place. A pack that is replaced keeps its previous files in
``<pack>/.backups/<timestamp>/``. The YAML is written with comments saying where each fact came
from, because users edit these files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import shutil
import tempfile
from pathlib import Path

from commentkit.dockets import catalog as packs
from commentkit.dockets.catalog import DOCKET_FILE, INTERVIEW_FILE, QUESTIONS_FILE
from commentkit.dockets.packmerge import OfficialMap, merge
from commentkit.errors import DocketPackError
from commentkit.files import clock
from commentkit.files.storage import atomic_write
from commentkit.files.yamlio import _yaml, load_model, load_roundtrip, read_text

BACKUPS = ".backups"
SOURCES = "sources"
MAP_FILE = "official-map.yaml"
BACKUPS_KEPT = 20


# --------------------------------------------------------------------------------------------
# Rendering


def _plain(model) -> dict:
    return model.model_dump(mode="python")


def _scalar(value):
    from ruamel.yaml.scalarstring import LiteralScalarString  # lazy: ruamel.yaml only when writing YAML users edit

    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def _cmap(data: dict, drop_none: tuple[str, ...] = ()):
    from ruamel.yaml.comments import CommentedMap, CommentedSeq  # lazy: ruamel.yaml only when writing YAML users edit

    out = CommentedMap()
    for k, v in data.items():
        if v is None and k in drop_none:
            continue
        if isinstance(v, dict):
            out[k] = _cmap(v, drop_none)
        elif isinstance(v, list):
            seq = CommentedSeq()
            for item in v:
                seq.append(_cmap(item, drop_none) if isinstance(item, dict) else _scalar(item))
            out[k] = seq
        else:
            out[k] = _scalar(v)
    return out


def _dump(data) -> str:
    """YAML text like yamlio.dump_yaml, but writing empty values as ``null`` (clearer to edit)."""
    y = _yaml("rt")
    y.representer.add_representer(type(None), lambda r, d: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


def _header(lines: list[str]) -> str:
    return "\n".join(lines)


def render_docket(docket, facts: dict[str, str], source_label: str, today: dt.date) -> str:
    """``docket.yaml`` text for an imported pack, with provenance comments."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString  # lazy: ruamel.yaml only when writing YAML users edit

    data = _plain(docket)
    data["deadline"]["time"] = DoubleQuotedScalarString(data["deadline"]["time"])
    m = _cmap(data, drop_none=("short_name", "authority", "office", "cfr", "confidential_note", "issue", "url"))
    m.yaml_set_start_comment(_header([
        f"Docket pack: {docket.title}",
        f"Imported by 'commentkit docket import' on {today.isoformat()} from {source_label}",
        f"(FR Doc. {docket.federal_register.document_number}, {docket.citation}).",
        "Schema: docs/docket-packs.md. Edit freely; 'commentkit dockets' validates the pack.",
        "Read 'unresolved' at the end: what the importer could not determine. Fill it in, then delete",
        "each item you have resolved.",
    ]))
    notes = {
        "id": "Pack id: the regulations.gov docket ID where the document states it, else FR-<document number>.",
        "docket_id": ("From " + facts["docket_id"] + "." if facts.get("docket_id") else
                      "Not stated in the document: left empty rather than guessed."),
        "federal_register": "\n".join(f"{k.replace('_', ' ')}: from {v}" for k, v in facts.items()
                                       if k in ("document_number", "publication_date", "volume", "pages")) or None,
        "deadline": f"From the {facts['deadline']}." if facts.get("deadline") else None,
        "channels": "From the ADDRESSES section; the instructions are the notice's own words.",
        "confidential_submissions": ("From " + facts["confidential_submissions"] + "; confidential_note quotes it."
                                     if facts.get("confidential_submissions") else
                                     "Not determined by the importer (false = do not rely on confidentiality)."),
        "addressee": ("contact: from " + facts["contact"] + "." if facts.get("contact") else None),
        "unresolved": "What the importer could not determine; for you to check and fill in.",
    }
    for key, text in notes.items():
        if text and key in m:
            m.yaml_set_comment_before_after_key(key, before=text)
    return _dump(m)


def render_bank(bank, docket, source_label: str, today: dt.date, intro: list[str] | None = None) -> str:
    """``questions.yaml`` text, one comment line per question saying its number, page and wording."""
    data = _plain(bank)
    for q in data["questions"]:
        if not q.get("relevance"):
            q.pop("relevance", None)
        if q.get("number") is None:
            q.pop("number", None)
    for s in data["sections"]:
        for k in ("pages", "summary"):
            if s.get(k) is None:
                s.pop(k, None)
    m = _cmap(data)
    m.yaml_set_start_comment(_header(intro or [
        f"Question bank for {docket.id} ({docket.citation}), imported on {today.isoformat()} from {source_label}.",
        "wording: official = the text is the notice's own words; summary = commentkit's summary.",
        "number = the notice's own question number (only where the notice numbers its questions).",
        "Titles are commentkit's short labels. Add tags (topics) so 'commentkit plan' can rank questions.",
    ]))
    cit = docket.federal_register
    for i, q in enumerate(bank.questions):
        where = cit.cite(q.pages) if q.pages else docket.citation
        label = f"Question {q.number}" if q.number is not None else q.id
        m["questions"].yaml_set_comment_before_after_key(i, before=f"{label} \N{MIDDLE DOT} {where} \N{MIDDLE DOT} "
                                                                   f"{q.wording} wording", indent=2)
    return _dump(m)


# --------------------------------------------------------------------------------------------
# Installing


def _validate_folder(folder: Path) -> None:
    """Load the pack in ``folder`` with the normal loader; any problem is an error naming the file."""
    packs.load_path.cache_clear()
    try:
        packs.load_path(folder, "path")
    finally:
        packs.load_path.cache_clear()


def _write(path: Path, text: str | bytes) -> None:
    atomic_write(path, text)


def install(files: dict[str, str | bytes], dest: Path, *, replace: bool, keep_from: Path | None = None) -> Path:
    """Write ``files`` (relative name -> content) as the pack folder ``dest``, all or nothing.

    ``keep_from``: an existing pack folder whose other files (interview, mapping file, sources,
    backups) are carried over. When ``dest`` exists it is only replaced with ``replace=True``;
    its previous files go to ``dest/.backups/<timestamp>/``.
    """
    dest = Path(dest)
    parent = dest.parent
    if dest.exists() and not dest.is_dir():
        raise DocketPackError("exists and is not a folder", dest)
    if dest.is_dir() and any(dest.iterdir()) and not (dest / DOCKET_FILE).is_file():
        raise DocketPackError("folder exists, is not empty and is not a docket pack; nothing was written (choose a new "
                        "or empty folder)", dest)
    if dest.exists() and any(dest.iterdir()) and not replace:
        raise DocketPackError("folder exists and is not empty; nothing was written (use --update to update the "
                              "pack in it)", dest)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.new-", dir=parent))
    except OSError as exc:
        raise DocketPackError(f"cannot create a folder here: {exc.strerror or exc}", parent) from None
    old: Path | None = None
    try:
        if keep_from is not None and keep_from.is_dir():
            for item in keep_from.iterdir():
                if item.name in files or item.name in (DOCKET_FILE, QUESTIONS_FILE):
                    continue
                target = tmp / item.name
                if item.is_dir():
                    shutil.copytree(item, target, symlinks=True)
                else:
                    shutil.copy2(item, target, follow_symlinks=False)
        if dest.is_dir() and any(dest.iterdir()):
            stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
            bdir = tmp / BACKUPS / stamp
            bdir.mkdir(parents=True, exist_ok=True)
            for name in (DOCKET_FILE, QUESTIONS_FILE, INTERVIEW_FILE, MAP_FILE):
                if (dest / name).is_file():
                    shutil.copy2(dest / name, bdir / name)
            for stale in sorted((tmp / BACKUPS).iterdir())[:-BACKUPS_KEPT]:
                shutil.rmtree(stale, ignore_errors=True)
        for name, content in files.items():
            _write(tmp / name, content)
        _validate_folder(tmp)
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=parent))
            os.rmdir(old)
            os.replace(dest, old)
        os.replace(tmp, dest)
        tmp = None  # type: ignore[assignment]
    except OSError as exc:
        if old is not None and not dest.exists():
            with contextlib.suppress(OSError):
                os.replace(old, dest)
            old = None
        raise DocketPackError(f"cannot install the pack: {exc.strerror or exc}; nothing was changed", dest) from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    packs.load_path.cache_clear()
    return dest


def new_pack_files(result, source_label: str, today: dt.date, sources: dict[str, bytes] | None = None) -> dict:
    files: dict[str, str | bytes] = {
        DOCKET_FILE: render_docket(result.docket, result.facts, source_label, today),
        QUESTIONS_FILE: render_bank(result.bank, result.docket, source_label, today),
    }
    if getattr(result, "interview", None) is not None:
        files[INTERVIEW_FILE] = render_interview(result.interview, result.docket, today)
    for name, raw in (sources or {}).items():
        files[f"{SOURCES}/{Path(name).name}"] = raw
    return files


def render_interview(interview, docket, today: dt.date) -> str:
    data = interview.model_dump(mode="python", exclude_defaults=True)
    m = _cmap(data)
    m.yaml_set_start_comment(_header([
        f"Questionnaire for {docket.id}, generated on {today.isoformat()} by 'commentkit docket import'.",
        "Who comments, how the rulemaking affects them, who signs (the letter and 'check' use these ids),",
        "and which parts of the notice matter to them: each 'themes' choice's value is also a tag on the",
        "questions of that part in questions.yaml, so 'commentkit plan' recommends them when chosen.",
        "Schema: docs/docket-packs.md. Add items and relevance rules (questions.yaml) to rank more finely.",
    ]))
    return _dump(m)


def update_docket_text(old_text: str, path: Path, changes: dict) -> str:
    """Apply ``changes`` (dotted key -> value, or callables on the mapping) to a docket.yaml text,
    keeping the user's comments and key order."""
    data = load_roundtrip(old_text, path)
    if not isinstance(data, dict):
        raise DocketPackError("docket file is not a mapping", path)
    for key, value in changes.items():
        if isinstance(value, (dt.date, str)) and key.endswith("date"):
            value = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
        if callable(value):
            value(data)
            continue
        node = data
        parts = key.split(".")
        for p in parts[:-1]:
            if p not in node or not isinstance(node[p], dict):
                node[p] = {}
            node = node[p]
        node[parts[-1]] = value
    return _dump(data)


def _history_entry(deadline, today: dt.date, by: str) -> dict:
    return {"date": deadline.date, "time": deadline.time, "source": deadline.source, "replaced_on": today,
            "replaced_by": by}


def set_deadline(ref_path: Path, source: str, new_date: dt.date, why: str, *, by: str | None = None,
                 today: dt.date | None = None, time: str | None = None, timezone: str | None = None,
                 note: str | None = None, unresolved: list[str] | None = None,
                 sources: dict[str, bytes] | None = None) -> Path:
    """Move a pack's deadline; a shipped pack is first copied (whole) to the user's docket folder.

    The previous deadline is kept in ``deadline.history`` (with what replaced it), ``note`` goes to
    the top of ``notes`` and ``unresolved`` items are added. The question bank and questionnaire
    are never touched, so projects on the pack keep working.
    """
    ref_path = Path(ref_path)
    today = today or clock.today()
    pack = packs.load_path(ref_path, source)
    old = pack.docket.deadline
    entry = _history_entry(old, today, by or why)

    def lists(data):
        dl = data["deadline"]
        hist = dl.get("history")
        if hist is None:
            dl["history"] = hist = []
        hist.append(_cmap(entry))
        if note:
            if data.get("notes") is None:
                data["notes"] = []
            data["notes"].insert(0, note)
        if unresolved:
            if data.get("unresolved") is None:
                data["unresolved"] = []
            data["unresolved"].extend(u for u in unresolved if u not in data["unresolved"])

    changes: dict = {"deadline.date": new_date, "deadline.source": why}
    if time:
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString  # lazy: ruamel.yaml only when writing YAML

        changes["deadline.time"] = DoubleQuotedScalarString(time)
    if timezone:
        changes["deadline.timezone"] = timezone
    changes["_lists"] = lists
    text = read_text(ref_path / DOCKET_FILE, "docket file")
    new_text = update_docket_text(text, ref_path / DOCKET_FILE, changes)
    dest = ref_path if source != "shipped" else packs.user_dir() / ref_path.name
    files: dict[str, str | bytes] = {DOCKET_FILE: new_text,
                                     QUESTIONS_FILE: read_text(ref_path / QUESTIONS_FILE, "question bank")}
    for name, raw in (sources or {}).items():
        files[f"{SOURCES}/{Path(name).name}"] = raw
    return install(files, dest, replace=True, keep_from=ref_path)


# --------------------------------------------------------------------------------------------
# Extensions, reopenings and corrections


def find_amended(am) -> tuple[packs.PackRef, str]:
    """The installed pack an extension or correction amends, and how it was recognised.

    By the FR Doc. number or FR citation the notice names, then its docket ID, then its RIN (a RIN
    alone only when one pack has it: an ANPRM and an NPRM share their RIN). No match, or several,
    is an error that says what the notice names.
    """
    loaded = []
    for ref in packs.installed():
        try:
            loaded.append((ref, packs.load_path(ref.path, ref.source)))
        except DocketPackError:
            continue
    tests = [
        ("FR Doc. number", lambda d: d.federal_register.document_number in am.fr_docs),
        ("FR citation", lambda d: any(v == d.federal_register.volume and
                                      d.federal_register.first_page <= p <= d.federal_register.last_page
                                      for v, p in am.cites)),
        ("docket ID", lambda d: bool({d.docket_id, d.id} & set(am.docket_ids))),
        ("RIN", lambda d: d.rin is not None and d.rin in am.rins),
    ]
    for how, test in tests:
        hits = [(ref, pack) for ref, pack in loaded if test(pack.docket)]
        if len(hits) == 1:
            return hits[0][0], how
        if len(hits) > 1 and how != "RIN":
            raise DocketPackError(f"this {am.kind} notice matches several installed packs by {how} "
                            f"({', '.join(r.docket_id for r, _ in hits)}); give the pack with --update DIR")
    names = ([f"FR Doc. {x}" for x in am.fr_docs] + [f"{v} FR {p}" for v, p in am.cites] + am.docket_ids
             + [f"RIN {r}" for r in am.rins])
    raise DocketPackError(f"this is a{'n' if am.kind[0] in 'aeiou' else ''} {am.kind} notice for "
                    f"{', '.join(names) or 'a notice it does not identify'}, and no installed pack matches it; "
                    f"import or fetch that notice first ('commentkit docket fetch NUMBER'), then import this one "
                    f"again (or give the pack with --update DIR)")


def amendment_changes(pack, am, source_label: str) -> dict:
    """What an amendment changes in ``pack``: the new deadline and what a correction asks to check."""
    d = pack.docket
    out: dict = {"deadline": None, "check": []}
    f = am.deadline
    if f is not None and f.date is not None:
        new_time = f.time or d.deadline.time
        new_zone = f.timezone or d.deadline.timezone
        if (f.date, new_time, new_zone) != (d.deadline.date, d.deadline.time, d.deadline.timezone):
            out["deadline"] = {"date": f.date, "time": f.time, "timezone": f.timezone, "sentence": f.sentence}
    if am.kind == "correction":
        affected = []
        for q in pack.bank.questions:
            hit_page = q.pages is not None and any(q.pages.first <= p <= q.pages.last for p in am.corrected_pages)
            hit_num = q.number is not None and any(re.sub(r"\D", "", lab) == str(q.number)
                                                   for lab in am.corrected_questions)
            if hit_num or (hit_page and not am.corrected_questions):
                affected.append(q.id + (f" (Question {q.number})" if q.number else ""))
        if affected:
            out["check"].append(f"correction {am.label()}: corrects text of question(s) {', '.join(affected)}; "
                                f"compare questions.yaml with the correction ({source_label})")
        elif am.corrected_pages:
            out["check"].append(f"correction {am.label()}: corrects text on page(s) "
                                f"{', '.join(str(p) for p in am.corrected_pages)}; check the pack against it")
    return out


# --------------------------------------------------------------------------------------------
# Updating a pack with the official text


_QUESTION_PROBLEMS = ("question numbers", "the notice restarts", "questions:", "bulleted questions")


def load_map(folder: Path):
    """The pack's ``official-map.yaml`` (the user's matches), if it has one."""
    path = Path(folder) / MAP_FILE
    if not path.is_file():
        return None, path
    return load_model(path, OfficialMap, "official question map"), path


class UpdatePlan:
    """Everything an update would write, computed before anything is written."""

    def __init__(self, dest: Path, files: dict, merge, docket_changes: list[dict], keep_from: Path):
        self.dest = dest
        self.files = files
        self.merge = merge
        self.docket_changes = docket_changes
        self.keep_from = keep_from

    def report(self) -> dict:
        return {
            "pack": str(self.dest),
            "questions": [c.as_dict() for c in self.merge.changes],
            "docket": self.docket_changes,
            "counts": {k: self.merge.count(k) for k in ("matched", "refreshed", "unchanged", "added",
                                                         "kept-summary", "ambiguous", "kept-official", "proposed")},
            "similar": sum(1 for c in self.merge.changes if c.how == "similarity" and c.kind == "matched"),
        }

    def apply(self) -> Path:
        return install(self.files, self.dest, replace=True, keep_from=self.keep_from)


def plan_update(pack, source: str, result, source_label: str, today: dt.date, origin: str = "imported",
                sources: dict[str, bytes] | None = None, dest: Path | None = None, *,
                accept_similar: bool = True) -> UpdatePlan:
    """Merge an import ``result`` into an installed ``pack``; a shipped pack is updated as a user copy."""
    folder = Path(pack.path)
    old = pack.docket
    new = result.docket
    if old.federal_register.document_number != new.federal_register.document_number:
        raise DocketPackError(f"the pack is for FR Doc. {old.federal_register.document_number} but the document is FR Doc. "
                        f"{new.federal_register.document_number}; import it as a new pack instead", folder)
    mapping, map_path = load_map(folder)
    merged = merge(pack.bank, result.bank, mapping, map_path, accept_similar=accept_similar)

    changes: dict = {}
    report: list[dict] = []
    ofr, nfr = old.federal_register, new.federal_register
    for key in ("volume", "first_page", "last_page", "publication_date"):
        a, b = getattr(ofr, key), getattr(nfr, key)
        if a != b:
            changes[f"federal_register.{key}"] = b
            report.append({"field": f"federal_register.{key}", "old": str(a), "new": str(b)})
    if old.deadline.date != new.deadline.date:
        changes["deadline.date"] = new.deadline.date
        changes["deadline.source"] = new.deadline.source
        report.append({"field": "deadline.date", "old": old.deadline.date.isoformat(),
                       "new": new.deadline.date.isoformat()})
    if old.docket_id is None and new.docket_id:
        changes["docket_id"] = new.docket_id
        report.append({"field": "docket_id", "old": None, "new": new.docket_id})
    elif old.docket_id and new.docket_id and old.docket_id != new.docket_id:
        report.append({"field": "docket_id", "old": old.docket_id, "new": new.docket_id,
                       "note": "the document names another docket ID; not changed: check"})
    if old.rin is None and new.rin:
        changes["rin"] = new.rin
        report.append({"field": "rin", "old": None, "new": new.rin})
    changes["origin"] = origin
    n_off = sum(1 for q in merged.bank.questions if q.wording == "official")
    n_sum = len(merged.bank.questions) - n_off
    note = (f"{today.isoformat()}: official question texts imported from {source_label} (FR Doc. "
            f"{nfr.document_number}) by commentkit: {n_off} question(s) now carry the notice's own "
            f"wording and number; {n_sum} remain summaries (wording: summary). Notes below that call this a summary "
            f"bank predate the update.")
    problems = [u for u in result.unresolved if u.startswith(_QUESTION_PROBLEMS)]
    set_id = changes.get("docket_id")

    def fix_lists(data):
        notes = data.get("notes")
        if notes is None:
            data["notes"] = notes = []
        notes.insert(0, note)
        unresolved = data.get("unresolved")
        if unresolved is None:
            data["unresolved"] = unresolved = []
        keep = [u for u in unresolved if not str(u).startswith("official question")
                and not (set_id and str(u).startswith("docket ID"))]
        if n_sum:
            keep.append(f"summaries: {n_sum} question(s) are still commentkit's summaries; see the update report")
        keep.extend(problems)
        unresolved[:] = keep

    changes["_lists"] = fix_lists
    old_text = read_text(folder / DOCKET_FILE, "docket file")
    docket_text = update_docket_text(old_text, folder / DOCKET_FILE, changes)
    bank_text = render_bank(merged.bank, new, source_label, today, intro=[
        f"Question bank for {old.id} ({new.citation}), updated on {today.isoformat()} from {source_label}.",
        "wording: official = the notice's own words (number = the notice's own question number);",
        "wording: summary = commentkit's summary, not the agency's words.",
        "Matching summaries to official questions: docs/docket-packs.md. The previous version of this",
        "file is in .backups/.",
    ])
    files: dict[str, str | bytes] = {DOCKET_FILE: docket_text, QUESTIONS_FILE: bank_text}
    for name, raw in (sources or {}).items():
        files[f"{SOURCES}/{Path(name).name}"] = raw
    if dest is None:
        dest = folder if source != "shipped" else packs.user_dir() / folder.name
    return UpdatePlan(Path(dest), files, merged, report, keep_from=folder)


def review_lines(report: dict) -> list[str]:
    """Every proposed match of a summary to an official question, for review before anything is written."""
    rows = [c for c in report["questions"] if c.get("how") in ("number", "mapping", "similarity")
            and c["kind"] in ("matched", "proposed")]
    if not rows:
        return ["No summary is matched to an official question."]
    lines = [f"Proposed matches ({len(rows)}): each pack question keeps its id; its text becomes the official text."]
    for c in rows:
        how = {"number": "same number", "mapping": "your official-map.yaml"}.get(c["how"], "text similarity")
        if c["how"] == "similarity":
            how += f" {c['score']:.2f}" + (f" (next best {c['runner_up']:.2f})" if c.get("runner_up") is not None
                                           else "")
        lines.append(f"  {c['id']} -> Q{c.get('number') or '-'}: by {how}")
        if c.get("title"):
            lines.append(f"      was: {c['title']}")
        if c.get("official"):
            lines.append(f"      now: {c['official']}")
    return lines


def format_report(report: dict) -> list[str]:
    """The change report as text lines."""
    lines = []
    c = report["counts"]
    lines.append(f"Questions: {c['matched']} summaries replaced by official text, {c['added']} official questions "
                 f"added, {c['refreshed']} official texts refreshed, {c['unchanged']} unchanged, "
                 f"{c['kept-summary']} summaries kept, {c['ambiguous']} ambiguous"
                 + (f", {c['proposed']} matched by similarity not applied." if c.get("proposed") else "."))
    verbs = {"matched": "replaced", "refreshed": "refreshed", "added": "added", "kept-summary": "kept summary",
             "ambiguous": "AMBIGUOUS", "kept-official": "kept", "proposed": "not applied"}
    for ch in report["questions"]:
        if ch["kind"] == "unchanged":
            continue
        num = f"Q{ch['number']}" if ch.get("number") else "-"
        extra = []
        if ch.get("how"):
            extra.append(f"by {ch['how']}" + (f" (score {ch['score']:.2f})" if ch.get("score") is not None else ""))
        if ch.get("detail"):
            extra.append(ch["detail"])
        lines.append(f"  {verbs.get(ch['kind'], ch['kind']):<13} {ch['id']:<14} {num:<5} {'; '.join(extra)}".rstrip())
    for d in report["docket"]:
        note = f" ({d['note']})" if d.get("note") else ""
        lines.append(f"  docket: {d['field']}: {d['old']} -> {d['new']}{note}")
    return lines
