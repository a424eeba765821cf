"""``profile.yaml``: the stored questionnaire answers, read with validation and written safely.

Every write is atomic (``storage.write_checked``) under the project lock, refuses to overwrite a
file that changed on disk since it was read, and goes through round-trip YAML so the header and
any comments the user added by hand survive. The first write of a session keeps a backup of the
file as it was in ``.commentkit/backups/``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any

from commentkit.errors import ProjectFileError, UserError
from commentkit.files import hints, storage
from commentkit.files.yamlio import (
    _yaml,
    declared_version,
    line_of,
    load_roundtrip,
    parse_yaml,
    read_text,
    refuse_newer,
)
from commentkit.models.project import PROFILE_FILE
from commentkit.questionnaire import conditions, engine
from commentkit.questionnaire.priorities import PROMOTE_KEY

PROFILE_SCHEMA_VERSION = 1

HEADER = """\
# Exposure profile: answers to the questionnaire of docket {docket}.
# `commentkit interview` writes this file after every answer; you may also edit it by hand
# (commentkit keeps your comments). `null` is an answer left blank; delete a line to be asked
# that item again. `commentkit interview --review` walks through every answer.
schema_version: {schema}
"""


class ProfileFile:
    """The profile of one project, as read from disk, and the means to update it."""

    def __init__(self, root: Path, pack, lenient: bool = False):
        """``lenient``: a stored answer that is not valid (hand-edited) does not stop the reading;
        it is left out of :attr:`answers` (so the interview asks it again) and described in
        :attr:`invalid`. Every other reader refuses such a file with file:line."""
        self.lenient = lenient
        self.invalid: list = []  # interview.Problem for each stored answer that is not valid

        if pack.interview is None:
            raise ProjectFileError(f"docket {pack.docket.id} has no questionnaire (no interview.yaml in its pack)",
                            Path(pack.path))
        self.root = Path(root)
        self.path = self.root / PROFILE_FILE
        self.pack = pack
        self.interview = pack.interview
        self.interview_file = conditions.interview_file(pack)
        self._backed_up = False
        self._read()

    @classmethod
    def of(cls, project, lenient: bool = False) -> "ProfileFile":
        return cls(project.root, project.pack, lenient=lenient)

    # ---- reading ---------------------------------------------------------------------------
    def _read(self) -> None:
        self.snapshot = storage.Snapshot.of(self.path)
        self.promoted: list[str] = []
        if self.snapshot.digest is None:
            self.text = None
            self.values: dict[str, Any] = {}
            return
        text = read_text(self.path, "profile file")
        self.text = text
        data = parse_yaml(text, self.path)
        if data is None:
            self.values = {}
            return
        if not isinstance(data, dict):
            raise ProjectFileError("profile must be a mapping of item: answer", self.path, 1)
        data = dict(data)
        self.promoted = self._promoted(data.pop(PROMOTE_KEY, None))
        version = declared_version(data, self.path, missing=PROFILE_SCHEMA_VERSION, text=self.text)
        data.pop("schema_version", None)
        refuse_newer(version, PROFILE_SCHEMA_VERSION, self.path, "profile", self.text)
        if self.lenient:
            checked = engine.check_answers(self.pack.interview, data, file=conditions.interview_file(self.pack),
                                           require_applicable=False, required=False)
            self.values = checked.values
            self.invalid = [p if p.line is not None else dataclasses.replace(p, line=self._line(p.item_id))
                            for p in checked.problems]
            return
        self.values = check_stored(self.pack, data, self.path, text)

    def _promoted(self, raw: Any) -> list[str]:
        """The ``promote`` list: question ids the commenter ranks core whatever the rules say."""
        return [] if raw is None else check_promoted(self.pack, raw, self.path, self.text)

    def set_promoted(self, ids: list[str]) -> None:
        """Store the ``promote`` list (in the notice's order; an empty list removes the key)."""
        order = {q.id: n for n, q in enumerate(self.pack.bank.ordered())}
        ids = sorted(dict.fromkeys(ids), key=lambda q: order.get(q, len(order)))
        text = self.text if self.text is not None and self.text.strip() else self._new_text()
        doc = load_roundtrip(text, self.path)
        if doc is None or not hasattr(doc, "insert"):
            doc = load_roundtrip(self._new_text(), self.path)
        if ids:
            if PROMOTE_KEY in doc:
                doc[PROMOTE_KEY] = _node(ids)
            else:
                doc.insert(len(doc), PROMOTE_KEY, _node(ids))
        elif PROMOTE_KEY in doc:
            del doc[PROMOTE_KEY]
        new = _dump(doc)
        with storage.project_lock(self.root):
            storage.write_checked(self.path, new, self.snapshot, root=self.root,
                                  keep_backup=not self._backed_up and self.text is not None)
        self._backed_up = True
        self.text = new
        self.snapshot = storage.Snapshot.of_bytes(self.path, new.encode("utf-8"))
        self.promoted = ids

    def _line(self, key: str) -> int | None:
        return line_of(self.text, (key,)) if self.text is not None else None

    @property
    def answers(self) -> dict[str, Any]:
        """Every stored answer (item id -> value, ``None`` = left blank), coerced."""
        return dict(self.values)

    # ---- writing ---------------------------------------------------------------------------
    def set(self, item_id: str, value: Any) -> None:
        """Store one answer now (``None``: asked and left blank)."""
        self.update({item_id: value})

    def forget(self, item_id: str) -> None:
        """Remove an answer, so the interview asks the item again."""
        self.update({}, remove=[item_id])

    def update(self, values: dict[str, Any], remove: list[str] | tuple[()] = ()) -> None:
        """Store several answers in one atomic write."""
        order = {it.id: n for n, it in enumerate(self.interview.items)}
        for key in values:
            if key not in order:
                raise KeyError(key)
        text = self.text if self.text is not None and self.text.strip() else self._new_text()
        doc = load_roundtrip(text, self.path)
        if doc is None or not hasattr(doc, "insert"):
            doc = load_roundtrip(self._new_text(), self.path)
        for key in remove:
            if key in doc:
                del doc[key]
        for key, value in values.items():
            node = _node(value)
            if key in doc:
                doc[key] = node
            else:
                pos = _position(doc, key, order)
                doc.insert(pos, key, node)
                if pos > 0:
                    _keep_comments_above_next_key(doc, list(doc.keys())[pos - 1], key)
        new = _dump(doc)
        with storage.project_lock(self.root):
            storage.write_checked(self.path, new, self.snapshot, root=self.root,
                                  keep_backup=not self._backed_up and self.text is not None)
        self._backed_up = True
        self.text = new
        self.snapshot = storage.Snapshot.of_bytes(self.path, new.encode("utf-8"))
        for key in remove:
            self.values.pop(key, None)
        self.values.update(values)

    def _new_text(self) -> str:
        return HEADER.format(docket=self.pack.docket.id, schema=PROFILE_SCHEMA_VERSION)


def check_stored(pack, data: dict[str, Any], path: Path, text: str | None = None) -> dict[str, Any]:
    """Stored answers (``schema_version`` removed) checked against the pack's questionnaire and
    coerced (a ``promote`` list is checked against the question bank and kept); the first problem is
    a one-line UserError with the file and line."""
    data = dict(data)
    promoted = data.pop(PROMOTE_KEY, None)
    checked = engine.check_answers(pack.interview, data, file=conditions.interview_file(pack),
                                   require_applicable=False, required=False)
    if not checked.problems:
        if promoted is not None:
            checked.values[PROMOTE_KEY] = check_promoted(pack, promoted, path, text)
        return checked.values
    first = checked.problems[0]
    more = len(checked.problems) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    message = f"{first.item_id}: {first.message}{suffix}"
    if first.item_id in {it.id for it in pack.interview.items}:
        message += (f"; fix the file or run "
                    f"'{hints.command(Path(path).parent, 'interview', options=('--item', first.item_id))}'")
    line = None
    try:
        line = line_of(text if text is not None else read_text(path, "profile file"), (first.item_id,))
    except UserError:
        pass
    raise ProjectFileError(message, path, line)


def check_promoted(pack, raw: Any, path: Path, text: str | None = None) -> list[str]:
    """A ``promote`` list checked against the question bank (a one-line error with file:line)."""
    line = line_of(text, (PROMOTE_KEY,)) if text is not None else None
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ProjectFileError(f"{PROMOTE_KEY}: expected a list of question ids, like [def-1, notif-3]", path, line)
    known = {q.id for q in pack.bank.questions}
    for qid in raw:
        if qid not in known:
            raise ProjectFileError(f"{PROMOTE_KEY}: no question {qid!r} in docket {pack.docket.id}; see "
                                   f"'commentkit questions'", path, line)
    return list(dict.fromkeys(raw))


def _position(doc, key: str, order: dict[str, int]) -> int:
    """Where a new key goes: after the last existing key that comes before it in the questionnaire."""
    pos = 0
    keys = list(doc.keys())
    for n, k in enumerate(keys):
        if k == "schema_version" or (k in order and order[k] < order[key]):
            pos = n + 1
    return pos


def _keep_comments_above_next_key(doc, prev: str, new: str) -> None:
    """ruamel attaches full-line comments to the key *before* them; when ``new`` is inserted
    after ``prev``, move those lines down so they stay above the key they were written for."""
    from ruamel.yaml.error import CommentMark  # lazy: ruamel.yaml only when writing YAML users edit
    from ruamel.yaml.tokens import CommentToken  # lazy: ruamel.yaml only when writing YAML users edit

    entry = doc.ca.items.get(prev)
    if not entry or len(entry) < 3 or entry[2] is None:
        return
    token = entry[2]
    value = token.value
    cut = value.find("\n")
    if cut < 0 or cut == len(value) - 1:
        return  # only an end-of-line comment, which stays with its line
    eol, rest = value[: cut + 1], value[cut + 1:]
    if eol.strip():
        token.value = eol
    else:
        entry[2] = None
        if not any(x is not None for x in entry):
            del doc.ca.items[prev]
    doc.ca.items[new] = [None, None, CommentToken("\n" + rest, CommentMark(0), None), None]


def _null_representer():
    from ruamel.yaml.representer import RoundTripRepresenter  # lazy: ruamel.yaml only when writing YAML users edit

    class ProfileRepresenter(RoundTripRepresenter):
        pass

    ProfileRepresenter.add_representer(
        type(None), lambda rep, _data: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    return ProfileRepresenter


def _dump(doc) -> str:
    """Round-trip YAML text of ``doc``, writing blanks as an explicit ``null``."""
    y = _yaml("rt")
    y.Representer = _null_representer()
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue()


def _node(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedSeq  # lazy: ruamel.yaml only when writing YAML users edit
    from ruamel.yaml.scalarstring import LiteralScalarString  # lazy: ruamel.yaml only when writing YAML users edit

    if isinstance(value, list):
        seq = CommentedSeq(value)
        seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def load_profile(project) -> dict[str, Any]:
    """The project's stored answers, validated against its questionnaire ({} without one), with the
    ``promote`` list (question ids promoted to core) under ``PROMOTE_KEY`` when there is one."""
    if project.pack.interview is None:
        return dict(project.profile)
    pf = ProfileFile.of(project)
    out = pf.answers
    if pf.promoted:
        out[PROMOTE_KEY] = list(pf.promoted)
    return out
