"""Targets page chart downloads: each chart as shown, as PNG/SVG with its title, place, period, source, demo label."""
from callbacks.exporting import register_image_download
from layouts.targets import GRAPH_TITLES


def register(app, store, config) -> None:
    for graph, title_key in GRAPH_TITLES.items():
        register_image_download(app, store, graph, title_key)
