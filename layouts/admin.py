"""Admin page (admins only): accounts, their roles and provinces, password resets, and the audit log."""
import dash_bootstrap_components as dbc
from dash import dcc, html

from i18n import format_day, t
from layouts.common import current_language, dropdown_labels

# Not in the page menu: signed-in administrators find it beside their name (layouts/shell.py).
PAGE = {"path": "/admin", "title_key": "nav.admin", "order": 90, "role": "admin", "show_in_nav": False, "filters": ()}

USERS = "admin-users"
AUDIT = "admin-audit"
VERSION = "admin-version"
MESSAGE = "admin-message"
NEW_USERNAME = "admin-new-username"
NEW_NAME = "admin-new-name"
NEW_ROLE = "admin-new-role"
NEW_PROVINCES = "admin-new-provinces"
NEW_PASSWORD = "admin-new-password"
ADD = "admin-add"
PICK = "admin-pick"
ROLE = "admin-role"
PROVINCES = "admin-provinces"
SAVE_ROLE = "admin-save-role"
PASSWORD = "admin-password"
RESET_PASSWORD = "admin-reset-password"
DISABLE = "admin-disable"
ENABLE = "admin-enable"
ROLE_CHOICES = ("viewer", "coordinator", "admin")


def refused_view(lang: str, message_key: str) -> dbc.Alert:
    """What a page shows to an account without the role it needs (the server refuses its callbacks too)."""
    # A class, not an id: every guarded page may show it.
    return dbc.Alert(t(message_key, lang), color="warning", className="mt-3 access-refused")


def _role_options(lang: str) -> list[dict]:
    return [{"label": t(f"access.role.{role}", lang), "value": role} for role in ROLE_CHOICES]


def users_table(users, province_names: dict[str, str], lang: str) -> html.Table:
    """users: DataFrame(username, display_name, role, provinces, active, created_at)."""
    head = html.Thead(html.Tr([html.Th(t(f"admin.column.{name}", lang)) for name in
                               ("username", "display_name", "role", "provinces", "active", "created_at")]))
    rows = []
    for user in users.itertuples():
        provinces = ", ".join(province_names.get(code, code) for code in user.provinces.split(",") if code)
        rows.append(html.Tr([
            html.Td(user.username), html.Td(user.display_name), html.Td(t(f"access.role.{user.role}", lang)),
            html.Td(provinces or "–"),
            html.Td(t("admin.active_yes" if user.active else "admin.active_no", lang)),
            html.Td(format_day(user.created_at, lang)),
        ], **{"data-username": user.username}))
    return dbc.Table([head, html.Tbody(rows)], size="sm", striped=True, hover=True, className="mb-0")


def audit_table(entries, lang: str) -> html.Table:
    """entries: DataFrame(at, username, action, detail, address), newest first."""
    head = html.Thead(html.Tr([html.Th(t(f"admin.audit.{name}", lang)) for name in
                               ("at", "username", "action", "detail", "address")]))
    rows = [html.Tr([html.Td(f"{entry.at:%Y-%m-%d %H:%M:%S}"), html.Td(entry.username or "–"),
                     html.Td(t(f"admin.action.{entry.action}", lang)), html.Td(html.Code(entry.detail or "")),
                     html.Td(entry.address or "–")], **{"data-action": entry.action})
            for entry in entries.itertuples()]
    return dbc.Table([head, html.Tbody(rows)], size="sm", striped=True, className="mb-0 small")


def message_view(text: str, color: str) -> dbc.Alert:
    return dbc.Alert(text, color=color, dismissable=True, className="mb-2", id="admin-result")


def _field(label: str, component) -> html.Div:
    return html.Div([dbc.Label(label, html_for=component.id), component], className="mb-2")


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = current_language(lang)
    labels = dropdown_labels(lang)
    add_card = dbc.Card([
        dbc.CardHeader(t("admin.add_title", lang)),
        dbc.CardBody([
            _field(t("admin.column.username", lang), dbc.Input(id=NEW_USERNAME, type="text", autocomplete="off")),
            _field(t("admin.column.display_name", lang), dbc.Input(id=NEW_NAME, type="text", autocomplete="off")),
            _field(t("admin.column.role", lang), dbc.Select(id=NEW_ROLE, value="viewer", options=_role_options(lang))),
            _field(t("admin.column.provinces", lang),
                   dcc.Dropdown(id=NEW_PROVINCES, multi=True, options=[], labels=labels)),
            _field(t("access.password", lang), dbc.Input(id=NEW_PASSWORD, type="password", autocomplete="new-password")),
            html.Small(t("admin.password_rule", lang), className="text-muted d-block mb-2"),
            dbc.Button(t("admin.add", lang), id=ADD, color="primary"),
        ]),
    ], className="mb-3")
    change_card = dbc.Card([
        dbc.CardHeader(t("admin.change_title", lang)),
        dbc.CardBody([
            _field(t("admin.pick_user", lang), dcc.Dropdown(id=PICK, options=[], labels=labels)),
            _field(t("admin.column.role", lang), dbc.Select(id=ROLE, value="viewer", options=_role_options(lang))),
            _field(t("admin.column.provinces", lang), dcc.Dropdown(id=PROVINCES, multi=True, options=[], labels=labels)),
            dbc.Button(t("admin.save_role", lang), id=SAVE_ROLE, color="primary", className="mb-3"),
            _field(t("admin.new_password", lang), dbc.Input(id=PASSWORD, type="password", autocomplete="new-password")),
            html.Div([
                dbc.Button(t("admin.reset_password", lang), id=RESET_PASSWORD, color="secondary", className="me-2"),
                dbc.Button(t("admin.disable", lang), id=DISABLE, color="danger", outline=True, className="me-2"),
                dbc.Button(t("admin.enable", lang), id=ENABLE, color="success", outline=True),
            ]),
        ]),
    ], className="mb-3")
    return html.Div([
        html.H1(t("admin.title", lang), className="page-title"),
        html.P(t("admin.intro", lang), className="small"),
        dcc.Store(id=VERSION, data=0),
        html.Div(id=MESSAGE),
        dbc.Row([
            dbc.Col(dbc.Card([dbc.CardHeader(t("admin.users_title", lang)), dbc.CardBody(html.Div(id=USERS))],
                             className="mb-3"), lg=8),
            dbc.Col([add_card, change_card], lg=4),
        ]),
        dbc.Card([dbc.CardHeader(t("admin.audit_title", lang)), dbc.CardBody(html.Div(id=AUDIT))]),
    ])
