"""The map's view in the address: indicator, view and drill place (`/map?scope=07&drill=0703&...`).

A drill by click, breadcrumb or the Back button is pushed as a history entry, so the browser's
Back goes one level up; the drill a link or Back/Forward asks for comes in through navigate()
in callbacks/map.py, which calls drill_from_link() here.
"""
from dash import Input, Output, State, ctx, no_update

from layouts.map import DRILL, INDICATOR, URL_STATE, VIEW, VIEW_CONVERGENCE, VIEW_INDICATOR
from layouts.shell import LOCATION
from layouts.url_state import NATIONAL, URL_IN, parse_choice, parse_scope, query_of

MAP_KEYS = ["indicator", "view", "drill"]
VIEWS = (VIEW_INDICATOR, VIEW_CONVERGENCE)


def drill_from_filters(filters: dict | None) -> dict:
    """The drill state the shared province/district filter asks for."""
    filters = filters or {}
    district = filters.get("district") or None
    province = (district[:2] if district else None) or filters.get("province") or None
    return {"province": province, "district": district, "seen": [filters.get("province"), filters.get("district")]}


def drill_from_link(query: dict, filters: dict | None, provinces, districts) -> dict:
    """The drill state a link asks for: its scope= (else the current filter) is the filter the
    state remembers having seen, and drill= (a known province or district, "00" the country) the
    place shown; without a valid drill= the map shows the filter's place."""
    asked = parse_scope(query, provinces, districts)
    base = drill_from_filters(filters if asked is None else asked)
    target = parse_scope({"scope": query["drill"]}, provinces, districts) if "drill" in query else None
    if target is None:
        return base
    return {"province": target["province"], "district": target["district"], "seen": base["seen"]}


def same_place(one: dict | None, other: dict | None) -> bool:
    keys = ("province", "district", "seen")
    return bool(one) and bool(other) and all(one.get(key) == other.get(key) for key in keys)


def map_params(drill: dict | None, indicator: str | None, view: str | None) -> dict:
    """The map's own query parameters; drill= only when the map is not at the filter's place."""
    drill = drill or {}
    shown = drill.get("district") or drill.get("province") or NATIONAL
    seen = drill.get("seen") or [None, None]
    filtered = (seen[1] if len(seen) > 1 else None) or seen[0] or NATIONAL
    return {"indicator": indicator, "view": view if view in VIEWS else None,
            "drill": shown if shown != filtered else None}


def register(app, store, config) -> None:
    @app.callback(
        Output(VIEW, "value"),
        Input(LOCATION, "href"),
        Input(URL_IN, "data"),
    )
    def view_from_link(href, popped):
        source = popped.get("href") if ctx.triggered_id == URL_IN and isinstance(popped, dict) else href
        return parse_choice(query_of(source), "view", VIEWS) or no_update

    @app.callback(
        Output(URL_STATE, "data"),
        Input(DRILL, "data"),
        Input(INDICATOR, "value"),
        Input(VIEW, "value"),
        State(URL_STATE, "data"),
    )
    def map_address(drill, indicator, view, previous):
        params = map_params(drill, indicator, view)
        if previous and previous.get("params") == params:
            return no_update
        # A step the reader took on the map is a history entry; a link's or a filter's is not.
        push = ctx.triggered_id == DRILL and (drill or {}).get("via") == "user"
        return {"params": params, "push": push, "keys": MAP_KEYS, "path": "/map"}
