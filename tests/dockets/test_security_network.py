"""Issue 27, bounded network: `docket fetch` against hostile servers on 127.0.0.1 (real sockets, a
real `commentkit` process): each ends within its stated deadline, exit status 2, one line, no
traceback; redirects and server-supplied URLs never leave the Federal Register's hosts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

NUMBER = "2025-01234"


class RawServer:
    """A TCP server on 127.0.0.1 whose every connection is handled by ``handler(conn, request)``."""

    def __init__(self, handler, host: str = "127.0.0.1"):
        self.handler = handler
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []
        self.first_at: float | None = None  # time.monotonic() of the first request line
        self.closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        try:
            conn.settimeout(30)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            line = data.split(b"\r\n", 1)[0].decode("latin-1")
            if self.first_at is None:
                self.first_at = time.monotonic()
            self.requests.append(line)
            self.handler(conn, line)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def close(self):
        self.closed = True
        self.sock.close()


def _response(status: str, headers: dict, body: bytes = b"") -> bytes:
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (head + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


@pytest.fixture
def servers():
    made = []

    def make(handler, host="127.0.0.1"):
        s = RawServer(handler, host)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def _fetch(api: str, *args, tmp_path: Path, env: dict | None = None,
           server: RawServer | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """Run `docket fetch`; the time returned runs from the server's first request (so Python's
    start-up on a loaded machine does not count) to the end of the process."""
    e = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    e.update(COMMENTKIT_DATA_DIR=str(tmp_path / "data"), NO_PROXY="127.0.0.1,localhost", **(env or {}))
    e.pop("COMMENTKIT_FR_HOSTS", None) if not (env or {}).get("COMMENTKIT_FR_HOSTS") else None
    started = time.monotonic()
    res = subprocess.run([sys.executable, "-m", "commentkit", "docket", "fetch", NUMBER, "--api-url", api, *args],
                         capture_output=True, text=True, env=e, timeout=120)
    ended = time.monotonic()
    if server is not None and server.first_at is not None:
        started = server.first_at
    return res, ended - started


def _one_line_failure(res: subprocess.CompletedProcess) -> str:
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert "Traceback" not in res.stderr, res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, res.stderr
    return errors[0]


EXIT = 1.5
"""Allowance, after the deadline, for the process to print its line and exit on a loaded machine."""


@pytest.mark.parametrize("where", ["headers", "body"])
def test_slow_drip_server_is_cut_off_at_the_total_deadline(servers, tmp_path, where):
    """One byte every 1.5 s: each read is within --timeout 2, the request as a whole is not."""

    def drip(conn, line):
        if where == "body":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
            data = b"{" + b" " * 99999
        else:
            data = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{}"
        for b in data:
            conn.sendall(bytes([b]))
            time.sleep(1.5)

    srv = servers(drip)
    res, elapsed = _fetch(f"http://127.0.0.1:{srv.port}/api/v1", "--timeout", "2", "--retries", "0",
                          tmp_path=tmp_path, server=srv)
    err = _one_line_failure(res)
    assert "timed out" in err and f"127.0.0.1:{srv.port}" in err
    assert elapsed < 2 + EXIT, elapsed


def test_retries_stay_within_the_command_deadline(servers, tmp_path):
    """A server that accepts and never answers: --timeout 1 --retries 1 ends after 2 requests of
    1 s plus 0.5 s back-off, never after a minute."""
    srv = servers(lambda conn, line: time.sleep(60))
    res, elapsed = _fetch(f"http://127.0.0.1:{srv.port}/api/v1", "--timeout", "1", "--retries", "1",
                          tmp_path=tmp_path, server=srv)
    err = _one_line_failure(res)
    assert "timed out" in err and "tried 2 times" in err
    assert len(srv.requests) == 2
    assert elapsed < 2 * 1 + 0.5 + EXIT, elapsed
    assert "retrying in" in res.stderr


def test_progress_is_printed_from_the_first_second(servers, tmp_path):
    # progress is for a person at a terminal (issue 25): standard error is a pseudo-terminal here
    import pty
    import select

    srv = servers(lambda conn, line: time.sleep(60))
    e = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    e.update(COMMENTKIT_DATA_DIR=str(tmp_path / "data"), NO_PROXY="127.0.0.1")
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "commentkit", "docket", "fetch", NUMBER, "--api-url",
                             f"http://127.0.0.1:{srv.port}/api/v1", "--timeout", "4", "--retries", "0"],
                            stderr=slave, stdout=subprocess.DEVNULL, env=e)
    os.close(slave)
    try:
        while not srv.requests:  # the request has been sent: from now on, the wait is the server's
            assert proc.poll() is None
            time.sleep(0.02)
        sent = srv.first_at
        seen = b""
        while b"waiting for 127.0.0.1" not in seen and time.monotonic() - sent < 1.0 + EXIT:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
        assert b"waiting for 127.0.0.1" in seen, seen
        assert time.monotonic() - sent < 1.0 + EXIT  # the first line is due 1 s after the request started
    finally:
        proc.kill()
        proc.wait()
        os.close(master)


def test_redirect_loop_is_one_line(servers, tmp_path):
    def loop(conn, line):
        path = line.split()[1]
        nxt = "/b" + path if not path.startswith("/b") else path[2:]
        conn.sendall(_response("302 Found", {"Location": nxt}))

    srv = servers(loop)
    res, elapsed = _fetch(f"http://127.0.0.1:{srv.port}/api/v1", "--timeout", "2", "--retries", "0",
                          tmp_path=tmp_path, server=srv)
    err = _one_line_failure(res)
    assert "redirect" in err and "loop" in err
    assert elapsed < 2 + EXIT
    assert 2 <= len(srv.requests) <= 6 + 1


def test_redirect_to_another_host_is_refused(servers, tmp_path):
    other = servers(lambda conn, line: conn.sendall(_response("200 OK", {"Content-Type": "application/json"},
                                                              b"{}")))
    srv = servers(lambda conn, line: conn.sendall(_response(
        "301 Moved Permanently", {"Location": f"http://localhost:{other.port}/api/v1/documents/{NUMBER}.json"})))
    res, elapsed = _fetch(f"http://127.0.0.1:{srv.port}/api/v1", "--timeout", "2", "--retries", "2",
                          tmp_path=tmp_path, server=srv)
    err = _one_line_failure(res)
    assert "not a Federal Register host" in err and f"localhost:{other.port}" in err and "COMMENTKIT_FR_HOSTS" in err
    assert other.requests == []  # never contacted
    assert len(srv.requests) == 1  # a refusal is not retried
    assert elapsed < 2 + EXIT


def test_redirect_to_an_allowed_host_is_followed(servers, tmp_path):
    """The allow-list is configurable: with the other host listed, the redirect is followed."""
    other = servers(lambda conn, line: conn.sendall(_response("404 Not Found", {}, b"{}")))
    srv = servers(lambda conn, line: conn.sendall(_response(
        "302 Found", {"Location": f"http://localhost:{other.port}/api/v1/documents/{NUMBER}.json"})))
    res, _ = _fetch(f"http://127.0.0.1:{srv.port}/api/v1", "--retries", "0", tmp_path=tmp_path,
                    env={"COMMENTKIT_FR_HOSTS": "localhost"})
    err = _one_line_failure(res)
    assert "no document numbered" in err  # the 404 came from the other host: it was reached
    assert len(other.requests) == 1


def test_server_supplied_full_text_url_on_another_host_is_refused(servers, tmp_path):
    other = servers(lambda conn, line: conn.sendall(_response("200 OK", {}, b"<x/>")))
    meta = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "fr" / "2023-17164.json").read_text())
    meta.update(document_number=NUMBER, full_text_xml_url=f"http://localhost:{other.port}/evil.xml")
    body = json.dumps(meta).encode()
    srv = servers(lambda conn, line: conn.sendall(_response("200 OK", {"Content-Type": "application/json"}, body)))
    res, _ = _fetch(f"http://127.0.0.1:{srv.port}/api/v1", "--retries", "0", tmp_path=tmp_path)
    err = _one_line_failure(res)
    assert "not a Federal Register host" in err and "evil.xml" in err
    assert other.requests == []
