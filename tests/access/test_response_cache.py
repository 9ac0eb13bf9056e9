"""Kept callback answers: the same question on the same data is answered from the cache; anything else is asked again."""
import json
from pathlib import Path

import pytest

from access_fixtures import PASSWORD, accounts_app  # noqa: F401 - fixture
from dash_requests import payload, post, sign_in
from data.importer_db import demo_copy
from dashboard.app import create_app
from dashboard.response_cache import cached_outputs, output_ids
from data_access.store import bump_data_version


@pytest.fixture
def demo_app(tmp_path):
    """An app on a private copy of the test demo (the tests bump its data version and move its file away)."""
    with demo_copy("sqlite", tmp_path) as engine:
        app = create_app({"DATABASE_URL": engine.url.render_as_string(hide_password=False), "CACHE_URL": "simple",
                          "DEFAULT_LANGUAGE": "en", "AUTH": "off"})
        app.database_file = Path(engine.url.database)
        yield app


def _overview(app, lang="en", period="2022-11", province=None):
    filters = {"province": province, "district": None, "period": period}
    return payload(app, "overview-title.children", {"app-filters.data": filters, "app-language.data": lang},
                   "app-filters.data")


def _ask(client, body):
    response = post(client, body)
    assert response.status_code == 200, response.data[:300]
    return response


def test_the_same_question_is_answered_from_the_cache_with_the_same_bytes(demo_app):
    client = demo_app.server.test_client()
    body = _overview(demo_app)
    first, second = _ask(client, body), _ask(client, body)
    assert first.headers["X-Response-Cache"] == "miss" and second.headers["X-Response-Cache"] == "hit"
    assert first.get_data() == second.get_data()
    assert "overview-cards" in first.get_json()["response"]


def test_another_place_month_or_language_is_asked_again(demo_app):
    client = demo_app.server.test_client()
    _ask(client, _overview(demo_app))
    for other in (_overview(demo_app, period="2022-10"), _overview(demo_app, province="07")):
        assert _ask(client, other).headers["X-Response-Cache"] == "miss"
    client.set_cookie("lang", "lo")
    assert _ask(client, _overview(demo_app)).headers["X-Response-Cache"] == "miss"


def test_new_data_is_shown_at_once(demo_app):
    client = demo_app.server.test_client()
    body = _overview(demo_app)
    _ask(client, body)
    assert _ask(client, body).headers["X-Response-Cache"] == "hit"
    with demo_app.server.extensions["data_store"].engine.begin() as conn:
        bump_data_version(conn)
    assert _ask(client, body).headers["X-Response-Cache"] == "miss"


def test_only_callbacks_that_read_are_kept(demo_app):
    allowed = cached_outputs()
    assert "overview-cards" in allowed and "map-graph" in allowed
    for writer in ("importer-report", "importer-result", "admin-message", "alert-rules-message",
                   "phase2-settings-message", "actions-message", "report-result", "map-drill", "phase2-ticked"):
        assert writer not in allowed, writer
    # Every callback that writes anywhere outside the list is asked every time, whatever else it writes.
    for key in demo_app.callback_map:
        ids = output_ids({"outputs": [{"id": part.rsplit(".", 1)[0], "property": "x"}
                                      for part in (key[2:-2].split("...") if key.startswith("..") else [key])]})
        if any(component.startswith(("importer-", "admin-", "alert-rules-", "actions-")) for component in ids):
            assert not all(component in allowed for component in ids), key


def test_an_error_answer_is_not_kept(demo_app, tmp_path):
    client = demo_app.server.test_client()
    database = demo_app.database_file
    database.rename(tmp_path / "away.sqlite")
    try:
        failed = _ask(client, _overview(demo_app, period="2022-09"))
        assert b"shell-error" in failed.get_data()
    finally:
        (tmp_path / "away.sqlite").rename(database)
    again = _ask(client, _overview(demo_app, period="2022-09"))
    assert b"shell-error" not in again.get_data() and "overview-cards" in again.get_json()["response"]


def test_a_kept_answer_is_never_given_to_someone_the_gate_refuses(accounts_app):  # noqa: F811
    app, _engine = accounts_app
    viewer = app.server.test_client()
    sign_in(viewer, "vic", PASSWORD)
    body = _overview(app)
    assert _ask(viewer, body).headers["X-Response-Cache"] == "miss"
    assert _ask(viewer, body).headers["X-Response-Cache"] == "hit"
    anonymous = app.server.test_client()
    refused = post(anonymous, body)
    assert refused.status_code == 401 and b"overview-cards" not in refused.get_data()
    cross_site = post(viewer, body, origin="http://evil.example")
    assert cross_site.status_code == 403


def test_readers_with_other_rights_do_not_share_answers(accounts_app):  # noqa: F811
    app, _engine = accounts_app
    viewer, coordinator = app.server.test_client(), app.server.test_client()
    sign_in(viewer, "vic", PASSWORD)
    sign_in(coordinator, "kham", PASSWORD)
    body = _overview(app, province="07")
    _ask(viewer, body)
    assert _ask(coordinator, body).headers["X-Response-Cache"] == "miss"
    assert _ask(coordinator, body).headers["X-Response-Cache"] == "hit"


def test_boundary_files_are_behind_the_gate_and_kept_by_browsers(accounts_app):  # noqa: F811
    from geo.levels import layer_geojson

    app, _engine = accounts_app
    url = layer_geojson("district", "national").url
    assert app.server.test_client().get(url).status_code in (302, 401)
    viewer = app.server.test_client()
    sign_in(viewer, "vic", PASSWORD)
    first = viewer.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"].endswith("immutable")
    assert len(json.loads(first.get_data())["features"]) == 148
    again = viewer.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    stale = viewer.get(url.split("?")[0] + "?v=000000000000")
    assert stale.status_code == 200 and "immutable" not in stale.headers["Cache-Control"]
    assert viewer.get("/geo/layer-district-national-99.geojson").status_code == 404
