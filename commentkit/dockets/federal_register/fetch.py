"""Fetching a document's JSON and full-text XML from the Federal Register API (v1, no key).

``httpx`` is imported here only, so commands that do not fetch never load it. The API base URL
comes from ``--api-url``, else ``COMMENTKIT_FR_API``, else the public API; proxies are taken
from the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``).

Every request is bounded:

* ``--timeout`` is a **total** deadline per request (connecting, waiting and downloading): a
  server that drips one byte at a time cannot hold a request longer. The command as a whole has a
  deadline too (:attr:`Client.command_deadline`: every attempt and back-off of its requests).
  While a request waits, progress is printed from the first second.
* Redirects are followed by hand, at most :data:`MAX_REDIRECTS`, and only to the same host or to
  an allowed host: the Federal Register's own (:data:`FR_HOSTS`), the API's host, and any listed
  in ``COMMENTKIT_FR_HOSTS`` (comma-separated). A URL the server supplies (``full_text_xml_url``)
  is checked the same way; an ``https`` request is never sent on over plain ``http``.
* Connection errors, time-outs, HTTP 429 and 5xx are retried a bounded number of times with
  exponential back-off. Every failure, whatever httpx raises, is one line naming the URL (a
  :class:`~commentkit.errors.NetworkError`: exit status 2).
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urljoin, urlsplit

from commentkit.dockets.federal_register.importer import parse_api_json
from commentkit.errors import NetworkError, UserError
from commentkit.files import limits

DEFAULT_API = "https://www.federalregister.gov/api/v1"
ENV_API = "COMMENTKIT_FR_API"
ENV_HOSTS = "COMMENTKIT_FR_HOSTS"
FR_HOSTS = ("www.federalregister.gov", "federalregister.gov", "api.federalregister.gov", "www.govinfo.gov",
            "govinfo.gov")
"""Hosts a request may be redirected to, or a server-supplied URL may name, besides the API's own."""
MAX_REDIRECTS = 5
MAX_INPUT_BYTES = limits.FETCHED_DOCUMENT_BYTES
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
BACKOFF = 0.5  # seconds; doubled after each failed attempt
REQUESTS_PER_COMMAND = 2  # the document's JSON, then its full-text XML
PROGRESS_FIRST = 1.0  # seconds: the first "waiting" line
PROGRESS_EVERY = 5.0
DOC_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,29}$")
USER_AGENT = "commentkit (public-comment drafting tool; https://www.federalregister.gov/developers)"

def api_base(option: str | None = None) -> str:
    url = (option or os.environ.get(ENV_API) or DEFAULT_API).strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", url):
        raise UserError(f"API URL {url!r} is not an http(s) URL (set with --api-url or {ENV_API})")
    return url


def check_number(number: str) -> str:
    number = number.strip()
    if not DOC_NUMBER.match(number):
        raise UserError(f"{number!r} is not a Federal Register document number (like 2023-17164)")
    return number


class NotFoundError(NetworkError):
    """The server answered 404."""


@dataclass
class Fetched:
    url: str
    content: bytes


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def allowed_hosts() -> tuple[str, ...]:
    extra = [h.strip().lower() for h in os.environ.get(ENV_HOSTS, "").split(",") if h.strip()]
    return (*FR_HOSTS, *extra)


class Client:
    """A small wrapper over ``httpx.Client``: deadlines, checked redirects, retries, size limit,
    progress, one-line errors."""

    def __init__(self, api_url: str | None = None, timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES,
                 backoff: float = BACKOFF, progress: Callable[[str], None] | None = None, show_progress: bool = True,
                 command_timeout: float | None = None):
        import httpx  # lazy: only network commands need the HTTP client

        self.api = api_base(api_url)
        self.timeout = float(timeout)
        self.retries = max(0, retries)
        self.backoff = backoff
        self.progress = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.show_progress = show_progress
        if command_timeout is None:  # every attempt and back-off of the command's requests
            one = self.timeout * (self.retries + 1) + backoff * (2 ** self.retries - 1)
            command_timeout = REQUESTS_PER_COMMAND * one
        self.command_timeout = command_timeout
        self.command_deadline = time.monotonic() + command_timeout
        self.http = httpx.Client(timeout=httpx.Timeout(self.timeout), follow_redirects=False, trust_env=True,
                                 headers={"User-Agent": USER_AGENT, "Accept": "application/json, application/xml, "
                                                                            "text/xml, */*"})

    def close(self) -> None:
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- where requests may go ---------------------------------------------------------------

    def check_url(self, url: str, what: str, came_from: str | None = None) -> str:
        """Refuse a URL (a redirect target, or one the server supplied) that leaves the Federal
        Register: allowed are the API's host, :func:`allowed_hosts`, and for a redirect the host
        it came from; never from https down to http."""
        scheme, host, port = _origin(url)
        if scheme not in ("http", "https") or not host:
            raise NetworkError(f"{what}: not an http(s) URL: {url!r}")
        if came_from is not None and _origin(came_from)[0] == "https" and scheme != "https":
            raise NetworkError(f"{what}: the server redirected from https to plain http ({url}); refused")
        ok = {_origin(self.api)[1:]}
        if came_from is not None:
            ok.add(_origin(came_from)[1:])
        if (host, port) in ok or host in allowed_hosts() or f"{host}:{port}" in allowed_hosts():
            return url
        how = "redirected to" if came_from is not None else "names"
        raise NetworkError(f"{what}: the server {how} {url}, which is not a Federal Register host (allowed: the API's "
                           f"host, {', '.join(allowed_hosts())}); refused. To allow it, add the host to {ENV_HOSTS}")

    # ----------------------------------------------------------------------------------------

    def document_url(self, number: str) -> str:
        return f"{self.api}/documents/{check_number(number)}.json"

    def document(self, number: str) -> Fetched:
        """The API's JSON for one document; a 404 says the number is unknown."""
        url = self.document_url(number)
        return self.get(url, what=f"Federal Register document {number}", not_found=(
            f"the Federal Register has no document numbered {number} ({url}); check the number "
            f"(it is printed as 'FR Doc. {number}' at the end of the notice)"))

    def get(self, url: str, what: str, not_found: str | None = None, label: str | None = None) -> Fetched:
        if not re.match(r"^https?://", url or ""):
            raise NetworkError(f"{what}: not an http(s) URL: {url!r}")
        attempt = 0
        while True:
            try:
                return self._get_bounded(url, what, label)
            except _Retry as exc:
                reason = exc.reason
            except _NotFound:
                raise NotFoundError(not_found or f"{what} not found (HTTP 404): {url}") from None
            left = self.command_deadline - time.monotonic()
            delay = self.backoff * (2 ** attempt)
            if attempt >= self.retries or left <= delay + 0.05:
                why = "" if attempt >= self.retries else f"; the command's time limit ({self.command_timeout:g} s) is up"
                raise NetworkError(f"cannot fetch {what}: {reason} ({url}); tried {attempt + 1} time"
                                   f"{'s' if attempt else ''}{why}. Check your connection or proxy settings, or set "
                                   f"--api-url / {ENV_API} to a mirror") from None
            self.progress(f"  {reason}; retrying in {delay:.1f} s ({url})")
            time.sleep(delay)
            attempt += 1

    def _get_bounded(self, url: str, what: str, label: str | None) -> Fetched:
        """One attempt, ended at its deadline whatever the server does (the transfer runs in a
        helper thread; this one waits, prints progress, and gives up at the deadline)."""
        started = time.monotonic()
        deadline = min(started + self.timeout, self.command_deadline)
        if deadline <= started:
            raise _Retry(f"the command's time limit ({self.command_timeout:g} s) is up")
        box: dict = {}

        def work():
            try:
                box["ok"] = self._get_once(url, what, label, deadline)
            except BaseException as exc:  # handed to the waiting thread
                box["err"] = exc

        worker = threading.Thread(target=work, name="commentkit-fetch", daemon=True)
        worker.start()
        next_note = started + PROGRESS_FIRST
        host = urlsplit(url).netloc
        while True:
            now = time.monotonic()
            worker.join(max(0.0, min(deadline, next_note) - now))
            if not worker.is_alive():
                break
            now = time.monotonic()
            if now >= deadline:
                # the helper thread is abandoned (it dies with the process, or when the server hangs up)
                raise _Retry(f"timed out after {now - started:.0f} s (--timeout {self.timeout:g} s is the limit for "
                             "the whole request)")
            if now >= next_note:
                if self.show_progress:
                    self.progress(f"  waiting for {host}: {now - started:.0f} s (gives up after "
                                  f"{deadline - started:.0f} s)")
                next_note = now + PROGRESS_EVERY
        if "err" in box:
            raise box["err"]
        return box["ok"]

    def _get_once(self, url: str, what: str, label: str | None, deadline: float) -> Fetched:
        import httpx  # lazy: see __init__

        current = url
        try:
            for _ in range(MAX_REDIRECTS + 1):
                with self.http.stream("GET", current) as resp:
                    if resp.is_redirect and resp.headers.get("location"):
                        nxt = urljoin(current, resp.headers["location"])
                        current = self.check_url(nxt, what, came_from=current)
                        continue
                    return self._body(resp, current, label, deadline)
        except httpx.TimeoutException:
            raise _Retry("timed out") from None
        except httpx.TransportError as exc:
            raise _Retry(_transport_reason(exc)) from None
        except httpx.HTTPError as exc:  # any other httpx error (decoding, streaming, ...): one line
            raise NetworkError(f"cannot fetch {what}: {type(exc).__name__}: {exc} ({current})") from None
        except httpx.InvalidURL as exc:
            raise NetworkError(f"{what}: invalid URL {current!r}: {exc}") from None
        raise NetworkError(f"cannot fetch {what}: more than {MAX_REDIRECTS} redirects (a redirect loop?) starting at "
                           f"{url}")

    def _body(self, resp, url: str, label: str | None, deadline: float) -> Fetched:
        if resp.status_code == 404:
            raise _NotFound()
        if resp.status_code == 429 or resp.status_code >= 500:
            raise _Retry(f"HTTP {resp.status_code}")
        if resp.status_code >= 400:
            raise NetworkError(f"the server refused the request: HTTP {resp.status_code} ({url})")
        if resp.status_code >= 300:
            raise NetworkError(f"the server answered HTTP {resp.status_code} without a usable redirect ({url})")
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_INPUT_BYTES:
            raise NetworkError(f"the download is too large ({declared} bytes; limit {MAX_INPUT_BYTES}) ({url})")
        total = int(declared) if declared and declared.isdigit() else None
        chunks: list[bytes] = []
        got = 0
        last_shown = 0.0
        if label and self.show_progress:
            self.progress(f"Downloading {label}: {url}")
        for chunk in resp.iter_bytes():
            chunks.append(chunk)
            got += len(chunk)
            if got > MAX_INPUT_BYTES:
                raise NetworkError(f"the download is too large (over {MAX_INPUT_BYTES} bytes) ({url})")
            now = time.monotonic()
            if now >= deadline:
                raise _Retry("timed out")
            if label and self.show_progress and now - last_shown > 0.5:
                last_shown = now
                pct = f" of {total // 1024} kB ({100 * got // total}%)" if total else ""
                self.progress(f"  {got // 1024} kB{pct}")
        if label and self.show_progress:
            self.progress(f"  done: {got // 1024} kB")
        return Fetched(url, b"".join(chunks))


class _Retry(Exception):
    def __init__(self, reason: str):
        self.reason = reason


class _NotFound(Exception):
    pass


def _transport_reason(exc) -> str:
    text = str(exc) or type(exc).__name__
    low = text.lower()
    if "name or service not known" in low or "nodename nor servname" in low or "getaddrinfo" in low:
        return "cannot resolve the host name (offline?)"
    if "connection refused" in low:
        return "connection refused"
    return text.splitlines()[0]


def fetch_document(client: Client, number: str):
    """Download the JSON and the full-text XML of ``number``; returns (ApiMeta, json bytes, xml bytes, xml url)."""
    doc = client.document(number)
    meta = parse_api_json(doc.content, doc.url)
    if meta.document_number and meta.document_number != number:
        raise UserError(f"the API answered for document {meta.document_number}, not {number} ({doc.url})")
    meta.document_number = meta.document_number or number
    if not meta.full_text_xml_url:
        raise UserError(f"the Federal Register has no full-text XML for {number} (documents before 2000 have none; "
                        f"download the text edition and use 'commentkit docket import FILE') ({doc.url})")
    what = f"the full text of {number}"
    xml_url = client.check_url(urljoin(doc.url, meta.full_text_xml_url), what)  # the server chose it: checked
    xml = client.get(xml_url, what=what, label=f"full text of {number} (XML)")
    return meta, doc.content, xml.content, xml.url
