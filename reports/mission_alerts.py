"""The mission report's alerts: the Overview's own list (queries.alerts.alerts_for) for the scope and month, PDF and sheet."""
from html import escape

import pandas as pd

from i18n import format_period, t
from layouts.alerts import thresholds_text
from reports.context import place_name
from reports.exports import Column

SEVERITY_CLASSES = {"critical": "sev-critical", "serious": "sev-serious", "warning": "sev-warning"}


def section(data: dict, lang: str) -> str:
    """"Needs attention": each alert's severity and sentence in the Overview's order, then the rules in force."""
    frame = data.get("alerts")
    place = place_name(data["place"], lang)
    parts = [f'<section class="alerts"><h2>{escape(t("alerts.title", lang))}</h2>',
             f'<p class="muted">{escape(t("mission.alerts_intro", lang, place=place, period=format_period(data["as_of"], lang)))}</p>']
    if frame is None or frame.empty:
        parts.append(f'<p>{escape(t("alerts.none", lang))}</p>')
    else:
        items = "".join(_item(alert, lang) for alert in frame.to_dict("records"))
        parts.append(f'<ul class="alert-items">{items}</ul>')
    rules = data.get("alert_rules")
    if rules is not None and not rules.empty:
        rows = "".join(_rule_row(rule, lang) for rule in rules.to_dict("records"))
        parts.append(f'<h3>{escape(t("alerts.about_title", lang))}</h3>'
                     f'<table class="data rules"><tbody>{rows}</tbody></table>')
    parts.append("</section>")
    return "".join(parts)


def _item(alert: dict, lang: str) -> str:
    severity = alert["severity"]
    label = t(f"alerts.severity_{severity}", lang)
    return (f'<li class="{SEVERITY_CLASSES.get(severity, "")}"><span class="severity">{escape(label)}</span> '
            f'{escape(alert["sentence"])}</li>')


def _rule_row(rule: dict, lang: str) -> str:
    code = rule["code"]
    return (f'<tr><td>{escape(t(f"alerts.rule_{code}", lang))}</td>'
            f'<td class="thresholds">{escape(thresholds_text(rule, lang))}</td></tr>')


def sheet(data: dict, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """One row per alert, as the section lists them: severity, what rule, the place's code (text), the sentence."""
    frame = data.get("alerts")
    rows = [] if frame is None else [
        {"severity": t(f"alerts.severity_{alert['severity']}", lang), "rule": t(f"alerts.rule_{alert['rule']}", lang),
         "scope_code": alert["scope_code"], "sentence": alert["sentence"], "value": alert["value"]}
        for alert in frame.to_dict("records")]
    table = pd.DataFrame(rows, columns=["severity", "rule", "scope_code", "sentence", "value"])
    return table, [
        Column("severity", t("mission.col_severity", lang), width=14),
        Column("sentence", t("mission.col_alert", lang), width=80),
        Column("scope_code", t("export.col_place_code", lang), "code"),
        Column("value", t("mission.col_alert_value", lang), "number"),
        Column("rule", t("mission.col_rule", lang), width=60),
    ]
