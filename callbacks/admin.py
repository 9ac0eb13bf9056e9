"""Admin page callbacks: list accounts and the audit log; add, change role/provinces, reset password, disable.

Every write checks the acting account's role here, not only in the gate: a callback is an entry
point of its own.
"""
import dash
from dash import Input, Output, State, ctx

from access import acting_account, can_manage_users, client_address
from access.accounts import AccountError, create_account, grant, list_accounts, set_active, set_password
from access.audit import record, recent_entries
from access.passwords import WeakPassword
from data_access.queries.catalogue import admin_units
from i18n import t
from layouts.admin import (
    ADD,
    AUDIT,
    DISABLE,
    ENABLE,
    MESSAGE,
    NEW_NAME,
    NEW_PASSWORD,
    NEW_PROVINCES,
    NEW_ROLE,
    NEW_USERNAME,
    PASSWORD,
    PICK,
    PROVINCES,
    RESET_PASSWORD,
    ROLE,
    SAVE_ROLE,
    USERS,
    VERSION,
    audit_table,
    message_view,
    users_table,
)
from layouts.common import LANGUAGE_STORE


def _refused(lang: str):
    return message_view(t("access.refused_admin", lang), "danger")


def _province_names(store, lang: str) -> dict[str, str]:
    provinces = store.read(admin_units, "province")
    name = "name_lo" if lang == "lo" else "name_en"
    return {row.code: getattr(row, name) for row in provinces.itertuples()}


def register(app, store, config) -> None:
    @app.callback(
        Output(USERS, "children"),
        Output(AUDIT, "children"),
        Output(PICK, "options"),
        Output(NEW_PROVINCES, "options"),
        Output(PROVINCES, "options"),
        Input(VERSION, "data"),
        State(LANGUAGE_STORE, "data"),
    )
    def show(_version, lang):
        if not can_manage_users(acting_account()):
            return _refused(lang), None, [], [], []
        names = _province_names(store, lang)
        with store.engine.connect() as conn:
            users = list_accounts(conn)
            entries = recent_entries(conn, 200)
        picks = [{"label": f"{user.display_name} ({user.username})", "value": user.username} for user in users.itertuples()]
        provinces = [{"label": name, "value": code} for code, name in names.items()]
        return users_table(users, names, lang), audit_table(entries, lang), picks, provinces, provinces

    @app.callback(
        Output(ROLE, "value"),
        Output(PROVINCES, "value"),
        Input(PICK, "value"),
        prevent_initial_call=True,
    )
    def pick(username):
        if not username or not can_manage_users(acting_account()):
            return dash.no_update, dash.no_update
        with store.engine.connect() as conn:
            users = list_accounts(conn)
        chosen = users[users["username"] == username]
        if chosen.empty:
            return dash.no_update, dash.no_update
        return chosen.iloc[0]["role"], [code for code in chosen.iloc[0]["provinces"].split(",") if code]

    @app.callback(
        Output(MESSAGE, "children"),
        Output(VERSION, "data"),
        Output(NEW_PASSWORD, "value"),
        Output(PASSWORD, "value"),
        Input(ADD, "n_clicks"),
        Input(SAVE_ROLE, "n_clicks"),
        Input(RESET_PASSWORD, "n_clicks"),
        Input(DISABLE, "n_clicks"),
        Input(ENABLE, "n_clicks"),
        State(NEW_USERNAME, "value"),
        State(NEW_NAME, "value"),
        State(NEW_ROLE, "value"),
        State(NEW_PROVINCES, "value"),
        State(NEW_PASSWORD, "value"),
        State(PICK, "value"),
        State(ROLE, "value"),
        State(PROVINCES, "value"),
        State(PASSWORD, "value"),
        State(VERSION, "data"),
        State(LANGUAGE_STORE, "data"),
        prevent_initial_call=True,
    )
    def change(_add, _save, _reset, _disable, _enable, new_username, new_name, new_role, new_provinces, new_password,
               picked, role, provinces, password, version, lang):
        if not ctx.triggered_id or not ctx.triggered[0]["value"]:
            return dash.no_update, dash.no_update, dash.no_update, dash.no_update
        actor = acting_account()
        if not can_manage_users(actor):
            return _refused(lang), dash.no_update, "", ""
        action = ctx.triggered_id
        if action != ADD and not picked:
            return message_view(t("admin.pick_first", lang), "warning"), dash.no_update, dash.no_update, dash.no_update
        try:
            with store.engine.begin() as conn:
                if action == ADD:
                    create_account(conn, new_username or "", new_password or "", new_role or "viewer", new_name,
                                   new_provinces or [])
                    done = ("user_add", (new_username or "").strip().lower(),
                            {"role": new_role, "provinces": sorted(new_provinces or [])})
                elif action == SAVE_ROLE:
                    changed = grant(conn, picked, role, provinces or [])
                    done = ("user_grant", picked, {"role": changed.role, "provinces": sorted(changed.provinces)})
                elif action == RESET_PASSWORD:
                    set_password(conn, picked, password or "")
                    done = ("user_passwd", picked, {})
                else:
                    set_active(conn, picked, action == ENABLE)
                    done = ("user_enable" if action == ENABLE else "user_disable", picked, {})
                record(conn, done[0], actor.username, client_address(), user=done[1], **done[2])
        except (AccountError, WeakPassword) as refused:
            return message_view(t(refused.key, lang, **refused.params), "danger"), dash.no_update, "", ""
        return (message_view(t(f"admin.done.{done[0]}", lang, user=done[1]), "success"), (version or 0) + 1, "", "")
