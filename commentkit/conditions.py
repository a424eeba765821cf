"""Conditions in docket packs: sandboxed Jinja expressions over questionnaire answers.

Interview items (``when``) and question-bank relevance rules (``relevance[].when``) are
expressions such as ``'semiconductors' in sectors and commenter_type == 'company'``. They are
evaluated in Jinja's immutable sandbox with strict undefined variables: no Python ``eval``, no
attribute escapes, and a name that is not an interview item is an error naming the pack file
and the item or question, never a silent ``false``.

The variables are every interview item id. An unanswered item (or one whose own condition does
not hold) is ``none``, except multiple-choice items, which are ``[]`` so ``'x' in item`` works.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from commentkit.errors import UserError

MAX_EXPRESSION_CHARS = 2000


@dataclass(frozen=True)
class Where:
    """Where an expression comes from, for error messages: the pack file and the owner's id."""

    file: Path | str | None
    owner: str  # e.g. "item 'semi_activities'" or "question 'def-1' (relevance rule 2)"


@lru_cache(maxsize=1)
def _env():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@dataclass(frozen=True)
class Compiled:
    source: str
    names: frozenset[str]
    run: Callable[..., Any]


@lru_cache(maxsize=4096)
def _compile(source: str) -> Compiled:
    """Parse and compile one expression (cached by its text). Raises jinja2's errors."""
    from jinja2 import nodes
    from jinja2.exceptions import TemplateSyntaxError
    from jinja2.parser import Parser

    env = _env()
    parser = Parser(env, source, state="variable")
    expr = parser.parse_expression()
    if not parser.stream.eos:
        tok = parser.stream.current
        raise TemplateSyntaxError(f"unexpected {tok.value or tok.type!r} after the expression", tok.lineno)
    names = frozenset(n.name for n in expr.find_all(nodes.Name) if n.ctx == "load")
    expr.set_environment(env)
    body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
    template = env.from_string(nodes.Template(body, lineno=1))

    def run(variables: dict[str, Any]) -> Any:
        context = template.new_context(dict(variables))
        for _ in template.root_render_func(context):
            pass
        return context.vars.get("result")

    return Compiled(source, names, run)


def compile_condition(source: str, known: Iterable[str], where: Where) -> Compiled:
    """Compile ``source``; a syntax error or a name outside ``known`` is a UserError at ``where``."""
    from jinja2.exceptions import TemplateError

    if not isinstance(source, str) or not source.strip():
        raise UserError(f"{where.owner}: condition is empty", where.file)
    if len(source) > MAX_EXPRESSION_CHARS:
        raise UserError(f"{where.owner}: condition is too long ({len(source)} characters)", where.file)
    try:
        compiled = _compile(source)
    except TemplateError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{where.owner}: invalid condition {source!r}: {msg}", where.file) from None
    except (RecursionError, MemoryError):
        raise UserError(f"{where.owner}: condition is nested too deeply", where.file) from None
    unknown = sorted(compiled.names - set(known) - set(_env().globals))
    if unknown:
        raise UserError(f"{where.owner}: condition {source!r} names "
                        f"{'an unknown item' if len(unknown) == 1 else 'unknown items'} "
                        f"{', '.join(repr(u) for u in unknown)} (not in the questionnaire)", where.file)
    return compiled


def evaluate(source: str, variables: dict[str, Any], where: Where) -> bool:
    """Whether the condition holds for ``variables`` (every interview item id must be present)."""
    from jinja2.exceptions import SecurityError, TemplateError

    compiled = compile_condition(source, variables.keys(), where)
    try:
        return bool(compiled.run(variables))
    except SecurityError as exc:
        raise UserError(f"{where.owner}: condition {source!r} was refused by the sandbox: {exc}",
                        where.file) from None
    except (TemplateError, TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{where.owner}: condition {source!r} cannot be evaluated ({msg}); an unanswered "
                        f"item is none (a multiple-choice item is []), so guard comparisons like "
                        f"'x is not none and x > 10'", where.file) from None
    except RecursionError:
        raise UserError(f"{where.owner}: condition {source!r} recursed too deeply", where.file) from None


def unanswered(item) -> Any:
    """The value an unanswered item has in conditions."""
    return [] if item.type == "multichoice" else None


def is_answered(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str) and not value.strip():
        return False
    if isinstance(value, list) and not value:
        return False
    return True


def interview_file(pack) -> Path | None:
    from commentkit.packs import INTERVIEW_FILE

    return Path(pack.path) / INTERVIEW_FILE if pack is not None and getattr(pack, "path", None) else None


def item_where(item, file: Path | str | None) -> Where:
    return Where(file, f"item {item.id!r}")


def _for_condition(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, list):
        return list(value)
    return value


def profile_vars(interview, profile: dict[str, Any], *, file: Path | str | None = None) -> dict[str, Any]:
    """The variables conditions see: every item id, with answers given where the item applies.

    Items are taken in the questionnaire's order; an item whose own ``when`` does not hold for
    the earlier answers counts as unanswered (its stored answer is kept on disk but ignored),
    so a stale answer to a question that no longer applies cannot change a plan.
    """
    variables: dict[str, Any] = {it.id: unanswered(it) for it in interview.items}
    for it in interview.items:
        if it.when and not evaluate(it.when, variables, item_where(it, file)):
            continue
        value = profile.get(it.id)
        if is_answered(value):
            variables[it.id] = _for_condition(value)
    return variables


def applies(item, variables: dict[str, Any], file: Path | str | None = None) -> bool:
    """Whether ``item`` is asked, given the variables of the answers so far."""
    return not item.when or evaluate(item.when, variables, item_where(item, file))


def check_interview(interview, file: Path | str | None = None) -> None:
    """Compile every item condition now, so a broken pack is reported before any question is asked."""
    known = [it.id for it in interview.items]
    for it in interview.items:
        if it.when:
            compile_condition(it.when, known, item_where(it, file))
