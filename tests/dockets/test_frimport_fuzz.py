"""Mutated Federal Register files never crash the importer: a UserError or a valid result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypo import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commentkit.dockets.federal_register import importer as frimport
from commentkit.errors import UserError

FR = Path(__file__).resolve().parents[1] / "fixtures" / "fr"
SOURCES = {name: (FR / name).read_bytes() for name in ("prorule.xml", "prorule.txt", "notice-bullets.xml",
                                                       "extension.xml", "2023-17164.json")}
SOURCES.update({f"notices/{p.name}": p.read_bytes() for p in sorted((FR / "notices").glob("*.xml"))})


def _mutate(data: bytes, ops) -> bytes:
    b = bytearray(data)
    for kind, pos, val in ops:
        if not b:
            break
        i = pos % len(b)
        if kind == 0:
            b[i] = val
        elif kind == 1:
            del b[i: i + 1 + val % 40]
        elif kind == 2:
            b[i:i] = bytes([val]) * (1 + val % 5)
        else:  # duplicate a slice: repeated elements, nested tags
            j = min(len(b), i + 1 + val)
            b[i:i] = b[i:j]
    return bytes(b)


ops = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1 << 30), st.integers(0, 255)), min_size=1, max_size=6)


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(SOURCES)), ops=ops)
def test_mutated_documents_give_a_result_or_a_user_error(name, ops):
    raw = _mutate(SOURCES[name], ops)
    path = Path("/nonexistent") / name
    try:
        if name.endswith(".json"):
            frimport.parse_api_json(raw, path)
            return
        notice = frimport.read_document(path, raw)
        frimport.amendment(notice)  # recognising an extension or correction never fails either
        result = frimport.build(notice, overrides=frimport.Overrides(published=dt.date(2023, 8, 14)))
    except UserError as exc:
        assert "\n" not in exc.format()
        return
    assert result.bank.questions and result.docket.deadline.date
