"""What a server process does once at start, in a background thread, so that its first visitors do not.

The boundaries are simplified per zoom and the served GeoJSON serialised once per process (1-3 s of
CPU at national scale, geo/levels.py, geo/served.py), and the big static files get their best
compression (dashboard/http_cache.py). `serve` and every production worker start it.
"""
import logging
import threading

log = logging.getLogger(__name__)


def boundaries() -> None:
    """Every boundary layer a page draws, and its served bytes."""
    from geo import served
    from geo.levels import layer_geojson

    layers = [("province", "national", None), ("district", "national", None)]
    layers += [("district", "province", code) for code in _province_codes()]
    layers += [("province", "province", code) for code in _province_codes()]
    for level, zoom, within in layers:
        collection = layer_geojson(level, zoom, within)
        served.body(collection.name, ())


def _province_codes() -> list[str]:
    from geo.boundaries import load_boundaries

    return sorted(load_boundaries("province")["code"].astype(str))


def run(app) -> None:
    from dashboard import http_cache

    for step in (boundaries, lambda: http_cache.warm_up(app)):
        try:
            step()
        except Exception:  # noqa: BLE001 - a warm-up must never stop the server
            log.info("warm-up step failed", exc_info=True)


def start(app) -> threading.Thread:
    thread = threading.Thread(target=run, args=(app,), name="warm-up", daemon=True)
    thread.start()
    return thread
