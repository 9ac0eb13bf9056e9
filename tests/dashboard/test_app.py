"""The app factory, health check, language choice, settings documentation and layering."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.app import create_app
from dashboard.config import SETTINGS, load_config

REPO = Path(__file__).resolve().parents[2]


def _empty_database(path: Path) -> str:
    """An initialised database without data: the app never creates a database file itself."""
    from data_access.database import init_db, make_engine

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    init_db(engine)
    engine.dispose()
    return url


def _layout_json(client, path="/", query=""):
    client.get(path + query)
    response = client.get("/_dash-layout")
    assert response.status_code == 200
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_healthz_is_200_with_the_database_reachable(sqlite_demo_url):
    client = create_app({"DATABASE_URL": sqlite_demo_url}).server.test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_healthz_is_503_when_the_database_is_unreachable():
    # Nothing listens on port 9: the app still starts and says it is unhealthy.
    client = create_app({"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}).server.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_demo_label_is_shown_on_a_demo_database(sqlite_demo_url):
    client = create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": "en"}).server.test_client()
    assert "DEMO DATA" in _layout_json(client)


def test_no_demo_label_on_a_database_without_demo_data(tmp_path):
    # AUTH=off: this test reads the page as an anonymous visitor would on a database with accounts off.
    client = create_app({"DATABASE_URL": _empty_database(tmp_path / "real.sqlite"),
                         "DEFAULT_LANGUAGE": "en", "AUTH": "off"}).server.test_client()
    assert "DEMO DATA" not in _layout_json(client)


@pytest.mark.parametrize("default, expected", [("lo", "ພາບລວມ"), ("en", "Overview")])
def test_default_language_applies_without_a_choice(sqlite_demo_url, default, expected):
    client = create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": default}).server.test_client()
    assert expected in _layout_json(client)


def test_lang_parameter_is_remembered_in_a_cookie(sqlite_demo_url):
    client = create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": "lo"}).server.test_client()
    response = client.get("/?lang=en")
    assert "lang=en" in response.headers.get("Set-Cookie", "")
    assert "Overview" in client.get("/_dash-layout").get_data(as_text=True)


def test_every_setting_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [setting.name for setting in SETTINGS if f"`{setting.name}`" not in readme]
    assert not missing, f"settings missing from README: {missing}"


def test_environment_overrides_defaults_and_config_overrides_environment(monkeypatch):
    monkeypatch.setenv("MAP_STYLE", "carto-positron")
    assert load_config()["MAP_STYLE"] == "carto-positron"
    assert load_config({"MAP_STYLE": "white-bg"})["MAP_STYLE"] == "white-bg"


def test_two_apps_do_not_share_pages_or_databases(sqlite_demo_url, tmp_path):
    first = create_app({"DATABASE_URL": sqlite_demo_url}).server.test_client()
    second = create_app({"DATABASE_URL": _empty_database(tmp_path / "other.sqlite"), "AUTH": "off"}).server.test_client()
    assert first.get("/healthz").status_code == 200
    assert second.get("/healthz").status_code == 200
    assert "DEMO" in _layout_json(first) or "ຕົວຢ່າງ" in _layout_json(first)
    assert "ຕົວຢ່າງ" not in _layout_json(second) and "DEMO" not in _layout_json(second)


def test_layers_contract_holds():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_help_lists_every_command():
    result = subprocess.run([sys.executable, "-m", "dashboard", "--help"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("serve", "init-db", "migrate", "demo", "settings"):
        assert command in result.stdout


def test_no_duplicate_component_ids_across_layouts(sqlite_demo_url):
    import dash

    create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": "en"})
    seen: dict[str, str] = {}
    duplicates = []
    from flask import Flask

    with Flask(__name__).test_request_context("/?lang=en"):
        for page in dash.page_registry.values():
            # Pages that need a role are wrapped by the access gate: walk the page itself.
            tree = getattr(page["layout"], "__wrapped__", page["layout"])()
            for component_id in _ids(tree):
                key = json.dumps(component_id, sort_keys=True) if isinstance(component_id, dict) else component_id
                if key in seen and seen[key] != page["path"]:
                    duplicates.append((key, seen[key], page["path"]))
                seen[key] = page["path"]
    assert not duplicates


def _ids(component):
    found = []
    component_id = getattr(component, "id", None)
    if component_id is not None:
        found.append(component_id)
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            found.extend(_ids(child))
    elif children is not None and hasattr(children, "to_plotly_json"):
        found.extend(_ids(children))
    return found


def test_page_ids_are_prefixed_with_their_page():
    import importlib
    import pkgutil

    import layouts

    bad = []
    for info in pkgutil.iter_modules(layouts.__path__):
        module = importlib.import_module(f"layouts.{info.name}")
        if not hasattr(module, "PAGE"):
            continue
        prefix = info.name if info.name != "importer" else "import"
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, str) and name != "PAGE" and re.fullmatch(r"[a-z0-9]+-[a-z0-9-]+", value):
                if not value.startswith(prefix.replace("_", "-")):
                    bad.append((info.name, name, value))
    assert not bad, bad
