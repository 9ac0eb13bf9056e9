"""Review page: the chosen quarter or semester against the one before, headline figures and results framework."""
import math

import dash_bootstrap_components as dbc
from dash import dcc, html

from i18n import format_number, format_period, format_value, localized, t
from layouts.card_change import TONES, card_statuses
from layouts.common import current_language
from layouts.exports import export_buttons

PAGE = {"path": "/review", "title_key": "nav.review", "order": 35, "nav_group": "more"}

TITLE = "review-title"
WINDOWS = "review-windows"
HEADLINE = "review-headline"
FRAMEWORK = "review-framework"
RULES = "review-rules"
# Export tables (layouts.exports ids: <table>-export-xlsx / -csv / -download).
TABLE_HEADLINE = "review-hl"
TABLE_FRAMEWORK = "review-rf"

# The Overview's five cards: (card, title key, period rule, unit).
CARDS = [
    ("registered", "overview.card_registered", "stock", "people"),
    ("compliance", "review.card_compliance", "ratio", "percent"),
    ("stunting", "overview.card_stunting", "survey", "percent"),
    ("convergence", "overview.card_convergence", "convergence", "percent"),
    ("delay", "overview.card_delay", "delay", "days"),
]


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = current_language(lang)
    return html.Div(
        [
            html.H1(t("review.heading", lang), className="page-title", id=TITLE),
            html.Div(id=WINDOWS, className="mb-2"),
            html.Details([html.Summary(t("review.rules_title", lang)),
                          *[html.P(t(f"review.rules_body_{n}", lang), className="small mb-1") for n in (1, 2, 3)]],
                         id=RULES, className="mb-3", open=True),
            dbc.Card([
                dbc.CardHeader(html.Div([html.Span(t("review.headline_title", lang), className="me-auto"),
                                         export_buttons(TABLE_HEADLINE, lang)],
                                        className="d-flex align-items-center gap-2")),
                dbc.CardBody(dcc.Loading(html.Div(id=HEADLINE), type="dot")),
            ], className="mb-3"),
            dbc.Card([
                dbc.CardHeader(html.Div([html.Span(t("review.framework_title", lang), className="me-auto"),
                                         export_buttons(TABLE_FRAMEWORK, lang)],
                                        className="d-flex align-items-center gap-2")),
                dbc.CardBody(dcc.Loading(html.Div(id=FRAMEWORK), type="dot")),
            ]),
        ]
    )


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def headline_rows(review: dict) -> list[dict]:
    """One dict per Overview card: value_then/value_now (as the Overview's headline_figures gave
    them), change and verdict (card_changes.compare), status_then/status_now (progress_table), the
    survey round of each stunting value. No number is computed here but the stunting difference."""
    now, then, changes = review["headline_now"], review["headline_then"], review["changes"]
    status_now, status_then = card_statuses(review["progress_now"]), card_statuses(review["progress_then"])
    rows = []
    for card, title_key, rule, unit in CARDS:
        row = {"card": card, "title_key": title_key, "rule": rule, "unit": unit,
               "status_then": status_then.get(card), "status_now": status_now.get(card),
               "period_then": None, "period_now": None}
        if card == "stunting":
            latest_now = (now["stunting"] or {}).get("latest") or {}
            latest_then = (then["stunting"] or {}).get("latest") or {}
            value_now, value_then = latest_now.get("value"), latest_then.get("value")
            change = None if _missing(value_now) or _missing(value_then) else float(value_now) - float(value_then)
            row |= {"value_then": value_then, "value_now": value_now, "change": change,
                    "verdict": changes["stunting"]["verdict"] if change is not None else None,
                    "period_then": latest_then.get("period"), "period_now": latest_now.get("period")}
        else:
            found = changes[card]
            row |= {"value_then": found["previous"], "value_now": found["current"], "change": found["change"],
                    "verdict": found["verdict"]}
        rows.append(row)
    return rows


def value_text(value, unit: str, lang: str, survey_year: str | None = None) -> str:
    """A value as the pages write it; missing is "no data", never 0; a survey value names its round."""
    text = format_value(value, unit, lang)
    if survey_year and not _missing(value):
        return t("review.survey_round", lang, value=text, year=survey_year)
    return text


def change_text(change, unit: str, lang: str) -> str:
    """"+206", "+1.5 points", "−15 days"; "no data" when either value is missing."""
    if _missing(change):
        return t("common.no_data", lang)
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    amount = abs(change)
    if unit == "percent":
        return sign + t("review.change_points", lang, value=format_number(amount, lang, 1))
    if unit == "days":
        return sign + format_number(amount, lang, 0) + " " + t("unit.days", lang)
    return sign + format_number(amount, lang, 0)


def text_or_none(value) -> str | None:
    """A frame's text cell, None when missing (pandas gives NaN, not None, in text columns)."""
    return value if isinstance(value, str) and value else None


def verdict_text(verdict: str | None, lang: str) -> str:
    verdict = text_or_none(verdict)
    return t(f"review.verdict_{verdict}", lang) if verdict else ""


def status_text(status: str | None, lang: str) -> str:
    status = text_or_none(status)
    return t(f"targets.status_{status}", lang) if status else t("review.status_none", lang)


def _status_cell(status: str | None, column: str, lang: str) -> html.Td:
    tone = TONES.get(text_or_none(status))
    return html.Td(status_text(status, lang), className=f"review-{column}" + (f" tone-text-{tone}" if tone else ""))


def _header(window: dict, previous: dict, lang: str, first: str) -> html.Thead:
    then, now = format_period(previous["code"], lang), format_period(window["code"], lang)
    return html.Thead(html.Tr([html.Th(t(first, lang)), html.Th(t("review.col_rule", lang)), html.Th(then),
                               html.Th(now), html.Th(t("review.col_change", lang)),
                               html.Th(t("review.col_verdict", lang)),
                               html.Th(t("review.col_status", lang, period=then)),
                               html.Th(t("review.col_status", lang, period=now))]))


def _cells(row: dict, unit: str, lang: str, survey: bool) -> list:
    return [
        html.Td(value_text(row["value_then"], unit, lang, text_or_none(row.get("period_then")) if survey else None),
                className="review-then"),
        html.Td(value_text(row["value_now"], unit, lang, text_or_none(row.get("period_now")) if survey else None),
                className="review-now"),
        html.Td(change_text(row["change"], unit, lang), className="review-change"),
        html.Td(verdict_text(row["verdict"], lang), className=f"review-verdict change-{text_or_none(row['verdict'])}"),
        _status_cell(row["status_then"], "status-then", lang),
        _status_cell(row["status_now"], "status-now", lang),
    ]


def headline_table(review: dict, lang: str) -> dbc.Table:
    rows = [html.Tr([html.Th(t(row["title_key"], lang), scope="row"),
                     html.Td(t(f"review.rule_{row['rule']}", lang), className="review-rule small"),
                     *_cells(row, row["unit"], lang, row["rule"] == "survey")], id=f"review-hl-{row['card']}")
            for row in headline_rows(review)]
    return dbc.Table([_header(review["window"], review["previous_window"], lang, "review.col_figure"),
                      html.Tbody(rows)], bordered=False, hover=True, responsive=True, size="sm",
                     className="review-table")


def framework_table(review: dict, lang: str) -> dbc.Table:
    body = []
    for row in review["framework"].to_dict("records"):
        project = text_or_none(row["project_name_lo"] if lang == "lo" else row["project_name_en"]) or ""
        name = html.Div([html.Span(localized(row, lang)), html.Small(" " + project, className="text-muted")])
        body.append(html.Tr([html.Th(name, scope="row"),
                             html.Td(t(f"review.rule_{row['rule']}", lang), className="review-rule small"),
                             *_cells(row, row["unit"], lang, row["rule"] == "survey")],
                            id=f"review-rf-{row['indicator_code']}"))
    return dbc.Table([_header(review["window"], review["previous_window"], lang, "review.col_indicator"),
                      html.Tbody(body)], bordered=False, hover=True, responsive=True, size="sm",
                     className="review-table")


def window_lines(review: dict, place: str, lang: str) -> tuple[str, list]:
    """(page title, the lines saying which months each period covers and its as-of month, and notes)."""
    window, previous = review["window"], review["previous_window"]
    title = t("review.title", lang, place=place, period=format_period(window["code"], lang),
              previous=format_period(previous["code"], lang))
    lines = [html.Div(t("review.window_line", lang, period=format_period(w["code"], lang),
                        first=format_period(w["start"], lang), last=format_period(w["end"], lang),
                        as_of=format_period(w["as_of"], lang), rule=t(f"review.rule_as_of_{w['as_of_rule']}", lang)),
                      className="small", id=f"review-window-{name}")
             for name, w in (("now", window), ("then", previous))]
    if window["kind"] == "month":
        lines.append(dbc.Alert(t("review.choose_hint", lang), color="info", className="py-1 small mb-1"))
    if not window["has_data"]:
        lines.append(dbc.Alert(t("review.no_data_now", lang, period=format_period(window["code"], lang)),
                               color="warning", className="py-1 small mb-1", id="review-no-data"))
    elif not previous["has_data"]:
        lines.append(dbc.Alert(t("review.no_previous", lang, period=format_period(window["code"], lang),
                                 previous=format_period(previous["code"], lang)),
                               color="warning", className="py-1 small mb-1", id="review-no-previous"))
    return title, lines
