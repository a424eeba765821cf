"""``--json`` output: :func:`emit` and the shared parts every command builds (docs/json.md).

The pydantic models of the outputs are in :mod:`commentkit.cli.schemas`, imported by
:func:`emit` only when a command prints JSON.
"""

from __future__ import annotations

import json
from typing import Any

import click


def docket_ref(docket) -> dict:
    """:class:`DocketRef` data of a ``commentkit.models.docket.Docket``."""
    return {"id": docket.id, "docket_id": docket.docket_id, "title": docket.title, "citation": docket.citation}


def question_row(pack, question_id: str, *, level: str, reasons, status: str, skip_reason: str | None,
                 owner: str | None, words: int, details=(), changed: str | None = None) -> dict:
    """:class:`QuestionRow` data: the question from ``pack``, its priority and answer state."""
    q = pack.question(question_id)
    return {"question_id": q.id, "number": q.number, "heading": pack.heading(q), "title": q.title,
            "section": q.section, "wording": q.wording, "citation": pack.cite(q), "level": level,
            "reasons": list(reasons), "reason_details": [d.as_dict() for d in details], "status": status, "skip_reason": skip_reason, "owner": owner, "words": words,
            "changed_since_final": changed}


def emit(name: str, data: dict[str, Any]) -> None:
    """Validate ``data`` as the output ``name`` (``"plan"``) and print it, ``schema`` first.

    Data that does not match the published schema is a bug in commentkit, not the user's: the
    JSON is still printed (a script gets its data), with a warning on standard error, and
    ``tests/cli/test_json_schemas.py`` fails on it."""
    from pydantic import ValidationError  # lazy: with the models below, only when --json is given

    from commentkit.cli import schemas  # lazy: ~40 pydantic models, created only when --json is given

    output = schemas.BY_NAME[name]
    full = {"schema": output.schema_id(), **data}
    try:
        obj = output.model_validate(full)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        click.echo(f"warning: this --json output does not match its schema {output.schema_id()} "
                   f"({where}: {first.get('msg')}); please report it", err=True)
        click.echo(json.dumps(full, indent=2, ensure_ascii=False, default=str))
        return
    click.echo(obj.model_dump_json(by_alias=True, indent=2))
