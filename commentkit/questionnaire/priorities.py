"""Question priorities: which of the notice's questions matter most to this commenter, and why.

Pure computation over a loaded pack and a stored exposure profile (``profile.yaml``). The
rules live in the pack beside each question (``relevance: [{when, level, reason}]``), so a new
docket needs no code. The ranking model:

* **exposure decides core.** Every rule whose ``when`` holds for the answers raises the question
  to at least its ``level`` (``core`` or ``recommended``);
* **a chosen theme raises a question to recommended, never to core** (a question tagged with a
  theme the commenter chose in the interview item ``themes`` is at least ``recommended``; it is
  core only when an exposure rule says so, or when the commenter promoted it explicitly);
* a question the commenter **promoted** (``profile.yaml``'s ``promote`` list, written by
  ``commentkit plan --promote ID``, or the ``promoted`` argument) is core;
* the highest level reached wins; with nothing matching the question is ``optional``.

Every level comes with reasons, and every reason is generated from the rule that fired and the
answers that made it fire, quoted back: "you reported: customers in a country of concern (Hong
Kong; existing) — <why this question matters then>". The pack's ``reason`` text is only the
*why*; the facts come from the answers (see :func:`commentkit.questionnaire.conditions.explain`), so a reason
can never claim something the profile does not hold.

Same pack and profile, same plan: nothing here depends on time, randomness or dict order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Literal

from commentkit.dockets.catalog import QUESTIONS_FILE
from commentkit.questionnaire import conditions

Level = Literal["core", "recommended", "optional"]
LEVELS: tuple[str, ...] = ("core", "recommended", "optional")
_RANK = {"core": 0, "recommended": 1, "optional": 2}

THEMES_ITEM = "themes"
"""The interview item whose choice values are theme tags in the question bank."""
THEME_LEVEL: Level = "recommended"
"""The highest level a chosen theme alone gives a question."""

NO_MATCH = "no reported exposure points to this question"
NOT_INTERVIEWED = "the questionnaire is not answered yet (run 'commentkit interview' to rank the questions)"
NO_INTERVIEW = "this docket pack has no questionnaire, so commentkit cannot rank its questions"
PROMOTED = "you promoted this question to core yourself"
PROMOTE_KEY = "promote"
"""Key of the profile holding question ids promoted to core (``commentkit plan --promote``)."""
DASH = " \N{EM DASH} "


@dataclass(frozen=True)
class Fact:
    """One answer a reason relies on, with the words it is quoted back in."""

    item: str
    values: tuple[Any, ...]  # choice values of a multiple-choice item, else the one answer
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item, "values": [_jsonable(v) for v in self.values], "text": self.text}


@dataclass(frozen=True)
class Reason:
    kind: Literal["exposure", "theme", "promoted", "default"]
    level: Level  # the level this reason supports on its own
    facts: tuple[Fact, ...]
    why: str
    text: str  # what the commenter reads

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "level": self.level, "facts": [f.as_dict() for f in self.facts],
                "why": self.why, "text": self.text}


@dataclass(frozen=True)
class Priority:
    question_id: str
    level: Level
    reasons: tuple[str, ...]  # words addressed to the commenter
    details: tuple[Reason, ...] = ()

    def __eq__(self, other):  # details are derived from reasons' sources; compare what is shown
        if not isinstance(other, Priority):
            return NotImplemented
        return (self.question_id, self.level, self.reasons) == (other.question_id, other.level, other.reasons)

    def __hash__(self):
        return hash((self.question_id, self.level, self.reasons))

    def as_dict(self) -> dict[str, Any]:
        return {"question_id": self.question_id, "level": self.level, "reasons": list(self.reasons),
                "reason_details": [r.as_dict() for r in self.details]}


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _bank_file(pack) -> Path | None:
    return Path(pack.path) / QUESTIONS_FILE if getattr(pack, "path", None) else None


def theme_labels(interview) -> dict[str, str]:
    """Theme choice value -> label, from the interview's ``themes`` item (empty if none)."""
    if interview is None:
        return {}
    for it in interview.items:
        if it.id == THEMES_ITEM:
            return {c.value: c.label for c in it.choices if c.value != "none"}
    return {}


# ---- facts: answers quoted back ------------------------------------------------------------------

def _lower_first(text: str) -> str:
    """'Advanced packaging' -> 'advanced packaging'; 'CFIUS filings', 'EDA' and 'U.S.' stay."""
    text = str(text).strip()
    first = text.split(" ", 1)[0]
    letters = first.replace("-", "").replace("'", "")
    if letters.isalpha() and first[0].isupper() and (letters[1:].islower() or first in ("A", "An")):
        return text[0].lower() + text[1:]
    return text


def _value_words(item, value: Any) -> str:
    if item.type in ("choice", "multichoice"):
        for c in item.choices:
            if c.value == value:
                return c.fact or _lower_first(c.label)
        return str(value)
    if item.type == "number":
        return f"{value:,}" if isinstance(value, int) else str(value)
    if item.type == "date":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(value)


def _follow_ups(interview) -> dict[tuple[str, str], list]:
    """(item, choice) -> the items asked only because that choice was made (``when: "'x' in item"``)."""
    out: dict[tuple[str, str], list] = {}
    pattern = re.compile(r"^\s*'([a-z0-9][a-z0-9_-]*)'\s+in\s+([a-z][a-z0-9_]*)\s*$")
    for it in interview.items:
        m = pattern.match(it.when or "")
        if m:
            out.setdefault((m.group(2), m.group(1)), []).append(it)
    return out


def fact_text(interview, item_id: str, values: tuple[Any, ...], variables: dict[str, Any],
              follow: dict | None = None, nested: bool = False) -> str:
    """The words for an answer: the item's ``fact`` template (or the choices' own ``fact``), with the
    answers to a choice's follow-up items in brackets ("joint ventures in a country of concern (Macau:
    under consideration)")."""
    item = interview.item(item_id)
    follow = _follow_ups(interview) if follow is None else follow
    if item.type == "yesno":
        value = values[0]
        if value:
            return item.fact or f"{_lower_first(item.prompt.rstrip('?'))}: yes"
        return item.fact_no or f"{_lower_first(item.prompt.rstrip('?'))}: no"
    words = []
    for v in values:
        w = _value_words(item, v)
        if item.type == "multichoice":
            extra = []
            for sub in follow.get((item_id, v), []):
                if not (sub.type == "choice" or (sub.type == "multichoice"
                                                 and any((sub.id, c.value) in follow for c in sub.choices))):
                    continue  # details (activities, a description) are not repeated; places and stages are
                answer = variables.get(sub.id)
                if conditions.is_answered(answer):
                    vals = tuple(answer) if isinstance(answer, list) else (answer,)
                    extra.append(fact_text(interview, sub.id, vals, variables, follow, nested=True))
            if extra:
                w += (": " + "; ".join(extra)) if nested else (" (" + "; ".join(extra) + ")")
        words.append(w)
    joined = ", ".join(words)
    if nested:  # inside brackets: the answers alone ("Macau: under consideration")
        return joined
    if item.fact and "{value}" in item.fact:
        return item.fact.replace("{value}", joined)
    if item.fact and item.type not in ("choice", "multichoice"):
        return item.fact
    return joined


def _facts(interview, cited: Iterable[tuple[str, Any]], variables: dict[str, Any], follow) -> tuple[Fact, ...]:
    """Cited answers grouped by item, in the questionnaire's order (choices in their order)."""
    by_item: dict[str, list[Any]] = {}
    for item_id, value in cited:
        by_item.setdefault(item_id, [])
        if value not in by_item[item_id]:
            by_item[item_id].append(value)
    out = []
    for it in interview.items:
        if it.id not in by_item:
            continue
        vals = by_item[it.id]
        if it.type == "multichoice":
            order = [c.value for c in it.choices]
            vals = sorted(vals, key=lambda x: order.index(x) if x in order else len(order))
        out.append(Fact(it.id, tuple(vals), fact_text(interview, it.id, tuple(vals), variables, follow)))
    return tuple(out)


def reason_text(facts: tuple[Fact, ...], why: str) -> str:
    why = " ".join(why.split())
    if not facts:
        return why
    return "you reported: " + "; ".join(f.text for f in facts) + (DASH + why if why else "")


# ---- the plan -----------------------------------------------------------------------------------

def plan(pack, profile: dict, promoted: Iterable[str] = ()) -> list[Priority]:
    """Every question in the bank, in the notice's order, with its level and the reasons for it."""
    questions = pack.bank.ordered()
    interview = pack.interview
    if interview is None:
        return [Priority(q.id, "optional", (NO_INTERVIEW,),
                         (Reason("default", "optional", (), NO_INTERVIEW, NO_INTERVIEW),)) for q in questions]

    ifile = conditions.interview_file(pack)
    bfile = _bank_file(pack)
    variables = conditions.profile_vars(interview, profile or {}, file=ifile)
    answered = any(conditions.is_answered(v) for v in variables.values())
    labels = theme_labels(interview)
    picked = variables.get(THEMES_ITEM) or []
    chosen = [t for t in labels if isinstance(picked, list) and t in picked]  # the questionnaire's order
    promoted = set(promoted) | set((profile or {}).get(PROMOTE_KEY) or [])
    follow = _follow_ups(interview)

    out: list[Priority] = []
    for q in questions:
        level = "optional"
        details: list[Reason] = []

        def add(reason: Reason) -> None:
            nonlocal level
            if _RANK[reason.level] < _RANK[level]:
                level = reason.level
            if all(r.text != reason.text for r in details):
                details.append(reason)

        for n, rule in enumerate(q.relevance, start=1):
            where = conditions.Where(bfile, f"question {q.id!r} (relevance rule {n})")
            ok, cited = conditions.explain(rule.when, variables, where)
            if ok:
                facts = _facts(interview, cited, variables, follow)
                why = " ".join(rule.reason.split())
                add(Reason("exposure", rule.level, facts, why, reason_text(facts, why)))
        for theme in chosen:
            if theme in q.tags:
                fact = Fact(THEMES_ITEM, (theme,), _theme_phrase(labels[theme]))
                add(Reason("theme", THEME_LEVEL, (fact,), "", f"you chose {fact.text} as a theme"))
        if q.id in promoted:
            add(Reason("promoted", "core", (), PROMOTED, PROMOTED))
        if not details:
            text = NO_MATCH if answered else NOT_INTERVIEWED
            details.append(Reason("default", "optional", (), text, text))
        out.append(Priority(q.id, level, tuple(r.text for r in details), tuple(details)))  # type: ignore[arg-type]
    return out


def _theme_phrase(label: str) -> str:
    """'Definitions (covered foreign person, ...)' -> '“Definitions (covered foreign person, ...)”'."""
    return f"\N{LEFT DOUBLE QUOTATION MARK}{label}\N{RIGHT DOUBLE QUOTATION MARK}"


def check_rules(pack) -> None:
    """Compile every relevance rule now (a broken rule names questions.yaml and the question)."""
    if pack.interview is None:
        return
    known = [it.id for it in pack.interview.items]
    bfile = _bank_file(pack)
    for q in pack.bank.questions:
        for n, rule in enumerate(q.relevance, start=1):
            conditions.compile_condition(rule.when, known,
                                         conditions.Where(bfile, f"question {q.id!r} (relevance rule {n})"))


def by_level(priorities: list[Priority]) -> dict[str, list[Priority]]:
    groups: dict[str, list[Priority]] = {lv: [] for lv in LEVELS}
    for p in priorities:
        groups[p.level].append(p)
    return groups
