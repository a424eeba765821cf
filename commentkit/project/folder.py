"""A comment project on disk: reading it, creating it, and saving answers safely."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any

from commentkit.dockets import catalog as packs
from commentkit.errors import ProjectFileError, typed
from commentkit.files import clock, paths, storage
from commentkit.files.yamlio import load_yaml, parse_yaml, read_text, validate
from commentkit.models.docket import ID_PATTERN
from commentkit.models.project import (
    ANSWERS_DIR,
    GENERAL_DIR,
    GENERAL_SECTIONS,
    PROFILE_FILE,
    PROJECT_FILE,
    PROJECT_SCHEMA_VERSION,
    AnswerMeta,
    ProjectFile,
)
from commentkit.project import answerfile, migrate
from commentkit.project.migrate import PROFILE_SCHEMA_VERSION, declared_version, refuse_newer
from commentkit.project.profilefile import check_stored


def find_root(start: Path | str | None) -> Path:
    """The project folder: ``start`` itself, or the nearest parent holding ``commentkit.yaml``."""
    here = Path(start or ".").resolve()
    for cand in (here, *here.parents):
        if (cand / PROJECT_FILE).is_file():
            return cand
    if not here.exists():
        raise ProjectFileError("project folder not found", here)
    raise ProjectFileError(f"not a commentkit project (no {PROJECT_FILE} here or above); "
                    f"create one with 'commentkit init DIR --docket ID --commenter NAME'", here)


def check_schema_version(data: Any, path: Path) -> None:
    refuse_newer(declared_version(data, path, missing=PROJECT_SCHEMA_VERSION), PROJECT_SCHEMA_VERSION, path,
                 "project file")


class Project:
    """A loaded project. Everything is read lazily, once."""

    def __init__(self, root: Path):
        self.root = paths.confine(root)  # every read and write inside it follows the path policy

    @classmethod
    def open(cls, start: Path | str | None = None) -> "Project":
        p = cls(find_root(start))
        storage.recover_if_pending(p.root)  # a command killed while writing: finish or drop its transaction
        p.file  # noqa: B018 - validate the project file now, so errors surface early
        return p

    # ---- files -------------------------------------------------------------------------
    @property
    def project_path(self) -> Path:
        return self.root / PROJECT_FILE

    @property
    def profile_path(self) -> Path:
        return self.root / PROFILE_FILE

    @cached_property
    def file(self) -> ProjectFile:
        with typed(ProjectFileError):
            return self._read_file()

    def _read_file(self) -> ProjectFile:
        text = read_text(self.project_path, "project file")
        data = parse_yaml(text, self.project_path)
        if data is None:
            raise ProjectFileError("project file is empty", self.project_path)
        check_schema_version(data, self.project_path)
        if isinstance(data, dict) and data.get("schema_version") != PROJECT_SCHEMA_VERSION:
            new_text, _, _ = migrate.migrate_project_text(text, self.project_path)
            validate(ProjectFile, parse_yaml(new_text, self.project_path), self.project_path, text)
            text = migrate.migrate_project_file_or_read(self.root, text, new_text)
            data = parse_yaml(text, self.project_path)
        return validate(ProjectFile, data, self.project_path, text)

    @cached_property
    def pack(self):
        return packs.load(self.file.docket)

    @cached_property
    def profile(self) -> dict[str, Any]:
        """Questionnaire answers as stored (item id -> value); empty when not interviewed yet."""
        with typed(ProjectFileError):
            return self._read_profile()

    def _read_profile(self) -> dict[str, Any]:
        if not self.profile_path.exists():
            return {}
        data = load_yaml(self.profile_path, "profile file")
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ProjectFileError("profile must be a mapping of item: answer", self.profile_path, 1)
        data = dict(data)
        version = declared_version(data, self.profile_path, missing=PROFILE_SCHEMA_VERSION)
        refuse_newer(version, PROFILE_SCHEMA_VERSION, self.profile_path, "profile file")
        data.pop("schema_version", None)
        if data and self.pack.interview is not None:  # checked against the questionnaire, coerced
            data = check_stored(self.pack, data, self.profile_path)
        return data

    @property
    def commenter_name(self) -> str:
        return str(self.profile.get("commenter_name") or self.file.commenter.name)

    # ---- answers -----------------------------------------------------------------------
    def answer_path(self, key: str) -> Path:
        if key in GENERAL_SECTIONS:
            return self.root / GENERAL_DIR / f"{key}.md"
        if not isinstance(key, str) or not re.fullmatch(ID_PATTERN, key):
            # an answer file is named by its question id: nothing else may choose a path
            raise ProjectFileError(f"{key!r} is not a question id (lower-case letters, digits and '-')", self.root)
        return self.root / ANSWERS_DIR / f"{key}.md"

    @cached_property
    def answers(self) -> dict[str, Any]:
        """Every answer file, keyed by question id or general section name."""
        out: dict[str, answerfile.Answer] = {}
        for sub, field in ((ANSWERS_DIR, "question"), (GENERAL_DIR, "section")):
            folder = self.root / sub
            for entry in paths.list_folder(folder, f"{sub} folder"):
                if not entry.name.endswith(".md") or entry.name.startswith((".", "~$")):
                    continue  # editors' lock files (.#x.md), macOS '._x.md' metadata, Office '~$' files
                path = folder / entry.name
                with typed(ProjectFileError):
                    ans = answerfile.read(path)
                key = getattr(ans.meta, field) or path.stem
                if key != path.stem:
                    raise ProjectFileError(f"front matter says {field} {key!r} but the file is named {path.name}", path, 2)
                setattr(ans.meta, field, key)
                out[key] = ans
        known = {q.id for q in self.pack.bank.questions}
        for key, ans in out.items():
            if ans.meta.question is not None and key not in known:
                raise ProjectFileError(f"no question {key!r} in docket {self.file.docket}", ans.path)
            if ans.meta.section is not None and key not in GENERAL_SECTIONS:
                raise ProjectFileError(f"unknown general section {key!r} (known: {', '.join(GENERAL_SECTIONS)})",
                                ans.path)
        return out

    def save_answer(self, key: str, body: str, *, status: str | None = None, owner: str | None = None,
                    reason: str | None = None, now: dt.datetime | None = None, expect: Any = None,
                    approver: str | None = None, origin: Any = "keep") -> Path:
        """Write one answer atomically, keeping the previous version as a backup.

        ``expect`` is the Answer as read earlier; if the file changed on disk since, nothing is
        written and a ConflictError says so. An answer saved as final records who approved it
        (``approver``, else the owner, the project's owner or the login name), when, and the
        fingerprint of its text (:func:`commentkit.answerfile.fingerprint`); any other status
        drops that record. ``origin``: "questionnaire" / "collect" / None (a person's text), or
        "keep" (unchanged).
        """
        path, text, snap, new = self.prepare_answer(key, body, status=status, owner=owner, reason=reason, now=now,
                                                    expect=expect, approver=approver, origin=origin)
        with storage.project_lock(self.root):
            storage.write_checked(path, text, snap, root=self.root, keep_backup=True)
        self.answers[key] = new
        return path

    def prepare_answer(self, key: str, body: str, *, status: str | None = None, owner: str | None = None,
                       reason: str | None = None, now: dt.datetime | None = None, expect: Any = None,
                       approver: str | None = None, origin: Any = "keep"):
        """What :meth:`save_answer` writes, without writing it: ``(path, text, snapshot, Answer)``
        (for a transaction that writes several answers all or none)."""
        path = self.answer_path(key)
        old = self.answers.get(key)
        meta = old.meta.model_copy() if old else (
            AnswerMeta(section=key) if key in GENERAL_SECTIONS else AnswerMeta(question=key))
        old_status = old.meta.status if old else None
        if status is not None:
            meta.status = status
        if owner is not None:
            meta.owner = owner
        elif meta.owner is None:
            meta.owner = self.file.owner
        if meta.status != "skipped":
            meta.reason = None
        elif reason is not None:
            meta.reason = reason
        meta.updated = (now or clock.now()).astimezone(dt.timezone.utc).replace(microsecond=0)
        meta.reached = _reached(meta.reached, old_status, meta.status, bool(body.strip()), meta.updated)
        if origin != "keep":
            meta.origin = origin
        if meta.status == "final":
            fp = answerfile.fingerprint(body)
            prev = meta.approved
            if (prev is None or prev.sha256 != fp or old_status != "final"
                    or (approver is not None and approver != prev.by)):
                who = approver or owner or meta.owner or self.file.owner or _login_name()
                meta.approved = answerfile.approval(body, who, meta.updated)
        else:
            meta.approved = None
        snap = None
        base = expect if expect is not None else old
        if base is not None and base.raw is not None:
            snap = storage.Snapshot.of_bytes(path, base.raw)
        elif base is None:
            snap = storage.Snapshot(path, None)
        text = answerfile.render(meta, body)
        return path, text, snap, answerfile.Answer(meta=meta, body=body, path=path, raw=text.encode("utf-8"))


def _login_name() -> str:
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError, ImportError):  # no login name (some containers)
        return "unknown"


_LEVELS = ("draft", "review", "final")


def _reached(reached: dict | None, old_status: str | None, status: str, has_text: bool,
             when: dt.datetime) -> dict | None:
    """Keep, per status, since when the answer has held it (or a higher one), for milestones.

    Reaching a level also reaches the levels below it (a draft marked final has been drafted
    and reviewed); stepping back down forgets the higher levels; skipping records the skip.
    """
    out = dict(reached or {})
    if status == "skipped":
        if old_status != "skipped" or "skipped" not in out:
            out = {"skipped": when}
        return out
    out.pop("skipped", None)
    if not has_text:
        return None
    rank = _LEVELS.index(status)
    for higher in _LEVELS[rank + 1:]:
        out.pop(higher, None)
    for level in _LEVELS[: rank + 1]:
        out.setdefault(level, when)
    return {k: out[k] for k in _LEVELS if k in out} or None


PROJECT_TEMPLATE = """\
# commentkit project file. Edit freely: commentkit keeps your comments when it updates this file.
# Reference: docs/projects.md
schema_version: {schema}

# The docket this comment responds to (see `commentkit dockets`).
docket: {docket}

# Who submits the comment. The questionnaire (`commentkit interview`) adds contact and signatory.
commenter:
  name: {name}

# Default owner recorded on answers you write (a name or initials).
owner: {owner}

# Internal milestones, counted in U.S. federal business days before the agency deadline.
# `status` is what every core answer must have reached by then.
milestones:
  - name: First draft
    business_days_before: 10
    status: draft
  - name: Legal review
    business_days_before: 5
    status: review
  - name: Sign-off
    business_days_before: 2
    status: final

build:
  formats: [docx, md, txt]
  out: build
  # A Word file whose styles, page setup and letterhead to use (like pandoc's reference-doc).
  reference_docx: null
  # Folder of template overrides (copies of commentkit's templates you changed).
  templates: templates
"""

GITIGNORE = "build/\n.commentkit/lock\n"


def _yaml_scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def create(root: Path, docket_id: str, commenter: str, owner: str | None = None) -> Project:
    """Create a new project folder (refusing to touch an existing project)."""
    root = Path(root)
    if (root / PROJECT_FILE).exists():
        raise ProjectFileError("a commentkit project already exists here; nothing was changed", root / PROJECT_FILE)
    if root.exists() and not root.is_dir():
        raise ProjectFileError("exists and is not a folder", root)
    if not commenter.strip():
        raise ProjectFileError("--commenter must not be empty")
    ref = packs.find(docket_id)
    packs.load_path(ref.path, ref.source)  # a broken pack is reported before anything is created
    text = PROJECT_TEMPLATE.format(schema=PROJECT_SCHEMA_VERSION, docket=_yaml_scalar(ref.docket_id),
                                   name=_yaml_scalar(commenter.strip()),
                                   owner=_yaml_scalar(owner) if owner else "null")
    (root / ANSWERS_DIR).mkdir(parents=True, exist_ok=True)
    (root / GENERAL_DIR).mkdir(parents=True, exist_ok=True)
    storage.atomic_write(root / PROJECT_FILE, text)
    if not (root / ".gitignore").exists():
        storage.atomic_write(root / ".gitignore", GITIGNORE)
    return Project.open(root)
