"""Agreed actions page: a mission's actions with their status, linked indicator and history; import and export."""
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from i18n import format_day, format_period, format_value, localized, t, written_language
from layouts.common import current_language, free_text, sentence_with
from layouts.exports import export_buttons

PAGE = {"path": "/actions", "title_key": "nav.actions", "order": 35, "nav_group": "more"}

TITLE = "actions-title"
RIGHTS = "actions-rights"
MISSION = "actions-mission"
STATUS = "actions-status"
UNIT = "actions-unit"
VIEW = "actions-view"
DAY_NOTE = "actions-day-note"
GRID = "actions-grid"
TABLE = "actions-table"  # export buttons: actions-table-export-xlsx / -csv
TEMPLATE = "actions-template"
TEMPLATE_DOWNLOAD = "actions-template-download"
PICK = "actions-pick"
DETAIL = "actions-detail"
EDIT_STATUS = "actions-edit-status"
EDIT_EVIDENCE = "actions-edit-evidence"
EDIT_DUE = "actions-edit-due"
EDIT_UNIT = "actions-edit-unit"
SAVE = "actions-save"
MESSAGE = "actions-message"
HISTORY = "actions-history"
UPLOAD = "actions-upload"
IMPORT_MESSAGE = "actions-import-message"
VERSION = "actions-version"

STATUSES = ("open", "in_progress", "done", "dropped")
VIEWS = ("all", "overdue", "due_soon")
STATUS_COLOURS = {"open": "secondary", "in_progress": "primary", "done": "success", "dropped": "dark"}
ANY = ""
# Columns holding what people typed (shown as written, each cell marked with its language by the
# FreeText renderer in assets/js/free-text.js, from the row's "<field>_lang").
FREE_TEXT_FIELDS = ("mission", "responsible_unit", "evidence")


def _dropdown(component_id: str, label_key: str, options: list, value, lang: str) -> dbc.Col:
    return dbc.Col([html.Label(t(label_key, lang), htmlFor=component_id, className="small text-muted"),
                    dcc.Dropdown(id=component_id, options=options, value=value, clearable=False)], md=3)


def status_options(lang: str, with_any: bool = True) -> list[dict]:
    options = [{"label": t(f"actions.status_{status}", lang), "value": status} for status in STATUSES]
    return ([{"label": t("actions.any_status", lang), "value": ANY}] if with_any else []) + options


def layout(lang: str | None = None, view: str | None = None, status: str | None = None, **_query) -> html.Div:
    lang = current_language(lang)
    view = view if view in VIEWS else "all"
    status = status if status in STATUSES else ANY
    return html.Div([
        html.H1(t("actions.title", lang), className="page-title mb-1", id=TITLE),
        html.P(t("actions.intro", lang), className="small text-muted mb-1"),
        html.Div(id=RIGHTS, className="small mb-2"),
        dcc.Store(id=VERSION, data=0),
        dbc.Row([
            _dropdown(MISSION, "actions.filter_mission", [{"label": t("actions.any_mission", lang), "value": ANY}],
                      ANY, lang),
            _dropdown(STATUS, "actions.filter_status", status_options(lang), status, lang),
            _dropdown(UNIT, "actions.filter_unit", [{"label": t("actions.any_unit", lang), "value": ANY}], ANY, lang),
            dbc.Col([html.Label(t("actions.filter_view", lang), className="small text-muted d-block"),
                     dbc.RadioItems(id=VIEW, value=view, inline=True, className="small",
                                    options=[{"label": t(f"actions.view_{name}", lang), "value": name}
                                             for name in VIEWS])], md=3),
        ], className="g-2 mb-2"),
        dbc.Card([
            dbc.CardHeader(html.Div([
                html.Span(t("actions.table_title", lang), className="fw-semibold"),
                html.Div([export_buttons(TABLE, lang),
                          html.Button(t("actions.template", lang), id=TEMPLATE, type="button", n_clicks=0,
                                      className="btn btn-outline-secondary btn-sm py-0 ms-2 no-print"),
                          dcc.Download(id=TEMPLATE_DOWNLOAD)], className="ms-auto d-flex align-items-center"),
            ], className="d-flex align-items-center flex-wrap gap-2")),
            dbc.CardBody([
                html.Div(id=DAY_NOTE, className="small text-muted mb-2"),
                dag.AgGrid(
                    id=GRID, rowData=[], columnDefs=grid_columns(lang),
                    defaultColDef={"sortable": True, "resizable": True, "wrapText": True, "autoHeight": True,
                                   "wrapHeaderText": True, "autoHeaderHeight": True, "suppressMovable": True,
                                   "cellStyle": {"lineHeight": "1.35", "wordBreak": "normal"}},
                    dashGridOptions={"domLayout": "autoHeight", "animateRows": False, "suppressCellFocus": True,
                                     "localeText": {"noRowsToShow": t("actions.no_actions", lang)}},
                    getRowId="params.data.id", columnSize="responsiveSizeToFit",
                    style={"width": "100%", "fontFamily": "var(--app-font)"}, className="ag-theme-quartz",
                ),
            ], className="p-2"),
        ], className="mb-3"),
        dbc.Card([
            dbc.CardHeader(t("actions.edit_title", lang), className="fw-semibold"),
            dbc.CardBody([
                html.Label(t("actions.pick", lang), htmlFor=PICK, className="small text-muted"),
                dcc.Dropdown(id=PICK, options=[], value=None, placeholder=t("actions.pick_placeholder", lang)),
                html.Div(id=DETAIL, className="my-2"),
                dbc.Row([
                    dbc.Col([html.Label(t("actions.col_status", lang), htmlFor=EDIT_STATUS,
                                        className="small text-muted"),
                             dbc.Select(id=EDIT_STATUS, options=status_options(lang, with_any=False),
                                        value=None, disabled=True)], md=3),
                    dbc.Col([html.Label(t("actions.col_evidence", lang), htmlFor=EDIT_EVIDENCE,
                                        className="small text-muted"),
                             dbc.Textarea(id=EDIT_EVIDENCE, value="", rows=2, disabled=True, maxLength=4000)], md=7),
                    dbc.Col(dbc.Button(t("actions.save", lang), id=SAVE, color="primary", disabled=True,
                                       className="mt-md-4"), md=2),
                ], className="g-2"),
                # Administrators only: the coordinator of a province changes status and evidence.
                dbc.Row([
                    dbc.Col([html.Label(t("actions.col_due_date", lang), htmlFor=EDIT_DUE, className="small text-muted"),
                             dbc.Input(id=EDIT_DUE, type="date", value=None, disabled=True)], md=3),
                    dbc.Col([html.Label(t("actions.col_responsible_unit", lang), htmlFor=EDIT_UNIT,
                                        className="small text-muted"),
                             dbc.Input(id=EDIT_UNIT, type="text", value="", disabled=True, maxLength=200)], md=7),
                ], className="g-2 mt-1"),
                html.Div(id=MESSAGE, className="mt-2", role="status"),
                html.H3(t("actions.history_title", lang), className="h6 mt-3"),
                html.Div(id=HISTORY),
            ]),
        ], className="mb-3"),
        dbc.Card([
            dbc.CardHeader(t("actions.import_title", lang), className="fw-semibold"),
            dbc.CardBody([
                html.P(t("actions.import_intro", lang), className="small text-muted"),
                dcc.Upload(id=UPLOAD, accept=".xlsx", multiple=False, className="importer-upload",
                           children=html.Div(t("actions.import_prompt", lang))),
                html.Div(id=IMPORT_MESSAGE, className="mt-2", role="status"),
            ]),
        ], className="mb-3"),
    ])


def grid_columns(lang: str) -> list[dict]:
    return [_free_text_column(column) for column in [
        {"field": "mission", "headerName": t("actions.col_mission", lang), "minWidth": 110},
        {"field": "text", "headerName": t("actions.col_text", lang), "minWidth": 280, "flex": 3},
        {"field": "responsible_unit", "headerName": t("actions.col_responsible_unit", lang), "minWidth": 120},
        {"field": "due_date", "headerName": t("actions.col_due_date", lang), "minWidth": 105},
        {"field": "status_text", "headerName": t("actions.col_status", lang), "minWidth": 100},
        {"field": "due_text", "headerName": t("actions.col_due_state", lang), "minWidth": 120,
         "cellClassRules": {"text-danger fw-semibold": "params.data.due_state === 'overdue'"}},
        {"field": "indicator", "headerName": t("actions.col_indicator_name", lang), "minWidth": 130},
        {"field": "latest", "headerName": t("actions.col_latest_value", lang), "minWidth": 130},
        {"field": "place", "headerName": t("actions.col_place_name", lang), "minWidth": 90},
        {"field": "evidence", "headerName": t("actions.col_evidence", lang), "minWidth": 140, "flex": 2},
    ]]


def _free_text_column(column: dict) -> dict:
    if column["field"] not in FREE_TEXT_FIELDS:
        return column
    return column | {"cellRenderer": "FreeText", "cellRendererParams": {"langField": column["field"] + "_lang"}}


def due_text(row: dict, lang: str) -> str:
    """"Overdue by 61 days" / "Due in 15 days" / "Due today" / "" on the register's day."""
    state, days = row.get("due_state"), row.get("due_days")
    if state == "overdue":
        return t("actions.overdue_by", lang, days=format_value(days, "days", lang))
    if state == "due":
        return t("actions.due_today", lang) if days == 0 else t("actions.due_in", lang,
                                                                days=format_value(days, "days", lang))
    return ""


def latest_text(row: dict, lang: str) -> str:
    """The linked indicator's latest value with its period; "no data" when it has none; "" without one."""
    if not row.get("indicator_code"):
        return ""
    if row.get("latest_value") is None:
        return t("common.no_data", lang)
    return t("actions.latest_value", lang, period=format_period(row["latest_period"], lang),
             value=format_value(row["latest_value"], row.get("indicator_unit") or "", lang))


def place_text(row: dict, lang: str) -> str:
    return localized(row, lang, "admin_name") if row.get("admin_code") else t("common.national", lang)


def action_text(row: dict, lang: str) -> str:
    return (row.get("text_lo") if lang == "lo" else row.get("text_en")) or row.get("text_en") or ""


def grid_rows(register: pd.DataFrame, lang: str) -> list[dict]:
    """queries.actions.action_register() rows as the grid shows them (a demo action says so)."""
    rows = []
    for row in register.to_dict("records"):
        text = action_text(row, lang) + (" " + t("actions.demo_mark", lang) if row.get("is_demo") else "")
        rows.append({"id": int(row["id"]), "mission": row["mission"], "text": text,
                     "responsible_unit": row["responsible_unit"],
                     "due_date": row["due_date"].isoformat() if row.get("due_date") else "",
                     "status": row["status"], "status_text": t(f"actions.status_{row['status']}", lang),
                     "due_state": row.get("due_state") or "", "due_text": due_text(row, lang),
                     "indicator": localized(row, lang, "indicator_name") if row.get("indicator_code") else "",
                     "latest": latest_text(row, lang), "place": place_text(row, lang),
                     "evidence": row.get("evidence") or ""})
        rows[-1].update({f"{field}_lang": written_language(rows[-1][field]) for field in FREE_TEXT_FIELDS})
    return rows


def free_text_options(values) -> list[dict]:
    """Dropdown options for typed names (missions, units): shown as written, marked with their language."""
    return [{"label": free_text(value), "value": value, "search": value} for value in values]


def pick_options(register: pd.DataFrame, lang: str) -> list[dict]:
    return [{"label": f"#{int(row['id'])} · {_short(action_text(row, lang))}", "value": int(row["id"])}
            for row in register.to_dict("records")]


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def action_detail(row: dict, lang: str) -> html.Div:
    """The chosen action in both languages, with its mission, unit, due date, place and indicator."""
    facts = [sentence_with("actions.detail_line", lang, mission=free_text(row["mission"]),
                           unit=free_text(row["responsible_unit"]), due=format_day(row["due_date"], lang),
                           place=place_text(row, lang))]
    if row.get("indicator_code"):
        facts.append(t("actions.detail_indicator", lang, indicator=localized(row, lang, "indicator_name"),
                       latest=latest_text(row, lang)))
    return html.Div([
        dbc.Badge(t(f"actions.status_{row['status']}", lang), color=STATUS_COLOURS.get(row["status"], "secondary"),
                  className="me-2"),
        html.Span(row.get("text_lo") or "", lang="lo", className="d-block"),
        html.Span(row.get("text_en") or "", lang="en", className="d-block text-muted small"),
        *[html.Div(line, className="small") for line in facts],
        html.Div(t("actions.demo_note", lang), className="small text-warning") if row.get("is_demo") else None,
    ], **{"data-action": str(row["id"])})


def _history_value(field: str, value, lang: str):
    if value is None or value == "":
        return "–"
    if field in ("status", "created"):
        return t(f"actions.status_{value}", lang) if value in STATUSES else str(value)
    return free_text(str(value)) if field in FREE_TEXT_FIELDS else str(value)


def history_table(history: pd.DataFrame, lang: str) -> html.Div:
    """Who changed what, when, old → new, newest first (data_access.actions.action_history)."""
    if history.empty:
        return html.P(t("actions.no_history", lang), className="small text-muted mb-0")
    rows = []
    for row in history.to_dict("records"):
        field = row["field"]
        label = t("actions.history_created", lang) if field == "created" else t(f"actions.col_{field}", lang)
        old, new = _history_value(field, row["old_value"], lang), _history_value(field, row["new_value"], lang)
        if field == "created":
            change = new
        else:
            change = f"{old} → {new}" if isinstance(old, str) and isinstance(new, str) else [old, " → ", new]
        rows.append(html.Tr([html.Td(row["changed_at"].strftime("%Y-%m-%d %H:%M") + " UTC", className="text-nowrap"),
                             html.Td(row["changed_by"] or "–"), html.Td(label), html.Td(change)],
                            className="action-history-row"))
    header = html.Thead(html.Tr([html.Th(t(f"actions.history_{name}", lang)) for name in ("when", "who", "field",
                                                                                          "change")]))
    return dbc.Table([header, html.Tbody(rows)], size="sm", className="small bg-white mb-0", id=f"{HISTORY}-table")
