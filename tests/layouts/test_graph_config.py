"""Every chart's toolbar: nothing that leaves the host, tooltips in the page's language."""
import re
from pathlib import Path

import dash
import plotly
import pytest
from dash import dcc
from flask import Flask

from i18n.modebar import plotly_locale
from layouts.common import graph_config

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
# Buttons our charts never show: 3D scenes, shape drawing, JSON export, and the cloud upload we remove.
NOT_ON_OUR_CHARTS = {"Orbital rotation", "Turntable rotation", "Reset camera to default", "Reset camera to last save",
                     "Draw circle", "Draw closed freeform", "Draw line", "Draw open freeform", "Draw rectangle",
                     "Erase active shape", "Download plot as JSON", "Share chart..."}


def _modebar_titles() -> set[str]:
    source = PLOTLY_JS.read_text(encoding="utf-8")
    return set(re.findall(r'title:function\(\w\)\{return \w+\(\w,"([^"]+)"\)', source)) | set(
        re.findall(r'\?\w+\(\w,"(Download plot[^"]*)"\)', source))


def test_plotly_js_still_has_the_buttons_this_test_knows():
    titles = _modebar_titles()
    assert {"Zoom", "Pan", "Autoscale", "Reset axes", "Share chart..."} <= titles, titles


def test_every_toolbar_tooltip_plotly_shows_us_has_a_lao_text():
    dictionary = plotly_locale("lo")["dictionary"]
    missing = sorted(_modebar_titles() - NOT_ON_OUR_CHARTS - set(dictionary))
    assert not missing, f"plotly.js toolbar strings without Lao in i18n/catalogs/modebar.toml: {missing}"
    assert all(text and text != english for english, text in dictionary.items())


def test_lao_month_names_come_from_cldr():
    months = plotly_locale("lo")["format"]["months"]
    assert len(months) == 12 and months[0] == "ມັງກອນ" and months[11] == "ທັນວາ"


@pytest.mark.parametrize("lang", ["lo", "en"])
def test_the_config_removes_every_action_leaving_the_host(lang):
    config = graph_config(lang, modeBarButtonsToRemove=["lasso2d"], scrollZoom=True)
    assert config["showSendToCloud"] is False and config["showEditInChartStudio"] is False
    assert config["showLink"] is False and config["plotlyServerURL"] == ""
    assert {"sendChartToCloud", "lasso2d"} <= set(config["modeBarButtonsToRemove"])
    assert config["scrollZoom"] is True and config["locale"] == lang
    assert ("locales" in config) == (lang == "lo")


def _graphs(component):
    if isinstance(component, dcc.Graph):
        yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            yield from _graphs(child)


@pytest.mark.parametrize("lang", ["lo", "en"])
def test_every_graph_on_every_page_uses_the_one_config(sqlite_demo_url, lang):
    from dashboard.app import create_app

    create_app({"DATABASE_URL": sqlite_demo_url})
    graphs = []
    with Flask(__name__).test_request_context(f"/?lang={lang}"):
        for page in dash.page_registry.values():
            graphs += [(page["path"], graph) for graph in _graphs(page["layout"](lang=lang))]
    assert len(graphs) >= 8, "the walk found almost no charts"
    for path, graph in graphs:
        config = graph.config or {}
        assert config.get("showSendToCloud") is False and config.get("plotlyServerURL") == "", (path, graph.id)
        assert config.get("locale") == lang, (path, graph.id)
