"""Helpers shared by page layouts: the visitor's language, ids of the shell's shared stores."""
import flask
from dash import html

from i18n import normalise_language, t, written_language

LANGUAGE_COOKIE = "lang"
# Shell components every page may read (defined in layouts/shell.py, listed here so that
# page modules do not import the shell).
LANGUAGE_STORE = "app-language"
FILTERS_STORE = "app-filters"
DATASET_STORE = "app-dataset"


def current_language(explicit: str | None = None) -> str:
    """?lang= (or an explicit value) first, then the remembered cookie, then DEFAULT_LANGUAGE."""
    default = "lo"
    if flask.has_request_context():
        default = flask.current_app.config.get("DEFAULT_LANGUAGE", "lo")
        explicit = explicit or flask.request.args.get("lang") or flask.request.cookies.get(LANGUAGE_COOKIE)
    return normalise_language(explicit, default=normalise_language(default, "lo"))


def dropdown_labels(lang: str) -> dict[str, str]:
    """Dash 4 dcc.Dropdown's built-in texts in the page's language (the prop is replaced whole)."""
    return {
        "search": t("common.dropdown_search", lang),
        "clear_search": t("common.dropdown_clear_search", lang),
        "clear_selection": t("common.dropdown_clear_selection", lang),
        "no_options_found": t("common.dropdown_no_options", lang),
        "select_all": t("common.dropdown_select_all", lang),
        "deselect_all": t("common.dropdown_deselect_all", lang),
        "selected_count": t("common.dropdown_selected_count", lang),
    }


# Toolbar actions that send a chart off this host (plotly.js 4's "Share chart..." posts it to
# plotlyServerURL, cloud.plotly.com by default): government data must not leave that way.
_LEAVING_THE_HOST = ["sendChartToCloud", "sendDataToCloud", "editInChartStudio"]


# The class of a graph that draws a map: plotly.js starts fetching MapLibre as soon as it loads on a
# page with one (vendor/plotly/lazy-maplibre.js), alongside the page's callbacks.
HAS_MAP = "has-map"


def graph_config(lang: str | None = None, **extra) -> dict:
    """The one dcc.Graph config: no logo, nothing that leaves the host, toolbar tooltips in `lang`.

    `extra` adds to it (scrollZoom, toImageButtonOptions, more buttons to remove).
    """
    from i18n.modebar import plotly_locale

    lang = current_language(lang)
    config = {
        "displaylogo": False,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "showLink": False,
        "plotlyServerURL": "",
        "locale": lang,
    }
    locale = plotly_locale(lang)
    if locale:
        config["locales"] = {lang: locale}
    removed = list(extra.pop("modeBarButtonsToRemove", []))
    config.update(extra)
    config["modeBarButtonsToRemove"] = removed + [name for name in _LEAVING_THE_HOST if name not in removed]
    return config


def current_account() -> dict:
    """Who the navbar shows and which provinces the filters offer (set per request by the access gate).

    Keys: auth_on, demo, username, display_name, role, provinces, visible_provinces (None: all), csrf_token.
    Outside a gated request: accounts off, nobody signed in.
    """
    empty = {"gated": False, "auth_on": False, "demo": False, "username": None, "display_name": None, "role": None,
             "provinces": [], "visible_provinces": None, "csrf_token": None}
    if flask.has_request_context():
        return flask.g.get("shell_account") or empty
    return empty


def free_text(text: str | None, **kwargs) -> html.Span:
    """Text a person typed (an evidence note, a unit's or a mission's name) as written, marked with
    the language it is written in, so that screen readers, the Lao font and the language checks know
    an English note on the Lao page (or a Lao one on the English page) is a quotation, not a gap."""
    language = written_language(text)
    return html.Span(text or "", **({"lang": language} if language else {}), **kwargs)


def sentence_with(key: str, lang: str, **parts) -> list:
    """The catalog sentence `key` with components in place of its {placeholders} (e.g. free_text spans)."""
    marked = t(key, lang, **{name: f"\x00{name}\x00" for name in parts})
    pieces = marked.split("\x00")
    return [parts[piece] if index % 2 else piece for index, piece in enumerate(pieces) if piece or index % 2]
