"""Document model -> HTML, for the letter preview and the answer editor's live preview.

The browser sees exactly what the Word writer sees: the same blocks from the same Markdown
pipeline (``letter.markdown_in.parse_blocks`` for one answer, ``commentkit.build.build_letter`` for the
whole letter). Every text is escaped; links keep only http(s) and mailto targets.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from commentkit.letter.markdown_in import parse_blocks
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

_SAFE_SCHEMES = ("http://", "https://", "mailto:")


class _Writer:
    def __init__(self, footnotes: dict, version: str, link_answers: str | None = None):
        self.footnotes = footnotes
        self.version = version
        self.order: list[str] = []
        self.link_answers = link_answers  # URL prefix of the answer editor, to link each answer

    def inlines(self, inlines) -> str:
        out = []
        for x in resolve_confidential(list(inlines), self.version):  # type: ignore[arg-type]
            if isinstance(x, Run):
                t = str(escape(x.text))
                if x.code:
                    t = f"<code>{t}</code>"
                if x.italic:
                    t = f"<em>{t}</em>"
                if x.bold:
                    t = f"<strong>{t}</strong>"
                if x.confidential:
                    t = f'<span class="bci">{t}</span>'
                if x.url and x.url.lower().startswith(_SAFE_SCHEMES):
                    t = f'<a href="{escape(x.url)}" rel="noreferrer noopener">{t}</a>'
                out.append(t)
            elif isinstance(x, LineBreak):
                out.append("<br>")
            elif isinstance(x, FootnoteRef):
                if x.key not in self.order:
                    self.order.append(x.key)
                n = self.order.index(x.key) + 1
                out.append(f'<sup class="fnref"><a href="#fn-{n}" id="fnref-{n}">{n}</a></sup>')
        return "".join(out)

    def blocks(self, blocks) -> str:
        out = []
        for b in blocks:
            if isinstance(b, Paragraph):
                role = b.role if b.role != "body" else ""
                cls = f' class="role-{escape(role)}"' if role else ""
                out.append(f"<p{cls}>{self.inlines(b.inlines)}</p>")
            elif isinstance(b, Heading):
                level = min(6, max(2, b.level + 1))  # the page has its own h1
                out.append(f"<h{level}>{self.inlines(b.inlines)}</h{level}>")
            elif isinstance(b, ListBlock):
                tag = "ol" if b.ordered else "ul"
                start = f' start="{b.start}"' if b.ordered and b.start != 1 else ""
                items = "".join(f"<li>{self.blocks(item)}</li>" for item in b.items)
                out.append(f"<{tag}{start}>{items}</{tag}>")
            elif isinstance(b, Quote):
                out.append(f"<blockquote>{self.blocks(b.blocks)}</blockquote>")
            elif isinstance(b, Table):
                head = "".join(f"<th scope=\"col\">{self.inlines(c)}</th>" for c in b.header)
                rows = "".join("<tr>" + "".join(f"<td>{self.inlines(c)}</td>" for c in r) + "</tr>" for r in b.rows)
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
            elif isinstance(b, PageBreak):
                out.append('<hr class="pagebreak" aria-label="page break">')
            elif isinstance(b, Anchor):
                link = ""
                if self.link_answers and b.key:
                    link = (f'<a class="edit-link" href="{escape(self.link_answers)}{escape(b.key)}">'
                            f"Edit {escape(b.key)}</a>")
                out.append(f'<section class="answer" id="{escape(b.name)}">{link}{self.blocks(b.blocks)}</section>')
        return "".join(out)

    def notes(self) -> str:
        if not self.order:
            return ""
        items = []
        seen = 0
        while seen < len(self.order):  # a footnote may reference another one
            key = self.order[seen]
            seen += 1
            n = self.order.index(key) + 1
            body = self.blocks(self.footnotes.get(key, []))
            items.append(f'<li id="fn-{n}">{body} <a href="#fnref-{n}" aria-label="back to text">↩</a></li>')
        return f'<section class="footnotes" aria-label="Footnotes"><ol>{"".join(items)}</ol></section>'


def blocks_html(blocks, footnotes: dict, version: str = "confidential") -> Markup:
    """HTML of some blocks (one answer's Markdown), with its footnotes at the end."""
    w = _Writer(footnotes, version)
    body = w.blocks(blocks)
    return Markup(body + w.notes())


def document_html(doc: Document, link_answers: str | None = None) -> Markup:
    """HTML of a whole letter, in its version; each answer links to its editor."""
    w = _Writer(doc.footnotes, doc.version, link_answers)
    body = w.blocks(doc.blocks)
    return Markup(body + w.notes())


def markdown_html(text: str) -> Markup:
    """An answer's Markdown through the letter's own Markdown pipeline, as HTML."""
    blocks, notes = parse_blocks(text, "preview")
    return blocks_html(blocks, notes)
