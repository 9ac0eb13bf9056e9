"""District comparison callbacks: which districts, then the grid, the flags and the small multiples."""
from dash import Input, Output, State

from data_access.queries.catalogue import admin_unit, target_districts
from data_access.queries.districts import all_districts, comparison_indicators, district_comparison, district_trends
from i18n import format_period, localized, t
from layouts.common import FILTERS_STORE, LANGUAGE_STORE
from layouts.districts import (
    DEFAULT_STALE_PERIODS,
    DEFAULT_TREND_INDICATOR,
    FLAGS,
    GRID,
    PICKER,
    RANK_BY,
    REFERENCE,
    SELECTION_NOTE,
    STALE_PERIODS,
    TITLE,
    TREND_INDICATOR,
    TRENDS_GRAPH,
    comparison_grid,
    district_options,
    indicator_options,
    stale_flags,
)
from layouts.figures.districts import district_small_multiples
from layouts.figures.trends import empty_figure


# Components only read callbacks write to: their answers are kept whole (dashboard/response_cache.py).
CACHED_OUTPUTS = frozenset({
    "districts-picker",
    "districts-rank-by",
    "districts-trend-indicator",
    "districts-flags",
    "districts-grid",
    "districts-selection-note",
    "districts-title",
    "districts-trends-graph",
})


def chosen_districts(picked: list[str] | None, filters: dict | None, targets: list[str]) -> tuple[list[str], str]:
    """The districts to compare and why: ("picked" | "district" | "province" | "targets").

    Districts picked on the page win; otherwise the shared filter's province (all its
    districts, also when one district is chosen there: a district is compared with its
    neighbours); otherwise the program's target districts.
    """
    if picked:
        return sorted(picked), "picked"
    filters = filters or {}
    province = filters.get("province") or (filters.get("district") or "")[:2] or None
    if province:
        return [], "province:" + province
    return sorted(targets), "targets"


def register(app, store, config) -> None:
    def resolve(picked, filters) -> tuple[list[str], str]:
        codes, mode = chosen_districts(picked, filters, store.read(target_districts))
        if mode.startswith("province:"):
            province = mode.split(":", 1)[1]
            frame = store.read(all_districts)
            codes = list(frame.loc[frame["province_code"] == province, "code"])
        return codes, mode

    # The value is set with the options: a Dash 4 dropdown drops a value its options do not have yet.
    @app.callback(
        Output(PICKER, "options"),
        Output(RANK_BY, "options"),
        Output(RANK_BY, "value"),
        Output(TREND_INDICATOR, "options"),
        Input(LANGUAGE_STORE, "data"),
    )
    def fill_choices(lang):
        indicators = store.read(comparison_indicators)
        options = indicator_options(indicators, lang)
        default = DEFAULT_TREND_INDICATOR if DEFAULT_TREND_INDICATOR in set(indicators["code"]) else (
            indicators["code"].iloc[0] if not indicators.empty else None)
        return district_options(store.read(all_districts), lang), options, default, options

    @app.callback(
        Output(TREND_INDICATOR, "value"),
        Input(RANK_BY, "value"),
        prevent_initial_call=True,
    )
    def follow_rank_indicator(indicator_code):
        return indicator_code or DEFAULT_TREND_INDICATOR

    @app.callback(
        Output(TITLE, "children"),
        Output(SELECTION_NOTE, "children"),
        Output(GRID, "columnDefs"),
        Output(GRID, "rowData"),
        Output(FLAGS, "children"),
        Input(FILTERS_STORE, "data"),
        Input(PICKER, "value"),
        Input(STALE_PERIODS, "value"),
        Input(REFERENCE, "value"),
        Input(RANK_BY, "value"),
        State(LANGUAGE_STORE, "data"),
    )
    def update_grid(filters, picked, stale_periods, reference, rank_by, lang):
        period = (filters or {}).get("period")
        if not period:
            return t("districts.title", lang), t("common.no_data", lang), [], [], ""
        codes, mode = resolve(picked, filters)
        result = store.read(district_comparison, codes, period, int(stale_periods or DEFAULT_STALE_PERIODS),
                            reference or "auto")
        # Each district's name links to the map drilled to it, from the same place and month.
        scope = (filters or {}).get("district") or (filters or {}).get("province")
        columns, rows = comparison_grid(result, lang, rank_by, scope, period)
        if mode.startswith("province:"):
            unit = store.read(admin_unit, mode.split(":", 1)[1])
            note = t("districts.note_province", lang, province=localized(unit, lang) if unit else "")
        else:
            note = t(f"districts.note_{mode}", lang)
        title = t("districts.title_as_of", lang, period=format_period(period, lang))
        return title, note, columns, rows, stale_flags(result, lang)

    @app.callback(
        Output(TRENDS_GRAPH, "figure"),
        Input(FILTERS_STORE, "data"),
        Input(PICKER, "value"),
        Input(TREND_INDICATOR, "value"),
        State(LANGUAGE_STORE, "data"),
    )
    def update_trends(filters, picked, indicator_code, lang):
        period = (filters or {}).get("period")
        if not period or not indicator_code:
            return empty_figure(t("common.no_data", lang))
        codes, _mode = resolve(picked, filters)
        result = store.read(district_trends, indicator_code, codes, period)
        return district_small_multiples(result["series"], result["provinces"], result["indicator"], lang,
                                        result["districts"])
