"""District comparison page: districts x indicators coloured by performance, ranks, stale flags, small multiples."""
import re
from types import SimpleNamespace

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from i18n import format_number, format_period, format_value, localized, t
from layouts.carried import CARRIED_MARK, carried_note
from layouts.common import current_language, graph_config
from layouts.url_state import link
from layouts.exports import export_buttons, image_buttons
from layouts.figures.districts import STALE_COLOUR, performance_colour, text_colour
from layouts.figures.payment_delay import delay_parts

PAGE = {"path": "/districts", "title_key": "nav.districts", "order": 50}

TITLE = "districts-title"
PICKER = "districts-picker"
SELECTION_NOTE = "districts-selection-note"
STALE_PERIODS = "districts-stale-periods"
REFERENCE = "districts-reference"
RANK_BY = "districts-rank-by"
GRID = "districts-grid"
FLAGS = "districts-flags"
TREND_INDICATOR = "districts-trend-indicator"
TRENDS_GRAPH = "districts-trends-graph"
TABLE_COMPARISON = "districts-comparison"

DEFAULT_STALE_PERIODS = 3
STALE_CHOICES = (1, 2, 3, 6, 12)
DEFAULT_TREND_INDICATOR = "CCT_COMPLY_ALL"
NAME_FIELD = "district"
RANK_FIELD = "rank"
STATUS_FIELD = "status"

# Cell styles are computed here and carried in hidden fields of each row, so the grid only
# has to look them up (no styling rules in the browser to keep in step with Python).
CELL_STYLE = {"function": (
    "({backgroundColor: params.data[params.colDef.field + '__bg'] || 'transparent', "
    "color: params.data[params.colDef.field + '__fg'] || '#222', "
    "fontWeight: params.data[params.colDef.field + '__mark'] ? 'bold' : 'normal', "
    "fontStyle: params.data[params.colDef.field + '__italic'] ? 'italic' : 'normal', "
    "textAlign: 'right'})")}
TEXT_FORMATTER = {"function": "params.data[params.colDef.field + '__text']"}
# The rank column sorts on this key, so that unranked districts stay below the ranked ones
# (the grid would put empty values first).
UNRANKED_ORDER = 10_000
RANK_ORDER_FIELD = "rank_order"


LABEL_KEYS = ("select_all", "deselect_all", "selected_count", "search", "clear_search", "clear_selection",
              "no_options_found")


def dropdown_labels(lang: str) -> dict[str, str]:
    """Dash's own dropdown words (search box, "3 selected", ...) in the reader's language."""
    return {key: t(f"districts.dropdown_{key}", lang) for key in LABEL_KEYS}


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = current_language(lang)
    labels = dropdown_labels(lang)
    controls = dbc.Row(
        [
            dbc.Col([html.Label(t("districts.pick_label", lang), htmlFor=PICKER, className="small text-muted"),
                     dcc.Dropdown(id=PICKER, multi=True, options=[], value=[], labels=labels,
                                  placeholder=t("districts.pick_placeholder", lang))], lg=5),
            dbc.Col([html.Label(t("districts.rank_by", lang), htmlFor=RANK_BY, className="small text-muted"),
                     dcc.Dropdown(id=RANK_BY, options=[], value=None, clearable=False, labels=labels)], lg=3),
            dbc.Col([html.Label(t("districts.stale_label", lang), htmlFor=STALE_PERIODS, className="small text-muted"),
                     dcc.Dropdown(id=STALE_PERIODS, clearable=False, value=DEFAULT_STALE_PERIODS, labels=labels,
                                  options=[{"label": t("districts.stale_option", lang, n=n), "value": n}
                                           for n in STALE_CHOICES])], lg=2),
            dbc.Col([html.Label(t("districts.reference_label", lang), className="small text-muted"),
                     dbc.RadioItems(id=REFERENCE, value="auto", options=[
                         {"label": t("districts.reference_auto", lang), "value": "auto"},
                         {"label": t("districts.reference_median", lang), "value": "median"}])], lg=2),
        ],
        className="g-2 mb-2",
    )
    grid = dag.AgGrid(
        id=GRID, rowData=[], columnDefs=[],
        defaultColDef={"sortable": True, "resizable": True, "filter": False, "wrapHeaderText": True,
                       "autoHeaderHeight": True, "minWidth": 90},
        dashGridOptions={"tooltipShowDelay": 300, "animateRows": False, "domLayout": "autoHeight",
                         "suppressColumnVirtualisation": True,
                         "localeText": {"noRowsToShow": t("districts.grid_no_rows", lang)},
                         "suppressCellFocus": True},
        columnSize="responsiveSizeToFit", style={"width": "100%"}, className="ag-theme-quartz",
    )
    return html.Div(
        [
            html.H1(t("districts.title", lang), className="page-title", id=TITLE),
            controls,
            html.Div(id=SELECTION_NOTE, className="small text-muted mb-2"),
            dbc.Card([
                dbc.CardHeader(html.Div([html.Span(t("districts.grid_card", lang), className="fw-semibold"),
                                         html.Div(export_buttons(TABLE_COMPARISON, lang), className="ms-auto")],
                                        className="d-flex align-items-center flex-wrap gap-2")),
                dbc.CardBody([
                    dcc.Loading(grid, type="dot"),
                    html.Div(_legend(lang), className="small text-muted mt-2"),
                    html.Div(id=FLAGS, className="mt-2"),
                ]),
            ], className="mb-3"),
            dbc.Card([
                dbc.CardHeader(html.Div([
                    html.Span(t("districts.trends_card", lang), className="fw-semibold me-3"),
                    html.Div(dcc.Dropdown(id=TREND_INDICATOR, options=[], value=None,
                                          clearable=False, labels=labels), style={"minWidth": "320px"}),
                    html.Div(image_buttons(TRENDS_GRAPH, lang), className="ms-auto"),
                ], className="d-flex align-items-center flex-wrap gap-2")),
                dbc.CardBody(dcc.Loading(dcc.Graph(id=TRENDS_GRAPH, config=graph_config(
                    lang, modeBarButtonsToRemove=["toImage"])), type="dot")),
            ], className="mb-3"),
        ]
    )


def _legend(lang: str) -> list:
    swatches = [(performance_colour(-0.3), t("districts.legend_worse", lang)),
                (performance_colour(0.0), t("districts.legend_equal", lang)),
                (performance_colour(0.3), t("districts.legend_better", lang))]
    items = [html.Span([html.Span(style={"display": "inline-block", "width": "14px", "height": "14px",
                                         "background": colour, "border": "1px solid #999",
                                         "verticalAlign": "middle", "marginRight": "4px"}), label],
                       className="me-3") for colour, label in swatches]
    return items + [html.Span(t("districts.legend_marks", lang))]


def indicator_options(indicators: pd.DataFrame, lang: str) -> list[dict]:
    return [{"label": localized(row, lang), "value": row.code} for row in indicators.itertuples()]


def district_options(districts: pd.DataFrame, lang: str) -> list[dict]:
    """Every district as "District (Province)", searchable in either language."""
    return [{"label": f"{localized(row, lang)} ({localized(row, lang, 'province_name')})", "value": row.code,
             "search": f"{row.name_en} {row.name_lo} {row.province_name_en} {row.province_name_lo}"}
            for row in districts.itertuples()]


def _direction_text(direction: str, lang: str) -> str:
    return t(f"districts.direction_{direction}", lang) if direction in ("higher", "lower") else ""


def _cell_tip(cell: SimpleNamespace, indicator: dict, district_name: str, lang: str) -> str:
    """What a cell means, in words: value and period, where it comes from, against what, rank."""
    unit = indicator["unit"]
    parts = [f"{district_name} – {localized(indicator, lang)}"]
    if pd.isna(cell.value):
        if cell.status == "stale":
            parts.append(t("districts.tip_stale", lang, period=format_period(cell.last_period, lang)))
        elif cell.status == "never":
            parts.append(t("districts.tip_never", lang))
        else:
            parts.append(t("common.no_data", lang))
        return " · ".join(parts)
    parts.append(f"{format_value(cell.value, unit, lang)} ({format_period(cell.period, lang)})")
    carried = carried_note(vars(cell), lang)
    if carried:
        parts.append(carried)
    if isinstance(getattr(cell, "payment_delay", None), dict):
        # The ranked figure includes cycles still waiting: name both parts.
        parts.extend(delay_parts(cell.payment_delay, cell.period, lang))
    if cell.value_level == "province":
        parts.append(t("districts.tip_borrowed", lang))
    if not pd.isna(cell.denominator) and unit == "percent":
        parts.append(f"{format_number(cell.numerator, lang)} / {format_number(cell.denominator, lang)}")
    if not pd.isna(cell.reference):
        kind = cell.reference_kind
        if kind == "target":
            where = t("districts.target_at_national", lang) if cell.target_code == "00" else (
                t("districts.target_at_province", lang) if len(str(cell.target_code)) == 2
                else t("districts.target_at_district", lang))
            parts.append(f"{where}: {format_value(cell.reference, unit, lang)}")
        else:
            parts.append(t("districts.tip_median", lang, value=format_value(cell.reference, unit, lang)))
    if not pd.isna(cell.performance):
        parts.append(t("districts.tip_better" if cell.performance >= 0 else "districts.tip_worse", lang,
                       share=format_number(abs(cell.performance) * 100, lang, 0)))
    if not pd.isna(cell.rank):
        shared = getattr(cell, "rank_shared_by", 1)
        # Ranks tie within the uncertainty (data_access.significance): say so, not a false order.
        parts.append(t("districts.tip_rank_shared", lang, rank=int(cell.rank), count=shared) if shared > 1
                     else t("districts.tip_rank", lang, rank=int(cell.rank)))
    return " · ".join(parts)


# The district's name as a Markdown link to its map (Markdown is made in Python, escaped so that a
# bracket in a name stays text; the renderer shows no HTML). Sorting reads the name, which leads it.
NAME_AS_LINK = {"cellRenderer": "markdown",
                "valueGetter": {"function": "params.data.district_md || params.data.district"}}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!<>|~-])")


def markdown_link(text: str, href: str) -> str:
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return f"[{escaped}]({href})"


def comparison_grid(result: dict, lang: str, rank_by: str | None = None,
                    scope: str | None = None, period: str | None = None) -> tuple[list[dict], list[dict]]:
    """(columnDefs, rowData) for the districts x indicators grid from district_comparison().

    Each indicator column holds the number (so that sorting is numeric) and hidden fields
    <code>__text (what is shown), __bg/__fg (performance colour), __mark (best/worst),
    __italic (a province estimate or a report older than the as-of period) and __tip.
    Rows come sorted by rank on `rank_by` (missing last), with that rank in a column.
    With `period`, each district's name links to the map drilled to it (field map_href: the
    shared filter `scope`, the month, the ranked indicator).
    """
    districts, indicators, cells = result["districts"], result["indicators"], result["cells"]
    present = [code for code in indicators["code"] if code in set(cells["indicator_code"])]
    indicators = indicators.set_index("code")
    rank_by = rank_by if rank_by in present else (present[0] if present else None)
    # Surveys come every few years and are never "stale"; reporting is judged on the rest.
    routine = [code for code in present if indicators.loc[code, "aggregation"] != "survey"]
    rows = []
    shared = cells.groupby(["indicator_code", "rank"]).size().to_dict() if len(cells) else {}
    cells = cells.assign(rank_shared_by=[shared.get((code, rank), 1) if not pd.isna(rank) else 1
                                         for code, rank in zip(cells["indicator_code"], cells["rank"])])
    # Plain dicts: a pandas row lookup per cell cost more than everything else here.
    by_district: dict[str, dict[str, dict]] = {}
    for record in cells.to_dict("records"):
        by_district.setdefault(record["district_code"], {})[record["indicator_code"]] = record
    indicator_rows = {code: pd.Series(values) for code, values in indicators.to_dict("index").items()}
    for district in districts.itertuples():
        name = localized(district, lang)
        row: dict = {"code": district.code, NAME_FIELD: name,
                     "province": localized(district, lang, "province_name"),
                     f"{NAME_FIELD}__tip": t("districts.phase1_tip", lang) if district.is_target else ""}
        if district.is_target:
            row[NAME_FIELD] = name + " ●"
        if period:
            row["district_md"] = markdown_link(row[NAME_FIELD], link("/map", scope, period, drill=district.code,
                                                                     indicator=rank_by))
        own = by_district.get(district.code)
        stale, never = [], 0
        for code in present:
            if own is None or code not in own:
                continue
            cell = SimpleNamespace(**own[code])
            indicator = indicator_rows[code]
            value = None if pd.isna(cell.value) else round(float(cell.value), 4)
            row[code] = value
            if value is None:
                text = t("districts.cell_stale", lang) if cell.status == "stale" else (
                    "–" if cell.status == "never" else t("common.no_report", lang))
            else:
                text = format_value(value, indicator["unit"], lang)
                if cell.value_level == "province":
                    text = f"({text})"
            carried = value is not None and getattr(cell, "carried_units", 0) > 0
            if carried:
                text = f"{text} {CARRIED_MARK}"
            mark = "best" if cell.is_best else ("worst" if cell.is_worst else "")
            if mark:
                text = ("▲ " if mark == "best" else "▼ ") + text
            background = performance_colour(cell.performance)
            if value is None and cell.status == "stale":
                background = "#fdebd0"
            row[f"{code}__text"] = text
            row[f"{code}__bg"] = background
            row[f"{code}__fg"] = text_colour(background)
            row[f"{code}__mark"] = mark
            row[f"{code}__italic"] = bool(value is not None and (cell.value_level == "province" or cell.earlier
                                                                 or carried))
            row[f"{code}__tip"] = _cell_tip(cell, indicator.to_dict() | {"code": code}, name, lang)
            if cell.status == "stale":
                stale.append(localized(indicator, lang))
            elif cell.status == "never":
                never += 1
            if code == rank_by:
                row[RANK_FIELD] = None if pd.isna(cell.rank) else int(cell.rank)
        if stale:
            row[STATUS_FIELD] = t("districts.status_stale", lang, count=len(stale))
            row[f"{STATUS_FIELD}__tip"] = t("districts.status_stale_tip", lang, n=result["stale_periods"],
                                            names=", ".join(stale))
            row[f"{STATUS_FIELD}__bg"] = STALE_COLOUR
            row[f"{STATUS_FIELD}__fg"] = "#ffffff"
        elif routine and never == len(routine):
            row[STATUS_FIELD] = t("districts.status_no_reports", lang)
            row[f"{STATUS_FIELD}__tip"] = t("districts.status_no_reports_tip", lang)
            row[f"{STATUS_FIELD}__bg"] = "#d9d9d9"
        else:
            row[STATUS_FIELD] = t("districts.status_ok", lang)
            row[f"{STATUS_FIELD}__tip"] = ""
        row[f"{STATUS_FIELD}__text"] = row[STATUS_FIELD]
        row.setdefault(RANK_FIELD, None)
        row[RANK_ORDER_FIELD] = UNRANKED_ORDER if row[RANK_FIELD] is None else row[RANK_FIELD]
        row[f"{RANK_ORDER_FIELD}__text"] = "" if row[RANK_FIELD] is None else str(row[RANK_FIELD])
        rows.append(row)
    rows.sort(key=lambda item: (item[RANK_FIELD] is None, item[RANK_FIELD] or 0, item["code"]))
    columns = [
        {"field": RANK_ORDER_FIELD, "headerName": t("districts.col_rank", lang), "pinned": "left", "width": 100,
         "minWidth": 100, "sort": "asc", "valueFormatter": TEXT_FORMATTER, "headerTooltip": t("districts.col_rank_tip", lang,
                                                           indicator=localized(indicators.loc[rank_by], lang))
         if rank_by else ""},
        {"field": NAME_FIELD, "headerName": t("common.district", lang), "pinned": "left", "minWidth": 130,
         "tooltipField": f"{NAME_FIELD}__tip", **(NAME_AS_LINK if period else {})},
        {"field": "province", "headerName": t("common.province", lang), "minWidth": 110},
        {"field": STATUS_FIELD, "headerName": t("districts.col_status", lang), "minWidth": 120,
         "tooltipField": f"{STATUS_FIELD}__tip",
         "cellStyle": {"function": "({backgroundColor: params.data.status__bg || 'transparent', "
                                   "color: params.data.status__fg || '#222'})"}},
    ]
    for code in present:
        indicator = indicators.loc[code]
        columns.append({
            "field": code, "headerName": localized(indicator, lang),
            "headerTooltip": " – ".join(part for part in (localized(indicator, lang),
                                                          _direction_text(indicator["direction"], lang)) if part),
            "type": "numericColumn", "valueFormatter": TEXT_FORMATTER, "cellStyle": CELL_STYLE,
            "tooltipField": f"{code}__tip", "minWidth": 125,
            "headerClass": "districts-ranked-column" if code == rank_by else None,
        })
    return columns, rows


def stale_flags(result: dict, lang: str) -> html.Div:
    """Alerts naming the districts that are stale (no report in the last N periods) or silent."""
    cells, districts = result["cells"], result["districts"]
    if cells.empty:
        return html.Div()
    names = {row.code: localized(row, lang) for row in districts.itertuples()}
    stale = cells[cells["status"] == "stale"]
    messages = []
    for code, group in stale.groupby("district_code"):
        last = group["last_period"].max()
        messages.append(t("districts.flag_stale", lang, district=names.get(code, code), count=len(group),
                          period=format_period(last, lang)))
    surveys = set(result["indicators"].loc[result["indicators"]["aggregation"] == "survey", "code"])
    routine = cells[~cells["indicator_code"].isin(surveys)]
    silent = [code for code, group in routine.groupby("district_code") if (group["status"] == "never").all()]
    if silent:
        messages.append(t("districts.flag_no_reports", lang, districts=", ".join(names.get(c, c) for c in silent)))
    if not messages:
        return html.Div(dbc.Alert(t("districts.flag_none", lang, n=result["stale_periods"]), color="success",
                                  className="py-1 px-2 mb-0 small"))
    return html.Div([dbc.Alert(message, color="warning", className="py-1 px-2 mb-1 small") for message in messages],
                    id="districts-flag-list")
