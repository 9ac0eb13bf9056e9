"""Sign-in and sign-out: Lao and English, CSRF, rate limits, cookies, redirects, the audit log, AUTH defaults."""
import re

import pytest
from sqlalchemy import text

from access_fixtures import accounts_app  # noqa: F401  (fixture)
from dash_requests import sign_in

PASSWORD = "correct horse battery"


def _token(client, lang="en") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"/login?lang={lang}").get_data(as_text=True)).group(1)


def _audit(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text("SELECT username, action, address FROM audit_log ORDER BY id"))]


@pytest.mark.parametrize("lang, words", [("en", ["Sign in", "User name", "Password"]),
                                         ("lo", ["ເຂົ້າສູ່ລະບົບ", "ຊື່ຜູ້ໃຊ້", "ລະຫັດຜ່ານ"])])
def test_the_login_page_speaks_both_languages(accounts_app, lang, words):
    app, _engine = accounts_app
    page = app.server.test_client().get(f"/login?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    for word in words:
        assert word in page


def test_sign_in_sets_a_safe_session_cookie_and_is_audited(accounts_app):
    app, engine = accounts_app
    client = app.server.test_client()
    response = sign_in(client, "ana", PASSWORD)
    assert response.status_code == 302
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("cm_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert ("ana", "login", "127.0.0.1") in _audit(engine)


def test_a_wrong_password_is_refused_in_the_readers_language_and_audited(accounts_app):
    app, engine = accounts_app
    client = app.server.test_client()
    response = client.post("/login", data={"username": "ana", "password": "wrong password", "lang": "lo",
                                           "csrf_token": _token(client, "lo")})
    assert response.status_code == 401
    assert "ຊື່ຜູ້ໃຊ້ ຫຼື ລະຫັດຜ່ານບໍ່ຖືກຕ້ອງ" in response.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401
    assert ("ana", "login_failed", "127.0.0.1") in _audit(engine)


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(accounts_app):
    app, engine = accounts_app
    client = app.server.test_client()
    unknown = client.post("/login", data={"username": "nobody", "password": PASSWORD, "csrf_token": _token(client)})
    wrong = client.post("/login", data={"username": "ana", "password": "not it at all", "csrf_token": _token(client)})
    assert unknown.status_code == wrong.status_code == 401
    strip = lambda page: re.sub(r'value="[^"]*"', "", page)  # noqa: E731 (tokens and the typed name differ)
    assert strip(unknown.get_data(as_text=True)) == strip(wrong.get_data(as_text=True))


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_sign_in_without_a_valid_csrf_token_is_refused(accounts_app, token):
    app, engine = accounts_app
    client = app.server.test_client()
    client.get("/login")
    data = {"username": "ana", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert client.get("/_dash-layout").status_code == 401
    assert ("ana", "login") not in [row[:2] for row in _audit(engine)]


def test_sign_out_needs_a_post_with_the_token_and_ends_the_session(accounts_app):
    app, engine = accounts_app
    client = app.server.test_client()
    sign_in(client, "ana", PASSWORD)
    layout = client.get("/_dash-layout").get_data(as_text=True)
    token = re.search(r'"value":"([^"]+)","type":"hidden","name":"csrf_token"', layout).group(1)
    client.get("/logout")                                      # a link or an <img> cannot sign anyone out
    assert client.get("/_dash-layout").status_code == 200
    assert client.post("/logout").status_code == 400           # nor a cross-site form without the token
    assert client.get("/_dash-layout").status_code == 200
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/_dash-layout").status_code == 401
    assert ("ana", "logout", "127.0.0.1") in _audit(engine)


@pytest.mark.parametrize("next_url, lands", [("/map?lang=lo", "/map?lang=lo"), ("https://evil.example/", "/"),
                                             ("//evil.example/x", "/"), ("/\\evil.example", "/"), ("", "/")])
def test_after_sign_in_only_a_local_page_is_opened(accounts_app, next_url, lands):
    app, _engine = accounts_app
    client = app.server.test_client()
    response = client.post("/login", data={"username": "vic", "password": PASSWORD, "next": next_url,
                                           "csrf_token": _token(client)})
    assert response.headers["Location"] == lands


def test_the_login_page_says_how_to_create_the_first_admin(accounts_app):
    from access.accounts import remove_account
    from data_access.schema import UserAccount
    from sqlalchemy import update

    app, engine = accounts_app
    client = app.server.test_client()
    assert "users add" not in client.get("/login").get_data(as_text=True)
    with engine.begin() as conn:
        conn.execute(update(UserAccount).where(UserAccount.role == "admin").values(role="viewer"))
    assert "python -m dashboard users add NAME --role admin" in client.get("/login").get_data(as_text=True)


def test_failed_sign_ins_are_rate_limited_per_address_and_user(sqlite_demo_url, tmp_path):
    import sqlite3

    from access.accounts import create_account
    from dashboard.app import create_app
    from data_access.database import make_engine

    path = tmp_path / "limit.sqlite"
    source, target = sqlite3.connect(sqlite_demo_url.removeprefix("sqlite:///")), sqlite3.connect(path)
    source.backup(target)
    source.close(), target.close()
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        create_account(conn, "ana", PASSWORD, "admin")
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "AUTH": "on", "LOGIN_RATE_LIMIT": "3 per minute",
                      "DEFAULT_LANGUAGE": "en"})
    client = app.server.test_client()
    statuses = [client.post("/login", data={"username": "ana", "password": f"wrong guess {n}",
                                            "csrf_token": _token(client)}).status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": _token(client)})
    assert limited.status_code == 429
    assert "Too many failed sign-ins" in limited.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


def test_successful_sign_ins_do_not_count_towards_the_limit(sqlite_demo_url, tmp_path):
    import sqlite3

    from access.accounts import create_account
    from dashboard.app import create_app
    from data_access.database import make_engine

    path = tmp_path / "ok.sqlite"
    source, target = sqlite3.connect(sqlite_demo_url.removeprefix("sqlite:///")), sqlite3.connect(path)
    source.backup(target)
    source.close(), target.close()
    with make_engine(f"sqlite:///{path}").begin() as conn:
        create_account(conn, "ana", PASSWORD, "admin")
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "AUTH": "on", "LOGIN_RATE_LIMIT": "2 per minute"})
    for _ in range(4):
        assert sign_in(app.server.test_client(), "ana", PASSWORD).status_code == 302


# ---------------------------------------------------------------- AUTH defaults


def _layout(client) -> str:
    import json

    return json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)


def test_accounts_are_off_on_the_demo_database_with_a_banner(sqlite_demo_url):
    from dashboard.app import create_app

    client = create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": "en"}).server.test_client()
    assert client.get("/").status_code == 200
    assert "Accounts are off on the demo database" in _layout(client)
    # No users to manage when accounts are off: the page says so, and its callbacks are refused.
    from dash_requests import payload, post

    app = create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": "en"})
    client = app.server.test_client()
    assert client.get("/admin").status_code == 200
    body = payload(app, "admin-users.children", {"admin-version.data": 0, "app-language.data": "en"},
                   "admin-version.data")
    assert post(client, body).status_code == 403
    router = payload(app, "_pages_content.children", {"_pages_location.pathname": "/admin",
                                                      "_pages_location.search": ""}, "_pages_location.pathname")
    assert "Accounts are off on the demo database" in post(client, router).get_data(as_text=True)


def test_auth_on_turns_accounts_on_for_the_demo_too(sqlite_demo_url):
    from dashboard.app import create_app

    client = create_app({"DATABASE_URL": sqlite_demo_url, "AUTH": "on"}).server.test_client()
    assert client.get("/").status_code == 302
    assert client.get("/_dash-layout").status_code == 401


def test_accounts_are_on_for_any_other_database(tmp_path):
    from dashboard.app import create_app
    from data_access.database import init_db, make_engine

    url = f"sqlite:///{tmp_path / 'real.sqlite'}"
    init_db(make_engine(url))  # the app never creates a database file itself
    client = create_app({"DATABASE_URL": url}).server.test_client()
    assert client.get("/").status_code == 302
    assert client.get("/_dash-dependencies").status_code == 401
    assert client.get("/healthz").status_code == 200
    assert client.get("/assets/css/10-app.css").status_code == 200
    assert "python -m dashboard users add" in client.get("/login").get_data(as_text=True)


def test_an_unreachable_database_keeps_accounts_on():
    from dashboard.app import create_app

    client = create_app({"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}).server.test_client()
    assert client.get("/_dash-layout").status_code == 401


def test_behind_https_the_session_cookie_is_secure(tmp_path):
    from access.accounts import create_account
    from dashboard.app import create_app
    from data.importer_db import demo_copy

    with demo_copy("sqlite", tmp_path) as engine:
        with engine.begin() as conn:
            create_account(conn, "ana", PASSWORD, "admin")
        app = create_app({"DATABASE_URL": engine.url.render_as_string(), "AUTH": "on", "HTTPS": "on"})
        client = app.server.test_client()
        page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                               data={"username": "ana", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("cm_session="))
        assert "Secure" in cookie and "HttpOnly" in cookie
