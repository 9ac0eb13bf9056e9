"""Boundaries by URL: figures name them, the server rebuilds them from the name alone and refuses any other name."""
import json

import pytest

from geo import served
from geo.levels import hatch_geojson, layer_geojson
from layouts.figures import print_map
from layouts.figures.maps import indicator_choropleth, outline_layer


def test_a_layer_carries_its_url_and_the_url_gives_back_the_same_features():
    layer = layer_geojson("district", "province", "07")
    assert layer.url.startswith("/geo/layer-district-province-07.geojson?v=")
    name, query = served.parse_url(layer.url)
    assert json.loads(served.body(name, query)) == json.loads(json.dumps(layer))
    assert served.resolve(layer.url)["features"][0]["id"].startswith("07")


def test_hatching_is_named_by_its_places_and_spacing_and_rebuilt_from_them():
    layer = layer_geojson("district", "national")
    hatching = hatch_geojson(layer, ["0703", "0101"], 0.0834444444)
    assert "codes=0101.0703" in hatching.url and "s=0.0834444" in hatching.url
    rebuilt = served.resolve(hatching.url)
    assert rebuilt == json.loads(json.dumps(hatching)) and rebuilt["features"]


def test_no_places_without_data_means_an_inline_empty_layer_not_a_url():
    assert served.source_of(hatch_geojson(layer_geojson("district", "national"), [], 0.08)) == {
        "type": "FeatureCollection", "features": []}


@pytest.mark.parametrize("url", [
    "/geo/layer-district-national-99.geojson",              # no such province
    "/geo/layer-village-national-all.geojson",              # no such level
    "/geo/../../etc/passwd.geojson",
    "/geo/hatch-layer-district-national-all.geojson?codes=0101.9999&s=0.08",   # unknown place
    "/geo/hatch-layer-district-national-all.geojson?codes=0101&s=nan",
    "/geo/hatch-layer-district-national-all.geojson?codes=0101&s=5",          # spacing out of range
    "/geo/hatch-layer-district-national-all.geojson?codes=" + ".".join(["0101"] * 500) + "&s=0.08",
    "/assets/css/app.css",
    "http://example.org/geo/layer-district-national-all.geojson",
])
def test_anything_but_a_collection_we_make_is_unknown(url):
    with pytest.raises(served.UnknownCollection):
        served.resolve(url)


def test_figures_carry_urls_not_features():
    import pandas as pd

    layer = layer_geojson("district", "province", "07")
    codes = [feature["id"] for feature in layer["features"]]
    units = pd.DataFrame({"code": codes, "name_en": codes, "name_lo": codes})
    values = pd.DataFrame({"admin_code": codes[:2], "value": [50.0, 90.0], "numerator": [5, 9],
                           "denominator": [10, 10], "period": ["2025-12", "2025-12"]})
    indicator = {"code": "X", "name_en": "X", "name_lo": "X", "unit": "percent", "direction": "higher",
                 "aggregation": "ratio", "max_value": 100}
    figure = indicator_choropleth(values, units, layer, indicator, "en",
                                  context_layers=[outline_layer(layer_geojson("province", "national"))])
    assert figure.data[0].geojson == layer.url
    sources = [layer_.source for layer_ in figure.layout.map.layers]
    assert all(isinstance(source, str) and source.startswith("/geo/") for source in sources)
    assert len(figure.to_json()) < 20_000
    # Images and print redraw the same places from the names.
    flat = print_map.flat_map(figure)
    assert len(flat.data) > len(codes) // 2


def test_a_forged_figure_naming_another_url_draws_nothing_and_fetches_nothing():
    figure = {"data": [{"type": "choroplethmap", "geojson": "http://169.254.169.254/latest", "locations": ["0101"],
                        "z": [1]}], "layout": {"map": {"layers": [{"sourcetype": "geojson", "source": "file:///etc/passwd"}]}}}
    flat = print_map.flat_map(figure)
    assert all(not trace.x for trace in flat.data if getattr(trace, "x", None) is not None)


def test_a_starting_server_serialises_every_layer_a_page_draws_once():
    from dashboard import warm_up

    served.clear_caches()
    warm_up.boundaries()
    # the two national layers and, per province, its districts and its own outline
    assert served.body.cache_info().currsize == 2 + 2 * 18
    assert served.body.cache_info().hits == 0
    layer_geojson("district", "province", "07")
    served.body("layer-district-province-07", ())
    assert served.body.cache_info().hits == 1
