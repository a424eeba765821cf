"""Replacing a pack's summary wordings with the official text (pure: models in, models out).

How an official question finds the pack question it replaces, in this order:

1. **Agency number**: a pack question that already carries ``number: N`` is the official
   question N (its text is refreshed if the notice's text differs).
2. **Mapping file** ``official-map.yaml`` in the pack folder (the user's decisions)::

       match:
         cfp-1: 12       # summary cfp-1 is the notice's question 12
         semi-2: null    # keep semi-2 as a summary; match it to nothing

3. **Text similarity**: each remaining summary is compared with each remaining official question
   (TF-IDF cosine over content words of title + text, 85%, plus the similarity of the two
   questions' sections, 15%). Pairs are taken best-first; a pair is accepted only when its score
   is at least :data:`THRESHOLD` *and* beats the summary's and the official question's next-best
   candidate by :data:`MARGIN` — otherwise it is reported as ambiguous and left alone.

A matched summary keeps its ``id``, ``title``, ``tags`` and ``relevance`` rules and takes the
official ``text``, ``number``, ``pages`` and section, with ``wording: official``. Unmatched
summaries stay summaries in their own sections. Unmatched official questions are added; they
inherit the tags and relevance rules shared by every matched question of their official section
(none when the section has no matched question).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from pydantic import Field

from commentkit.errors import DocketPackError
from commentkit.models.docket import Question, QuestionBank, Section, Strict

THRESHOLD = 0.40
"""Lowest similarity at which a summary is proposed as an official question's match.

Calibrated on labelled pairs (tests/test_frimport_update.py): the test summary pack and the
shipped ANPRM bank matched against the test notice. Correct matches scored 0.32-0.83; wrong
candidates reached 0.32 (LP investments "as covered transactions" against the question on
excepting them) and the wrong "ownership chains" match reported in issue 24 scored 0.31. At 0.40
no wrong pair is proposed; correct pairs below it are shown as candidates to settle in
official-map.yaml."""
MARGIN = 0.10
"""How far a proposed match must lead the runner-up of either side (a near tie is ambiguous)."""


class OfficialMap(Strict):
    """``official-map.yaml``: the user's matches between summary questions and official numbers."""

    schema_version: int = 1
    match: dict[str, int | str | None] = Field(
        default_factory=dict,
        description="summary question id -> the notice's question number (or an official question id); "
                    "null keeps the summary")


@dataclass
class Change:
    kind: str  # matched, refreshed, unchanged, added, kept-summary, ambiguous, kept-official
    id: str
    number: int | None = None
    how: str = ""  # number, mapping, similarity
    score: float | None = None
    detail: str = ""
    runner_up: float | None = None  # similarity of the best rival candidate
    title: str = ""  # the pack question's title (before the change)
    official: str = ""  # the start of the official text it is matched to

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass
class MergeResult:
    bank: QuestionBank
    changes: list[Change] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


_STOP = set("""a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has have having
how if in into is it its itself may might more most must no nor not of off on once only or other out over own same
shall should so some such than that the their them then there these they this those through to too under until up
very was were what when where whether which while who whom why will with would you your yours treasury notice
comment comments commenters request views describe explain provide please including include question questions
proposed proposal rule rules program us person persons""".split())


def _stem(w: str) -> str:
    for suf in ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            return w[: -len(suf)] + ("y" if suf in ("ies", "ied") else "")
    return w


def tokens(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[a-z][a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 2]


class _Vectors:
    def __init__(self, docs: list[list[str]]):
        df: Counter = Counter()
        for d in docs:
            df.update(set(d))
        n = max(len(docs), 1)
        self.idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}

    def vec(self, toks: list[str]) -> dict[str, float]:
        tf = Counter(toks)
        v = {t: (1 + math.log(c)) * self.idf.get(t, 0.0) for t, c in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def similarity_table(summaries, officials, old_bank, new_bank) -> dict[tuple[str, str], float]:
    """Score every (summary id, official id) pair."""
    def qtext(q):
        return f"{q.title} {q.text}"

    docs_q = {("s", q.id): tokens(qtext(q)) for q in summaries}
    docs_q.update({("o", q.id): tokens(q.text) for q in officials})
    sec_docs = {}
    for prefix, bank, qs in (("s", old_bank, summaries), ("o", new_bank, officials)):
        for s in bank.sections:
            words = tokens(s.title) + [t for q in qs if q.section == s.id for t in tokens(q.text)]
            sec_docs[(prefix, s.id)] = words
    space = _Vectors(list(docs_q.values()) + list(sec_docs.values()))
    qv = {k: space.vec(v) for k, v in docs_q.items()}
    sv = {k: space.vec(v) for k, v in sec_docs.items()}
    table = {}
    for s in summaries:
        for o in officials:
            text = _cos(qv[("s", s.id)], qv[("o", o.id)])
            sec = _cos(sv[("s", s.section)], sv[("o", o.section)])
            table[(s.id, o.id)] = round(0.85 * text + 0.15 * sec, 3)
    return table


def merge(old_bank, new_bank, mapping: OfficialMap | None = None, map_path=None, *,
          accept_similar: bool = True) -> MergeResult:
    """The pack's bank with official wordings from ``new_bank`` (an imported bank) merged in.

    With ``accept_similar=False`` matches found by text similarity are only proposed (reported as
    ``proposed``): the summary stays a summary and the official question is added beside it.
    """
    mapping = mapping or OfficialMap()
    officials = list(new_bank.questions)
    off_by_id = {q.id: q for q in officials}
    off_by_num = {q.number: q for q in officials if q.number is not None}
    old_qs = list(old_bank.questions)
    old_ids = {q.id for q in old_qs}
    pairs: dict[str, tuple[str, str, float | None]] = {}  # official id -> (old id, how, score)
    changes: list[Change] = []

    # 1. by agency number
    for q in old_qs:
        if q.number is not None and q.number in off_by_num:
            pairs[off_by_num[q.number].id] = (q.id, "number", None)
    taken_old = {v[0] for v in pairs.values()}

    # 2. the user's mapping file
    for sid, target in mapping.match.items():
        if sid not in old_ids:
            raise DocketPackError(f"match: {sid!r} is not a question id of this pack", map_path)
        if target is None or sid in taken_old:
            continue
        off = off_by_num.get(target) if isinstance(target, int) else off_by_id.get(str(target))
        if off is None and isinstance(target, str) and target.isdigit():
            off = off_by_num.get(int(target))
        if off is None:
            raise DocketPackError(f"match: {sid!r} -> {target!r}: the notice has no such question", map_path)
        if off.id in pairs:
            raise DocketPackError(f"match: {sid!r} -> {target!r}: that official question is already matched to "
                            f"{pairs[off.id][0]!r}", map_path)
        pairs[off.id] = (sid, "mapping", None)
        taken_old.add(sid)
    kept_by_user = {sid for sid, t in mapping.match.items() if t is None}

    # 3. text similarity, best first, with a threshold and a margin
    summaries = [q for q in old_qs if q.wording == "summary" and q.id not in taken_old and q.id not in kept_by_user]
    free_off = [q for q in officials if q.id not in pairs]
    table = similarity_table(summaries, free_off, old_bank, new_bank) if summaries and free_off else {}
    ambiguous: dict[str, str] = {}
    proposed: dict[str, tuple[str, float, float]] = {}  # summary id -> (official id, score, runner-up)
    runner_of: dict[str, float] = {}
    for (sid, oid), sim in sorted(table.items(), key=lambda kv: -kv[1]):
        if sim < THRESHOLD:
            break
        if sid in taken_old or oid in pairs or sid in ambiguous or sid in proposed or \
                any(p[0] == oid for p in proposed.values()):
            continue
        busy_o = set(pairs) | {p[0] for p in proposed.values()}
        busy_s = taken_old | set(proposed)
        rivals = [v for (s2, o2), v in table.items()
                  if ((s2 == sid and o2 != oid and o2 not in busy_o) or (o2 == oid and s2 != sid and s2 not in busy_s))]
        runner = max(rivals, default=0.0)
        if sim - runner < MARGIN:
            cands = sorted(((v, o2) for (s2, o2), v in table.items() if s2 == sid and o2 not in pairs),
                           reverse=True)[:3]
            ambiguous[sid] = ", ".join(f"{_label(off_by_id[o])} ({v:.2f})" for v, o in cands)
            continue
        if not accept_similar:
            proposed[sid] = (oid, sim, runner)
            continue
        pairs[oid] = (sid, "similarity", sim)
        runner_of[sid] = runner
        taken_old.add(sid)
    # summaries below the threshold: their best candidate, for the review table
    below: dict[str, str] = {}
    for q in summaries:
        if q.id in taken_old or q.id in ambiguous or q.id in proposed:
            continue
        cands = sorted(((v, o2) for (s2, o2), v in table.items() if s2 == q.id and o2 not in pairs), reverse=True)
        if cands and cands[0][0] >= 0.15:
            below[q.id] = f"best candidate {_label(off_by_id[cands[0][1]])} ({cands[0][0]:.2f}) is below {THRESHOLD:.2f}"

    # Build the new bank: official sections in the notice's order, then old sections still in use.
    old_by_id = {q.id: q for q in old_qs}
    matched_in_section: dict[str, list] = {}
    for oid, (sid, _, _) in pairs.items():
        matched_in_section.setdefault(off_by_id[oid].section, []).append(old_by_id[sid])
    out_q: list = []
    used_ids = set(old_ids)
    for o in officials:
        if o.id in pairs:
            sid, how, score = pairs[o.id]
            prev = old_by_id[sid]
            q = Question(id=prev.id, number=o.number, section=o.section, title=prev.title, text=o.text,
                         wording="official", pages=o.pages, tags=list(prev.tags),
                         relevance=list(prev.relevance))
            if prev.wording == "official":
                kind = "unchanged" if (prev.text == o.text and prev.pages == o.pages) else "refreshed"
            else:
                kind = "matched"
            changes.append(Change(kind, prev.id, o.number, how, score,
                                  "" if kind != "matched" else f"was: {prev.title}", runner_of.get(prev.id),
                                  prev.title, _start(o.text)))
        else:
            qid = o.id
            k = 2
            while qid in used_ids:
                qid = f"{o.id[:28]}-n{k}"
                k += 1
            used_ids.add(qid)
            sibs = matched_in_section.get(o.section, [])
            tags = sorted(set.intersection(*(set(s.tags) for s in sibs))) if sibs else []
            rules = [r for r in sibs[0].relevance if all(r in s.relevance for s in sibs[1:])] if sibs else []
            q = Question(id=qid, number=o.number, section=o.section, title=o.title, text=o.text,
                         wording="official", pages=o.pages, tags=tags, relevance=rules)
            detail = (f"tags {', '.join(tags)} inherited from its section" if tags else
                      "no tags: add them so 'plan' can rank it")
            changes.append(Change("added", qid, o.number, "", None, detail))
        out_q.append(q)
    matched_old = {v[0] for v in pairs.values()}
    left = [q for q in old_qs if q.id not in matched_old]
    new_sec_ids = {s.id for s in new_bank.sections}
    renamed: dict[str, str] = {}
    sections = [s.model_copy() for s in new_bank.sections if any(q.section == s.id for q in out_q)]
    for s in old_bank.sections:
        if not any(q.section == s.id for q in left):
            continue
        sid = s.id
        if sid in new_sec_ids:
            sid = f"{s.id[:24]}-summary"
            renamed[s.id] = sid
        sections.append(Section(id=sid, title=s.title, pages=s.pages, wording=s.wording, summary=s.summary))
    for q in left:
        q2 = q.model_copy(update={"section": renamed.get(q.section, q.section)})
        out_q.append(q2)
        if q.wording == "summary":
            if q.id in ambiguous:
                changes.append(Change("ambiguous", q.id, None, "similarity", None,
                                      f"candidates: {ambiguous[q.id]}; settle it in {MAP_NAME}", title=q.title))
            elif q.id in proposed:
                oid, score, runner = proposed[q.id]
                off = off_by_id[oid]
                changes.append(Change("proposed", q.id, off.number, "similarity", score,
                                      f"not applied: re-run with --accept-similar, or confirm it in {MAP_NAME}",
                                      runner, q.title, _start(off.text)))
            elif q.id in below:
                changes.append(Change("kept-summary", q.id, None, "", None,
                                      f"{below[q.id]}; confirm it in {MAP_NAME} if it is the same question",
                                      title=q.title))
            else:
                changes.append(Change("kept-summary", q.id, None, "mapping" if q.id in kept_by_user else "", None,
                                      "kept by the mapping file" if q.id in kept_by_user
                                      else "no official question is similar enough"))
        else:
            changes.append(Change("kept-official", q.id, q.number, "", None,
                                  "not found in the new document; kept as it was"))
    n_off = sum(1 for q in out_q if q.wording == "official")
    n_sum = len(out_q) - n_off
    note = (f"{n_off} question(s) carry the notice's own wording (wording: official, with the notice's number where "
            f"it numbers them)")
    note += (f"; {n_sum} remain commentkit's summaries (wording: summary), not the agency's words."
             if n_sum else "; none are summaries.")
    bank = QuestionBank(wording_note=note, sections=sections, questions=out_q)
    return MergeResult(bank=bank, changes=changes)


MAP_NAME = "official-map.yaml"


def _start(text: str, n: int = 60) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= n else first[: n - 1].rstrip() + "\u2026"


def _label(q) -> str:
    return f"Q{q.number}" if q.number is not None else q.id
