"""Security headers on every kind of response, no server banner, failures as a sentence with a reference."""
import base64
import logging
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import _free_port
from dashboard.app import create_app
from dashboard.production import gunicorn_options, worker_timeout
from dashboard.security import QuietRequestHandler
from tests.dashboard.test_database_gone import _district_choices

REPO = Path(__file__).resolve().parents[2]
EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@pytest.fixture(scope="module")
def client(sqlite_demo_url):
    return create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": "en"}).server.test_client()


def _template_download() -> dict:
    """What the browser posts when a template button on /import is clicked (pattern-matching input)."""
    button = {"project": "RRPM", "type": "importer-template"}
    return {
        "output": "importer-template-download.data",
        "outputs": {"id": "importer-template-download", "property": "data"},
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "changedPropIds": ['{"project":"RRPM","type":"importer-template"}.n_clicks'],
        "state": [],
    }


def _assert_secure(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, dict(response.headers))
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in directives["script-src"]
    assert not re.search(r"https?:", policy), "the policy names another origin"
    assert "Werkzeug" not in response.headers.get("Server", "")


@pytest.mark.parametrize("kind", ["page", "asset", "layout", "callback", "download", "health", "missing"])
def test_every_kind_of_response_carries_the_security_headers(client, kind):
    if kind == "callback":
        response = client.post("/_dash-update-component", json=_district_choices("01"))
    elif kind == "download":
        client.get("/import")
        response = client.post("/_dash-update-component", json=_template_download())
        content = response.get_json()["response"]["importer-template-download"]["data"]
        assert content["base64"] and base64.b64decode(content["content"])[:2] == b"PK"  # an .xlsx
    else:
        path = {"page": "/", "asset": "/assets/css/10-app.css", "layout": "/_dash-layout", "health": "/healthz",
                "missing": "/assets/no-such-file.css"}[kind]
        response = client.get(path)
    assert response.status_code == (404 if kind == "missing" else 200)
    _assert_secure(response)


def test_every_script_of_the_page_carries_this_responses_nonce(client):
    first, second = client.get("/"), client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", first.headers["Content-Security-Policy"]).group(1)
    page = first.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", page)
    assert len(scripts) > 5
    assert all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
    assert nonce not in second.headers["Content-Security-Policy"], "the nonce must change with every response"


def test_the_development_server_shows_no_version_banner(sqlite_demo_url):
    from werkzeug.serving import make_server

    app = create_app({"DATABASE_URL": sqlite_demo_url})
    port = _free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True, request_handler=QuietRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as response:
            banners = response.headers.get_all("Server")
    finally:
        server.shutdown()
    assert banners == ["convergence-monitor"]


def test_the_production_command_serves_with_gunicorn_and_no_banner(sqlite_demo_url):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": sqlite_demo_url, "WORKERS": "1", "THREADS": "2"}
    process = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--prod", "--port", str(port)],
                               cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    headers = response.headers
                    break
            except OSError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.5)
        assert headers.get_all("Server") == ["convergence-monitor"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "gthread" in output and "Booting worker" in output


@pytest.mark.parametrize("settings, expected", [
    ({"MAX_UPLOAD_MB": "20", "WORKER_TIMEOUT": ""}, 360),
    ({"MAX_UPLOAD_MB": "100", "WORKER_TIMEOUT": ""}, 1560),
    ({"MAX_UPLOAD_MB": "20", "WORKER_TIMEOUT": "90"}, 90),
])
def test_the_worker_timeout_fits_the_largest_allowed_upload(settings, expected):
    assert worker_timeout(settings) == expected


def test_production_options_follow_the_settings():
    from dashboard.config import load_config

    options = gunicorn_options(load_config({"WORKERS": "3", "THREADS": "5", "HOST": "0.0.0.0", "PORT": "9000"}))
    assert options["bind"] == "0.0.0.0:9000" and options["workers"] == 3 and options["threads"] == 5
    assert options["worker_class"] == "gthread" and options["preload_app"] is False
    assert load_config()["WORKERS"] == "2"


@pytest.mark.parametrize("lang, sentence", [("en", "Something went wrong"), ("lo", "ເກີດຂໍ້ຜິດພາດ")])
def test_a_failing_callback_answers_a_sentence_and_logs_the_trace_under_its_reference(
        sqlite_demo_url, monkeypatch, caplog, lang, sentence):
    import callbacks.shell

    def broken(*args, **kwargs):
        raise ValueError("a bug deep inside")

    monkeypatch.setattr(callbacks.shell, "admin_units", broken)
    client = create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": lang}).server.test_client()
    with caplog.at_level(logging.ERROR, logger="dashboard.errors"):
        response = client.post("/_dash-update-component", json=_district_choices("01", lang))
    assert response.status_code == 200
    banner = response.get_json()["sideUpdate"]["shell-error"]["children"]
    assert sentence in banner and "a bug deep inside" not in banner and "Traceback" not in banner
    reference = re.search(r"([0-9a-f]{10})", banner).group(1)
    logged = [record for record in caplog.records if reference in record.getMessage()]
    assert logged and logged[0].exc_info and "a bug deep inside" in str(logged[0].exc_info[1])


def test_a_failing_route_answers_a_sentence_not_a_traceback(sqlite_demo_url, caplog):
    app = create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": "en"})

    def boom():
        raise RuntimeError("secret path /srv/data")

    app.server.add_url_rule("/boom", "boom", boom)
    with caplog.at_level(logging.ERROR, logger="dashboard.errors"):
        response = app.server.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "Something went wrong" in body
    assert "/srv/data" not in body and "Traceback" not in body
    reference = re.search(r"reference: ([0-9a-f]{10})", body).group(1)
    assert any(reference in record.getMessage() for record in caplog.records)
    _assert_secure(response)


def test_a_failing_page_layout_answers_the_sentence_in_the_banner(sqlite_demo_url, caplog):
    import dash

    app = create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": "en"})

    def broken_layout(**_query):
        raise RuntimeError("layout bug")

    next(page for page in dash.page_registry.values() if page["path"] == "/targets")["layout"] = broken_layout
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/targets"},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    with caplog.at_level(logging.ERROR, logger="dashboard.errors"):
        answer = app.server.test_client().post("/_dash-update-component", json=body).get_json()
    banner = answer["sideUpdate"]["shell-error"]["children"]
    assert "Something went wrong" in banner and "layout bug" not in banner
    assert any("layout bug" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)


def test_scripts_in_other_html_responses_get_no_nonce(sqlite_demo_url):
    """A script that got into some other page (say, a reflected value) stays blocked by the policy."""
    app = create_app({"DATABASE_URL": sqlite_demo_url})
    app.server.add_url_rule("/echo", "echo", lambda: "<html><body><script>alert(1)</script></body></html>")
    response = app.server.test_client().get("/echo")
    assert "<script>alert(1)</script>" in response.get_data(as_text=True)
    assert "'nonce-" in response.headers["Content-Security-Policy"]
