"""The web app's security layer: who may talk to the server, and what a page may do.

``commentkit serve`` is a local server holding a person's confidential drafts. Anything else on
the machine (another user's process, a web page in the same browser) must not read or change
them. The layer, as an ASGI middleware around every request:

* **Host check** (DNS rebinding): the ``Host`` header must name the address the server was
  started on (``127.0.0.1:PORT``, ``localhost:PORT``, ``[::1]:PORT`` or the ``--host`` given).
* **Access token**: the URL the server prints (and opens) carries a random token; the first
  request with it gets an HttpOnly, SameSite=Strict session cookie and is redirected to the same
  page without the token (so it does not stay in the address bar or history). Every other
  request needs the cookie, else 403.
* **Cross-site writes**: a request that changes anything (POST) must come from the app's own
  origin (``Origin`` / ``Sec-Fetch-Site``) and carry the session's CSRF token
  (:func:`check_csrf`, in every form and in the ``X-CSRF-Token`` header of fetch requests).
* **Size limit**: a request body over :data:`MAX_BODY` is refused with 413 before it is read.
* **Headers**: a strict Content-Security-Policy (no inline script, nothing from another
  origin), no framing, no caching of pages, and no referrer sent to other sites
  (``same-origin``: with ``no-referrer`` browsers send ``Origin: null`` on the app's own forms,
  which the origin check must refuse).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

MAX_BODY = 25 * 1024 * 1024
"""Largest request body accepted (an uploaded Word file or member form is far smaller)."""

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class Guard:
    """The secrets and addresses of one running server."""

    port: int
    host: str = "127.0.0.1"
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def cookie_name(self) -> str:
        # cookies are not kept apart by port: two servers on one machine must not share one
        return f"commentkit_{self.port}"

    @property
    def csrf(self) -> str:
        return hmac.new(self.session.encode(), b"csrf", hashlib.sha256).hexdigest()

    def allowed_hosts(self) -> set[str]:
        names = {"127.0.0.1", "localhost", "[::1]"}
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            names.add(f"[{self.host}]" if ":" in self.host else self.host)
        return {f"{n}:{self.port}" for n in names}

    def origins(self) -> set[str]:
        return {f"http://{h}" for h in self.allowed_hosts()}

    def url(self, path: str = "/") -> str:
        host = self.host if self.host not in ("0.0.0.0", "::") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}{path}?token={self.token}"

    def valid_session(self, cookie_value: str | None) -> bool:
        return isinstance(cookie_value, str) and bool(cookie_value) and \
            hmac.compare_digest(cookie_value.encode(), self.session.encode())

    def valid_csrf(self, value: object) -> bool:
        return isinstance(value, str) and bool(value) and hmac.compare_digest(value.encode(), self.csrf.encode())


class CsrfError(Exception):
    """A form without the session's CSRF token."""


def check_csrf(guard: Guard, value: object) -> None:
    if not guard.valid_csrf(value):
        raise CsrfError("missing or wrong CSRF token")


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def security_headers() -> list[tuple[bytes, bytes]]:
    return [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin"),
            (b"cross-origin-opener-policy", b"same-origin"), (b"cross-origin-resource-policy", b"same-origin"),
            (b"cache-control", b"no-store")]


class SecurityMiddleware:
    def __init__(self, app, guard: Guard):
        self.app = app
        self.guard = guard

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        g = self.guard
        headers = _headers(scope)
        host = headers.get("host", "")
        if host not in g.allowed_hosts():
            return await _refuse(send, 400, "Refused: this server answers only to its own address "
                                            f"(Host {host!r} is not one of them).")
        method = scope["method"]
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        token = query.get("token")
        if token is not None and method in SAFE_METHODS:
            if not hmac.compare_digest(token, g.token):
                return await _refuse(send, 403, "Refused: wrong access token. Open the link that "
                                                "'commentkit serve' printed.")
            rest = {k: v for k, v in query.items() if k != "token"}
            location = scope.get("path", "/") + (f"?{urlencode(rest)}" if rest else "")
            cookie = (f"{g.cookie_name}={g.session}; HttpOnly; SameSite=Strict; Path=/").encode()
            return await _send(send, 303, b"", [(b"location", location.encode()), (b"set-cookie", cookie)])
        jar = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header: treated as no cookie
            jar = SimpleCookie()
        morsel = jar.get(g.cookie_name)
        if not g.valid_session(morsel.value if morsel else None):
            return await _refuse(send, 403, "Refused: no access token. Open the link that 'commentkit serve' "
                                            "printed (it ends with ?token=...).")
        if method not in SAFE_METHODS:
            origin = headers.get("origin")
            site = headers.get("sec-fetch-site")
            if (origin is not None and origin not in g.origins()) or site in ("cross-site", "same-site"):
                return await _refuse(send, 403, "Refused: a request from another site.")
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                return await _refuse(send, 413, f"Refused: upload larger than {MAX_BODY // (1024 * 1024)} MB.")
            receive = _limited(receive)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + security_headers()
            await send(message)

        await self.app(scope, receive, send_with_headers)  # a TooLarge while reading: the app answers 413


class TooLarge(Exception):
    """A request body grew past MAX_BODY while it was read (no Content-Length given)."""


def _limited(receive):
    seen = 0

    async def inner():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY:
                raise TooLarge()
        return message

    return inner


async def _send(send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]):
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, *security_headers(), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _refuse(send, status: int, text: str):
    body = text.encode("utf-8") + b"\n"
    await _send(send, status, body, [(b"content-type", b"text/plain; charset=utf-8")])
