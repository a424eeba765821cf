"""Disclosure control: one rule set for everything that leaves the association's hands.

The consolidated draft (and the letter built from it), the aggregate tables and a member's
sign-on letter are public once filed. Four rules decide what may appear in them:

* **Names** (:class:`Names`): every form of every member's name and aliases (legal name, the
  name without "Inc."/"LLC", the roster's short name, ticker and aliases, the leading words
  members shorten their names to, possessives, names of three characters or fewer, case,
  punctuation and Markdown-emphasis variants) is replaced with a grammatical placeholder
  ("[the member]", "[the member's]" for the quoted member itself; "[a member]", "[a member's]"
  for any other). :meth:`Names.check` is the final scan: it refuses to write a public file in
  which any roster name or alias remains.
* **Consent** (:func:`may_quote`, :func:`may_name`): a member's words are quoted only if it
  answered "yes" to "May we quote you?", and it is named only if it answered "yes" to "May we
  name you?" and the association attributes input. No answer is no consent.
* **Confidentiality** (:func:`confidential_parts`, :func:`public_text`): text inside
  ``[[BCI]] ... [[/BCI]]`` and paragraphs marked confidential ("CONFIDENTIAL:", "BCI:",
  "Business confidential", "Do not quote", "Not for publication", "Internal only",
  "(confidential)") never reaches public text; an answer holding any is not quoted at all.
* **Statistical disclosure** (:func:`protect`): a table's cells partition the responding
  members; no published cell is from 1 to threshold - 1, and the cells withheld (whose total
  anyone can work out by subtraction) never add up to 1 .. threshold - 1 either. Withheld cells
  read "suppressed", never a figure.

Pure: no files are read or written here.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

from commentkit.errors import UserError

SELF = "[the member]"
SELF_POSSESSIVE = "[the member's]"
OTHER = "[a member]"
OTHER_POSSESSIVE = "[a member's]"
SUPPRESSED = "suppressed"

# ---- names ------------------------------------------------------------------------------------

# Legal-form words dropped from the end of a name ("Ginkgo Design Systems, Inc." -> "Ginkgo Design Systems").
_SUFFIXES = {
    "inc", "incorporated", "llc", "lc", "ltd", "limited", "lp", "llp", "lllp", "plc", "corp", "corporation",
    "co", "company", "gmbh", "ag", "sa", "sas", "nv", "bv", "pte", "pty", "kk", "srl", "spa", "ab", "oy", "as",
}
# First words too ordinary to stand for a member on their own ("Blue" of Blue Harbor Ventures).
_GENERIC_FIRST = {
    "the", "a", "an", "advanced", "american", "applied", "associated", "blue", "capital", "central", "digital",
    "east", "eastern", "first", "general", "global", "great", "green", "group", "international", "national",
    "new", "north", "northern", "pacific", "red", "south", "southern", "united", "west", "western", "atlantic",
    "standard", "universal", "premier", "summit", "pioneer", "allied", "integrated", "strategic", "quantum",
    "semiconductor", "technology", "technologies", "systems", "partners", "ventures", "fund", "holdings",
    "black", "white", "silver", "gold", "golden", "royal", "star", "sun", "us", "u.s.", "china", "member",
    "members", "company", "association", "council", "institute", "alliance", "coalition", "federation", "form",
    "data", "energy", "health", "research", "software", "solutions", "services", "industries", "investment",
    "investments", "management", "financial", "bank", "trust", "one", "my", "our", "your",
}
# Two- and three-letter words a short name or ticker may coincide with ("ON", "GE", "ALL"): such a
# name is found only as written in capitals (or as the roster spells it), never in running lower case.
_COMMON_SHORT = set("""
a i am an as at be by do go he if in is it me my no of oh ok on or so to up us we ad ai ax ex hi id ma pa re
act add age ago aid aim air all and any app are arm art ask bad bag bar bay bed big bit box boy bus but buy
can car cut day did die dog due ear eat end era eye fan far fee few fit fix fly for fun gap gas get got gun
had has hat her hey him his hit hot how ice its job joy key kid law lay led leg let lie lot low mad man map
may men met mix net new nor not now odd off oil old one our out owe own pay per pet pop pro put ran raw red
rid row run sat saw say sea see set she sit six sky son sum sun tax tea ten the tie tip too top toy try two
use van via war was way web wet who why win won yes yet you zip ltd inc llc co
""".split())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _tokens(name: str) -> list[str]:
    parts = re.split(r"[\s\u00a0,/\-\u2010-\u2014()*_]+", unicodedata.normalize("NFKC", name))
    return [t for t in parts if re.sub(r"[^\w&]", "", t)]


def core_tokens(name: str) -> list[str]:
    """The name's words without a trailing legal form or a leading "The"."""
    toks = _tokens(name)
    while toks and re.sub(r"[.\s]", "", toks[-1]).casefold() in _SUFFIXES and len(toks) > 1:
        toks.pop()
    if len(toks) > 1 and toks[0].casefold() == "the":
        toks = toks[1:]
    return toks


@functools.lru_cache(maxsize=4096)
def normalise_legal_name(name: str) -> str:
    """One key for a company's name: case, punctuation, "The" and the legal form ignored."""
    return " ".join(re.sub(r"[^\w&]", "", _fold(t)) for t in core_tokens(name) if re.sub(r"[^\w&]", "", t))


_TOKEN = re.compile(r"(?:[^\W_]\.){2,}|[^\W_]+|&(?:amp;)?")
_GAP = re.compile(r"[\s\u00a0*_.,/\-\u2010-\u2015'\u2019]*")
_POSSESSIVE = re.compile(r"(?:\.(?=['\u2019]s))?['\u2019]s(?![^\W_])|(?<=[sS])['\u2019](?![^\W_])")
_ABBREVIATION_DOT = re.compile(r"\.(?=\s*[a-z,;:)\]])")  # "Acme Inc. said": the dot ends the name, not a sentence


def _fold_token(tok: str) -> str:
    if tok in ("&", "&amp;"):
        return "and"
    return _fold(tok).replace(".", "")


@dataclass(frozen=True)
class _Variant:
    key: str                 # member key it stands for
    folded: tuple[str, ...]  # its words, case-folded, dots removed ("A.M.D." -> "amd")
    raw: tuple[str, ...]     # as written (for names matched only as written)
    case_sensitive: bool


@dataclass
class Hit:
    start: int
    end: int
    owner: str
    possessive: bool
    text: str


@dataclass
class Names:
    """Every name and alias of every member, indexed by first word (one pass over a text finds them all)."""

    display: dict[str, str] = field(default_factory=dict)  # member key -> legal name (for messages)
    too_short: list[tuple[str, str]] = field(default_factory=list)  # (member key, alias) not searchable
    _index: dict[str, list[_Variant]] = field(default_factory=dict)
    _seen: set = field(default_factory=set)
    _dirty: set = field(default_factory=set)

    def add(self, key: str, name: str, aliases: Iterable[str] = ()) -> None:
        """Register member ``key`` under its legal ``name`` and other ``aliases``."""
        self.display.setdefault(key, name)
        forms: list[list[str]] = []
        for i, raw in enumerate([name, *aliases]):
            if not raw or not raw.strip():
                continue
            toks = _tokens(raw.strip())
            core = core_tokens(raw.strip())
            for cand in (toks, core):
                if cand and cand not in forms:
                    forms.append(cand)
            if i == 0 and len(core) > 1:  # the leading words members shorten their names to
                for k in range(len(core) - 1, 0, -1):
                    lead = core[:k]
                    while len(lead) > 1 and re.sub(r"[.\s]", "", lead[-1]).casefold() in _SUFFIXES:
                        lead = lead[:-1]
                    if len(lead) == 1 and (_fold(lead[0]) in _GENERIC_FIRST or len(lead[0]) < 4):
                        continue
                    if lead not in forms:
                        forms.append(lead)
        for toks in forms:
            words = [w for t in toks for w in _TOKEN.findall(t)]
            letters = "".join(re.sub(r"[^\w]", "", w) for w in words)
            if len(letters) < 2 or not words:
                self.too_short.append((key, " ".join(toks)))
                continue
            short = (len(words) == 1 and letters.isalpha() and len(letters) <= 5 and _fold(letters) in _COMMON_SHORT)
            folded = tuple(_fold_token(w) for w in words)
            written = tuple(w.replace(".", "") for w in words)
            self._put(_Variant(key, folded, written, short))
            if len(words) > 1 and len(letters) >= 6:  # written as one word: "BlueHarbor"
                self._put(_Variant(key, ("".join(folded),), ("".join(written),), False))

    def _put(self, v: _Variant) -> None:
        if v in self._seen:
            return
        self._seen.add(v)
        self._index.setdefault(v.folded[0], []).append(v)
        self._dirty.add(v.folded[0])

    def _bucket(self, word: str) -> list[_Variant]:
        bucket = self._index.get(word)
        if bucket is None:
            return []
        if word in self._dirty:  # longest first, so "Dogwood Capital" wins over "Dogwood"
            bucket.sort(key=lambda x: (-len(x.folded), -sum(map(len, x.folded))))
            self._dirty.discard(word)
        return bucket

    def find(self, text: str) -> list[tuple[int, int, str, Hit]]:
        """(start, end, member key, hit) of every name in ``text``, longest first, not overlapping."""
        toks = [(m.start(), m.end(), _fold_token(m.group(0)), m.group(0).replace(".", ""))
                for m in _TOKEN.finditer(text)]
        out = []
        i = 0
        while i < len(toks):
            found = None
            for v in self._bucket(toks[i][2]):
                n = len(v.folded)
                if i + n > len(toks):
                    continue
                ok = True
                for j in range(n):
                    s0, e0, f0, r0 = toks[i + j]
                    if f0 != v.folded[j] or (v.case_sensitive and r0 not in (v.raw[j], v.raw[j].upper())):
                        ok = False
                        break
                    if j and not _GAP.fullmatch(text, toks[i + j - 1][1], s0):
                        ok = False
                        break
                if ok:
                    found = (v, n)
                    break
            if found is None:
                i += 1
                continue
            v, n = found
            start, end = toks[i][0], toks[i + n - 1][1]
            poss = _POSSESSIVE.match(text, end)
            if poss:
                end = poss.end()
            elif toks[i + n - 1][2] in _SUFFIXES and _ABBREVIATION_DOT.match(text, end):
                end += 1
            hit = Hit(start, end, v.key, bool(poss), text[start:end])
            out.append((start, end, v.key, hit))
            i += n
        return out

    def redact(self, text: str, self_key: str | None = None, keep: Iterable[str] = ()) -> str:
        """``text`` with every member name replaced: "[the member]" / "[the member's]" for the member
        ``self_key`` (whose words these are), "[a member]" / "[a member's]" for any other; names of
        members in ``keep`` (who consented to be named) stay."""
        keep = set(keep)
        pieces, pos = [], 0
        for s, e, owner, hit in self.find(text):
            if owner in keep:
                continue
            own = owner == self_key
            if hit.possessive:
                word = SELF_POSSESSIVE if own else OTHER_POSSESSIVE
            else:
                word = SELF if own else OTHER
                article = re.search(r"(?<![^\W_])[Tt]he\s+$", text[pos:s])
                if article:  # "the Dogwood fund" -> "[the member] fund"
                    s = pos + article.start()
            before = text[:s].rstrip(" *_\u00a0\"'\u201c\u2018(")
            if not before or before.endswith((".", "!", "?", ":", "\n", ">")) and not before.endswith("..."):
                word = "[" + word[1].upper() + word[2:]  # the start of a sentence
            inner = hit.text.count("*")  # "**Dogwood** Capital": keep the emphasis balanced
            if inner and text[pos:s].endswith("*" * inner):
                s -= inner
            pieces.append(text[pos:s])
            pieces.append(word)
            pos = e
        pieces.append(text[pos:])
        return "".join(pieces)

    def check(self, text: str, where, allowed: Iterable[str] = ()) -> None:
        """The final scan: refuse (UserError naming ``where``) if any member name remains in ``text``
        (``allowed``: keys of members who consented to be named)."""
        allowed = set(allowed)
        hits = [h for h in self.find(text) if h[2] not in allowed]
        if hits:
            s, _, owner, hit = hits[0]
            line = text.count("\n", 0, s) + 1
            more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
            raise UserError(f"still names member {self.display.get(owner, owner)!r} as {hit.text.strip()!r}{more}; "
                            f"nothing was written. Remove the name (or, if it is the association's own text, reword "
                            f"it) and run collect again", where, line)


# ---- confidentiality --------------------------------------------------------------------------

# [[BCI]] ... [[/BCI]] (single brackets too; an unclosed marker runs to the end of the text)
_BCI = re.compile(r"\[\[?\s*BCI\s*\]\]?(.*?)(?:\[\[?\s*/\s*BCI\s*\]\]?|\Z)", re.IGNORECASE | re.DOTALL)
_MARKED = re.compile(
    r"^[\s>*_#\[(\-]*(?:business[\s-]+confidential|confidential|bci|proprietary|privileged|do\s+not\s+quote|"
    r"not\s+for\s+(?:publication|quotation|attribution|filing)|internal(?:\s+use)?\s+only|off\s+the\s+record)\b",
    re.IGNORECASE)
_INLINE_MARK = re.compile(r"[\[(]\s*(?:business\s+)?confidential\s*[\])]|\[\[?\s*/?\s*BCI\s*\]\]?", re.IGNORECASE)
# words that make a member's paragraph confidential wherever they stand in it (the safe side: such
# a paragraph is only ever kept out of public text)
_CONFIDENTIAL_WORDS = re.compile(
    r"\b(?:confidential|proprietary|do\s+not\s+(?:quote|publish|cite|attribute|share|disclose)|"
    r"not\s+for\s+(?:publication|quotation|attribution|filing)|off\s+the\s+record|internal\s+use\s+only)\b",
    re.IGNORECASE)


def _is_marked(paragraph: str) -> bool:
    return bool(_MARKED.match(paragraph) or _INLINE_MARK.search(paragraph) or _CONFIDENTIAL_WORDS.search(paragraph))


def _paragraphs(text: str) -> list[str]:
    return re.split(r"\n\s*\n", text)


def confidential_parts(text: str | None) -> list[str]:
    """The passages of ``text`` that must not be made public (BCI blocks and marked paragraphs)."""
    if not text:
        return []
    out = [m.group(0) for m in _BCI.finditer(text)]
    rest = _BCI.sub("", text)
    out += [p for p in _paragraphs(rest) if p.strip() and _is_marked(p)]
    return out


def public_text(text: str | None) -> str:
    """``text`` without its BCI passages and confidential paragraphs (for a sign-on letter's notes)."""
    if not text:
        return ""
    rest = _BCI.sub("", text)
    keep = [p for p in _paragraphs(rest) if p.strip() and not _is_marked(p)]
    return "\n\n".join(p.strip() for p in keep)


def check_public(text: str, secrets: Iterable[str], where, generated_from: int = 0) -> None:
    """Refuse to write if ``text`` holds any part of a member's confidential passage, or if the part
    commentkit generated (from ``generated_from`` on) holds a BCI or confidential marker. (The
    association's own text before it may mark its own BCI for the letter's confidential version.)"""
    m = _INLINE_MARK.search(text, generated_from)
    if m:
        raise UserError("holds a confidentiality marker ([[BCI]] or [confidential]) in member input; nothing was "
                        "written", where, text.count("\n", 0, m.start()) + 1)
    flat = " ".join(text.split())
    for secret in secrets:
        body = " ".join(re.sub(r"\[\[\s*/?\s*BCI\s*\]\]", " ", secret, flags=re.IGNORECASE).split())
        # a distinctive run of words from the passage (eight words, or all of a short one)
        words = body.split()
        probe = " ".join(words[:8]) if len(words) >= 4 else (body if len(body) >= 6 else None)
        if probe and probe in flat:
            raise UserError("holds text a member marked confidential; nothing was written", where)


# ---- consent ----------------------------------------------------------------------------------

def may_quote(consent_quote: bool | None) -> bool:
    return consent_quote is True


def may_name(consent_name: bool | None, attribution: str) -> bool:
    return attribution == "attributed" and consent_name is True


# ---- statistical disclosure ---------------------------------------------------------------------

def protect(counts: list[int], threshold: int) -> list[bool]:
    """Which cells of a partition (cells adding up to a published total) must be withheld.

    Every cell from 1 to ``threshold - 1`` is withheld; then, while the withheld cells are a
    single cell or add up to 1 .. threshold - 1 (both can be worked out by subtraction from the
    total), the smallest published non-zero cell (else a zero cell) is withheld too. Returns a
    flag per cell: True = withhold.
    """
    hidden = [0 < c < threshold for c in counts]
    while True:
        idx = [i for i, h in enumerate(hidden) if h]
        total = sum(counts[i] for i in idx)
        if not idx or (len(idx) >= 2 and (total == 0 or total >= threshold)):
            return hidden
        if len(idx) == 1 and counts[idx[0]] >= threshold and total >= threshold:
            return hidden  # a lone withheld cell that is not small reveals nothing small
        rest = [i for i, h in enumerate(hidden) if not h]
        if not rest:
            return hidden
        nonzero = [i for i in rest if counts[i] > 0]
        pick = min(nonzero or rest, key=lambda i: (counts[i], i))
        hidden[pick] = True


def safe_count(count: int, of: int, threshold: int) -> bool:
    """May "``count`` of ``of``" be published? (both it and the rest are 0 or at least the threshold)."""
    return not any(protect([count, of - count], threshold))


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
