"""Markdown → document model, with markdown-it-py (CommonMark + tables + footnotes).

Entry points:

* :func:`parse_blocks(text, ns="")` → ``(blocks, footnotes)``: the blocks of one Markdown
  text (an answer, or a rendered template) and its footnotes keyed ``"<ns>:<label>"`` so
  that footnotes from different answers never collide.
* :class:`Directive`: a ``::: kind args`` container block from a template (``::: answer
  cfp-1``, ``::: general conclusion``, ``::: address`` ...). Only templates use them;
  :mod:`commentkit.letter.assemble` resolves them, and answers may not contain them.

Templates are parsed with typographic quotes (``"`` and ``'`` become curly); answers are not.

Confidential passages are written ``[[BCI]]text[[/BCI]]`` inside a paragraph; an inline rule
turns the markers into the ``confidential`` flag of the runs between them (an unclosed
marker runs to the end of the paragraph, never further). Raw HTML is not interpreted (it
shows as text), so an answer cannot inject markup into the Word file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from commentkit.models.document import (
    Block,
    FootnoteRef,
    Heading,
    Inline,
    LineBreak,
    ListBlock,
    Paragraph,
    Quote,
    Run,
    Table,
    merge_runs,
)

BCI_OPEN = "[[BCI]]"
BCI_CLOSE = "[[/BCI]]"

DIRECTIVES = frozenset({"answer", "general", "generated", "pagebreak", "letterhead", "letterhead-address", "date",
                        "address", "re", "salutation", "closing", "signature", "question", "question-intro",
                        "summary-label", "summary", "draft", "note", "title", "subtitle", "center"})
"""Container kinds a template may use; all but answer/general/generated/pagebreak set the paragraph role."""


@dataclass
class Directive:
    kind: str
    args: list[str]
    blocks: list = field(default_factory=list)
    line: int | None = None


def _bci_rule(state, silent):
    src = state.src
    pos = state.pos
    if src.startswith(BCI_OPEN, pos):
        if not silent:
            state.push("bci_open", "", 0)
        state.pos += len(BCI_OPEN)
        return True
    if src.startswith(BCI_CLOSE, pos):
        if not silent:
            state.push("bci_close", "", 0)
        state.pos += len(BCI_CLOSE)
        return True
    return False


@lru_cache(maxsize=2)
def _parser(directives: bool):
    from markdown_it import MarkdownIt  # lazy: the Markdown parser; light commands must not load it
    from mdit_py_plugins.footnote import footnote_plugin  # lazy: the Markdown parser; light commands must not load it

    md = MarkdownIt("commonmark", {"html": False, "typographer": directives}).enable("table").use(footnote_plugin)
    md.inline.ruler.before("link", "bci", _bci_rule)
    if directives:
        # Text commentkit writes (templates, generated prose, names and titles they print) gets
        # typographic quotes and apostrophes; an answer is printed as its author typed it.
        md.enable("smartquotes")
        from mdit_py_plugins.container import (
            container_plugin,  # lazy: the Markdown parser; light commands must not load it
        )

        def validate(params: str, markup: str) -> bool:
            word = params.strip().split(" ", 1)[0]
            return word in DIRECTIVES

        md.use(container_plugin, "ck", validate=validate)
    return md


class _Walker:
    def __init__(self, tokens, ns: str):
        self.tokens = tokens
        self.i = 0
        self.ns = ns
        self.footnotes: dict[str, list] = {}

    def key(self, meta) -> str:
        label = meta.get("label")
        return f"{self.ns}:{label if label is not None else meta.get('id')}"

    def blocks(self, until: str | None = None) -> list:
        out: list = []
        toks = self.tokens
        while self.i < len(toks):
            t = toks[self.i]
            ty = t.type
            if until is not None and ty == until:
                self.i += 1
                return out
            self.i += 1
            if ty == "paragraph_open":
                inl = self.inlines(toks[self.i].children or [])
                self.i += 2  # inline, paragraph_close
                if inl:
                    out.append(Paragraph(inl))
            elif ty == "heading_open":
                inl = self.inlines(toks[self.i].children or [])
                self.i += 2
                out.append(Heading(int(t.tag[1]), inl))
            elif ty in ("bullet_list_open", "ordered_list_open"):
                ordered = ty == "ordered_list_open"
                start = int(t.attrs.get("start", 1)) if ordered else 1
                close = ty.replace("_open", "_close")
                items = []
                while toks[self.i].type == "list_item_open":
                    self.i += 1
                    items.append(self.blocks("list_item_close"))
                self.i += 1  # list close
                assert toks[self.i - 1].type == close
                out.append(ListBlock(ordered, items, start))
            elif ty == "blockquote_open":
                out.append(Quote(self.blocks("blockquote_close")))
            elif ty in ("fence", "code_block"):
                lines = t.content.rstrip("\n").split("\n")
                inl = []
                for n, line in enumerate(lines):
                    if n:
                        inl.append(LineBreak())
                    inl.append(Run(line, code=True))
                out.append(Paragraph(inl))
            elif ty == "hr":  # a scene break, as in print; page breaks are a template directive
                out.append(Paragraph([Run("* * *")], role="center"))
            elif ty == "table_open":
                out.append(self.table())
            elif ty == "html_block":  # html is disabled; kept for safety
                out.append(Paragraph([Run(t.content.strip())]))
            elif ty == "footnote_block_open":
                self.footnote_block()
            elif ty == "container_ck_open":
                info = t.info.strip().split()
                inner = self.blocks("container_ck_close")
                out.append(Directive(info[0], info[1:], inner, t.map[0] + 1 if t.map else None))
            # other tokens (e.g. link reference definitions) carry nothing to render
        return out

    def table(self) -> Table:
        toks = self.tokens
        header: list = []
        rows: list = []
        current: list | None = None
        in_head = False
        while self.i < len(toks):
            t = toks[self.i]
            self.i += 1
            if t.type == "table_close":
                break
            if t.type == "thead_open":
                in_head = True
            elif t.type == "thead_close":
                in_head = False
            elif t.type == "tr_open":
                current = []
            elif t.type == "tr_close":
                if in_head:
                    header = current or []
                else:
                    rows.append(current or [])
            elif t.type == "inline" and current is not None:
                current.append(self.inlines(t.children or []))
        return Table(header, rows)

    def footnote_block(self) -> None:
        toks = self.tokens
        while self.i < len(toks) and toks[self.i].type != "footnote_block_close":
            t = toks[self.i]
            self.i += 1
            if t.type == "footnote_open":
                key = self.key(t.meta)
                self.footnotes[key] = self.blocks("footnote_close")
        self.i += 1

    def inlines(self, children) -> list[Inline]:
        out: list[Inline] = []
        bold = italic = bci = False
        url: str | None = None
        for c in children:
            ty = c.type
            if ty == "text":
                if c.content:
                    out.append(Run(c.content, bold, italic, False, url, bci))
            elif ty == "softbreak":
                out.append(Run(" ", bold, italic, False, url, bci))
            elif ty == "hardbreak":
                out.append(LineBreak())
            elif ty == "code_inline":
                out.append(Run(c.content, bold, italic, True, url, bci))
            elif ty == "strong_open":
                bold = True
            elif ty == "strong_close":
                bold = False
            elif ty == "em_open":
                italic = True
            elif ty == "em_close":
                italic = False
            elif ty == "link_open":
                href = c.attrs.get("href")
                url = str(href) if href else None
            elif ty == "link_close":
                url = None
            elif ty == "bci_open":
                bci = True
            elif ty == "bci_close":
                bci = False
            elif ty == "image":
                alt = "".join(x.content for x in (c.children or []) if x.type == "text")
                out.append(Run(f"[image: {alt}]" if alt else "[image]", bold, italic, False, url, bci))
            elif ty == "footnote_ref":
                out.append(FootnoteRef(self.key(c.meta)))
            elif ty == "footnote_anchor":
                continue
            elif ty == "html_inline":
                out.append(Run(c.content, bold, italic, False, url, bci))
            elif c.content:
                out.append(Run(c.content, bold, italic, False, url, bci))
        return merge_runs(out)


def parse_blocks(text: str, ns: str = "", *, directives: bool = False) -> tuple[list[Block], dict[str, list[Block]]]:
    """Parse Markdown into blocks and footnotes (keys prefixed with ``ns:``)."""
    md = _parser(directives)
    tokens = md.parse(text)
    w = _Walker(tokens, ns)
    blocks = w.blocks()
    return blocks, w.footnotes
