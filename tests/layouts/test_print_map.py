"""Maps redrawn as plain shapes for images: same places, colours, outlines, legend and layers, no map traces left."""
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from layouts.figures.print_map import flat_map, has_map, mercator_y

SQUARE_A = [[[100.0, 18.0], [101.0, 18.0], [101.0, 19.0], [100.0, 19.0], [100.0, 18.0]]]
SQUARE_B = [[[102.0, 20.0], [103.0, 20.0], [103.0, 21.0], [102.0, 21.0], [102.0, 20.0]]]
GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": "0101", "properties": {"code": "0101"}, "geometry": {"type": "Polygon", "coordinates": SQUARE_A}},
    {"type": "Feature", "id": "0102", "properties": {"code": "0102"},
     "geometry": {"type": "MultiPolygon", "coordinates": [SQUARE_B]}},
]}
STEPS = [[0, "#d9d9d9"], [0.5, "#d9d9d9"], [0.5, "#b2182b"], [1, "#b2182b"]]


def _map(**extra) -> go.Figure:
    figure = go.Figure(go.Choroplethmap(geojson=GEOJSON, featureidkey="id", locations=["0101", "0102"],
                                        z=np.array([0.0, 1.0]), zmin=-0.5, zmax=1.5, colorscale=STEPS,
                                        marker=dict(line=dict(color="#555555", width=0.8)),
                                        colorbar=dict(title=dict(text="%"), tickvals=[0, 1], ticktext=["none", "high"]),
                                        **extra))
    figure.update_layout(height=460, margin=dict(l=0, r=120, t=0, b=0),
                         map=dict(style="white-bg", center={"lon": 101.5, "lat": 19.5}, zoom=6,
                                  layers=[dict(sourcetype="geojson", source=GEOJSON, type="line", color="#777777",
                                               line=dict(width=0.5))]))
    return figure


def _fills(flat: go.Figure) -> dict[str, go.Scatter]:
    return {trace.fillcolor: trace for trace in flat.data if getattr(trace, "fill", None) == "toself"}


@pytest.mark.parametrize("as_sent", [False, True])
def test_places_keep_their_class_colour_and_outline(as_sent):
    figure = _map()
    # as_sent: the figure as the page sends it back (numpy arrays as {"dtype", "bdata"})
    source = json.loads(pio.to_json(figure)) if as_sent else figure
    if as_sent:
        assert "bdata" in source["data"][0]["z"]
    flat = flat_map(source)
    assert not has_map(flat) and has_map(figure)
    fills = _fills(flat)
    assert set(fills) == {"rgba(217,217,217,1.000)", "rgba(178,24,43,1.000)"}
    grey, red = fills["rgba(217,217,217,1.000)"], fills["rgba(178,24,43,1.000)"]
    assert list(grey.x[:5]) == [100.0, 101.0, 101.0, 100.0, 100.0]  # place 0101 (z 0) is grey
    assert list(red.x[:5]) == [102.0, 103.0, 103.0, 102.0, 102.0]   # place 0102 (z 1) is red
    assert red.y[0] == pytest.approx(mercator_y(20.0))
    assert red.line.color == "#555555"


def test_legend_layers_and_fit_are_kept():
    flat = flat_map(_map())
    bars = [trace for trace in flat.data if trace.marker and trace.marker.showscale]
    assert len(bars) == 1 and list(bars[0].marker.colorbar.ticktext) == ["none", "high"]
    # the context layer (outlines) is drawn over the places
    assert flat.data[-1].mode == "lines" and flat.data[-1].line.color == "rgba(119,119,119,1.000)" and flat.data[-1].fill is None
    assert flat.layout.yaxis.scaleanchor == "x" and flat.layout.xaxis.visible is False
    low, high = flat.layout.xaxis.range
    assert low < 100.0 and high > 103.0 and high - low < 3.5
    assert flat.layout.height == 460 and flat.layout.margin.r == 120


def test_points_become_markers_at_their_mercator_place():
    figure = go.Figure(go.Scattermap(lon=[102.6], lat=[17.97], mode="markers", marker=dict(size=12, color=[2])))
    flat = flat_map(figure)
    assert flat.data[0].type == "scatter" and flat.data[0].x == (102.6,)
    assert flat.data[0].y[0] == pytest.approx(mercator_y(17.97))


def test_a_chart_without_a_map_is_not_a_map():
    assert not has_map(go.Figure(go.Bar(x=[1], y=[2])))
