"""One registry of leftover markers: text a person must replace or delete before filing.

Everything commentkit itself inserts for a person to act on (the member-input notes that
``collect`` writes into the consolidated draft, the label on text generated from the
questionnaire, the editor's instruction block, the member form's field marks) is listed in
:data:`COMMENTKIT_MARKERS`; the writers take the text they insert from here
(:func:`member_input_note`, :func:`member_statistics_note`, :data:`GENERATED_LABEL`), and
``commentkit check`` finds it with :func:`scan_placeholders`, together with the ordinary
drafting placeholders (TODO, TBD, TK, XX, ``[insert date]``, ``{{ }}``, ``<< >>``).

Pure: regular expressions only (``check`` imports it; no third-party library).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# ---- what commentkit inserts ---------------------------------------------------------------

GENERATED_LABEL = "[Generated from the questionnaire: not yet approved]"
"""Shown above generated text in a ``build --draft`` letter (never in a final build)."""

MEMBER_LABEL = "[Member input: not yet approved]"
"""Shown above an answer holding member input (``origin: collect``) in a ``build --draft`` letter."""

SUMMARY_LABEL = "Summary of the request (not the agency\N{RIGHT SINGLE QUOTATION MARK}s words)"
"""Label above a question the letter gives in commentkit's summary, not the agency's words."""


def _long(d: dt.date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def member_input_note(day: dt.date) -> str:
    """The note ``collect`` puts before member input it quotes in the consolidated draft."""
    return f"[Member input inserted by commentkit collect on {_long(day)}: edit or delete before filing.]"


def member_statistics_note(day: dt.date) -> str:
    """The note ``collect`` puts before the member statistics in the draft's background."""
    return f"[Member statistics inserted by commentkit collect on {_long(day)}: edit before filing.]"


@dataclass(frozen=True)
class Marker:
    name: str
    pattern: re.Pattern
    what: str  # how check describes it


COMMENTKIT_MARKERS: tuple[Marker, ...] = (
    Marker("member-input", re.compile(r"\[Member (?:input|statistics) inserted by commentkit collect[^\[\]\n]{0,200}\]"),
           "member input inserted by commentkit collect"),
    Marker("generated", re.compile(re.escape(GENERATED_LABEL)), "label on text generated from the questionnaire"),
    Marker("member-label", re.compile(re.escape(MEMBER_LABEL)), "label on member input"),
    Marker("commentkit-note", re.compile(r"\[[^\[\]\n]{0,200}\bcommentkit\b[^\[\]\n]{0,200}\]"),
           "note inserted by commentkit"),
    Marker("editor-instructions", re.compile(r"<!-- commentkit:|commentkit: end of instructions -->"),
           "the editor's instruction block"),
    Marker("form-field", re.compile("\u2063CKFIELD:[\\w.-]*"), "a member form field mark"),
)
"""Markers commentkit inserts for a person to replace (each is a ``placeholder`` error in check)."""


@dataclass(frozen=True)
class Hit:
    line: int  # 1-based, within the scanned text
    text: str  # what matched
    kind: str


# Patterns that open with a lookbehind start with a lookahead for the character every match begins
# with: the same matches, without trying the lookbehind at every character (3x faster on answers).
_PLACEHOLDER_WORD = re.compile(r"(?=[TFtf])(?<![\w-])(TODO|TBD|TBC|TKTK|TK|FIXME|todo|tbd|fixme|To ?do:|TO ?DO:?)(?![\w-])")
_XX = re.compile(r"(?<![A-Za-z0-9])(\$?\d*XX+%?|xx+)(?![A-Za-z0-9])")
_NUMBERED_TITLE = re.compile(r"(?i)(title|chapter|part|article|section|subtitle|division|schedule|annex|book|"
                             r"volume|amendment|subpart|class)\s+$")
_TEMPLATE_SYNTAX = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\{|\}\}|<<[^<>\n]{0,60}>>")
_BRACKET = re.compile(r"(?=\[)(?<![\[\]!\\])\[([^\[\]\n]{0,80})\](?![\[(:])")
_ALLOWED_BRACKET = re.compile(
    r"(?i)^\s*(\.\.\.|…|\.\s?\.\s?\.|sic\.?|emphasis (added|in original|omitted|supplied)|"
    r"(internal )?(citations?|quotation marks|footnotes?|brackets|alterations?)( and [a-z ]+)? omitted|"
    r"alterations? in original|business confidential.*|redacted|public version|bci|/bci|sic throughout|"
    r"i{1,3}|iv|v|vi{1,3}|ix|x|\d+|[a-z]{1,3}|[A-Z])\s*$")
_FILL_WORDS = re.compile(
    r"(?i)^\s*(insert|add|fill(\s+in)?|complete|confirm|check|verify|update|describe|provide|cite|citation|"
    r"(?:explain|discuss|summari[sz]e|identify|attach|delete|edit|replace|choose|select|to come|tk)\b|"
    r"include|enter|placeholder|need|needs|tbd|todo|name\b|name of|date\b|date of|number\b|number of|amount|"
    r"figure|dollar|percent|client|company|commenter|firm|x+\b|\?+)")
_FILL_CHARS = re.compile(r"^[\s_.•●▪■□*\-–—?xX#]*$")
_ALLCAPS = re.compile(r"^[A-Z0-9][A-Z0-9 ,'&/.\-]*$")

def line_of(text: str, pos: int) -> int:
    """1-based line number of position ``pos`` in ``text``."""
    return text.count("\n", 0, pos) + 1


def _numbered_title_before(text: str, start: int) -> bool:
    return bool(_NUMBERED_TITLE.search(text[max(0, start - 20):start]))


def scan_placeholders(text: str) -> list[Hit]:
    """Leftover drafting placeholders in Markdown ``text``: TODO/TBD/FIXME, XX, ``{{ }}``, ``<< >>``
    and bracketed fill-ins such as ``[insert date]``, ``[CLIENT NAME]`` or ``[___]``.

    Not flagged: Markdown links and footnotes (``[text](url)``, ``[text][ref]``, ``[^1]``),
    confidential markers (``[[BCI]]``) and the redaction marker, legal alterations and
    omissions in quotations (``[t]he``, ``[sic]``, ``[...]``, ``[emphasis added]``), numbered
    references (``[1]``), and roman numerals such as Title XX.
    """
    hits: list[Hit] = []
    spans: list[tuple[int, int]] = []
    own: list[tuple[int, int]] = []  # commentkit's own markers: one finding each, nothing inside them again
    if "commentkit" in text or "\u2063" in text or "[Generated" in text:
        for marker in COMMENTKIT_MARKERS:
            for m in marker.pattern.finditer(text):
                if any(s <= m.start() < e for s, e in own):
                    continue
                hits.append(Hit(line_of(text, m.start()), m.group(0), "commentkit"))
                spans.append(m.span())
                own.append(m.span())
    for m in _PLACEHOLDER_WORD.finditer(text):
        hits.append(Hit(line_of(text, m.start()), m.group(0), "word"))
        spans.append(m.span())
    for m in _XX.finditer(text) if ("XX" in text or "xx" in text) else ():  # every match holds one
        tok = m.group(0)
        if tok.isupper() and tok.strip("$%").isalpha() and _numbered_title_before(text, m.start()):
            continue  # Title XX, Chapter XX: a roman numeral
        hits.append(Hit(line_of(text, m.start()), tok, "xx"))
        spans.append(m.span())
    for m in _TEMPLATE_SYNTAX.finditer(text):
        hits.append(Hit(line_of(text, m.start()), m.group(0)[:40], "template"))
        spans.append(m.span())
    for m in _BRACKET.finditer(text):
        inner = m.group(1)
        if inner.startswith("^") or _ALLOWED_BRACKET.match(inner):
            continue
        end = m.end()
        if text.startswith("]", end):  # [[BCI]] and the like
            continue
        if (_FILL_CHARS.match(inner) or _FILL_WORDS.match(inner)
                or (_ALLCAPS.match(inner.strip()) and sum(c.isalpha() for c in inner) >= 4)):
            hits.append(Hit(line_of(text, m.start()), m.group(0), "bracket"))
            spans.append(m.span())
    brackets = [m.span() for m in _BRACKET.finditer(text)
                if any(h.kind == "bracket" and h.text == m.group(0) for h in hits)]
    if brackets or own:  # 'TBD' inside '[TITLE TBD]' is one placeholder, not two
        keep = []
        for h, (start, end) in zip(hits, spans):
            if h.kind not in ("bracket", "commentkit") and any(bs <= start and end <= be for bs, be in brackets):
                continue
            if h.kind != "commentkit" and any(bs <= start and end <= be for bs, be in own):
                continue
            keep.append(h)
        hits = keep
    hits.sort(key=lambda h: h.line)
    return hits


