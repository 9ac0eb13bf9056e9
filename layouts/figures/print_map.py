"""A MapLibre map figure redrawn as plain shapes for images and print: our own boundaries, no tiles, no WebGL.

kaleido can draw the MapLibre traces offline (white-bg), but only through software WebGL: a
national map took seconds per image on this machine, and a server without a GPU emulation
draws nothing. The same polygons as filled scatter shapes in Web Mercator draw in a fraction of
that, as vectors in SVG, with the same colours, outlines, legend and "no data" hatching.
"""
import base64
import math

import numpy as np
import plotly.graph_objects as go

from geo import served

MAP_TRACE_TYPES = ("choroplethmap", "scattermap", "choroplethmapbox", "scattermapbox")
PAD = 0.03  # a little white round the shapes, as fitbounds leaves


def has_map(figure: go.Figure | dict) -> bool:
    return any(trace.get("type") in MAP_TRACE_TYPES for trace in _as_dict(figure).get("data", []))


def mercator_y(lat: float) -> float:
    """Web Mercator northing in degrees, so that one unit north is as long as one unit east."""
    lat = max(min(float(lat), 85.0), -85.0)
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _as_dict(figure) -> dict:
    return figure.to_plotly_json() if isinstance(figure, go.Figure) else (figure or {})


def _array(value) -> list:
    """A trace's array as a list: plotly sends numpy arrays as {"dtype", "bdata"} (base64), and a
    figure read back from the page keeps them so."""
    if value is None:
        return []
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if value.get("shape"):
            array = array.reshape([int(part) for part in str(value["shape"]).split(",")])
        return array.tolist()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return list(value)


def _feature_key(feature: dict, featureidkey: str):
    if featureidkey in ("id", None, ""):
        return feature.get("id")
    value = feature
    for part in featureidkey.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _rings(geometry: dict | None) -> list[list]:
    """Outer rings of a (Multi)Polygon, lines of a (Multi)LineString: lists of [lon, lat]."""
    if not geometry:
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return coords[:1]
    if kind == "MultiPolygon":
        return [polygon[0] for polygon in coords if polygon]
    if kind == "LineString":
        return [coords]
    if kind == "MultiLineString":
        return list(coords)
    if kind == "GeometryCollection":
        return [ring for part in geometry.get("geometries", []) for ring in _rings(part)]
    return []


def _xy(rings: list[list]) -> tuple[list, list]:
    """Rings joined by gaps (None): one scatter trace draws them all as separate shapes."""
    xs, ys = [], []
    for ring in rings:
        for lon, lat, *_rest in ring:
            xs.append(lon)
            ys.append(mercator_y(lat))
        xs.append(None)
        ys.append(None)
    return xs, ys


def _rgba(colour) -> tuple[float, float, float, float]:
    """'#rrggbb', 'rgb(r, g, b)' or 'rgba(r, g, b, a)' as numbers (plotly's own sampler refuses rgba)."""
    text = str(colour).strip()
    if text.startswith("#"):
        text = text[1:]
        if len(text) == 3:
            text = "".join(character * 2 for character in text)
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16), 1.0
    if "(" in text:
        parts = [float(part) for part in text[text.index("(") + 1:text.rindex(")")].split(",")]
        return parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 1.0
    return 200.0, 200.0, 200.0, 1.0  # a named colour: grey rather than fail the image


def _css(rgba: tuple, opacity: float | None = None) -> str:
    red, green, blue, alpha = rgba
    alpha *= 1.0 if opacity is None else float(opacity)
    return f"rgba({red:.0f},{green:.0f},{blue:.0f},{alpha:.3f})"


def _with_opacity(colour: str, opacity: float | None) -> str:
    return _css(_rgba(colour), opacity)


def _sample(scale: list, point: float) -> tuple:
    """The colour at `point` (0..1) of a plotly colour scale; a step scale (two stops at one
    position) gives the upper band's colour at the step."""
    stops = [(float(position), _rgba(colour)) for position, colour in scale]
    for (low, low_colour), (high, high_colour) in zip(stops, stops[1:]):
        if low <= point <= high and high > low:
            share = (point - low) / (high - low)
            return tuple(a + (b - a) * share for a, b in zip(low_colour, high_colour))
    return stops[-1][1] if point >= stops[-1][0] else stops[0][1]


def _colours(z: list, trace: dict) -> list[str]:
    scale = trace.get("colorscale") or [[0, "#d9d9d9"], [1, "#d9d9d9"]]
    if isinstance(scale, str):
        from plotly.colors import get_colorscale

        scale = get_colorscale(scale)
    numbers = [float(value) for value in z if value is not None]
    low = trace.get("zmin", trace.get("cmin"))
    high = trace.get("zmax", trace.get("cmax"))
    low = float(low) if low is not None else (min(numbers) if numbers else 0.0)
    high = float(high) if high is not None else (max(numbers) if numbers else 1.0)
    span = (high - low) or 1.0
    return [_css(_sample(scale, min(max((float(value) - low) / span, 0.0), 1.0) if value is not None else 0.0))
            for value in z]


def _choropleth(trace: dict, features: dict, bounds: list) -> list[go.Scatter]:
    locations = _array(trace.get("locations"))
    z = _array(trace.get("z")) if trace.get("z") is not None else [0] * len(locations)
    marker = trace.get("marker") or {}
    line = marker.get("line") or {}
    colours = _colours(z, trace)
    groups: dict[str, list] = {}
    for code, colour in zip(locations, colours):
        rings = features.get(str(code))
        if rings:
            groups.setdefault(colour, []).extend(rings)
            _extend(bounds, rings)
    traces = []
    legend = trace.get("showlegend", False)
    for index, (colour, rings) in enumerate(groups.items()):
        xs, ys = _xy(rings)
        traces.append(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", fillcolor=_with_opacity(colour, marker.get("opacity")),
            line=dict(color=line.get("color", "#444444"), width=line.get("width", 0.8)), hoverinfo="skip",
            name=trace.get("name"), legendgroup=trace.get("name"), showlegend=bool(legend and index == 0)))
    if trace.get("showscale", True) is not False and locations and trace.get("colorbar") is not None:
        traces.append(_colourbar_only(trace, bounds))
    return traces


def _colourbar_only(trace: dict, bounds: list) -> go.Scatter:
    """An invisible point carrying the trace's legend (colour bar): the shapes have none of their own."""
    low = trace.get("zmin", trace.get("cmin", 0))
    high = trace.get("zmax", trace.get("cmax", 1))
    x = bounds[0] if bounds[0] is not None else 0
    y = bounds[1] if bounds[1] is not None else 0
    return go.Scatter(x=[x], y=[y], mode="markers", hoverinfo="skip", showlegend=False,
                      marker=dict(color=[low], cmin=low, cmax=high, colorscale=trace.get("colorscale"), opacity=0,
                                  size=1, showscale=True, colorbar=trace.get("colorbar")))


def _points(trace: dict, bounds: list) -> go.Scatter:
    lon, lat = _array(trace.get("lon")), _array(trace.get("lat"))
    ys = [mercator_y(value) if value is not None else None for value in lat]
    _extend(bounds, [[[x, y_lat] for x, y_lat in zip(lon, lat) if x is not None and y_lat is not None]])
    marker = {key: (_array(value) if isinstance(value, (dict, np.ndarray)) and key in ("color", "size") else value)
              for key, value in (trace.get("marker") or {}).items()
              if key in ("color", "size", "opacity", "colorscale", "cmin", "cmax", "showscale", "colorbar")}
    return go.Scatter(x=lon, y=ys, mode=trace.get("mode") or "markers", marker=marker, hoverinfo="skip",
                      name=trace.get("name"), showlegend=bool(trace.get("showlegend", False)),
                      text=trace.get("text"), textposition=trace.get("textposition"))


def _collection(value) -> dict | None:
    """A trace's geojson or a layer's source as a dict: the boundaries a URL names are made here, never
    fetched (a figure sent back by a browser may name anything)."""
    try:
        value = served.resolve(value)
    except served.UnknownCollection:
        return None
    return value if isinstance(value, dict) else None


def _layer(layer: dict) -> go.Scatter | None:
    source = _collection(layer.get("source"))
    if layer.get("sourcetype", "geojson") != "geojson" or source is None:
        return None
    features = source.get("features") or ([source] if source.get("type") == "Feature" else [])
    rings = [ring for feature in features for ring in _rings(feature.get("geometry"))]
    if not rings:
        return None
    xs, ys = _xy(rings)
    colour = layer.get("color", "#555555")
    if layer.get("type") == "fill":
        return go.Scatter(x=xs, y=ys, mode="lines", fill="toself", line=dict(width=0), hoverinfo="skip",
                          fillcolor=_with_opacity(colour, layer.get("opacity", 1.0)), showlegend=False)
    return go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                      line=dict(color=_with_opacity(colour, layer.get("opacity")),
                                width=(layer.get("line") or {}).get("width", 1.0)))


def _extend(bounds: list, rings: list[list]) -> None:
    for ring in rings:
        for lon, lat, *_rest in ring:
            y = mercator_y(lat)
            bounds[0] = lon if bounds[0] is None else min(bounds[0], lon)
            bounds[2] = lon if bounds[2] is None else max(bounds[2], lon)
            bounds[1] = y if bounds[1] is None else min(bounds[1], y)
            bounds[3] = y if bounds[3] is None else max(bounds[3], y)


def _features(trace: dict) -> dict[str, list]:
    geojson = _collection(trace.get("geojson")) or {}
    key = trace.get("featureidkey") or "id"
    return {str(_feature_key(feature, key)): _rings(feature.get("geometry")) for feature in geojson.get("features", [])}


def flat_map(figure: go.Figure | dict) -> go.Figure:
    """The figure with every map trace and geojson layer drawn as shapes on plain axes, fitted to
    what it shows (the traces' own places); other traces and the layout's title, legend and size stay."""
    source = _as_dict(figure)
    layout = dict(source.get("layout") or {})
    map_layout = layout.pop("map", None) or layout.pop("mapbox", None) or {}
    bounds: list = [None, None, None, None]
    below, traces, above = [], [], []
    for trace in source.get("data", []):
        kind = trace.get("type")
        if kind in ("choroplethmap", "choroplethmapbox"):
            traces.extend(_choropleth(trace, _features(trace), bounds))
        elif kind in ("scattermap", "scattermapbox"):
            traces.append(_points(trace, bounds))
        else:
            traces.append(trace)
    for layer in map_layout.get("layers") or []:
        drawn = _layer(layer)
        if drawn is not None:
            (below if layer.get("below") == "traces" or layer.get("type") == "fill" else above).append(drawn)
    if bounds[0] is None:  # nothing placed: the map's own centre, about a country wide
        centre = map_layout.get("center") or {"lon": 103.8, "lat": 18.2}
        bounds = [centre["lon"] - 4, mercator_y(centre["lat"]) - 4, centre["lon"] + 4, mercator_y(centre["lat"]) + 4]
    pad_x, pad_y = (bounds[2] - bounds[0]) * PAD or 0.01, (bounds[3] - bounds[1]) * PAD or 0.01
    flat = go.Figure(data=below + traces + above, layout=layout)
    flat.update_layout(plot_bgcolor="white", paper_bgcolor="white", dragmode=False,
                       xaxis=dict(visible=False, range=[bounds[0] - pad_x, bounds[2] + pad_x], constrain="domain"),
                       yaxis=dict(visible=False, range=[bounds[1] - pad_y, bounds[3] + pad_y], scaleanchor="x",
                                  scaleratio=1, constrain="domain"))
    return flat
