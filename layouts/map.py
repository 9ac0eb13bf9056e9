"""Map page: an indicator or convergence map that drills from provinces to villages, with downloads."""
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from i18n import format_number, localized, t
from layouts import common as layout_common
from layouts.common import current_language, graph_config
from layouts.exports import IMAGE_GRAPH_CONFIG, image_buttons

PAGE = {"path": "/map", "title_key": "nav.map", "order": 20}

TITLE = "map-title"
INDICATOR = "map-indicator"
VIEW = "map-view"
DRILL = "map-drill"
FIGURE_KEY = "map-figure-key"
BREADCRUMB = "map-breadcrumb"
CRUMB_NATIONAL = "map-crumb-national"
CRUMB_PROVINCE = "map-crumb-province"
CRUMB_DISTRICT = "map-crumb-district"
BACK = "map-back"
HEADING = "map-heading"
GRAPH = "map-graph"
NOTES = "map-notes"
DOWNLOAD_CSV = "map-download-csv"
DOWNLOAD_GEOJSON = "map-download-geojson"
DOWNLOAD = "map-download"
CONVERGENCE_PANEL = "map-convergence-panel"
CONVERGENCE_CHART = "map-convergence-chart"
CONVERGENCE_TABLE = "map-convergence-table"
QUALITY = "map-quality"
# The map's own part of the address (callbacks/map_url.py; layouts/url_state.py URL_PART).
URL_STATE = {"type": "url-part", "page": "map"}

VIEW_INDICATOR = "indicator"
VIEW_CONVERGENCE = "convergence"
DEFAULT_INDICATOR = "CCT_COMPLY_ALL"
MAP_HEIGHT = 600
MAX_PROBLEM_ROWS = 50


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = current_language(lang)
    controls = dbc.Row(
        [
            dbc.Col([html.Label(t("common.indicator", lang), htmlFor=INDICATOR, className="small text-muted mb-0"),
                     dcc.Dropdown(id=INDICATOR, options=[], value=DEFAULT_INDICATOR, clearable=False,
                                  persistence=True, persistence_type="session")], lg=6),
            dbc.Col([html.Div(t("map.view_label", lang), className="small text-muted mb-0"),
                     dbc.RadioItems(
                         id=VIEW, value=VIEW_INDICATOR, inline=True, className="btn-group",
                         inputClassName="btn-check", labelClassName="btn btn-outline-primary btn-sm",
                         labelCheckedClassName="active",
                         options=[{"label": t("map.view_indicator", lang), "value": VIEW_INDICATOR},
                                  {"label": t("map.view_convergence", lang), "value": VIEW_CONVERGENCE}],
                         persistence=True, persistence_type="session",
                     )], lg=6),
        ],
        className="g-2 mb-2 align-items-end",
    )
    breadcrumb = html.Div(
        [
            html.Nav(
                html.Ol(
                    [html.Li(dbc.Button(t("common.national", lang), id=CRUMB_NATIONAL, color="link", size="sm",
                                        className="p-0"), className="breadcrumb-item"),
                     html.Li(dbc.Button("", id=CRUMB_PROVINCE, color="link", size="sm", className="p-0"),
                             className="breadcrumb-item", id=f"{CRUMB_PROVINCE}-item", hidden=True),
                     html.Li(html.Span("", id=CRUMB_DISTRICT), className="breadcrumb-item active",
                             id=f"{CRUMB_DISTRICT}-item", hidden=True)],
                    className="breadcrumb mb-0",
                ),
                id=BREADCRUMB, **{"aria-label": t("map.breadcrumb_label", lang)},
            ),
            dbc.Button(t("map.back", lang), id=BACK, color="secondary", outline=True, size="sm", disabled=True,
                       className="ms-3"),
        ],
        className="d-flex align-items-center mb-2",
    )
    map_card = dbc.Card(
        [
            dbc.CardHeader(html.Div([html.Span(id=HEADING, className="fw-bold"),
                                     html.Div(image_buttons(GRAPH, lang), className="ms-auto")],
                                    className="d-flex align-items-center flex-wrap gap-2")),
            dbc.CardBody(
                [
                    dcc.Loading(
                        dcc.Graph(id=GRAPH, config=graph_config(lang, scrollZoom=True, **IMAGE_GRAPH_CONFIG),
                                  style={"height": f"{MAP_HEIGHT}px"}, className=layout_common.HAS_MAP),
                        type="circle", delay_show=500, overlay_style={"visibility": "visible", "opacity": 0.6},
                    ),
                    html.Div(id=NOTES, className="small text-muted mt-2"),
                ],
                className="p-2",
            ),
        ]
    )
    side = [
        dbc.Card(
            dbc.CardBody(
                [
                    html.P(t("map.download_help", lang), className="small text-muted mb-2"),
                    dbc.Button(t("map.download_csv", lang), id=DOWNLOAD_CSV, color="primary", size="sm",
                               className="me-2 mb-1"),
                    dbc.Button(t("map.download_geojson", lang), id=DOWNLOAD_GEOJSON, color="primary", outline=True,
                               size="sm", className="mb-1"),
                    dcc.Download(id=DOWNLOAD),
                ]
            ),
            className="mb-3",
        ),
        dbc.Card([dbc.CardHeader(t("map.quality_title", lang)), dbc.CardBody(html.Div(id=QUALITY, className="small"))]),
    ]
    convergence = html.Div(
        dbc.Card(
            [dbc.CardHeader(html.Div([html.Span(id=f"{CONVERGENCE_PANEL}-title"),
                                      html.Div(image_buttons(CONVERGENCE_CHART, lang), className="ms-auto")],
                                     className="d-flex align-items-center flex-wrap gap-2")),
             dbc.CardBody([dcc.Graph(id=CONVERGENCE_CHART, config=graph_config(lang, **IMAGE_GRAPH_CONFIG)),
                           html.Div(id=CONVERGENCE_TABLE)])],
            className="mt-3",
        ),
        id=CONVERGENCE_PANEL, hidden=True,
    )
    return html.Div(
        [
            html.H1(t("map.title", lang), className="page-title", id=TITLE),
            dcc.Store(id=DRILL, storage_type="memory"),
            dcc.Store(id=URL_STATE, storage_type="memory"),
            dcc.Store(id=FIGURE_KEY, storage_type="memory"),
            controls,
            breadcrumb,
            dbc.Row([dbc.Col([map_card, convergence], lg=8), dbc.Col(side, lg=4)], className="g-3"),
        ]
    )


def notes(lines: list[str]) -> list:
    """The sentences under the map, one paragraph each."""
    return [html.P(line, className="mb-1") for line in lines if line]


def convergence_table(summary: pd.DataFrame, n_projects: int, lang: str) -> dbc.Table | html.P:
    """Per target district: target villages, reached by all projects, by at least n-1 (count and %)."""
    if summary.empty:
        return html.P(t("map.conv_no_target", lang), className="text-muted")
    four = n_projects - 1
    header = html.Thead(html.Tr([
        html.Th(t("common.district", lang)),
        html.Th(t("map.col_target_villages", lang), className="text-end"),
        html.Th(t("map.col_all", lang, total=n_projects), className="text-end"),
        html.Th(t("map.col_four", lang, four=four), className="text-end"),
    ]))

    def cell(count, share) -> html.Td:
        return html.Td(f"{format_number(count, lang)} ({format_number(share, lang)} %)", className="text-end")

    rows = [
        html.Tr([html.Td(localized(row, lang)), html.Td(format_number(row["n_villages"], lang), className="text-end"),
                 cell(row["n_all"], row["share_all"]), cell(row["n_four_plus"], row["share_four_plus"])],
                id={"type": "map-convergence-row", "district": row["district_code"]})
        for row in summary.sort_values("district_code").to_dict("records")
    ]
    totals = summary[["n_villages", "n_all", "n_four_plus"]].sum()
    rows.append(html.Tr(
        [html.Th(t("map.total", lang)),
         html.Th(format_number(totals["n_villages"], lang), className="text-end"),
         html.Th(f"{format_number(totals['n_all'], lang)} "
                 f"({format_number(100 * totals['n_all'] / totals['n_villages'], lang)} %)", className="text-end"),
         html.Th(f"{format_number(totals['n_four_plus'], lang)} "
                 f"({format_number(100 * totals['n_four_plus'] / totals['n_villages'], lang)} %)",
                 className="text-end")],
        className="table-light",
    ))
    return dbc.Table([header, html.Tbody(rows)], size="sm", bordered=False, hover=True, className="mb-0")


def quality_panel(completeness: dict | None, problems: dict, without_location: int, lang: str,
                  show_completeness: bool = True) -> list:
    """The data-quality card: completeness of the current map, and the village-layer checks.

    completeness: {"reporting", "expected", "units"} or None when it does not apply;
    show_completeness False leaves it out (the convergence view has no indicator).
    problems: data_access.queries.quality.village_layer_problems(); without_location: a count.
    """
    children = []
    if show_completeness and completeness and completeness["expected"]:
        children.append(html.P(t("map.quality_completeness", lang, reporting=format_number(completeness["reporting"], lang),
                                 expected=format_number(completeness["expected"], lang), units=completeness["units"]),
                               className="mb-1", id="map-quality-completeness"))
        children.append(html.P(t("map.quality_expected_rule", lang), className="text-muted mb-2"))
    elif show_completeness:
        children.append(html.P(t("map.quality_not_applicable", lang), className="text-muted mb-2"))
    if problems["batches"].empty:
        children.append(html.P(t("map.quality_no_village_import", lang), className="mb-1"))
    else:
        children.append(html.P(t("map.quality_imports", lang, files=", ".join(problems["batches"]["file_name"])),
                               className="mb-1"))
        for key, title in (("outside", "map.quality_outside_title"), ("unmatched", "map.quality_unmatched_title")):
            frame = problems[key]
            children.append(html.H6(t(title, lang, count=format_number(len(frame), lang)), className="mt-2"))
            if not frame.empty:
                children.append(_problem_table(frame, lang))
    children.append(html.P(t("map.quality_no_location", lang, count=format_number(without_location, lang)),
                           className="mt-2 mb-0"))
    return children


def _problem_table(frame: pd.DataFrame, lang: str) -> html.Div:
    shown = frame.head(MAX_PROBLEM_ROWS)
    table = dbc.Table(
        [html.Thead(html.Tr([html.Th(t("map.col_file", lang)), html.Th(t("map.col_row", lang)),
                             html.Th(t("map.col_code", lang)), html.Th(t("map.col_problem", lang))])),
         html.Tbody([html.Tr([html.Td(row["file_name"]), html.Td("" if pd.isna(row["row"]) else int(row["row"])),
                              html.Td(row["code"]), html.Td(row["message"])])
                     for row in shown.to_dict("records")])],
        size="sm", className="mb-1",
    )
    more = len(frame) - len(shown)
    return html.Div([table, html.P(t("map.more_rows", lang, count=format_number(more, lang)), className="text-muted")
                     if more > 0 else None])
