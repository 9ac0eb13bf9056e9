"""What browsers may keep: static files compressed once and revalidated (304) or cached for good; data never stored.

Why this module exists: flask-compress compresses `/assets` files as a stream and appends `:zstd` to
their ETag, but evaluates If-None-Match on streamed responses only for the endpoint named `static`
(Dash's assets endpoint is `_dash_assets.static`), so a browser's revalidation never matched and CSS,
fonts and scripts were re-sent in full on every page view. Here static responses (assets, Dash's
library bundles, plotly.js) are compressed before flask-compress sees them (it then leaves them
alone), at a higher level than per-request compression affords (once per process per file, kept in
memory), with a strong ETag per encoding that If-None-Match is checked against.

Cache-Control:
- a fingerprinted URL (Dash's `_dash-component-suites/...v4_4_1m123.js`, an asset's `?m=<mtime>`):
  `private, max-age=31536000, immutable` (the URL changes when the file does; private: see IMMUTABLE);
- any other static file (plotly.js fetched by dcc.Graph's lazy loader, fonts named in CSS):
  `private, no-cache` with its ETag, so a repeat visit costs a 304;
- everything else (pages, Dash's JSON endpoints, callback answers, downloads, sign-in):
  `no-store` — they carry data and the signed-in person's name, and must not be kept on a shared computer.
"""
import gzip
import hashlib
import threading
from collections import OrderedDict

import brotli
import flask
from dash.fingerprint import check_fingerprint

from dashboard import geo_files

try:  # Python 3.14 has it in the standard library; flask-compress brings the backport before that.
    from compression import zstd
except ImportError:  # pragma: no cover - depends on the Python version
    from backports import zstd

STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico", "/geo/")
# private: with accounts on, Flask refreshes the session cookie on every response (static ones too, after
# every hook has run), and a shared proxy must never keep a response that sets someone's session.
IMMUTABLE = "private, max-age=31536000, immutable"
REVALIDATE = "private, no-cache"
NEVER_STORE = "no-store"
# Measured on plotly.js (3 MB): zstd 9 is 767 kB in 0.3 s against 857 kB at flask-compress's level 3;
# brotli 7 742 kB in 1 s. Paid once per process and file, then served from memory.
ZSTD_LEVEL = 9
BROTLI_QUALITY = 7
# Scripts, styles and TrueType fonts shrink; PNG, woff2 and the like are compressed already.
COMPRESSIBLE = frozenset({"application/javascript", "text/javascript", "text/css", "application/json",
                          "image/svg+xml", "font/ttf", "application/x-font-ttf"})
MIN_SIZE = 500
# Boundary hatching differs with the places that have no data: keep the most recent, not every one ever asked.
MAX_COMPRESSED = 512

_compressed: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_lock = threading.Lock()


def install(server: flask.Flask) -> None:
    """Register after flask-compress (Flask runs after_request hooks last-registered first)."""

    @server.after_request
    def _cache_headers(response: flask.Response) -> flask.Response:
        if flask.request.path.startswith(STATIC_PREFIXES):
            return static_response(response)
        response.headers["Cache-Control"] = NEVER_STORE
        return response


def is_fingerprinted(request: flask.Request) -> bool:
    """True when the URL names one version of the file, so it may be cached for good."""
    path = request.path
    if path.startswith("/assets/"):
        return bool(request.args.get("m"))
    if path == "/_favicon.ico":
        return bool(request.args.get("v"))  # Dash's own version
    if path.startswith("/geo/"):
        return geo_files.is_current(request)
    return check_fingerprint(path)[1]


def static_response(response: flask.Response) -> flask.Response:
    """Compress once, tag each encoding, answer a matching If-None-Match with 304."""
    request = flask.request
    response.headers["Cache-Control"] = IMMUTABLE if is_fingerprinted(request) else REVALIDATE
    _add_vary(response)
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or "Content-Encoding" in response.headers:
        return response
    response.direct_passthrough = False
    body = response.get_data()
    digest = hashlib.sha256(body).hexdigest()[:32]
    encoding = _chosen_encoding(request) if response.mimetype in COMPRESSIBLE and len(body) >= MIN_SIZE else None
    tag = f"{digest}-{encoding}" if encoding else digest
    response.set_etag(tag)
    # Last-Modified would let a browser revalidate by date against the wrong encoding; the ETag is exact.
    response.headers.pop("Last-Modified", None)
    if tag in request.if_none_match:
        not_modified = flask.Response(status=304)
        for name in ("ETag", "Cache-Control", "Vary"):
            not_modified.headers[name] = response.headers[name]
        return not_modified
    if encoding:
        response.set_data(_compress(digest, body, encoding))
        response.headers["Content-Encoding"] = encoding
    return response


def _add_vary(response: flask.Response) -> None:
    vary = response.headers.get("Vary", "")
    if "accept-encoding" not in vary.lower():
        response.headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"


def _chosen_encoding(request: flask.Request) -> str | None:
    accepted = request.accept_encodings
    for encoding in ("zstd", "br", "gzip"):
        if accepted[encoding] > 0:
            return encoding
    return None


def _compress(digest: str, body: bytes, encoding: str) -> bytes:
    key = (digest, encoding)
    with _lock:
        cached = _compressed.get(key)
        if cached is not None:
            _compressed.move_to_end(key)
            return cached
    if encoding == "zstd":
        data = zstd.compress(body, ZSTD_LEVEL)
    elif encoding == "br":
        data = brotli.compress(body, quality=BROTLI_QUALITY)
    else:
        data = gzip.compress(body, 9, mtime=0)
    with _lock:
        _compressed[key] = data
        while len(_compressed) > MAX_COMPRESSED:
            _compressed.popitem(last=False)
    return data
