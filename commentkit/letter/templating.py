"""Rendering letter templates safely: sandboxed Jinja2, strict variables, bounded output.

Templates are untrusted (trade associations distribute them), so:

* they run in :class:`jinja2.sandbox.ImmutableSandboxedEnvironment`: no attribute walking
  (``''.__class__.__mro__``), no mutation of the data given to them, no ``namespace``,
  ``lipsum`` or other helpers that can build unbounded data;
* they can only include templates from the template search path (no file access);
* numbers given to any call or filter, and the results of ``*``, ``**`` and ``%``, are
  bounded; output is capped at :data:`MAX_OUTPUT` characters and rendering at
  :data:`MAX_SECONDS` seconds; deep recursion is stopped;
* a missing variable is an error (StrictUndefined), never an empty string.

Every failure is a :class:`commentkit.errors.UserError` naming the template file and line.

Values printed with ``{{ … }}`` are escaped for Markdown (a commenter called ``A*B [Holdings]``
prints literally); a template that means to emit Markdown from data uses ``|safe``.

Entry point: :class:`TemplateSet` (``TemplateSet(search_dirs).render(name, context)``) and
:func:`template_dirs(project)` for the search path (project overrides first, then shipped).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import signal
import threading
from pathlib import Path
from typing import Any

from markupsafe import Markup

from commentkit import __version__
from commentkit.errors import TemplateError, UserError
from commentkit.files import limits
from commentkit.files.resources import data_dir

MAX_OUTPUT = 2_000_000
MAX_SECONDS = 10.0
MAX_NUMBER = 10_000_000
MAX_TEMPLATE_BYTES = limits.LETTER_TEMPLATE_BYTES  # the limit table (commentkit.files.limits)
SANDBOX_REVISION = 2
"""Bumped when the sandbox's code generation changes, so cached compiled templates are not reused."""

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_LINE_START = re.compile(r"(?m)^(\s*)([-+:=>]|\d+(?=[.)]))")


def md_escape(value: str) -> str:
    """Escape text so Markdown shows it literally."""
    value = _MD_SPECIAL.sub(r"\\\1", value)
    return _LINE_START.sub(_escape_line_start, value)


def _escape_line_start(m: re.Match) -> str:
    lead, mark = m.group(1), m.group(2)
    if mark[0].isdigit():  # "1." starts a list: escape the dot instead ("1\.")
        return lead + mark + "\\"
    return lead + "\\" + mark


class TemplateLimit(Exception):
    pass


def _check_number(v: Any) -> None:
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_NUMBER:
        raise TemplateLimit(f"number {v} is too large for a template (limit {MAX_NUMBER:,})")


def _check_size(v: Any) -> Any:
    if isinstance(v, (str, list, tuple, bytes)) and len(v) > MAX_OUTPUT:
        raise TemplateLimit(f"a value of {len(v):,} items is larger than a template may build "
                            f"(limit {MAX_OUTPUT:,})")
    return v


def _environment(loader):
    from jinja2 import StrictUndefined  # lazy: templates only when a letter is rendered
    from jinja2.compiler import CodeGenerator  # lazy: templates only when a letter is rendered
    from jinja2.sandbox import ImmutableSandboxedEnvironment  # lazy: templates only when a letter is rendered

    class Generator(CodeGenerator):
        def visit_Concat(self, node, frame):  # `a ~ b ~ c`: sized before it is built
            self.write("environment.bounded_concat((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    class Env(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%", "+"})
        code_generator_class = Generator

        @staticmethod
        def bounded_concat(values):
            parts = [v if isinstance(v, str) else str(v) for v in values]
            if sum(map(len, parts)) > MAX_OUTPUT:
                raise TemplateLimit(f"joining values with ~ would build more than {MAX_OUTPUT:,} characters")
            return "".join(parts)  # as jinja's str_join (autoescape is off): a plain string

        def call_binop(self, context, operator, left, right):
            if operator == "**":
                _check_number(left)
                if isinstance(right, (int, float)) and right > 64:
                    raise TemplateLimit(f"exponent {right} is too large for a template")
            if operator == "*":
                for a, b in ((left, right), (right, left)):
                    if isinstance(a, (str, list, tuple)) and isinstance(b, int) and len(a) * b > MAX_OUTPUT:
                        raise TemplateLimit("repeating a value this many times exceeds the output limit")
            if operator == "%" and isinstance(left, str):
                for m in re.finditer(r"%[-+ #0]*(\d+)", left):
                    _check_number(int(m.group(1)) * 100)
            return _check_size(super().call_binop(context, operator, left, right))

        def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (jinja's signature)
            for a in (*args, *kwargs.values()):
                _check_number(a)
                _check_size(a)
            return _check_size(super().call(__context, __obj, *args, **kwargs))

    def finalize(value):
        if isinstance(value, Markup):
            return str(value)
        if value is None:
            return ""
        return md_escape(str(value))

    env = Env(loader=loader, undefined=StrictUndefined, autoescape=False, finalize=finalize,
              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, auto_reload=False,
              bytecode_cache=_bytecode_cache())
    for name in ("namespace", "lipsum", "cycler", "joiner"):
        env.globals.pop(name, None)
    env.globals["range"] = _CountedRange
    for name, fn in list(env.filters.items()):
        env.filters[name] = _guarded_filter(fn)
    env.filters.update(_FILTERS)
    from jinja2.filters import do_join  # lazy: templates only when a letter is rendered

    env.filters["join"] = _bounded_join(do_join)
    return env


MAX_ITERATIONS = 2_000_000
_budget = {"left": MAX_ITERATIONS}


class _CountedRange:
    """``range`` for templates: every step spends from one budget per render, so nested loops
    that would run for hours are stopped at the loop's own line."""

    def __init__(self, *args):
        for a in args:
            _check_number(a)
        self._r = range(*args)

    def __len__(self):
        return len(self._r)

    def __iter__(self):
        for i in self._r:
            _budget["left"] -= 1
            if _budget["left"] < 0:
                raise TemplateLimit(f"loops ran more than {MAX_ITERATIONS:,} steps; stopped")
            yield i


def _bytecode_cache():
    """Compiled templates are cached like .pyc files (keyed by source checksum), in a private
    per-user folder used only by this sandbox configuration. COMMENTKIT_NO_TEMPLATE_CACHE=1
    turns it off. Only compiled template code is cached, never a build's output."""
    if os.environ.get("COMMENTKIT_NO_TEMPLATE_CACHE"):
        return None
    try:
        import jinja2  # lazy: templates only when a letter is rendered
        from jinja2 import FileSystemBytecodeCache  # lazy: as above
        from platformdirs import user_cache_dir  # lazy: only the template cache needs it

        folder = Path(user_cache_dir("commentkit", appauthor=False)) / f"templates-{jinja2.__version__}-{__version__}-s{SANDBOX_REVISION}"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = folder.stat()
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
            return None  # not ours, or writable by others: do not load code from it
        return FileSystemBytecodeCache(str(folder), "sandbox-%s.cache")
    except OSError:
        return None


def _guarded_filter(fn):
    # functools.wraps copies the function's attributes, so a filter marked with jinja2's public
    # pass_context / pass_eval_context / pass_environment decorators stays marked
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for a in (*args, *kwargs.values()):
            _check_number(a)
        return _check_size(fn(*args, **kwargs))

    return wrapper


# ---- filters available to templates ----------------------------------------------------

def _lcfirst(s: str) -> str:
    """'Whether the…' → 'whether the…'; acronyms ('EDA tools') are left alone."""
    s = str(s)
    if (len(s) > 1 and s[1].islower()) or s[:2] == "A ":
        return s[:1].lower() + s[1:]
    return s


def _series(items, conj: str = "and") -> str:
    items = [str(i) for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {conj} {items[1]}"
    return ", ".join(items[:-1]) + f", {conj} {items[-1]}"


def _strip_period(s: str) -> str:
    return str(s).rstrip().rstrip(".")


def _long_date(value) -> str:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{value:%B} {value.day}, {value.year}"


def _bounded_join(jinja_join):
    """``join`` that refuses before building a result larger than MAX_OUTPUT."""
    from jinja2 import pass_eval_context  # lazy: templates only when a letter is rendered

    @pass_eval_context
    @functools.wraps(jinja_join)
    def join(eval_ctx, value, d: str = "", attribute=None):
        items = list(value) if not isinstance(value, (list, tuple)) else value
        _check_size(items)
        estimate = len(str(d)) * max(0, len(items) - 1)
        if attribute is None:
            estimate += sum(len(i) if isinstance(i, str) else 0 for i in items)
        if estimate > MAX_OUTPUT:
            raise TemplateLimit(f"join would build more than {MAX_OUTPUT:,} characters")
        return _check_size(jinja_join(eval_ctx, items, d, attribute))

    return join


_FILTERS = {"lcfirst": _lcfirst, "series": _series, "strip_period": _strip_period, "long_date": _long_date}


# ---- the template set ------------------------------------------------------------------

def shipped_dir() -> Path:
    return data_dir("templates")


def template_dirs(project) -> list[Path]:
    """Search path: the project's template folder (overrides), then commentkit's own."""
    dirs: list[Path] = []
    setting = project.file.build.templates
    if setting:
        own = (project.root / setting)
        if own.is_dir():
            dirs.append(own)
    dirs.append(shipped_dir())
    return dirs


class _Loader:
    """FileSystemLoader with a size limit; names with '..' or absolute paths are not found."""

    def __new__(cls, dirs):
        from jinja2 import FileSystemLoader, TemplateNotFound  # lazy: templates only when a letter is rendered

        class Loader(FileSystemLoader):
            def get_source(self, environment, template):
                src, filename, uptodate = super().get_source(environment, template)
                real = Path(filename).resolve()
                if not any(real.is_relative_to(Path(d).resolve()) for d in self.searchpath):
                    raise TemplateNotFound(f"{template} (a link to a file outside the template folders)")
                if len(src) > MAX_TEMPLATE_BYTES:
                    raise TemplateNotFound(f"{template} (larger than {MAX_TEMPLATE_BYTES:,} bytes)")
                return src, filename, uptodate

        return Loader([str(d) for d in dirs], followlinks=False)


class TemplateSet:
    def __init__(self, dirs: list[Path]):
        self.dirs = [Path(d) for d in dirs]
        self.env = _environment(_Loader(self.dirs))

    def origin(self, name: str) -> Path:
        for d in self.dirs:
            if (d / name).is_file():
                return d / name
        return self.dirs[-1] / name

    def render(self, name: str, context: dict[str, Any]) -> str:
        """Render template ``name`` with ``context``; any failure is a one-line UserError."""
        from jinja2 import TemplateNotFound, TemplateSyntaxError  # lazy: templates only when a letter is rendered
        from jinja2.exceptions import SecurityError, UndefinedError  # lazy: templates only when a letter is rendered

        try:
            _budget["left"] = MAX_ITERATIONS
            with _time_limit(MAX_SECONDS):
                tpl = self.env.get_template(name)
                parts: list[str] = []
                size = 0
                gen = tpl.generate(context)
                for chunk in gen:
                    size += len(chunk)
                    if size > MAX_OUTPUT:
                        where, line = _suspended_at(gen) or (self.origin(name), None)
                        gen.close()
                        raise TemplateError(f"refused (limit): output exceeds {MAX_OUTPUT:,} characters; stopped",
                                        where, line)
                    parts.append(chunk)
                return "".join(parts)
        except TemplateSyntaxError as exc:
            path = Path(exc.filename) if exc.filename else self.origin(exc.name or name)
            raise TemplateError(f"template syntax error: {exc.message}", path, exc.lineno) from None
        except TemplateNotFound as exc:
            where, line = self._location(exc, name)
            raise TemplateError(f"template not found: {exc.name} (searched {', '.join(map(str, self.dirs))})",
                            where, line) from None
        except UserError:
            raise
        except (Exception, RecursionError, MemoryError, _Timeout) as exc:  # any failure of untrusted code
            where, line = self._location(exc, name)
            kind = {SecurityError: "refused (unsafe operation in a sandboxed template)",
                    UndefinedError: "undefined variable", TemplateLimit: "refused (limit)",
                    RecursionError: "refused (recursion too deep)", MemoryError: "refused (out of memory)",
                    _Timeout: f"refused (took longer than {MAX_SECONDS:g} s)"}
            label = next((v for k, v in kind.items() if isinstance(exc, k)), "template error")
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise TemplateError(f"{label}: {msg}", where, line) from None

    def _location(self, exc: BaseException, name: str) -> tuple[Path, int | None]:
        tb = exc.__traceback__
        found: tuple[Path, int | None] | None = None
        roots = [str(d) for d in self.dirs]
        while tb is not None:
            fn = tb.tb_frame.f_code.co_filename
            if any(fn.startswith(r) for r in roots) or fn.endswith(".j2"):
                found = (Path(fn), tb.tb_lineno)
            tb = tb.tb_next
        return found or (self.origin(name), None)


def _suspended_at(gen) -> tuple[Path, int | None] | None:
    """Template file and line where a suspended render generator (and its includes) stands."""
    try:
        g = gen
        for _ in range(100):
            f = g.gi_frame
            if f is None:
                break
            inner = g.gi_yieldfrom or f.f_locals.get("gen")
            if inner is None or getattr(inner, "gi_frame", None) is None:
                break
            g = inner
        f = g.gi_frame
        t = f.f_globals.get("__jinja_template__") if f is not None else None
        if t is None or not t.filename:
            return None
        return Path(t.filename), t.get_corresponding_lineno(f.f_lineno)
    except Exception:  # best effort: only used to point at the line
        return None


class _Timeout(Exception):
    def __str__(self):
        return "rendering was stopped"


class _time_limit:
    """SIGALRM-based limit (main thread on POSIX only; elsewhere the output cap still applies)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.active = False

    def __enter__(self):
        if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            def handler(signum, frame):
                raise _Timeout()

            self.old = signal.signal(signal.SIGALRM, handler)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            self.active = True
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
        return False
