"""Answers of read-only callbacks kept whole: the same question on the same data costs a lookup, not a rebuild.

The query cache (data_access/store.py) saves the database work, but a page's answer is also
figures built and serialised in Python: 40-400 ms per action at national scale, paid again by
every visitor asking for the same place and month. Here the JSON a read-only callback answered is
kept under everything it can depend on, and sent again as it was:
- the request itself (outputs, inputs, state and which input changed, as the browser sent them);
- the data version, which every import, rollback and saved setting bumps in its own transaction
  (so new data shows at once, as with the query cache);
- the reader's language, role and provinces (what the server lets them see), and today's date
  (agreed actions fall due);
- the code and settings the server runs with (a deployment never answers with an older build's JSON).

Only callbacks a callbacks module lists in `CACHED_OUTPUTS` (every output of the callback must be
there) are kept: those that only read. Writes, downloads, uploads and anything that depends on
who asks beyond role and provinces are never in it. The gate (access/web.py) runs before this,
so a refused request is refused whatever is cached. Errors are not kept: an answer that opens the
error banner is sent once and forgotten.
"""
import datetime as dt
import hashlib
import importlib
import json
import logging
import pkgutil
from functools import lru_cache
from pathlib import Path

import flask

import callbacks
from access import acting_account, auth_on_now
from layouts.common import current_language

log = logging.getLogger(__name__)

CALLBACK_PATH = "/_dash-update-component"
KEY_PREFIX = "response|"
# A figure answer of a few hundred kB is normal; a multi-megabyte one is kept out of a shared cache.
MAX_BYTES = 4_000_000
ERROR_MARK = b'"shell-error"'
SOURCE_PACKAGES = ("access", "callbacks", "dashboard", "data_access", "geo", "i18n", "layouts", "reports")


def cached_outputs() -> frozenset[str]:
    """The component ids whose callbacks only read: every callbacks module's CACHED_OUTPUTS."""
    ids: set[str] = set()
    for info in pkgutil.iter_modules(callbacks.__path__):
        module = importlib.import_module(f"callbacks.{info.name}")
        ids |= set(getattr(module, "CACHED_OUTPUTS", ()))
    return frozenset(ids)


def output_ids(body: dict) -> list[str] | None:
    """The component ids a callback request writes to; None when the body is not a callback request."""
    outputs = body.get("outputs")
    if outputs is None:
        return None
    ids = []
    for output in outputs if isinstance(outputs, list) else [outputs]:
        for item in output if isinstance(output, list) else [output]:
            if not isinstance(item, dict):
                return None
            component = item.get("id")
            ids.append(component if isinstance(component, str) else json.dumps(component, sort_keys=True))
    return ids


@lru_cache(maxsize=4)
def source_fingerprint(root: Path) -> str:
    """Digest of the source and catalogs the answers come from (read once per process)."""
    digest = hashlib.sha256()
    for package in SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".json", ".csv", ".toml") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def code_fingerprint(root: Path, settings: dict) -> str:
    """The source and the settings the answers are made with (secrets left out of the digest)."""
    visible = {key: str(value) for key, value in sorted(settings.items()) if "SECRET" not in key and "PASSWORD" not in key}
    material = source_fingerprint(root) + json.dumps(visible, sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def request_key(body: dict, data_version: str, fingerprint: str) -> str:
    account = acting_account()
    reader = {
        "lang": current_language(),
        "auth": auth_on_now(),
        "role": getattr(account, "role", None),
        "provinces": sorted(getattr(account, "provinces", None) or []),
        "day": dt.date.today().isoformat(),
    }
    material = json.dumps({"body": body, "reader": reader, "data": data_version, "code": fingerprint},
                          sort_keys=True, separators=(",", ":"), default=str)
    return KEY_PREFIX + hashlib.sha256(material.encode("utf-8")).hexdigest()


def install(server: flask.Flask, store, settings: dict, root: Path) -> None:
    """Register after the gate (access.init_app): Flask runs before_request hooks in order."""
    if store.cache is None:
        return
    allowed = cached_outputs()
    fingerprint = code_fingerprint(root, settings)

    @server.before_request
    def answer_from_cache():
        request = flask.request
        if request.path != CALLBACK_PATH or request.method != "POST" or not server.config.get("RESPONSE_CACHE", True):
            return None
        body = request.get_json(silent=True)
        ids = output_ids(body) if isinstance(body, dict) else None
        if not ids or not all(component in allowed for component in ids):
            return None
        try:
            key = request_key(body, store.data_version(), fingerprint)
            kept = store.cache.get(key)
        except Exception:  # an unreachable cache or database: let the callback run and say what happened
            log.warning("response cache unavailable", exc_info=True)
            return None
        if kept is not None:
            status, data = kept
            response = flask.Response(data, status=status, mimetype="application/json")
            response.headers["X-Response-Cache"] = "hit"
            return response
        flask.g.response_cache_key = key
        return None

    @server.after_request
    def keep_answer(response: flask.Response) -> flask.Response:
        key = flask.g.pop("response_cache_key", None)
        if key is None or response.status_code not in (200, 204) or response.direct_passthrough:
            return response
        data = response.get_data()
        response.headers["X-Response-Cache"] = "miss"
        if len(data) > MAX_BYTES or ERROR_MARK in data:
            return response
        try:
            store.cache.set(key, (response.status_code, data), timeout=store.timeout)
        except Exception:  # a full or unreachable cache must not break the answer
            log.warning("could not keep a callback answer", exc_info=True)
        return response
