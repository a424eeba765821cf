"""Fetching a document's JSON and full-text XML from the Federal Register API (v1, no key).

``httpx`` is imported here only, so commands that do not fetch never load it. The API base URL
comes from ``--api-url``, else ``COMMENTKIT_FR_API``, else the public API; proxies are taken
from the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``). Requests time out, and
connection errors, time-outs, HTTP 429 and 5xx are retried a bounded number of times with
exponential back-off. Every failure is one line naming the URL (a UserError: exit status 2).
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from typing import Callable

from commentkit.dockets.federal_register.importer import MAX_INPUT_BYTES, parse_api_json
from commentkit.errors import NetworkError, UserError

DEFAULT_API = "https://www.federalregister.gov/api/v1"
ENV_API = "COMMENTKIT_FR_API"
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
BACKOFF = 0.5  # seconds; doubled after each failed attempt
USER_AGENT = "commentkit (public-comment drafting tool; https://www.federalregister.gov/developers)"

DOC_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,29}$")


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


class Client:
    """A small wrapper over ``httpx.Client``: retries, size limit, progress, one-line errors."""

    def __init__(self, api_url: str | None = None, timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES,
                 backoff: float = BACKOFF, progress: Callable[[str], None] | None = None, show_progress: bool = True):
        import httpx  # lazy: only network commands need the HTTP client

        self.api = api_base(api_url)
        self.retries = max(0, retries)
        self.backoff = backoff
        self.progress = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.show_progress = show_progress
        self.http = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True, trust_env=True,
                                 headers={"User-Agent": USER_AGENT, "Accept": "application/json, application/xml, "
                                                                            "text/xml, */*"})

    def close(self) -> None:
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

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
        import httpx  # lazy: only network commands need the HTTP client

        if not re.match(r"^https?://", url or ""):
            raise UserError(f"{what}: not an http(s) URL: {url!r}")
        attempt = 0
        while True:
            try:
                return self._get_once(url, label)
            except _Retry as exc:
                reason = exc.reason
            except httpx.TimeoutException:
                reason = "timed out"
            except httpx.TransportError as exc:
                reason = _transport_reason(exc)
            except _NotFound:
                raise NotFoundError(not_found or f"{what} not found (HTTP 404): {url}") from None
            if attempt >= self.retries:
                raise UserError(f"cannot fetch {what}: {reason} ({url}); tried {attempt + 1} time"
                                f"{'s' if attempt else ''}. Check your connection or proxy settings, or set "
                                f"--api-url / {ENV_API} to a mirror") from None
            delay = self.backoff * (2 ** attempt)
            self.progress(f"  {reason}; retrying in {delay:.1f} s ({url})")
            time.sleep(delay)
            attempt += 1

    def _get_once(self, url: str, label: str | None) -> Fetched:
        with self.http.stream("GET", url) as resp:
            if resp.status_code == 404:
                raise _NotFound()
            if resp.status_code == 429 or resp.status_code >= 500:
                raise _Retry(f"HTTP {resp.status_code}")
            if resp.status_code >= 400:
                raise UserError(f"the server refused the request: HTTP {resp.status_code} ({url})")
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > MAX_INPUT_BYTES:
                raise UserError(f"the download is too large ({declared} bytes; limit {MAX_INPUT_BYTES}) ({url})")
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
                    raise UserError(f"the download is too large (over {MAX_INPUT_BYTES} bytes) ({url})")
                now = time.monotonic()
                if label and self.show_progress and now - last_shown > 0.5:
                    last_shown = now
                    pct = f" of {total // 1024} kB ({100 * got // total}%)" if total else ""
                    self.progress(f"  {got // 1024} kB{pct}")
            if label and self.show_progress:
                self.progress(f"  done: {got // 1024} kB")
            return Fetched(str(resp.url), b"".join(chunks))


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
    xml = client.get(meta.full_text_xml_url, what=f"the full text of {number}", label=f"full text of {number} (XML)")
    return meta, doc.content, xml.content, xml.url
