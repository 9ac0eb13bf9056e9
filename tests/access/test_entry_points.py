"""Every class of server entry point (page, callback, download, upload) as anonymous, viewer,
coordinator of the file's province and of another, and admin, with AUTH on, on SQLite and PostgreSQL."""
import pytest

from access_fixtures import accounts_app  # noqa: F401  (fixture)
from dash_requests import data_url, payload, post, sign_in
from data.importer_db import DATA_DIR, row_counts

PASSWORD = "correct horse battery"
WHO = ("anonymous", "vic", "kham", "noy", "ana")  # kham: coordinator of 07 (the file's province); noy: of 02


def client_for(app, who: str):
    client = app.server.test_client()
    if who != "anonymous":
        assert sign_in(client, who, PASSWORD).status_code == 302
    return client


def district_choices(app):
    return payload(app, "shell-district.options", {"shell-province.value": "07", "app-language.data": "en"},
                   "shell-province.value")


def map_download(app):
    return payload(app, "map-download.data",
                   {"map-download-csv.n_clicks": 1, "map-view.value": "indicator", "map-indicator.value": "CCT_PAID",
                    "app-filters.data": {"province": None, "district": None, "period": "2023-05"},
                    "app-language.data": "en"}, "map-download-csv.n_clicks")


def template_download(app):
    return payload(app, "importer-template-download.data",
                   {"importer-template.n_clicks": [{"id": {"type": "importer-template", "project": "RRPM"}, "value": 1}]},
                   '{"project":"RRPM","type":"importer-template"}.n_clicks')


def upload_check(app):
    return payload(app, "importer-report-store.data",
                   {"importer-upload-ready.data": 1, "importer-upload.contents": data_url(DATA_DIR / "indicators_good.csv"),
                    "importer-upload.filename": "indicators_good.csv", "importer-kind.value": "auto",
                    "app-language.data": "en"}, "importer-upload-ready.data", input_id="importer-upload-ready")


# expected status per person: anonymous, viewer, coordinator of 07, coordinator of 02, admin
PAGES = [
    ("/", (302, 200, 200, 200, 200)),
    ("/map", (302, 200, 200, 200, 200)),
    ("/import", (302, 403, 200, 200, 200)),
    ("/admin", (302, 403, 403, 403, 200)),
]
DASH_GETS = [("/_dash-layout", (401, 200, 200, 200, 200)), ("/_dash-dependencies", (401, 200, 200, 200, 200))]
CALLBACKS = [
    ("callback: district choices", district_choices, (401, 200, 200, 200, 200)),
    ("download: map CSV", map_download, (401, 200, 200, 200, 200)),
    ("download: import template", template_download, (401, 403, 200, 200, 200)),
    ("upload: check a file", upload_check, (401, 403, 200, 200, 200)),
]


def test_pages_and_dash_endpoints_answer_by_role(accounts_app):
    app, _engine = accounts_app
    seen, expected = {}, {}
    for index, who in enumerate(WHO):
        client = client_for(app, who)
        for path, statuses in PAGES + DASH_GETS:
            seen[(path, who)] = client.get(path).status_code
            expected[(path, who)] = statuses[index]
    assert seen == expected


def test_an_anonymous_page_load_is_sent_to_the_login_page_and_back(accounts_app):
    app, _engine = accounts_app
    response = app.server.test_client().get("/targets?lang=lo")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/targets?lang=lo"


def test_callbacks_downloads_and_uploads_answer_by_role(accounts_app):
    app, engine = accounts_app
    before = row_counts(engine)
    seen, expected = {}, {}
    for index, who in enumerate(WHO):
        client = client_for(app, who)
        for name, build, statuses in CALLBACKS:
            seen[(name, who)] = post(client, build(app)).status_code
            expected[(name, who)] = statuses[index]
    assert seen == expected
    assert row_counts(engine) == before


def test_the_check_tells_a_coordinator_of_another_province_that_the_file_will_be_refused(accounts_app):
    app, _engine = accounts_app
    own = post(client_for(app, "kham"), upload_check(app)).get_json()["response"]
    other = post(client_for(app, "noy"), upload_check(app)).get_json()["response"]
    assert own["importer-report-store"]["data"]["rows_valid"] == 8
    assert own["importer-result"]["children"] == ""
    assert other["importer-report-store"]["data"] is None
    message = str(other["importer-result"]["children"])
    assert "outside your provinces (02)" in message and "0703001" in message


def test_the_download_a_viewer_may_make_has_content(accounts_app):
    app, _engine = accounts_app
    body = post(client_for(app, "vic"), map_download(app)).get_json()
    assert body["response"]["map-download"]["data"]["filename"].endswith(".csv")


def test_a_callback_post_from_another_site_is_refused_even_with_a_session(accounts_app):
    app, _engine = accounts_app
    client = client_for(app, "ana")
    assert post(client, district_choices(app), origin="http://evil.example").status_code == 403
    assert post(client, district_choices(app), origin=None).status_code == 403
    assert post(client, district_choices(app)).status_code == 200


def test_a_disabled_account_loses_its_open_session(accounts_app):
    from access.accounts import set_active

    app, engine = accounts_app
    client = client_for(app, "vic")
    assert client.get("/_dash-layout").status_code == 200
    with engine.begin() as conn:
        set_active(conn, "vic", False)
    assert client.get("/_dash-layout").status_code == 401
    assert sign_in(app.server.test_client(), "vic", PASSWORD).status_code == 401


def test_the_navbar_names_the_person_and_role_with_a_sign_out_form(accounts_app):
    app, _engine = accounts_app
    import json

    body = client_for(app, "kham").get("/_dash-layout").get_json()
    layout = json.dumps(body, ensure_ascii=False)
    assert "Kham" in layout and "province coordinator" in layout
    assert '"action": "/logout"' in layout and '"name": "csrf_token"' in layout
    assert "nav-admin" not in layout and "nav-importer" in layout
    assert "nav-admin" in json.dumps(client_for(app, "ana").get("/_dash-layout").get_json())
