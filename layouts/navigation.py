"""Getting around the shell on a phone or a keyboard: skip link, menu ids, which page shows which filter."""
import dash
from dash import dcc, html

from i18n import t

SKIP_LINK = "shell-skip-link"
# The element the skip link moves focus to: the page's own content, after navbar and filters.
MAIN = "main-content"
NAV_TOGGLER = "shell-nav-toggler"
NAV_COLLAPSE = "shell-nav-collapse"
# The navbar's "More" menu: pages whose PAGE says "nav_group": "more" (layouts/shell.py _nav_links).
NAV_MORE = "shell-nav-more"
NAV_GROUP_MORE = "more"
PAGE_FILTERS = "shell-page-filters"
# The shared filters, in the order the filter bar shows them; a page declares the ones it reads
# in PAGE["filters"] (dashboard/pages.py), and only those are shown on it.
FILTERS = ("province", "district", "period")
FILTER_COLUMN = {name: f"shell-filter-{name}" for name in FILTERS}


def skip_link(lang: str) -> html.A:
    """The first Tab stop of every page: hidden until focused, then jumps past navbar and filters.

    assets/js/skip-link.js moves the focus (a bare #fragment would leave it on the link in some
    browsers and put a hash into the address that the page router then carries along).
    """
    return html.A(t("a11y.skip_to_content", lang), href=f"#{MAIN}", id=SKIP_LINK,
                  className="skip-link visually-hidden-focusable")


def menu_button(lang: str) -> html.Button:
    """The phone menu's button (Bootstrap's navbar-toggler), named for screen readers.

    dbc.NavbarToggler takes no aria attributes, so this is a plain button with its classes.
    """
    return html.Button(html.Span(className="navbar-toggler-icon"), id=NAV_TOGGLER, type="button", n_clicks=0,
                       className="navbar-toggler ms-auto",
                       **{"aria-label": t("a11y.menu", lang), "aria-controls": NAV_COLLAPSE, "aria-expanded": "false"})


def demo_badge_text(lang: str) -> list:
    """The demo label: in full on a wide screen (1,800 px and up), "DEMO DATA" below, where the page
    links need the room to stay on one line (the full sentence stays in the tooltip; 30-phone.css)."""
    return [html.Span(t("shell.demo_badge", lang), className="shell-wide-only"),
            html.Span(t("a11y.demo_short", lang), className="shell-narrow-only")]


def more_menu_paths() -> list[str]:
    """Paths of the pages listed under "More" (from the page registry): its toggle is marked on them."""
    return sorted(page["path"] for page in dash.page_registry.values() if page.get("nav_group") == NAV_GROUP_MORE)


def filters_by_path() -> dict[str, list[str]]:
    """Page path -> the shared filters it reads (from the page registry)."""
    return {page["path"]: list(page.get("filters", FILTERS)) for page in dash.page_registry.values()}


def page_filters_store() -> dcc.Store:
    """The registry's filter declarations for the browser, which hides the others as pages change."""
    return dcc.Store(id=PAGE_FILTERS, data=filters_by_path())
