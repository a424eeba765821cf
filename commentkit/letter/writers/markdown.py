"""Document model → Markdown (for review and version control) — :func:`write_markdown`.

:func:`inlines_to_markdown` and :func:`blocks_to_markdown` are also what ``import-docx``
uses to turn edited Word paragraphs back into answer Markdown, so the two directions agree:
bold is ``**…**``, italic ``_…_``, links ``[text](url)``, lists ``-`` / ``1.``, quotes ``>``,
confidential passages ``[[BCI]]…[[/BCI]]``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from commentkit.files.storage import atomic_write
from commentkit.models.document import (
    Anchor,
    Block,
    Document,
    FootnoteRef,
    Heading,
    LineBreak,
    ListBlock,
    PageBreak,
    Paragraph,
    Quote,
    Run,
    Table,
    resolve_confidential,
)

_ESC = re.compile(r"([\\`*_\[\]<>|])")
_LEAD = re.compile(r"^(\s*)([-+#>=]|\d+[.)]|:::)")


def escape_text(text: str) -> str:
    return _ESC.sub(r"\\\1", text)


def _wrap(text: str, marker: str) -> str:
    """Put emphasis markers around text, keeping surrounding spaces outside them."""
    stripped = text.strip()
    if not stripped:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{lead}{marker}{stripped}{marker}{trail}"


def _styled(runs: list[Run]) -> str:
    out = []
    for r in runs:
        t = r.text
        if r.code:
            tick = "``" if "`" in t else "`"
            out.append(f"{tick}{t}{tick}")
            continue
        t = escape_text(t)
        if r.italic:
            t = _wrap(t, "_")
        if r.bold:
            t = _wrap(t, "**")
        out.append(t)
    return "".join(out)


def inlines_to_markdown(inlines, version: Any = "plain", footnote_label=None) -> str:
    """Markdown text of inline runs. For the confidential version, passages keep their
    ``[[BCI]]`` markers; public and plain resolve them (see document.resolve_confidential)."""
    if version != "confidential":
        inlines = resolve_confidential(inlines, version)
    out: list[str] = []
    buf: list[Run] = []
    in_bci = False

    def flush():
        if not buf:
            return
        groups: list[list[Run]] = []
        for r in buf:
            if groups and groups[-1][0].url == r.url:
                groups[-1].append(r)
            else:
                groups.append([r])
        for g in groups:
            text = _styled(g)
            out.append(f"[{text}]({g[0].url})" if g[0].url else text)
        buf.clear()

    for x in inlines:
        if isinstance(x, Run):
            if x.confidential != in_bci:
                flush()
                out.append("[[BCI]]" if x.confidential else "[[/BCI]]")
                in_bci = x.confidential
            buf.append(x)
        elif isinstance(x, LineBreak):
            flush()
            out.append("\\\n")
        elif isinstance(x, FootnoteRef):
            flush()
            out.append(f"[^{footnote_label(x.key) if footnote_label else x.key}]")
    flush()
    if in_bci:
        out.append("[[/BCI]]")
    text = "".join(out)
    return _LEAD.sub(_escape_lead, text, count=1)


def _escape_lead(m: re.Match) -> str:
    lead, mark = m.group(1), m.group(2)
    if mark[0].isdigit():  # "1." would start a list: escape the dot
        return lead + mark[:-1] + "\\" + mark[-1]
    return lead + "\\" + mark


def blocks_to_markdown(blocks, version: str = "plain", footnote_label=None, indent: str = "") -> str:
    """Markdown for a list of blocks (paragraphs separated by blank lines)."""
    chunks: list[str] = []
    for b in blocks:
        chunks.append(_block(b, version, footnote_label))
    text = "\n\n".join(c for c in chunks if c is not None and c != "")
    if indent:
        text = "\n".join(indent + ln if ln else ln for ln in text.split("\n"))
    return text


def _block(b, version, fl) -> str:
    if isinstance(b, Paragraph):
        text = inlines_to_markdown(b.inlines, version, fl)
        if b.role in ("letterhead", "summary-label", "generated-mark"):
            return f"**{text}**" if text else ""
        return text
    if isinstance(b, Heading):
        return "#" * max(1, min(b.level, 6)) + " " + inlines_to_markdown(b.inlines, version, fl)
    if isinstance(b, ListBlock):
        lines = []
        for n, item in enumerate(b.items):
            marker = f"{b.start + n}." if b.ordered else "-"
            parts = [_block(x, version, fl) for x in item]
            body = ""
            for k, part in enumerate(parts):  # a nested list follows its item's text directly
                if k:
                    body += "\n" if isinstance(item[k], ListBlock) and isinstance(item[k - 1], Paragraph) else "\n\n"
                body += part
            pad = " " * (len(marker) + 1)
            first, *rest = body.split("\n") if body else [""]
            lines.append(f"{marker} {first}".rstrip())
            lines.extend((pad + ln) if ln else "" for ln in rest)
        return "\n".join(lines)
    if isinstance(b, Quote):
        inner = blocks_to_markdown(b.blocks, version, fl)
        return "\n".join(("> " + ln) if ln else ">" for ln in inner.split("\n"))
    if isinstance(b, Table):
        ncols = max([len(b.header)] + [len(r) for r in b.rows] + [1])

        def row(cells):
            cells = list(cells) + [[]] * (ncols - len(cells))
            return "| " + " | ".join(inlines_to_markdown(c, version, fl).replace("\n", " ") for c in cells) + " |"

        lines = [row(b.header or [[] for _ in range(ncols)]), "|" + "---|" * ncols]
        lines.extend(row(r) for r in b.rows)
        return "\n".join(lines)
    if isinstance(b, PageBreak):
        return "* * *"
    if isinstance(b, Anchor):
        return blocks_to_markdown(b.blocks, version, fl)
    return ""


def markdown_with_footnotes(blocks, footnotes: dict, version: str) -> tuple[str, list[str]]:
    """Markdown for ``blocks`` and its footnote definitions, numbered in order of reference
    (a footnote referenced inside another footnote is numbered when first met)."""
    numbers: dict[str, int] = {}

    def label(key: str) -> str:
        if key not in numbers:
            numbers[key] = len(numbers) + 1
        return str(numbers[key])

    body = blocks_to_markdown(blocks, version, label)
    notes = []
    done: set[str] = set()
    while len(done) < len(numbers):
        for key, n in list(numbers.items()):
            if key in done:
                continue
            done.add(key)
            text = blocks_to_markdown(footnotes.get(key, []), version, label)
            first, *rest = text.split("\n") if text else [""]
            notes.append(f"[^{n}]: {first}" + "".join("\n    " + ln if ln else "\n" for ln in rest))
    return body, notes


def render_markdown(doc: Document) -> str:
    """The whole document as Markdown, footnotes numbered at the end."""
    body, notes = markdown_with_footnotes(doc.blocks, doc.footnotes, doc.version)
    head = f"<!-- {doc.header_text} -->\n\n" if doc.header_text else ""
    return head + body + ("\n\n" + "\n".join(notes) if notes else "") + "\n"


def write_markdown(doc: Document, path: Path | str) -> Path:
    """Write ``doc`` as Markdown at ``path`` (atomically); returns the path."""
    atomic_write(Path(path), render_markdown(doc), readback=False)  # an output: never read back
    return Path(path)


# ---- canonical Markdown of imported Word text (import-docx, returned member forms) ---------------

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def region_markdown(blocks: list[Block], footnotes: dict[str, list[Block]], version: str = "confidential") -> str:
    """Canonical Markdown for an answer's blocks: footnotes numbered in order of reference. Version
    "confidential" (the default) keeps [[BCI]] marks as marks; "public" redacts the passages and
    "plain" drops the marks, as those versions of the letter show them."""
    body, notes = markdown_with_footnotes(_merge_quotes(blocks), footnotes, version)
    text = body.strip() + ("\n\n" + "\n".join(notes) if notes else "") + "\n"
    return _CONTROL.sub("", text)


def _merge_quotes(blocks: list[Block]) -> list[Block]:
    """Adjacent block quotes are one quote in Word (nothing separates them there)."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Quote) and out and isinstance(out[-1], Quote):
            out[-1] = Quote(out[-1].blocks + b.blocks)
        else:
            out.append(b)
    return out
