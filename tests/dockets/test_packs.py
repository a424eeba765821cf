"""Every shipped docket pack loads, validates and is internally consistent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from commentkit.dockets import catalog as packs
from tests.conftest import QUESTIONS

SHIPPED = sorted(p.name for p in QUESTIONS.iterdir() if (p / "docket.yaml").is_file())


def test_both_dockets_are_shipped():
    assert "TREAS-DO-2023-0009" in SHIPPED
    assert "FR-2024-13923" in SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_pack_is_consistent(name):
    pack = packs.load_path(QUESTIONS / name, "shipped")
    d, bank = pack.docket, pack.bank
    assert d.id == name
    ids = [q.id for q in bank.questions]
    assert len(ids) == len(set(ids))
    sections = {s.id for s in bank.sections}
    whole = d.federal_register.pages
    for q in bank.questions:
        assert q.section in sections
        assert whole.first <= pack.pages_of(q).first <= pack.pages_of(q).last <= whole.last
        # never a claimed agency number on a summary unless confirmed: shipped banks have none
        if q.wording == "summary":
            assert q.number is None, f"{q.id} claims agency number {q.number} on a summary"
    # every section holds at least one question, so the letter has no empty headings
    assert {q.section for q in bank.questions} == sections
    assert d.notes, "a pack says where its wording comes from"


def test_anprm_facts():
    pack = packs.load("TREAS-DO-2023-0009")
    d = pack.docket
    assert d.docket_id == "TREAS-DO-2023-0009"
    assert d.rin == "1505-AC82"
    assert d.document_type == "ANPRM"
    assert d.citation == "88 FR 54961"
    assert d.federal_register.document_number == "2023-17164"
    assert d.federal_register.publication_date == dt.date(2023, 8, 14)
    assert d.confidential_submissions is False
    inst = d.deadline.instant()
    assert inst == dt.datetime(2023, 9, 28, 23, 59, tzinfo=ZoneInfo("America/New_York"))
    assert inst.astimezone(dt.timezone.utc) == dt.datetime(2023, 9, 29, 3, 59, tzinfo=dt.timezone.utc)
    assert all(q.wording == "summary" for q in pack.bank.questions)


def test_nprm_is_a_second_docket_without_a_guessed_docket_id():
    pack = packs.load("FR-2024-13923")
    d = pack.docket
    assert d.document_type == "NPRM"
    assert d.citation == "89 FR 55846"
    assert d.deadline.date == dt.date(2024, 8, 4)
    assert d.docket_id is None
    assert any("docket ID" in u for u in d.unresolved)


def test_user_pack_overrides_and_is_listed(tmp_path, pack_copy):
    import shutil

    from tests.conftest import user_pack_dir

    dest = user_pack_dir() / "TREAS-DO-2023-0009"
    shutil.copytree(pack_copy, dest)
    ref = packs.find("treas-do-2023-0009")
    assert ref.source == "user" and Path(ref.path) == dest


def test_dockets_lists_user_packs_with_their_origin(pack_copy, run):
    import json
    import shutil

    from tests.conftest import user_pack_dir

    dest = user_pack_dir() / "TREAS-DO-2023-0009"
    shutil.copytree(pack_copy, dest)
    f = dest / "docket.yaml"
    f.write_text(f.read_text().replace("origin: shipped", "origin: fetched"))
    res = run("dockets", "--today", "2023-09-01")
    assert res.exit_code == 0
    assert "TREAS-DO-2023-0009 ANPRM 88 FR 54961 RIN 1505-AC82 [fetched, your packs; replaces the shipped pack]" \
        in " ".join(res.output.split())  # wrapped to the terminal
    assert "FR-2024-13923  NPRM  89 FR 55846  RIN 1505-AC82  [shipped]" in res.output
    assert "summaries, not the agency's words" in res.output
    rows = {r["docket"]["id"]: r for r in json.loads(run("dockets", "--json").output)["dockets"]}
    assert rows["TREAS-DO-2023-0009"]["origin"] == "fetched" and rows["TREAS-DO-2023-0009"]["source"] == "user"
    assert rows["FR-2024-13923"]["unresolved"]
