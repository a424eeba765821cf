"""Reading and writing the YAML files users edit.

Reads use ruamel.yaml's fast safe loader; only when something is wrong do we re-read the
file in round-trip mode to find the line of the offending key, so every error names
``file:line``. Writes that update a user's file go through round-trip mode, which keeps
the user's comments and key order.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from commentkit.errors import UserError
from commentkit.files import limits, paths

M = TypeVar("M")

MAX_YAML_BYTES = limits.TEXT_FILE_BYTES


def read_text(path: Path, what: str = "file", max_bytes: int | None = None) -> str:
    """Read a UTF-8 text file or raise a one-line UserError naming it."""
    return read_text_and_bytes(path, what, max_bytes)[0]


def read_bytes(path: Path, what: str = "file", max_bytes: int | None = None) -> bytes:
    """The bytes of a user's file, bounded in size, under the path policy (:mod:`commentkit.files.paths`:
    no link out of a project or pack, no FIFO or device); any problem is a one-line UserError naming it."""
    return paths.read_regular(Path(path), what, limits.TEXT_FILE_BYTES if max_bytes is None else max_bytes)


def read_text_and_bytes(path: Path, what: str = "file", max_bytes: int | None = None) -> tuple[str, bytes]:
    """The text of a UTF-8 file and the exact bytes it was decoded from (one read: for change
    detection, a file saved with a byte-order mark must compare equal to itself)."""
    path = Path(path)
    data = read_bytes(path, what, max_bytes)
    return decode_text(data, path, what), data


def decode_text(data: bytes, path: Path | None = None, what: str = "file") -> str:
    """UTF-8 (with or without a byte-order mark) holding only characters commentkit files can hold
    (no NUL or other control characters: :mod:`commentkit.files.limits`), or a one-line UserError
    with the line: "... is not UTF-8 at byte N"."""
    return limits.decode_input(data, what, path, after="")


_INSTANCES: dict[str, Any] = {}


def _yaml(typ: str):
    """A ruamel.yaml instance per mode, made once (making one costs about 1 ms)."""
    y = _INSTANCES.get(typ)
    if y is None:
        from ruamel.yaml import YAML  # lazy: ruamel.yaml only when writing YAML users edit

        y = YAML(typ=typ, pure=False)
        if typ == "rt":
            y.preserve_quotes = True
            y.width = 100
            y.indent(mapping=2, sequence=4, offset=2)
        _INSTANCES[typ] = y
    return y


_FAST: Any = None


def _fast_loader():
    """PyYAML's libyaml (C) safe loader, set to read like the YAML 1.2 core schema that
    ruamel.yaml uses: only true/false are booleans, no sexagesimal or 0-prefixed octal integers,
    1e5 is a number. Returns ``(yaml, Loader)``, or None when libyaml is not available."""
    global _FAST
    if _FAST is None:
        try:
            import yaml  # lazy: PyYAML only when a YAML file is read
            from yaml import CSafeLoader  # lazy: as above
        except ImportError:
            _FAST = False
            return None

        class Loader(CSafeLoader):
            def construct_mapping(self, node, deep=False):
                seen = set()
                for key_node, _ in node.value:
                    key = getattr(key_node, "value", None)
                    if isinstance(key, str):
                        if key in seen:  # ruamel.yaml reports it, with the line
                            raise ValueError(f"duplicate key {key!r}")
                        seen.add(key)
                return super().construct_mapping(node, deep=deep)

        drop = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
        Loader.yaml_implicit_resolvers = {
            k: [(tag, rx) for tag, rx in v if tag not in drop] for k, v in CSafeLoader.yaml_implicit_resolvers.items()}
        Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                     list("tTfF"))
        Loader.add_implicit_resolver("tag:yaml.org,2002:int",
                                     re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
                                     list("-+0123456789"))
        Loader.add_implicit_resolver(
            "tag:yaml.org,2002:float",
            re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
                       r"|\.(?:nan|NaN|NAN))$"),
            list("-+0123456789."))

        def construct_int(loader, node):
            text = loader.construct_scalar(node)
            based = text.lstrip("+-")[:2] in ("0x", "0o")
            return int(text, 0) if based else int(text, 10)  # YAML 1.2: 012 is twelve

        Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
        _FAST = (yaml, Loader)
    return _FAST or None


def parse_yaml(text: str, path: Path | None = None) -> Any:
    """Parse YAML text into plain Python objects; syntax errors carry the line.

    libyaml's C parser reads (fast: commands that read a whole project start quickly); anything
    it does not take goes to ruamel.yaml, which gives the error with its line.
    """
    _check_nesting(text, path)
    fast = _fast_loader()
    data = _NOTHING
    if fast:
        yaml, loader = fast
        try:
            data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
        except Exception:
            pass
    if data is _NOTHING:
        data = _parse_ruamel(text, path)
    if "&" in text:  # anchors: aliases could make a small file expand hugely, or refer to itself
        _check_aliases(data, path)
    return data


_NOTHING = object()

_FLAT: Any = None


def _flat_patterns():
    global _FLAT
    if _FLAT is None:
        # key: a lower-case name; value: a single-quoted string, or a plain word sequence that
        # YAML reads as a string (starts with a letter, no ':' '#' or other indicators)
        _FLAT = (re.compile(r"([a-z_][a-z0-9_]*):(?: (?:'((?:[^']|'')*)'|([A-Za-z](?:[\w .,'/()@+-]*[\w.)'])?)))?"),
                 frozenset({"true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"}))
    return _FLAT


def parse_flat_yaml(text: str, path: Path | None = None) -> Any:
    """:func:`parse_yaml` for the common small header (answer front matter): ``key: value`` lines,
    values single-quoted or plain words, and one level of ``key:`` with indented ``key: value``
    lines under it. Read directly, with the same result YAML gives; anything else (comments,
    double quotes, lists, flow style, tabs, CR, other indentation, duplicate keys, words YAML
    reads as booleans or null) goes to :func:`parse_yaml`, so errors keep their lines."""
    pattern, special = _flat_patterns()
    data: dict[str, Any] = {}
    inner: dict[str, Any] | None = None  # the mapping under the last 'key:' line
    for line in text.split("\n"):
        if not line:
            continue
        nested = line.startswith("  ")
        if nested:
            if inner is None:
                return parse_yaml(text, path)
            line = line[2:]
        m = pattern.fullmatch(line)
        if m is None or not line.isprintable():
            return parse_yaml(text, path)
        key, quoted, plain = m.groups()
        target: dict[str, Any] = (inner if nested else data)  # type: ignore[assignment]
        if key in target or key in special or (plain is not None and plain in special):
            return parse_yaml(text, path)
        if quoted is not None:
            target[key] = quoted.replace("''", "'")
        elif plain is not None:
            target[key] = plain
        elif nested:  # 'key:' inside the inner mapping: a deeper level
            return parse_yaml(text, path)
        else:
            if inner is not None and not inner:
                return parse_yaml(text, path)  # 'key:' with nothing under it is null
            inner = data[key] = {}
            continue
        if not nested and inner is not None:
            if not inner:
                return parse_yaml(text, path)
            inner = None
    if inner is not None and not inner:
        return parse_yaml(text, path)
    return data if data else parse_yaml(text, path)

MAX_YAML_NESTING = 200
"""Deepest ``[``/``{`` nesting read; deeper input is refused before parsing (the pure-Python parser
that gives error lines takes time quadratic in the nesting depth)."""


def _check_nesting(text: str, path: Path | None) -> None:
    if text.count("[") + text.count("{") <= MAX_YAML_NESTING:
        return
    depth = 0
    line = 1
    for m in re.finditer(r"[\[\]{}\n]", text):
        c = m.group()
        if c == "\n":
            line += 1
        elif c in "[{":
            depth += 1
            if depth > MAX_YAML_NESTING:
                raise UserError(f"YAML is nested too deeply (more than {MAX_YAML_NESTING} levels of [ or {{)",
                                path, line)
        elif depth:
            depth -= 1

MAX_YAML_VALUES = 1_000_000
"""Most values a YAML file may expand to through aliases (``*name``); a 'billion laughs' file is refused."""


def _check_aliases(data: Any, path: Path | None) -> None:
    """Refuse data whose aliases expand beyond :data:`MAX_YAML_VALUES` values, or that contains itself."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, finished = stack.pop()
        if not isinstance(node, (list, dict)):
            continue
        key = id(node)
        children = list(node.values()) if isinstance(node, dict) else node
        if finished:
            total = 1 + sum(sizes.get(id(c), 1) if isinstance(c, (list, dict)) else 1 for c in children)
            if total > MAX_YAML_VALUES:
                raise UserError(f"YAML aliases expand to more than {MAX_YAML_VALUES:,} values; "
                                "write the values out instead of repeating aliases", path)
            sizes[key] = total
            open_nodes.discard(key)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise UserError("YAML alias refers to a value that contains it (a recursive structure)", path)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if isinstance(c, (list, dict)) and id(c) not in sizes)


def _parse_ruamel(text: str, path: Path | None = None) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError  # lazy: ruamel.yaml only when writing YAML users edit

    try:
        return _yaml("safe").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise UserError(f"YAML syntax error: {problem}", path, line) from None
    except YAMLError as exc:
        raise UserError(f"YAML error: {str(exc).splitlines()[0] if str(exc) else 'invalid YAML'}", path) from None
    except RecursionError:
        raise UserError("YAML is nested too deeply", path) from None
    except Exception as exc:  # the parser can raise plain errors on hostile input
        raise UserError(f"cannot parse YAML: {type(exc).__name__}: {exc}".splitlines()[0], path) from None


def load_yaml(path: Path, what: str = "YAML file") -> Any:
    return parse_yaml(read_text(path, what), path)


def line_of(text: str, loc: tuple) -> int | None:
    """Best-effort line number (1-based) of the element at ``loc`` in YAML ``text``."""
    try:
        node = _yaml("rt").load(text)
    except Exception:
        return None
    best = None
    for key in loc:
        try:
            if isinstance(node, dict) and key in node:
                lc = node.lc.key(key) if hasattr(node, "lc") else None
                if lc:
                    best = lc[0] + 1
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                lc = node.lc.item(key) if hasattr(node, "lc") else None
                if lc:
                    best = lc[0] + 1
                node = node[key]
            else:
                break
        except Exception:
            break
    return best


def format_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def validate(model: type[M], data: Any, path: Path | None = None, text: str | None = None,
             context: dict | None = None) -> M:
    """Validate ``data`` against a pydantic model; the first problem becomes a one-line UserError."""
    _refuse_newer_schema(model, data, path, text)
    try:
        return model.model_validate(data, context=context)  # type: ignore[attr-defined]
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        # pydantic puts union/tag names into loc; keep only keys that exist in the data
        line = line_of(text, loc) if text is not None else None
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        more = exc.error_count() - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        raise UserError(f"{format_loc(loc)}: {msg}{suffix}", path, line) from None


def _refuse_newer_schema(model: Any, data: Any, path: Path | None, text: str | None) -> None:
    """A file whose ``schema_version`` is above what ``model`` reads was written by a newer commentkit."""
    field = getattr(model, "model_fields", {}).get("schema_version")
    if field is None or not isinstance(field.default, int) or not isinstance(data, dict):
        return
    v = data.get("schema_version")
    if isinstance(v, int) and not isinstance(v, bool) and v > field.default:
        refuse_newer(v, field.default, path, "file", text)


def load_model(path: Path, model: type[M], what: str = "file", context: dict | None = None) -> M:
    """Read, parse and validate a YAML file into ``model``."""
    path = Path(path)
    text = read_text(path, what)
    data = parse_yaml(text, path)
    if data is None:
        raise UserError(f"{what} is empty", path)
    return validate(model, data, path, text, context)


def dump_yaml(data: Any) -> str:
    """Serialise plain data (or round-trip data) to YAML text, keeping comments if present."""
    buf = io.StringIO()
    _yaml("rt").dump(data, buf)
    return buf.getvalue()


def load_roundtrip(text: str, path: Path | None = None) -> Any:
    """Parse YAML keeping comments and order, for updating a user's file in place."""
    from ruamel.yaml.error import YAMLError  # lazy: ruamel.yaml only when writing YAML users edit

    try:
        return _yaml("rt").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UserError(f"YAML syntax error: {getattr(exc, 'problem', None) or exc}".splitlines()[0], path,
                        mark.line + 1 if mark else None) from None


# ---- schema versions: the one "written by a newer commentkit" check ----------------------------------

def declared_version(data: Any, path: Path | None, *, missing: int, text: str | None = None,
                     key: str = "schema_version") -> int:
    """The version a file declares in ``key`` (``missing`` when absent); a bad value is an error."""
    if not isinstance(data, dict) or key not in data:
        return missing
    v = data[key]
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        line = None
        if text is not None:
            line = line_of(text, (key,))
        raise UserError(f"{key} must be a whole number, not {v!r}", path, line)
    return v


def refuse_newer(version: int, current: int, path: Path | None, what: str = "file",
                 text: str | None = None, key: str = "schema_version") -> None:
    """Refuse a file written by a newer commentkit: the one place this rule lives."""
    if version > current:
        line = None
        if text is not None:
            line = line_of(text, (key,))
        raise UserError(f"{what} was written by a newer commentkit (schema version {version}; this one reads "
                        f"up to {current}): upgrade commentkit (pip install --upgrade commentkit)", path, line)
