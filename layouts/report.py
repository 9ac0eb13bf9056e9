"""Mission report page: make the PDF and Excel for the chosen place and month, in the background, then download."""
import base64

import dash_bootstrap_components as dbc
from dash import dcc, html

from i18n import t
from layouts.common import current_language

PAGE = {"path": "/report", "title_key": "nav.report", "order": 70, "nav_group": "more"}

TITLE = "report-title"
SCOPE = "report-scope"
LANGUAGE = "report-language"
MAKE = "report-make"
CANCEL = "report-cancel"
PROGRESS = "report-progress"
RESULT = "report-result"
PDF_LINK = "report-pdf-link"
XLSX_LINK = "report-xlsx-link"
PHASE2_CHOICE = "report-phase2-choice"
PHASE2_LINE = "report-phase2-line"


def layout(lang: str | None = None, **query) -> html.Div:
    lang = current_language(lang)
    # ?phase2=<the Phase II page's address query>: the link on that page brings its selection here.
    phase2 = str(query.get("phase2") or "") or None
    return html.Div(
        [
            dcc.Store(id=PHASE2_CHOICE, data=phase2),
            html.H1(t("report.page_title", lang), className="page-title", id=TITLE),
            html.P(t("report.page_intro", lang), className="text-muted"),
            dbc.Card(dbc.CardBody([
                html.Div(id=SCOPE, className="fw-semibold mb-2"),
                html.Div(t("report.phase2_from_page" if phase2 else "report.phase2_default", lang), id=PHASE2_LINE,
                         className="small text-muted mb-2"),
                html.Div([
                    html.Label(t("report.language_label", lang), htmlFor=LANGUAGE, className="me-2 small text-muted"),
                    dbc.RadioItems(id=LANGUAGE, inline=True, value=lang, className="d-inline-block",
                                   options=[{"label": t("about.col_lo", lang), "value": "lo"},
                                            {"label": t("about.col_en", lang), "value": "en"}]),
                ], className="mb-2"),
                html.Div([
                    dbc.Button(t("report.make", lang), id=MAKE, color="primary", n_clicks=0),
                    dbc.Button(t("report.cancel", lang), id=CANCEL, color="link", n_clicks=0, disabled=True),
                ], className="d-flex gap-2 mb-2"),
                dbc.Progress(id=PROGRESS, value=0, striped=True, animated=True, style={"display": "none"},
                             className="mb-2"),
                html.Div(id=RESULT, role="status", **{"aria-live": "polite"}),
            ]), className="mb-3"),
            html.P(t("report.contents", lang), className="small text-muted"),
        ]
    )


def scope_line(place: str, period: str, lang: str) -> str:
    return t("report.scope_line", lang, place=place, period=period)


def progress_label(step: str, lang: str) -> str:
    return t(f"report.step_{step}", lang)


def result_links(report, seconds: float, lang: str) -> html.Div:
    """Download links for the finished files (data: URLs: the files are already in the browser)."""
    pdf = "data:application/pdf;base64," + base64.b64encode(report.pdf).decode("ascii")
    xlsx = ("data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"
            + base64.b64encode(report.xlsx).decode("ascii"))
    return html.Div([
        html.Div(t("report.ready", lang, seconds=f"{seconds:.0f}"), className="mb-2"),
        html.A(t("report.download_pdf", lang), href=pdf, download=report.pdf_name, id=PDF_LINK,
               className="btn btn-success me-2"),
        html.A(t("report.download_xlsx", lang), href=xlsx, download=report.xlsx_name, id=XLSX_LINK,
               className="btn btn-outline-success"),
    ])


def failure(lang: str) -> dbc.Alert:
    return dbc.Alert(t("report.failed", lang), color="danger", className="mb-0")
