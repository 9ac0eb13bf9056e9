"""Indicator map figures: stable classes, red for worse, missing never zero, translated legend and hover."""
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import shapely

from layouts.figures.maps import (
    DAYS_BREAKS,
    HATCH_LAYER,
    PERCENT_BREAKS,
    ClassScheme,
    class_colours,
    class_labels,
    class_scheme,
    classify,
    indicator_choropleth,
    map_view,
    outline_layer,
    patch_parts,
    village_points,
)
from layouts.figures.theme import NO_DATA, WORSE_TO_BETTER

RED, BLUE = WORSE_TO_BETTER[0], WORSE_TO_BETTER[-1]

COMPLIANCE = {"code": "CCT_COMPLY_ALL", "name_en": "Compliance with all CCT conditions",
              "name_lo": "ການປະຕິບັດຕາມເງື່ອນໄຂ CCT ທັງໝົດ", "unit": "percent", "direction": "higher",
              "aggregation": "ratio", "max_value": 100.0, "level": "village"}
DELAY = {"code": "CCT_PAY_DELAY", "name_en": "Payment delay", "name_lo": "ໄລຍະເວລາລໍຖ້າການຈ່າຍເງິນ", "unit": "days",
         "direction": "lower", "aggregation": "ratio", "max_value": 730.0, "level": "district"}
SESSIONS = {"code": "SBCC_SESSIONS", "name_en": "SBCC sessions", "name_lo": "ກອງປະຊຸມ SBCC", "unit": "sessions",
            "direction": "higher", "aggregation": "sum", "max_value": None, "level": "village"}
STUNTING = {"code": "STUNTING", "name_en": "Stunting", "name_lo": "ອັດຕາເດັກເຕ້ຍ", "unit": "percent",
            "direction": "lower", "aggregation": "survey", "max_value": 100.0, "level": "province"}


def _square(code, x0):
    return {"type": "Feature", "id": code, "properties": {"code": code},
            "geometry": shapely.geometry.mapping(shapely.box(x0, 18.0, x0 + 0.5, 18.5))}


GEOJSON = {"type": "FeatureCollection", "features": [_square("01", 102.0), _square("02", 103.0), _square("03", 104.0)]}
UNITS = pd.DataFrame({"code": ["01", "02", "03"], "name_en": ["Vientiane Capital", "Phongsaly", "Luang Namtha"],
                      "name_lo": ["ນະຄອນຫຼວງວຽງຈັນ", "ຜົ້ງສາລີ", "ຫຼວງນ້ຳທາ"]})


def _values(rows):
    return pd.DataFrame(rows, columns=["admin_code", "value", "numerator", "denominator", "period"])


# ---------------------------------------------------------------- classes


def test_percentages_use_fixed_breaks_from_0_to_100():
    scheme = class_scheme(COMPLIANCE, pd.Series([71.0, 72.0, 73.0]))
    assert scheme.edges == PERCENT_BREAKS and scheme.method == "fixed"


def test_percentages_that_may_exceed_100_get_an_open_top_class():
    scheme = class_scheme(COMPLIANCE | {"code": "FM_DISBURSEMENT", "max_value": None})
    assert scheme.edges[-1] == math.inf
    assert class_labels(scheme, "en")[-1] == "90 % or more"


def test_days_and_survey_prevalence_have_their_own_breaks():
    assert class_scheme(DELAY).edges == DAYS_BREAKS
    assert class_scheme(STUNTING).edges == (0.0, 10.0, 20.0, 30.0, 40.0, 100.0)


def test_quantile_classes_come_from_the_national_reference_so_drilling_keeps_them():
    national = pd.Series(np.arange(1.0, 101.0))
    scheme = class_scheme(SESSIONS, national)
    assert scheme.method == "quantile"
    assert scheme.edges[0] == 1.0 and scheme.edges[-1] == 100.0
    assert list(scheme.edges[1:-1]) == [21.0, 41.0, 60.0, 80.0]
    # Two provinces' districts classified against the same scheme: same value, same class.
    north, south = pd.Series([10.0, 55.0]), pd.Series([55.0, 95.0])
    assert classify(north, scheme)[1] == classify(south, scheme)[0]


def test_few_distinct_values_get_one_class_each():
    scheme = class_scheme(SESSIONS | {"unit": "villages"}, pd.Series([0.0, 1.0, 1.0, 0.0]))
    assert scheme.method == "categories" and scheme.categories == (0.0, 1.0)
    assert classify(pd.Series([0.0, 1.0]), scheme).tolist() == [0.0, 1.0]
    assert class_labels(scheme, "en") == ["0", "1"]


def test_classify_edges_outliers_and_missing():
    scheme = ClassScheme((0.0, 40.0, 60.0, 100.0), "fixed", "higher", "percent")
    classes = classify(pd.Series([0.0, 39.9, 40.0, 60.0, 100.0, 130.0, -5.0, None, math.nan]), scheme)
    assert classes[:7].tolist() == [0, 0, 1, 2, 2, 2, 0]
    assert classes[7:].isna().all()


def test_missing_value_is_not_zero_and_zero_is_not_missing():
    scheme = class_scheme(COMPLIANCE)
    classes = classify(pd.Series([0.0, None]), scheme)
    assert classes[0] == 0
    assert math.isnan(classes[1])


def test_red_is_worse_whatever_the_direction():
    higher = class_colours(class_scheme(COMPLIANCE))
    lower = class_colours(class_scheme(DELAY))
    assert higher[0] == RED and higher[-1] == BLUE  # low compliance is bad
    assert lower[0] == BLUE and lower[-1] == RED  # long delays are bad
    neutral = class_colours(class_scheme(COMPLIANCE | {"direction": "neutral"}))
    assert RED not in neutral


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ["0–30 days", "30–60 days", "60–90 days", "90–120 days", "120 days or more"]),
    ("lo", ["0–30 ມື້", "30–60 ມື້", "60–90 ມື້", "90–120 ມື້", "120 ມື້ ຂຶ້ນໄປ"]),
])
def test_class_labels_are_translated(lang, expected):
    assert class_labels(class_scheme(DELAY), lang) == expected


# ---------------------------------------------------------------- choropleth


def _compliance_map(lang="en"):
    values = _values([("01", 85.0, 170.0, 200.0, "2025-06"), ("02", 0.0, 0.0, 12.0, "2025-06")])
    return indicator_choropleth(values, UNITS, GEOJSON, COMPLIANCE, lang, unit_word="villages")


def test_choropleth_draws_every_unit_and_missing_as_its_own_class():
    figure = _compliance_map()
    trace = figure.data[0]
    assert isinstance(trace, go.Choroplethmap)
    assert list(trace.locations) == ["01", "02", "03"]
    # z = class + 1; 0 is reserved for "no data": unit 03 has no value, 02 reported a real 0 %.
    assert list(trace.z) == [5.0, 1.0, 0.0]
    assert trace.colorscale[0][1] == NO_DATA and trace.colorscale[1][1] == NO_DATA
    assert trace.colorbar.ticktext[0] == "no data"
    assert list(trace.colorbar.ticktext[1:]) == ["0–40 %", "40–60 %", "60–70 %", "70–80 %", "80–90 %", "90–100 %"]


def test_missing_units_are_hatched():
    figure = _compliance_map()
    hatch = [layer for layer in figure.layout.map.layers if layer.name == HATCH_LAYER]
    assert len(hatch) == 1
    lines = shapely.geometry.shape(hatch[0].source["features"][0]["geometry"])
    assert shapely.box(104.0, 18.0, 104.5, 18.5).buffer(1e-6).contains(lines)


def test_hover_shows_both_names_value_ratio_and_period():
    figure = _compliance_map()
    # Names in text (kept when a Patch changes the month), the value line and details in customdata.
    assert figure.data[0].hovertemplate.startswith("%{text}")
    hover = [figure.data[0].text[0], *figure.data[0].customdata[0]]
    text = " ".join(hover)
    assert "Vientiane Capital" in text and "ນະຄອນຫຼວງວຽງຈັນ" in text
    assert "85.0 %" in text
    assert "Numerator / denominator: 170 / 200" in text
    assert "Period: June 2025" in text
    assert "no data" in " ".join(figure.data[0].customdata[2])


def test_hover_in_lao_puts_the_lao_name_first():
    figure = _compliance_map("lo")
    names = figure.data[0].text[0]
    assert names.index("ນະຄອນຫຼວງວຽງຈັນ") < names.index("Vientiane Capital")
    assert "ຕົວເສດ / ຕົວພູດ: 170 / 200" in figure.data[0].customdata[0][2]
    assert figure.data[0].colorbar.ticktext[0] == "ບໍ່ມີຂໍ້ມູນ"


def test_hover_shows_reporting_completeness_even_without_a_value():
    values = pd.DataFrame({"admin_code": ["01", "02"], "value": [80.0, math.nan], "numerator": [8.0, math.nan],
                           "denominator": [10.0, math.nan], "period": ["2025-06", None],
                           "n_reporting": pd.array([5, 0], dtype="Int64"), "n_expected": pd.array([6, 6], dtype="Int64")})
    figure = indicator_choropleth(values, UNITS, GEOJSON, COMPLIANCE, "en", unit_word="villages")
    assert "Reporting: 5 of 6 villages" in figure.data[0].customdata[0][2]
    assert "Reporting: 0 of 6 villages" in figure.data[0].customdata[1][2]
    assert figure.data[0].z[1] == 0  # no value: "no data", although it was expected to report


def test_payment_delay_hover_names_the_cycles_waiting_and_the_paid_ones():
    values = _values([("01", 52.0, None, None, "2025-12"), ("02", 24.0, None, None, "2025-12")]).assign(
        n_open=[2, 0], beneficiaries_waiting=[1932.0, np.nan], longest_open_days=[84.0, np.nan],
        median_open_days=[52.0, np.nan], n_paid=[0, 1], median_paid_days=[np.nan, 24.0])
    figure = indicator_choropleth(values, UNITS, GEOJSON, DELAY, "en")
    waiting, paid, missing = (row[2] for row in figure.data[0].customdata)
    assert "Still waiting: cycles 2, beneficiaries 1,932, longest wait 84 days, median 52 days" in waiting
    assert "Paid in December 2025: no cycle" in waiting
    assert "Still waiting: no cycle" in paid and "Paid in December 2025: cycles 1, median 24 days" in paid
    assert "Still waiting" not in missing  # no figure, no parts to explain


def test_survey_hover_gives_the_round_and_confidence_interval():
    values = pd.DataFrame({"admin_code": ["02"], "value": [44.0], "numerator": [math.nan], "denominator": [math.nan],
                           "std_error": [2.0], "period": ["2024"]})
    figure = indicator_choropleth(values, UNITS, GEOJSON, STUNTING, "en")
    details = figure.data[0].customdata[1][2]
    assert "Survey round: 2024" in details
    assert "95 % confidence interval: 40.1–47.9 %" in details
    # Lower is better: 44 % stunting is in the top class, which is red.
    assert figure.data[0].z[1] == 5 and figure.data[0].colorscale[-1][1] == RED


@pytest.mark.parametrize(("indicator", "lang", "title"), [
    (COMPLIANCE, "en", "Percent"), (DELAY, "lo", "ມື້"), (SESSIONS, "en", "Number of sessions"),
    (SESSIONS | {"unit": "people"}, "lo", "ຈຳນວນຄົນ"), (SESSIONS | {"unit": "widgets"}, "en", "Value"),
])
def test_legend_title_names_the_unit(indicator, lang, title):
    figure = indicator_choropleth(_values([("01", 5.0, None, None, "2025-06")]), UNITS, GEOJSON, indicator, lang)
    assert figure.data[0].colorbar.title.text == title


def test_given_scheme_is_used_instead_of_the_drawn_values():
    scheme = class_scheme(SESSIONS, pd.Series(np.arange(1.0, 101.0)))
    values = _values([("01", 50.0, None, None, "2025-06"), ("02", 99.0, None, None, "2025-06")])
    figure = indicator_choropleth(values, UNITS, GEOJSON, SESSIONS, "en", scheme=scheme)
    assert list(figure.data[0].z) == [3.0, 5.0, 0.0]


def test_old_positional_call_still_works_for_the_overview():
    figure = indicator_choropleth(_values([("01", 85.0, 170.0, 200.0, "2025-06")]), UNITS, GEOJSON, COMPLIANCE,
                                  "en", "white-bg", 460)
    assert figure.layout.height == 460 and figure.layout.map.style == "white-bg"


def test_context_layers_come_before_the_hatching():
    context = outline_layer(GEOJSON, "#333333", 2.0)
    figure = indicator_choropleth(_values([]), UNITS, GEOJSON, COMPLIANCE, "en", context_layers=[context])
    assert [layer.type for layer in figure.layout.map.layers] == ["line", "line"]
    assert figure.layout.map.layers[-1].name == HATCH_LAYER


def test_map_view_fits_the_bounds():
    center, zoom = map_view((102.0, 18.0, 104.5, 18.5), 600)
    assert center == {"lon": 103.25, "lat": 18.25}
    wide = map_view((100.0, 14.0, 107.6, 22.5), 600)[1]
    assert wide < zoom


# ---------------------------------------------------------------- villages and Patch


VILLAGES = pd.DataFrame({"code": ["0703001", "0703002", "0703003"], "name_en": ["Ban A", "Ban B", "Ban C"],
                         "name_lo": ["ບ້ານ ກ", "ບ້ານ ຂ", "ບ້ານ ຄ"], "lon": [103.1, 103.2, math.nan],
                         "lat": [20.1, 20.2, math.nan]})


def test_village_points_grey_without_data_and_unplaced_villages_left_out():
    values = _values([("0703001", 92.0, 23.0, 25.0, "2025-06")])
    figure = village_points(values, VILLAGES, COMPLIANCE, "en", scheme=class_scheme(COMPLIANCE))
    halo, points = figure.data
    assert halo.hoverinfo == "skip"
    assert list(points.marker.color) == [6.0, 0.0]
    assert list(points.customdata[:, 0]) == ["0703001", "0703002"]
    assert points.marker.colorbar.ticktext[0] == "no data"
    assert points.marker.size[1] < points.marker.size[0]


def test_patch_parts_carry_values_not_geometry():
    parts = patch_parts(_compliance_map())
    trace = parts["traces"][0]
    assert list(trace["z"]) == [5.0, 1.0, 0.0]
    assert "geojson" not in trace and "locations" not in trace
    assert list(parts["layers"]) == [0]
    assert parts["layers"][0]["name"] == HATCH_LAYER


def test_the_map_legend_is_a_bar_below_the_map_across_its_width():
    # Beside the map, the legend took 150 of a phone's 390 px; below it, the map keeps the width.
    figure = _compliance_map()
    bar = figure.data[0].colorbar
    assert bar.orientation == "h" and bar.yanchor == "top" and bar.y < 0 and bar.len == 1.0
    assert figure.layout.margin.r == 0 and figure.layout.margin.b > 0


def test_a_map_carries_its_bounds_and_zoom_for_the_browser_to_refit():
    figure = _compliance_map()
    fit = figure.layout.meta["fit"]
    assert fit["zoom"] == figure.layout.map.zoom
    west, south, east, north = fit["bounds"]
    assert west < figure.layout.map.center.lon < east and south < figure.layout.map.center.lat < north
