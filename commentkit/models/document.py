"""The document model every writer consumes: a pure tree of blocks and inline runs.

Templates and answers (Markdown) are turned into this model by
:mod:`commentkit.letter.markdown_in`; :mod:`commentkit.letter.assemble` builds a whole letter
(``build_document``); the writers in :mod:`commentkit.letter.writers` turn it into DOCX,
Markdown and plain text. Nothing here touches files or third-party libraries.

Blocks
    :class:`Heading`, :class:`Paragraph` (with a named paragraph *role* such as
    ``letterhead`` or ``question``), :class:`ListBlock`, :class:`Quote`, :class:`Table`,
    :class:`PageBreak` and :class:`Anchor` (a named group of blocks: one answer or one
    general section; becomes a Word bookmark so edits can be imported back). Every block
    carries a :class:`Provenance`: counsel's answer (with its status), generated from the
    questionnaire, member input, an association position, or the letter form (boilerplate).

Inlines
    :class:`Run` (text with bold / italic / code / link and the *confidential* flag for
    ``[[BCI]]…[[/BCI]]`` passages), :class:`FootnoteRef` and :class:`LineBreak`.

Versions
    A document is rendered in one *version*: ``"public"`` (confidential passages replaced
    by :data:`REDACTED`), ``"confidential"`` (passages bracketed, every page marked
    BUSINESS CONFIDENTIAL) or ``"plain"`` (passages rendered as ordinary text, used when
    the docket does not take confidential material). :func:`resolve_confidential` applies
    the version to inline runs; writers call it so no writer can leak redacted text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterator, Literal, Union

Version = Literal["public", "confidential", "plain"]
VERSIONS: tuple[str, ...] = ("public", "confidential", "plain")

REDACTED = "[BUSINESS CONFIDENTIAL INFORMATION REDACTED]"
BCI_OPEN_MARK = "[["
BCI_CLOSE_MARK = "]]"
CONFIDENTIAL_HEADER = "BUSINESS CONFIDENTIAL"
PUBLIC_HEADER = "PUBLIC VERSION"


# ---- inlines ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    url: str | None = None
    confidential: bool = False

    def styled(self, **changes: Any) -> "Run":
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class FootnoteRef:
    """A reference to ``Document.footnotes[key]``."""

    key: str


@dataclass(frozen=True)
class LineBreak:
    pass


Inline = Union[Run, FootnoteRef, LineBreak]


# ---- provenance --------------------------------------------------------------------------

Source = Literal["answer", "generated", "association", "member", "boilerplate"]
SOURCES: tuple[str, ...] = ("answer", "generated", "association", "member", "boilerplate")


@dataclass(frozen=True)
class Provenance:
    """Where a block's text came from, and whether a person approved it for filing.

    * ``answer``: counsel's own answer file (``key``), with its ``status``;
    * ``generated``: text commentkit drafted (from the questionnaire: ``origin``);
    * ``member``: member input that ``commentkit collect`` inserted;
    * ``association``: an association's position in a member's sign-on letter;
    * ``boilerplate``: the letter form itself (the template: letterhead, Re line, closing ...).

    Generated and member text is approved only when its answer file is final *with* a record
    of who approved it and when (``approved_by``, ``approved_at``); an answer is approved when
    final; the letter form is approved with the template.
    """

    source: Source = "boilerplate"
    key: str = ""
    status: str | None = None
    approved_by: str | None = None
    approved_at: str | None = None
    origin: str | None = None

    @property
    def approved(self) -> bool:
        if self.source in ("boilerplate", "association"):
            return True
        if self.source == "answer":
            return self.status == "final"
        return self.status == "final" and bool(self.approved_by and self.approved_at)


BOILERPLATE = Provenance()


# ---- blocks ----------------------------------------------------------------------------

ROLES = ("body", "letterhead", "letterhead-address", "date", "address", "re", "salutation", "closing",
         "signature", "question", "question-intro", "summary-label", "summary", "draft", "generated",
         "generated-mark", "note", "title", "subtitle", "center")
"""Paragraph roles: each maps to a Word style (see writers.docx.STYLE_OF_ROLE)."""


@dataclass
class Paragraph:
    inlines: list[Inline]
    role: str = "body"
    provenance: Provenance | None = None


@dataclass
class Heading:
    level: int
    inlines: list[Inline]
    provenance: Provenance | None = None


@dataclass
class ListBlock:
    ordered: bool
    items: list[list["Block"]]
    start: int = 1
    provenance: Provenance | None = None


@dataclass
class Quote:
    blocks: list["Block"]
    provenance: Provenance | None = None


@dataclass
class Table:
    header: list[list[Inline]]
    rows: list[list[list[Inline]]]
    provenance: Provenance | None = None


@dataclass
class PageBreak:
    provenance: Provenance | None = None


@dataclass
class Anchor:
    """A named region (``ck_q_cfp_1`` / ``ck_g_conclusion``) wrapping one answer's blocks."""

    name: str
    blocks: list["Block"]
    key: str = ""          # question id or general section name
    kind: str = "answer"   # "answer" or "general"
    provenance: Provenance | None = None


Block = Union[Paragraph, Heading, ListBlock, Quote, Table, PageBreak, Anchor]


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    footnotes: dict[str, list[Block]] = field(default_factory=dict)
    title: str = ""
    author: str = ""
    subject: str = ""
    keywords: str = ""
    header_text: str = ""
    version: Version = "plain"
    draft: bool = False
    created: str = "2000-01-01T00:00:00Z"
    """ISO timestamp written to the document properties (fixed, so builds are reproducible)."""
    properties: dict[str, str] = field(default_factory=dict)
    """Custom document properties (commentkit.docket, commentkit.project, commentkit.version...)."""

    def iter_blocks(self) -> Iterator[Block]:
        yield from walk(self.blocks)

    def anchors(self) -> list[Anchor]:
        return [b for b in self.iter_blocks() if isinstance(b, Anchor)]


def set_provenance(blocks: list[Block], prov: Provenance, *, replace: bool = False) -> list[Block]:
    """Give ``prov`` to every block (depth first) that has none yet (every block with ``replace``)."""
    for b in walk(blocks):
        if replace or b.provenance is None:
            b.provenance = prov
    return blocks


def provenance_of(block: Block) -> Provenance:
    return block.provenance or BOILERPLATE


def unapproved(blocks: list[Block]) -> list[Block]:
    """Top-level blocks (and anchors) whose text no person has approved for filing."""
    return [b for b in blocks if not provenance_of(b).approved]


def walk(blocks: list[Block]) -> Iterator[Block]:
    """Every block, depth first, containers before their content."""
    for b in blocks:
        yield b
        if isinstance(b, (Quote, Anchor)):
            yield from walk(b.blocks)
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield from walk(item)


# ---- helpers used by writers -----------------------------------------------------------

def anchor_name(kind: str, key: str) -> str:
    """Word bookmark name for an answer (``ck_q_cov_tx_3``) or a general section (``ck_g_conclusion``)."""
    prefix = "ck_q_" if kind == "answer" else "ck_g_"
    return prefix + key.replace("-", "_")


def key_of_anchor(name: str) -> tuple[str, str] | None:
    """Inverse of :func:`anchor_name`: ``("answer", "cov-tx-3")`` or None for other bookmarks."""
    if name.startswith("ck_q_"):
        return "answer", name[5:].replace("_", "-")
    if name.startswith("ck_g_"):
        return "general", name[5:].replace("_", "-")
    return None


def resolve_confidential(inlines: list[Inline], version: Version) -> list[Inline]:
    """Apply the document version to confidential runs.

    public: each confidential passage (a maximal sequence of confidential runs) becomes one
    :data:`REDACTED` run; confidential: the passage is kept and bracketed; plain: kept as is.
    The returned runs carry no confidential flag for ``plain``/``public``.
    """
    if not any(isinstance(i, Run) and i.confidential for i in inlines):
        return inlines
    out: list[Inline] = []
    inside = False
    for item in inlines:
        if isinstance(item, Run):
            conf = item.confidential
        else:  # a line break inside a passage continues it; a footnote reference ends it
            conf = inside and isinstance(item, LineBreak)
        if conf and not inside:
            inside = True
            if version == "public":
                out.append(Run(REDACTED, bold=True))
            elif version == "confidential":
                out.append(Run(BCI_OPEN_MARK, bold=True, confidential=True))
        elif not conf and inside:
            inside = False
            if version == "confidential":
                out.append(Run(BCI_CLOSE_MARK, bold=True, confidential=True))
        if conf:
            if version == "public":
                continue
            if version == "plain" and isinstance(item, Run):
                item = item.styled(confidential=False)
        out.append(item)
    if inside and version == "confidential":
        out.append(Run(BCI_CLOSE_MARK, bold=True, confidential=True))
    return out


def plain_text(inlines: list[Inline]) -> str:
    """The text of inlines, ignoring formatting (footnote references dropped)."""
    parts = []
    for i in inlines:
        if isinstance(i, Run):
            parts.append(i.text)
        elif isinstance(i, LineBreak):
            parts.append("\n")
    return "".join(parts)


def has_confidential(doc: Document) -> bool:
    def inl(inlines):
        return any(isinstance(i, Run) and i.confidential for i in inlines)

    def blocks(bs):
        for b in walk(bs):
            if isinstance(b, (Paragraph, Heading)) and inl(b.inlines):
                return True
            if isinstance(b, Table) and (any(inl(c) for c in b.header)
                                         or any(inl(c) for r in b.rows for c in r)):
                return True
        return False

    return blocks(doc.blocks) or any(blocks(v) for v in doc.footnotes.values())


def merge_runs(inlines: list[Inline]) -> list[Inline]:
    """Join adjacent runs with the same formatting."""
    out: list[Inline] = []
    for x in inlines:
        if out and isinstance(x, Run) and isinstance(out[-1], Run):
            p = out[-1]
            if (p.bold, p.italic, p.code, p.url, p.confidential) == (x.bold, x.italic, x.code, x.url, x.confidential):
                out[-1] = p.styled(text=p.text + x.text)
                continue
        out.append(x)
    return out
