"""Phase II callbacks: weights, N and ticks give the proposal (score, selection, cost, robustness), the map and the Excel."""
import json
import logging

import flask
from sqlalchemy.exc import SQLAlchemyError
from dash import ALL, Input, Output, Patch, State, ctx, dcc, no_update

from access import acting_account, auth_on_now, can_manage_users

from data_access.phase2_choices import proposal_for
from data_access.phase2_proposal import phase1_comparison, selection_project_mix
from data_access.program_settings import SettingError, save_program_settings
from data_access.queries.phase2 import phase2_settings, village_project_mix
from geo.levels import layer_geojson
from i18n import format_number, format_period, t
from layouts.common import DATASET_STORE, FILTERS_STORE, LANGUAGE_STORE
from layouts.figures.phase2 import (
    STEADY_PARTS, hover_key, map_trace_values, phase2_map, project_mix_figure, score_breakdown_figure,
)
from layouts.figures.trends import empty_figure
from layouts.phase2 import (
    BREAKDOWN, BUDGET, COMPONENT_ORDER, COSTS, DEFAULT_SELECT_COUNT, DOWNLOAD, EXCLUDE_PHASE1, EXPLANATION, EXPORT, MAP, METHOD,
    MAP_BUILT, MIX, MODE_NOTE, PHASE1, RANKING_UPDATE, RESET_TICKS, ROBUSTNESS, SELECT_COUNT, SELECTION, SETTING_FIELD,
    SETTINGS_MESSAGE,
    SETTINGS_SAVE, SETTINGS_TABLE, SETTINGS_VERSION, SUMMARY, TABLE, TICKED, TITLE, TO_REPORT, URL_SINK, WEIGHT_COVERAGE,
    UPDATE_FIELDS, WEIGHT_POVERTY, WEIGHT_SHARES, WEIGHT_STUNTING, explanation, ranking_grid, ranking_update,
    selection_summary, weight_shares,
)
from layouts.phase2_panels import (
    budget_panel, costs_panel, district_names, is_demo, method_panel, phase1_panel, robustness_panel, settings_table,
)
from layouts.phase2_workbook import file_name, proposal_workbook

log = logging.getLogger(__name__)
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1"})
WEIGHT_INPUTS = (Input(WEIGHT_STUNTING, "value"), Input(WEIGHT_POVERTY, "value"), Input(WEIGHT_COVERAGE, "value"))
# Changes after which the table's rows differ only in rank, score and tick box (ranking_update).
RANKING_ONLY = frozenset({f"{WEIGHT_STUNTING}.value", f"{WEIGHT_POVERTY}.value", f"{WEIGHT_COVERAGE}.value",
                          f"{TICKED}.data"})
# Merges a ranking_update into the rows the table holds, in ranking_grid's order (rank, then score
# highest first, then code; missing last).
MERGE_RANKING = """function(update, rows) {
    if (!update || !rows) { return window.dash_clientside.no_update; }
    const fields = %s;
    const byCode = {};
    for (const values of update) { byCode[values[0]] = values; }
    const merged = rows.map(row => {
        const values = byCode[row.district_code];
        if (!values) { return row; }
        const next = Object.assign({}, row);
        fields.forEach((field, i) => { next[field] = values[i]; });
        return next;
    });
    const missingLast = (a, b) => (a === null || a === undefined) - (b === null || b === undefined);
    merged.sort((a, b) => missingLast(a.rank, b.rank) || (a.rank || 0) - (b.rank || 0)
        || missingLast(a.score, b.score) || (b.score || 0) - (a.score || 0)
        || (a.district_code < b.district_code ? -1 : a.district_code > b.district_code ? 1 : 0));
    return merged;
}"""


# Components only read callbacks write to: their answers are kept whole (dashboard/response_cache.py).
CACHED_OUTPUTS = frozenset({
    "phase2-ranking-update",
    "phase2-breakdown",
    "phase2-budget",
    "phase2-costs",
    "phase2-explanation",
    "phase2-map",
    "phase2-map-built",
    "phase2-method",
    "phase2-mix",
    "phase2-mode-note",
    "phase2-phase1",
    "phase2-robustness",
    "phase2-selection",
    "phase2-summary",
    "phase2-table",
    "phase2-title",
    "phase2-weight-poverty",
    "phase2-weight-shares",
})


def can_edit_settings() -> bool:
    """May this request change the program settings? The one gate the edit callback asks.

    With accounts on: administrators only (the program office's data officers), read from
    the server's session, never from the request. With accounts off (the demo database):
    only a request made on this machine (and not relayed by a proxy, which would make every
    visitor look local), or any request when the PHASE2_SETTINGS_EDITABLE flag is true.
    """
    if not flask.has_request_context():
        return False
    if auth_on_now():
        return can_manage_users(acting_account())
    flag = (flask.current_app.config.get("SETTINGS") or {}).get("PHASE2_SETTINGS_EDITABLE", "")
    if str(flag).strip().lower() in ("1", "true", "yes"):
        return True
    relayed = flask.request.headers.get("X-Forwarded-For") or flask.request.headers.get("Forwarded")
    return not relayed and flask.request.remote_addr in LOCAL_ADDRESSES


def _proposal(store, period: str, weights: dict, count, exclude, ticked) -> tuple[dict, dict, dict]:
    """(proposal, inputs, settings) for the page's choices: the one computation page, Excel and mission report share."""
    return proposal_for(store.read, period, weights, int(count or DEFAULT_SELECT_COUNT), "exclude" in (exclude or []),
                        ticked)


def _map(scored, components: list[str], lang: str, map_style: str, built: str | None, period: str):
    """(figure, key) for the map: the whole map when the page opens or the month changes; otherwise only
    what changed. A weight, a tick or N changes colours, outlines and ranks, never the boundaries: a Patch
    keeps the district outlines out of every response, and the names and values in the hover go again
    only when they changed (the key the browser's map was drawn with says which: month, then hover_key).
    """
    traces = map_trace_values(scored, components, lang)
    key = f"{period}|{hover_key(traces)}"
    if not built or built.split("|")[0] != period:
        return phase2_map(scored, layer_geojson("district", "national"), lang, components, map_style=map_style), key
    same_hover = built == key
    patch = Patch()
    for index, values in enumerate(traces):
        for name, value in values.items():
            if same_hover and name in STEADY_PARTS:
                continue
            patch["data"][index][name] = value
    return patch, key


def register(app, store, config) -> None:
    @app.callback(
        Output(TITLE, "children"), Output(WEIGHT_SHARES, "children"), Output(EXPLANATION, "children"),
        Output(SUMMARY, "children"), Output(MAP, "figure"), Output(BREAKDOWN, "figure"),
        Output(TABLE, "columnDefs"), Output(TABLE, "rowData"), Output(WEIGHT_POVERTY, "disabled"),
        Output(MODE_NOTE, "children"), Output(COSTS, "children"), Output(BUDGET, "children"),
        Output(ROBUSTNESS, "children"), Output(PHASE1, "children"), Output(MIX, "figure"), Output(METHOD, "children"),
        Output(SELECTION, "data"), Output(MAP_BUILT, "data"), Output(RANKING_UPDATE, "data"),
        Input(FILTERS_STORE, "data"), *WEIGHT_INPUTS, Input(SELECT_COUNT, "value"), Input(EXCLUDE_PHASE1, "value"),
        Input(TICKED, "data"), Input(SETTINGS_VERSION, "data"),
        State(LANGUAGE_STORE, "data"), State(DATASET_STORE, "data"), State(MAP_BUILT, "data"),
    )
    def update_proposal(filters, stunting, poverty, coverage, count, exclude, ticked, _version, lang, dataset, built):
        period = (filters or {}).get("period")
        if not period:
            blank = empty_figure(t("common.no_data", lang))
            return (t("phase2.title", lang), "", "", "", blank, blank, [], [], True, "", "", "", "", "", blank, "",
                    [], None, None)
        weights = {"stunting": stunting or 0, "poverty": poverty or 0, "coverage": coverage or 0}
        proposal, inputs, settings = _proposal(store, period, weights, count, exclude, ticked)
        available = inputs["available"]
        components = [name for name in COMPONENT_ORDER if available[name]]
        scored = proposal["districts"]
        names = district_names(scored, lang)
        demo = is_demo(proposal, dataset)
        columns, rows = ranking_grid(scored, components, lang, proposal["n"])
        # A weight or a tick on the table the browser holds: its rows get their new rank, score and tick
        # box from a short update (MERGE_RANKING), not the whole table again.
        changed = set(ctx.triggered_prop_ids) if ctx.triggered_prop_ids else set()
        ranking_only = bool(changed) and changed <= RANKING_ONLY and (built or "").split("|")[0] == period
        update = ranking_update(rows) if ranking_only else None
        if ranking_only:
            columns = rows = no_update
        mix = selection_project_mix(store.read(village_project_mix, period), list(proposal["selected"]["district_code"]))
        figure, map_key = _map(scored, components, lang, config["MAP_STYLE"], built, period)
        mode_note = (t("phase2.mode_hand_note", lang, count=proposal["totals"]["n_districts"])
                     if proposal["mode"] == "hand" else t("phase2.tick_hint", lang))
        return (
            t("phase2.title_as_of", lang, period=format_period(period, lang)),
            weight_shares(weights, available, lang),
            explanation(weights, available, period, lang),
            selection_summary(scored, lang),
            figure,
            score_breakdown_figure(scored[scored["selected"]], components, lang, top_n=max(1, len(proposal["selected"]))),
            columns, rows, not available["poverty"], mode_note,
            costs_panel(proposal, lang, demo), budget_panel(proposal, names, lang),
            robustness_panel(proposal, names, lang), phase1_panel(phase1_comparison(proposal), names, lang),
            project_mix_figure(mix, names, lang),
            # How costs are counted and from which inputs: the same whatever the weights and ticks.
            no_update if ranking_only else method_panel(proposal, inputs["districts"], settings["settings"], lang, demo),
            list(proposal["selected"]["district_code"]),
            # what the map in the browser was drawn with: the next change of the same month patches it
            map_key if not scored.empty else None,
            update,
        )

    app.clientside_callback(
        MERGE_RANKING % json.dumps(list(UPDATE_FIELDS)),
        Output(TABLE, "rowData", allow_duplicate=True),
        Input(RANKING_UPDATE, "data"), State(TABLE, "rowData"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(TICKED, "data"), Output(MAP, "clickData"),
        Input(MAP, "clickData"), Input(TABLE, "cellClicked"), Input(RESET_TICKS, "n_clicks"),
        State(TICKED, "data"), State(SELECTION, "data"),
        prevent_initial_call=True,
    )
    def tick(click, cell, _reset, ticked, selection):
        """A click on a district (map) or on its tick box (table) adds or removes it; the first
        tick starts from the current top-N selection; reset goes back to the top N."""
        if ctx.triggered_id == RESET_TICKS:
            return None, None
        code = None
        if ctx.triggered_id == MAP and click and click.get("points"):
            code = click["points"][0].get("location")
        elif ctx.triggered_id == TABLE and cell and cell.get("colId") == "selected":
            code = cell.get("rowId")
        if not code:
            return no_update, None
        chosen = set(ticked if ticked is not None else selection or [])
        chosen ^= {code}
        return sorted(chosen), None

    # The selection goes into the address bar without reloading the page, so a copied link
    # reproduces it (replaceState fires no navigation, so the page router does not re-render).
    app.clientside_callback(
        """function(s, p, c, n, x, ticked) {
            const q = new URLSearchParams(window.location.search);
            q.set('w', [s, p, c].map(v => v || 0).join(','));
            q.set('n', n);
            q.set('x1', (x || []).includes('exclude') ? '1' : '0');
            if (ticked === null || ticked === undefined) { q.delete('pick'); } else { q.set('pick', ticked.join(',')); }
            window.history.replaceState(window.history.state, '', window.location.pathname + '?' + q.toString());
            return q.toString();
        }""",
        Output(URL_SINK, "data"), *WEIGHT_INPUTS, Input(SELECT_COUNT, "value"), Input(EXCLUDE_PHASE1, "value"),
        Input(TICKED, "data"),
    )
    # The mission report's Phase II section takes the same choices (reports.mission_phase2.parse_selection).
    app.clientside_callback(
        "function(q) { return '/report?phase2=' + encodeURIComponent(q || ''); }",
        Output(TO_REPORT, "href"), Input(URL_SINK, "data"),
    )

    @app.callback(
        Output(DOWNLOAD, "data"),
        Input(EXPORT, "n_clicks"),
        State(FILTERS_STORE, "data"), *[State(i.component_id, i.component_property) for i in WEIGHT_INPUTS],
        State(SELECT_COUNT, "value"), State(EXCLUDE_PHASE1, "value"), State(TICKED, "data"),
        State(LANGUAGE_STORE, "data"), State(DATASET_STORE, "data"),
        prevent_initial_call=True,
    )
    def export(n_clicks, filters, stunting, poverty, coverage, count, exclude, ticked, lang, dataset):
        period = (filters or {}).get("period")
        if not n_clicks or not period:
            return no_update
        weights = {"stunting": stunting or 0, "poverty": poverty or 0, "coverage": coverage or 0}
        proposal, _inputs, settings = _proposal(store, period, weights, count, exclude, ticked)
        content = proposal_workbook(proposal, settings["settings"], period, lang, is_demo(proposal, dataset))
        return dcc.send_bytes(content, file_name(period))

    @app.callback(
        Output(SETTINGS_TABLE, "children"),
        Output({"type": SETTING_FIELD, "key": ALL, "field": "value"}, "value"),
        Output({"type": SETTING_FIELD, "key": ALL, "field": "source"}, "value"),
        Output({"type": SETTING_FIELD, "key": ALL, "field": "year"}, "value"),
        Input(SETTINGS_VERSION, "data"), Input(FILTERS_STORE, "data"),
        State({"type": SETTING_FIELD, "key": ALL, "field": "value"}, "id"),
        State(LANGUAGE_STORE, "data"),
    )
    def show_settings(_version, filters, ids, lang):
        settings = store.read(phase2_settings, (filters or {}).get("period") or "9999-12")["settings"].set_index("key")

        def text(value):
            return "" if value is None or value != value else (str(int(value)) if float(value).is_integer()
                                                               else str(value))
        keys = [item["key"] for item in ids]
        return (settings_table(settings.reset_index(), lang), [text(settings.loc[key, "value"]) for key in keys],
                [settings.loc[key, "source"] or "" for key in keys], [text(settings.loc[key, "year"]) for key in keys])

    @app.callback(
        Output(SETTINGS_MESSAGE, "children"), Output(SETTINGS_VERSION, "data"),
        Input(SETTINGS_SAVE, "n_clicks"),
        State({"type": SETTING_FIELD, "key": ALL, "field": ALL}, "value"),
        State({"type": SETTING_FIELD, "key": ALL, "field": ALL}, "id"),
        State(SETTINGS_VERSION, "data"), State(LANGUAGE_STORE, "data"),
        prevent_initial_call=True,
    )
    def save_settings(n_clicks, values, ids, version, lang):
        if not n_clicks:
            return no_update, no_update
        if not can_edit_settings():
            return t("phase2.settings_forbidden", lang), no_update
        changes: dict[str, dict] = {}
        for item, value in zip(ids, values):
            changes.setdefault(item["key"], {})[item["field"]] = value
        try:
            written = save_program_settings(store.engine, changes, by="local")
        except SQLAlchemyError:
            # e.g. a database created before migration 0006 that nobody migrated yet
            log.exception("program settings could not be saved")
            return t("phase2.settings_unavailable", lang), no_update
        except SettingError as error:
            return t(f"phase2.setting_error_{error.code}", lang, setting=t(f"phase2.setting_{error.key}", lang),
                     **{name: (format_number(value, lang, 0) if isinstance(value, (int, float)) else value)
                        for name, value in error.details.items()}), no_update
        return t("phase2.settings_saved", lang, count=written), (version or 0) + 1
