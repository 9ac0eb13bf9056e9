"""dcc.Graph loads our partial plotly.js (only the trace types the pages draw) instead of the full 4.8 MB one.

dcc.Graph fetches plotly.js lazily, the first time a graph is drawn, from
`_dash-component-suites/plotly/package_data/plotly.min.js` (the renderer sets that URL when
`serve_locally` is on). Answering that URL with vendor/plotly/plotly-dashboard.min.js keeps Dash's
loading order (the page and its loading indicators first, plotly.js in parallel) and changes no
component: the bundle is plotly.js 4.1.1 (the version plotly.py 7.1 ships) built with scatter, bar,
heatmap, scattermap and choroplethmap (MapLibre included) by vendor/plotly/build.mjs: 3.09 MB
instead of 4.82 MB raw, 0.80 MB instead of 1.44 MB sent.
"""
from pathlib import Path

import flask

from dashboard.config import REPO_ROOT

BUNDLE = REPO_ROOT / "vendor" / "plotly" / "plotly-dashboard.min.js"
PLOTLY_URL_PATH = "_dash-component-suites/plotly/package_data/plotly.min.js"
# The trace types in the bundle (vendor/plotly/build.mjs TRACES plus scatter, which the core carries).
TRACE_TYPES = frozenset({"scatter", "bar", "heatmap", "scattermap", "choroplethmap"})


def install(app, bundle: Path = BUNDLE) -> None:
    """Serve `bundle` at the URL dcc.Graph loads plotly.js from (cache headers: dashboard/http_cache.py)."""
    if not bundle.exists():
        # A checkout without the bundle still works, with the full plotly.js.
        app.logger.warning("partial plotly.js bundle missing at %s: serving the full plotly.js", bundle)
        return
    path = app.config.requests_pathname_prefix + PLOTLY_URL_PATH

    @app.server.before_request
    def _partial_plotly():
        if flask.request.path == path and flask.request.method in ("GET", "HEAD"):
            return flask.send_file(bundle, mimetype="application/javascript", conditional=False, etag=False,
                                   last_modified=None, max_age=None)
        return None
