"""Alert rules page: show the thresholds in force; save an administrator's changes."""
import logging

import flask
from dash import ALL, Input, Output, State, no_update
from sqlalchemy.exc import SQLAlchemyError

from access import acting_account, auth_on_now, can_manage_users
from data_access.alert_settings import RuleError, save_alert_rules
from data_access.queries.alerts import rules_in_force
from i18n import t
from layouts.alert_rules import FORM, INPUT, MESSAGE, SAVE, VERSION, rules_form
from layouts.common import LANGUAGE_STORE

log = logging.getLogger(__name__)
LOCAL_ADDRESSES = ("127.0.0.1", "::1")


def can_edit_alert_rules() -> bool:
    """May this request change the alert thresholds? The one gate the save callback asks.

    With accounts on: active administrators only, read from the server's session, never from
    the request (as the Phase II settings). With accounts off (the demo database): only a
    request made on this machine, not relayed by a proxy (which would make every visitor look local).
    """
    if not flask.has_request_context():
        return False
    if auth_on_now():
        return can_manage_users(acting_account())
    relayed = flask.request.headers.get("X-Forwarded-For") or flask.request.headers.get("Forwarded")
    return not relayed and flask.request.remote_addr in LOCAL_ADDRESSES


def register(app, store, config) -> None:
    @app.callback(Output(FORM, "children"), Input(VERSION, "data"), State(LANGUAGE_STORE, "data"))
    def show_rules(_version, lang):
        return rules_form(store.read(rules_in_force), lang)

    @app.callback(
        Output(MESSAGE, "children"),
        Output(VERSION, "data"),
        Input(SAVE, "n_clicks"),
        State({"type": INPUT, "code": ALL, "field": ALL}, "value"),
        State({"type": INPUT, "code": ALL, "field": ALL}, "id"),
        State(VERSION, "data"),
        State(LANGUAGE_STORE, "data"),
        prevent_initial_call=True,
    )
    def save_rules(n_clicks, values, ids, version, lang):
        if not n_clicks:
            return no_update, no_update
        if not can_edit_alert_rules():
            return t("alert_rules.forbidden", lang), no_update
        changes: dict[str, dict] = {}
        for item, value in zip(ids, values):
            changes.setdefault(item["code"], {})[item["field"]] = value
        try:
            written = save_alert_rules(store.engine, changes)
        except RuleError as error:
            level = t(f"alerts.severity_{error.level}", lang) if error.level else ""
            return t(f"alert_rules.error_{error.code}", lang, rule=t(f"alerts.rule_{error.rule}", lang)
                     if error.code != "unknown_rule" else error.rule, level=level), no_update
        except SQLAlchemyError:
            log.exception("alert rules could not be saved")
            return t("alert_rules.unavailable", lang, command="python -m dashboard migrate"), no_update
        return t("alert_rules.saved", lang, count=written), (version or 0) + 1
