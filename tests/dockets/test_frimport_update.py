"""Matching summaries to official questions: the calibrated threshold and margin, and --yes semantics."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from commentkit.dockets import catalog as packs
from commentkit.dockets import packmerge
from commentkit.dockets.federal_register import importer as frimport
from tests.conftest import QUESTIONS

FR = Path(__file__).resolve().parents[1] / "fixtures" / "fr"

# Labelled by reading both texts: which pack question each official question of prorule.xml is.
CORRECT = {
    "summary-pack": {"cfp-1": 1, "poc-1": 2, "tx-1": 3, "tx-2": 4, "exc-1": 5, "know-1": 7},
    # question 4 asks about greenfield investments and joint ventures: either summary is right
    "shipped": {"def-1": 1, "def-4": 2, "cov-tx-2": 3, "cov-tx-3": 4, "cov-tx-4": 4, "exc-3": 5, "know-2": 7,
                "burden-2": 8},
}


def _official():
    path = FR / "prorule.xml"
    return frimport.build(frimport.read_document(path, path.read_bytes()),
                          frimport.parse_api_json((FR / "2023-17164.json").read_bytes())).bank


@pytest.mark.parametrize("name,folder", [("summary-pack", FR / "summary-pack"),
                                         ("shipped", QUESTIONS / "TREAS-DO-2023-0009")])
def test_calibration_no_wrong_pair_is_matched(name, folder):
    official = _official()
    pack = packs.load_path(folder, "path")
    res = packmerge.merge(pack.bank, official)
    matched = {c.id: c.number for c in res.changes if c.kind == "matched" and c.how == "similarity"}
    assert matched and all(CORRECT[name].get(sid) == num for sid, num in matched.items()), matched
    # every wrong candidate scores below the threshold, or loses to the right one by the margin
    summaries = [q for q in pack.bank.questions if q.wording == "summary"]
    table = packmerge.similarity_table(summaries, official.questions, pack.bank, official)
    num = {q.id: q.number for q in official.questions}
    for (sid, oid), score in table.items():
        if CORRECT[name].get(sid) != num[oid] and score >= packmerge.THRESHOLD:
            right = [v for (s2, o2), v in table.items() if num[o2] == num[oid] and CORRECT[name].get(s2) == num[o2]]
            assert right and max(right) - score >= packmerge.MARGIN


def _bank(questions, wording):
    return {"sections": [{"id": "s", "title": "S", "wording": "summary" if wording == "summary" else "official"}],
            "questions": [{"id": qid, "section": "s", "title": t, "text": t, "wording": wording,
                           **({"number": n} if n else {})} for qid, n, t in questions]}


def test_a_weak_or_narrow_similarity_never_passes(monkeypatch):
    from commentkit.models.docket import QuestionBank

    old = QuestionBank.model_validate(_bank([("own-1", None, "Ownership chains"), ("lp-1", None, "LP funds")],
                                            "summary"))
    new = QuestionBank.model_validate(_bank([("q1", 1, "Unrelated question"), ("q2", 2, "Other question")],
                                            "official"))
    # the case: "ownership chains" at 0.31 against an unrelated question
    monkeypatch.setattr(packmerge, "similarity_table", lambda *a: {("own-1", "q1"): 0.31, ("own-1", "q2"): 0.02,
                                                                  ("lp-1", "q1"): 0.0, ("lp-1", "q2"): 0.0})
    kinds = {c.id: c.kind for c in packmerge.merge(old, new).changes}
    assert kinds["own-1"] == "kept-summary"
    # above the threshold but not clearly ahead of the runner-up: ambiguous, left alone
    monkeypatch.setattr(packmerge, "similarity_table", lambda *a: {("own-1", "q1"): 0.55, ("own-1", "q2"): 0.48,
                                                                  ("lp-1", "q1"): 0.0, ("lp-1", "q2"): 0.0})
    res = packmerge.merge(old, new)
    assert {c.id: c.kind for c in res.changes}["own-1"] == "ambiguous"
    assert {q.id: q.number for q in res.bank.questions}["own-1"] is None
    # clearly ahead: matched, but only proposed when similarity is not accepted
    monkeypatch.setattr(packmerge, "similarity_table", lambda *a: {("own-1", "q1"): 0.62, ("own-1", "q2"): 0.10,
                                                                  ("lp-1", "q1"): 0.0, ("lp-1", "q2"): 0.0})
    assert {c.id: c.kind for c in packmerge.merge(old, new).changes}["own-1"] == "matched"
    res = packmerge.merge(old, new, accept_similar=False)
    assert {c.id: c.kind for c in res.changes}["own-1"] == "proposed"
    assert {q.id: (q.wording, q.number) for q in res.bank.questions}["own-1"] == ("summary", None)


def test_yes_applies_number_and_mapping_matches_only(run, tmp_path):
    dest = tmp_path / "packs" / "TREAS-DO-2023-0009"
    shutil.copytree(FR / "summary-pack", dest)
    (dest / "official-map.yaml").write_text("match:\n  pen-1: 8\n")
    res = run("docket", "import", FR / "prorule.xml", "--meta", FR / "2023-17164.json", "--update", dest, "--json")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["changed"] is True and report["written"] == [str(dest)]
    review = {c["id"]: (c["kind"], c["how"], c.get("number")) for c in report["review"]}
    assert review["pen-1"] == ("matched", "mapping", 8)
    assert review["cfp-1"] == ("matched", "similarity", 1)  # proposed in the review ...
    packs.load_path.cache_clear()
    q = {x.id: x for x in packs.load_path(dest).bank.questions}
    assert q["pen-1"].number == 8 and q["pen-1"].wording == "official"
    assert q["cfp-1"].wording == "summary" and q["cfp-1"].number is None  # ... but not applied
    assert report["counts"]["proposed"] == 6
