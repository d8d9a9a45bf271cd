"""HTTP hardening shared by every page: who the client is behind a proxy, security headers
(Content-Security-Policy with a per-response nonce, framing, sniffing, referrer) and HTTPS-only
staff console in production."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, current_app, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix

# Forwarded headers a client can send itself: only a trusted proxy's values are believed.
_FORWARDED = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
)
HTTPS_ONLY = "Trang quản trị chỉ mở qua kết nối bảo mật (HTTPS). Vui lòng dùng địa chỉ https://."
NONCE_KEY = "backend.csp_nonce"
DOCS_BLUEPRINT = "api-docs"  # flask-smorest's blueprint of /docs and /openapi.json


class _TrustedForwardedHeaders:
    """Below ProxyFix: the forwarded headers are replaced by what ProxyFix believed, so no code
    (Flask-Login's session binding reads X-Forwarded-For itself) ever sees a client's own."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], trusted: int) -> None:
        self.wsgi_app = wsgi_app
        self.trusted = trusted

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        for name in _FORWARDED:
            environ.pop(name, None)
        if self.trusted and environ.get("REMOTE_ADDR"):
            environ["HTTP_X_FORWARDED_FOR"] = environ["REMOTE_ADDR"]
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    trusted = int(app.config["TRUSTED_PROXIES"])
    inner = _TrustedForwardedHeaders(app.wsgi_app, trusted)
    app.wsgi_app = (  # type: ignore[method-assign]
        ProxyFix(inner, x_for=trusted, x_proto=trusted) if trusted else inner
    )
    if app.config["APP_ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(_console_over_https_only)
    app.after_request(_security_headers)


def csp_nonce() -> str:
    """The nonce of this response's inline <script>/<style> elements (one per request: kept in
    the request's environ, since an app context, and `g`, may outlive a request)."""
    return request.environ.setdefault(NONCE_KEY, secrets.token_urlsafe(18))


def _is_console() -> bool:
    return request.path == "/staff" or request.path.startswith("/staff/")


def _console_over_https_only() -> tuple[str, int] | None:
    """In production the console is never served over plain HTTP (passwords, session cookie)."""
    if current_app.config["APP_ENV"] == "production" and _is_console() and not request.is_secure:
        return render_template("error.html", status=403, message=HTTPS_ONLY), 403
    return None


def content_security_policy(
    nonce: str, *, html: bool, docs: bool = False, connect: tuple[str, ...] = ()
) -> str:
    """`connect`: origins a page may call besides its own (the household page's FCM sign-up)."""
    common = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    connect_src = " ".join(("'self'", *connect))
    if not html:  # JSON and other data: nothing in it may run or load anything
        return f"default-src 'none'; form-action 'none'; {common}"
    if docs:  # Swagger UI, from the app's own files: the styles it injects need 'unsafe-inline'
        return (
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
            f"style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
            f"worker-src 'self' blob:; connect-src 'self'; form-action 'self'; {common}"
        )
    return (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
        f"style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; "
        f"img-src 'self' data:; connect-src {connect_src}; "
        f"form-action 'self'; {common}"
    )


def _security_headers(response: Response) -> Response:
    html = response.mimetype == "text/html"
    docs = (request.blueprint or "") == DOCS_BLUEPRINT
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy", content_security_policy(csp_nonce(), html=html, docs=docs)
    )
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["APP_ENV"] == "production" and request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if _is_console():  # signed-in pages stay out of caches and the back button after sign-out
        headers["Cache-Control"] = "no-store"
    return response
