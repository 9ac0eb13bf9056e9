"""Alert rules page: the thresholds in force, which an administrator may change (not in the navbar)."""
import dash_bootstrap_components as dbc
from dash import dcc, html

from i18n import t
from layouts.common import current_language

PAGE = {"path": "/alert-rules", "title_key": "nav.alert_rules", "order": 95, "show_in_nav": False, "filters": ()}

TITLE = "alert-rules-title"
FORM = "alert-rules-form"
SAVE = "alert-rules-save"
MESSAGE = "alert-rules-message"
VERSION = "alert-rules-version"
INPUT = "alert-rules-input"  # pattern-matching type: {"type": INPUT, "code": rule, "field": level | "enabled"}
LEVELS = ("warning", "serious", "critical")


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = current_language(lang)
    return html.Div([
        html.H1(t("alert_rules.title", lang), className="page-title", id=TITLE),
        html.P(t("alert_rules.intro", lang), className="small text-muted"),
        dcc.Store(id=VERSION, data=0),
        dcc.Loading(html.Div(id=FORM), type="dot"),
        dbc.Button(t("alert_rules.save", lang), id=SAVE, color="primary", className="mt-2"),
        html.Div(id=MESSAGE, className="mt-2", role="status"),
    ])


def rules_form(rules, lang: str) -> dbc.Table:
    """One row per rule (queries.alerts.rules_in_force): its words, three thresholds, on/off."""
    header = html.Thead(html.Tr([html.Th(t("alert_rules.rule", lang))]
                                + [html.Th(t(f"alerts.severity_{level}", lang)) for level in LEVELS]
                                + [html.Th(t("alert_rules.enabled", lang))]))
    rows = []
    for rule in rules.to_dict("records"):
        graded = not isinstance(rule.get("fixed_severity"), str)
        cells = [html.Td(t(f"alerts.rule_{rule['code']}", lang), className="small")]
        for level in LEVELS:
            if graded and (level == "warning" or rule.get("within") is not True):
                cells.append(html.Td(dcc.Input(
                    id={"type": INPUT, "code": rule["code"], "field": level}, type="number", min=0, step="any",
                    value=rule.get(level), debounce=True, className="form-control form-control-sm",
                    style={"maxWidth": "7rem"})))
            elif graded:
                # "due within N days" has one window, not three rising thresholds.
                cells.append(html.Td("", className="small text-muted"))
            else:
                cells.append(html.Td(t(f"alerts.severity_{rule['fixed_severity']}", lang) if level == rule["fixed_severity"]
                                     else "", className="small text-muted"))
        cells.append(html.Td(dbc.Checkbox(id={"type": INPUT, "code": rule["code"], "field": "enabled"},
                                          value=bool(rule["enabled"]))))
        rows.append(html.Tr(cells, **{"data-rule": rule["code"]}))
    # responsive: on a phone the table scrolls inside its own box instead of widening the page.
    return dbc.Table([header, html.Tbody(rows)], size="sm", className="bg-white align-middle", responsive=True)
