"""Boundary GeoJSON the browser fetches once by URL and keeps, instead of receiving it inside every figure.

A map figure used to carry its boundaries (173 kB for the national districts, 388 kB at province
zoom) in every answer, and the outlines and hatching layers carried theirs again. Plotly.js and
MapLibre both accept a URL where GeoJSON goes (a trace's `geojson`, a layer's `source`); plotly.js
keeps what it fetched per URL for the page's life, and the URL names one version of the bytes
(`?v=` digest), so the browser's cache keeps it for good across visits.

Every served collection is computed again from its name alone (the bundled boundaries and the
named codes), so any worker answers any URL, and a name that does not describe a collection we
make is refused. `ServedCollection` is the dict itself plus its name: figure builders put
`source_of(collection)` in the figure (the URL when there is one, else the dict inline), and
server-side drawing (images, print) turns a URL back into the dict with `resolve`.
"""
from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from urllib.parse import parse_qs, urlencode, urlsplit

URL_PREFIX = "/geo/"
LEVELS = ("province", "district")
ZOOMS = ("national", "province", "district")
# A hatch URL names the places without data; a layer has at most 148 of them.
MAX_CODES = 400
MIN_SPACING, MAX_SPACING = 0.0005, 1.0
_LAYER_NAME = re.compile(r"^layer-(province|district)-(national|province|district)-(all|\d{2}|\d{4})$")
_CODE = re.compile(r"^\d{2}(\d{2})?$")


class ServedCollection(dict):
    """A FeatureCollection the server also answers at `url` (read-only, like every cached layer)."""

    def __init__(self, collection: dict, name: str, query: dict | None = None):
        super().__init__(collection)
        self.name = name
        self.query = dict(query or {})

    @property
    def url(self) -> str:
        params = {**self.query, "v": digest(self.name, tuple(sorted(self.query.items())))}
        return f"{URL_PREFIX}{self.name}.geojson?{urlencode(params)}"


class UnknownCollection(ValueError):
    """The URL names no collection this server makes (a typo, an old link, or a forged name)."""


def source_of(collection: dict | str | None):
    """What a figure carries for this collection: its URL when the server serves it, else the dict."""
    return getattr(collection, "url", None) or collection


def layer_name(level: str, zoom: str, within: str | None) -> str:
    return f"layer-{level}-{zoom}-{within or 'all'}"


def _layer(name: str) -> dict:
    match = _LAYER_NAME.match(name)
    if not match:
        raise UnknownCollection(name)
    from geo.levels import layer_geojson

    level, zoom, within = match.groups()
    collection = layer_geojson(level, zoom, None if within == "all" else within)
    if not collection.get("features"):
        raise UnknownCollection(name)
    return collection


def hatch_query(codes, spacing: float) -> dict:
    return {"codes": ".".join(sorted(set(codes))), "s": f"{float(spacing):.6g}"}


def _build(name: str, query: tuple) -> dict:
    """The collection a name (and for hatching, its places and line spacing) stands for."""
    if name.startswith("hatch-"):
        layer = _layer(name.removeprefix("hatch-"))
        params = dict(query)
        codes = [code for code in (params.get("codes") or "").split(".") if code]
        try:
            spacing = float(params.get("s", ""))
        except ValueError as error:
            raise UnknownCollection(name) from error
        known = {feature["id"] for feature in layer["features"]}
        if (len(codes) > MAX_CODES or not all(_CODE.match(code) and code in known for code in codes)
                or not MIN_SPACING <= spacing <= MAX_SPACING):
            raise UnknownCollection(name)
        from geo.levels import hatch_geojson

        return hatch_geojson(layer, codes, spacing)
    return _layer(name)


@lru_cache(maxsize=512)
def body(name: str, query: tuple = ()) -> bytes:
    """The compact JSON bytes served for a name (computed once per process)."""
    collection = _build(name, query)
    return json.dumps(collection, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@lru_cache(maxsize=1024)
def digest(name: str, query: tuple = ()) -> str:
    """A short fingerprint of the served bytes: a new boundary file gives a new URL."""
    return hashlib.sha256(body(name, query)).hexdigest()[:12]


def parse_url(url: str) -> tuple[str, tuple]:
    """(name, query without the version) of a served URL; UnknownCollection when it is not one."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith(URL_PREFIX) or not parts.path.endswith(".geojson"):
        raise UnknownCollection(url)
    name = parts.path[len(URL_PREFIX):-len(".geojson")]
    query = {key: values[0] for key, values in parse_qs(parts.query).items() if key in ("codes", "s")}
    return name, tuple(sorted(query.items()))


def resolve(value):
    """A figure's geojson or layer source as a dict: served URLs are fetched from this process's cache."""
    if isinstance(value, str):
        name, query = parse_url(value)
        return json.loads(body(name, query))
    return value


def clear_caches() -> None:
    body.cache_clear()
    digest.cache_clear()
