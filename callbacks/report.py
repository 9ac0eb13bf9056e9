"""Mission report page: the shared filters say what to report on; a background job makes the files."""
import logging
import time

from dash import Input, Output, State

from i18n import format_period, t
from layouts.common import FILTERS_STORE, LANGUAGE_STORE
from layouts.report import (
    CANCEL, LANGUAGE, MAKE, PHASE2_CHOICE, PROGRESS, RESULT, SCOPE, failure, progress_label, result_links, scope_line,
)
from reports.context import place_name, place_names
from reports.mission import make_report
from reports.mission_phase2 import parse_selection

log = logging.getLogger(__name__)


def _scope(filters: dict | None) -> tuple[str | None, str | None]:
    filters = filters or {}
    return filters.get("district") or filters.get("province") or None, filters.get("period")


def register(app, store, config) -> None:
    @app.callback(
        Output(SCOPE, "children"),
        Output(MAKE, "disabled"),
        Input(FILTERS_STORE, "data"),
        State(LANGUAGE_STORE, "data"),
    )
    def show_scope(filters, lang):
        scope, period = _scope(filters)
        if not period:
            return t("report.no_period", lang), True
        return scope_line(place_name(place_names(store.read, scope), lang), format_period(period, lang), lang), False

    @app.callback(
        Output(RESULT, "children"),
        Input(MAKE, "n_clicks"),
        State(FILTERS_STORE, "data"),
        State(LANGUAGE, "value"),
        State(LANGUAGE_STORE, "data"),
        State(PHASE2_CHOICE, "data"),
        background=True,
        running=[(Output(MAKE, "disabled"), True, False), (Output(CANCEL, "disabled"), False, True),
                 (Output(PROGRESS, "style"), {"height": "1.4rem"}, {"display": "none"})],
        progress=[Output(PROGRESS, "value"), Output(PROGRESS, "label")],
        progress_default=[0, ""],
        cancel=[Input(CANCEL, "n_clicks")],
        prevent_initial_call=True,
    )
    def make(set_progress, n_clicks, filters, report_lang, page_lang, phase2):
        scope, period = _scope(filters)
        if not n_clicks or not period:
            return ""
        lang = report_lang or page_lang or "lo"
        # The job runs in a forked process: pooled connections belong to the parent.
        store.engine.dispose(close=False)
        started = time.perf_counter()
        set_progress((2, progress_label("start", page_lang)))
        try:
            report = make_report(store.read, scope, period, lang,
                                 lambda step, percent: set_progress((percent, progress_label(step, page_lang))),
                                 phase2=parse_selection(phase2) if phase2 else None)
        except Exception:
            log.exception("mission report failed for %s %s %s", scope, period, lang)
            return failure(page_lang)
        return result_links(report, time.perf_counter() - started, page_lang)
