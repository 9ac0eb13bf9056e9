"""Phase II callbacks: the weights and the as-of month give the score, the ranking, the map and the explanation."""
from dash import Input, Output, State

from data_access.analytics import phase2_scores, select_top
from data_access.queries.phase2 import COMPONENTS, phase2_inputs
from geo.boundaries import boundaries_geojson
from i18n import format_period, t
from layouts.common import FILTERS_STORE, LANGUAGE_STORE
from layouts.figures.phase2 import phase2_map, score_breakdown_figure
from layouts.figures.trends import empty_figure
from layouts.phase2 import (
    BREAKDOWN,
    COMPONENT_ORDER,
    DEFAULT_SELECT_COUNT,
    EXCLUDE_PHASE1,
    EXPLANATION,
    MAP,
    SELECT_COUNT,
    SUMMARY,
    TABLE,
    TITLE,
    WEIGHT_COVERAGE,
    WEIGHT_POVERTY,
    WEIGHT_SHARES,
    WEIGHT_STUNTING,
    explanation,
    ranking_grid,
    selection_summary,
    weight_shares,
)


def register(app, store, config) -> None:
    @app.callback(
        Output(TITLE, "children"),
        Output(WEIGHT_SHARES, "children"),
        Output(EXPLANATION, "children"),
        Output(SUMMARY, "children"),
        Output(MAP, "figure"),
        Output(BREAKDOWN, "figure"),
        Output(TABLE, "columnDefs"),
        Output(TABLE, "rowData"),
        Output(WEIGHT_POVERTY, "disabled"),
        Input(FILTERS_STORE, "data"),
        Input(WEIGHT_STUNTING, "value"),
        Input(WEIGHT_POVERTY, "value"),
        Input(WEIGHT_COVERAGE, "value"),
        Input(SELECT_COUNT, "value"),
        Input(EXCLUDE_PHASE1, "value"),
        State(LANGUAGE_STORE, "data"),
    )
    def update_ranking(filters, stunting, poverty, coverage, count, exclude, lang):
        period = (filters or {}).get("period")
        if not period:
            blank = empty_figure(t("common.no_data", lang))
            return t("phase2.title", lang), "", "", "", blank, blank, [], [], True
        inputs = store.read(phase2_inputs, period)
        available = inputs["available"]
        components = [name for name in COMPONENT_ORDER if available[name]]
        weights = {"stunting": stunting or 0, "poverty": poverty or 0, "coverage": coverage or 0}
        used = {name: (weights[name] if available[name] else 0) for name in COMPONENTS}
        scored = phase2_scores(inputs["districts"], COMPONENTS, used)
        eligible = ~scored["is_target"] if "exclude" in (exclude or []) else None
        scored = select_top(scored, int(count or DEFAULT_SELECT_COUNT), eligible)
        columns, rows = ranking_grid(scored, components, lang)
        return (
            t("phase2.title_as_of", lang, period=format_period(period, lang)),
            weight_shares(weights, available, lang),
            explanation(weights, available, period, lang),
            selection_summary(scored, lang),
            phase2_map(scored, boundaries_geojson("district"), lang, components, map_style=config["MAP_STYLE"]),
            score_breakdown_figure(scored, components, lang, top_n=int(count or DEFAULT_SELECT_COUNT)),
            columns,
            rows,
            not available["poverty"],
        )
