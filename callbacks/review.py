"""Review page callbacks: the shared filters' place and period; one review query; the tables and their files."""
from dash import Input, Output, State

from callbacks.exporting import register_export
from data_access.queries.catalogue import admin_unit
from data_access.queries.review import review_figures
from i18n import localized, t
from layouts.common import FILTERS_STORE, LANGUAGE_STORE
from layouts.review import FRAMEWORK, HEADLINE, TABLE_FRAMEWORK, TABLE_HEADLINE, TITLE, WINDOWS, framework_table, \
    headline_table, window_lines
from layouts.shell import PERIOD
from reports.review_tables import framework_export, headline_export


# Components only read callbacks write to: their answers are kept whole (dashboard/response_cache.py).
CACHED_OUTPUTS = frozenset({
    "review-framework",
    "review-headline",
    "review-title",
    "review-windows",
})


def chosen(filters: dict | None) -> tuple[str | None, str | None]:
    """(place code or None for national, the period filter's value: a month, quarter or semester)."""
    filters = filters or {}
    return (filters.get("district") or filters.get("province") or None,
            filters.get("review_period") or filters.get("period"))


def register(app, store, config) -> None:
    @app.callback(
        Output(TITLE, "children"),
        Output(WINDOWS, "children"),
        Output(HEADLINE, "children"),
        Output(FRAMEWORK, "children"),
        Input(FILTERS_STORE, "data"),
        State(LANGUAGE_STORE, "data"),
    )
    def update_review(filters, lang):
        scope, period = chosen(filters)
        if not period:
            message = t("common.no_data", lang)
            return message, "", message, message
        unit = store.read(admin_unit, scope or "00")
        place = localized(unit, lang) if unit else t("common.national", lang)
        review = store.read(review_figures, scope, period)
        title, lines = window_lines(review, place, lang)
        return title, lines, headline_table(review, lang), framework_table(review, lang)

    def build(kind):
        def export(lang, scope, _as_of, period):
            review = store.read(review_figures, scope, period)
            return (headline_export if kind == "headline" else framework_export)(store.read, review, scope, lang)
        return export

    # The period filter's own value (a semester, say), not only its as-of month.
    register_export(app, TABLE_HEADLINE, build("headline"), [State(PERIOD, "value")])
    register_export(app, TABLE_FRAMEWORK, build("framework"), [State(PERIOD, "value")])
