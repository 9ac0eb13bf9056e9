"""Overview page: headline cards for the chosen place and month, and the compliance map."""
import dash_bootstrap_components as dbc
from dash import dcc, html

from i18n import format_number, format_period, format_value, t
from layouts.alerts import LIST as ALERTS
from layouts.card_change import CARD_INDICATORS, change_line, status_label, stunting_change_line, tone_of
from layouts.carried import carried_note, carried_rule
from layouts import common as layout_common
from layouts.common import current_language, graph_config
from layouts.exports import IMAGE_GRAPH_CONFIG, image_buttons
from layouts.payment_delay import delay_parts, delay_rule
from layouts.url_state import link

PAGE = {"path": "/", "title_key": "nav.overview", "order": 10}

TITLE = "overview-title"
CARDS = "overview-cards"
MAP = "overview-map"
MAP_TITLE = "overview-map-title"
# Which geometry the browser's map holds ("district|00|en"): a new month over the same places
# is answered with a Patch of colours and values, not the boundaries again.
MAP_KEY = "overview-map-key"
DELAY_RULE = "overview-delay-rule"
REPORT_LINK = "overview-report-link"


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = current_language(lang)
    return html.Div(
        [
            html.Div([html.H1(t("overview.title", lang), className="page-title me-auto", id=TITLE),
                      html.A(t("report.make", lang), href="/report", id=REPORT_LINK,
                             className="btn btn-outline-primary btn-sm no-print")],
                     className="d-flex flex-wrap align-items-center gap-2"),
            # What needs attention comes first, before the figures it is about.
            dcc.Loading(html.Div(id=ALERTS), type="dot"),
            dcc.Loading(html.Div(id=CARDS), type="dot"),
            dbc.Card(
                [
                    dbc.CardHeader(html.Div([html.Span(id=MAP_TITLE), html.Div(image_buttons(MAP, lang), className="ms-auto")],
                                            className="d-flex align-items-center flex-wrap gap-2")),
                    dbc.CardBody(dcc.Graph(id=MAP, config=graph_config(lang, **IMAGE_GRAPH_CONFIG),
                                           style={"height": "460px"}, className=layout_common.HAS_MAP)),
                    dcc.Store(id=MAP_KEY, storage_type="memory"),
                ],
                className="mt-3",
            ),
        ]
    )


def card_links(scope: str | None, period: str) -> dict[str, str]:
    """Where each card is explained: its indicator's trend on /trends (the convergence card: the
    map's convergence view), for the same place and month."""
    links = {card: link("/trends", scope, period, indicator=code) for card, code in CARD_INDICATORS.items()}
    links["convergence"] = link("/map", scope, period, view="convergence")
    return links


def _card(card_id: str, title: str, value: str, details: list, tone: str | None = None,
          target_tone: str | None = None, href: str | None = None) -> dbc.Col:
    # The title's link stretches over the whole card (Bootstrap .stretched-link): the card is the link.
    heading = (dcc.Link(title, href=href, className="stretched-link card-title-link",
                        id={"type": "overview-card-link", "card": card_id}) if href else title)
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(heading, className="card-title"),
                    html.Div(value, className="headline-value" + (f" status-{tone}" if tone else ""),
                             id={"type": "overview-card-value", "card": card_id}),
                    *[html.Div(detail, className="headline-detail") if isinstance(detail, str) else detail
                      for detail in details if detail],
                ]
            ),
            className="headline-card h-100" + (f" tone-{target_tone}" if target_tone else ""),
            id={"type": "overview-card", "card": card_id},
        ),
        xs=12, sm=6, lg=True, className="mb-2",
    )


def headline_cards(figures: dict, scope_name: str, lang: str, period: str, changes: dict | None = None,
                   statuses: dict | None = None, previous_period: str | None = None,
                   links: dict | None = None, review_changes: dict | None = None,
                   review_period: str | None = None) -> dbc.Row:
    """Five cards from data_access.queries.overview.headline_figures(); missing shown as "no data".

    changes: data_access.card_changes.compare() against previous_period (the month before);
    statuses: layouts.card_change.card_statuses() of the Targets page's rows at this place,
    which colour a card against its target; links: card -> the address that explains it (card_links);
    review_changes: the same comparison against review_period (the as-of month of the previous
    six-month review), shown as a second line."""
    changes, statuses, links = changes or {}, statuses or {}, links or {}
    review_changes = review_changes or {}

    def review_line(card: str):
        if not review_period:
            return None
        if card == "stunting":
            line = stunting_change_line(review_changes.get("stunting", {}).get("verdict"), review_period, lang)
        else:
            line = change_line(card, review_changes.get(card), review_period, lang)
        if line is not None:
            line.id = {"type": "overview-card-review-change", "card": card}
        return line

    def extra(card: str) -> list:
        if card == "stunting":
            line = stunting_change_line(changes.get("stunting", {}).get("verdict"), previous_period, lang) \
                if previous_period else None
        else:
            line = change_line(card, changes.get(card), previous_period, lang) if previous_period else None
        return [status_label(card, statuses, lang), line, review_line(card)]

    registered = figures["registered"]
    target = figures["registered_target"]
    if target and registered["value"] is not None and target["value"]:
        share = 100.0 * registered["value"] / target["value"]
        target_text = t("overview.of_target", lang, target=format_number(target["value"], lang),
                        share=format_number(share, lang, 0))
    elif target:
        target_text = t("overview.target_is", lang, target=format_number(target["value"], lang))
    else:
        target_text = t("overview.no_target_here", lang)
    registered_period = (t("overview.as_of", lang, period=format_period(registered["period"], lang))
                         if registered["period"] else "")
    registered_reporting = _reporting({"n_units": figures.get("registered_reporting", registered.get("n_units"))},
                                      figures.get("registered_expected"), lang)
    registered_carried = carried_note(registered, lang)
    # The rule is said where a carried value is read, and where the cap has left the figure missing.
    registered_rule = (carried_rule(figures.get("carry_forward_months"), lang)
                       if registered_carried or registered["value"] is None else "")

    compliance = figures["compliance"]
    compliance_detail = (
        t("overview.compliance_detail", lang, numerator=format_number(compliance["numerator"], lang),
          denominator=format_number(compliance["denominator"], lang))
        if compliance["denominator"] else t("common.no_report", lang)
    )

    stunting_value, stunting_details, tone = stunting_card(figures["stunting"], lang)

    convergence = figures["convergence"]
    convergence_value = (format_value(convergence["share"], "percent", lang)
                         if convergence["share"] is not None else t("common.no_data", lang))
    # No coverage report at all in the window is missing, not "0 of 72 villages".
    convergence_detail = t("overview.convergence_detail" if convergence["share"] is not None or
                           not convergence["n_target_villages"] else "overview.convergence_no_reports", lang,
                           n_all=format_number(convergence["n_all"], lang),
                           n_target=format_number(convergence["n_target_villages"], lang))

    delay = figures["payment_delay"]
    delay_value = format_value(delay["delay_days"], "days", lang)
    delay_details = delay_parts(delay, period, lang) + [delay_rule(lang, DELAY_RULE)]

    return dbc.Row(
        [
            _card("registered", t("overview.card_registered", lang),
                  format_number(registered["value"], lang),
                  extra("registered") + [target_text, registered_period, registered_reporting, registered_carried,
                                         registered_rule], target_tone=tone_of("registered", statuses),
                  href=links.get("registered")),
            _card("compliance", t("overview.card_compliance", lang),
                  format_value(compliance["value"], "percent", lang),
                  extra("compliance") + [compliance_detail,
                                         _reporting(compliance, figures.get("compliance_expected"), lang)],
                  target_tone=tone_of("compliance", statuses), href=links.get("compliance")),
            _card("stunting", t("overview.card_stunting", lang), stunting_value,
                  extra("stunting") + stunting_details, tone, target_tone=tone_of("stunting", statuses),
                  href=links.get("stunting")),
            _card("convergence", t("overview.card_convergence", lang), convergence_value,
                  extra("convergence") + [convergence_detail], href=links.get("convergence")),
            _card("delay", t("overview.card_delay", lang), delay_value, extra("delay") + delay_details,
                  target_tone=tone_of("delay", statuses), href=links.get("delay")),
        ],
        className="g-2",
        id="overview-card-row",
    )


# Colour only a significant change (data_access.significance); noise stays uncoloured.
CHANGE_TONES = {"better": "better", "worse": "worse"}


def stunting_card(stunting: dict, lang: str) -> tuple[str, list[str], str | None]:
    """Value, detail lines and tone of the stunting card from survey_latest_and_baseline():
    the latest estimate with its 95 % interval, the baseline named by where it comes from (the
    results framework, or the oldest survey round where the framework has none), and whether
    the change is significant."""
    latest, base = stunting["latest"], stunting["baseline"]
    if not latest:
        return t("common.no_data", lang), [], None
    low = latest["value"] - 1.96 * (latest["std_error"] or 0)
    high = latest["value"] + 1.96 * (latest["std_error"] or 0)
    details = [t("overview.survey_ci", lang, year=latest["period"], low=format_number(low, lang, 1),
                 high=format_number(high, lang, 1))]
    if base:
        key = "overview.baseline_framework" if base["source"] == "framework" else "overview.baseline_oldest_round"
        details.append(t(key, lang, value=format_value(base["value"], "percent", lang), year=base["year"]))
    change = stunting.get("change")
    if change:
        details.append(t(f"overview.change_{change}", lang))
    elif base:
        details.append(t("overview.change_no_round_since", lang, year=base["year"]))
    details.append(t("overview.estimate_level", lang,
                     level=t(f"overview.level_{_level_name(stunting['level_code'])}", lang)))
    return format_value(latest["value"], "percent", lang), details, CHANGE_TONES.get(change)


def _reporting(value: dict, expected: int | None, lang: str) -> str:
    """"Reporting: 48 of 72 villages": missing reports are said, not hidden in the total."""
    if not expected:
        return ""
    return t("overview.reporting", lang, reporting=format_number(value.get("n_units") or 0, lang),
             expected=format_number(expected, lang))


def _level_name(code: str | None) -> str:
    if not code or code == "00":
        return "national"
    return {2: "province", 4: "district"}.get(len(code), "national")
