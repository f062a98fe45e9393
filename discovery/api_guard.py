"""Who may talk to the daemon's API: the bound Host only, and no cross-site writes.

A browser lets any web page send requests to ``127.0.0.1``: a form POST (no custom header,
a "simple" content type) reaches a route without a CORS preflight, and a page served from a
rebound DNS name (``evil.example`` -> 127.0.0.1) reads the answers as same-origin. So every
request's ``Host`` must name the address the daemon is bound to (`allowed_hosts`), and every
state-changing request (anything but GET/HEAD/OPTIONS) must have
``Content-Type: application/json`` and either ``Authorization`` or the custom header
``X-Discovery-Client``, neither of which a cross-site page can send without a preflight that
this server never grants (it serves no CORS headers).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Mapping

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

CLIENT_HEADER = "X-Discovery-Client"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
JSON_TYPE = "application/json"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int) -> frozenset[str] | None:
    """The ``Host`` header values that name this server; None (any) for a wildcard bind.

    A loopback bind answers to every loopback name; a wildcard bind (0.0.0.0, ::) has no
    single name, and is only allowed with a token, which a rebound page does not hold.
    """
    if host in WILDCARD_HOSTS:
        return None
    names = {host, *(LOOPBACK_NAMES if is_loopback(host) else ())}
    values = set()
    for name in names:
        shown = f"[{name}]" if ":" in name else name
        values |= {shown.lower(), f"{shown}:{port}".lower()}
    return frozenset(values)


def refusal(method: str, headers: Mapping[str, str], hosts: frozenset[str] | None) -> str | None:
    """Why a request is refused (None if it may pass): a foreign Host, or a forgeable write."""
    host = headers.get("host", "").lower()
    if hosts is not None and host not in hosts:
        return "the Host header does not name this server (DNS rebinding?); use its address"
    if method.upper() in SAFE_METHODS:
        return None
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != JSON_TYPE:
        return f"state-changing requests need 'Content-Type: {JSON_TYPE}'"
    if "authorization" not in headers and CLIENT_HEADER.lower() not in headers:
        return f"state-changing requests need an Authorization or {CLIENT_HEADER} header"
    return None


def guard_requests(app: FastAPI, hosts: frozenset[str] | None) -> None:
    """Refuse (403) every request of `app` that `refusal` names a reason for."""

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        reason = refusal(request.method, request.headers, hosts)
        if reason is not None:
            return JSONResponse({"detail": reason}, status_code=403)
        return await call_next(request)
