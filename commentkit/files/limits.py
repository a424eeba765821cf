"""The limit table, and the checks that keep every accepted input readable again.

One table of sizes and counts, used on input (a reader refuses a larger file) *and* on output
(nothing is written that the next read would refuse: :mod:`commentkit.files.storage` checks
:data:`TEXT_FILE_BYTES` and the characters below before every text write).

Characters a file cannot hold: NUL (every reader refuses it: it marks a binary file) and lone
surrogates (what Python makes of bytes that are not UTF-8: they cannot be written as UTF-8).
Other control characters are held and read back (the letter writers drop them from the Word
file). Every input path (standard input, ``--text``, ``--file``, ``--answers``, the interview's
prompts, member responses and forms; Word import cannot carry them) passes through
:func:`check_text` or :func:`decode_input`, which refuse them with one line naming the input and
where the character is.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from commentkit.errors import LimitError, UserError

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    name: str
    value: int
    unit: str  # "bytes" or "" (a count)
    what: str


TABLE: dict[str, Limit] = {limit.name: limit for limit in (
    Limit("text_file", 20 * MiB, "bytes", "any text file commentkit reads (YAML, answers, Markdown)"),
    Limit("profile", 20 * MiB, "bytes", "profile.yaml and --answers files"),
    Limit("pack_file", 20 * MiB, "bytes", "docket.yaml, questions.yaml, interview.yaml"),
    Limit("word_file", 50 * MiB, "bytes", "a Word file read (letterhead, import-docx, member form)"),
    Limit("member_form", 30 * MiB, "bytes", "a returned member form"),
    Limit("association_template", 20 * MiB, "bytes", "a sealed association template"),
    Limit("letter_template", 1_000_000, "bytes", "one letter template (.j2)"),
    Limit("fetched_document", 50 * MiB, "bytes", "a document fetched from the Federal Register"),
    Limit("members", 10_000, "", "member responses read by one collect"),
    Limit("forms", 2_000, "", "returned Word forms read by one collect"),
)}

TEXT_FILE_BYTES = TABLE["text_file"].value
PROFILE_BYTES = TABLE["profile"].value
PACK_FILE_BYTES = TABLE["pack_file"].value
WORD_FILE_BYTES = TABLE["word_file"].value
MEMBER_FORM_BYTES = TABLE["member_form"].value
ASSOCIATION_TEMPLATE_BYTES = TABLE["association_template"].value
LETTER_TEMPLATE_BYTES = TABLE["letter_template"].value
FETCHED_DOCUMENT_BYTES = TABLE["fetched_document"].value
MAX_MEMBERS = TABLE["members"].value
MAX_FORMS = TABLE["forms"].value

ANSWER_HEADER_ROOM = 64 * 1024
"""Room kept for an answer's front matter: an answer *text* may be at most TEXT_FILE_BYTES minus this,
so the file with its header is never larger than what the next read accepts."""



def answer_text_limit() -> int:
    """Most bytes an answer's text may have: the file limit less the room for its header."""
    return TEXT_FILE_BYTES - ANSWER_HEADER_ROOM

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def describe(ch: str) -> str:
    if ch == "\x00":
        return "a NUL character"
    if "\ud800" <= ch <= "\udfff":
        return "a byte that is not UTF-8"
    return f"the control character U+{ord(ch):04X}"


def find_unstorable(text: str) -> re.Match | None:
    """The first character a commentkit file cannot hold, or None."""
    return _UNSTORABLE.search(text)


def check_text(text: str, source: str, path: Path | str | None = None,
               after: str = "Nothing was written") -> str:
    """``text`` unchanged, or a one-line UserError naming ``source`` and the line of the first
    character that no commentkit file can hold (``after`` ends the message)."""
    m = _UNSTORABLE.search(text)
    if m is None:
        return text
    line = text.count("\n", 0, m.start()) + 1
    tail = f". {after}" if after else ""
    if "\ud800" <= m.group() <= "\udfff":
        offset = len(text[: m.start()].encode("utf-8", "surrogateescape"))
        raise UserError(f"{source} is not UTF-8 at byte {offset} (line {line}); save it as UTF-8 text{tail}",
                        path, line if path is not None else None)
    raise UserError(f"{source} contains {describe(m.group())} (line {line}), which commentkit files cannot "
                    f"hold; remove it{tail}", path, line if path is not None else None)


def decode_input(raw: bytes, source: str, path: Path | str | None = None,
                 after: str = "Nothing was written") -> str:
    """Decode input bytes (UTF-8, byte-order mark allowed) and check the characters; one line on error:
    "<source> is not UTF-8 at byte N"."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        line = raw[:start].count(b"\n") + 1
        tail = f". {after}" if after else ""
        raise UserError(f"{source} is not UTF-8 at byte {start} (line {line}); save it as UTF-8 text{tail}",
                        path, line if path is not None else None) from None
    return check_text(text, source, path, after)


def from_argument(value: str, source: str) -> str:
    """A command-line argument as text: Python hands over bytes that are not UTF-8 as lone
    surrogates; those give "is not UTF-8 at byte N"."""
    if _UNSTORABLE.search(value) is None:
        return value
    try:
        raw = os.fsencode(value)
    except UnicodeError:
        raw = value.encode("utf-8", "surrogatepass")
    return decode_input(raw, source)


def check_size(n: int, limit: str | int, what: str, path: Path | str | None = None) -> None:
    """Refuse ``n`` bytes (or items) above the limit named ``limit`` (or the number given)."""
    value = TABLE[limit].value if isinstance(limit, str) else limit
    unit = TABLE[limit].unit if isinstance(limit, str) else "bytes"
    if n > value:
        if unit == "bytes":
            raise LimitError(f"{what} is too large ({n:,} bytes; limit {value:,} = {value / MiB:.1f} MiB)", path)
        raise LimitError(f"{what}: too many ({n:,}; limit {value:,})", path)


def read_stream(stream, source: str, limit: int | None = None) -> str:
    """Read a binary stream (standard input) up to ``limit`` bytes (default: an answer's text),
    decoded and checked."""
    limit = answer_text_limit() if limit is None else limit
    chunks = []
    got = 0
    while True:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        if isinstance(chunk, str):  # a text stream (tests): its characters as UTF-8
            chunk = chunk.encode("utf-8", "surrogateescape")
        chunks.append(chunk)
        got += len(chunk)
        if got > limit:
            raise LimitError(f"{source} is too large (more than {limit:,} bytes; an answer holds at most "
                             f"{limit / MiB:.1f} MiB). Nothing was written")
    return decode_input(b"".join(chunks), source)
