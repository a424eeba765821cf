"""Conditions in docket packs: small, safe expressions over questionnaire answers.

Interview items (``when``) and question-bank relevance rules (``relevance[].when``) are
expressions such as ``'semiconductors' in sectors and commenter_type == 'company'``, in the
subset of expression syntax that Jinja (as copier uses it) and Python share. They are parsed
once and interpreted over a whitelist of syntax (no Python ``eval``, no attribute access, no
calls), and a name that is not an interview item is an error naming the pack file and the item
or question, never a silent ``false``. (Jinja's own compiler cost ~1 ms per expression, which
made ``plan`` and ``status`` slow to start; the whitelist interpreter costs microseconds.)

The variables are every interview item id. An unanswered item (or one whose own condition does
not hold) is ``none``, except multiple-choice items, which are ``[]`` so ``'x' in item`` works.
"""

from __future__ import annotations

import ast
import datetime as dt
import operator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from commentkit.dockets.catalog import INTERVIEW_FILE
from commentkit.errors import UserError

MAX_EXPRESSION_CHARS = 2000


@dataclass(frozen=True)
class Where:
    """Where an expression comes from, for error messages: the pack file and the owner's id."""

    file: Path | str | None
    owner: str  # e.g. "item 'semi_activities'" or "question 'def-1' (relevance rule 2)"


_CONSTANTS = {"true": True, "false": False, "none": None, "True": True, "False": False, "None": None}
"""Jinja spells the constants in lower case; both spellings are accepted."""


FILTERS: dict[str, Callable[[Any], Any]] = {"length": lambda x: 0 if x is None else len(x)}
"""Jinja filters a condition may use (``sectors|length > 1``): an unanswered item has length 0."""


class ConditionError(Exception):
    """An expression that is not in the condition language (raised while compiling)."""


@dataclass(frozen=True)
class Compiled:
    source: str
    names: frozenset[str]
    run: Callable[..., Any]


def _compile_node(node) -> Callable[[dict[str, Any]], Any]:
    """Turn a whitelisted expression node into a closure. Anything else is refused."""
    cmp_ops = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
               ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
               ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not}
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (str, int, float, bool))):
        value = node.value
        return lambda v: value
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            const = _CONSTANTS[node.id]
            return lambda v: const
        name = node.id
        return lambda v: v[name]
    if isinstance(node, (ast.List, ast.Tuple)):
        parts = [_compile_node(e) for e in node.elts]
        return lambda v: [p(v) for p in parts]
    if isinstance(node, ast.BoolOp):
        parts = [_compile_node(e) for e in node.values]
        if isinstance(node.op, ast.And):
            def run_and(v):
                result = True
                for p in parts:
                    result = p(v)
                    if not result:
                        return result
                return result
            return run_and

        def run_or(v):
            result = False
            for p in parts:
                result = p(v)
                if result:
                    return result
            return result
        return run_or
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        inner = _compile_node(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda v: not inner(v)
        return lambda v: -inner(v)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr) and isinstance(node.right, ast.Name):
        name = node.right.id  # a Jinja filter: value|length
        if name not in FILTERS:
            raise ConditionError(f"the filter |{name} is not supported (conditions know only "
                                 f"{', '.join('|' + f for f in FILTERS)})")
        operand, apply_filter = _compile_node(node.left), FILTERS[name]
        return lambda v: apply_filter(operand(v))
    if isinstance(node, ast.Compare):
        left = _compile_node(node.left)
        steps = []
        for op, right in zip(node.ops, node.comparators):
            if type(op) not in cmp_ops:
                raise ConditionError(f"operator {type(op).__name__} is not allowed")
            if isinstance(op, (ast.Is, ast.IsNot)) and isinstance(right, ast.Name) and right.id not in _CONSTANTS:
                if right.id in ("defined", "undefined"):
                    raise ConditionError(f"'is {right.id}' is not supported: every questionnaire item is defined; "
                                         f"to test whether one was answered, use 'x is not none' (or just 'x' "
                                         f"for a multiple-choice item)")
                raise ConditionError(f"the test 'is {right.id}' is not supported (only 'is none' and "
                                     f"'is not none')")
            steps.append((cmp_ops[type(op)], _compile_node(right)))

        def run_cmp(v):
            a = left(v)
            for fn, right_fn in steps:
                b = right_fn(v)
                if not fn(a, b):
                    return False
                a = b
            return True
        return run_cmp
    what = {"Attribute": "attribute access", "Subscript": "indexing", "Call": "function calls",
            "BinOp": "arithmetic"}.get(type(node).__name__, type(node).__name__)
    raise ConditionError(f"{what} is not allowed in conditions (use names, quoted values, and, or, not, "
                         f"in, ==, !=, <, >, is none, |length)")


@lru_cache(maxsize=4096)
def _compile(source: str) -> Compiled:
    """Parse one expression of the condition language (cached by its text).

    The language is the common subset of Jinja and Python expressions: item names, quoted
    strings, numbers, ``true``/``false``/``none``, lists, ``and``/``or``/``not``, ``in``/``not in``,
    comparisons, ``is (not) none`` and the ``|length`` filter. It is interpreted over a whitelist of syntax nodes: no
    ``eval``, no attribute access, no calls, so a pack cannot run code.
    """
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"syntax error: {exc.msg}") from None
    run = _compile_node(tree.body)
    filters = {id(n.right) for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr)}
    names = frozenset(n.id for n in ast.walk(tree)
                      if isinstance(n, ast.Name) and n.id not in _CONSTANTS and id(n) not in filters)
    return Compiled(source, names, run)


def compile_condition(source: str, known: Iterable[str], where: Where) -> Compiled:
    """Compile ``source``; a syntax error or a name outside ``known`` is a UserError at ``where``."""
    if not isinstance(source, str) or not source.strip():
        raise UserError(f"{where.owner}: condition is empty", where.file)
    if len(source) > MAX_EXPRESSION_CHARS:
        raise UserError(f"{where.owner}: condition is too long ({len(source)} characters)", where.file)
    try:
        compiled = _compile(source)
    except ConditionError as exc:
        raise UserError(f"{where.owner}: invalid condition {source!r}: {exc}", where.file) from None
    except (RecursionError, MemoryError):
        raise UserError(f"{where.owner}: condition is nested too deeply", where.file) from None
    unknown = sorted(compiled.names - set(known))
    if unknown:
        raise UserError(f"{where.owner}: condition {source!r} names "
                        f"{'an unknown item' if len(unknown) == 1 else 'unknown items'} "
                        f"{', '.join(repr(u) for u in unknown)} (not in the questionnaire)", where.file)
    return compiled


def evaluate(source: str, variables: dict[str, Any], where: Where) -> bool:
    """Whether the condition holds for ``variables`` (every interview item id must be present)."""
    compiled = compile_condition(source, variables.keys(), where)
    try:
        return bool(compiled.run(variables))
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as exc:
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
    return Path(pack.path) / INTERVIEW_FILE if pack is not None and getattr(pack, "path", None) else None


def item_where(item, file: Path | str | None) -> Where:
    return Where(file, f"item {item.id!r}")


def as_condition_value(value: Any) -> Any:
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
            variables[it.id] = as_condition_value(value)
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


# ---- why a condition holds ----------------------------------------------------------------------

Cited = tuple[str, Any]
"""One answer a condition relied on: ``(item id, value)``; for a multiple-choice item the value is
one choice value (``('coc_links', 'customers')``), otherwise the whole answer."""


def _trace_node(node) -> Callable[[dict[str, Any]], tuple[Any, list[Cited]]]:
    """Like :func:`_compile_node`, but each evaluation also returns the answers that made it true.

    Only *positive* facts are cited: ``'x' in item`` (the choice ``x``), ``item == value``,
    ``item >= n`` and the like (the answer), ``item is not none`` and a bare ``item`` (the answer).
    Negations (``not``, ``not in``, ``!=``, ``is none``) hold because something is absent and
    cite nothing; an ``or`` cites every alternative that holds, an ``and`` all of its parts.
    """
    plain = _compile_node(node)
    if isinstance(node, ast.Name) and node.id not in _CONSTANTS:
        name = node.id

        def run_name(v):
            value = v[name]
            if not value:
                return value, []
            if isinstance(value, list):
                return value, [(name, x) for x in value]
            return value, [(name, value)]
        return run_name
    if isinstance(node, ast.BoolOp):
        parts = [_trace_node(e) for e in node.values]
        if isinstance(node.op, ast.And):
            def trace_and(v):
                cited: list[Cited] = []
                result: Any = True
                for p in parts:
                    result, facts = p(v)
                    if not result:
                        return result, []
                    cited += facts
                return result, cited
            return trace_and

        def trace_or(v):
            cited: list[Cited] = []
            first: Any = None
            for p in parts:
                try:
                    result, facts = p(v)
                except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError):
                    if first is not None:  # an alternative after one that holds: not needed
                        continue
                    raise
                if result:
                    if first is None:
                        first = result
                    cited += facts
            return (first if first is not None else False), cited
        return trace_or
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        op, right = node.ops[0], node.comparators[0]
        left = node.left

        def item_name(n) -> str | None:
            return n.id if isinstance(n, ast.Name) and n.id not in _CONSTANTS else None

        def is_item(n) -> bool:
            return item_name(n) is not None

        if isinstance(op, ast.In) and is_item(right) and not is_item(left):
            name, member = str(item_name(right)), _compile_node(left)

            def trace_in(v):
                ok = plain(v)
                return ok, ([(name, member(v))] if ok else [])
            return trace_in
        if isinstance(op, (ast.Eq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.IsNot)) and (is_item(left) or is_item(right)):
            if isinstance(op, ast.IsNot) and not (isinstance(right, ast.Constant) and right.value is None
                                                 or isinstance(right, ast.Name) and right.id in ("none", "None")):
                return lambda v: (plain(v), [])
            name = str(item_name(left) or item_name(right))

            def trace_cmp(v):
                ok = plain(v)
                return ok, ([(name, v[name])] if ok else [])
            return trace_cmp
    return lambda v: (plain(v), [])


@lru_cache(maxsize=4096)
def _traced(source: str) -> Callable[[dict[str, Any]], tuple[Any, list[Cited]]]:
    return _trace_node(ast.parse(source.strip(), mode="eval").body)


def explain(source: str, variables: dict[str, Any], where: Where) -> tuple[bool, list[Cited]]:
    """Whether the condition holds, and the answers it relied on (see :func:`_trace_node`).

    Each cited ``(item, value)`` is part of ``variables``: the value is the item's answer, or
    one choice value of a multiple-choice answer.
    """
    compiled = compile_condition(source, variables.keys(), where)  # same errors as evaluate()
    try:
        result, cited = _traced(compiled.source)(variables)
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError):
        return evaluate(source, variables, where), []  # evaluate() raises the readable error
    ok = bool(result)
    out: list[Cited] = []
    if ok:
        for fact in cited:
            if fact not in out:
                out.append(fact)
    return ok, out
