"""Document model → plain text — :func:`render_text`, :func:`write_text`.

Used for the regulations.gov comment box (at most 5,000 characters; the build checks the
length of exactly this text). Paragraphs are not hard-wrapped (the web form wraps them);
lists keep their markers, quotes are indented, links show their address, footnotes are
numbered ``[1]`` and listed at the end.
"""

from __future__ import annotations

from pathlib import Path

from commentkit.files.storage import atomic_write
from commentkit.models.document import (
    Anchor,
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


class _Text:
    def __init__(self, doc: Document):
        self.doc = doc
        self.numbers: dict[str, int] = {}

    def inl(self, inlines) -> str:
        out = []
        inlines = resolve_confidential(inlines, self.doc.version)
        i = 0
        while i < len(inlines):
            x = inlines[i]
            if isinstance(x, Run):
                if x.url:
                    j = i
                    text = ""
                    while j < len(inlines) and isinstance(inlines[j], Run) and inlines[j].url == x.url:
                        text += inlines[j].text
                        j += 1
                    url = x.url[7:] if x.url.startswith("mailto:") else x.url
                    out.append(text if text.strip() == url else f"{text} ({url})")
                    i = j
                    continue
                out.append(x.text)
            elif isinstance(x, LineBreak):
                out.append("\n")
            elif isinstance(x, FootnoteRef) and x.key in self.doc.footnotes:
                self.numbers.setdefault(x.key, len(self.numbers) + 1)
                out.append(f"[{self.numbers[x.key]}]")
            i += 1
        return "".join(out)

    def blocks(self, blocks, indent: str = "") -> list[str]:
        chunks: list[str] = []
        for b in blocks:
            if isinstance(b, Paragraph):
                t = self.inl(b.inlines)
                if t.strip():
                    chunks.append(t)
            elif isinstance(b, Heading):
                chunks.append(self.inl(b.inlines))
            elif isinstance(b, ListBlock):
                lines = []
                for n, item in enumerate(b.items):
                    marker = f"{b.start + n}." if b.ordered else "-"
                    body = "\n".join(self.blocks(item)).split("\n")
                    lines.append(f"{marker} {body[0]}")
                    lines.extend("   " + ln for ln in body[1:] if ln)
                chunks.append("\n".join(lines))
            elif isinstance(b, Quote):
                inner = "\n\n".join(self.blocks(b.blocks))
                chunks.append("\n".join("    " + ln if ln else "" for ln in inner.split("\n")))
            elif isinstance(b, Table):
                rows = ([b.header] if b.header else []) + b.rows
                chunks.append("\n".join(" | ".join(self.inl(c) for c in r) for r in rows))
            elif isinstance(b, PageBreak):
                continue
            elif isinstance(b, Anchor):
                chunks.extend(self.blocks(b.blocks))
        return chunks

    def render(self) -> str:
        body = "\n\n".join(self.blocks(self.doc.blocks))
        notes = []
        done: set[str] = set()
        while len(done) < len(self.numbers):
            for key, n in list(self.numbers.items()):
                if key not in done:
                    done.add(key)
                    notes.append(f"[{n}] " + "\n".join(self.blocks(self.doc.footnotes.get(key, []))))
        if notes:
            body += "\n\nNotes\n\n" + "\n".join(notes)
        return body.strip() + "\n"


def render_text(doc: Document) -> str:
    """Plain text of ``doc``."""
    return _Text(doc).render()


def write_text(doc: Document, path: Path | str, text: str | None = None) -> Path:
    """Write ``doc`` (or already rendered ``text``) as UTF-8 plain text at ``path``."""
    atomic_write(Path(path), text if text is not None else render_text(doc), readback=False)  # an output
    return Path(path)
