"""Shell callbacks: district choices follow the province; filters go into the shared store."""
import dataclasses

from dash import Input, Output, State, ctx, no_update

from data_access.queries.alerts import alerts_for
from data_access.periods import PeriodError, period_window, review_kind
from data_access.queries.catalogue import admin_units, months_with_data
from i18n import t
from layouts.alerts import BADGE as ALERT_BADGE, badge_props
from layouts.common import FILTERS_STORE, LANGUAGE_STORE
from layouts.shell import DISTRICT, ERROR_BANNER, LOCATION, PERIOD, PERIOD_RULE, PROVINCE, period_rule
from layouts.url_state import URL_DISTRICT


# Components only read callbacks write to: their answers are kept whole (dashboard/response_cache.py).
CACHED_OUTPUTS = frozenset({
    "shell-period-rule",
    "shell-alert-badge",
})


def _window(store, period: str | None):
    """The filter value as months (data_access.periods.period_window); None for no or a malformed value."""
    if not period:
        return None
    try:
        # A month is its own as-of month: only a quarter or semester needs the months with data, so
        # with the database gone a place change still reaches the pages (which then say so).
        months = store.read(months_with_data) if review_kind(period) != "month" else ()
        return period_window(period, months)
    except PeriodError:
        return None


def register(app, store, config) -> None:
    @app.callback(
        Output(DISTRICT, "options"),
        Output(DISTRICT, "value"),
        Input(PROVINCE, "value"),
        # A link's district (callbacks/url_sync.py) waits here until its province's districts are the options.
        Input(URL_DISTRICT, "data"),
        State(DISTRICT, "value"),
        State(LANGUAGE_STORE, "data"),
    )
    def district_choices(province, wanted, district, lang):
        options = [{"label": t("common.all_districts", lang), "value": ""}]
        if province:
            districts = store.read(admin_units, "district", province)
            name = "name_lo" if lang == "lo" else "name_en"
            options += [{"label": getattr(row, name), "value": row.code} for row in districts.itertuples()]
        if URL_DISTRICT in ctx.triggered_prop_ids.values() and isinstance(wanted, dict):
            district = wanted.get("district") or ""
        keep = district if district and province and district.startswith(province) else ""
        return options, keep

    @app.callback(
        Output(FILTERS_STORE, "data"),
        Input(PROVINCE, "value"),
        Input(DISTRICT, "value"),
        Input(PERIOD, "value"),
        # Shared again on each page change, but only sent when it differs from the store: a share that
        # failed (a quarter's months unreadable while the database was gone) must not leave the pages on
        # the filters from before once the database is back.
        Input(LOCATION, "pathname"),
        State(FILTERS_STORE, "data"),
    )
    def share_filters(province, district, period, _pathname, shared):
        # "period" stays the as-of month every page reads; a quarter or semester (review_period)
        # becomes its as-of month by data_access.periods.period_window, and its months go along.
        window = _window(store, period)
        filters = {"province": province or None, "district": district or None,
                   "period": window.as_of if window else None, "review_period": period if window else None,
                   "period_start": window.start if window else None}
        return no_update if filters == shared else filters

    @app.callback(Output(PERIOD_RULE, "children"), Input(PERIOD, "value"), State(LANGUAGE_STORE, "data"))
    def explain_period(period, lang):
        window = _window(store, period)
        return period_rule(dataclasses.asdict(window) if window else None, lang)

    # A failure message belongs to the page it happened on: moving to another page clears it
    # (in the browser, no request), so a recovered database is not announced as still gone.
    app.clientside_callback(
        "function(pathname) { return false; }",
        Output(ERROR_BANNER, "is_open"),
        Input(LOCATION, "pathname"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ALERT_BADGE, "children"),
        Output(ALERT_BADGE, "color"),
        Output(ALERT_BADGE, "title"),
        Output(ALERT_BADGE, "style"),
        Input(FILTERS_STORE, "data"),
        # Recounted on every page change too: saved thresholds (a new data version) show at once.
        Input(LOCATION, "pathname"),
        State(LANGUAGE_STORE, "data"),
    )
    def alert_count(filters, _path, lang):
        filters = filters or {}
        scope = filters.get("district") or filters.get("province") or None
        frame = store.read(alerts_for, scope, filters["period"], lang) if filters.get("period") else None
        text, colour, title, hidden = badge_props(frame, lang)
        return text, colour, title, {"display": "none"} if hidden else {}
