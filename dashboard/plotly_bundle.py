"""dcc.Graph loads our partial plotly.js (only the trace types the pages draw) instead of the full 4.8 MB one.

dcc.Graph fetches plotly.js lazily, the first time a graph is drawn, from
`_dash-component-suites/plotly/package_data/plotly.min.js` (the renderer sets that URL when
`serve_locally` is on). Answering that URL with vendor/plotly/plotly-dashboard.min.js keeps Dash's
loading order (the page and its loading indicators first, plotly.js in parallel) and changes no
component: the bundle is plotly.js 4.1.1 (the version plotly.py 7.1 ships) built with scatter, bar,
heatmap, scattermap and choroplethmap by vendor/plotly/build.mjs, without MapLibre: 1.50 MB instead
of 4.82 MB raw, 0.40 MB instead of 1.44 MB sent.

MapLibre and its worker (1.59 MB raw, 0.28 MB sent) are the sibling file `plotly-maplibre.min.js`,
which the bundle fetches the first time a figure with a map trace is drawn
(vendor/plotly/lazy-maplibre.js): the pages without a map (Targets, Trends, Compare districts, ...)
never download it.
"""
from pathlib import Path

import flask

from dashboard.config import REPO_ROOT

VENDOR = REPO_ROOT / "vendor" / "plotly"
BUNDLE = VENDOR / "plotly-dashboard.min.js"
MAPLIBRE_BUNDLE = VENDOR / "plotly-maplibre.min.js"
PLOTLY_URL_PATH = "_dash-component-suites/plotly/package_data/plotly.min.js"
MAPLIBRE_URL_PATH = "_dash-component-suites/plotly/package_data/plotly-maplibre.min.js"
# The trace types in the bundle (vendor/plotly/build.mjs TRACES plus scatter, which the core carries).
TRACE_TYPES = frozenset({"scatter", "bar", "heatmap", "scattermap", "choroplethmap"})


def install(app, bundle: Path = BUNDLE, maplibre_bundle: Path = MAPLIBRE_BUNDLE) -> None:
    """Serve `bundle` at the URL dcc.Graph loads plotly.js from and MapLibre beside it (cache headers:
    dashboard/http_cache.py)."""
    if not (bundle.exists() and maplibre_bundle.exists()):
        # A checkout without the bundles still works, with the full plotly.js.
        app.logger.warning("partial plotly.js bundle missing in %s: serving the full plotly.js", bundle.parent)
        return
    prefix = app.config.requests_pathname_prefix
    files = {prefix + PLOTLY_URL_PATH: bundle, prefix + MAPLIBRE_URL_PATH: maplibre_bundle}

    @app.server.before_request
    def _partial_plotly():
        path = files.get(flask.request.path)
        if path is not None and flask.request.method in ("GET", "HEAD"):
            return flask.send_file(path, mimetype="application/javascript", conditional=False, etag=False,
                                   last_modified=None, max_age=None)
        return None
