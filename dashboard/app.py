"""The app factory: create_app(config) builds a fresh Dash app on the configured database."""
import logging

import dash
import flask
from flask_caching import Cache
from flask_compress import Compress

import access
from dashboard import ag_grid_on_demand, errors, geo_files, http_cache, plotly_bundle, response_cache, security
from dashboard.config import load_config
from dashboard.jobs import background_manager
from dashboard.pages import register_callbacks, register_pages, title_for_path
from data_access.database import database_is_reachable, dataset_info, init_db, is_initialised, make_engine
from data_access.periods import filter_choices
from data_access.queries.catalogue import admin_units, months_with_data
from data_access.store import DataStore
from i18n import t
from layouts import shell
from layouts.common import LANGUAGE_COOKIE, current_language
from layouts.figures import theme  # noqa: F401  (registers the Plotly template)

log = logging.getLogger(__name__)


def _cache_config(cache_url: str, timeout: int) -> dict:
    if cache_url in ("", "null", "none"):
        return {"CACHE_TYPE": "NullCache"}
    if cache_url.startswith("redis://"):
        # A Redis that stops answering must cost a page a second, not hang it (the store then reads the database).
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": cache_url, "CACHE_DEFAULT_TIMEOUT": timeout,
                "CACHE_OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1}}
    return {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": timeout, "CACHE_THRESHOLD": 2000}


def create_app(config: dict | None = None) -> dash.Dash:
    """A new app: defaults, then environment, then `config` (tests pass their own database)."""
    settings = load_config(config)
    engine = make_engine(settings["DATABASE_URL"])
    try:
        if not is_initialised(engine):
            init_db(engine)
    except Exception:
        # Start anyway: /healthz then reports 503 and the page says the database is unreachable,
        # which tells an operator more than a process that refuses to start.
        log.exception("database not reachable at start-up: %s", engine.url.render_as_string(hide_password=True))

    server = flask.Flask(__name__)
    server.config.update(
        SECRET_KEY=settings["SECRET_KEY"],
        DEFAULT_LANGUAGE=settings["DEFAULT_LANGUAGE"],
        # Confirming an import re-sends the data file and the DHIS2 mapping, base64-encoded (x 4/3 each).
        MAX_CONTENT_LENGTH=int(float(settings["MAX_UPLOAD_MB"]) * 1024 * 1024 * 2.8) + 65536,
        SETTINGS=settings,
    )
    cache = Cache(server, config=_cache_config(settings["CACHE_URL"], int(settings["CACHE_TIMEOUT"])))
    Compress(server)
    # After Compress: Flask runs after_request hooks last-registered first, so static files are
    # compressed and tagged here before flask-compress would (it then leaves them alone).
    http_cache.install(server)
    store = DataStore(engine, cache, timeout=int(settings["CACHE_TIMEOUT"]))
    server.extensions["data_store"] = store

    # Dash keeps pages in a module-level registry; a fresh app must start from an empty one.
    dash.page_registry.clear()
    app = _LanguageAwareDash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder="",
        assets_folder=str(settings.get("ASSETS_FOLDER") or _assets_folder()),
        serve_locally=True,
        suppress_callback_exceptions=True,
        title="Convergence monitor",
        update_title=None,
        external_stylesheets=[],
        on_error=errors.callback_error,
        background_callback_manager=background_manager(settings),
    )
    register_pages()

    def serve_layout():
        lang = current_language()
        try:
            with engine.connect() as conn:
                provinces = admin_units(conn, "province")
                months = months_with_data(conn)
                dataset = dataset_info(conn)
        except Exception as error:
            return shell.unavailable_layout(lang, errors.message_for(error, lang))
        return shell.layout(lang, provinces, months, dataset, filter_choices(months))

    app.layout = serve_layout
    register_callbacks(app, store, settings)
    security.install(app)
    errors.install(app)
    access.init_app(app, store, settings)
    # After the gate: a refused request never reaches a kept answer.
    response_cache.install(server, store, settings, _repo_root())
    plotly_bundle.install(app)
    ag_grid_on_demand.install()
    geo_files.install(server)

    @server.after_request
    def remember_language(response: flask.Response) -> flask.Response:
        # ?lang=xx on a page load becomes the visitor's remembered choice.
        requested = flask.request.args.get("lang")
        if requested in ("lo", "en"):
            response.set_cookie(LANGUAGE_COOKIE, requested, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    @server.route("/healthz")
    def healthz():
        if database_is_reachable(engine):
            return {"status": "ok", "database": engine.dialect.name}, 200
        return {"status": "unavailable", "database": engine.dialect.name,
                "message": t("health.database_unreachable", "en")}, 503

    return app


class _LanguageAwareDash(dash.Dash):
    """Dash whose index page declares the visitor's language on <html> (screen readers, fonts)."""

    def interpolate_index(self, **kwargs) -> str:
        # The tab shows the page's title in the visitor's language from the first paint.
        if flask.has_request_context():
            kwargs["title"] = title_for_path(flask.request.path, current_language()) or kwargs.get("title")
        # Where assets/js/ag-grid-on-demand.js fetches AG Grid from, when a page shows a table.
        kwargs["metas"] = kwargs.get("metas", "") + ag_grid_on_demand.meta_tag(self.config.requests_pathname_prefix)
        html_page = super().interpolate_index(**kwargs)
        return html_page.replace("<html>", f'<html lang="{current_language()}">', 1)


def _repo_root():
    from dashboard.config import REPO_ROOT

    return REPO_ROOT


def _assets_folder() -> str:
    return str(_repo_root() / "assets")
