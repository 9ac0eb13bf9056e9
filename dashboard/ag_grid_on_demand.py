"""AG Grid's bundle (1.3 MB raw, 284 kB sent) only on the pages that show a table.

Dash puts every component library's main script into every page, so the Overview, the Map, Trends,
Review and Import downloaded and parsed AG Grid without showing a grid. Here the bundle is marked
`dynamic` (still registered and served at its fingerprinted URL, no longer in the page), the page
names that URL in `<meta name="dash-ag-grid-src">`, and assets/js/ag-grid-on-demand.js stands in
for the `dash_ag_grid` namespace: the first grid rendered fetches the bundle, shows the loading
overlay meanwhile and then renders the real AgGrid with the same props.
"""
import os
from functools import lru_cache

import dash_ag_grid
from dash.fingerprint import build_fingerprint

BUNDLE = "dash_ag_grid.min.js"
META_NAME = "dash-ag-grid-src"


def install() -> None:
    """Take the bundle out of the page (idempotent; before the first page is rendered)."""
    dash_ag_grid._js_dist = [
        {**resource, "dynamic": True} if resource.get("relative_package_path") == BUNDLE else resource
        for resource in dash_ag_grid._js_dist
    ]


@lru_cache(maxsize=4)
def bundle_url(requests_pathname_prefix: str) -> str:
    """The URL Dash serves the bundle at, fingerprinted as Dash fingerprints it (version and mtime; read
    once per process rather than at every page view: the installed package does not change under it)."""
    path = os.path.join(os.path.dirname(dash_ag_grid.__file__), BUNDLE)
    fingerprint = build_fingerprint(BUNDLE, dash_ag_grid.__version__, int(os.stat(path).st_mtime))
    return f"{requests_pathname_prefix}_dash-component-suites/dash_ag_grid/{fingerprint}"


def meta_tag(requests_pathname_prefix: str) -> str:
    return f'<meta name="{META_NAME}" content="{bundle_url(requests_pathname_prefix)}">'
