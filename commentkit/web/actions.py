"""What the pages do, each a call into the same core the command line uses.

No rule lives here: priorities come from ``questionnaire.priorities.plan``, progress and deadline
from ``project.status.build_report``, the letter and its files from ``commentkit.build``,
readiness from ``filing.preflight.check``, Word edits from ``roundtrip.importer``, member
responses from ``association.report.collect`` and the submission folder from
``filing.package.make_package``. This module only gathers their
arguments the way the matching command does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import re
import secrets
import zipfile
from pathlib import Path

from commentkit import build as ck_build
from commentkit.association import report as members_report
from commentkit.association.settings import ASSOCIATION_FILE
from commentkit.calendar import ics
from commentkit.errors import ConflictError, UserError
from commentkit.files import clock, editor, storage
from commentkit.filing import package as pkg
from commentkit.filing import preflight
from commentkit.ooxml import safe as safedocx
from commentkit.project import answerfile
from commentkit.project import status as tracking
from commentkit.questionnaire import priorities as relevance
from commentkit.questionnaire.background import background_markdown
from commentkit.roundtrip.importer import apply_import, plan_import, read_docx

ABSENT = "absent"
"""Fingerprint of an answer that has no file yet."""


def fingerprint(answer) -> str:
    """What the answer file held when a page showed it (sha256 of its bytes)."""
    if answer is None or answer.raw is None:
        return ABSENT
    return hashlib.sha256(answer.raw).hexdigest()


# ---- status (as `commentkit status`) ---------------------------------------------------------

def unsaved_edits(root: Path) -> list[str]:
    folder = root / editor.EDITS_DIR
    if not folder.is_dir():
        return []
    return sorted(str(p.relative_to(root)) for p in folder.glob("*.md") if p.is_file())


def status_report(proj, priorities=None):
    now = clock.now()
    anchor = None
    member = proj.file.member
    if member is not None:  # a member's work is due to its association first (as `commentkit status`)
        agency = proj.pack.docket.deadline.instant()
        anchor = (f"the member due date set by {member.association}", dt.datetime.combine(member.due, agency.timetz()))
    if priorities is None:
        priorities = relevance.plan(proj.pack, proj.profile)
    return tracking.build_report(proj.pack, proj.answers, priorities, proj.file.milestones, now=now,
                                 today=clock.today(), commenter=proj.commenter_name,
                                 unsaved_edits=unsaved_edits(proj.root), milestones_from=anchor)


def calendar_bytes(proj, priorities=None) -> bytes:
    report = status_report(proj, priorities)
    return ics.calendar(proj.pack, report.milestones, commenter=report.commenter, stamp=clock.now())


# ---- answers (as `commentkit answer` / `commentkit mark`) ------------------------------------

@dataclasses.dataclass
class Conflict:
    """The answer changed on disk since the page showed it: nothing was written."""

    key: str
    current: answerfile.Answer | None  # the answer as it is on disk now
    mine: str
    kept: Path  # where the text that was not saved is kept


def save_answer(proj, key: str, text: str, *, seen: str, owner: str | None, status: str | None,
                approver: str | None = None, prefilled: bool = False):
    """Save text and status like ``commentkit answer`` / ``mark``; a Conflict when the file changed.

    ``approver``: mark the text final, approved by that person (``mark ID final --by``).
    ``prefilled``: the text started as commentkit's draft from the questionnaire (the background
    section), so it keeps that origin until a person approves it, as in the terminal editor.
    """
    old = proj.answers.get(key)
    if fingerprint(old) != seen:
        kept = editor.new_edit_file(proj.root, key, text)
        return Conflict(key, old, text, kept)
    body = text.replace("\r\n", "\n")
    old_body = old.body if old is not None else ""
    changed = body.strip() != old_body.strip()
    new_status = status
    if approver:
        if not body.strip():
            raise UserError(f"the answer to {key} has no text yet: write it before approving it")
        new_status = "final"
    elif new_status in ("review", "final") and not body.strip():
        raise UserError(f"the answer to {key} has no text yet; write it first (or skip it with a reason)")
    elif old is not None and changed and body.strip():
        if old.meta.status == "skipped" and new_status in (None, "skipped"):
            new_status = "draft"  # an answer now has text (as `commentkit answer`)
        elif old.meta.status == "final" and new_status in (None, "final"):
            new_status = "review"  # a final answer whose text changed goes back to review
    if new_status == "skipped":
        raise UserError("skip questions from the Plan page, with a reason")
    if old is None and not body.strip():
        return None
    if old is not None and not changed and (not owner or owner == old.meta.owner):
        if approver and old.approved and old.meta.approved is not None and old.meta.approved.by == approver:
            return None  # already approved by them
        if not approver and (new_status is None or new_status == old.meta.status):
            return None  # nothing to write
    # text a person types is theirs; editing existing text keeps where it came from (as the
    # terminal editor does), and commentkit's questionnaire draft stays marked until approved
    origin = "keep" if old is not None and old_body.strip() else ("questionnaire" if prefilled else None)
    try:
        proj.save_answer(key, body, status=new_status, owner=owner or None, expect=old, approver=approver or None,
                         origin=origin)
    except ConflictError:
        current = _reread(proj, key)
        return Conflict(key, current, text, editor.new_edit_file(proj.root, key, text))
    return proj.answers[key]


def prefill(proj, key: str) -> str:
    """The background section drafted from the questionnaire, for an empty background answer."""
    if key != "background" or proj.pack.interview is None:
        return ""
    text = background_markdown(proj.pack, proj.profile, proj.commenter_name).strip()
    return text + "\n" if text else ""


def _reread(proj, key: str):
    path = proj.answer_path(key)
    return answerfile.read(path) if path.exists() else None


def skip_many(proj, keys: list[str], reason: str) -> list[str]:
    """``commentkit mark KEY skip --reason`` for each key; returns the keys written."""
    reason = " ".join(reason.split())
    if not reason:
        raise UserError("say why these questions are skipped (the reason is kept in each answer file)")
    done = []
    for key in keys:
        old = proj.answers.get(key)
        if old is not None and old.meta.status == "skipped" and old.meta.reason == reason:
            continue
        proj.save_answer(key, old.body if old is not None else "", status="skipped", reason=reason, expect=old)
        done.append(key)
    return done


def drop_kept(proj, name: str) -> None:
    """Delete a kept edit file once its text is saved (only a plain file name in .commentkit/edits)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return
    path = proj.root / editor.EDITS_DIR / name
    if path.is_file():
        path.unlink()


# ---- the letter (the one build pipeline, commentkit.build) --------------------------------------

def letter_document(proj, draft: bool, version: str):
    return ck_build.build_letter(proj, draft=draft, version=version)


def versions(proj) -> list[str]:
    return ck_build.versions_for(proj)


def build(proj, draft: bool) -> dict:
    """Build the letter into the project's build folder, as ``commentkit build [--draft]``."""
    settings = proj.file.build
    result = ck_build.build(proj, formats=list(settings.formats), out=proj.root / settings.out, draft=draft)
    return {"files": [Path(f).name for f in result.files], "warnings": result.warnings,
            "comment_box": result.comment_box.report() if result.comment_box else {}, "error": result.error}


DOWNLOAD_TYPES = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  ".md": "text/markdown; charset=utf-8", ".txt": "text/plain; charset=utf-8",
                  ".pdf": "application/pdf"}


def built_files(proj) -> list[Path]:
    folder = proj.root / proj.file.build.out
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink()
                  and p.suffix in DOWNLOAD_TYPES and not p.name.startswith("."))


def built_file(proj, name: str) -> Path:
    """A file of the build folder, by its listed name only."""
    for p in built_files(proj):
        if p.name == name:
            return p
    raise FileNotFoundError(name)


def comment_box_count(proj, draft: bool) -> dict:
    """The comment box of the filed version, counted by the code that writes it."""
    letter = ck_build.build_letter(proj, draft=draft, version=ck_build.comment_box_version(proj))
    return ck_build.CommentBox(ck_build.comment_box_text(letter)).report()


# ---- check (as `commentkit check`) -----------------------------------------------------------

def check(proj):
    return preflight.check(proj)


# ---- Word edits (as `commentkit import-docx`) ------------------------------------------------

UPLOADS = Path(".commentkit") / "uploads"
_UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.docx$")


def store_upload(proj, data: bytes) -> str:
    """Keep an uploaded Word file inside the project (under .commentkit/uploads/); its id."""
    name = f"{secrets.token_hex(16)}.docx"
    storage.atomic_write(proj.root / UPLOADS / name, data)
    return name


def upload_path(proj, name: str) -> Path:
    if not _UPLOAD_NAME.fullmatch(name or ""):
        raise UserError("unknown upload; upload the Word file again")
    path = proj.root / UPLOADS / name
    if not path.is_file():
        raise UserError("the uploaded Word file is gone; upload it again")
    return path


def import_plan(proj, name: str, accept_changes: bool):
    path = upload_path(proj, name)
    letter = read_docx(path, accept_changes=accept_changes)
    if (letter.changes or letter.comments) and not accept_changes:
        parts = []
        if letter.changes:
            parts.append(f"{letter.changes} unaccepted tracked change(s)")
        if letter.comments:
            parts.append(f"{letter.comments} comment(s)")
        raise UserError(f"{' and '.join(parts)}: accept or reject them in Word, or tick 'accept tracked changes' "
                        "(insertions kept, deletions dropped, comments ignored); nothing was imported")
    return plan_import(proj, letter)


def apply_some(proj, name: str, accept_changes: bool, keys: list[str]) -> list[str]:
    plan = import_plan(proj, name, accept_changes)
    chosen = [a for a in plan.answers if a.state not in ("changed", "new") or a.key in keys]
    written = apply_import(proj, dataclasses.replace(plan, answers=chosen))
    if not [a for a in plan.changed if a.key not in keys]:
        upload_path(proj, name).unlink(missing_ok=True)  # everything it held is in: the upload is done
    return written


# ---- association (as `commentkit collect`) ---------------------------------------------------

MEMBER_INBOX = "member-responses"
_MEMBER_SUFFIXES = (".yaml", ".yml", ".docx")


def is_association(proj) -> bool:
    return (proj.root / ASSOCIATION_FILE).is_file()


def store_member_file(proj, filename: str, data: bytes) -> Path:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(filename or "").name).strip(".-")
    suffix = Path(stem).suffix.lower()
    if suffix not in _MEMBER_SUFFIXES or not stem:
        raise UserError("upload a member response (.yaml) or a returned member form (.docx)")
    if suffix == ".docx":
        tmp = proj.root / UPLOADS / f".check-{stem}"
        storage.atomic_write(tmp, data)
        try:
            safedocx.check(tmp, "member form")
        finally:
            tmp.unlink(missing_ok=True)
    return storage.create_unique(proj.root / MEMBER_INBOX, Path(stem).stem, suffix, data)


def member_inputs(proj, workspace) -> list[Path]:
    """The inbox of uploaded files plus member projects found in the served folder."""
    inputs = []
    inbox = proj.root / MEMBER_INBOX
    if inbox.is_dir() and any(inbox.iterdir()):
        inputs.append(inbox)
    for e in workspace.projects():
        if e.path == proj.root or proj.root in e.path.parents:
            continue
        try:
            other = workspace.open(e.key)
            if other.file.member is not None:
                inputs.append(e.path)
        except UserError:
            continue
    return inputs


def collect(proj, workspace):
    inputs = member_inputs(proj, workspace)
    if not inputs:
        raise UserError("no member responses yet: upload member files or returned forms first")
    return members_report.collect(proj.root, inputs, None)


# ---- package (as `commentkit package`) -------------------------------------------------------

PACKAGE_DIR = "submission"


def package_zip(proj, pdf: bool) -> tuple[pkg.PackageResult, bytes]:
    out = proj.root / proj.file.build.out / PACKAGE_DIR
    result = pkg.make_package(proj, out, soffice=pdf)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(result.out.rglob("*")):
            if path.is_file() and not path.is_symlink():
                zf.write(path, Path(PACKAGE_DIR) / path.relative_to(result.out))
    return result, buf.getvalue()
