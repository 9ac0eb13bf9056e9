"""Phase II targeting page: every district ranked by need and gap, with user weights, a map and the score explained."""
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from i18n import format_number, format_period, localized, t
from layouts import common as layout_common
from layouts.common import current_language, graph_config
from layouts.exports import IMAGE_GRAPH_CONFIG, image_buttons
from layouts.phase2_panels import settings_card

PAGE = {"path": "/phase2", "title_key": "nav.phase2", "order": 60, "filters": ("period",)}

TITLE = "phase2-title"
WEIGHT_STUNTING = "phase2-weight-stunting"
WEIGHT_POVERTY = "phase2-weight-poverty"
WEIGHT_COVERAGE = "phase2-weight-coverage"
WEIGHT_SHARES = "phase2-weight-shares"
SELECT_COUNT = "phase2-select-count"
EXCLUDE_PHASE1 = "phase2-exclude-phase1"
EXPLANATION = "phase2-explanation"
MAP = "phase2-map"
BREAKDOWN = "phase2-breakdown"
TABLE = "phase2-table"
SUMMARY = "phase2-summary"
TICKED = "phase2-ticked"
SELECTION = "phase2-selection"
MAP_BUILT = "phase2-map-built"
# A weight moved or a tick: only each district's rank, score and tick box come back, merged into the
# table's rows in the browser (callbacks/phase2.py), not the whole table again.
RANKING_UPDATE = "phase2-ranking-update"
RESET_TICKS = "phase2-reset-ticks"
MODE_NOTE = "phase2-mode-note"
COSTS = "phase2-costs"
BUDGET = "phase2-budget"
ROBUSTNESS = "phase2-robustness"
PHASE1 = "phase2-phase1"
MIX = "phase2-mix"
METHOD = "phase2-method"
EXPORT = "phase2-export"
DOWNLOAD = "phase2-download"
URL_SINK = "phase2-url-sink"
TO_REPORT = "phase2-to-report"
SETTINGS_TABLE = "phase2-settings-table"
SETTINGS_SAVE = "phase2-settings-save"
SETTINGS_MESSAGE = "phase2-settings-message"
SETTINGS_VERSION = "phase2-settings-version"
SETTING_FIELD = "phase2-setting"

COMPONENT_ORDER = ("stunting", "poverty", "coverage")
WEIGHT_IDS = {"stunting": WEIGHT_STUNTING, "poverty": WEIGHT_POVERTY, "coverage": WEIGHT_COVERAGE}
DEFAULT_WEIGHTS = {"stunting": 50, "poverty": 25, "coverage": 25}
DEFAULT_SELECT_COUNT = 12


def selection_from_query(query: dict) -> dict:
    """The choices a shared link carries: ?w=50,25,25&n=12&x1=0&pick=0201,0207 (anything bad -> default).

    w: weights in COMPONENT_ORDER (0-100); n: districts to select (1-148); x1=0 keeps the
    Phase I districts in; pick: districts ticked by hand (present, even empty, means by hand).
    """
    weights = dict(DEFAULT_WEIGHTS)
    parts = str(query.get("w") or "").split(",")
    if len(parts) == len(COMPONENT_ORDER):
        try:
            values = [min(100, max(0, int(float(part)))) for part in parts]
            weights = dict(zip(COMPONENT_ORDER, values))
        except ValueError:
            pass
    try:
        count = min(148, max(1, int(str(query.get("n")))))
    except ValueError:
        count = DEFAULT_SELECT_COUNT
    ticked = None
    if "pick" in query:
        ticked = sorted({code for code in str(query.get("pick") or "").split(",") if code.isdigit() and len(code) == 4})
    return {"weights": weights, "n": count, "exclude": str(query.get("x1", "1")) != "0", "ticked": ticked}


def _slider(component: str, lang: str, value: int) -> html.Div:
    return html.Div(
        [
            html.Label(t(f"phase2.weight_{component}", lang), htmlFor=WEIGHT_IDS[component], className="small mb-0"),
            dcc.Slider(id=WEIGHT_IDS[component], min=0, max=100, step=5, value=value,
                       marks={0: "0", 50: "50", 100: "100"}, tooltip={"placement": "bottom", "always_visible": False},
                       updatemode="mouseup"),
        ],
        className="mb-2",
    )


def layout(lang: str | None = None, **query) -> html.Div:
    lang = current_language(lang)
    chosen = selection_from_query(query)
    controls = dbc.Card([
        dbc.CardHeader(t("phase2.weights_card", lang), className="fw-semibold"),
        dbc.CardBody([
            *[_slider(component, lang, chosen["weights"][component]) for component in COMPONENT_ORDER],
            html.Div(id=WEIGHT_SHARES, className="small text-muted mb-2"),
            html.Label(t("phase2.select_count", lang), htmlFor=SELECT_COUNT, className="small mb-0"),
            dcc.Slider(id=SELECT_COUNT, min=4, max=40, step=1, value=min(40, max(4, chosen["n"])),
                       marks={4: "4", 12: "12", 20: "20", 30: "30", 40: "40"},
                       updatemode="mouseup"),
            dbc.Checklist(id=EXCLUDE_PHASE1, value=["exclude"] if chosen["exclude"] else [], className="small mt-2",
                          options=[{"label": t("phase2.exclude_phase1", lang), "value": "exclude"}]),
            html.Div(id=MODE_NOTE, className="small mt-2"),
            dbc.Button(t("phase2.reset_ticks", lang), id=RESET_TICKS, size="sm", color="secondary", outline=True,
                       className="mt-1"),
        ]),
    ], className="mb-3")
    stores = [dcc.Store(id=TICKED, data=chosen["ticked"]), dcc.Store(id=SELECTION, data=[]), dcc.Store(id=MAP_BUILT),
              dcc.Store(id=RANKING_UPDATE),
              dcc.Store(id=URL_SINK), dcc.Store(id=SETTINGS_VERSION, data=0), dcc.Download(id=DOWNLOAD)]
    return html.Div(
        [
            *stores,
            html.H1(t("phase2.title", lang), className="page-title", id=TITLE),
            html.P(t("phase2.intro", lang), className="text-muted"),
            dbc.Row(
                [
                    dbc.Col([controls,
                             dbc.Card([dbc.CardHeader(t("phase2.explain_card", lang), className="fw-semibold"),
                                       dbc.CardBody(html.Div(id=EXPLANATION, className="small"))],
                                      className="mb-3")], lg=4),
                    dbc.Col([
                        # the consequences first, beside the weights that change them
                        dbc.Card([dbc.CardHeader([t("phase2.costs_card", lang),
                                                  dbc.Button(t("phase2.export", lang), id=EXPORT, size="sm",
                                                             color="primary", className="float-end")],
                                                 className="fw-semibold"),
                                  dbc.CardBody([html.Div(id=COSTS), html.Div(id=BUDGET, className="mt-2"),
                                                # the report's Phase II section with this selection (href set in the browser)
                                                dcc.Link(t("phase2.to_report", lang), href="/report", id=TO_REPORT,
                                                         className="small d-inline-block mt-2")])],
                                 className="mb-3"),
                        html.Div(id=SUMMARY, className="mb-2"),
                        dbc.Card([_image_header(t("phase2.map_card", lang), MAP, lang),
                                  dbc.CardBody(dcc.Loading(dcc.Graph(id=MAP, config=graph_config(lang, **IMAGE_GRAPH_CONFIG),
                                                                     style={"height": "560px"}, className=layout_common.HAS_MAP), type="dot"))],
                                 className="mb-3"),
                    ], lg=8),
                ]
            ),
            dbc.Card([dbc.CardHeader(t("phase2.table_card", lang), className="fw-semibold"),
                      dbc.CardBody([dag.AgGrid(
                          id=TABLE, rowData=[], columnDefs=[], className="ag-theme-quartz",
                          getRowId="params.data.district_code",
                          defaultColDef={"sortable": True, "resizable": True, "minWidth": 80,
                                         "wrapHeaderText": True, "autoHeaderHeight": True},
                          dashGridOptions={"pagination": True, "paginationPageSize": 20,
                                           "tooltipShowDelay": 300, "suppressCellFocus": True,
                                           # every column is in the page, so a person (or a test) finds it
                                           "suppressColumnVirtualisation": True,
                                           "localeText": grid_locale(lang)},
                          columnSize="responsiveSizeToFit", style={"height": "640px"}),
                          html.Div(t("phase2.table_note", lang), className="small text-muted mt-1")])],
                     className="mb-3"),
            dbc.Row([
                dbc.Col(dbc.Card([_image_header(t("phase2.breakdown_card", lang), BREAKDOWN, lang),
                                  dbc.CardBody(dcc.Loading(dcc.Graph(id=BREAKDOWN, config=graph_config(lang, **IMAGE_GRAPH_CONFIG)),
                                                           type="dot"))], className="mb-3"), lg=6),
                dbc.Col(dbc.Card([dbc.CardHeader(t("phase2.robustness_card", lang), className="fw-semibold"),
                                  dbc.CardBody(html.Div(id=ROBUSTNESS, className="small"))], className="mb-3"), lg=6),
            ]),
            dbc.Card([_image_header(t("phase2.phase1_card", lang), MIX, lang),
                      dbc.CardBody(dbc.Row([dbc.Col(html.Div(id=PHASE1, className="small"), lg=5),
                                            dbc.Col(dcc.Loading(dcc.Graph(id=MIX, config=graph_config(lang, **IMAGE_GRAPH_CONFIG)),
                                                                type="dot"), lg=7)]))], className="mb-3"),
            dbc.Card([dbc.CardHeader(t("phase2.method_card", lang), className="fw-semibold"),
                      dbc.CardBody(html.Div(id=METHOD, className="small"))], className="mb-3"),
            settings_card(lang, SETTINGS_TABLE, SETTING_FIELD, SETTINGS_SAVE, SETTINGS_MESSAGE),
        ]
    )


def _image_header(title: str, graph: str, lang: str) -> dbc.CardHeader:
    """A card title with the PNG/SVG download of the card's chart (layouts/exports.py)."""
    return dbc.CardHeader(html.Div([html.Span(title), html.Div(image_buttons(graph, lang), className="ms-auto")],
                                   className="d-flex align-items-center flex-wrap gap-2"), className="fw-semibold")


def grid_locale(lang: str) -> dict[str, str]:
    """The grid's own words (pager, empty table) in the reader's language."""
    return {"page": t("phase2.grid_page", lang), "of": t("phase2.grid_of", lang), "to": t("phase2.grid_to", lang),
            "pageSizeSelectorLabel": t("phase2.grid_page_size", lang),
            "noRowsToShow": t("phase2.grid_no_rows", lang)}


def weight_shares(weights: dict[str, float], available: dict[str, bool], lang: str) -> str:
    """"Stunting 50 %, convergence gap 50 %": the weights as shares of their sum (unavailable ones out)."""
    used = {name: weight for name, weight in weights.items() if available.get(name) and weight > 0}
    total = sum(used.values())
    if not total:
        return t("phase2.no_weights", lang)
    return t("phase2.shares", lang, shares=", ".join(
        f"{t(f'phase2.component_{name}', lang)} {format_number(100 * weight / total, lang, 0)} %"
        for name, weight in used.items()))


def explanation(weights: dict[str, float], available: dict[str, bool], as_of: str, lang: str) -> list:
    """The score in words, with the weights in force: how each part is measured and combined."""
    items = [html.P(t("phase2.explain_formula", lang))]
    bullets = []
    for name in COMPONENT_ORDER:
        text = t(f"phase2.explain_{name}", lang)
        if not available.get(name):
            text += " " + t("phase2.explain_unavailable", lang)
        bullets.append(html.Li(text))
    items.append(html.Ul(bullets, className="mb-2"))
    items += [html.P(t("phase2.explain_scale", lang)), html.P(t("phase2.explain_missing", lang)),
              html.P(weight_shares(weights, available, lang), className="fw-semibold mb-1"),
              html.P(t("phase2.explain_as_of", lang, period=format_period(as_of, lang)), className="mb-0")]
    return items


def selection_summary(scored: pd.DataFrame, lang: str) -> dbc.Alert:
    """One sentence: how many districts are selected, in which provinces, how many people already Phase I."""
    selected = scored[scored["selected"]]
    provinces = sorted({localized(row, lang, "province_name") for row in selected.itertuples()})
    return dbc.Alert(
        t("phase2.summary", lang, count=len(selected), n_provinces=len(provinces), provinces=", ".join(provinces)),
        color="light", className="py-2 mb-2 border", id="phase2-summary-text",
    )


def ranking_grid(scored: pd.DataFrame, components: list[str], lang: str, n: int = DEFAULT_SELECT_COUNT,
                 robust: bool = True) -> tuple[list[dict], list[dict]]:
    """(columnDefs, rowData) of the national ranking: rank, district, province, score, components, households,
    cost, robustness, and a tick box (the "selected" cell: clicking it adds or removes the district).

    Ranked districts first, then the unranked by score, then those without a score (with the reason).
    """
    rows = []
    # Unranked districts (Phase I ones left out) still show their score, highest first.
    ordered = scored.sort_values(["rank", "score", "district_code"], ascending=[True, False, True],
                                 na_position="last")
    for row in ordered.itertuples():
        record = {
            "district_code": row.district_code,
            "rank": None if pd.isna(row.rank) else int(row.rank),
            "district": localized(row, lang),
            "province": localized(row, lang, "province_name"),
            "score": None if pd.isna(row.score) else round(float(row.score), 1),
            "selected": "☑" if row.selected else "☐",
            "phase1": t("phase2.yes", lang) if row.is_target else "",
        }
        for component in components:
            value = getattr(row, component)
            record[component] = None if pd.isna(value) else round(float(value), 1)
            level = getattr(row, f"{component}_level", None) if component != "coverage" else None
            record[f"{component}__tip"] = t("phase2.province_estimate", lang) if level == "province" else ""
            record[f"{component}__text"] = (t("common.no_data", lang) if pd.isna(value)
                                            else format_number(value, lang, 1) + " %"
                                            + (" ᴾ" if level == "province" else ""))
        partial = bool(getattr(row, "partial", False)) and not pd.isna(row.score)
        reason = getattr(row, "reason", None)
        record["score__text"] = (format_number(row.score, lang, 1) + (" *" if partial else "")
                                 if not pd.isna(row.score)
                                 else t("phase2.not_scored", lang, why=t(f"phase2.not_scored_{reason or 'no_components'}", lang)))
        record["score__tip"] = t("phase2.partial", lang) if partial else ""
        for column in ("eligible_households", "beneficiaries", "cost_usd"):
            value = getattr(row, column, None)
            record[column] = None if value is None or pd.isna(value) else float(value)
            record[f"{column}__text"] = format_number(value, lang, 0)
        share = getattr(row, "robust_share", None)
        record["robust"] = None if share is None or pd.isna(share) else round(float(share))
        depends = getattr(row, "depends_on", ()) or ()
        record["robust__text"] = ("" if record["robust"] is None else format_number(share, lang, 0) + " %"
                                  + (" ⚑" if depends else ""))
        record["robust__tip"] = (t("phase2.depends_on", lang, weights=", ".join(
            t(f"phase2.weightname_{name}", lang) for name in depends)) if depends else "")
        rows.append(record)
    formatter = {"function": "params.data[params.colDef.field + '__text']"}
    return grid_columns(components, lang, n, robust, formatter), rows


# What ranking_update sends for each district, in this order (merged into the rows in the browser).
UPDATE_FIELDS = ("district_code", "rank", "score", "score__text", "score__tip", "selected", "robust", "robust__text",
                 "robust__tip")


def ranking_update(rows: list[dict]) -> list[list]:
    """The fields of ranking_grid's rows a weight or a tick changes, one short list per district."""
    return [[row[field] for field in UPDATE_FIELDS] for row in rows]


def grid_columns(components: list[str], lang: str, n: int, robust: bool, formatter: dict) -> list[dict]:
    columns = [
        {"field": "selected", "headerName": t("phase2.col_selected", lang), "minWidth": 100, "maxWidth": 120,
         "pinned": "left", "cellStyle": {"cursor": "pointer", "fontSize": "1.1em"},
         "headerTooltip": t("phase2.tick_hint", lang)},
        {"field": "rank", "headerName": t("phase2.col_rank", lang), "minWidth": 70, "maxWidth": 90, "pinned": "left"},
        {"field": "district", "headerName": t("common.district", lang), "minWidth": 120, "pinned": "left"},
        {"field": "province", "headerName": t("common.province", lang), "minWidth": 110},
        {"field": "score", "headerName": t("phase2.col_score", lang), "type": "numericColumn",
         "valueFormatter": formatter, "cellStyle": {"fontWeight": "bold"}, "tooltipField": "score__tip",
         "minWidth": 110},
    ]
    for component in components:
        columns.append({"field": component, "headerName": t(f"phase2.col_{component}", lang),
                        "type": "numericColumn", "valueFormatter": formatter, "tooltipField": f"{component}__tip",
                        "minWidth": 125})
    columns += [
        {"field": "eligible_households", "headerName": t("phase2.col_households", lang), "type": "numericColumn",
         "valueFormatter": formatter, "minWidth": 110},
        {"field": "cost_usd", "headerName": t("phase2.col_cost_usd", lang), "type": "numericColumn",
         "valueFormatter": formatter, "minWidth": 110},
    ]
    if robust:
        columns.append({"field": "robust", "headerName": t("phase2.col_robust", lang, n=n), "type": "numericColumn",
                        "valueFormatter": formatter, "tooltipField": "robust__tip", "minWidth": 120})
    columns.append({"field": "phase1", "headerName": t("phase2.col_phase1", lang), "minWidth": 90})
    return columns
