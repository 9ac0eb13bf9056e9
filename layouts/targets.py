"""Targets page: the results framework with baseline, latest value, targets, status and projection."""
import datetime as dt
import io

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from i18n import format_day, format_number, format_period, format_value, localized, t
from layouts.carried import carried_note
from layouts.common import current_language, graph_config
from layouts.exports import image_buttons
from layouts.figures.targets import (
    STATUS_COLOURS,
    STATUS_ORDER,
    actual_period_text,
    framework_level_text,
    percent_text,
    status_label,
    status_text,
)

PAGE = {"path": "/targets", "title_key": "nav.targets", "order": 30}

TITLE = "targets-title"
SCOPE = "targets-scope"
PROJECT = "targets-project"
SUMMARY = "targets-summary"
NOTE = "targets-note"
RULE = "targets-rule"
DELAY_RULE = "targets-delay-rule"
PROGRESS = "targets-progress"
GRID = "targets-grid"
DOWNLOAD_BUTTON = "targets-download-button"
DOWNLOAD = "targets-download"
PROJECTION_INDICATOR = "targets-projection-indicator"
PROJECTION_GRAPH = "targets-projection-graph"
PROJECTION_TEXT = "targets-projection-text"
HISTORY_INDICATOR = "targets-history-indicator"
HISTORY_GRAPH = "targets-history-graph"
PROGRESS_GRAPH = "targets-progress-graph"
URL_STATE = {"type": "url-part", "page": "targets"}   # the page's part of the address (callbacks/targets_url.py)

ALL_PROJECTS = ""
CONTEXT = "_context"  # the value data_access.queries.targets uses for indicators of no project
# Sorting the status column sorts by severity, worst first.
STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}
# The camera button saves a bare "plot-image.png": the cards' PNG/SVG buttons replace it.
GRAPH_CONFIG = {"modeBarButtonsToRemove": ["lasso2d", "select2d", "toImage"]}
# Graphs that download as PNG/SVG, under their card's title.
GRAPH_TITLES = {PROGRESS_GRAPH: "targets.progress_title", PROJECTION_GRAPH: "targets.projection_title",
                HISTORY_GRAPH: "targets.history_title"}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CELL_STYLE = {"lineHeight": "1.35", "paddingTop": "6px", "paddingBottom": "6px", "wordBreak": "normal"}


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = current_language(lang)
    return html.Div(
        [
            html.H1(t("targets.title", lang), className="page-title mb-1", id=TITLE),
            dcc.Store(id=URL_STATE),
            html.Div(id=SCOPE, className="text-muted mb-2"),
            dbc.Row(
                [
                    dbc.Col([html.Label(t("targets.col_project", lang), htmlFor=PROJECT, className="small text-muted"),
                             dcc.Dropdown(id=PROJECT, options=[{"label": t("targets.all_projects", lang),
                                                                "value": ALL_PROJECTS}],
                                          value=ALL_PROJECTS, clearable=False)], md=4),
                    dbc.Col(html.Div(id=SUMMARY, className="d-flex flex-wrap gap-2 pt-md-4"), md=8),
                ],
                className="g-2 mb-2",
            ),
            html.Div(id=NOTE),
            dbc.Card([dbc.CardHeader(t("targets.rule_title", lang)), dbc.CardBody(html.Div(id=RULE), className="small")],
                     className="mb-3"),
            dbc.Card([_header_with_images(t("targets.progress_title", lang), PROGRESS_GRAPH, lang),
                      dbc.CardBody(dcc.Loading(html.Div(id=PROGRESS), type="dot"))], className="mb-3"),
            dbc.Card(
                [
                    dbc.CardHeader(
                        html.Div(
                            [html.Span(t("targets.table_title", lang)),
                             html.Small(t("targets.table_hint", lang), className="text-muted ms-2"),
                             dbc.Button(t("targets.download", lang), id=DOWNLOAD_BUTTON, size="sm", color="primary",
                                        outline=True, className="ms-auto")],
                            className="d-flex align-items-center",
                        )
                    ),
                    dbc.CardBody(
                        dag.AgGrid(
                            id=GRID, rowData=[], columnDefs=grid_columns(lang, None),
                            defaultColDef={"sortable": True, "resizable": True, "wrapText": True, "autoHeight": True,
                                           "wrapHeaderText": True, "autoHeaderHeight": True, "suppressMovable": True,
                                           "cellStyle": CELL_STYLE},
                            dashGridOptions={"domLayout": "autoHeight", "suppressColumnVirtualisation": True,
                                             "animateRows": False,
                                             "localeText": {"noRowsToShow": t("targets.no_indicators", lang),
                                                            "loadingOoo": "…"}},
                            getRowId="params.data.indicator_code",
                            style={"width": "100%", "fontFamily": "var(--app-font)"},
                        ),
                        className="p-2",
                    ),
                    dcc.Download(id=DOWNLOAD),
                ],
                className="mb-3",
            ),
            dbc.Card(
                [
                    _header_with_images(t("targets.projection_title", lang), PROJECTION_GRAPH, lang),
                    dbc.CardBody([
                        dbc.Row(dbc.Col(dcc.Dropdown(id=PROJECTION_INDICATOR, clearable=False,
                                                     placeholder=t("targets.col_indicator", lang)), md=6),
                                className="mb-2"),
                        html.Div(id=PROJECTION_TEXT, className="mb-2"),
                        dcc.Loading(dcc.Graph(id=PROJECTION_GRAPH, config=graph_config(lang, **GRAPH_CONFIG)), type="dot"),
                    ]),
                ],
                className="mb-3",
            ),
            dbc.Card(
                [
                    _header_with_images(t("targets.history_title", lang), HISTORY_GRAPH, lang),
                    dbc.CardBody([
                        dbc.Row(dbc.Col(dcc.Dropdown(id=HISTORY_INDICATOR, clearable=False,
                                                     placeholder=t("targets.col_indicator", lang)), md=6),
                                className="mb-2"),
                        dcc.Loading(dcc.Graph(id=HISTORY_GRAPH, config=graph_config(lang, **GRAPH_CONFIG)), type="dot"),
                    ]),
                ],
                className="mb-3",
            ),
        ]
    )


def _header_with_images(title: str, graph: str, lang: str) -> dbc.CardHeader:
    return dbc.CardHeader(html.Div([html.Span(title), html.Div(image_buttons(graph, lang), className="ms-auto")],
                                   className="d-flex align-items-center flex-wrap gap-2"))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def project_options(projects: pd.DataFrame, lang: str) -> list[dict]:
    """projects: code, name_en, name_lo (data_access.queries.targets.target_projects)."""
    options = [{"label": t("targets.all_projects", lang), "value": ALL_PROJECTS}]
    for row in projects.to_dict("records"):
        label = t("targets.context_group", lang) if row["code"] == CONTEXT else f"{row['code']} – {localized(row, lang)}"
        options.append({"label": label, "value": row["code"]})
    return options


def indicator_options(indicators: pd.DataFrame, lang: str) -> list[dict]:
    """indicators: code (or indicator_code), name_en, name_lo."""
    code = "indicator_code" if "indicator_code" in indicators else "code"
    return [{"label": localized(row, lang), "value": row[code]} for row in indicators.to_dict("records")]


def project_label(row: dict, lang: str) -> str:
    """Short project name for a table cell: the code in English, the Lao short name in Lao."""
    if _missing(row.get("project_code")) or not row.get("project_code"):
        return t("targets.context_short", lang)
    if lang == "lo" and not _missing(row.get("project_short_lo")) and row.get("project_short_lo"):
        return row["project_short_lo"]
    return row["project_code"]


def target_scope_text(row: dict, place: str, lang: str) -> str:
    """Where the indicator's targets are set: the chosen place, the unit above it, or "below"."""
    if row["target_level"] == "own":
        return place
    if row["target_level"] == "finer":
        return status_text("not_rated", "finer", lang)
    name = localized(row, lang, "target_admin_name")
    return name or status_text("not_rated", row["target_level"], lang)


def status_rule(lang: str, on_track_gap: float, at_risk_gap: float) -> list:
    """The status and projection rules in words (the thresholds come from data_access.progress)."""
    on_track, at_risk = format_number(on_track_gap, lang), format_number(at_risk_gap, lang)
    badge = {"met": "met", "on_track": "on_track", "at_risk": "at_risk", "off_track": "off_track"}
    return [
        html.P(t("targets.rule_path", lang)),
        html.Ul([
            html.Li([_status_dot(badge["met"]), t("targets.rule_met", lang)]),
            html.Li([_status_dot(badge["on_track"]), t("targets.rule_on_track", lang, on_track=on_track)]),
            html.Li([_status_dot(badge["at_risk"]), t("targets.rule_at_risk", lang, on_track=on_track, at_risk=at_risk)]),
            html.Li([_status_dot(badge["off_track"]), t("targets.rule_off_track", lang, at_risk=at_risk)]),
        ], className="list-unstyled mb-2"),
        html.P(t("targets.rule_deadline", lang), className="mb-1", id="targets-rule-deadline"),
        html.P(t("targets.rule_projection_cap", lang), className="mb-1", id="targets-rule-projection-cap"),
        html.P(t("targets.rule_flow", lang), className="mb-1"),
        html.P(t("targets.rule_scope", lang), className="mb-1"),
        html.P(t("targets.rule_projection", lang), className="mb-0"),
        # Payment delay: the same rule, and so the same number, as on the Overview and Trends pages.
        html.P([html.Strong(t("payments.rule_label", lang) + ": "), t("payments.rule", lang)],
               className="mb-0 mt-1", id=DELAY_RULE),
    ]


def _status_dot(status: str) -> html.Span:
    return html.Span("", style={"display": "inline-block", "width": "0.8em", "height": "0.8em", "borderRadius": "50%",
                                "background": STATUS_COLOURS[status], "marginRight": "0.4em"})


def status_summary(frame: pd.DataFrame, lang: str) -> list:
    """One badge per status (and per "target set elsewhere") with its number of indicators, worst first."""
    counts: dict[tuple[int, str], list] = {}
    for row in frame.to_dict("records"):
        label = status_text(row["status"], row["target_level"], lang, row.get("reason"))
        key = (STATUS_RANK.get(row["status"], 99), label)
        counts.setdefault(key, [row["status"], 0])[1] += 1
    badges = []
    for (_, label), (status, count) in sorted(counts.items()):
        muted = status in ("not_rated", "no_data")
        badges.append(html.Span(
            t("targets.summary_status", lang, status=label, count=format_number(count, lang)),
            className="badge rounded-pill fs-6 fw-normal", **{"data-status": status},
            style={"background": STATUS_COLOURS[status], "color": "#222" if muted else "#fff"},
        ))
    return badges


def higher_level_note(frame: pd.DataFrame, place: str, lang: str) -> list:
    """Says how many indicators have targets of the chosen place's own, when not all do."""
    own = int((frame["target_level"] == "own").sum())
    if frame.empty or own == len(frame):
        return []
    return [dbc.Alert(t("targets.higher_level_note", lang, place=place, own=format_number(own, lang),
                        total=format_number(len(frame), lang)), color="info", className="py-2 small", id="targets-note-text")]


def closed_note(closed: pd.DataFrame, period: str, lang: str) -> list:
    """Says which projects had closed by the chosen month, and that their statuses are judged
    against the target date (closed: data_access.queries.catalogue.projects_closed_by)."""
    notes = []
    for row in closed.to_dict("records"):
        name = (row.get("short_lo") or row["code"]) if lang == "lo" else row["code"]
        notes.append(dbc.Alert(
            t("targets.closed_note", lang, project=name, date=format_day(row["closing_date"], lang),
              period=format_period(period, lang), closing_month=format_period(row["closing_date"].strftime("%Y-%m"), lang)),
            color="warning", className="py-2 small", id={"type": "targets-closed-note", "project": row["code"]}))
    return notes


def grid_columns(lang: str, year: int | None) -> list[dict]:
    """Column definitions: numbers sort as numbers and show as the formatted text beside them."""
    def number(field: str, header: str, width: int = 105) -> dict:
        return {"field": field, "headerName": header, "type": "rightAligned", "minWidth": width, "flex": 1,
                "valueFormatter": {"function": f"params.data ? params.data['{field}_text'] : ''"}}

    status_styles = [{"condition": f"params.data && params.data.status_code === '{status}'",
                      "style": {"color": colour if status not in ("not_rated", "no_data") else "#6c757d",
                                "fontWeight": "600" if status not in ("not_rated", "no_data") else "400",
                                **CELL_STYLE}}
                     for status, colour in STATUS_COLOURS.items()]
    return [
        {"field": "project", "headerName": t("targets.col_project", lang), "minWidth": 115, "flex": 1},
        {"field": "level", "headerName": t("targets.col_level", lang), "minWidth": 120, "flex": 1},
        {"field": "indicator", "headerName": t("targets.col_indicator", lang), "minWidth": 230, "flex": 3},
        number("baseline", t("targets.col_baseline", lang), 110),
        number("actual", t("targets.col_actual", lang), 95),
        {"field": "period", "headerName": t("targets.col_period", lang), "minWidth": 115, "flex": 1},
        number("year_target", t("targets.col_year_target", lang, year=str(year) if year else "")),
        number("eop_target", t("targets.col_eop", lang)),
        number("progress", t("targets.col_progress", lang), 85),
        {"field": "status_rank", "headerName": t("targets.col_status", lang), "minWidth": 125, "flex": 1,
         "colId": "status", "valueFormatter": {"function": "params.data ? params.data.status : ''"},
         "cellStyle": {"styleConditions": status_styles, "defaultStyle": CELL_STYLE}},
        {"field": "target_scope", "headerName": t("targets.col_target_scope", lang), "minWidth": 120, "flex": 1},
    ]


def grid_rows(frame: pd.DataFrame, place: str, lang: str) -> list[dict]:
    """Rows for the grid from data_access.queries.targets.progress_table, numbers kept as numbers."""
    rows = []
    for row in frame.to_dict("records"):
        unit = row["unit"]
        baseline_text = format_value(row["baseline"], unit, lang) if not _missing(row["baseline"]) else ""
        if baseline_text and not _missing(row["baseline_year"]):
            baseline_text += f" ({int(row['baseline_year'])})"
        status = status_label(row, lang)
        rows.append({
            "indicator_code": row["indicator_code"],
            "project": project_label(row, lang),
            "level": framework_level_text(row["framework_level"], lang, short=True),
            "indicator": localized(row, lang),
            "baseline": _number(row["baseline"]), "baseline_text": baseline_text,
            "actual": _number(row["actual"]),
            "actual_text": format_value(row["actual"], unit, lang),
            "period": _with_carried_note(actual_period_text(row, lang), row, lang),
            "year_target": _number(row["year_target"]),
            "year_target_text": "" if _missing(row["year_target"]) else format_value(row["year_target"], unit, lang),
            "eop_target": _number(row["eop_target"]),
            "eop_target_text": "" if _missing(row["eop_target"]) else format_value(row["eop_target"], unit, lang),
            "progress": _number(row["progress"]),
            "progress_text": "" if _missing(row["progress"]) else percent_text(row["progress"], lang),
            "status_code": row["status"], "status": status, "status_rank": STATUS_RANK.get(row["status"], 99),
            "target_scope": target_scope_text(row, place, lang),
        })
    return rows


def _with_carried_note(period_text: str, row: dict, lang: str) -> str:
    """The actual's period, and how much of a stock's actual is carried from earlier reports."""
    note = carried_note({"value": row.get("actual"), "n_units": row.get("actual_n_units"),
                         "carried_value": row.get("carried_value"), "carried_units": row.get("carried_units"),
                         "oldest_carried_period": row.get("oldest_carried_period")}, lang)
    return f"{period_text} ({note})" if note else period_text


def _number(value) -> float | None:
    return None if _missing(value) else round(float(value), 4)


def safe_cell_text(value: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading = + - @ gets a quote in front."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def excel_workbook(frame: pd.DataFrame, place: str, period: str, lang: str, year: int,
                   rule_lines: list[str], is_demo: bool, context_lines: list[str] | None = None) -> bytes:
    """The table as an .xlsx file: one sheet of numbers (translated headers), one of notes.

    context_lines: data sources, completeness and export time (reports.exports.notes_lines)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t("targets.excel_sheet", lang)[:31]
    columns = [
        ("project", t("targets.col_project", lang), 10, None),
        ("level", t("targets.col_level", lang), 22, None),
        ("indicator", t("targets.col_indicator", lang), 55, None),
        ("unit", t("targets.col_unit", lang), 10, None),
        ("baseline", t("targets.col_baseline", lang), 13, "#,##0.0"),
        ("baseline_year", t("targets.col_baseline_year", lang), 10, "0"),
        ("actual", t("targets.col_actual", lang), 13, "#,##0.0"),
        ("period", t("targets.col_period", lang), 18, None),
        ("year_target", t("targets.col_year_target", lang, year=str(year)), 13, "#,##0.0"),
        ("eop_target", t("targets.col_eop", lang), 13, "#,##0.0"),
        ("eop_date", t("targets.col_eop_date", lang), 13, "yyyy-mm-dd"),
        ("progress", t("targets.col_progress", lang), 11, "0"),
        ("expected", t("targets.col_expected", lang), 11, "0"),
        ("behind", t("targets.col_behind", lang), 11, "0"),
        ("status", t("targets.col_status", lang), 24, None),
        ("target_scope", t("targets.col_target_scope", lang), 24, None),
    ]
    bold = Font(bold=True)
    for index, (_, header, width, _) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=safe_cell_text(header))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[cell.column_letter].width = width
    for row_number, row in enumerate(frame.to_dict("records"), start=2):
        values = {
            "project": project_label(row, lang), "level": framework_level_text(row["framework_level"], lang),
            "indicator": localized(row, lang), "unit": t(f"unit.{row['unit']}", lang),
            "baseline": _number(row["baseline"]),
            "baseline_year": None if _missing(row["baseline_year"]) else int(row["baseline_year"]),
            "actual": _number(row["actual"]), "period": _with_carried_note(actual_period_text(row, lang), row, lang),
            "year_target": _number(row["year_target"]), "eop_target": _number(row["eop_target"]),
            "eop_date": row["eop_date"] if isinstance(row["eop_date"], dt.date) else None,
            "progress": _number(row["progress"]), "expected": _number(row["expected"]),
            "behind": _number(row["behind"]),
            "status": status_label(row, lang),
            "target_scope": target_scope_text(row, place, lang),
        }
        for index, (field, _, _, number_format) in enumerate(columns, start=1):
            value = values[field]
            cell = sheet.cell(row=row_number, column=index, value=safe_cell_text(value) if isinstance(value, str) else value)
            if number_format and value is not None:
                cell.number_format = number_format
            if field == "status" and row["target_level"] == "own" and row["status"] in STATUS_COLOURS:
                cell.font = Font(bold=True, color=STATUS_COLOURS[row["status"]].lstrip("#"))
            if field == "indicator":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions

    notes = workbook.create_sheet(t("targets.excel_notes_sheet", lang)[:31])
    lines = [t("targets.excel_title", lang, place=place, period=format_period(period, lang))]
    if is_demo:
        lines.append(t("shell.demo_badge", lang))
    lines += [""] + rule_lines + ([""] + context_lines if context_lines else [])
    for row_number, line in enumerate(lines, start=1):
        notes.cell(row=row_number, column=1, value=safe_cell_text(line))
    notes["A1"].font = bold
    notes.column_dimensions["A"].width = 140
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rule_lines(lang: str, on_track_gap: float, at_risk_gap: float) -> list[str]:
    """The status rule as plain lines (for the Excel notes sheet)."""
    on_track, at_risk = format_number(on_track_gap, lang), format_number(at_risk_gap, lang)
    return [t("targets.rule_title", lang), t("targets.rule_path", lang), t("targets.rule_met", lang),
            t("targets.rule_on_track", lang, on_track=on_track),
            t("targets.rule_at_risk", lang, on_track=on_track, at_risk=at_risk),
            t("targets.rule_off_track", lang, at_risk=at_risk), t("targets.rule_deadline", lang),
            t("targets.rule_projection_cap", lang), t("targets.rule_flow", lang),
            t("targets.rule_scope", lang), t("targets.rule_projection", lang),
            t("payments.rule_label", lang) + ": " + t("payments.rule", lang)]


def progress_section(figure) -> dcc.Graph:
    return dcc.Graph(id=PROGRESS_GRAPH, figure=figure, config=graph_config(None, **GRAPH_CONFIG))


def projection_summary(result: dict, place: str, lang: str) -> list:
    """What the projection says, in words: the projected value and range against the target.

    result: data_access.queries.targets.cumulative_projection().
    """
    indicator = result["indicator"]
    unit = indicator["unit"]
    state = result["projection"]["state"]
    as_of = result["as_of"]
    closing = result["closing_date"]
    eop = result["eop"]
    parts: list = []
    latest = result["projection"].get("latest")
    if latest:
        parts.append(html.Div(t("targets.projection_latest", lang, value=format_value(latest[1], unit, lang),
                                period=format_period(latest[0], lang))))
    if state == "no_data":
        return [html.Div(t("targets.projection_no_data", lang, period=format_period(as_of, lang)),
                         className="no-data-note")]
    if state == "no_closing_date":
        return parts + [html.Div(t("targets.projection_no_closing", lang), className="no-data-note")]
    if state == "insufficient":
        return parts + [html.Div(t("targets.projection_insufficient", lang, period=format_period(as_of, lang),
                                   count=format_number(result["projection"]["n_points"], lang),
                                   minimum=format_number(result["projection"]["minimum"], lang)),
                                 className="no-data-note")]
    projection = result["projection"]
    if state == "closed":
        parts.append(html.Div(t("targets.projection_closed", lang, date=format_day(closing, lang),
                                period=format_period(projection["period"], lang),
                                value=format_value(projection["value"], unit, lang)), id="targets-projection-closed"))
        if eop:
            share = 100.0 * projection["value"] / eop["value"] if eop["value"] else None
            parts.append(html.Div(t("targets.projection_closed_vs_target", lang,
                                    target=format_value(eop["value"], unit, lang),
                                    share=format_number(share, lang, 0)),
                                  className="fw-bold", style={"color": STATUS_COLOURS["met" if share and share >= 100 else "off_track"]}))
        return parts
    parts.append(html.Div(t("targets.projection_projected", lang, period=format_period(as_of, lang),
                            pace=format_number(projection["pace"], lang, 1), date=format_day(closing, lang),
                            value=format_value(projection["value"], unit, lang),
                            low=format_value(projection["low"], unit, lang),
                            high=format_value(projection["high"], unit, lang)), id="targets-projection-sentence"))
    if eop:
        target = eop["value"]
        gap = format_value(target - projection["value"], unit, lang)
        if projection["value"] >= target:
            key, status = "targets.projection_reaches", "met"
        elif projection["high"] >= target:
            key, status = "targets.projection_within", "at_risk"
        else:
            key, status = "targets.projection_short", "off_track"
        parts.append(html.Div(t(key, lang, gap=gap, target=format_value(target, unit, lang)),
                              className="fw-bold", style={"color": STATUS_COLOURS[status]},
                              id="targets-projection-verdict"))
    elif result["reference_eop"]:
        parts.append(html.Div(t("targets.projection_reference", lang, place=place,
                                level=status_text("not_rated", result["target_level"], lang),
                                target=format_value(result["reference_eop"]["value"], unit, lang)),
                              className="text-muted"))
    else:
        parts.append(html.Div(t("targets.projection_no_target", lang), className="text-muted"))
    return parts
