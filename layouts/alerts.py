"""Alerts as people read them: one line each, severity first, with a link to the view that explains it.

Not a page: the Overview shows the list and the rules in force; the navbar shows the count.
"""
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from i18n import format_number, t

LIST = "overview-alerts"
ABOUT = "overview-alerts-about"
BADGE = "shell-alert-badge"

SEVERITY_COLOURS = {"critical": "danger", "serious": "warning", "warning": "secondary"}
RULE_UNITS = {"payment_wait": "days", "beneficiaries_waiting": "people", "district_silent": "months",
              "compliance_gap": "points", "action_overdue": "days", "action_due_soon": "days"}


def alert_list(frame: pd.DataFrame, lang: str) -> html.Div:
    """The alerts_for() frame as a list, in its order (severity, then size)."""
    if frame is None or frame.empty:
        return html.Div(html.P(t("alerts.none", lang), className="small text-muted mb-0"), className="alert-list")
    items = []
    for position, alert in enumerate(frame.to_dict("records")):
        items.append(html.Li(
            [
                dbc.Badge(t(f"alerts.severity_{alert['severity']}", lang), color=SEVERITY_COLOURS[alert["severity"]],
                          className="alert-severity me-2"),
                html.Span(alert["sentence"], className="alert-sentence"),
                " ",
                dcc.Link(t("alerts.details", lang), href=alert["link"], className="alert-link",
                         id={"type": "overview-alert-link", "index": position}),
            ],
            className=f"alert-item alert-{alert['severity']}",
            **{"data-rule": alert["rule"], "data-scope": alert["scope_code"]},
        ))
    return html.Div(html.Ul(items, className="list-unstyled mb-0"), className="alert-list")


def alerts_card(frame: pd.DataFrame, rules: pd.DataFrame, lang: str) -> dbc.Card:
    """The Overview's first block: the alerts, then what rules raise them (folded)."""
    return dbc.Card(
        dbc.CardBody([
            html.H2(t("alerts.title", lang), className="h6 mb-2"),
            alert_list(frame, lang),
            about_alerts(rules, lang),
        ]),
        className="mb-3 alerts-card",
    )


def about_alerts(rules: pd.DataFrame, lang: str) -> html.Details:
    """"About the alerts": each rule in words and the thresholds in force (data_access.queries.alerts)."""
    rows = []
    for rule in rules.to_dict("records"):
        rows.append(html.Tr([html.Td(t(f"alerts.rule_{rule['code']}", lang)),
                             html.Td(thresholds_text(rule, lang), className="text-nowrap")],
                            **{"data-rule": rule["code"]}))
    return html.Details(
        [html.Summary(t("alerts.about_title", lang)),
         html.P(t("alerts.about_intro", lang), className="small mb-1"),
         dbc.Table(html.Tbody(rows), size="sm", className="small mb-0 bg-white", responsive=True),
         dcc.Link(t("alerts.edit_link", lang), href="/alert-rules", id=f"{ABOUT}-edit")],
        className="mt-2 small", id=ABOUT,
    )


def thresholds_text(rule: dict, lang: str) -> str:
    """"Warning: more than 30 days; Serious: more than 60 days; ..." or "always Serious", or "switched off"."""
    if not rule["enabled"]:
        return t("alerts.rule_off", lang)
    fixed = rule.get("fixed_severity")
    if isinstance(fixed, str):
        return t("alerts.fixed_severity", lang, severity=t(f"alerts.severity_{fixed}", lang))
    unit = RULE_UNITS[rule["code"]]
    if rule.get("within") is True:
        return t("alerts.thresholds_within", lang, severity=t("alerts.severity_warning", lang),
                 value=format_number(rule.get("warning") or 0, lang))
    parts = []
    for severity in ("warning", "serious", "critical"):
        value = rule.get(severity)
        if value is None or pd.isna(value):
            continue
        amount = t(f"alerts.unit_{unit}", lang, value=format_number(value, lang, 0 if float(value).is_integer() else 1))
        parts.append(t("alerts.thresholds", lang, severity=t(f"alerts.severity_{severity}", lang), threshold=amount))
    return "; ".join(parts)


def badge_props(frame: pd.DataFrame | None, lang: str) -> tuple[str, str, str, bool]:
    """(text, colour, title, hidden) of the navbar count: coloured by the worst alert."""
    count = 0 if frame is None else len(frame)
    worst = frame["severity"].iloc[0] if count else None
    return (format_number(count, lang), SEVERITY_COLOURS.get(worst, "light"),
            t("alerts.badge_title", lang, n=format_number(count, lang)), count == 0)
