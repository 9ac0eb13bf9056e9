"""Security headers on every response: a nonce-based CSP that allows only our own origin, and no banner."""
import re
import secrets

import dash
import flask
from werkzeug.serving import WSGIRequestHandler

SERVER_NAME = "convergence-monitor"
NONCE_PLACEHOLDER = "{nonce}"

# Measured in Chromium on every page (tests/browser/test_security_headers.py fails on any
# violation): Dash's inline renderer and clientside-callback scripts run with the per-request
# nonce; plotly.js and React write style attributes, so styles need 'unsafe-inline' (styles
# cannot run code); MapLibre starts its workers from blob: URLs; Bootstrap and AG Grid draw
# icons as data: images, and plotly's "Download plot as a PNG" renders through a blob: image.
# No 'unsafe-eval', no other origin, no fonts or frames from anywhere but here.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    f"script-src 'self' 'nonce-{NONCE_PLACEHOLDER}'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

_SCRIPT_WITHOUT_NONCE = re.compile(r"<script(?![^>]*\bnonce=)(?=[\s>])", re.IGNORECASE)


def install(app: dash.Dash) -> None:
    """Give every response of the app's server the security headers; nonce the Dash page's own scripts."""
    server = app.server

    @server.before_request
    def _new_nonce() -> None:
        flask.g.csp_nonce = secrets.token_urlsafe(18)

    # Only the page Dash assembles itself gets nonces, never HTML in general: adding the nonce
    # to every <script> of any response would also bless a script an attacker got into one.
    dash_index = app.interpolate_index

    def interpolate_index_with_nonce(**kwargs) -> str:
        return add_nonce(dash_index(**kwargs), csp_nonce())

    app.interpolate_index = interpolate_index_with_nonce

    @server.after_request
    def _secure(response: flask.Response) -> flask.Response:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(NONCE_PLACEHOLDER, csp_nonce())
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def csp_nonce() -> str:
    """This request's nonce: an inline <script nonce="..."> in a server-rendered page must carry it."""
    if "csp_nonce" not in flask.g:
        flask.g.csp_nonce = secrets.token_urlsafe(18)
    return flask.g.csp_nonce


def add_nonce(html_page: str, nonce: str) -> str:
    """Every <script> of the page carries the nonce (Dash writes its renderer start-up inline)."""
    return _SCRIPT_WITHOUT_NONCE.sub(f'<script nonce="{nonce}"', html_page)


class QuietRequestHandler(WSGIRequestHandler):
    """The development server's handler without the `Werkzeug/x.y Python/x.y` banner.

    The servers write the Server header themselves (whatever the app sets is sent as well),
    so the name is replaced in the server: here for Werkzeug, in dashboard/gunicorn_conf.py
    for gunicorn.
    """

    def version_string(self) -> str:
        return SERVER_NAME
