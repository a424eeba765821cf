"""The submission package: everything to upload, laid out in one folder, with a checklist.

Entry point: :func:`make_package(project, out)` → :class:`PackageResult`. It builds the final
letter(s) into a fresh staging folder next to ``out``, converts them to PDF when LibreOffice
is installed, writes ``comment-box.txt``, ``submitter.json`` and ``CHECKLIST.md``, copies the
project's attachments, runs the preflight check on the files it built, and only then moves
the folder into place. An existing ``out`` is replaced only when it is empty or a previous
package whose files are unchanged (``.commentkit-package.json`` records their digests), so
nothing a user wrote or edited there is ever lost.

File names follow the docket's conventions: ``<docket>-<commenter>.pdf`` for a single
version; where the docket accepts business confidential information and answers mark some,
``BCI-<docket>-<commenter>.pdf`` (confidential) and ``P-<docket>-<commenter>.pdf`` (public).

The naming helpers (:func:`letter_name`, :func:`attachment_files`) are light, so the
preflight check can use them without importing the writers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from commentkit import __version__, build
from commentkit.calendar import deadlines as dl
from commentkit.errors import UserError
from commentkit.files import clock, paths, progress, storage
from commentkit.files.storage import STALE_TEMP_SECONDS
from commentkit.filing import preflight
from commentkit.filing.preflight import confidential_passages
from commentkit.letter.assemble import COMMENT_BOX_LIMIT
from commentkit.letter.writers.docx import docx_bytes

MANIFEST = ".commentkit-package.json"
CHECKLIST = "CHECKLIST.md"
COMMENT_BOX_FILE = "comment-box.txt"
SUBMITTER_FILE = "submitter.json"
SOFFICE_TIMEOUT = 300


# ---- names (one place: commentkit.build) ------------------------------------------------------

letter_name = build.letter_name
attachment_files = build.attachment_files


def reference_docx(project) -> Path | None:
    """The reference Word file ``build`` would use."""
    return build.reference_docx(project)


# ---- the output folder ------------------------------------------------------------------------

def _digest(path: Path) -> str:
    return hashlib.sha256(paths.read_regular(path)).hexdigest()


def inspect_out(out: Path) -> str:
    """``"new"`` (absent), ``"empty"`` or ``"previous"`` (an unchanged earlier package); anything
    else is refused with a UserError saying why, before anything is built."""
    if not out.exists():
        return "new"
    if not out.is_dir():
        raise UserError("exists and is not a folder; choose another --out", out)
    entries = [p for p in out.iterdir()]
    if not entries:
        return "empty"
    manifest = out / MANIFEST
    if not manifest.is_file():
        raise UserError("folder is not empty and is not a commentkit package; nothing was written "
                        "(choose a new or empty --out folder)", out)
    try:
        data = json.loads(paths.read_regular(manifest, "package manifest").decode("utf-8"))
        files = {str(k): str(v) for k, v in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise UserError("package record is unreadable; nothing was written (move the folder away or choose "
                        "another --out)", manifest) from None
    for p in entries:
        if p.name == MANIFEST:
            continue
        if p.name not in files:
            raise UserError(f"{p.name} was not written by commentkit: nothing was replaced (move it out of the "
                            f"package folder, or choose another --out)", out)
        if not p.is_file() or _digest(p) != files[p.name]:
            raise UserError(f"{p.name} changed since commentkit packaged it: nothing was replaced (keep your "
                            f"edits by moving the file, or choose another --out)", out)
    return "previous"


def sweep_stale(out: Path) -> None:
    """Remove staging and old-package folders next to ``out`` left by a run that was killed
    (older than storage.STALE_TEMP_SECONDS, so a concurrent run's folder is never touched)."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        siblings = list(out.parent.glob(f".{out.name}.staging-*")) + list(out.parent.glob(f".{out.name}.old-*"))
    except OSError:
        return
    for p in siblings:
        try:
            if p.is_dir() and not p.is_symlink() and p.stat().st_mtime < cutoff:
                shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass


def _swap_into_place(staging: Path, out: Path, state: str) -> None:
    if state == "previous":
        inspect_out(out)  # still unchanged right before it is replaced
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        try:
            os.replace(staging, out)
        except OSError:
            os.replace(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        if state == "empty":
            out.rmdir()
        os.replace(staging, out)


# ---- PDF ------------------------------------------------------------------------------------------

def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(soffice: str, docx_files: list[Path], outdir: Path) -> tuple[list[Path], str | None]:
    """Convert Word files to PDF with LibreOffice headless; returns (PDFs made, problem or None)."""
    with tempfile.TemporaryDirectory(prefix="commentkit-lo-") as profile:
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--nologo",
               "--convert-to", "pdf", "--outdir", str(outdir), *[str(p) for p in docx_files]]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            return [], f"LibreOffice did not finish within {SOFFICE_TIMEOUT} s"
        except OSError as exc:
            return [], f"could not run LibreOffice: {exc}"
    made = [outdir / (p.stem + ".pdf") for p in docx_files]
    missing = [p.name for p in made if not p.is_file() or p.stat().st_size == 0]
    if missing:
        detail = (proc.stderr or proc.stdout or "").strip().splitlines()
        return [p for p in made if p.is_file()], (f"LibreOffice did not write {', '.join(missing)}"
                                                   + (f" ({detail[-1]})" if detail else ""))
    return made, None


# ---- submitter.json -----------------------------------------------------------------------------

_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico",
}


def us_state(address_lines: list[str]) -> str | None:
    """The U.S. state (full name) of an address whose last lines read 'City, State ZIP'."""
    names = {v.lower(): v for v in _STATES.values()}
    for line in reversed(address_lines[-2:]):
        m = re.search(r",\s*([A-Za-z][A-Za-z. ]+?)\.?\s+\d{5}(?:-\d{4})?\s*$", line)
        if not m:
            continue
        st = m.group(1).strip().replace(".", "")
        if st.upper() in _STATES:
            return _STATES[st.upper()]
        if st.lower() in names:
            return names[st.lower()]
    return None


def submitter_fields(project, comment: str | None, files: list[str]) -> dict[str, Any]:
    """``submitter.json``: the regulations.gov comment fields under the v4 API's attribute names,
    filled from the questionnaire; what cannot be known is null and listed under ``missing``."""
    prof = project.profile
    docket = project.pack.docket

    def val(key):
        v = prof.get(key)
        if isinstance(v, (list, tuple)):
            return [str(x).strip() for x in v if str(x).strip()]
        return str(v).strip() if v not in (None, "") else None

    kind = val("commenter_type")
    individual = kind == "individual"
    person = val("contact_name") or (val("signatory_name") if individual else None)
    first = last = None
    if person:
        parts = person.split()
        first, last = (" ".join(parts[:-1]) or None, parts[-1]) if len(parts) > 1 else (None, parts[0])
    addr = val("commenter_address")
    lines = addr if isinstance(addr, list) else (addr.splitlines() if addr else [])
    state = us_state(lines)
    email = val("contact_email")
    attrs: dict[str, Any] = {
        "commentOnDocumentId": None,
        "comment": comment,
        "submitterType": "INDIVIDUAL" if individual else "ORGANIZATION",
        "firstName": first,
        "lastName": last,
        "organization": None if individual else project.commenter_name,
        "organizationType": None,
        "category": None,
        "email": email,
        "phone": val("contact_phone"),
        "country": "United States" if state else None,
        "stateProvinceRegion": state,
        "sendEmailReceipt": bool(email),
        "files": files,
    }
    if kind == "other":  # a university, non-profit or public body: the form asks public bodies for these
        attrs["govAgency"] = None
        attrs["govAgencyType"] = None
    missing = {
        "commentOnDocumentId": f"the regulations.gov ID of the notice you comment on: open the docket "
                               f"({docket.docket_id or docket.id}) and copy the document ID shown on the notice's page",
        "organizationType": "chosen from the agency's list on the comment form",
        "category": "chosen from the agency's list on the comment form (if it asks)",
    }
    if individual:
        missing.pop("organizationType")
    for key, why in (("firstName", "contact_name in profile.yaml"), ("lastName", "contact_name in profile.yaml"),
                     ("email", "contact_email in profile.yaml"), ("phone", "contact_phone in profile.yaml"),
                     ("country", "commenter_address in profile.yaml (not a U.S. 'City, State ZIP' address)"),
                     ("stateProvinceRegion", "commenter_address in profile.yaml"),
                     ("comment", "the comment-box text did not fit in 5,000 characters")):
        if attrs.get(key) is None:
            missing[key] = why
    if "govAgency" in attrs:
        missing["govAgency"] = "if the commenter is a government body: its name"
        missing["govAgencyType"] = "if the commenter is a government body: federal, state, local or tribal"
    return {
        "commentkit": {
            "about": "Fields for the regulations.gov comment form, under the public API (v4) attribute names. "
                     "Null fields are not known to commentkit; 'missing' says where to find each.",
            "docket": docket.docket_id or docket.id,
            "missing": missing,
        },
        "data": {"type": "comments", "attributes": attrs},
    }


# ---- redaction guard ----------------------------------------------------------------------------

def leaked_passages(project, public_files: list[Path]) -> list[tuple[str, str]]:
    """Confidential passages (from the answers) found in any part of the given public files:
    ``[(file name, passage)]``. A Word file is searched in every part of its zip."""
    passages: list[str] = []
    for ans in project.answers.values():
        passages.extend(p for p in confidential_passages(ans.body) if len(p) >= 4)
    if not passages:
        return []
    found = []
    for path in public_files:
        texts: list[str] = []
        if path.suffix.lower() == ".docx":
            paths.check_regular(path, "Word file")
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    texts.append(z.read(name).decode("utf-8", "replace"))
        elif path.suffix.lower() in (".txt", ".md", ".json"):
            texts.append(paths.read_regular(path).decode("utf-8"))
        else:
            continue
        hay = "\n".join(texts)
        flat = re.sub(r"<[^>]+>", "", hay)  # runs split by XML tags
        for p in passages:
            if p in hay or escape(p) in hay or escape(p) in flat or p in flat:
                found.append((path.name, p))
    return found


# ---- the package ----------------------------------------------------------------------------------

@dataclass
class PackageResult:
    out: Path
    files: list[str] = field(default_factory=list)
    check: Any = None
    pdf: str = ""  # what happened with the PDF, for the user
    pdf_made: bool = False
    comment_box_chars: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "files": self.files, "pdf": self.pdf, "pdf_made": self.pdf_made,
                "comment_box_characters": self.comment_box_chars, "check": self.check.as_dict()}


def make_package(project, out: Path | str, *, soffice: str | None | bool = True,
                 now: dt.datetime | None = None, today: dt.date | None = None) -> PackageResult:
    """Build the submission folder ``out`` (see module docstring). ``soffice``: True to look
    for LibreOffice on PATH, a path to use, or False/None for no PDF."""
    out = Path(out)
    state = inspect_out(out)
    now = now or clock.now()
    today = today or clock.today()
    ref = reference_docx(project)
    versions = build.versions_for(project)
    exe = find_soffice() if soffice is True else (soffice or None)

    attachments = attachment_files(project)
    letter_names = {letter_name(project, v, versions, ext) for v in versions for ext in ("docx", "pdf")}
    reserved = letter_names | {MANIFEST, CHECKLIST, COMMENT_BOX_FILE, SUBMITTER_FILE}
    for a in attachments:
        if a.name in reserved:
            raise UserError(f"has the same name as a file the package writes ({a.name}); rename it", a)

    sweep_stale(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)
    except OSError as exc:
        raise UserError(f"cannot create the package folder: {exc.strerror or exc}", out) from None
    try:
        result = PackageResult(out)
        written: list[str] = []
        docx_paths: dict[str, Path] = {}
        box_text: str | None = None
        for v in versions:
            letter = build.build_letter(project, version=v, date=today)
            path = staging / letter_name(project, v, versions, "docx")
            storage.atomic_write(path, docx_bytes(letter.document, ref))
            docx_paths[v] = path
            written.append(path.name)
            if v != "confidential" and box_text is None:
                box_text = build.comment_box_text(letter)
        pdfs: dict[str, Path] = {}
        if exe:
            n = len(docx_paths)
            with progress.step(f"Converting {n} Word file{'' if n == 1 else 's'} to PDF with LibreOffice"):
                made, problem = convert_to_pdf(exe, list(docx_paths.values()), staging)
            for v, d in docx_paths.items():
                p = staging / (d.stem + ".pdf")
                if p in made:
                    pdfs[v] = p
                    written.append(p.name)
            result.pdf_made = bool(pdfs) and problem is None
            result.pdf = ("PDF made with LibreOffice" if problem is None
                          else f"PDF conversion failed: {problem}; upload the Word file or save it as PDF from Word")
        elif soffice is False or soffice is None:
            result.pdf = "No PDF made (not requested). Upload the Word file, or save it as PDF from Word."
        else:
            result.pdf = ("No PDF: LibreOffice (soffice) is not installed or not on PATH. Upload the Word file, "
                          "or open it in Word and save it as PDF; install LibreOffice to have commentkit make it.")
        result.comment_box_chars = len(box_text) if box_text is not None else None
        box_fits = box_text is not None and build.CommentBox(box_text).fits
        if box_fits and box_text is not None:
            storage.atomic_write(staging / COMMENT_BOX_FILE, box_text)
            written.append(COMMENT_BOX_FILE)
        for a in attachments:
            storage.atomic_write(staging / a.name, paths.read_regular(a, "attachment"))
            written.append(a.name)

        uploads = []
        for v in versions:
            f = pdfs.get(v) or docx_paths[v]
            role = {"plain": "letter", "public": "letter-public", "confidential": "letter-confidential"}[v]
            uploads.append(preflight.Upload(f.name, role, f, f.stat().st_size, confidential=v == "confidential"))
        for a in attachments:
            uploads.append(preflight.Upload(a.name, "attachment", staging / a.name, a.stat().st_size,
                                            confidential=a.name.upper().startswith("BCI")))
        res = preflight.check(project, now=now, today=today, uploads=uploads, comment_box_text=box_text)
        public = [docx_paths[v] for v in versions if v != "confidential"] + (
            [staging / COMMENT_BOX_FILE] if box_fits else [])
        leaks = leaked_passages(project, public) if project.pack.docket.confidential_submissions else []
        for name, passage in leaks:
            res.findings.insert(0, preflight.Finding(
                "error", "redaction-leak", f"{name} contains confidential text {passage[:40]!r}: do not file it",
                name))
        result.check = res

        storage.atomic_write(staging / SUBMITTER_FILE, json.dumps(
            submitter_fields(project, box_text if box_fits else None, [u.name for u in uploads]),
            indent=2, ensure_ascii=False) + "\n")
        written.append(SUBMITTER_FILE)
        written.append(CHECKLIST)
        result.files = sorted(written, key=lambda n: (n != CHECKLIST, n.lower()))
        storage.atomic_write(staging / CHECKLIST, checklist(project, res, uploads, result, versions, now,
                                                            __version__))
        manifest = {"generator": f"commentkit {__version__}", "project": str(project.root),
                    "docket": project.pack.docket.id, "created": now.isoformat(),
                    "ready": not res.blocks(), "files": {n: _digest(staging / n) for n in written}}
        storage.atomic_write(staging / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        _swap_into_place(staging, out, state)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


# ---- CHECKLIST.md ----------------------------------------------------------------------------------

def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def checklist(project, res, uploads, result: PackageResult, versions: list[str], now: dt.datetime,
              version: str) -> str:
    docket = project.pack.docket
    deadline = docket.deadline.instant()
    t = dl.time_left(deadline, now)
    lines = [f"# Filing checklist: {project.commenter_name}", "",
             f"Comment on *{docket.title}* ({docket.display_name}), docket {docket.docket_id or docket.id}"
             + (f", RIN {docket.rin}" if docket.rin else "") + f", {docket.citation}.", "",
             f"**Deadline:** {dl.format_instant(deadline)} ({t.summary()} as of {now:%Y-%m-%d %H:%M %Z})."
             .replace(" )", ")"), "",
             f"Prepared by commentkit {version}. Re-run `commentkit package` after any change to the answers; "
             f"`commentkit check` tells you whether the comment is ready.", "",
             "## Preflight check", "", f"**{res.summary()}**", ""]
    if res.findings:
        for f in res.findings:
            loc = f" ({f.location()})" if f.location() else ""
            lines.append(f"- **{f.severity}**{loc}: {f.message}")
    else:
        lines.append("No findings.")
    lines += ["", "## Files in this folder", "", "| File | What it is |", "|---|---|"]
    for name in result.files:
        lines.append(f"| `{name}` | {_md(_describe(name, versions, project))} |")
    lines += ["", f"{result.pdf}.".replace("..", "."), ""]

    channel = next((c for c in docket.channels if c.kind == "regulations.gov"), None)
    letters = [u for u in uploads if u.role.startswith("letter")]
    others = [u for u in uploads if u.role == "attachment"]
    lines += ["## Upload steps", ""]
    n = 0

    def step(text):
        nonlocal n
        n += 1
        lines.append(f"{n}. [ ] {text}")

    if channel is not None:
        step(f"Open {channel.url or 'regulations.gov'} and choose **Comment** on the notice "
             f"({docket.display_name}). {channel.instructions.strip()}")
    else:
        step(f"This docket is not filed through regulations.gov: {docket.channels[0].instructions.strip()}")
    if result.comment_box_chars is not None and result.comment_box_chars <= COMMENT_BOX_LIMIT:
        step(f"Paste the whole of `{COMMENT_BOX_FILE}` into the comment box ({result.comment_box_chars:,} of "
             f"{COMMENT_BOX_LIMIT:,} characters).")
    else:
        step(f"Comment box: the text did not fit in {COMMENT_BOX_LIMIT:,} characters and was not written; shorten "
             f"the executive summary and package again.")
    files = ", ".join(f"`{u.name}`" + (f" ({u.size / 1048576:.1f} MB)" if u.size else "") for u in letters + others)
    step(f"Attach {len(letters) + len(others)} file(s) of at most 20, each under 10 MB: {files}.")
    if "confidential" in versions:
        conf = next(u for u in letters if u.role == "letter-confidential")
        pub = next(u for u in letters if u.role == "letter-public")
        step(f"Business confidential information: `{conf.name}` is the confidential version (BUSINESS CONFIDENTIAL "
             f"on every page, confidential material in brackets) and `{pub.name}` the public version with it "
             f"redacted. Follow the notice's instructions for confidential submissions"
             + (f" ({docket.confidential_note.strip()})" if docket.confidential_note else "")
             + "; the file names start with BCI and P as the convention asks.")
    sub = submitter_fields(project, None, [u.name for u in uploads])
    attrs = sub["data"]["attributes"]
    shown = [(k, v) for k, v in attrs.items() if k not in ("comment", "files") and v not in (None, "")]
    step("Fill in the submitter fields (also in `submitter.json`): "
         + "; ".join(f"{k}: {('yes' if v else 'no') if isinstance(v, bool) else v}" for k, v in shown)
         + (". Still to choose or find: " + "; ".join(f"{k} ({why})" for k, why in sub["commentkit"]["missing"].items()
                                                      if k != "comment") if sub["commentkit"]["missing"] else "")
         + ".")
    step("Check the preview against the letter, submit, and record the comment tracking number shown on "
         "submission (save or print the confirmation page).")
    step(f"Submit before {dl.format_instant(deadline)}; late comments may not be considered.")
    other = [c for c in docket.channels if c is not channel]
    if other:
        lines += ["", "## Other ways to file (from the notice)", ""]
        for c in other:
            lines.append(f"- **{c.label}**: {c.instructions.strip()}"
                         + (f" Address: {', '.join(c.address)}." if c.address else ""))
    return "\n".join(lines) + "\n"


def _describe(name: str, versions: list[str], project) -> str:
    if name == CHECKLIST:
        return "this checklist"
    if name == COMMENT_BOX_FILE:
        return "text for the regulations.gov comment box"
    if name == SUBMITTER_FILE:
        return "submitter fields under the regulations.gov API names (what is missing is listed)"
    kind = "PDF" if name.endswith(".pdf") else "Word"
    if name.startswith("BCI-") and "confidential" in versions:
        return f"the letter, business confidential version ({kind})"
    if name.startswith("P-") and "confidential" in versions:
        return f"the letter, public version ({kind})"
    if name.endswith((".pdf", ".docx")) and name in {letter_name(project, v, versions, name.rsplit('.', 1)[1])
                                                     for v in versions}:
        return f"the comment letter ({kind})"
    return "attachment (from the project's attachments/ folder)"
