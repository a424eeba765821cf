"""Fetching from the Federal Register API, against a real HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from commentkit.dockets import catalog as packs
from tests.conftest import user_pack_dir

FR = Path(__file__).resolve().parents[1] / "fixtures" / "fr"
NEW = "2025-01234"


class FakeFR:
    """Routes: path -> list of (status, body bytes, delay seconds); the last response repeats."""

    def __init__(self):
        self.routes: dict[str, list[tuple[int, bytes, float]]] = {}
        self.log: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                path = urlsplit(self.path).path  # absolute URLs arrive when we act as a proxy
                fake.log.append(self.path)
                queue = fake.routes.get(path)
                if not queue:
                    status, body, delay = 404, b'{"status":404,"message":"Not Found"}', 0.0
                else:
                    status, body, delay = queue.pop(0) if len(queue) > 1 else queue[0]
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json" if path.endswith(".json") else "text/xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.api = f"{self.base}/api/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve_document(self, number: str, meta: dict, xml: bytes, *, json_responses=None):
        meta = dict(meta, document_number=number, full_text_xml_url=f"{self.base}/xml/{number}.xml")
        body = json.dumps(meta).encode()
        self.routes[f"/api/v1/documents/{number}.json"] = json_responses or [(200, body, 0.0)]
        self.routes[f"/xml/{number}.xml"] = [(200, xml, 0.0)]
        return body

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fr_api(monkeypatch):
    fake = FakeFR()
    monkeypatch.setenv("COMMENTKIT_FR_API", fake.api)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield fake
    fake.close()


def _anprm_meta() -> dict:
    return json.loads((FR / "2023-17164.json").read_text())


def _new_rule(docket_id: str | None = "TREAS-DO-2025-0001") -> tuple[dict, bytes]:
    """A proposed rule that no pack holds yet (the ANPRM fixture renumbered)."""
    xml = (FR / "prorule.xml").read_text().replace("2023-17164", NEW).replace("September 28, 2023", "March 3, 2025")
    meta = _anprm_meta()
    meta.update(publication_date="2025-01-31", comments_close_on="2025-03-03", citation="90 FR 8001",
                volume=90, start_page=8001, end_page=8012)
    xml = xml.replace('P="5496', 'P="800')  # page markers 54962.. -> 8002..
    if docket_id:
        xml = xml.replace("TREAS-DO-2023-0009", docket_id)
        meta.update(docket_ids=[docket_id], regulations_dot_gov_info={"docket_id": docket_id})
    else:
        xml = xml.replace("<DEPDOC>[Docket ID TREAS-DO-2023-0009]</DEPDOC>\n", "")
        xml = xml.replace(" docket number TREAS-DO-2023-0009", "")
        meta.update(docket_ids=[], regulations_dot_gov_info={})
    return meta, xml.encode()


def _one_line_error(res):
    assert res.exit_code == 2, res.output
    err = res.stderr.strip().splitlines()[-1]
    assert err.startswith("Error: ") and "Traceback" not in res.stderr
    return err


def _installed():
    d = user_pack_dir()
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def test_fetch_installs_a_proposed_rule(run, fr_api, tmp_path):
    meta, xml = _new_rule()
    fr_api.serve_document(NEW, meta, xml)
    res = run("docket", "fetch", NEW)
    assert res.exit_code == 0, res.output
    assert f"Downloading full text of {NEW} (XML): {fr_api.base}/xml/{NEW}.xml" in res.stderr
    assert "done:" in res.stderr
    assert _installed() == ["TREAS-DO-2025-0001"]
    dest = user_pack_dir() / "TREAS-DO-2025-0001"
    assert (dest / "sources" / f"{NEW}.xml").read_bytes() == xml
    pack = packs.load_path(dest)
    d = pack.docket
    assert d.origin == "fetched" and d.docket_id == "TREAS-DO-2025-0001"
    assert (d.federal_register.first_page, d.federal_register.last_page) == (8001, 8012)
    assert d.deadline.date.isoformat() == "2025-03-03"
    assert [q.number for q in pack.bank.questions] == list(range(1, 9))
    assert pack.cite(pack.question("Q3")) == "90 FR 8002-8003"
    listing = json.loads(run("dockets", "--json").stdout)
    sources = {r["docket"]["id"]: r["source"] for r in listing["dockets"]}
    assert sources["TREAS-DO-2025-0001"] == "user" and sources["TREAS-DO-2023-0009"] == "shipped"
    assert run("init", tmp_path / "c", "--docket", "TREAS-DO-2025-0001", "--commenter", "Acme").exit_code == 0
    # the requests went to the configured API (COMMENTKIT_FR_API)
    assert fr_api.log[0] == f"/api/v1/documents/{NEW}.json"
    # fetching it again is refused and points to update
    err = _one_line_error(run("docket", "fetch", NEW))
    assert "already installed as TREAS-DO-2025-0001" in err and "docket update" in err


def test_unknown_number_is_a_one_line_error(run, fr_api):
    err = _one_line_error(run("docket", "fetch", "2099-99999"))
    assert "no document numbered 2099-99999" in err
    assert f"{fr_api.api}/documents/2099-99999.json" in err
    assert _installed() == []


def test_bad_number_is_refused_before_any_request(run, fr_api):
    err = _one_line_error(run("docket", "fetch", "../../etc/passwd"))
    assert "not a Federal Register document number" in err and fr_api.log == []


def test_server_error_then_success_is_retried(run, fr_api):
    meta, xml = _new_rule()
    body = json.dumps(dict(meta, document_number=NEW, full_text_xml_url=f"{fr_api.base}/xml/{NEW}.xml")).encode()
    fr_api.serve_document(NEW, meta, xml, json_responses=[(500, b"oops", 0.0), (200, body, 0.0)])
    res = run("docket", "fetch", NEW)
    assert res.exit_code == 0, res.output
    assert "HTTP 500; retrying in" in res.stderr
    assert fr_api.log.count(f"/api/v1/documents/{NEW}.json") == 2
    assert _installed() == ["TREAS-DO-2025-0001"]


def test_persistent_server_error_gives_up_after_bounded_retries(run, fr_api):
    fr_api.routes[f"/api/v1/documents/{NEW}.json"] = [(503, b"down", 0.0)]
    err = _one_line_error(run("docket", "fetch", NEW, "--retries", "2"))
    assert "HTTP 503" in err and "tried 3 times" in err and f"{fr_api.api}/documents/{NEW}.json" in err
    assert fr_api.log.count(f"/api/v1/documents/{NEW}.json") == 3
    assert _installed() == []


def test_slow_response_times_out(run, fr_api):
    meta, xml = _new_rule()
    body = json.dumps(meta).encode()
    fr_api.routes[f"/api/v1/documents/{NEW}.json"] = [(200, body, 3.0)]
    started = time.monotonic()
    err = _one_line_error(run("docket", "fetch", NEW, "--timeout", "0.3", "--retries", "1"))
    elapsed = time.monotonic() - started
    assert "timed out" in err and f"{fr_api.api}/documents/{NEW}.json" in err
    assert elapsed < 2.5
    assert _installed() == []


def test_offline_is_a_one_line_error(run, monkeypatch):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    api = f"http://127.0.0.1:{port}/api/v1"
    err = _one_line_error(run("docket", "fetch", NEW, "--api-url", api, "--retries", "0"))
    assert "connection refused" in err.lower() and f"{api}/documents/{NEW}.json" in err


def test_bad_xml_download_installs_nothing(run, fr_api):
    meta, _ = _new_rule()
    fr_api.serve_document(NEW, meta, b"<PRORULE><oops></PRORULE>")
    err = _one_line_error(run("docket", "fetch", NEW))
    assert "not well-formed XML" in err and f"{fr_api.base}/xml/{NEW}.xml" in err
    assert _installed() == []


def test_document_without_docket_id(run, fr_api):
    meta, xml = _new_rule(docket_id=None)
    fr_api.serve_document(NEW, meta, xml)
    res = run("docket", "fetch", NEW)
    assert res.exit_code == 0, res.output
    assert _installed() == [f"FR-{NEW}"]
    assert "docket ID: not stated (pack id FR-2025-01234)" in res.stdout
    assert "docket ID: not confirmed" in res.stdout
    pack = packs.load_path(user_pack_dir() / f"FR-{NEW}")
    assert pack.docket.docket_id is None and pack.docket.channels[0].url == "https://www.regulations.gov"


def test_proxy_from_environment_is_used(run, fr_api, monkeypatch):
    meta, xml = _new_rule()
    fr_api.serve_document(NEW, meta, xml)
    # the API host does not exist: the request can only succeed through the proxy (our server)
    monkeypatch.setenv("HTTP_PROXY", fr_api.base)
    monkeypatch.setenv("NO_PROXY", "")
    # the mirror's JSON names the full text on another host (our server): allowed only when listed
    monkeypatch.setenv("COMMENTKIT_FR_HOSTS", "127.0.0.1")
    res = run("docket", "fetch", NEW, "--api-url", "http://fr-mirror.invalid/api/v1", "--retries", "0")
    assert res.exit_code == 0, res.output
    assert fr_api.log[0] == f"http://fr-mirror.invalid/api/v1/documents/{NEW}.json"


def test_update_fetch_replaces_summaries_in_a_user_copy(run, fr_api):
    shipped = Path(packs.shipped_dir()) / "TREAS-DO-2023-0009"
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in shipped.iterdir() if p.is_file()}
    old = packs.load_path(shipped, "shipped")
    fr_api.serve_document("2023-17164", _anprm_meta(), (FR / "prorule.xml").read_bytes())
    res = run("docket", "update", "TREAS-DO-2023-0009", "--fetch", input="n\nn\n")
    assert res.exit_code == 0, res.output
    assert "Apply the 5 match(es) by text similarity shown above?" in res.stdout
    assert "Write these changes?" in res.stdout and "Nothing was written." in res.stdout
    assert _installed() == []
    res = run("docket", "update", "TREAS-DO-2023-0009", "--fetch", input="")
    err = _one_line_error(res)
    assert "nothing was written" in err and "--yes" in err
    res = run("docket", "update", "TREAS-DO-2023-0009", "--fetch", "--yes")
    assert res.exit_code == 0, res.output
    assert "The shipped pack is not changed" in res.stdout
    assert _installed() == ["TREAS-DO-2023-0009"]
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in shipped.iterdir() if p.is_file()} == digest
    packs.load_path.cache_clear()
    new = packs.load("TREAS-DO-2023-0009")
    assert new.source == "user" and new.docket.origin == "fetched"
    ids = {q.id for q in new.bank.questions}
    assert {q.id for q in old.bank.questions} <= ids
    assert {q.number for q in new.bank.questions if q.number} == set(range(1, 9))
    assert all(q.wording == "official" for q in new.bank.questions if q.number)
    # --yes applies matches by number and mapping only: no summary took an official text by similarity
    assert all(q.wording == "summary" for q in new.bank.questions if q.id in {x.id for x in old.bank.questions})
    if old.interview is not None:
        assert (user_pack_dir() / "TREAS-DO-2023-0009" / "interview.yaml").is_file()
    listing = {r["docket"]["id"]: r["source"] for r in json.loads(run("dockets", "--json").stdout)["dockets"]}
    assert listing["TREAS-DO-2023-0009"] == "user"


def test_update_needs_fetch_or_a_file(run):
    err = _one_line_error(run("docket", "update", "TREAS-DO-2023-0009"))
    assert "--fetch" in err and "docket import FILE --update" in err


def test_moved_deadline_detected_accepted_and_shown_by_status(run, fr_api, tmp_path):
    meta, xml = _new_rule()
    fr_api.serve_document(NEW, meta, xml)
    assert run("docket", "fetch", NEW).exit_code == 0
    proj = tmp_path / "proj"
    assert run("init", proj, "--docket", "TREAS-DO-2025-0001", "--commenter", "Acme").exit_code == 0
    # nothing moved yet
    rows = json.loads(run("dockets", "--check-updates", "--json", "--today", "2025-02-20").stdout)["dockets"]
    row = {r["docket"]["id"]: r for r in rows}["TREAS-DO-2025-0001"]
    assert row["outcome"] == "unchanged"
    assert {r["docket"]["id"]: r for r in rows}["TREAS-DO-2023-0009"]["outcome"].startswith("not checked")
    # the agency extends the period: the API's comments_close_on moves
    fr_api.serve_document(NEW, dict(meta, comments_close_on="2025-03-17"), xml)
    res = run("dockets", "--check-updates", "--today", "2025-02-20", input="n\n")
    assert res.exit_code == 0, res.output
    assert "moved from 2025-03-03 to 2025-03-17" in res.stdout and "not changed" in res.stdout
    assert packs.load_path(user_pack_dir() / "TREAS-DO-2025-0001").docket.deadline.date.isoformat() == "2025-03-03"
    res = run("dockets", "--check-updates", "--today", "2025-02-20", input="y\n")
    assert res.exit_code == 0, res.output
    assert "pack updated" in res.stdout
    packs.load_path.cache_clear()
    d = packs.load("TREAS-DO-2025-0001").docket
    assert d.deadline.date.isoformat() == "2025-03-17" and d.deadline.time == "23:59"
    assert "comments_close_on 2025-03-17" in d.deadline.source
    status = run("status", proj, "--json", "--today", "2025-02-20")
    assert status.exit_code == 0, status.output
    report = json.loads(status.stdout)
    assert report["deadline"]["deadline"] == "2025-03-17T23:59:00-04:00"
    # milestones derive from the new deadline: sign-off 2 business days before Monday 17 March
    assert {m["name"]: m["date"] for m in report["milestones"]}["Sign-off"] == "2025-03-13"
    text = run("status", proj, "--today", "2025-02-20").stdout
    assert "17 March 2025" in text


def test_moved_deadline_of_a_shipped_pack_goes_to_a_user_copy(run, fr_api):
    fr_api.serve_document("2023-17164", dict(_anprm_meta(), comments_close_on="2023-10-30"),
                          (FR / "prorule.xml").read_bytes())
    res = run("dockets", "--check-updates", "--yes", "--json", "--today", "2023-09-20")
    rows = {r["docket"]["id"]: r for r in json.loads(res.stdout)["dockets"]}
    assert rows["TREAS-DO-2023-0009"]["accepted"] is True
    assert _installed() == ["TREAS-DO-2023-0009"]
    packs.load_path.cache_clear()
    pack = packs.load("TREAS-DO-2023-0009")
    assert pack.source == "user" and pack.docket.deadline.date.isoformat() == "2023-10-30"
    shipped = packs.load_path(Path(packs.shipped_dir()) / "TREAS-DO-2023-0009", "shipped")
    assert shipped.docket.deadline.date.isoformat() == "2023-09-28"
    # a pack the API does not know is reported, and the others are still checked
    assert rows["FR-2024-13923"]["outcome"].startswith("unknown to the Federal Register API")


def test_fetch_code_stays_out_of_light_commands():
    code = ("import sys; import commentkit.cli.dockets, commentkit.cli.docket; "
            "assert 'httpx' not in sys.modules, 'httpx imported'; "
            "assert 'lxml' not in sys.modules, 'lxml imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_answers_stay_attached_after_the_official_text_arrives(run, fr_api, tmp_path):
    """A user's answer to a summary question is the answer to the official question afterwards."""
    import shutil

    shutil.copytree(FR / "summary-pack", user_pack_dir() / "TREAS-DO-2023-0009")
    proj = tmp_path / "proj"
    assert run("init", proj, "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme").exit_code == 0
    res = run("answer", "cfp-1", proj, "--text", "We support a 12-month measurement period.")
    assert res.exit_code == 0, res.output
    fr_api.serve_document("2023-17164", _anprm_meta(), (FR / "prorule.xml").read_bytes())
    res = run("docket", "update", "TREAS-DO-2023-0009", "--fetch", "--yes", "--accept-similar")
    assert res.exit_code == 0, res.output
    packs.load_path.cache_clear()
    shown = run("show", "Q1", "--docket", "TREAS-DO-2023-0009", "--json")
    assert shown.exit_code == 0, shown.output
    q = json.loads(shown.stdout)
    assert q["question_id"] == "cfp-1" and q["wording"] == "official" and q["number"] == 1
    assert "12-month measurement period" in (proj / "answers" / "cfp-1.md").read_text()
    status = json.loads(run("status", proj, "--json").stdout)
    row = {r["question_id"]: r for r in status["questions"]}["cfp-1"]
    assert (row["number"], row["status"], row["words"]) == (1, "draft", 6)
