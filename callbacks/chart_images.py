"""PNG / SVG downloads of the Overview's map, the Map page's map and convergence chart, and the Phase II charts.

The other pages register theirs beside their table exports (trends_exports, targets_exports,
districts_exports); these pages had none. Each image is the chart as shown, maps redrawn as
plain shapes (layouts/figures/print_map.py), with title, place, period, source and demo label.
"""
from dash import State

from callbacks.exporting import register_image_download
from callbacks.map import scope_of as map_scope
from layouts import map as map_page
from layouts import overview, phase2


def _drilled(drill, _filters):
    return map_scope(drill)


def _country(_value, _filters):
    # The Phase II ranking is national whatever the shared filters say.
    return None


def register(app, store, config) -> None:
    register_image_download(app, store, overview.MAP, "mission.image_overview_map",
                            title_state=State(overview.MAP_TITLE, "children"), topic="map")
    register_image_download(app, store, map_page.GRAPH, "map.title", title_state=State(map_page.HEADING, "children"),
                            place_state=State(map_page.DRILL, "data"), place_of=_drilled, topic="map")
    register_image_download(app, store, map_page.CONVERGENCE_CHART, "mission.image_convergence",
                            title_state=State(f"{map_page.CONVERGENCE_PANEL}-title", "children"),
                            place_state=State(map_page.DRILL, "data"), place_of=_drilled, topic="convergence")
    register_image_download(app, store, phase2.MAP, "phase2.map_card", place_of=_country, topic="phase2-map")
    register_image_download(app, store, phase2.BREAKDOWN, "phase2.breakdown_card", place_of=_country, topic="phase2-scores")
    register_image_download(app, store, phase2.MIX, "mission.image_phase2_mix", place_of=_country, topic="phase2-projects")
