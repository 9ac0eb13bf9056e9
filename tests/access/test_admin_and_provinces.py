"""The admin page's callbacks by role, the coordinators-see-only-their-provinces setting, and migration 0005."""
import json

import pytest
from sqlalchemy import inspect, text

from access_fixtures import accounts_app  # noqa: F401  (fixture)
from dash_requests import payload, post, sign_in
from data.importer_db import demo_copy

PASSWORD = "correct horse battery"


def _client(app, who):
    client = app.server.test_client()
    assert sign_in(client, who, PASSWORD).status_code == 302
    return client


def add_user_body(app, username="bounma", role="admin"):
    return payload(app, "admin-message.children",
                   {"admin-add.n_clicks": 1, "admin-new-username.value": username, "admin-new-name.value": "Bounma",
                    "admin-new-role.value": role, "admin-new-provinces.value": [],
                    "admin-new-password.value": "a long enough password", "admin-version.data": 0,
                    "app-language.data": "en"}, "admin-add.n_clicks", input_id="admin-add")


def _users(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(text("SELECT username FROM user_account")).scalars())


@pytest.mark.parametrize("who, status", [("vic", 403), ("kham", 403), ("ana", 200)])
def test_only_an_admin_can_add_a_user_through_the_admin_callback(accounts_app, who, status):
    app, engine = accounts_app
    response = post(_client(app, who), add_user_body(app))
    assert response.status_code == status
    assert ("bounma" in _users(engine)) is (status == 200)


def test_the_admin_callbacks_refusals_are_sentences(accounts_app):
    app, engine = accounts_app
    client = _client(app, "ana")
    response = post(client, add_user_body(app, username="ana")).get_json()["response"]
    assert "already taken" in json.dumps(response)
    demote = payload(app, "admin-message.children",
                     {"admin-save-role.n_clicks": 1, "admin-pick.value": "ana", "admin-role.value": "viewer",
                      "admin-provinces.value": [], "app-language.data": "en"}, "admin-save-role.n_clicks",
                     input_id="admin-add")
    assert "last active administrator" in json.dumps(post(client, demote).get_json()["response"])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT role FROM user_account WHERE username='ana'")).scalar_one() == "admin"


def test_coordinators_can_be_limited_to_their_provinces(tmp_path):
    from access.accounts import create_account
    from dashboard.app import create_app

    with demo_copy("sqlite", tmp_path) as engine:
        with engine.begin() as conn:
            create_account(conn, "kham", PASSWORD, "coordinator", "Kham", ["07"])
            create_account(conn, "vic", PASSWORD, "viewer", "Vic")
        app = create_app({"DATABASE_URL": engine.url.render_as_string(), "AUTH": "on", "DEFAULT_LANGUAGE": "en",
                          "COORDINATORS_SEE_ONLY_THEIR_PROVINCES": "on"})
        kham, vic = _client(app, "kham"), _client(app, "vic")
        layout = kham.get("/_dash-layout").get_json()
        province = _find(layout, "shell-province")
        assert [option["value"] for option in province["options"]] == ["07"] and province["value"] == "07"

        def districts(client, code):
            return post(client, payload(app, "shell-district.options",
                                        {"shell-province.value": code, "app-language.data": "en"},
                                        "shell-province.value")).status_code

        assert [districts(kham, code) for code in ("07", "02", "")] == [200, 403, 403]
        assert [districts(vic, code) for code in ("07", "02", "")] == [200, 200, 200]
        assert len(_find(vic.get("/_dash-layout").get_json(), "shell-province")["options"]) > 2


def _find(node, component_id):
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == component_id:
            return props
        for value in list(props.values()) + list(node.values()):
            found = _find(value, component_id)
            if found:
                return found
    elif isinstance(node, list):
        for item in node:
            found = _find(item, component_id)
            if found:
                return found
    return None


def test_migration_0005_adds_the_account_tables_to_an_existing_database(empty_engine):
    from data_access.database import init_db, migration_head

    with empty_engine.begin() as conn:
        for table in ("user_province", "audit_log", "user_account"):
            conn.execute(text(f"DROP TABLE {table}"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    init_db(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert {"user_account", "user_province", "audit_log"} <= tables
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == migration_head()
