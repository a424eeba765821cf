"""The answer file format: a small YAML front matter header, then the answer in Markdown.

::

    ---
    question: cov-tx-3
    status: review
    owner: J. Doe
    updated: 2023-09-12T14:03:00+00:00
    ---
    We recommend that Treasury ...
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from commentkit.errors import ProjectFileError
from commentkit.files.yamlio import (
    declared_version,
    dump_yaml,
    parse_flat_yaml,
    read_text_and_bytes,
    refuse_newer,
    validate,
)
from commentkit.models.project import AnswerMeta, Approval

FENCE = "---"
ANSWER_SCHEMA_VERSION = 1
"""Answer files carry no ``schema_version`` today; a newer commentkit may add one (then refused)."""


@dataclass
class Answer:
    meta: AnswerMeta
    body: str = ""
    path: Path | None = None
    raw: bytes | None = field(default=None, repr=False)  # as read, for change detection
    changed: Approval | None = None
    """The approval the text no longer matches: the file says final, but its text was changed
    after it was marked final (by any means, e.g. in an editor). Such an answer is loaded as
    ``review`` (``meta.status``) and is not final again until it is marked final again."""

    @property
    def key(self) -> str:
        return self.meta.question or self.meta.section or ""

    @property
    def text(self) -> str:
        return self.body.strip()

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def is_empty(self) -> bool:
        return not self.text

    @property
    def approved(self) -> bool:
        """Final, with a record of who approved this very text and when."""
        a = self.meta.approved
        return self.meta.status == "final" and a is not None and a.sha256 == fingerprint(self.body)

    def changed_note(self) -> str | None:
        """'changed since marked final by X on DATE' when the text changed after approval."""
        if self.changed is None:
            return None
        at = self.changed.at
        return f"changed since marked final by {self.changed.by} on {at:%B} {at.day}, {at.year}"


def fingerprint(body: str) -> str:
    """SHA-256 of an answer's text, normalised so that only a change a reader could see changes
    it: Unicode NFC, line endings, trailing spaces and leading/trailing blank lines do not count."""
    text = unicodedata.normalize("NFC", body.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def approval(body: str, by: str, at) -> Approval:
    """The ``approved:`` record for ``body`` approved by ``by`` at ``at``."""
    return Approval(by=by, at=at, sha256=fingerprint(body))


def settle(answer: Answer) -> Answer:
    """An answer marked final whose text no longer matches its approval is loaded as review."""
    a = answer.meta.approved
    if answer.meta.status == "final" and a is not None and a.sha256 != fingerprint(answer.body):
        answer.changed = a
        answer.meta.status = "review"
    return answer


def parse(text: str, path: Path | None = None) -> tuple[AnswerMeta, str]:
    """Split and validate front matter; a file without front matter is all answer text."""
    if text.startswith("\ufeff"):
        text = text[1:]
    end = text.find("\n")
    if (text if end < 0 else text[:end]).rstrip() != FENCE:
        _refuse_headless_front_matter(text.split("\n"), path)
        return AnswerMeta(), text
    start = pos = end + 1  # the header's lines, up to the closing fence (the body is not split into lines)
    while end >= 0:
        end = text.find("\n", pos)
        if (text[pos:] if end < 0 else text[pos:end]).rstrip() == FENCE:
            header = "\n" + text[start:max(start, pos - 1)]  # leading blank line: YAML line numbers = file lines
            body = "" if end < 0 else text[end + 1:]
            data = parse_flat_yaml(header, path) if header.strip() else {}
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise ProjectFileError("front matter must be a mapping of key: value lines", path, 2)
            version = data.pop("schema_version", ANSWER_SCHEMA_VERSION)
            if version != ANSWER_SCHEMA_VERSION:
                version = declared_version({"schema_version": version}, path, missing=ANSWER_SCHEMA_VERSION)
                refuse_newer(version, ANSWER_SCHEMA_VERSION, path, "answer file")
            meta = validate(AnswerMeta, data, path, header)
            return meta, body.lstrip("\n")
        pos = end + 1
    raise ProjectFileError("front matter starts with '---' but has no closing '---' line", path, 1)


def _refuse_headless_front_matter(lines: list[str], path: Path | None) -> None:
    """A header whose opening '---' was deleted would otherwise print in the letter as text."""
    keys = set(AnswerMeta.model_fields) | {"schema_version"}
    for i, line in enumerate(lines[:20]):
        if line.rstrip() == FENCE:
            if i > 0:
                raise ProjectFileError("the front matter has lost its opening '---' line: add '---' as line 1 "
                                "(the lines above the '---' on line "
                                f"{i + 1} would otherwise print in the letter)", path, 1)
            return
        m = re.match(r"^([A-Za-z_]+):(\s|$)", line)
        if line.strip() and (not m or m.group(1) not in keys):
            return


def read(path: Path) -> Answer:
    path = Path(path)
    text, raw = read_text_and_bytes(path, "answer file")
    meta, body = parse(text, path)
    return settle(Answer(meta=meta, body=body, path=path, raw=raw))


def render(meta: AnswerMeta, body: str) -> str:
    """Serialise an answer: front matter (only the fields that are set) and the Markdown body."""
    data = {k: v for k, v in meta.model_dump(mode="json").items() if v is not None}
    header = dump_yaml(data) if data else ""
    body = body.strip("\n")
    return f"{FENCE}\n{header}{FENCE}\n{body}\n" if body else f"{FENCE}\n{header}{FENCE}\n"
