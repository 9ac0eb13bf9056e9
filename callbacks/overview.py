"""Overview callbacks: the filters decide the place and month; cards and map follow."""
from dash import Input, Output, State

from callbacks.map import as_patch

from data_access.card_changes import compare
from data_access.periods import add_months
from data_access.queries.alerts import alerts_for, rules_in_force
from data_access.queries.catalogue import admin_unit
from data_access.queries.overview import district_map_data, headline_figures, headline_values
from data_access.queries.targets import progress_table
from geo.levels import layer_geojson
from i18n import format_period, localized, t
from layouts.common import FILTERS_STORE, LANGUAGE_STORE
from layouts.alerts import alerts_card
from layouts.card_change import card_statuses
from layouts.figures.maps import indicator_choropleth
from layouts.overview import ALERTS, CARDS, MAP, MAP_KEY, MAP_TITLE, TITLE, card_links, headline_cards

# Components only read callbacks write to: their answers are kept whole (dashboard/response_cache.py).
CACHED_OUTPUTS = frozenset({
    "overview-alerts",
    "overview-cards",
    "overview-map",
    "overview-map-key",
    "overview-map-title",
    "overview-title",
})


MAP_INDICATOR = "CCT_COMPLY_ALL"
REVIEW_MONTHS = 6


def scope_of(filters: dict | None) -> str | None:
    """The selected place: district if chosen, else province, else None (national)."""
    filters = filters or {}
    return filters.get("district") or filters.get("province") or None


def register(app, store, config) -> None:
    @app.callback(
        Output(TITLE, "children"),
        Output(ALERTS, "children"),
        Output(CARDS, "children"),
        Output(MAP, "figure"),
        Output(MAP_TITLE, "children"),
        Output(MAP_KEY, "data"),
        Input(FILTERS_STORE, "data"),
        State(LANGUAGE_STORE, "data"),
        State(MAP_KEY, "data"),
    )
    def update_overview(filters, lang, previous_key=None):
        scope = scope_of(filters)
        period = (filters or {}).get("period")
        if not period:
            message = t("common.no_data", lang)
            return message, "", message, {}, "", None
        unit = store.read(admin_unit, scope or "00")
        place = localized(unit, lang) if unit else t("common.national", lang)
        figures = store.read(headline_figures, scope, period)
        previous_period = add_months(period, -1)
        # The earlier months' card numbers only (no reporting counts): what the change compares.
        changes = compare(figures, store.read(headline_values, scope, previous_period))
        # The program reviews every six months (a supervision mission): the change since the last one.
        review_period = add_months(period, -REVIEW_MONTHS)
        review_changes = compare(figures, store.read(headline_values, scope, review_period))
        statuses = card_statuses(store.read(progress_table, scope, period))
        alerts = alerts_card(store.read(alerts_for, scope, period, lang), store.read(rules_in_force), lang)
        map_data = store.read(district_map_data, MAP_INDICATOR, scope, period)
        # Sliver-free shared borders, at the detail the view needs (whole country or one province).
        geojson = layer_geojson("district", "province" if scope else "national", scope[:2] if scope else None)
        figure = indicator_choropleth(map_data["values"], map_data["units"], geojson,
                                      map_data["indicator"], lang, map_style=config["MAP_STYLE"])
        # Same districts drawn (country or one province) in the same language: only values change.
        key = f"district|{scope[:2] if scope else '00'}|{lang}"
        if key == previous_key:
            figure = as_patch(figure)
        title = t("overview.scope_title", lang, place=place, period=format_period(period, lang))
        return (title, alerts, headline_cards(figures, place, lang, period, changes, statuses, previous_period,
                                              card_links(scope, period), review_changes, review_period), figure,
                t("overview.map_title", lang, period=format_period(period, lang)), key)
