"""The web app's security layer, against a real server on 127.0.0.1 (no browser needed)."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys

import httpx
import pytest
from conftest import SAMPLES
from webutil import Server, copy_sample

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    copy_sample(SAMPLES / "semiconductor-jv", folder / "jv")
    (folder / "secret.txt").write_text("not for the browser")
    with Server(folder) as srv:
        yield srv, folder


def _client(srv, **kw) -> httpx.Client:
    return httpx.Client(base_url=srv.origin, follow_redirects=False, timeout=30, **kw)


@contextlib.contextmanager
def _logged_in(srv):
    with _client(srv) as c:
        r = c.get(f"/?token={srv.guard.token}")
        assert r.status_code == 303
        yield c


def test_no_token_is_refused(served):
    srv, _ = served
    with _client(srv) as c:
        for path in ("/", "/p/jv/dashboard", "/p/jv/answer/executive-summary", "/static/app.css"):
            r = c.get(path)
            assert r.status_code == 403, path
            assert "access token" in r.text
        assert c.get("/?token=wrong").status_code == 403
        assert c.get("/", cookies={srv.guard.cookie_name: "guess"}).status_code == 403


def test_token_is_exchanged_for_a_strict_httponly_cookie(served):
    srv, _ = served
    with _client(srv) as c:
        r = c.get(f"/p/jv/plan?level=core&token={srv.guard.token}")
        assert r.status_code == 303
        assert r.headers["location"] == "/p/jv/plan?level=core"  # the token leaves the address bar
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and srv.guard.token not in cookie
        page = c.get("/p/jv/plan?level=core")
        assert page.status_code == 200 and "Plan" in page.text
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert page.headers["x-frame-options"] == "DENY"


def test_wrong_host_is_refused(served):
    srv, _ = served
    with _logged_in(srv) as c:
        r = c.get("/", headers={"Host": f"attacker.example:{srv.guard.port}"})
        assert r.status_code == 400 and "Host" in r.text
        r = c.get("/", headers={"Host": "127.0.0.1:1"})
        assert r.status_code == 400
        assert c.get("/", headers={"Host": f"localhost:{srv.guard.port}"}).status_code == 200


def _csrf(c) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', c.get("/p/jv/answer/conclusion").text).group(1)


def test_cross_site_post_is_refused_and_writes_nothing(served):
    srv, folder = served
    path = folder / "jv" / "general" / "conclusion.md"
    before = path.read_bytes()
    with _logged_in(srv) as c:
        token = _csrf(c)
        page = c.get("/p/jv/answer/conclusion").text
        fp = re.search(r'name="fingerprint" value="([^"]+)"', page).group(1)
        form = {"csrf": token, "fingerprint": fp, "text": "Hijacked.", "action": "save"}
        r = c.post("/p/jv/answer/conclusion", data=form, headers={"Origin": "http://evil.example"})
        assert r.status_code == 403
        r = c.post("/p/jv/answer/conclusion", data=form, headers={"Sec-Fetch-Site": "cross-site"})
        assert r.status_code == 403
        r = c.post("/p/jv/answer/conclusion", data={**form, "csrf": "0" * 64})
        assert r.status_code == 403 and "CSRF" in r.text
        r = c.post("/p/jv/answer/conclusion", data={k: v for k, v in form.items() if k != "csrf"})
        assert r.status_code == 403
        r = c.post("/p/jv/preview", content=b"**x**")  # the live preview needs the header token too
        assert r.status_code == 403
        assert path.read_bytes() == before
        ok = c.post("/p/jv/preview", content=b"**x**", headers={"X-CSRF-Token": token})
        assert ok.status_code == 200 and "<strong>x</strong>" in ok.text


@pytest.mark.parametrize("path", [
    "/p/..%2F..%2Fetc/dashboard", "/p/..:..:etc/dashboard", "/p/%2E%2E/dashboard", "/p/jv:..:..:/dashboard",
    "/p/.commentkit/dashboard", "/p/jv/download/..%2Fcommentkit.yaml", "/p/jv/download/commentkit.yaml",
    "/p/jv/download/%2Fetc%2Fpasswd", "/static/..%2Fapp.py", "/static/../../secret.txt", "/secret.txt",
    "/p/jv/answer/..%2F..%2Fcommentkit", "/p/jv/questionnaire/99",
])
def test_path_traversal_is_refused(served, path):
    srv, _ = served
    with _logged_in(srv) as c:
        r = c.get(path)
        assert r.status_code in (400, 404), (path, r.status_code)
        assert "not for the browser" not in r.text and "schema_version" not in r.text


def test_word_upload_named_as_a_path_cannot_apply_elsewhere(served):
    srv, _ = served
    with _logged_in(srv) as c:
        r = c.post("/p/jv/word/apply", data={"csrf": _csrf(c), "upload": "../../commentkit.yaml", "q": "conclusion"})
        assert r.status_code == 409 and "unknown upload" in r.text


def test_oversized_upload_is_refused(served):
    srv, folder = served
    from commentkit.web.security import MAX_BODY

    with _logged_in(srv) as c:
        r = c.post("/p/jv/word", files={"docx": ("big.docx", b"PK" + b"0" * (MAX_BODY + 10))},
                   data={"csrf": _csrf(c)})
        assert r.status_code == 413

        def chunks():  # no Content-Length: the size is counted as the body arrives
            yield b"--x\r\nContent-Disposition: form-data; name=\"docx\"; filename=\"big.docx\"\r\n\r\nPK"
            for _ in range(MAX_BODY // (1024 * 1024) + 2):
                yield b"0" * (1024 * 1024)
            yield b"\r\n--x--\r\n"

        r = c.post("/p/jv/word", content=chunks(), headers={"content-type": "multipart/form-data; boundary=x"})
        assert r.status_code == 413
        assert not list((folder / "jv").glob(".commentkit/uploads/*.docx"))


def test_a_damaged_word_upload_is_one_line_and_writes_nothing(served):
    srv, folder = served
    before = {p: p.read_bytes() for p in (folder / "jv").rglob("*.md")}
    with _logged_in(srv) as c:
        r = c.post("/p/jv/word", files={"docx": ("x.docx", b"PK\x03\x04 not a zip at all")}, data={"csrf": _csrf(c)})
        assert r.status_code == 400
        assert "Not done" in r.text
    assert {p: p.read_bytes() for p in (folder / "jv").rglob("*.md")} == before


def test_other_addresses_need_an_explicit_flag(tmp_path):
    from click.testing import CliRunner

    from commentkit.cli import cli

    res = CliRunner().invoke(cli, ["serve", str(tmp_path), "--host", "0.0.0.0", "--no-browser"])
    assert res.exit_code == 2
    assert "--allow-remote" in res.output


def test_only_serve_loads_the_web_stack():
    code = ("import sys; from commentkit.cli import cli\n"
            "try: cli.main(['status', '--help'], standalone_mode=False)\n"
            "except SystemExit: pass\n"
            "print(sorted(m for m in ('starlette', 'uvicorn', 'commentkit.web') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")
