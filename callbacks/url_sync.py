"""The address bar and the view agree: a link's place and period go into the shared filters, and
every change of the view is written back (replaced, or pushed for a map drill so Back goes up).

One direction each way, so no callback loop: a link comes in through LOCATION.href (first load,
in-app links) or URL_IN (Back/Forward on the same page, assets/js/url_state.js) and sets the
filters; the filters and the page's URL_PART go out through URL_OUT, which only a clientside
callback reads (history.replaceState/pushState: no Dash prop changes, so nothing fires again).
"""
import time

from dash import ALL, Input, Output, State, ctx, no_update

from data_access.queries.catalogue import admin_units
from layouts.common import FILTERS_STORE, LANGUAGE_STORE
from layouts.shell import DISTRICT, LANG_EN, LANG_LO, LOCATION, PERIOD, PROVINCE
from layouts.url_state import (URL_DISTRICT, URL_IN, URL_OUT, URL_PART, parse_choice, parse_scope, query_of,
                               scope_asked, serialise)

# Keys the dashboard writes; any other key in the address (the Phase II page's w, n, x1, pick) is kept.
SHARED_KEYS = ["scope", "period", "lang", "province", "district"]


def link_href(trigger, href: str | None, popped: dict | None) -> str | None:
    """The address to read: the one Back/Forward arrived at, else the page's."""
    if trigger == URL_IN and isinstance(popped, dict):
        return popped.get("href")
    return href


def filters_from_link(query: dict, current: dict, province_values: list, period_values: list,
                      districts_of) -> dict:
    """What the shared filters should change to: {"province", "district", "period"}, each only when
    the link names a valid value that differs from `current` (else the key is absent).

    province_values: the province filter's option values ("" = the country, absent for a
    coordinator who sees only their provinces); districts_of(province) -> district codes."""
    changes: dict = {}
    provinces = [value for value in province_values if value]
    asked = scope_asked(query) or ""
    # Only the named province's districts are looked up, and only when it is one on offer.
    districts = districts_of(asked[:2]) if len(asked) == 4 and asked[:2] in provinces else []
    wanted = parse_scope(query, provinces, districts)
    if wanted is not None:
        province = wanted["province"] or ""
        district = wanted["district"] or ""
        if province == "" and "" not in province_values:
            province = None   # the country is not this visitor's to see: keep the filter
        if province is not None:
            if province != (current.get("province") or ""):
                changes["province"] = province
            if district != (current.get("district") or "") or "province" in changes:
                changes["district"] = district
    period = parse_choice(query, "period", period_values)
    if period and period != current.get("period"):
        changes["period"] = period
    return changes


def register(app, store, config) -> None:
    @app.callback(
        Output(PROVINCE, "value"),
        Output(URL_DISTRICT, "data"),
        Output(PERIOD, "value"),
        Input(LOCATION, "href"),
        Input(URL_IN, "data"),
        State(PROVINCE, "value"),
        State(DISTRICT, "value"),
        State(PERIOD, "value"),
        State(PROVINCE, "options"),
        State(PERIOD, "options"),
    )
    def apply_link(href, popped, province, district, period, province_options, period_options):
        query = query_of(link_href(ctx.triggered_id, href, popped))
        if not query:
            return no_update, no_update, no_update
        changes = filters_from_link(
            query, {"province": province, "district": district, "period": period},
            [option["value"] for option in province_options or []],
            [option["value"] for option in period_options or []],
            lambda code: list(store.read(admin_units, "district", code)["code"]),
        )
        wanted = {"district": changes["district"], "at": time.time()} if "district" in changes else no_update
        return changes.get("province", no_update), wanted, changes.get("period", no_update)

    @app.callback(
        Output(URL_OUT, "data"),
        Input(FILTERS_STORE, "data"),
        Input({"type": URL_PART, "page": ALL}, "data"),
        State(LANGUAGE_STORE, "data"),
    )
    def address(filters, parts, lang):
        part = next((item for item in parts or [] if item), {})
        # Only a page's own step (a map drill) is a new history entry; filters replace the current one.
        push = bool(part.get("push")) and isinstance(ctx.triggered_id, dict)
        return {"query": serialise(filters, part.get("params"), lang), "push": push,
                "owned": SHARED_KEYS + list(part.get("keys") or []), "path": part.get("path")}

    app.clientside_callback(
        """function(out) {
            const nothing = window.dash_clientside.no_update;
            if (!out || typeof out.query !== 'string') { return [nothing, nothing]; }
            // A page's part that is still mounted while the next page loads must not write there.
            if (out.path && out.path !== window.location.pathname) { return [nothing, nothing]; }
            const wanted = new URLSearchParams(out.query);
            const owned = new Set(out.owned || []);
            const next = new URLSearchParams();
            wanted.forEach((value, key) => next.append(key, value));
            new URLSearchParams(window.location.search).forEach((value, key) => {
                if (!owned.has(key) && !wanted.has(key)) { next.append(key, value); }
            });
            const search = '?' + next.toString();
            if (search !== window.location.search) {
                const url = window.location.pathname + search + window.location.hash;
                if (out.push) { window.history.pushState({}, '', url); }
                else { window.history.replaceState(window.history.state, '', url); }
            }
            const inLanguage = code => { const q = new URLSearchParams(next); q.set('lang', code); return '?' + q.toString(); };
            return [inLanguage('lo'), inLanguage('en')];
        }""",
        Output(LANG_LO, "href"), Output(LANG_EN, "href"),
        Input(URL_OUT, "data"),
    )
