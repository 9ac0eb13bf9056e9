"""Trends page: nutrition surveys, CCT compliance, CCT operations and the payment pipeline, program management."""
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from i18n import format_day, format_number, format_period, format_value, localized, t
from layouts.common import current_language, graph_config
from layouts.exports import export_buttons, image_buttons
from layouts.payment_delay import delay_parts, delay_rule

PAGE = {"path": "/trends", "title_key": "nav.trends", "order": 40}

TITLE = "trends-title"
SURVEY_INDICATOR = "trends-survey-indicator"
SURVEY_GRAPH = "trends-survey-graph"
SURVEY_NOTE = "trends-survey-note"
COMPLIANCE_GRAPH = "trends-compliance-graph"
COMPLIANCE_NOTE = "trends-compliance-note"
OPERATIONS_GRAPH = "trends-operations-graph"
CURRENCY = "trends-currency"
PAYMENTS_GRAPH = "trends-payments-graph"
PIPELINE_SUMMARY = "trends-pipeline-summary"
DELAY_PARTS = "trends-delay-parts"
DELAY_RULE = "trends-delay-rule"
PIPELINE_HEATMAP = "trends-pipeline-heatmap"
PIPELINE_STEPS = "trends-pipeline-steps"
BACKLOG_GRAPH = "trends-backlog-graph"
BACKLOG_TABLE = "trends-backlog-table"
MANAGEMENT_GRAPH = "trends-management-graph"
MANAGEMENT_NOTE = "trends-management-note"
DISBURSEMENT_GRAPH = "trends-disbursement-graph"
DISBURSEMENT_NOTE = "trends-disbursement-note"
# Tables with an Excel/CSV download (layouts/exports.py makes the buttons' ids from these).
TABLE_SURVEY = "trends-survey-table"
TABLE_COMPLIANCE = "trends-compliance-table"
TABLE_BACKLOG = "trends-waiting"
TABLE_CYCLES = "trends-cycles-table"
TABLE_DISBURSEMENT = "trends-disbursement-table"

# Each graph downloads as PNG/SVG under its card's title (layouts/exports.py image_buttons).
GRAPH_TITLES = {
    SURVEY_GRAPH: "trends.survey_card", COMPLIANCE_GRAPH: "trends.compliance_card",
    OPERATIONS_GRAPH: "trends.operations_card", BACKLOG_GRAPH: "trends.backlog_card",
    PIPELINE_HEATMAP: "trends.pipeline_card", PIPELINE_STEPS: "trends.steps_card",
    PAYMENTS_GRAPH: "trends.payments_card", DISBURSEMENT_GRAPH: "trends.disbursement_card",
    MANAGEMENT_GRAPH: "trends.management_card",
}

SURVEY_CHOICES = ("STUNTING", "WASTING", "UNDERWEIGHT")
# /trends?indicator=<code> opens on the card that shows it (the Overview cards link here).
FOCUS = "trends-focus"
URL_STATE = {"type": "url-part", "page": "trends"}
FOCUS_CARDS = {"STUNTING": "trends-card-survey", "WASTING": "trends-card-survey", "UNDERWEIGHT": "trends-card-survey",
               "CCT_COMPLY_ALL": "trends-card-compliance", "CCT_REGISTERED": "trends-card-operations",
               "CCT_PAY_DELAY": "trends-card-backlog"}
CURRENCIES = ("USD", "LAK")
# The camera button saves a bare "plot-image.png": the card's PNG/SVG buttons replace it.
GRAPH_CONFIG = {"modeBarButtonsToRemove": ["lasso2d", "select2d", "toImage"]}


def _graph(graph_id: str, height: int | None = None) -> dcc.Graph:
    style = {"height": f"{height}px"} if height else None
    return dcc.Graph(id=graph_id, config=graph_config(None, **GRAPH_CONFIG), style=style)


def _card(title: str, body: list, note_id: str | None = None, extra_header=None, export: tuple | None = None,
          image: tuple | None = None, card_id: str | None = None) -> dbc.Card:
    """export: (table id, lang) adds the Excel/CSV download of the card's table to its header;
    image: (graph id, lang) the PNG/SVG download of its graph."""
    header = [html.Span(title, className="fw-semibold")]
    if extra_header is not None:
        header.append(html.Div(extra_header, className="ms-auto"))
    if export is not None:
        header.append(html.Div(export_buttons(*export), className="" if extra_header is not None else "ms-auto"))
    if image is not None:
        header.append(html.Div(image_buttons(*image),
                               className="" if extra_header is not None or export is not None else "ms-auto"))
    children = [dbc.CardHeader(html.Div(header, className="d-flex align-items-center flex-wrap gap-2")),
                dbc.CardBody(body + ([html.Div(id=note_id, className="small text-muted mt-1")] if note_id else []))]
    return dbc.Card(children, className="mb-3", **({"id": card_id} if card_id else {}))


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = current_language(lang)
    survey_choice = dbc.RadioItems(
        id=SURVEY_INDICATOR, inline=True, value=SURVEY_CHOICES[0],
        options=[{"label": t(f"trends.survey_{code.lower()}", lang), "value": code} for code in SURVEY_CHOICES],
    )
    currency = dbc.RadioItems(
        id=CURRENCY, inline=True, value="USD",
        options=[{"label": t("unit.USD", lang), "value": "USD"}, {"label": t("unit.LAK", lang), "value": "LAK"}],
    )
    return html.Div(
        [
            dcc.Store(id=URL_STATE), dcc.Store(id=FOCUS),
            html.Div(
                [html.H1(t("trends.title", lang), className="page-title me-auto", id=TITLE),
                 html.Div([html.Span(t("trends.money_in", lang), className="small text-muted me-2"), currency],
                          className="d-flex align-items-center")],
                className="d-flex flex-wrap align-items-center gap-2",
            ),
            html.H2(t("trends.section_nutrition", lang), className="h5 mt-3"),
            _card(t("trends.survey_card", lang), [dcc.Loading(_graph(SURVEY_GRAPH), type="dot")], SURVEY_NOTE,
                  extra_header=survey_choice, export=(TABLE_SURVEY, lang),
                  image=(SURVEY_GRAPH, lang), card_id="trends-card-survey"),
            html.H2(t("trends.section_compliance", lang), className="h5 mt-3"),
            _card(t("trends.compliance_card", lang), [dcc.Loading(_graph(COMPLIANCE_GRAPH), type="dot")],
                  COMPLIANCE_NOTE, export=(TABLE_COMPLIANCE, lang), image=(COMPLIANCE_GRAPH, lang),
                  card_id="trends-card-compliance"),
            html.H2(t("trends.section_operations", lang), className="h5 mt-3"),
            _card(t("trends.operations_card", lang), [dcc.Loading(_graph(OPERATIONS_GRAPH), type="dot")],
                  image=(OPERATIONS_GRAPH, lang), card_id="trends-card-operations"),
            _card(t("trends.backlog_card", lang),
                  [dcc.Loading([html.Div(id=PIPELINE_SUMMARY), _graph(BACKLOG_GRAPH), html.Div(id=BACKLOG_TABLE)],
                               type="dot")], export=(TABLE_BACKLOG, lang), image=(BACKLOG_GRAPH, lang),
                  card_id="trends-card-backlog"),
            _card(t("trends.pipeline_card", lang),
                  [html.P(t("trends.pipeline_explainer", lang), className="small text-muted mb-1"),
                   dcc.Loading(_graph(PIPELINE_HEATMAP), type="dot")], export=(TABLE_CYCLES, lang),
                  image=(PIPELINE_HEATMAP, lang)),
            dbc.Row(
                [
                    dbc.Col(_card(t("trends.steps_card", lang), [dcc.Loading(_graph(PIPELINE_STEPS), type="dot")],
                                  image=(PIPELINE_STEPS, lang)),
                            lg=6),
                    dbc.Col(_card(t("trends.payments_card", lang), [dcc.Loading(_graph(PAYMENTS_GRAPH), type="dot")],
                                  image=(PAYMENTS_GRAPH, lang)),
                            lg=6),
                ],
            ),
            html.H2(t("trends.section_management", lang), className="h5 mt-3"),
            dbc.Row(
                [
                    dbc.Col(_card(t("trends.disbursement_card", lang),
                                  [dcc.Loading(_graph(DISBURSEMENT_GRAPH), type="dot")], DISBURSEMENT_NOTE,
                                  export=(TABLE_DISBURSEMENT, lang), image=(DISBURSEMENT_GRAPH, lang)), lg=6),
                    dbc.Col(_card(t("trends.management_card", lang),
                                  [dcc.Loading(_graph(MANAGEMENT_GRAPH), type="dot")], MANAGEMENT_NOTE,
                                  image=(MANAGEMENT_GRAPH, lang)), lg=6),
                ],
            ),
        ]
    )


def _fact(label: str, value: str, tone: str | None = None, fact_id: str | None = None) -> dbc.Col:
    return dbc.Col(
        html.Div([html.Div(label, className="small text-muted"),
                  html.Div(value, className="fs-4 fw-bold" + (f" status-{tone}" if tone else ""),
                           id={"type": "trends-fact", "fact": fact_id} if fact_id else None)],
                 className="border rounded px-2 py-1 h-100 bg-white"),
        xs=6, md=True, className="mb-2",
    )


def pipeline_summary(overall: pd.DataFrame, backlog_by_district: pd.DataFrame, delay: dict,
                     as_of_date, period: str, lang: str) -> html.Div:
    """Headline facts about waiting as of a day: open cycles per stage, people waiting, the longest
    wait, and the payment delay of the month with its open and paid parts and its rule.

    overall: one-row delay_statistics of every cycle; backlog_by_district: backlog_by_unit;
    delay: queries.payments.payment_delay of the month.
    """
    awaiting_approval = int(backlog_by_district["awaiting_approval"].sum()) if not backlog_by_district.empty else 0
    approved_unpaid = int(backlog_by_district["approved_unpaid"].sum()) if not backlog_by_district.empty else 0
    waiting = backlog_by_district["beneficiaries_waiting"].sum(min_count=1) if not backlog_by_district.empty else 0
    longest = overall["longest_open_days"].iloc[0] if not overall.empty else None
    median = delay["delay_days"]
    heading = t("trends.backlog_as_of", lang, day=format_day(as_of_date, lang))
    return html.Div(
        [
            html.Div(heading, className="fw-semibold mb-1"),
            dbc.Row(
                [
                    _fact(t("trends.fact_awaiting_approval", lang), format_number(awaiting_approval, lang),
                          "worse" if awaiting_approval else None, "awaiting_approval"),
                    _fact(t("trends.fact_approved_unpaid", lang), format_number(approved_unpaid, lang),
                          "worse" if approved_unpaid else None, "approved_unpaid"),
                    _fact(t("trends.fact_people_waiting", lang), format_number(waiting or 0, lang), None,
                          "people_waiting"),
                    _fact(t("trends.fact_longest_wait", lang),
                          format_value(longest, "days", lang) if longest is not None and not pd.isna(longest)
                          else "–", "worse" if longest is not None and not pd.isna(longest) and longest > 60 else None,
                          "longest_wait"),
                    _fact(t("trends.fact_median_delay", lang),
                          format_value(median, "days", lang) if median is not None else t("common.no_data", lang),
                          None, "median_delay"),
                ],
                className="g-2",
            ),
            html.Div([html.Div(part) for part in delay_parts(delay, period, lang)], className="small mb-1",
                     id=DELAY_PARTS),
            delay_rule(lang, DELAY_RULE),
        ],
        className="mb-2",
    )


def backlog_table(backlog: pd.DataFrame, lang: str, limit: int = 30) -> html.Div:
    """The open cycles, longest wait first: district, cycle, where it waits, since when, for whom."""
    if backlog.empty:
        return html.Div()
    header = html.Thead(html.Tr([html.Th(t(key, lang)) for key in (
        "common.district", "trends.col_cycle", "trends.col_stage", "trends.col_verified", "trends.col_days_waited",
        "trends.col_beneficiaries")]))
    rows = []
    for row in backlog.head(limit).itertuples():
        rows.append(html.Tr([
            html.Td(localized(row, lang)),
            html.Td(format_period(row.period, lang)),
            html.Td(t(f"trends.stage_{row.stage}", lang)),
            html.Td(format_day(row.verified_on.date(), lang)),
            html.Td(format_number(row.days_since_verified, lang), className="text-end fw-semibold"),
            html.Td(format_number(row.beneficiaries, lang), className="text-end"),
        ]))
    more = len(backlog) - limit
    return html.Div([
        dbc.Table([header, html.Tbody(rows)], size="sm", striped=True, hover=True, className="mb-1 small",
                  id="trends-backlog-rows"),
        html.Div(t("trends.more_rows", lang, count=format_number(more, lang)), className="small text-muted")
        if more > 0 else None,
    ])
