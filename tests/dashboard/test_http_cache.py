"""What a browser may keep: static files answer 304 when revalidated or are cached for good; data is never stored."""
import gzip
import re
from pathlib import Path

import brotli
import pytest

from dashboard.app import create_app
from dashboard.http_cache import IMMUTABLE, NEVER_STORE, REVALIDATE, zstd
from dashboard.plotly_bundle import BUNDLE, MAPLIBRE_BUNDLE, MAPLIBRE_URL_PATH, PLOTLY_URL_PATH, TRACE_TYPES

REPO = Path(__file__).resolve().parents[2]
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}
SAME_ORIGIN = {"Origin": "http://localhost"}
PLOTLY_URL = "/" + PLOTLY_URL_PATH
FONT_URL = "/assets/fonts/NotoSansLao-Regular.ttf"  # named by the CSS, so no ?m= fingerprint


@pytest.fixture(scope="module")
def client(sqlite_demo_url):
    return create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": "en"}).server.test_client()


@pytest.fixture(scope="module")
def page_urls(client) -> list[str]:
    """Every stylesheet and script the page names (what a first visit downloads before any callback)."""
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"]+)"', html)
    assert any("/assets/css/" in url for url in urls) and any("_dash-component-suites" in url for url in urls)
    return urls


def _get(client, url: str, **headers):
    response = client.get(url, headers={**BROWSER, **headers})
    response.get_data()  # a streamed body must be read before the next request
    return response


def _decoded(response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "zstd":
        return zstd.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    assert encoding is None, encoding
    return body


def test_every_file_the_page_names_answers_304_when_the_browser_has_it(client, page_urls):
    compressed = 0
    for url in [*page_urls, PLOTLY_URL, FONT_URL]:
        first = _get(client, url)
        assert first.status_code == 200, url
        tag = first.headers.get("ETag")
        assert tag and not tag.startswith("W/"), (url, tag)
        compressed += first.headers.get("Content-Encoding") in ("zstd", "br")
        again = _get(client, url, **{"If-None-Match": tag})
        assert again.status_code == 304, (url, again.status_code)
        assert again.get_data() == b"" and again.headers["ETag"] == tag
        assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    # The point of the fix: compressed responses used to carry an ETag that never matched.
    assert compressed >= len(page_urls) - 2


def test_fingerprinted_urls_are_cached_for_good_and_others_revalidate(client, page_urls):
    for url in page_urls:
        fingerprinted = "?m=" in url or "?v=" in url or re.search(r"\.v\d[\w]*m\d+\.", url)
        expected = IMMUTABLE if fingerprinted else REVALIDATE
        assert _get(client, url).headers["Cache-Control"] == expected, url
    # dcc.Graph's lazy loader and CSS font URLs carry no version: revalidated every visit (a 304).
    assert _get(client, PLOTLY_URL).headers["Cache-Control"] == REVALIDATE
    assert _get(client, FONT_URL).headers["Cache-Control"] == REVALIDATE


def test_each_encoding_has_its_own_tag_and_decodes_to_the_file(client):
    url = "/assets/css/00-bootstrap.min.css"
    original = (REPO / "assets" / "css" / "00-bootstrap.min.css").read_bytes()
    tags = {}
    for encoding in ("zstd", "br", "gzip", "identity"):
        response = _get(client, url, **{"Accept-Encoding": encoding})
        assert _decoded(response) == original, encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        tags[encoding] = response.headers["ETag"]
    assert len(set(tags.values())) == 4, tags
    # A browser that kept the gzip copy but now asks for zstd gets the zstd body, not a wrong 304.
    switched = _get(client, url, **{"Accept-Encoding": "zstd", "If-None-Match": tags["gzip"]})
    assert switched.status_code == 200 and _decoded(switched) == original
    # A changed file gets a new tag: the old one no longer matches.
    assert _get(client, url, **{"If-None-Match": '"not-this-version-zstd"'}).status_code == 200


def test_graphs_load_the_partial_plotly_bundle(client):
    response = _get(client, PLOTLY_URL)
    assert response.headers["Content-Type"].startswith("application/javascript")
    body = _decoded(response)
    assert body == BUNDLE.read_bytes()
    registered = set(re.findall(rb'moduleType:"trace",name:"([a-z]+)"', body))
    assert {name.decode() for name in registered} == TRACE_TYPES
    assert len(response.get_data()) < 500_000  # 1.44 MB for the full plotly.js
    # MapLibre is not in it: its file is fetched beside it when a map is drawn (vendor/plotly/lazy-maplibre.js).
    assert b"plotly-maplibre.min.js" in body and b"__dashboardMaplibre" in body
    maplibre = _get(client, "/" + MAPLIBRE_URL_PATH)
    assert maplibre.status_code == 200 and maplibre.headers["Content-Type"].startswith("application/javascript")
    assert _decoded(maplibre) == MAPLIBRE_BUNDLE.read_bytes()
    assert b"window.__dashboardMaplibre" in MAPLIBRE_BUNDLE.read_bytes()
    assert b"__dashboardMaplibre={" not in body  # only read in the main bundle, set by MapLibre's


def test_every_trace_type_the_pages_draw_is_in_the_bundle():
    used = set()
    for path in (REPO / "layouts").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= {name.lower() for name in re.findall(r"\bgo\.([A-Z][A-Za-z]+)\(", source)}
        used |= set(re.findall(r"""["']type["']\s*:\s*["'](scatter\w*|bar|heatmap|choropleth\w*|pie|histogram\w*|box)["']""",
                               source))
    used -= {"figure"}
    assert {"scatter", "bar", "choroplethmap", "scattermap"} <= used  # the scan itself works
    assert used <= TRACE_TYPES, f"trace types missing from vendor/plotly (rebuild it): {used - TRACE_TYPES}"
    build_script = (REPO / "vendor" / "plotly" / "build.mjs").read_text(encoding="utf-8")
    listed = set(re.findall(r"'(\w+)'", re.search(r"TRACES = \[([^\]]*)\]", build_script).group(1)))
    assert listed | {"scatter"} == TRACE_TYPES


@pytest.mark.parametrize("kind", ["page", "layout", "dependencies", "callback", "health"])
def test_pages_and_data_are_never_stored(client, kind):
    if kind == "callback":
        from tests.dashboard.test_database_gone import _district_choices

        response = client.post("/_dash-update-component", json=_district_choices("01"),
                               headers={**SAME_ORIGIN, **BROWSER})
    else:
        path = {"page": "/", "layout": "/_dash-layout", "dependencies": "/_dash-dependencies",
                "health": "/healthz"}[kind]
        response = _get(client, path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == NEVER_STORE


def test_no_shared_cache_keeps_a_signed_in_persons_answers(sqlite_demo_url, tmp_path):
    from access.accounts import create_account
    from data.importer_db import demo_copy
    from tests.access.dash_requests import sign_in

    with demo_copy("sqlite", tmp_path) as engine:
        with engine.begin() as conn:
            create_account(conn, "ana", "correct horse battery", "admin", "Ana", ())
        app = create_app({"DATABASE_URL": engine.url.render_as_string(hide_password=False), "AUTH": "on",
                          "DEFAULT_LANGUAGE": "en", "SECRET_KEY": "test-secret", "LOGIN_RATE_LIMIT": "1000 per minute"})
        client = app.server.test_client()
        sign_in(client, "ana", "correct horse battery")
        page = client.get("/")
        assert page.status_code == 200 and page.headers["Cache-Control"] == NEVER_STORE
        html = page.get_data(as_text=True)
        for url in [*re.findall(r'(?:src|href)="(/(?:assets|_dash-component-suites)[^"]+)"', html), PLOTLY_URL]:
            response = _get(client, url)
            assert response.status_code == 200, url
            # Flask refreshes the session cookie on every answer: no shared cache may keep one.
            assert "public" not in response.headers["Cache-Control"], url
            assert "private" in response.headers["Cache-Control"] or "no-cache" in response.headers["Cache-Control"]
        assert _get(client, "/_dash-layout").headers["Cache-Control"] == NEVER_STORE


def test_big_files_go_out_at_brotlis_best_once_ready_and_a_kept_copy_stays_valid(client, tmp_path, monkeypatch):
    from dashboard import http_cache

    monkeypatch.setattr(http_cache, "BEST_DIR", tmp_path / "static-cache")
    monkeypatch.setattr(http_cache, "_best", {})
    first = _get(client, PLOTLY_URL)  # zstd 9 while the best one is made in the background
    assert first.headers["Content-Encoding"] == "zstd"
    assert http_cache.wait_for_best(timeout=120)
    best = _get(client, PLOTLY_URL)
    assert best.headers["Content-Encoding"] == "br" and best.headers["ETag"].endswith('-br11"')
    assert _decoded(best) == BUNDLE.read_bytes()
    assert len(best.get_data()) < 0.92 * len(first.get_data())  # 397 kB against 449 kB
    assert list((tmp_path / "static-cache").glob("*.br11")), "kept on disk for the next start"
    # The browser that kept the zstd copy keeps it: 304, not the whole file again.
    kept = _get(client, PLOTLY_URL, **{"If-None-Match": first.headers["ETag"]})
    assert kept.status_code == 304 and kept.headers["ETag"] == first.headers["ETag"]
    # A client that reads no brotli still gets zstd.
    assert _get(client, PLOTLY_URL, **{"Accept-Encoding": "zstd"}).headers["Content-Encoding"] == "zstd"
    # A new process finds it on disk at once.
    monkeypatch.setattr(http_cache, "_best", {})
    assert _get(client, PLOTLY_URL).headers["Content-Encoding"] == "br"


def test_the_warm_up_starts_the_best_compressions_without_a_visitor(sqlite_demo_url, tmp_path, monkeypatch):
    from dashboard import http_cache

    monkeypatch.setattr(http_cache, "BEST_DIR", tmp_path / "warm")
    monkeypatch.setattr(http_cache, "_best", {})
    app = create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": "en", "AUTH": "on"})
    http_cache.warm_up(app)
    assert http_cache.wait_for_best(timeout=180)
    assert len(list((tmp_path / "warm").glob("*.br11"))) >= 5  # plotly.js, AG Grid, dcc, dbc, the renderer ...
