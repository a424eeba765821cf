"""Question priorities: which of the notice's questions matter most to this commenter, and why.

Pure computation over a loaded pack and a stored exposure profile (``profile.yaml``). The
rules live in the pack beside each question (``relevance: [{when, level, reason}]``), so a new
docket needs no code:

* every rule whose ``when`` holds raises the question to at least its ``level``;
* a question tagged with a theme the commenter chose (interview item ``themes``) is ``core``;
* the highest matching level wins and every matching reason is kept, rules first, in the
  order the pack lists them; with no match the question is ``optional``.

Same pack and profile, same plan: nothing here depends on time, randomness or dict order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from commentkit.dockets.catalog import QUESTIONS_FILE
from commentkit.questionnaire import conditions

Level = Literal["core", "recommended", "optional"]
LEVELS: tuple[str, ...] = ("core", "recommended", "optional")
_RANK = {"core": 0, "recommended": 1, "optional": 2}

THEMES_ITEM = "themes"
"""The interview item whose choice values are theme tags in the question bank."""

NO_MATCH = "no reported exposure points to this question"
NOT_INTERVIEWED = "the questionnaire is not answered yet (run 'commentkit interview' to rank the questions)"
NO_INTERVIEW = "this docket pack has no questionnaire, so commentkit cannot rank its questions"


@dataclass(frozen=True)
class Priority:
    question_id: str
    level: Level
    reasons: tuple[str, ...]  # words addressed to the commenter

    def as_dict(self) -> dict[str, Any]:
        return {"question_id": self.question_id, "level": self.level, "reasons": list(self.reasons)}


def _bank_file(pack) -> Path | None:
    return Path(pack.path) / QUESTIONS_FILE if getattr(pack, "path", None) else None


def theme_labels(interview) -> dict[str, str]:
    """Theme choice value -> label, from the interview's ``themes`` item (empty if none)."""
    if interview is None:
        return {}
    for it in interview.items:
        if it.id == THEMES_ITEM:
            return {c.value: c.label for c in it.choices}
    return {}


def plan(pack, profile: dict) -> list[Priority]:
    """Every question in the bank, in the notice's order, with its level and the reasons for it."""
    questions = pack.bank.ordered()
    interview = pack.interview
    if interview is None:
        return [Priority(q.id, "optional", (NO_INTERVIEW,)) for q in questions]

    ifile = conditions.interview_file(pack)
    bfile = _bank_file(pack)
    variables = conditions.profile_vars(interview, profile or {}, file=ifile)
    answered = any(conditions.is_answered(v) for v in variables.values())
    labels = theme_labels(interview)
    picked = variables.get(THEMES_ITEM) or []
    chosen = [t for t in labels if isinstance(picked, list) and t in picked]  # the questionnaire's order

    out: list[Priority] = []
    for q in questions:
        level = "optional"
        reasons: list[str] = []

        def raise_to(new: str, reason: str) -> None:
            nonlocal level
            if _RANK[new] < _RANK[level]:
                level = new
            if reason not in reasons:
                reasons.append(reason)

        for n, rule in enumerate(q.relevance, start=1):
            where = conditions.Where(bfile, f"question {q.id!r} (relevance rule {n})")
            if conditions.evaluate(rule.when, variables, where):
                raise_to(rule.level, rule.reason.strip())
        for theme in chosen:
            if theme in q.tags:
                raise_to("core", f"you chose {_theme_phrase(labels[theme])} as a theme")
        if not reasons:
            reasons.append(NO_MATCH if answered else NOT_INTERVIEWED)
        out.append(Priority(q.id, level, tuple(reasons)))  # type: ignore[arg-type]
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
