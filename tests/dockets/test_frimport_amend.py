"""Extension and correction notices imported offline; duplicates; --force that would break projects."""

from __future__ import annotations

import json
import re
from pathlib import Path

from commentkit.dockets import catalog as packs
from tests.conftest import QUESTIONS, user_pack_dir
from tests.dockets.test_frfetch import fr_api  # noqa: F401  (the fake Federal Register on 127.0.0.1)

FR = Path(__file__).resolve().parents[1] / "fixtures" / "fr"
NOTICES = FR / "notices"


def _err(res):
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert err and "\n" not in err and "Traceback" not in err
    return err


def test_extension_moves_the_shipped_anprm_deadline_and_projects_keep_working(project, run):
    shipped_before = {p.name: p.read_bytes() for p in (QUESTIONS / "TREAS-DO-2023-0009").iterdir()}
    assert run("answer", "def-3", project, "--text", "Our view on definitions.").exit_code == 0
    res = run("docket", "import", NOTICES / "extension-anprm.xml")
    assert res.exit_code == 0, res.output
    assert "2023-09-28 23:59 -> 2023-10-13 23:59" in res.stdout and "TREAS-DO-2023-0009" in res.stdout
    # the shipped pack is untouched; the user copy has every question of it (no placeholder)
    assert {p.name: p.read_bytes() for p in (QUESTIONS / "TREAS-DO-2023-0009").iterdir()} == shipped_before
    user = user_pack_dir() / "TREAS-DO-2023-0009"
    packs.load_path.cache_clear()
    new = packs.load(("TREAS-DO-2023-0009"))
    old = packs.load_path(QUESTIONS / "TREAS-DO-2023-0009", "shipped")
    assert Path(new.path) == user and new.bank == old.bank and new.interview == old.interview
    dl = new.docket.deadline
    assert dl.date.isoformat() == "2023-10-13" and "FR Doc. 2023-20001" in dl.source
    assert [h.date.isoformat() for h in dl.history] == ["2023-09-28"]
    assert "extension notice FR Doc. 2023-20001" in dl.history[0].replaced_by
    assert (user / "sources" / "extension-anprm.xml").is_file()
    # the project keeps working; status shows the new deadline and its source
    st = run("status", project, "--today", "2023-10-01")
    assert st.exit_code == 0, st.output
    assert "Friday 13 October 2023, 23:59" in st.stdout
    shown = " ".join(st.stdout.split())  # wrapped to the terminal's width
    assert "Moved: from 2023-09-28 23:59 by the extension notice FR Doc. 2023-20001" in shown
    assert 'Source: Extension notice FR Doc. 2023-20001: "Written comments must now be received' in shown
    data = json.loads(run("status", project, "--today", "2023-10-01", "--json").stdout)
    assert data["deadline"]["history"][0]["date"] == "2023-09-28"
    assert run("build", project, "--draft").exit_code == 0
    listing = " ".join(run("dockets").stdout.split())  # wrapped to the terminal's width
    assert "TREAS-DO-2023-0009 ANPRM 88 FR 54961 RIN 1505-AC82 [your copy of the shipped pack, used in its " \
           "place]" in listing
    assert re.search(r"comments due 2023-10-13 23:59 America/New_York \((open|closed), moved from 2023-09-28\)",
                     listing)
    # importing it again changes nothing more than the record
    again = run("docket", "import", NOTICES / "extension-anprm.xml", "--json")
    assert json.loads(again.stdout)["new_deadline"] is None


def test_extension_without_its_pack_is_refused_and_installs_nothing(run, tmp_path):
    raw = (NOTICES / "extension-anprm.xml").read_text()
    raw = raw.replace("TREAS-DO-2023-0009", "TREAS-DO-2099-0001").replace("88 FR 54961", "88 FR 99999").replace(
        "1505-AC82", "1505-ZZ99")
    f = tmp_path / "ext.xml"
    f.write_text(raw)
    err = _err(run("docket", "import", f))
    assert "extension notice for 88 FR 99999, TREAS-DO-2099-0001" in err and "import or fetch that notice" in err
    assert "--force" not in err
    assert not user_pack_dir().exists() or not any(user_pack_dir().iterdir())


def test_correction_moves_the_deadline_by_fr_doc_and_flags_the_corrected_question(run):
    assert run("docket", "import", NOTICES / "nprm-q.xml", "--published", "2024-08-15").exit_code == 0
    res = run("docket", "import", NOTICES / "correction-nprm.xml")
    assert res.exit_code == 0, res.output
    assert "matched by FR Doc. number" in res.stdout
    packs.load_path.cache_clear()
    pack = packs.load("EBSA-2024-0006")
    assert pack.docket.deadline.date.isoformat() == "2024-10-29"
    assert pack.docket.deadline.history[0].date.isoformat() == "2024-10-15"
    q6 = pack.question("Q6")
    assert any(f"question(s) {q6.id} (Question 6)" in u for u in pack.docket.unresolved)
    assert len(pack.bank.questions) == 19


def test_an_extension_is_not_a_pack_of_its_own(run, tmp_path):
    err = _err(run("docket", "import", NOTICES / "extension-anprm.xml", "--out", tmp_path / "x"))
    assert "extension notice" in err and not (tmp_path / "x").exists()


def test_duplicate_import_by_fr_doc_is_refused(run, tmp_path):
    assert run("docket", "import", NOTICES / "rfi-paren.xml", "--published", "2024-08-22").exit_code == 0
    raw = (NOTICES / "rfi-paren.xml").read_text().replace("NTIA-2024-0004", "NTIA-2024-0099")
    f = tmp_path / "same.xml"
    f.write_text(raw)
    err = _err(run("docket", "import", f, "--published", "2024-08-22"))
    assert "already installed as NTIA-2024-0004" in err and "--update" in err
    assert sorted(p.name for p in user_pack_dir().iterdir()) == ["NTIA-2024-0004"]


def test_force_is_refused_when_it_would_drop_questions(run, tmp_path):
    out = tmp_path / "FR-pack"
    assert run("docket", "import", NOTICES / "rfi-paren.xml", "--published", "2024-08-22", "--out", out
               ).exit_code == 0
    text = (out / "questions.yaml").read_text().replace("request-comment-a-q1", "my-own-1")
    (out / "questions.yaml").write_text(text)
    err = _err(run("docket", "import", NOTICES / "rfi-paren.xml", "--published", "2024-08-22", "--out", out,
                   "--force"))
    assert "my-own-1" in err and "--update" in err
    assert "my-own-1" in (out / "questions.yaml").read_text()


def test_import_of_a_shipped_notice_never_suggests_force(run):
    err = _err(run("docket", "import", FR / "prorule.xml", "--meta", FR / "2023-17164.json", "--force"))
    assert "--force" not in err and "--update" in err
    assert not (user_pack_dir() / "TREAS-DO-2023-0009").exists()


def test_extension_with_update_dir_moves_that_packs_deadline(run, pack_copy):
    res = run("docket", "import", NOTICES / "extension-anprm.xml", "--update", pack_copy, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert (data["matched_by"], data["old_deadline"], data["new_deadline"]) == ("--update", "2023-09-28", "2023-10-13")
    packs.load_path.cache_clear()
    pack = packs.load_path(pack_copy)
    assert pack.docket.deadline.date.isoformat() == "2023-10-13"
    assert len(pack.bank.questions) == len(packs.load_path(QUESTIONS / "TREAS-DO-2023-0009").bank.questions)
    assert not user_pack_dir().exists() or not any(user_pack_dir().iterdir())


def test_fetching_an_extension_moves_the_deadline_instead_of_installing_a_pack(run, fr_api):  # noqa: F811
    meta = {"document_number": "2023-20001", "publication_date": "2023-09-15", "citation": "88 FR 62011",
            "start_page": 62011, "end_page": 62011, "comments_close_on": "2023-10-13", "type": "Proposed Rule"}
    fr_api.serve_document("2023-20001", meta, (NOTICES / "extension-anprm.xml").read_bytes())
    res = run("docket", "fetch", "2023-20001")
    assert res.exit_code == 0, res.output
    assert "extension notice" in res.stdout and "2023-09-28 23:59 -> 2023-10-13" in res.stdout
    assert sorted(p.name for p in user_pack_dir().iterdir()) == ["TREAS-DO-2023-0009"]
    packs.load_path.cache_clear()
    pack = packs.load("TREAS-DO-2023-0009")
    assert pack.docket.deadline.date.isoformat() == "2023-10-13"
    assert (user_pack_dir() / "TREAS-DO-2023-0009" / "sources" / "2023-20001.xml").is_file()
