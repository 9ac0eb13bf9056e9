"""Agreed actions page: the filtered register, one action's update with its history, Excel import and export."""
import base64
import binascii
import logging

import flask
from dash import Input, Output, State, dcc, html, no_update
from sqlalchemy.exc import SQLAlchemyError

from access import acting_account, auth_on_now
from access.roles import action_fields_for
from callbacks.exporting import register_export
from data_access.actions import ActionError, action, action_history, filter_options, update_action
from data_access.importers.actions import import_actions
from data_access.queries.actions import action_register, latest_value
from data_access.queries.alerts import action_day
from i18n import format_day, format_period, t
from layouts.actions import (
    ANY, DAY_NOTE, DETAIL, EDIT_DUE, EDIT_EVIDENCE, EDIT_STATUS, EDIT_UNIT, GRID, HISTORY, IMPORT_MESSAGE, MESSAGE, MISSION, PICK, RIGHTS,
    SAVE, STATUS, TABLE, TEMPLATE, TEMPLATE_DOWNLOAD, UNIT, UPLOAD, VERSION, VIEW, action_detail, grid_rows,
    free_text_options, history_table, pick_options,
)
from layouts.common import FILTERS_STORE, LANGUAGE_STORE
from reports.actions_excel import register_table, template_workbook
from reports.context import export_context

log = logging.getLogger(__name__)
LOCAL_ADDRESSES = ("127.0.0.1", "::1")
NOTHING: frozenset[str] = frozenset()


def _local_unrelayed() -> bool:
    relayed = flask.request.headers.get("X-Forwarded-For") or flask.request.headers.get("Forwarded")
    return not relayed and flask.request.remote_addr in LOCAL_ADDRESSES


def editable_fields(admin_code: str | None) -> frozenset[str] | None:
    """The fields of an action scoped to admin_code this request may change (None: all; empty: none).

    The one gate the save callback asks, read from the server's session, never from the request.
    With accounts on: admins every field of every action, a province coordinator the status and
    evidence of actions scoped inside their provinces (access.roles.action_fields_for). With
    accounts off (the demo database): as the alert rules and Phase II settings, only a request made
    on this machine and not relayed by a proxy, which may then change everything.
    """
    if not flask.has_request_context():
        return NOTHING
    if auth_on_now():
        return action_fields_for(acting_account(), admin_code)
    return None if _local_unrelayed() else NOTHING


def may_import() -> bool:
    """Importing adds and rewrites any action: the same people who manage them all (admins)."""
    return flask.has_request_context() and editable_fields(None) is None


def _who() -> str:
    account = acting_account()
    if auth_on_now() and account is not None:
        return account.username
    return "local (accounts off)"


def _decode(contents: str | None) -> bytes | None:
    if not contents:
        return None
    try:
        return base64.b64decode(contents.split(",", 1)[1] if "," in contents else contents, validate=False)
    except (binascii.Error, ValueError):
        return None


def _scope(filters: dict | None) -> tuple[str | None, str | None]:
    filters = filters or {}
    return filters.get("district") or filters.get("province") or None, filters.get("period")


def _rights_text(lang: str) -> str:
    if not auth_on_now():
        key = "actions.rights_off_local" if _local_unrelayed() else "actions.rights_off_remote"
        return t(key, lang)
    account = acting_account()
    role = account.role if account else None
    return t(f"actions.rights_{role}" if role in ("admin", "coordinator") else "actions.rights_viewer", lang,
             provinces=", ".join(sorted(account.provinces)) if account else "")


def register(app, store, config) -> None:
    @app.callback(Output(MISSION, "options"), Output(UNIT, "options"), Output(RIGHTS, "children"),
                  Input(VERSION, "data"), State(LANGUAGE_STORE, "data"))
    def options(_version, lang):
        found = store.read(filter_options)
        return ([{"label": t("actions.any_mission", lang), "value": ANY}] + free_text_options(found["missions"]),
                [{"label": t("actions.any_unit", lang), "value": ANY}] + free_text_options(found["units"]),
                _rights_text(lang))

    @app.callback(Output(GRID, "rowData"), Output(PICK, "options"), Output(DAY_NOTE, "children"),
                  Input(MISSION, "value"), Input(STATUS, "value"), Input(UNIT, "value"), Input(VIEW, "value"),
                  Input(FILTERS_STORE, "data"), Input(VERSION, "data"), State(LANGUAGE_STORE, "data"))
    def show_register(mission, status, unit, view, filters, _version, lang):
        scope, period = _scope(filters)
        if not period:
            return [], [], t("common.no_data", lang)
        register = store.read(action_register, scope, period, mission or None, status or None, unit or None, view)
        note = t("actions.day_note", lang, period=format_period(period, lang),
                 day=format_day(action_day(period), lang))
        return grid_rows(register, lang), pick_options(register, lang), note

    @app.callback(Output(PICK, "value"), Input(GRID, "cellClicked"), prevent_initial_call=True)
    def pick_from_grid(cell):
        row_id = (cell or {}).get("rowId")
        return int(row_id) if row_id not in (None, "") else no_update

    @app.callback(Output(DETAIL, "children"), Output(EDIT_STATUS, "value"), Output(EDIT_EVIDENCE, "value"),
                  Output(EDIT_STATUS, "disabled"), Output(EDIT_EVIDENCE, "disabled"), Output(SAVE, "disabled"),
                  Output(HISTORY, "children"), Output(EDIT_DUE, "value"), Output(EDIT_UNIT, "value"),
                  Output(EDIT_DUE, "disabled"), Output(EDIT_UNIT, "disabled"),
                  Input(PICK, "value"), Input(VERSION, "data"), Input(FILTERS_STORE, "data"),
                  State(LANGUAGE_STORE, "data"))
    def show_action(action_id, _version, filters, lang):
        if not action_id:
            return ("", None, "", True, True, True, html.P(t("actions.pick_first", lang), className="small text-muted"),
                    None, "", True, True)
        row = store.read(action, int(action_id))
        if row is None:
            return t("actions.error_unknown_action", lang), None, "", True, True, True, "", None, "", True, True
        _scope_code, period = _scope(filters)
        if row["indicator_code"] and period:
            value, when = store.read(latest_value, row["indicator_code"], row["admin_code"], period)
            row = row | {"latest_value": value, "latest_period": when}
        fields = editable_fields(row["admin_code"])
        may_status = fields is None or "status" in fields
        may_evidence = fields is None or "evidence" in fields
        return (action_detail(row, lang), row["status"], row["evidence"] or "", not may_status, not may_evidence,
                not (may_status or may_evidence), history_table(store.read(action_history, int(action_id)), lang),
                row["due_date"].isoformat(), row["responsible_unit"], fields is not None, fields is not None)

    @app.callback(Output(MESSAGE, "children"), Output(VERSION, "data", allow_duplicate=True),
                  Input(SAVE, "n_clicks"), State(PICK, "value"), State(EDIT_STATUS, "value"),
                  State(EDIT_EVIDENCE, "value"), State(EDIT_DUE, "value"), State(EDIT_UNIT, "value"),
                  State(VERSION, "data"), State(LANGUAGE_STORE, "data"), prevent_initial_call=True)
    def save(n_clicks, action_id, status, evidence, due, unit, version, lang):
        if not n_clicks or not action_id:
            return no_update, no_update
        # The action's place is read from the database, never from what the browser sent.
        row = store.read(action, int(action_id))
        if row is None:
            return t("actions.error_unknown_action", lang), no_update
        fields = editable_fields(row["admin_code"])
        if fields is not None and not fields:
            return t("actions.forbidden", lang), no_update
        # Unchanged fields are skipped; a changed field this person may not change refuses the whole save.
        changes = {"evidence": evidence} | {name: value for name, value in
                                            (("status", status), ("due_date", due), ("responsible_unit", unit))
                                            if value}
        try:
            changed = update_action(store.engine, int(action_id), changes, _who(), allowed=fields)
        except ActionError as error:
            if error.code == "not_allowed":
                return t("actions.forbidden", lang), no_update
            return t(f"actions.error_{error.code}", lang, field=t(f"actions.col_{error.field}", lang)
                     if error.field else ""), no_update
        except SQLAlchemyError:
            log.exception("agreed action could not be saved")
            return t("actions.unavailable", lang, command="python -m dashboard migrate"), no_update
        if not changed:
            return t("actions.nothing_changed", lang), no_update
        return t("actions.saved", lang, fields=", ".join(t(f"actions.col_{name}", lang) for name in changed)), \
            (version or 0) + 1

    @app.callback(Output(IMPORT_MESSAGE, "children"), Output(VERSION, "data", allow_duplicate=True),
                  Input(UPLOAD, "contents"), State(UPLOAD, "filename"), State(VERSION, "data"),
                  State(LANGUAGE_STORE, "data"), prevent_initial_call=True)
    def load(contents, file_name, version, lang):
        data = _decode(contents)
        if data is None:
            return no_update, no_update
        if not may_import():
            return t("actions.import_forbidden", lang), no_update
        try:
            result = import_actions(store.engine, data, file_name or "upload.xlsx", _who(),
                                    float(config.get("MAX_UPLOAD_MB", 20)))
        except SQLAlchemyError:
            log.exception("agreed actions could not be imported")
            return t("actions.unavailable", lang, command="python -m dashboard migrate"), no_update
        if not result.ok:
            shown = result.problems[:50]
            return html.Div([html.P(t("actions.import_refused", lang, n=len(result.problems)), className="mb-1"),
                             html.Ul([html.Li(problem.message(lang)) for problem in shown],
                                     className="small mb-0 actions-import-problems")],
                            className="text-danger"), no_update
        return (t("actions.import_done", lang, created=result.created, updated=result.updated,
                  unchanged=result.unchanged), (version or 0) + 1)

    @app.callback(Output(TEMPLATE_DOWNLOAD, "data"), Input(TEMPLATE, "n_clicks"), State(LANGUAGE_STORE, "data"),
                  prevent_initial_call=True)
    def template(n_clicks, lang):
        if not n_clicks:
            return no_update
        return dcc.send_bytes(template_workbook(lang), f"agreed-actions-template-{lang}.xlsx")

    def build(lang, scope, period, mission, status, unit, view):
        register = store.read(action_register, scope, period, mission or None, status or None, unit or None, view)
        frame, columns = register_table(register, lang)
        filters = [(t("actions.filter_mission", lang), mission or t("actions.any_mission", lang)),
                   (t("actions.filter_status", lang), t(f"actions.status_{status}", lang) if status
                    else t("actions.any_status", lang)),
                   (t("actions.filter_unit", lang), unit or t("actions.any_unit", lang)),
                   (t("actions.filter_view", lang), t(f"actions.view_{view or 'all'}", lang))]
        context = export_context(store.read, scope, period, lang, t("actions.table_title", lang), "agreed-actions",
                                 filters, [t("actions.export_note", lang, day=format_day(action_day(period), lang))],
                                 with_completeness=False)
        return frame, columns, context

    register_export(app, TABLE, build, [State(MISSION, "value"), State(STATUS, "value"), State(UNIT, "value"),
                                        State(VIEW, "value")])
