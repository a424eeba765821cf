"""The questionnaire engine: which item comes next, and turning a raw answer into a stored value.

Pure: no files, no terminal. The CLI (``commentkit.cli.interview``) asks; ``commentkit.project.profilefile``
stores. Stored answers (``profile.yaml``) map item id -> value:

* ``text`` -> str, ``yesno`` -> bool, ``choice`` -> a choice value, ``multichoice`` -> a list of
  choice values in the questionnaire's order, ``number`` -> int or float, ``date`` -> date;
* ``null`` means the item was asked and deliberately left blank; an absent key means it was
  never asked (the interview resumes at the first applicable absent item).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commentkit.errors import UserError
from commentkit.files import limits
from commentkit.questionnaire import conditions

NONE_CHOICE = "none"
"""A multiple-choice value meaning 'none of these'; it cannot be combined with other choices."""

_YES = {"y", "yes", "true", "t", "1", "on", "是", "对"}
_NO = {"n", "no", "false", "f", "0", "off", "否", "不"}
MAX_TEXT_CHARS = 20_000


class AnswerError(ValueError):
    """A raw answer that does not fit the item; the message is addressed to the user."""


def _choice_list(item) -> str:
    return ", ".join(c.value for c in item.choices)


def _match_choice(item, raw: str) -> str:
    """A choice by its value, its label (any case) or its number in the list (1-based)."""
    text = raw.strip()
    if not text:
        raise AnswerError("empty choice")
    for c in item.choices:
        if text == c.value:
            return c.value
    low = text.casefold()
    for c in item.choices:
        if low == c.value.casefold() or low == c.label.casefold():
            return c.value
    if text.isdigit():
        n = int(text)
        if 1 <= n <= len(item.choices):
            return item.choices[n - 1].value
        raise AnswerError(f"{n} is not in the list (1-{len(item.choices)})")
    raise AnswerError(f"{text!r} is not one of the choices ({_choice_list(item)})")


def _split_multi(raw: str) -> list[str]:
    return [p for p in re.split(r"[,;\s]+", raw.strip()) if p]


def coerce(item, raw: Any) -> Any:
    """The value to store for ``raw`` (typed in, or read from YAML); None means blank.

    Raises AnswerError when ``raw`` does not fit the item. ``required`` is not checked here
    (a blank answer is a value); see :func:`check_required`.
    """
    if raw is None:
        return None
    if isinstance(raw, str) and not raw.strip():
        return None
    kind = item.type
    rules = item.validation
    if kind == "text":
        if isinstance(raw, bool):
            raise AnswerError("expected text, got a yes/no value (in YAML, put quotes around yes, no, on, off)")
        if isinstance(raw, (int, float)):
            raw = str(raw)
        if not isinstance(raw, str):
            raise AnswerError(f"expected text, got a {_kind(raw)}")
        value = raw.strip() if item.multiline else " ".join(raw.split())
        if item.multiline:
            value = "\n".join(line.rstrip() for line in value.splitlines())
        if len(value) > MAX_TEXT_CHARS:
            raise AnswerError(f"is too long ({len(value)} characters; limit {MAX_TEXT_CHARS})")
        bad = limits.find_unstorable(value)
        if bad is not None:  # profile.yaml could not hold it (and a later read would refuse the file)
            raise AnswerError(f"contains {limits.describe(bad.group())}, which commentkit files cannot hold")
        if rules.pattern:
            try:
                ok = re.fullmatch(rules.pattern, value) is not None
            except re.error:
                ok = True  # a broken pattern is the pack's problem, reported by check_pack
            if not ok:
                raise AnswerError(f"expected {rules.message}" if rules.message
                                  else f"does not match the expected form {rules.pattern!r}")
        return value
    if kind == "yesno":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str):
            low = raw.strip().casefold()
            if low in _YES:
                return True
            if low in _NO:
                return False
        raise AnswerError(f"expected yes or no, got {raw!r}")
    if kind == "choice":
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise AnswerError(f"expected one of: {_choice_list(item)}")
        return _match_choice(item, str(raw))
    if kind == "multichoice":
        if isinstance(raw, str):
            parts = _split_multi(raw)
        elif isinstance(raw, (list, tuple)):
            parts = []
            for p in raw:
                if isinstance(p, bool) or not isinstance(p, (str, int)):
                    raise AnswerError(f"expected choice values from: {_choice_list(item)}")
                parts.append(str(p))
        else:
            raise AnswerError(f"expected a list of choices from: {_choice_list(item)}")
        chosen = {_match_choice(item, p) for p in parts}
        if not chosen:
            return None
        value = [c.value for c in item.choices if c.value in chosen]  # type: ignore[assignment]
        if NONE_CHOICE in value and len(value) > 1:
            label = next(c.label for c in item.choices if c.value == NONE_CHOICE)
            raise AnswerError(f"{label!r} cannot be combined with other choices")
        if NONE_CHOICE not in value:
            if rules.min_choices is not None and len(value) < rules.min_choices:
                raise AnswerError(f"choose at least {rules.min_choices}")
            if rules.max_choices is not None and len(value) > rules.max_choices:
                raise AnswerError(f"choose at most {rules.max_choices}")
        return value
    if kind == "number":
        if isinstance(raw, bool):
            raise AnswerError("expected a number, got a yes/no value")
        if isinstance(raw, (int, float)):
            num: float = raw
        elif isinstance(raw, str):
            text = raw.strip().replace(",", "").replace("_", "")
            try:
                num = int(text)
            except ValueError:
                try:
                    num = float(text)
                except ValueError:
                    raise AnswerError(f"expected a number, got {raw.strip()!r}") from None
        else:
            raise AnswerError(f"expected a number, got a {_kind(raw)}")
        if isinstance(num, float):
            if not math.isfinite(num):
                raise AnswerError("expected a finite number")
            if num.is_integer() and abs(num) < 2**53:
                num = int(num)
        if rules.min is not None and num < rules.min:
            raise AnswerError(f"must be at least {_num(rules.min)}")
        if rules.max is not None and num > rules.max:
            raise AnswerError(f"must be at most {_num(rules.max)}")
        return num
    if kind == "date":
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw.strip())
            except ValueError:
                pass
        raise AnswerError(f"expected a date as YYYY-MM-DD, got {raw!r}")
    raise AnswerError(f"unknown item type {kind!r}")  # pragma: no cover - the schema forbids it


def _kind(value: Any) -> str:
    names: dict[type, str] = {dict: "mapping", list: "list"}
    return names.get(type(value), type(value).__name__)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def check_required(item, value: Any) -> None:
    if item.validation.required and not conditions.is_answered(value):
        raise AnswerError("an answer is required")


# ---- walking the questionnaire ---------------------------------------------------------------

def applicable(interview, answers: dict[str, Any], file: Path | str | None = None) -> list:
    """The items asked for these answers, in order (items whose ``when`` fails are left out)."""
    variables: dict[str, Any] = {it.id: conditions.unanswered(it) for it in interview.items}
    out = []
    for it in interview.items:
        if it.when and not conditions.evaluate(it.when, variables, conditions.item_where(it, file)):
            continue
        out.append(it)
        value = answers.get(it.id)
        if conditions.is_answered(value):
            variables[it.id] = conditions.as_condition_value(value)
    return out


def effective(interview, answers: dict[str, Any], file: Path | str | None = None) -> dict[str, Any]:
    """Answers of applicable items only, answered ones only, in questionnaire order."""
    return {it.id: answers[it.id] for it in applicable(interview, answers, file)
            if conditions.is_answered(answers.get(it.id))}


def next_unanswered(interview, answers: dict[str, Any], file: Path | str | None = None,
                    after: str | None = None, also: set[str] | frozenset[str] = frozenset()):
    """The first applicable item (after item ``after``, if given) never asked, or in ``also``."""
    items = applicable(interview, answers, file)
    start = 0
    if after is not None:
        ids = [it.id for it in items]
        if after in ids:
            start = ids.index(after) + 1
        else:  # `after` no longer applies: continue after its position in the full list
            order = {it.id: n for n, it in enumerate(interview.items)}
            start = next((n for n, it in enumerate(items) if order[it.id] > order.get(after, -1)), len(items))
    for it in items[start:]:
        if it.id not in answers or it.id in also:
            return it
    return None


@dataclass(frozen=True)
class Progress:
    number: int  # 1-based position of the item among those asked
    about: int  # how many items are asked, given the answers so far (conditions may change it)

    def line(self) -> str:
        return f"item {self.number} of about {self.about}"


def progress(interview, answers: dict[str, Any], item, file: Path | str | None = None) -> Progress:
    items = applicable(interview, answers, file)
    ids = [it.id for it in items]
    if item.id in ids:
        return Progress(ids.index(item.id) + 1, len(items))
    order = [it.id for it in interview.items]
    before = sum(1 for i in ids if order.index(i) < order.index(item.id))
    return Progress(before + 1, len(items) + 1)


# ---- checking a whole set of answers ------------------------------------------------------------

@dataclass
class Problem:
    item_id: str
    message: str
    line: int | None = None

    def format(self, path: Path | str | None = None) -> str:
        where = ""
        if path is not None:
            where = f"{path}:{self.line}: " if self.line else f"{path}: "
        return f"{where}{self.item_id}: {self.message}"


@dataclass
class Checked:
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def check_answers(interview, given: dict[str, Any], *, base: dict[str, Any] | None = None,
                  lines: dict[str, int] | None = None, file: Path | str | None = None,
                  require_applicable: bool = True, required: bool = True) -> Checked:
    """Validate ``given`` (item id -> raw value) against the questionnaire, reporting every problem.

    ``base`` holds answers already stored; conditions are judged on ``base`` updated with the
    given answers. With ``require_applicable``, an answer to an item whose condition does not
    hold is a problem (it would be ignored, which is rarely what the writer meant).
    """
    lines = lines or {}
    out = Checked()
    known = {it.id: it for it in interview.items}
    for key, raw in given.items():
        if not isinstance(key, str) or key not in known:
            hint = did_you_mean(str(key), known)
            out.problems.append(Problem(str(key), "no such item in the questionnaire" + hint, lines.get(key)))
            continue
        item = known[key]
        try:
            value = coerce(item, raw)
            if required:
                check_required(item, value)
        except AnswerError as exc:
            out.problems.append(Problem(key, str(exc), lines.get(key)))
            continue
        out.values[key] = value
    if require_applicable and not out.problems:
        merged = dict(base or {})
        merged.update(out.values)
        asked = {it.id for it in applicable(interview, merged, file)}
        for key in out.values:
            if key not in asked:
                out.problems.append(Problem(key, f"does not apply to these answers (it is asked only when "
                                                 f"{known[key].when})", lines.get(key)))
    return out


def did_you_mean(word: str, known) -> str:
    """A hint like " (did you mean 'sectors'?)" naming the closest known id, or an empty string."""
    near = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def missing_required(interview, answers: dict[str, Any], file: Path | str | None = None) -> list[str]:
    return [it.id for it in applicable(interview, answers, file)
            if it.validation.required and not conditions.is_answered(answers.get(it.id))]


def unanswered_ids(interview, answers: dict[str, Any], file: Path | str | None = None) -> list[str]:
    return [it.id for it in applicable(interview, answers, file) if it.id not in answers]


def display(item, value: Any) -> str:
    """A stored value as the user reads it (labels, not codes)."""
    if value is None:
        return "(left blank)"
    if item.type == "yesno":
        return "yes" if value else "no"
    labels = {c.value: c.label for c in item.choices}
    if item.type == "choice":
        return labels.get(value, str(value))
    if item.type == "multichoice":
        return "; ".join(labels.get(v, str(v)) for v in value)
    if item.type == "date":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    if item.type == "number":
        return f"{value:,}" if isinstance(value, int) else str(value)
    return str(value)


def as_input(item, value: Any) -> str:
    """A stored value as it would be typed at the plain prompt (the default shown in --review)."""
    if value is None:
        return ""
    if item.type == "yesno":
        return "yes" if value else "no"
    if item.type == "choice":
        ids = [c.value for c in item.choices]
        return str(ids.index(value) + 1) if value in ids else str(value)
    if item.type == "multichoice":
        ids = [c.value for c in item.choices]
        return ",".join(str(ids.index(v) + 1) for v in value if v in ids)
    if item.type == "date":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(value)


def jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def check_pack(interview, file: Path | str | None = None) -> None:
    """Problems in the questionnaire itself that the schema cannot see (conditions, patterns, defaults)."""
    conditions.check_interview(interview, file)
    for it in interview.items:
        if it.validation.pattern:
            try:
                re.compile(it.validation.pattern)
            except re.error as exc:
                raise UserError(f"item {it.id!r}: invalid validation pattern: {exc}", file) from None
        if it.default is not None:
            try:
                coerce(it, it.default)
            except AnswerError as exc:
                raise UserError(f"item {it.id!r}: default {it.default!r} {exc}", file) from None
