"""Schema versions of the files commentkit reads, and migration of older project files.

Every versioned file carries ``schema_version`` (a whole number):

===================  =========  ===========================================================
file                 current    what older versions are
===================  =========  ===========================================================
``commentkit.yaml``  1          0: a pre-release project file without ``schema_version``,
                                whose ``commenter:`` was a plain string (the name).
``profile.yaml``     1          none yet
answer front matter  1          none: answer files carry no version unless a newer
                                commentkit writes one
docket packs         1          none yet (``docket.yaml``, ``questions.yaml``,
                                ``interview.yaml``)
===================  =========  ===========================================================

A file with a *newer* version than this commentkit reads is refused with a message to upgrade
commentkit, before anything else is checked (its new fields would otherwise look like typos).
An *older* project file is migrated in place: the previous file is kept in
``.commentkit/backups/``, the rewrite keeps the user's comments (round-trip YAML), happens under
the project lock, and refuses if the file changed on disk while it was being migrated.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

from commentkit.errors import ConflictError, ProjectFileError, UserError
from commentkit.files import paths, storage
from commentkit.files.yamlio import declared_version, dump_yaml, load_roundtrip, refuse_newer  # noqa: F401  (the one newer-schema check)
from commentkit.models.project import PROJECT_FILE, PROJECT_SCHEMA_VERSION

PROFILE_SCHEMA_VERSION = 1
"""``profile.yaml`` (the same number as :data:`commentkit.project.profilefile.PROFILE_SCHEMA_VERSION`)."""

PROJECT_VERSION_MISSING = 0
"""The version of a project file that has no ``schema_version`` key (pre-release)."""


# ---- the project file ---------------------------------------------------------------------------------

def _v0_to_v1(doc: Any) -> None:
    """0 -> 1: ``commenter: "Name"`` becomes ``commenter: {name: "Name"}``; ``schema_version`` added."""
    from ruamel.yaml.comments import CommentedMap  # lazy: ruamel.yaml only when writing YAML users edit

    commenter = doc.get("commenter")
    if isinstance(commenter, str):
        doc["commenter"] = CommentedMap([("name", commenter)])
    if "schema_version" in doc:
        doc["schema_version"] = 1
    else:
        doc.insert(0, "schema_version", 1)


STEPS: dict[int, Callable[[Any], None]] = {0: _v0_to_v1}
"""Migration from version N to N + 1, applied in order on a round-trip YAML document."""


def migrate_project_text(text: str, path: Path | None = None) -> tuple[str, int, int]:
    """Migrate project file text to the current version: (new text, from version, to version).

    Pure: reads and returns text. Comments and key order survive.
    """
    doc = load_roundtrip(text, path)
    if not hasattr(doc, "insert"):
        raise ProjectFileError("project file must be a mapping of key: value lines", path, 1)
    start = declared_version(doc, path, missing=PROJECT_VERSION_MISSING, text=text)
    refuse_newer(start, PROJECT_SCHEMA_VERSION, path, "project file", text)
    version = start
    while version < PROJECT_SCHEMA_VERSION:
        step = STEPS.get(version)
        if step is None:  # pragma: no cover - every version below current has a step
            raise ProjectFileError(f"cannot migrate a project file of schema version {version}", path)
        step(doc)
        version += 1
    return dump_yaml(doc), start, version


def migrate_project_file(root: Path, text: str, notify: Callable[[str], None] | None = None) -> str:
    """Migrate ``root/commentkit.yaml`` (whose current content is ``text``) on disk; return the new text.

    The old file is kept in ``.commentkit/backups/``; the write is atomic, under the project lock,
    and refused if the file changed since ``text`` was read.
    """
    path = Path(root) / PROJECT_FILE
    new, old_v, new_v = migrate_project_text(text, path)
    if old_v == new_v:
        return text
    snap = storage.Snapshot.of_bytes(path, text.encode("utf-8"))
    with storage.project_lock(root):
        if snap.changed():  # the raw bytes may differ from `text` only by a BOM
            raw = paths.read_regular(path, "project file")
            if raw.decode("utf-8-sig", "replace") != text:
                raise storage.ConflictError(
                    "changed on disk while commentkit was migrating it; nothing was written: run the "
                    "command again", path)
            snap = storage.Snapshot.of_bytes(path, raw)
        backup = storage.backup(path, root)
        storage.write_checked(path, new, snap)
    message = (f"Note: {path} was written by an older commentkit (schema version {old_v}); updated it to "
               f"version {new_v}. The previous file is kept as {backup}.")
    (notify or _stderr)(message)
    return new


def migrate_project_file_or_read(root: Path, text: str, new_text: str,
                                 notify: Callable[[str], None] | None = None) -> str:
    """:func:`migrate_project_file`, but a project that cannot be written (a read-only share) is
    still read, migrated in memory only, with a note; a conflicting change is still an error."""
    try:
        return migrate_project_file(root, text, notify)
    except ConflictError:
        raise
    except UserError as exc:
        (notify or _stderr)(f"Note: {exc.format()}; the project file was read as the current version without "
                            f"updating it on disk (it will be updated when the folder is writable)")
        return new_text


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)
