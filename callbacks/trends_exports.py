"""Trends page downloads: each table as the page's own query returned it, each chart as an image with its context."""
from dash import State

from callbacks.exporting import register_export, register_image_download
from data_access.queries.trends import compliance_trends, management_trends, payment_pipeline, survey_trends
from i18n import localized, t
from layouts.trends import GRAPH_TITLES, SURVEY_INDICATOR, TABLE_BACKLOG, TABLE_COMPLIANCE, TABLE_CYCLES, TABLE_DISBURSEMENT, TABLE_SURVEY
from reports.context import export_context
from reports.tables import backlog_table, cycles_table, disbursement_table, series_table, survey_table


def register(app, store, config) -> None:
    read = store.read

    def survey(lang, scope, period, indicator_code):
        indicator_code = indicator_code or "STUNTING"
        result = read(survey_trends, indicator_code, scope, period)
        frame, columns = survey_table(result, lang)
        name = localized(result["indicator"], lang) if result["indicator"] else indicator_code
        context = export_context(read, scope, period, lang, t("trends.survey_card", lang) + " – " + name,
                                 f"survey-{indicator_code.lower()}", notes=[t("trends.survey_note", lang)],
                                 with_completeness=False)
        return frame, columns, context

    def compliance(lang, scope, period):
        frame, columns = series_table(read(compliance_trends, scope, period)["series"], lang)
        context = export_context(read, scope, period, lang, t("trends.compliance_card", lang), "compliance",
                                 notes=[t("trends.compliance_note", lang)])
        return frame, columns, context

    def backlog(lang, scope, period):
        frame, columns = backlog_table(read(payment_pipeline, scope, period), lang)
        return frame, columns, export_context(read, scope, period, lang, t("trends.backlog_card", lang),
                                              "payment-backlog", with_completeness=False)

    def cycles(lang, scope, period):
        frame, columns = cycles_table(read(payment_pipeline, scope, period), lang)
        return frame, columns, export_context(read, scope, period, lang, t("trends.pipeline_card", lang),
                                              "payment-pipeline", notes=[t("trends.pipeline_explainer", lang)],
                                              with_completeness=False)

    def disbursement(lang, scope, period):
        result = read(management_trends, scope, period)
        frame, columns = disbursement_table(result, lang)
        place = localized(result["disbursement_place"], lang) or t("common.national", lang)
        if result["disbursement_place"]["code"] == "00":
            place = t("common.national", lang)
        return frame, columns, export_context(read, scope, period, lang, t("trends.disbursement_card", lang),
                                              "budget", notes=[t("trends.disbursement_note", lang, place=place)],
                                              with_completeness=False)

    register_export(app, TABLE_SURVEY, survey, [State(SURVEY_INDICATOR, "value")])
    register_export(app, TABLE_COMPLIANCE, compliance)
    register_export(app, TABLE_BACKLOG, backlog)
    register_export(app, TABLE_CYCLES, cycles)
    register_export(app, TABLE_DISBURSEMENT, disbursement)
    for graph, title_key in GRAPH_TITLES.items():
        register_image_download(app, store, graph, title_key)
