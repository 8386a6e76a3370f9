"""HTTP hardening: response headers, safe redirects and the client address behind proxies."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, Response, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

# Everything comes from this site; no inline script or style, no framing, no third party.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


# C0 and C1 control characters: a line break in a Location header cannot be sent at all, and
# no address on this site holds one.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def register_security(app: Flask) -> None:
    """Trust the configured proxies and add the security headers to every response."""
    proxies = int(app.config["TRUSTED_PROXY_COUNT"])
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.after_request(_secure_headers)


def _secure_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    )
    if request.endpoint != "static":
        # Pages may hold what a person wrote: never keep them in a shared or browser cache.
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def safe_next_url(target: str | None, fallback: str | None = None) -> str:
    """A redirect target on this site only, without control characters; else the fallback."""
    parts = urlsplit(target or "")
    unsafe = (
        not target
        or parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or _CONTROLS.search(target)
    )
    return (fallback or url_for("public.home")) if unsafe else str(target)
