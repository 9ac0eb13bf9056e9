"""Targets page callbacks: filters and project choice decide the table, charts, projection and download."""
from dash import Input, Output, State, ctx, dcc, no_update

from data_access import progress
from data_access.queries.catalogue import admin_unit, projects_closed_by
from data_access.queries.targets import (
    cumulative_projection,
    indicator_history,
    progress_table,
    projectable_indicators,
    target_projects,
)
from i18n import format_period, localized, t
from layouts.common import DATASET_STORE, FILTERS_STORE, LANGUAGE_STORE
from layouts.shell import LOCATION
from layouts.url_state import query_of
from layouts.figures.targets import actual_vs_target_chart, progress_chart, projection_chart, yearly_totals_chart
from layouts.targets import (
    DOWNLOAD,
    DOWNLOAD_BUTTON,
    GRID,
    HISTORY_GRAPH,
    HISTORY_INDICATOR,
    NOTE,
    PROGRESS,
    PROJECT,
    PROJECTION_GRAPH,
    PROJECTION_INDICATOR,
    PROJECTION_TEXT,
    RULE,
    SCOPE,
    SUMMARY,
    closed_note,
    excel_workbook,
    grid_columns,
    grid_rows,
    higher_level_note,
    indicator_options,
    progress_section,
    project_options,
    projection_summary,
    rule_lines,
    status_rule,
    status_summary,
)
from reports.context import export_context, place_names
from reports.exports import file_name, notes_lines

# Components only read callbacks write to: their answers are kept whole (dashboard/response_cache.py).
CACHED_OUTPUTS = frozenset({
    "targets-project",
    "targets-grid",
    "targets-history-indicator",
    "targets-note",
    "targets-progress",
    "targets-projection-indicator",
    "targets-rule",
    "targets-scope",
    "targets-summary",
    "targets-projection-graph",
    "targets-projection-text",
    "targets-history-graph",
})


DEFAULT_PROJECTION = "CCT_REGISTERED"


def _said_on_the_sheet(lang: str) -> set[str]:
    # The Targets notes sheet already names the table, place, period and demo label.
    return {t(key, lang) for key in ("export.note_title", "export.note_demo", "export.note_place", "export.note_period")}
# An empty graph draws bare axes: hide it when there is nothing to draw.
HIDDEN = {"display": "none"}
SHOWN = {}


def scope_of(filters: dict | None) -> str | None:
    """The selected place: district if chosen, else province, else None (national)."""
    filters = filters or {}
    return filters.get("district") or filters.get("province") or None


def _choice(options: list[dict], current: str | None, preferred: str | None = None) -> str | None:
    values = [option["value"] for option in options]
    if current in values:
        return current
    if preferred in values:
        return preferred
    return values[0] if values else None


def register(app, store, config) -> None:
    def place_name(scope: str | None, lang: str) -> str:
        unit = store.read(admin_unit, scope or "00")
        return localized(unit, lang) if unit else t("common.national", lang)

    @app.callback(
        Output(PROJECT, "options"),
        Input(LANGUAGE_STORE, "data"),
    )
    def list_projects(lang):
        return project_options(store.read(target_projects), lang)

    @app.callback(
        Output(SCOPE, "children"),
        Output(SUMMARY, "children"),
        Output(NOTE, "children"),
        Output(RULE, "children"),
        Output(PROGRESS, "children"),
        Output(GRID, "rowData"),
        Output(GRID, "columnDefs"),
        Output(PROJECTION_INDICATOR, "options"),
        Output(PROJECTION_INDICATOR, "value"),
        Output(HISTORY_INDICATOR, "options"),
        Output(HISTORY_INDICATOR, "value"),
        Input(FILTERS_STORE, "data"),
        Input(PROJECT, "value"),
        State(PROJECTION_INDICATOR, "value"),
        State(HISTORY_INDICATOR, "value"),
        State(LANGUAGE_STORE, "data"),
        State(LOCATION, "href"),
    )
    def update_targets(filters, project, projection_choice, history_choice, lang, href):
        period = (filters or {}).get("period")
        rule = status_rule(lang, progress.ON_TRACK_MAX_GAP, progress.AT_RISK_MAX_GAP)
        if not period:
            message = t("common.no_data", lang)
            return message, [], [], rule, [], [], grid_columns(lang, None), [], None, [], None
        scope = scope_of(filters)
        project = project or None
        place = place_name(scope, lang)
        frame = store.read(progress_table, scope, period, project)
        projectable = store.read(projectable_indicators, project)
        projection_options = indicator_options(projectable, lang)
        history_options = indicator_options(frame, lang)
        if ctx.triggered_id is None:
            # A link's indicator= (an alert's, a shared view's) is the one the charts open on; an
            # unknown one is no option and so is ignored.
            linked = query_of(href).get("indicator")
            if linked in {option["value"] for option in projection_options}:
                projection_choice = linked
            if linked in {option["value"] for option in history_options}:
                history_choice = linked
        return (
            t("targets.scope_title", lang, place=place, period=format_period(period, lang)),
            status_summary(frame, lang),
            higher_level_note(frame, place, lang) + closed_note(store.read(projects_closed_by, period), period, lang),
            rule,
            progress_section(progress_chart(frame, lang)),
            grid_rows(frame, place, lang),
            grid_columns(lang, int(period[:4])),
            projection_options,
            _choice(projection_options, projection_choice, DEFAULT_PROJECTION),
            history_options,
            _choice(history_options, history_choice),
        )

    @app.callback(
        Output(PROJECTION_GRAPH, "figure"),
        Output(PROJECTION_GRAPH, "style"),
        Output(PROJECTION_TEXT, "children"),
        Input(FILTERS_STORE, "data"),
        Input(PROJECTION_INDICATOR, "value"),
        State(LANGUAGE_STORE, "data"),
    )
    def update_projection(filters, indicator_code, lang):
        period = (filters or {}).get("period")
        if not period or not indicator_code:
            return {}, HIDDEN, t("targets.no_projectable", lang)
        scope = scope_of(filters)
        result = store.read(cumulative_projection, indicator_code, scope, period)
        projection = result["projection"]
        at_closing = None
        if projection["state"] == "closed":
            at_closing = (result["closing_date"], projection["value"])
        figure = projection_chart(result["series"], result["band"], result["indicator"], lang, result["closing_date"],
                                  result["eop"]["value"] if result["eop"] else None, at_closing)
        style = HIDDEN if projection["state"] == "no_data" else SHOWN
        return figure, style, projection_summary(result, place_name(scope, lang), lang)

    @app.callback(
        Output(HISTORY_GRAPH, "figure"),
        Output(HISTORY_GRAPH, "style"),
        Input(FILTERS_STORE, "data"),
        Input(HISTORY_INDICATOR, "value"),
        State(LANGUAGE_STORE, "data"),
    )
    def update_history(filters, indicator_code, lang):
        period = (filters or {}).get("period")
        if not period or not indicator_code:
            return {}, HIDDEN
        history = store.read(indicator_history, indicator_code, scope_of(filters), period)
        if history["flow"]:
            return yearly_totals_chart(history["yearly"], history["annual"], history["indicator"], lang), SHOWN
        return actual_vs_target_chart(history["series"], history["path"], history["annual"], history["indicator"],
                                      lang, as_of_day=history["as_of_day"], baseline=history["baseline"],
                                      eop=history["eop"]), SHOWN

    @app.callback(
        Output(DOWNLOAD, "data"),
        Input(DOWNLOAD_BUTTON, "n_clicks"),
        State(FILTERS_STORE, "data"),
        State(PROJECT, "value"),
        State(LANGUAGE_STORE, "data"),
        State(DATASET_STORE, "data"),
        prevent_initial_call=True,
    )
    def download_table(n_clicks, filters, project, lang, dataset):
        period = (filters or {}).get("period")
        if not n_clicks or not period:
            return no_update
        scope = scope_of(filters)
        frame = store.read(progress_table, scope, period, project or None)
        context = export_context(store.read, scope, period, lang, t("targets.excel_sheet", lang), "targets")
        content = excel_workbook(frame, place_name(scope, lang), period, lang, int(period[:4]),
                                 rule_lines(lang, progress.ON_TRACK_MAX_GAP, progress.AT_RISK_MAX_GAP),
                                 (dataset or {}).get("is_demo") == "1",
                                 [f"{label}: {text}" for label, text in notes_lines(context)
                                  if label not in _said_on_the_sheet(lang)])
        place = place_names(store.read, scope)
        return dcc.send_bytes(content, file_name(place["name_en"], period, "targets", "xlsx", place["code"]))

