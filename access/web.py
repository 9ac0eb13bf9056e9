"""Accounts on the web server: sessions (Flask-Login), sign-in/out forms with CSRF, rate limits, and the gate.

Every request passes `gate` (a Flask before_request) before any Dash view runs:
- assets, Dash's library bundles, /healthz and /login are open;
- anything else needs a signed-in account when accounts are on: page loads are sent to /login,
  Dash's JSON endpoints (/_dash-layout, /_dash-dependencies, /_dash-update-component) get 401;
- a callback POST must come from a page of this server (Origin, or Referer, names this host) and
  its component ids decide the role it needs (importer-* coordinator, admin-* admin): 403 otherwise;
- a page that declares a role in its PAGE dict is refused (403) on load to accounts without it.
Write callbacks check the role again themselves (callbacks/importer.py, callbacks/admin.py).

Why the callback POSTs need no CSRF token: Dash sends them as JSON with fetch, and
- the session cookie is SameSite=Lax, so a cross-site POST arrives without a session (401);
- a cross-site page cannot send `Content-Type: application/json` without a CORS preflight this
  server never grants, and Dash reads only JSON bodies;
- and the Origin check refuses any POST that does not name this server.
The two HTML forms (sign-in, sign-out) carry a Flask-WTF CSRF token.
"""
import datetime as dt
import logging
import secrets
import time
from urllib.parse import urlsplit

import dash
import flask
import flask_login
from flask_limiter import Limiter, RateLimitExceeded
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from access import accounts, audit, guard, roles
from access.passwords import needs_rehash, verify_password
from data_access.database import dataset_info, is_database_unavailable
from i18n import t
from layouts import login as login_layout
from layouts.admin import refused_view
from layouts.common import current_language

log = logging.getLogger(__name__)

PUBLIC_PATHS = frozenset({"/login", "/healthz", "/favicon.ico", "/_favicon.ico"})
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
DASH_PREFIXES = ("/_dash-", "/_reload-hash")
CALLBACK_PATH = "/_dash-update-component"
DEFAULT_SECRET = "dev-only-change-me"
AUTH_RECHECK_SECONDS = 5.0
# Accounts off (the demo database only): the visitor acts as a data officer, as before accounts existed.
DEMO_ACCOUNT = roles.Account(id=0, username="demo", display_name="demo", role=roles.ADMIN)


def _is_on(value) -> bool:
    return str(value or "").strip().lower() in ("on", "1", "true", "yes")


def auth_is_on(store, setting: str | None, last_known: bool | None = None) -> bool:
    """AUTH=on/off decides; otherwise accounts are off only on the bundled demo database.

    A database that cannot be read counts as real data: accounts stay on (fail closed), except
    that while it is unavailable (a moved SQLite file, a stopped server) the last answer read from
    it (`last_known`) stands. An unreachable database serves nothing to anyone, so keeping the
    answer opens nothing; turning accounts on instead would answer every callback of a demo visitor
    with "sign in again" (401) rather than the page's "temporarily unavailable" banner.
    """
    value = str(setting or "auto").strip().lower()
    if value in ("on", "off"):
        return value == "on"
    try:
        info = store.read(dataset_info)
    except Exception as error:
        if last_known is not None and is_database_unavailable(error):
            return last_known
        return True
    return info.get("is_demo") != "1"


def acting_account() -> roles.Account | None:
    """The account the current request acts for (set by the gate), or None outside a gated request."""
    return flask.g.get("account") if flask.has_request_context() else None


def client_address() -> str | None:
    return flask.request.remote_addr if flask.has_request_context() else None


def auth_on_now() -> bool:
    """Whether accounts are on for the current request (True outside one: fail closed)."""
    return bool(flask.g.get("auth_on", True)) if flask.has_request_context() else True


def _safe_next(value: str | None) -> str:
    """A local path to return to after signing in; anything else (another host, //evil) becomes /."""
    value = value or "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _limiter_storage(settings: dict) -> str:
    cache_url = str(settings.get("CACHE_URL") or "")
    return cache_url if cache_url.startswith(("redis://", "rediss://")) else "memory://"


def _page_for(path: str) -> dict | None:
    path = path.rstrip("/") or "/"
    for page in dash.page_registry.values():
        if page.get("path") == path:
            return page
    return None


def _guard_layout(layout, role: str):
    """The page's layout for accounts that may open it, a refusal otherwise (in-app navigation)."""

    def guarded(**kwargs):
        if roles.may_open(role, acting_account(), auth_on_now()):
            return layout(**kwargs)
        lang = current_language(kwargs.get("lang"))
        return refused_view(lang, _refusal_key(role))

    guarded.__wrapped__ = layout
    return guarded


def _refusal_key(role: str) -> str:
    if role == roles.ADMIN and not auth_on_now():
        return "access.admin_needs_accounts"
    return f"access.refused_{role}"


def shell_account(account: roles.Account | None, auth_on: bool, only_theirs: bool, demo: bool) -> dict:
    """What the navbar shows and the shell filters allow, as plain data for layouts."""
    visible = roles.visible_provinces(account, only_theirs) if auth_on else None
    return {
        "gated": True, "auth_on": auth_on, "demo": demo,
        "username": account.username if auth_on and account else None,
        "display_name": account.display_name if auth_on and account else None,
        "role": account.role if auth_on and account else None,
        "provinces": sorted(account.provinces) if auth_on and account else [],
        "visible_provinces": sorted(visible) if visible is not None else None,
        "csrf_token": generate_csrf() if auth_on and account else None,
    }


def init_app(app: dash.Dash, store, settings: dict) -> None:
    """Sessions, sign-in/out routes, rate limits and the gate on the app's Flask server."""
    server = app.server
    https = _is_on(settings.get("HTTPS"))
    if server.config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET):
        # A known key lets anyone mint a session cookie: use a random one for this process instead.
        log.warning("SECRET_KEY is not set: sessions are signed with a random key and end when the server "
                    "restarts (and are not shared between workers). Set SECRET_KEY.")
        server.config["SECRET_KEY"] = secrets.token_hex(32)
    server.config.update(
        SESSION_COOKIE_NAME="cm_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=float(settings.get("SESSION_HOURS") or 12)),
        # CSRF tokens are checked where the two forms are handled, not on Dash's JSON POSTs (see above).
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_SSL_STRICT=https,
        WTF_CSRF_TIME_LIMIT=None,
    )
    csrf = CSRFProtect(server)
    manager = flask_login.LoginManager(server)
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(session_id: str):
        with store.engine.connect() as conn:
            return accounts.load_account(conn, session_id)

    limiter = Limiter(lambda: flask.request.remote_addr or "unknown", app=server, storage_uri=_limiter_storage(settings),
                      default_limits=[], strategy="fixed-window", headers_enabled=False)
    only_theirs = _is_on(settings.get("COORDINATORS_SEE_ONLY_THEIR_PROVINCES"))
    auth_setting = settings.get("AUTH")
    login_limit = str(settings.get("LOGIN_RATE_LIMIT") or "10 per minute;100 per day")

    for page in dash.page_registry.values():
        if page.get("role"):
            page["layout"] = _guard_layout(page["layout"], page["role"])

    def _no_admin() -> bool:
        with store.engine.connect() as conn:
            return accounts.count_admins(conn) == 0

    def _login_response(lang: str, next_url: str, message: str | None = None, status: int = 200, username: str = ""):
        html_page = login_layout.login_page(lang, generate_csrf(), next_url, message, _no_admin(), username)
        return flask.Response(html_page, status=status, mimetype="text/html")

    def _failed_login(response: flask.Response) -> bool:
        # Only failures count towards the limit: a person who signs in often is never locked out.
        return response.status_code == 401

    @limiter.limit(login_limit, methods=["POST"], deduct_when=_failed_login)
    @limiter.limit(login_limit, methods=["POST"], deduct_when=_failed_login,
                   key_func=lambda: "user:" + accounts.normalise_username(flask.request.form.get("username", "")),
                   scope="login-username")
    def login_view():
        request = flask.request
        lang = current_language(request.values.get("lang"))
        next_url = _safe_next(request.values.get("next"))
        if not accounts_on():
            return flask.redirect(next_url)
        if request.method == "GET":
            if flask_login.current_user.is_authenticated:
                return flask.redirect(next_url)
            return _login_response(lang, next_url)
        csrf.protect()
        username = accounts.normalise_username(request.form.get("username", ""))[:64]
        password = request.form.get("password", "")
        with store.engine.begin() as conn:
            found = accounts.find_account(conn, username)
            account, encoded = found if found else (None, None)
            matches = verify_password(encoded, password)
            if not (matches and account is not None and account.active):
                audit.record(conn, "login_failed", username, client_address(),
                             reason="disabled" if matches and account is not None else "wrong_credentials")
                account = None
            else:
                if needs_rehash(encoded):
                    accounts.rehash_password(conn, account.id, password)
                audit.record(conn, "login", account.username, client_address(), role=account.role)
        if account is None:
            return _login_response(lang, next_url, t("access.login_failed", lang), 401, username)
        flask.session.clear()
        flask_login.login_user(account)
        flask.session.permanent = True
        return flask.redirect(next_url)

    def logout_view():
        csrf.protect()
        user = flask_login.current_user
        if user.is_authenticated:
            with store.engine.begin() as conn:
                audit.record(conn, "logout", user.username, client_address())
        flask_login.logout_user()
        flask.session.clear()
        return flask.redirect("/login")

    server.add_url_rule("/login", "access_login", login_view, methods=["GET", "POST"])
    server.add_url_rule("/logout", "access_logout", logout_view, methods=["POST"])

    @server.errorhandler(RateLimitExceeded)
    def too_many(_error):
        lang = current_language(flask.request.values.get("lang"))
        return _login_response(lang, _safe_next(flask.request.values.get("next")), t("access.too_many_attempts", lang), 429)

    @server.errorhandler(CSRFError)
    def bad_form(_error):
        lang = current_language(flask.request.values.get("lang"))
        return _login_response(lang, _safe_next(flask.request.values.get("next")), t("access.form_expired", lang), 400)

    checked = {"at": -1e9, "on": True, "known": False}

    def accounts_on() -> bool:
        # The demo flag changes only when the dataset is regenerated: read it every few seconds, not per request.
        now = time.monotonic()
        if now - checked["at"] > AUTH_RECHECK_SECONDS:
            on = auth_is_on(store, auth_setting, checked["on"] if checked["known"] else None)
            checked.update(at=now, on=on, known=True)
        return checked["on"]

    @server.before_request
    def gate():
        request = flask.request
        path = request.path
        auth_on = accounts_on()
        flask.g.auth_on = auth_on
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return None
        user = flask_login.current_user
        account = (user if user.is_authenticated else None) if auth_on else DEMO_ACCOUNT
        flask.g.account = account
        flask.g.shell_account = shell_account(account, auth_on, only_theirs, not auth_on and auth_setting != "off")
        is_dash = path.startswith(DASH_PREFIXES)
        lang = current_language()
        if request.method == "POST" and is_dash and not guard.same_origin(
                request.headers.get("Origin"), request.headers.get("Referer"), request.host_url):
            return _refuse_json(403, t("access.cross_site", lang))
        if account is None:
            if is_dash:
                return _refuse_json(401, t("access.sign_in_first", lang))
            return flask.redirect("/login?next=" + flask.request.full_path.rstrip("?"))
        if path == CALLBACK_PATH:
            payload = request.get_json(silent=True) or {}
            needed = guard.required_role(payload)
            if needed and not roles.may_open(needed, account, auth_on):
                return _refuse_json(403, t(_refusal_key(needed), lang))
            visible = roles.visible_provinces(account, only_theirs) if auth_on else None
            if visible is not None and guard.outside(guard.filtered_places(payload), visible):
                return _refuse_json(403, t("access.outside_provinces", lang))
        elif not is_dash and request.method == "GET" and auth_on:
            # Accounts off (demo): the page opens and says in the app why there is nothing to manage.
            page = _page_for(path)
            if page and page.get("role") and not roles.may_open(page["role"], account, auth_on):
                return flask.Response(login_layout.refused_page(lang, t(_refusal_key(page["role"]), lang)),
                                      status=403, mimetype="text/html")
        return None


def _refuse_json(status: int, message: str) -> flask.Response:
    response = flask.jsonify({"message": message})
    response.status_code = status
    return response
