"""The boundary files map figures name by URL (geo/served.py): answered from memory, cached by browsers for good."""
import flask

from geo import served


def install(server: flask.Flask) -> None:
    """`/geo/<name>.geojson`: behind the same gate as every page; static caching by dashboard/http_cache.py."""

    @server.route(f"{served.URL_PREFIX}<name>.geojson")
    def served_geojson(name: str):
        query = {key: flask.request.args[key] for key in ("codes", "s") if key in flask.request.args}
        try:
            body = served.body(name, tuple(sorted(query.items())))
        except served.UnknownCollection:
            return flask.Response("No such boundary file.", status=404, mimetype="text/plain")
        return flask.Response(body, mimetype="application/json")


def is_current(request: flask.Request) -> bool:
    """True when the URL's `v` names the bytes this server has now (so the answer may be kept for good)."""
    name = request.path[len(served.URL_PREFIX):-len(".geojson")]
    query = tuple(sorted((key, request.args[key]) for key in ("codes", "s") if key in request.args))
    try:
        return request.args.get("v") == served.digest(name, query)
    except served.UnknownCollection:
        return False
