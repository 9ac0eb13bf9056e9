"""Map page callbacks: drill state, the map (whole, or a Patch when only values change), downloads."""
import json
import logging
import time

from dash import Input, Output, Patch, State, ctx, no_update

from data_access.queries.catalogue import indicators as indicator_catalogue
from data_access.queries.catalogue import projects as project_list
from data_access.queries.maps import (
    convergence_data,
    convergence_layer,
    joined_layer,
    map_data,
    to_safe_csv,
    trail,
)
from data_access.queries.quality import village_layer_problems, villages_without_location
from geo import levels
from i18n import format_number, format_period, localized, t
from callbacks.map_url import drill_from_filters, drill_from_link, same_place
from data_access.queries.catalogue import admin_units
from layouts.common import FILTERS_STORE, LANGUAGE_STORE
from layouts.shell import LOCATION
from layouts.url_state import URL_IN, parse_choice, query_of
from layouts.figures.convergence import convergence_map, district_convergence_chart
from layouts.figures.maps import (
    class_scheme,
    fill_layer,
    indicator_choropleth,
    outline_layer,
    patch_parts,
    village_points,
)
from layouts.map import (
    BACK,
    CONVERGENCE_CHART,
    CONVERGENCE_PANEL,
    CONVERGENCE_TABLE,
    DEFAULT_INDICATOR,
    CRUMB_DISTRICT,
    CRUMB_NATIONAL,
    CRUMB_PROVINCE,
    DOWNLOAD,
    DOWNLOAD_CSV,
    DOWNLOAD_GEOJSON,
    DRILL,
    FIGURE_KEY,
    GRAPH,
    HEADING,
    INDICATOR,
    MAP_HEIGHT,
    NOTES,
    QUALITY,
    VIEW,
    VIEW_CONVERGENCE,
    convergence_table,
    notes,
    quality_panel,
)
from reports.context import place_names
from reports.exports import file_name

log = logging.getLogger(__name__)

# Components only read callbacks write to: their answers are kept whole (dashboard/response_cache.py).
CACHED_OUTPUTS = frozenset({
    "map-indicator",
    "map-back",
    "map-crumb-district",
    "map-crumb-district-item",
    "map-crumb-national",
    "map-crumb-province",
    "map-crumb-province-item",
    "map-figure-key",
    "map-graph",
    "map-heading",
    "map-notes",
    "map-convergence-chart",
    "map-convergence-panel",
    "map-convergence-panel-title",
    "map-convergence-table",
    "map-quality",
})


CONTEXT_LIGHT = "#a6a6a6"
CONTEXT_DARK = "#333333"
SELECTED_FILL = "#f2f2f2"


# ------------------------------------------------------------------ drill state (pure)


def scope_of(drill: dict | None) -> str | None:
    """The place whose children the map shows: a district, a province, or None (the country)."""
    drill = drill or {}
    return drill.get("district") or drill.get("province") or None


def clicked_code(click: dict | None) -> str | None:
    """The code of the place clicked: a polygon's location, or a point's customdata[0]."""
    if not click or not click.get("points"):
        return None
    point = click["points"][0]
    code = point.get("location")
    if not code and point.get("customdata"):
        code = point["customdata"][0]
    return str(code) if code else None


def next_drill(drill: dict | None, trigger: str | None, filters: dict | None, click: dict | None,
               linked: dict | None = None) -> dict | None:
    """The new drill state after an event, or None when nothing changes.

    trigger: the id of what fired (FILTERS_STORE, GRAPH, CRUMB_NATIONAL, CRUMB_PROVINCE,
    BACK, URL_IN) or None on page load; linked: the drill state the address asks for
    (callbacks/map_url.drill_from_link), on page load and on Back/Forward. The shared filter wins
    whenever it changes; clicks and the breadcrumb move freely in between. A state made by the
    reader's own step says via "user" (callbacks/map_url.py makes it a history entry).
    """
    if trigger is None or drill is None:
        return (linked or drill_from_filters(filters)) | {"via": "link"}
    current = drill
    if trigger == URL_IN:
        return None if linked is None or same_place(linked, current) else linked | {"via": "link"}
    if trigger == FILTERS_STORE:
        wanted = drill_from_filters(filters)
        return wanted | {"via": "filter"} if wanted["seen"] != current.get("seen") else None
    step = _step(current, trigger, click)
    return None if step is None else step | {"via": "user"}


def _step(current: dict, trigger: str | None, click: dict | None) -> dict | None:
    """Where a click, the breadcrumb or the Back button takes the map from `current`."""
    seen = current.get("seen")
    if trigger == GRAPH:
        code = clicked_code(click)
        if code and len(code) == 2 and not current.get("province"):
            return {"province": code, "district": None, "seen": seen}
        if code and len(code) == 4 and current.get("province") == code[:2] and not current.get("district"):
            return {"province": code[:2], "district": code, "seen": seen}
        return None
    if trigger == CRUMB_NATIONAL:
        return {"province": None, "district": None, "seen": seen}
    if trigger == CRUMB_PROVINCE:
        return {"province": current.get("province"), "district": None, "seen": seen}
    if trigger == BACK:
        if current.get("district"):
            return {"province": current["province"], "district": None, "seen": seen}
        return {"province": None, "district": None, "seen": seen}
    return None


# ------------------------------------------------------------------ what to draw


def context_layers(scope: str | None) -> list[dict]:
    """Our own outlines around the map's places: the country's provinces, the chosen province/district."""
    if not scope:
        return []
    provinces = outline_layer(levels.layer_geojson("province", "national"), CONTEXT_LIGHT, 0.6)
    if len(scope) == 2:
        return [provinces, outline_layer(levels.layer_geojson("province", "province", scope), CONTEXT_DARK, 2.0)]
    district = levels.layer_geojson("district", "district", scope)
    return [fill_layer(district, SELECTED_FILL, 0.8), provinces,
            outline_layer(levels.layer_geojson("district", "district", scope[:2]), CONTEXT_LIGHT, 0.8),
            outline_layer(district, CONTEXT_DARK, 2.0)]


def _units_geojson(level: str, scope: str | None) -> dict:
    return levels.layer_geojson(level, "national" if level == "province" else "province", scope)


def _bounds(scope: str | None):
    if not scope:
        return None
    level = "province" if len(scope) == 2 else "district"
    return levels.bounds(levels.layer_geojson(level, levels.zoom_for(scope), scope))


def _period_text(window: dict, lang: str) -> str:
    if window["kind"] == "survey":
        return t("map.period_survey", lang, period=format_period(window["period"], lang))
    return format_period(window["period"], lang)


def _classes_note(scheme, level: str, lang: str) -> str:
    if scheme.direction == "neutral":
        return t("map.classes_neutral", lang)
    if scheme.method == "quantile":
        return t("map.classes_quantile", lang, units=t(f"map.units_{level}", lang))
    if scheme.method == "categories":
        return t("map.classes_categories", lang)
    return t("map.classes_fixed", lang)


def indicator_figure(store, map_style: str, indicator_code: str, scope: str | None, period: str, lang: str,
                     key: str) -> tuple:
    """(figure, heading, notes, "points" | "areas") of the indicator map of the scope's children."""
    data = store.read(map_data, indicator_code, scope, period)
    meta, level, values = data["indicator"], data["level"], data["values"]
    scheme = class_scheme(meta, data["reference"])
    context = context_layers(scope)
    reporters = meta["level"]
    polygons = data["village_polygons"]
    as_points = level == "village" and not (polygons and len(polygons) >= data["units"]["lon"].notna().sum())
    if level == "village" and not as_points:
        # The village layer gave areas for every placed village: draw them as areas.
        with_area = {code for code, _ in polygons}
        figure = indicator_choropleth(values, data["units"][data["units"]["code"].isin(with_area)],
                                      levels.shapes_geojson(polygons), meta, lang, map_style=map_style,
                                      height=MAP_HEIGHT, scheme=scheme, context_layers=context, uirevision=key)
    elif as_points:
        figure = village_points(values, data["units"], meta, lang, scheme=scheme, map_style=map_style,
                                height=MAP_HEIGHT, context_layers=context, bounds=_bounds(scope), uirevision=key)
    else:
        figure = indicator_choropleth(values, data["units"], _units_geojson(level, scope), meta, lang,
                                      map_style=map_style, height=MAP_HEIGHT, scheme=scheme, context_layers=context,
                                      unit_word=t(f"map.units_{reporters}", lang), uirevision=key)
    heading = t("map.heading", lang, indicator=localized(meta, lang), level=t(f"map.level_{level}", lang),
                period=_period_text(data["window"], lang))
    with_data = int(values["value"].notna().sum())
    lines = [
        t(f"map.hint_{levels.zoom_for(scope)}", lang),
        _classes_note(scheme, level, lang),
        t("map.no_data_points" if as_points else "map.no_data_hatched", lang),
        t("map.summary_units", lang, with_data=format_number(with_data, lang),
          total=format_number(len(data["units"]), lang), units=t(f"map.units_{level}", lang)),
    ]
    depth = ("national", "province", "district", "village")
    if depth.index(level) > depth.index(meta["level"]):
        lines.append(t("map.note_survey_level", lang) if meta["aggregation"] == "survey"
                     else t("map.note_reported_level", lang, level=t(f"map.level_{meta['level']}", lang)))
    return figure, heading, notes(lines), "points" if as_points else "areas"


def convergence_figure(store, map_style: str, scope: str | None, period: str, lang: str, key: str) -> tuple:
    """(figure, heading, notes, "points") of the villages coloured by the number of projects reaching them."""
    data = store.read(convergence_data, scope, period)
    level = data["level"]
    areas = None if level == "village" else data["units"]
    figure = convergence_map(
        data["villages"], data["projects"], lang, areas=areas,
        areas_geojson=None if areas is None else _units_geojson(level, scope),
        map_style=map_style, height=MAP_HEIGHT, context_layers=context_layers(scope), bounds=_bounds(scope),
        uirevision=key,
    )
    window = {name: format_period(value, lang) for name, value in data["window"].items()}
    heading = t("map.conv_heading", lang, **window)
    lines = [t(f"map.hint_{levels.zoom_for(scope)}", lang), t("map.conv_rule", lang, **window)]
    return figure, heading, notes(lines), "points"


def render_map(store, map_style: str, drill: dict | None, indicator_code: str | None, view: str | None,
               filters: dict | None, lang: str, previous_key: str | None) -> tuple:
    """Outputs of the map callback: figure (or Patch), figure key, heading, notes, indicator disabled."""
    period = (filters or {}).get("period")
    convergence = view == VIEW_CONVERGENCE
    if not period or not (indicator_code or convergence):
        return {}, None, t("map.no_period", lang), [], convergence
    scope = scope_of(drill)
    # Same view, place and language: only values and colours change, the geometry stays.
    key = f"{'convergence' if convergence else 'indicator'}|{scope or '00'}|{lang}"
    if convergence:
        figure, heading, lines, drawn_as = convergence_figure(store, map_style, scope, period, lang, key)
    else:
        figure, heading, lines, drawn_as = indicator_figure(store, map_style, indicator_code, scope, period, lang, key)
    # Villages drawn as points or as areas have different traces: only a like-for-like figure is patched.
    key = f"{key}|{drawn_as}"
    if key == previous_key:
        figure = as_patch(figure)
    return figure, key, heading, lines, convergence


def as_patch(figure) -> Patch:
    """A Patch carrying what patch_parts() says may change: no geometry, no context layers."""
    parts = patch_parts(figure)
    patch = Patch()
    for index, trace in enumerate(parts["traces"]):
        for name, value in trace.items():
            patch["data"][index][name] = value
    for index, layer in parts["layers"].items():
        patch["layout"]["map"]["layers"][index] = layer
    return patch


# ------------------------------------------------------------------ downloads


def _file_name(store, view: str | None, indicator_code: str | None, scope: str | None, period: str,
               extension: str) -> str:
    """"Houaphan_2025-12_convergence.csv": readers find files by place name, not by code."""
    what = "convergence" if view == VIEW_CONVERGENCE else indicator_code
    place = place_names(store.read, scope)
    return file_name(place["name_en"], period, what or "map", extension, place["code"])


def download_content(store, trigger: str, drill: dict | None, indicator_code: str | None, view: str | None,
                     filters: dict | None, lang: str) -> dict | None:
    """dcc.Download data for the current map: CSV (headers in the reader's language) or GeoJSON."""
    period = (filters or {}).get("period")
    if not period:
        return None
    scope = scope_of(drill)
    if view == VIEW_CONVERGENCE:
        frame = store.read(convergence_layer, scope, period)
        project_codes = set(store.read(project_list)["code"])
    else:
        frame = store.read(joined_layer, indicator_code, scope, period)
        project_codes = set()
    if trigger == DOWNLOAD_CSV:
        headers = [t("map.col.project", lang, project=column) if column in project_codes else t(f"map.col.{column}", lang)
                   for column in frame.columns]
        return {"content": to_safe_csv(frame, headers), "filename": _file_name(store, view, indicator_code, scope, period, "csv"), "type": "text/csv"}
    properties = [column for column in frame.columns if column not in ("lon", "lat")]
    level = frame["level"].iloc[0] if not frame.empty else "village"
    if level == "village":
        collection = levels.points_geojson(frame, properties)
    else:
        collection = levels.polygons_geojson(level, frame, properties)
    return {"content": json.dumps(collection, ensure_ascii=False), "filename": _file_name(store, view, indicator_code, scope, period, "geojson"),
            "type": "application/geo+json"}


# ------------------------------------------------------------------ registration


def register(app, store, config) -> None:
    map_style = config.get("MAP_STYLE") or "white-bg"

    @app.callback(Output(INDICATOR, "options"), Output(INDICATOR, "value"), Input(LANGUAGE_STORE, "data"),
                  Input(URL_IN, "data"), State(INDICATOR, "value"), State(LOCATION, "href"))
    def indicator_options(lang, popped, chosen, href):
        catalogue = store.read(indicator_catalogue)
        projects = store.read(project_list).set_index("code")
        options = []
        for row in catalogue.to_dict("records"):
            code = row["project_code"]
            if code in projects.index:
                project = projects.loc[code]
                group = project["short_lo"] if lang == "lo" and project["short_lo"] else code
            else:
                group = t("map.group_survey", lang)
            options.append({"label": f"{group} · {localized(row, lang)}", "value": row["code"]})
        # A dropdown without options drops its value; give the remembered or default one back.
        codes = {option["value"] for option in options}
        # The indicator a link (or Back/Forward) names comes first; an unknown code is ignored.
        source = popped.get("href") if ctx.triggered_id == URL_IN and isinstance(popped, dict) else href
        chosen = parse_choice(query_of(source), "indicator", codes) or chosen
        return options, chosen if chosen in codes else (DEFAULT_INDICATOR if DEFAULT_INDICATOR in codes else None)

    @app.callback(
        Output(DRILL, "data"),
        Output(GRAPH, "clickData"),
        Input(FILTERS_STORE, "data"),
        Input(GRAPH, "clickData"),
        Input(CRUMB_NATIONAL, "n_clicks"),
        Input(CRUMB_PROVINCE, "n_clicks"),
        Input(BACK, "n_clicks"),
        Input(URL_IN, "data"),
        State(DRILL, "data"),
        State(LOCATION, "href"),
    )
    def navigate(filters, click, _national, _province, _back, popped, drill, href):
        trigger = ctx.triggered_id
        linked = None
        if drill is None or trigger == URL_IN:
            source = popped.get("href") if trigger == URL_IN and isinstance(popped, dict) else href
            query = query_of(source)
            provinces = list(store.read(admin_units, "province")["code"])
            districts = list(store.read(admin_units, "district")["code"])
            linked = drill_from_link(query, filters, provinces, districts)
        changed = next_drill(drill, trigger, filters, click, linked)
        # clickData is cleared so that clicking the same place again fires again.
        return (no_update if changed is None else changed), None

    @app.callback(
        Output(CRUMB_NATIONAL, "disabled"),
        Output(CRUMB_PROVINCE, "children"),
        Output(CRUMB_PROVINCE, "disabled"),
        Output(f"{CRUMB_PROVINCE}-item", "hidden"),
        Output(CRUMB_DISTRICT, "children"),
        Output(f"{CRUMB_DISTRICT}-item", "hidden"),
        Output(BACK, "disabled"),
        Input(DRILL, "data"),
        State(LANGUAGE_STORE, "data"),
    )
    def breadcrumb(drill, lang):
        scope = scope_of(drill)
        places = {place["level"]: localized(place, lang) for place in store.read(trail, scope)}
        province, district = places.get("province"), places.get("district")
        return (scope is None, province or "", bool(province and not district), province is None,
                district or "", district is None, scope is None)

    @app.callback(
        Output(GRAPH, "figure"),
        Output(FIGURE_KEY, "data"),
        Output(HEADING, "children"),
        Output(NOTES, "children"),
        Output(INDICATOR, "disabled"),
        Input(DRILL, "data"),
        Input(INDICATOR, "value"),
        Input(VIEW, "value"),
        Input(FILTERS_STORE, "data"),
        State(LANGUAGE_STORE, "data"),
        State(FIGURE_KEY, "data"),
    )
    def update_map(drill, indicator_code, view, filters, lang, previous_key):
        began = time.perf_counter()
        outputs = render_map(store, map_style, drill, indicator_code, view, filters, lang, previous_key)
        log.info("map %s %s: %.0f ms%s", outputs[1], indicator_code, 1000 * (time.perf_counter() - began),
                 " (patch)" if isinstance(outputs[0], Patch) else "")
        return outputs

    @app.callback(
        Output(CONVERGENCE_PANEL, "hidden"),
        Output(f"{CONVERGENCE_PANEL}-title", "children"),
        Output(CONVERGENCE_CHART, "figure"),
        Output(CONVERGENCE_TABLE, "children"),
        Input(DRILL, "data"),
        Input(VIEW, "value"),
        Input(FILTERS_STORE, "data"),
        State(LANGUAGE_STORE, "data"),
    )
    def update_convergence_summary(drill, view, filters, lang):
        period = (filters or {}).get("period")
        if view != VIEW_CONVERGENCE or not period:
            return True, no_update, no_update, no_update
        data = store.read(convergence_data, scope_of(drill), period)
        n_projects = data["n_projects"]
        title = t("map.conv_chart_title", lang, total=n_projects, four=n_projects - 1)
        return (False, title, district_convergence_chart(data["districts"], n_projects, lang),
                convergence_table(data["districts"], n_projects, lang))

    @app.callback(
        Output(QUALITY, "children"),
        Input(DRILL, "data"),
        Input(INDICATOR, "value"),
        Input(VIEW, "value"),
        Input(FILTERS_STORE, "data"),
        State(LANGUAGE_STORE, "data"),
    )
    def update_quality(drill, indicator_code, view, filters, lang):
        period = (filters or {}).get("period")
        scope = scope_of(drill)
        completeness = None
        indicator_view = view != VIEW_CONVERGENCE
        if period and indicator_code and indicator_view:
            data = store.read(map_data, indicator_code, scope, period)
            if data["completeness"]:
                completeness = data["completeness"] | {"units": t(f"map.units_{data['indicator']['level']}", lang)}
        problems = store.read(village_layer_problems, lang, scope)
        without_location = len(store.read(villages_without_location, scope))
        return quality_panel(completeness, problems, without_location, lang, show_completeness=indicator_view)

    @app.callback(
        Output(DOWNLOAD, "data"),
        Input(DOWNLOAD_CSV, "n_clicks"),
        Input(DOWNLOAD_GEOJSON, "n_clicks"),
        State(DRILL, "data"),
        State(INDICATOR, "value"),
        State(VIEW, "value"),
        State(FILTERS_STORE, "data"),
        State(LANGUAGE_STORE, "data"),
        prevent_initial_call=True,
    )
    def download(_csv, _geojson, drill, indicator_code, view, filters, lang):
        return download_content(store, ctx.triggered_id, drill, indicator_code, view, filters, lang) or no_update
