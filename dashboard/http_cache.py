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
import logging
import os
import re
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli
import flask
from dash.fingerprint import check_fingerprint

from dashboard import geo_files
from dashboard.config import REPO_ROOT

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

# The big files (plotly.js, the component libraries, Bootstrap) are also compressed at brotli's best
# quality, in the background (6 s of CPU for plotly.js: brotli releases the GIL, so requests go on),
# and kept on disk so that a restart does not pay again: 181 kB less on a first visit than zstd 9
# (plotly.js 691 kB instead of 802 kB). Until it is ready the file goes out at the per-process levels.
BEST_QUALITY = 11
BEST_MIN_SIZE = 20_000
BEST_ENCODING = "br"
BEST_TAG = "br11"
BEST_DIR = REPO_ROOT / "var" / "static-cache"
log = logging.getLogger(__name__)
_best: dict[str, bytes] = {}
_best_pending: set[str] = set()
_best_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brotli-best")


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
    compressible = response.mimetype in COMPRESSIBLE and len(body) >= MIN_SIZE
    encoding = _chosen_encoding(request) if compressible else None
    best = best_compressed(digest, body) if compressible and len(body) >= BEST_MIN_SIZE else None
    label = encoding
    if best is not None and request.accept_encodings[BEST_ENCODING] > 0:
        encoding, label = BEST_ENCODING, BEST_TAG
    tag = f"{digest}-{label}" if label else digest
    response.set_etag(tag)
    # Last-Modified would let a browser revalidate by date against the wrong encoding; the ETag is exact.
    response.headers.pop("Last-Modified", None)
    kept = _kept_tag(request, digest) if compressible else (digest if digest in request.if_none_match else None)
    if kept:
        # The browser holds this file in an encoding it accepts (perhaps not the one chosen now): keep it.
        not_modified = flask.Response(status=304)
        not_modified.set_etag(kept)
        for name in ("Cache-Control", "Vary"):
            not_modified.headers[name] = response.headers[name]
        return not_modified
    if encoding:
        response.set_data(best if label == BEST_TAG else _compress(digest, body, encoding))
        response.headers["Content-Encoding"] = encoding
    return response


def _kept_tag(request: flask.Request, digest: str) -> str | None:
    """The ETag of a version of this file the browser has and can read, if it sent one."""
    accepted = request.accept_encodings
    for label, encoding in ((BEST_TAG, BEST_ENCODING), ("zstd", "zstd"), ("br", "br"), ("gzip", "gzip")):
        tag = f"{digest}-{label}"
        if tag in request.if_none_match and accepted[encoding] > 0:
            return tag
    return digest if digest in request.if_none_match else None


def best_compressed(digest: str, body: bytes) -> bytes | None:
    """The file at brotli's best quality when it is ready (memory, then disk); else start making it."""
    with _lock:
        ready = _best.get(digest)
        if ready is not None or digest in _best_pending:
            return ready
    path = BEST_DIR / f"{digest}.{BEST_TAG}"
    try:
        ready = path.read_bytes()
    except OSError:
        ready = None
    with _lock:
        if ready is not None:
            _best[digest] = ready
            return ready
        _best_pending.add(digest)
    _best_pool.submit(_make_best, digest, body, path)
    return None


def _make_best(digest: str, body: bytes, path: Path) -> None:
    try:
        data = brotli.compress(body, quality=BEST_QUALITY)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                handle.write(data)
            os.replace(handle.name, path)
        except OSError:  # a read-only checkout: keep it in memory only
            log.info("could not keep %s on disk", path)
        with _lock:
            _best[digest] = data
    finally:
        with _lock:
            _best_pending.discard(digest)


def wait_for_best(timeout: float = 120.0) -> bool:
    """True once no best-quality compression is under way (benchmarks wait for it)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _lock:
            if not _best_pending:
                return True
        time.sleep(0.2)
    return False


def warm_up(app) -> None:
    """Ask for the page and every file it names, so that the best compressions start now, not at the
    first visitor (`serve` calls it in a thread)."""
    client = app.server.test_client()
    headers = {"Accept-Encoding": "br, zstd, gzip"}
    try:
        # The index Dash would send (the gate may send a visitor to /login first; the files are public).
        with app.server.test_request_context("/"):
            page = app.index()
    except Exception:  # noqa: BLE001 - a warm-up must never stop the server
        log.info("static warm-up skipped", exc_info=True)
        return
    urls = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"]+)"', page)
    from dashboard.plotly_bundle import MAPLIBRE_URL_PATH, PLOTLY_URL_PATH

    for url in [*urls, "/" + PLOTLY_URL_PATH, "/" + MAPLIBRE_URL_PATH]:
        try:
            client.get(url, headers=headers).get_data()
        except Exception:  # noqa: BLE001
            log.info("static warm-up of %s failed", url, exc_info=True)


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
