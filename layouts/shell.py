"""The frame around every page: navbar, language switch, demo label, shared filters."""
import json

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from i18n import format_period, t
from layouts.alerts import BADGE as ALERT_BADGE
from layouts.common import DATASET_STORE, FILTERS_STORE, LANGUAGE_STORE, current_account, dropdown_labels
from layouts.url_state import URL_DISTRICT, URL_IN, URL_OUT
from layouts.navigation import (FILTER_COLUMN, MAIN, NAV_COLLAPSE, NAV_GROUP_MORE, NAV_MORE, demo_badge_text, menu_button,
                                page_filters_store, skip_link)

NAVBAR = "shell-navbar"
DEMO_BADGE = "shell-demo-badge"
LANG_LO = "shell-lang-lo"
LANG_EN = "shell-lang-en"
PROVINCE = "shell-province"
DISTRICT = "shell-district"
PERIOD = "shell-period"
# Under the period filter: the rule that turns a quarter or semester into the "as of" month.
PERIOD_RULE = "shell-period-rule"
LOCATION = "shell-location"
FILTER_BAR = "shell-filter-bar"
# Where a failed callback says so (dashboard/errors.py writes it with set_props).
ERROR_BANNER = "shell-error"
PRINT_HEADER = "shell-print-header"
ACCOUNT = "shell-account"
LOGOUT = "shell-logout"
CSRF_FIELD = "shell-logout-csrf"
AUTH_BANNER = "shell-auth-banner"
ROLE_RANK = {None: 0, "viewer": 0, "coordinator": 1, "admin": 2}


def _may_see(page_role: str | None, account: dict) -> bool:
    # The server refuses these pages anyway; the navbar only stops offering them.
    if not account["auth_on"]:
        return page_role != "admin"
    return ROLE_RANK.get(account["role"], 0) >= ROLE_RANK.get(page_role, 0)


def _nav_links(lang: str, account: dict) -> list:
    """The page links, from the page registry: the main pages in a row, the less-used ones (PAGE
    "nav_group": "more") under "More", so that eleven pages fit one line from 1,200 px in both
    languages. On a phone the folded menu lists them all (30-phone.css opens the "More" list there)."""
    pages = sorted(dash.page_registry.values(), key=lambda page: page.get("order", 100))
    pages = [page for page in pages
             if _may_see(page.get("role"), account) and page.get("title_key") and page.get("show_in_nav", True)]
    main = [page for page in pages if page.get("nav_group") != NAV_GROUP_MORE]
    more = [page for page in pages if page.get("nav_group") == NAV_GROUP_MORE]
    links = [dbc.NavItem(dbc.NavLink(t(page["title_key"], lang), href=page["path"], active="exact",
                                     id=_nav_id(page)))
             for page in main]
    if more:
        # Its toggle is marked (callbacks/navigation.py) while one of its pages is open.
        links.append(dbc.DropdownMenu(
            [dbc.DropdownMenuItem(t(page["title_key"], lang), href=page["path"], id=_nav_id(page)) for page in more],
            label=t("nav.more", lang), id=NAV_MORE, nav=True, in_navbar=True, align_end=True,
            class_name="nav-more"))
    return links


def _nav_id(page: dict) -> str:
    return f"nav-{page['module'].split('.')[-1]}"


def province_options(provinces, lang: str, visible: list[str] | None = None) -> list[dict]:
    """All provinces (and "all"), or only `visible` ones when a coordinator sees only theirs."""
    name = "name_lo" if lang == "lo" else "name_en"
    if visible is not None:
        return [{"label": getattr(row, name), "value": row.code} for row in provinces.itertuples() if row.code in visible]
    return [{"label": t("common.all_provinces", lang), "value": ""}] + [
        {"label": getattr(row, name), "value": row.code} for row in provinces.itertuples()
    ]


def account_block(account: dict, lang: str):
    """The signed-in person's name and role, opening a menu with Users (administrators) and Sign out
    (a POST form with a CSRF token): one narrow item, so that the page links keep their one line."""
    if not account["auth_on"] or not account["username"]:
        return None
    role = t(f"access.role.{account['role']}", lang)
    # The menu names the person too: below 1,400 px the toggle shows only their initials.
    items = [dbc.DropdownMenuItem([html.Div(account["display_name"], className="fw-bold"), html.Div(role)],
                                  header=True)]
    if account["role"] == "admin":
        items.append(dbc.DropdownMenuItem(t("nav.admin", lang), href="/admin", id="nav-admin"))
    items.append(html.Form(
        [dcc.Input(type="hidden", name="csrf_token", value=account["csrf_token"], id=CSRF_FIELD),
         # The attribute makes it an item of the menu for the arrow keys (react-bootstrap's item selector).
         html.Button(t("access.logout", lang), type="submit", id=LOGOUT, className="dropdown-item",
                     **{"data-rr-ui-dropdown-item": ""})],
        method="POST", action="/logout", className="m-0",
    ))
    # Name over role, in two short lines, from 1,400 px; below, the initials (the name for screen readers).
    label = [html.Span(initials(account["display_name"]), className="account-initials d-xxl-none", **{"aria-hidden": "true"}),
             html.Span(account["display_name"], className="visually-hidden d-xxl-none"),
             html.Span([html.Span(account["display_name"], className="fw-bold text-nowrap"),
                        html.Span(role, className="small text-nowrap")], className="d-none d-xxl-flex flex-column")]
    return html.Div(
        dbc.DropdownMenu(items, label=label, nav=True, in_navbar=True, align_end=True, class_name="nav-account",
                         toggle_class_name="lh-sm py-1"),
        className="navbar-nav ms-xl-3", id=ACCOUNT, title=account["username"],
    )


def initials(name: str) -> str:
    """"Ana Phommachanh" -> "AP"; a Lao name keeps a vowel written before its consonant ("ແສງ" -> "ແສ")."""
    marks = []
    for word in (name or "?").split()[:2]:
        head = 2 if word[0] in "ເແໂໃໄ" and len(word) > 1 else 1
        marks.append(word[:head].upper())
    return "".join(marks) or "?"


def auth_banner(account: dict, lang: str):
    """Accounts off: say so on every page (the demo database, or AUTH=off)."""
    if account["auth_on"] or not account.get("gated"):
        return None
    key = "access.demo_banner" if account["demo"] else "access.off_banner"
    return dbc.Alert(t(key, lang), color="warning", className="py-1 px-3 mb-0 rounded-0 small", id=AUTH_BANNER)


def period_options(months: list[str], lang: str, periods: list[str] | None = None) -> list[dict]:
    """The period filter's choices: `periods` (data_access.periods.filter_choices: months, quarters
    and semesters, newest first), or the months alone. Values are plain codes (2022-11, 2022-Q4,
    2022-S2) that data_access.periods.period_window reads."""
    return [{"label": format_period(code, lang), "value": code} for code in (periods or months)]


def period_rule(window: dict | None, lang: str) -> str:
    """The sentence under the period filter: the month pages read "as of" for a quarter or semester.
    window: data_access.periods.PeriodWindow fields."""
    if not window or window["kind"] == "month":
        return ""
    key = "review.as_of_latest" if window["as_of_rule"] == "latest_data" else "review.as_of_no_data"
    return t(key, lang, period=format_period(window["code"], lang), month=format_period(window["as_of"], lang))


def default_as_of(months: list[str]) -> str | None:
    """The month the shared "as of" filter opens on: the newest month with data (months newest
    first). It is not a project's closing month, because the other projects run on after RRPM
    closes; a page judging a closed project says so instead (Targets: closed_note)."""
    return months[0] if months else None


def layout(lang: str, provinces, months: list[str], dataset: dict, periods: list[str] | None = None) -> html.Div:
    """provinces: DataFrame(code, name_en, name_lo); months: newest first; dataset: dataset_info;
    periods: the period filter's choices (months, quarters, semesters), default the months."""
    is_demo = dataset.get("is_demo") == "1"
    account = current_account()
    visible = account["visible_provinces"]
    brand = dbc.NavbarBrand(
        [html.Span(t("shell.brand_short", lang)), html.Small(" " + t("shell.brand", lang), className="ms-1 fw-normal shell-wide-only")],
        href="/",
    )
    demo_badge = dbc.Badge(demo_badge_text(lang), color="warning", text_color="dark",
                           className="demo-badge ms-2", id=DEMO_BADGE, title=t("shell.demo_tooltip", lang))
    language_switch = html.Div(
        [
            html.A("ລາວ", href="?lang=lo", id=LANG_LO, lang="lo", className="btn btn-sm " + ("btn-light" if lang == "lo" else "btn-outline-light")),
            html.A("English", href="?lang=en", id=LANG_EN, lang="en", className="btn btn-sm ms-1 " + ("btn-light" if lang == "en" else "btn-outline-light")),
        ],
        className="ms-auto d-flex", title=t("shell.language", lang),
    )
    # Brand, demo label, alert count and the menu button stay on the top row; below `xl` (1,200 px:
    # eleven pages on one line need it, tests/browser/test_navbar_width.py) the links,
    # language and account fold into the menu (callbacks/navigation.py opens it), so a phone keeps its screen.
    navbar = dbc.Navbar(
        dbc.Container(
            [brand, demo_badge if is_demo else None,
             # How many alerts the selected place and month has (callbacks/shell.py), linking to them.
             html.A(dbc.Badge(id=ALERT_BADGE, pill=True, className="ms-2"), href="/", className="shell-alert-badge",
                    id=f"{ALERT_BADGE}-link"),
             menu_button(lang),
             dbc.Collapse(
                 [dbc.Nav(_nav_links(lang, account), className="ms-xl-3", navbar=True),
                  language_switch, account_block(account, lang)],
                 id=NAV_COLLAPSE, is_open=False, navbar=True),
             ],
            fluid=True,
        ),
        color="primary", dark=True, expand="xl", id=NAVBAR,
    )
    latest = default_as_of(months)
    filter_bar = dbc.Container(
        dbc.Row(
            [
                dbc.Col([html.Label(t("common.province", lang), htmlFor=PROVINCE),
                         dcc.Dropdown(id=PROVINCE, options=province_options(provinces, lang, visible),
                                      value=visible[0] if visible else "",
                                      clearable=False, persistence=True, persistence_type="session",
                                      labels=dropdown_labels(lang))], xs=6, md=3, id=FILTER_COLUMN["province"]),
                dbc.Col([html.Label(t("common.district", lang), htmlFor=DISTRICT),
                         dcc.Dropdown(id=DISTRICT, options=[{"label": t("common.all_districts", lang), "value": ""}],
                                      value="", clearable=False, persistence=True, persistence_type="session",
                                      labels=dropdown_labels(lang))], xs=6, md=3, id=FILTER_COLUMN["district"]),
                dbc.Col([html.Label(t("review.filter_label", lang), htmlFor=PERIOD),
                         dcc.Dropdown(id=PERIOD, options=period_options(months, lang, periods), value=latest,
                                      clearable=False, persistence=True, persistence_type="session",
                                      labels=dropdown_labels(lang)),
                         html.Small(id=PERIOD_RULE, className="text-muted d-block")], md=3, id=FILTER_COLUMN["period"]),
            ],
            className="g-2 py-2",
        ),
        fluid=True, className="filter-bar", id=FILTER_BAR,
    )
    return html.Div(
        [
            skip_link(lang),
            dcc.Location(id=LOCATION),
            # The view in the address bar (callbacks/url_sync.py, assets/js/url_state.js): what a link
            # asks for comes in, what the view has become goes out.
            dcc.Store(id=URL_IN), dcc.Store(id=URL_OUT), dcc.Store(id=URL_DISTRICT),
            page_filters_store(),
            dcc.Store(id=LANGUAGE_STORE, data=lang),
            dcc.Store(id=FILTERS_STORE, storage_type="memory",
                      data={"province": visible[0] if visible else None, "district": None, "period": latest}),
            dcc.Store(id=DATASET_STORE, data=dataset),
            navbar,
            error_banner(),
            auth_banner(account, lang),
            filter_bar,
            # Shown only when printing; assets/js/print.js fills in place, period and time.
            html.Div([html.Div(t("shell.brand_short", lang), className="fw-bold"), html.Div(className="print-line"),
                      html.Div(t("shell.demo_badge", lang), className="print-demo") if is_demo else None],
                     id=PRINT_HEADER, className="print-header",
                     **{"data-printed": t("export.printed", lang), "data-lao-time": t("export.lao_time", lang),
                        "data-all-districts": t("common.all_districts", lang),
                        "data-all-provinces": t("common.all_provinces", lang), "data-national": t("common.national", lang),
                        "data-locale": "lo-LA" if lang == "lo" else "en-GB"}),
            # The skip link's target: focusable by script only (tabIndex -1), not a Tab stop.
            html.Main(dbc.Container(dash.page_container, fluid=True, className="pb-4"), id=MAIN, tabIndex="-1"),
            html.Footer(
                dbc.Container(
                    [html.Small(t("shell.footer", lang)), " ",
                     html.A(t("nav.about", lang), href="/about", className="small")],
                    fluid=True, className="text-muted py-2",
                )
            ),
        ],
        lang=lang,
        # The label of every loading overlay (assets/css/30-loading.css), as a CSS string.
        style={"--loading-label": json.dumps(t("loading.label", lang), ensure_ascii=False)},
    )


def error_banner() -> dbc.Alert:
    return dbc.Alert(id=ERROR_BANNER, is_open=False, dismissable=True, color="danger", className="m-2 mb-0")


def unavailable_layout(lang: str, message: str | None = None) -> html.Div:
    """What a visitor sees when the page cannot be built (database gone, a fault): a sentence, not a traceback."""
    return html.Div(
        [
            dbc.Alert(message or t("health.database_unreachable", lang), color="danger", className="m-4",
                      id="shell-unavailable"),
            error_banner(),
            html.Div(dash.page_container, hidden=True),
        ],
        lang=lang,
    )
