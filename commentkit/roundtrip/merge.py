"""Three-way merge of one answer's Markdown, paragraph by paragraph (``import-docx``).

``base`` is the answer as built (stored in the Word file), ``theirs`` the Word file's text (canonical
Markdown), ``ours`` the answer file on disk (its exact bytes). A unit is a paragraph, a heading, a
top-level list item (with what is indented under it), a table or a footnote definition. Units
are compared by meaning (``key``: canonical Markdown, whitespace collapsed), so ``*x*`` and ``_x_``
are the same; the output keeps every unit of ``ours`` byte for byte, and its separators, unless
Word changed that unit.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Callable

_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_FENCE = re.compile(r"^(```|~~~)")


@dataclass
class Units:
    """A Markdown body cut into units; ``seps[k]`` is the text between unit k and k + 1."""

    lead: str
    units: list[str]
    seps: list[str]
    trail: str

    def join(self) -> str:
        out = [self.lead]
        for k, u in enumerate(self.units):
            out.append(u)
            if k < len(self.seps):
                out.append(self.seps[k])
        return "".join(out) + self.trail


def split_units(text: str) -> Units:
    lines = text.splitlines(keepends=True)
    units: list[list[str]] = []
    seps: list[str] = []
    lead = ""
    pending_sep = ""
    fence = None
    cur: list[str] | None = None
    for line in lines:
        bare = line.rstrip("\r\n")
        if fence is not None and cur is not None:
            cur.append(line)
            if bare.strip().startswith(fence):
                fence = None
            continue
        if not bare.strip():
            if cur is not None:
                units.append(cur)
                cur = None
            pending_sep += line
            continue
        new_item = cur is not None and _ITEM.match(bare) is not None
        if cur is None or new_item:
            if cur is not None:
                units.append(cur)
            if units:
                seps.append(pending_sep)
            elif pending_sep:
                lead = pending_sep
            pending_sep = ""
            cur = [line]
        else:
            cur.append(line)
        m = _FENCE.match(bare.strip())
        if m:
            fence = m.group(1)
    if cur is not None:
        units.append(cur)
    # a unit's own final newline belongs to the separator after it, so units compare cleanly
    texts = ["".join(u) for u in units]
    out_units, out_seps = [], []
    for k, t in enumerate(texts):
        stripped = t.rstrip("\r\n")
        out_units.append(stripped)
        tail = t[len(stripped):]
        if k < len(seps):
            out_seps.append(tail + seps[k])
        else:
            pending_sep = tail + pending_sep
    return Units(lead, out_units, out_seps, pending_sep)


def is_item(unit: str) -> bool:
    return _ITEM.match(unit) is not None


@dataclass
class Conflict:
    base: list[str]
    ours: list[str]
    theirs: list[str]


@dataclass
class Merge:
    text: str | None  # None while a conflict is not resolved
    conflicts: list[Conflict] = field(default_factory=list)
    from_word: int = 0  # units taken from the Word file
    kept: int = 0  # units changed on disk since the build, kept


def merge3(base: list[str], ours: Units, theirs: list[str], key: Callable[[str], str],
           take: str | None = None) -> Merge:
    """Merge (see module docstring). ``take`` resolves conflicts: ``"word"`` or ``"disk"``."""
    bk = [key(u) for u in base]
    ok = [key(u) for u in ours.units]
    tk = [key(u) for u in theirs]
    mo = _matches(bk, ok)
    mt = _matches(bk, tk)
    out: list[tuple[str, int | None]] = []  # (text, index in ours or None)
    res = Merge(None)
    i = j = k = 0
    nb, no, nt = len(bk), len(ok), len(tk)
    while i < nb or j < no or k < nt:
        if i < nb and mo.get(i) == j and mt.get(i) == k:
            out.append((ours.units[j], j))
            i, j, k = i + 1, j + 1, k + 1
            continue
        i2 = next((x for x in range(i, nb) if x in mo and x in mt and mo[x] >= j and mt[x] >= k), nb)
        j2, k2 = (mo[i2], mt[i2]) if i2 < nb else (no, nt)
        b_keys, o_keys, t_keys = bk[i:i2], ok[j:j2], tk[k:k2]
        ours_part = [(ours.units[x], x) for x in range(j, j2)]
        theirs_part = [(theirs[x], None) for x in range(k, k2)]
        if o_keys == b_keys:
            out.extend(theirs_part)
            res.from_word += max(len(theirs_part), len(b_keys)) if t_keys != b_keys else 0
        elif t_keys == b_keys or o_keys == t_keys:
            out.extend(ours_part)
            res.kept += len(ours_part) if o_keys != t_keys else 0
        elif len(b_keys) == len(o_keys) == len(t_keys):
            # paragraphs replaced one for one on both sides: merged paragraph by paragraph
            for n in range(len(b_keys)):
                if o_keys[n] == b_keys[n]:
                    out.append(theirs_part[n])
                    res.from_word += 1
                elif t_keys[n] == b_keys[n] or o_keys[n] == t_keys[n]:
                    out.append(ours_part[n])
                    res.kept += 1 if o_keys[n] != t_keys[n] else 0
                else:
                    res.conflicts.append(Conflict([base[i + n]], [ours_part[n][0]], [theirs_part[n][0]]))
                    if take == "word":
                        out.append(theirs_part[n])
                    elif take == "disk":
                        out.append(ours_part[n])
        else:
            res.conflicts.append(Conflict(base[i:i2], [u for u, _ in ours_part], [u for u, _ in theirs_part]))
            if take == "word":
                out.extend(theirs_part)
            elif take == "disk":
                out.extend(ours_part)
        i, j, k = i2, j2, k2
    if res.conflicts and take not in ("word", "disk"):
        return res
    res.text = _render(ours, out)
    return res


def _matches(a: list[str], b: list[str]) -> dict[int, int]:
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out: dict[int, int] = {}
    for blk in sm.get_matching_blocks():
        for n in range(blk.size):
            out[blk.a + n] = blk.b + n
    return out


def _render(ours: Units, out: list[tuple[str, int | None]]) -> str:
    if not out:
        return ours.lead + ours.trail if not ours.units else ""
    parts = [ours.lead]
    for n, (text, src) in enumerate(out):
        parts.append(text)
        if n + 1 < len(out):
            nxt_src = out[n + 1][1]
            if src is not None and nxt_src == src + 1:
                parts.append(ours.seps[src])
            elif is_item(text) and is_item(out[n + 1][0]) and text[:1].isdigit() == out[n + 1][0][:1].isdigit():
                parts.append("\n")
            else:
                parts.append("\n\n")
    parts.append(ours.trail if ours.trail else "\n")
    return "".join(parts)
