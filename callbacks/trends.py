"""Trends callbacks: the shared filters choose the place and the as-of month; each section follows."""
from dash import Input, Output, State

from data_access.queries.catalogue import admin_unit
from data_access.queries.trends import (
    compliance_trends,
    management_trends,
    operations_trends,
    payment_pipeline,
    survey_trends,
)
from i18n import format_period, localized, t
from layouts.common import FILTERS_STORE, LANGUAGE_STORE
from layouts.figures.trends import (
    backlog_timeline,
    compliance_figure,
    disbursement_figure,
    empty_figure,
    management_rates_figure,
    operations_figure,
    payments_figure,
    pipeline_heatmap,
    pipeline_steps_figure,
    survey_trend_figure,
)
from layouts.trends import (
    BACKLOG_GRAPH,
    BACKLOG_TABLE,
    COMPLIANCE_GRAPH,
    COMPLIANCE_NOTE,
    CURRENCY,
    DISBURSEMENT_GRAPH,
    DISBURSEMENT_NOTE,
    MANAGEMENT_GRAPH,
    MANAGEMENT_NOTE,
    OPERATIONS_GRAPH,
    PAYMENTS_GRAPH,
    PIPELINE_HEATMAP,
    PIPELINE_STEPS,
    PIPELINE_SUMMARY,
    SURVEY_GRAPH,
    SURVEY_INDICATOR,
    SURVEY_NOTE,
    TITLE,
    backlog_table,
    pipeline_summary,
)


# Components only read callbacks write to: their answers are kept whole (dashboard/response_cache.py).
CACHED_OUTPUTS = frozenset({
    "trends-compliance-graph",
    "trends-compliance-note",
    "trends-title",
    "trends-survey-graph",
    "trends-survey-note",
    "trends-backlog-graph",
    "trends-backlog-table",
    "trends-operations-graph",
    "trends-payments-graph",
    "trends-pipeline-heatmap",
    "trends-pipeline-steps",
    "trends-pipeline-summary",
    "trends-disbursement-graph",
    "trends-disbursement-note",
    "trends-management-graph",
    "trends-management-note",
})


def _scope(filters: dict | None) -> tuple[str | None, str | None]:
    """(place code or None for national, as-of month) from the shared filters."""
    filters = filters or {}
    return filters.get("district") or filters.get("province") or None, filters.get("period")


def register(app, store, config) -> None:
    def place_name(scope: str | None, lang: str) -> str:
        unit = store.read(admin_unit, scope) if scope else None
        return localized(unit, lang) if unit else t("common.national", lang)

    @app.callback(
        Output(TITLE, "children"),
        Output(COMPLIANCE_GRAPH, "figure"),
        Output(COMPLIANCE_NOTE, "children"),
        Input(FILTERS_STORE, "data"),
        State(LANGUAGE_STORE, "data"),
    )
    def update_compliance(filters, lang):
        scope, period = _scope(filters)
        if not period:
            return t("trends.title", lang), empty_figure(t("common.no_data", lang)), ""
        result = store.read(compliance_trends, scope, period)
        title = t("trends.scope_title", lang, place=place_name(scope, lang), period=format_period(period, lang))
        return title, compliance_figure(result["series"], lang, result["target"]), t("trends.compliance_note", lang)

    @app.callback(
        Output(SURVEY_GRAPH, "figure"),
        Output(SURVEY_NOTE, "children"),
        Input(FILTERS_STORE, "data"),
        Input(SURVEY_INDICATOR, "value"),
        State(LANGUAGE_STORE, "data"),
    )
    def update_survey(filters, indicator_code, lang):
        scope, period = _scope(filters)
        if not period or not indicator_code:
            return empty_figure(t("common.no_data", lang)), ""
        result = store.read(survey_trends, indicator_code, scope, period)
        fallback_for = localized(result["requested"], lang) if result["fallback"] else None
        figure = survey_trend_figure(result["series"], result["indicator"], lang, result["target"], fallback_for)
        note = t("trends.survey_note", lang)
        if fallback_for:
            note = t("trends.survey_fallback_note", lang, district=fallback_for,
                     province=localized(result["scope"], lang)) + " " + note
        return figure, note

    @app.callback(
        Output(OPERATIONS_GRAPH, "figure"),
        Output(PIPELINE_SUMMARY, "children"),
        Output(BACKLOG_GRAPH, "figure"),
        Output(BACKLOG_TABLE, "children"),
        Output(PIPELINE_HEATMAP, "figure"),
        Output(PIPELINE_STEPS, "figure"),
        Output(PAYMENTS_GRAPH, "figure"),
        Input(FILTERS_STORE, "data"),
        Input(CURRENCY, "value"),
        State(LANGUAGE_STORE, "data"),
    )
    def update_operations(filters, currency, lang):
        scope, period = _scope(filters)
        if not period:
            blank = empty_figure(t("common.no_data", lang))
            return blank, "", blank, "", blank, blank, blank
        operations = store.read(operations_trends, scope, period)
        pipeline = store.read(payment_pipeline, scope, period)
        return (
            operations_figure(operations, lang),
            pipeline_summary(pipeline["overall"], pipeline["backlog_by_district"], pipeline["delay"],
                             pipeline["as_of_date"], period, lang),
            backlog_timeline(pipeline["backlog"], pipeline["as_of_date"], lang),
            backlog_table(pipeline["backlog"], lang),
            pipeline_heatmap(pipeline["pipeline"], lang),
            pipeline_steps_figure(pipeline["by_period"], lang, pipeline["target_days"]),
            payments_figure(pipeline["payments"], lang, currency or "USD"),
        )

    @app.callback(
        Output(MANAGEMENT_GRAPH, "figure"),
        Output(MANAGEMENT_NOTE, "children"),
        Output(DISBURSEMENT_GRAPH, "figure"),
        Output(DISBURSEMENT_NOTE, "children"),
        Input(FILTERS_STORE, "data"),
        Input(CURRENCY, "value"),
        State(LANGUAGE_STORE, "data"),
    )
    def update_management(filters, currency, lang):
        scope, period = _scope(filters)
        if not period:
            blank = empty_figure(t("common.no_data", lang))
            return blank, "", blank, ""
        result = store.read(management_trends, scope, period)
        place = localized(result["disbursement_place"], lang) or t("common.national", lang)
        if result["disbursement_place"]["code"] == "00":
            place = t("common.national", lang)
        note = t("trends.disbursement_note", lang, place=place)
        if currency == "LAK":
            note += " " + t("trends.lak_note", lang)
        return (
            management_rates_figure(result["rates"], lang, scope),
            t("trends.management_note", lang),
            disbursement_figure(result["disbursement"], lang, currency or "USD"),
            note,
        )
