"""Shell navigation in the browser: the phone menu opens and closes, the filter bar shows only what a page reads."""
import json

from dash import Input, Output, State

from layouts.navigation import (FILTER_COLUMN, FILTERS, NAV_COLLAPSE, NAV_MORE, NAV_TOGGLER, PAGE_FILTERS,
                                more_menu_paths)
from layouts.shell import FILTER_BAR, LOCATION


def register(app, store, config) -> None:
    # Both run in the browser: opening a menu or changing page must not wait for the server.
    app.clientside_callback(
        """
        function(clicks, pathname, isOpen) {
            var trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
            // A new page closes the menu; the button toggles it.
            var open = trigger.indexOf("pathname") !== -1 ? false : (clicks ? !isOpen : false);
            return [open, open ? "true" : "false"];
        }
        """,
        Output(NAV_COLLAPSE, "is_open"),
        Output(NAV_TOGGLER, "aria-expanded"),
        Input(NAV_TOGGLER, "n_clicks"),
        Input(LOCATION, "pathname"),
        State(NAV_COLLAPSE, "is_open"),
    )

    app.clientside_callback(
        """
        function(pathname, byPath) {
            var names = %s;
            var wanted = (byPath || {})[pathname];
            if (wanted === undefined) { wanted = names; }  // an unknown path: keep every filter
            var hide = {display: "none"};
            var styles = names.map(function (name) { return wanted.indexOf(name) === -1 ? hide : {}; });
            return [wanted.length ? {} : hide].concat(styles);
        }
        """ % ("[" + ", ".join(f'"{name}"' for name in FILTERS) + "]"),
        Output(FILTER_BAR, "style"),
        *[Output(FILTER_COLUMN[name], "style") for name in FILTERS],
        Input(LOCATION, "pathname"),
        State(PAGE_FILTERS, "data"),
    )

    # "More" is marked like a current page's link while one of its pages is open, and that page's item
    # says aria-current="page" (drawn underlined, 30-phone.css): the items are dropdown items, which
    # Dash Bootstrap does not mark by address as it does the row's links.
    app.clientside_callback(
        """
        function(pathname) {
            var paths = %s;
            var path = (pathname || "/").replace(/\\/+$/, "") || "/";
            document.querySelectorAll("#%s .dropdown-item").forEach(function (item) {
                if (item.getAttribute("href") === path) { item.setAttribute("aria-current", "page"); }
                else { item.removeAttribute("aria-current"); }
            });
            return paths.indexOf(path) === -1 ? "" : "active";
        }
        """ % (json.dumps(more_menu_paths()), NAV_MORE),
        Output(NAV_MORE, "toggle_class_name"),
        Input(LOCATION, "pathname"),
    )
