"""Convergence figures: villages coloured by projects reaching them, and the per-district summary."""
import math

import pandas as pd
import plotly.graph_objects as go
import shapely

from layouts.figures.convergence import (
    DETAILED_HOVER_LIMIT,
    OTHER_POINT_SIZE,
    TARGET_POINT_SIZE,
    convergence_map,
    district_convergence_chart,
    project_count_colours,
    project_count_labels,
)
from layouts.figures.theme import WORSE_TO_BETTER

PROJECTS = pd.DataFrame({
    "code": ["RRPM", "HANSA", "SUWASH", "AFN", "ECE"],
    "name_en": ["RRPM", "HANSA", "SUWASH", "AFN", "ECE"],
    "name_lo": ["ລພຊ", "HANSA", "SUWASH", "AFN", "ECE"],
    "short_lo": ["ລພຊ", "HANSA", "SUWASH", "AFN", "ECE"],
})


def _village(code, flags, is_target=1, lon=103.5, lat=20.2):
    row = {"code": code, "name_en": f"Ban {code[-3:]}", "name_lo": f"ບ້ານ {code[-3:]}", "district_code": code[:4],
           "province_code": code[:2], "lon": lon, "lat": lat, "is_target": is_target, "n_projects": sum(flags)}
    return row | dict(zip(PROJECTS["code"], flags))


VILLAGES = pd.DataFrame([
    _village("0703001", [1, 1, 1, 1, 1]),
    _village("0703002", [1, 1, 0, 1, 1], lon=103.6),
    _village("0703003", [0, 0, 0, 0, 0], lon=103.7),
    _village("0701001", [0, 1, 0, 0, 0], is_target=0, lon=103.8),
    _village("0701002", [1, 1, 1, 1, 1], lon=math.nan, lat=math.nan),
])


def test_count_colours_run_from_red_for_none_to_blue_for_all():
    colours = project_count_colours(5)
    assert len(colours) == 6
    assert colours[0] == WORSE_TO_BETTER[0] and colours[-1] == WORSE_TO_BETTER[-1]
    assert len(set(colours)) == 6


def test_count_labels_are_translated():
    assert project_count_labels(5, "en") == ["none", "1 of 5", "2 of 5", "3 of 5", "4 of 5", "all 5"]
    assert project_count_labels(5, "lo")[0] == "ບໍ່ມີ"
    assert project_count_labels(5, "lo")[-1] == "ທັງ 5 ໂຄງການ"


def test_villages_are_coloured_by_their_project_count():
    figure = convergence_map(VILLAGES, PROJECTS, "en")
    points = figure.data[-1]
    assert isinstance(points, go.Scattermap)
    # The village without coordinates cannot be placed and is left out.
    assert list(points.customdata[:, 0]) == ["0703001", "0703002", "0703003", "0701001"]
    assert list(points.marker.color) == [5, 4, 0, 1]
    assert (points.marker.cmin, points.marker.cmax) == (-0.5, 5.5)
    assert list(points.marker.colorbar.ticktext) == project_count_labels(5, "en")
    assert list(points.marker.size) == [TARGET_POINT_SIZE] * 3 + [OTHER_POINT_SIZE]


def test_hover_says_which_projects_reach_and_which_are_missing():
    figure = convergence_map(VILLAGES, PROJECTS, "en")
    hover = figure.data[-1].customdata[1]
    assert hover[2] == "Reached by 4 of 5 projects"
    assert "Reached by: RRPM, HANSA, AFN, ECE" in hover[3]
    assert "Not reached by: SUWASH" in hover[3]
    assert "Village in an RRPM target district" in hover[3]
    none = figure.data[-1].customdata[2]
    assert "Reached by:" not in none[3] and "Not reached by: RRPM, HANSA, SUWASH, AFN, ECE" in none[3]


def test_hover_in_lao_uses_the_programs_abbreviation():
    figure = convergence_map(VILLAGES, PROJECTS, "lo")
    hover = figure.data[-1].customdata[1]
    assert hover[2] == "ມີ 4 ໃນ 5 ໂຄງການ ເຂົ້າເຖິງ"
    assert "ລພຊ" in hover[3] and "RRPM" not in hover[3]


def test_many_villages_get_a_short_hover_from_point_values():
    many = pd.concat([VILLAGES.iloc[:1]] * (DETAILED_HOVER_LIMIT + 1), ignore_index=True)
    points = convergence_map(many, PROJECTS, "en").data[-1]
    assert points.customdata is None
    assert len(points.text) == DETAILED_HOVER_LIMIT + 1
    assert "%{marker.color} of 5 projects" in points.hovertemplate


def test_areas_lie_under_the_points_and_can_be_clicked():
    areas = pd.DataFrame({"code": ["0701", "0703"], "name_en": ["Xamneua", "Hiem"], "name_lo": ["ຊຳເໜືອ", "ຫ້ຽມ"]})
    geojson = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": code, "properties": {},
         "geometry": shapely.geometry.mapping(shapely.box(103 + i, 20, 103.5 + i, 20.5))}
        for i, code in enumerate(["0701", "0703"])]}
    figure = convergence_map(VILLAGES, PROJECTS, "en", areas=areas, areas_geojson=geojson)
    assert [type(trace).__name__ for trace in figure.data] == ["Choroplethmap", "Scattermap", "Scattermap"]
    assert list(figure.data[0].locations) == ["0701", "0703"]
    assert figure.data[0].customdata[1][2] == "3 villages, 3 in RRPM target districts"


SUMMARY = pd.DataFrame({
    "district_code": ["0703", "0706", "0707"], "name_en": ["Hiem", "Xamtay", "Sopbao"],
    "name_lo": ["ຫ້ຽມ", "ຊຳໃຕ້", "ສົບເບົາ"], "is_target": [1, 1, 1], "n_villages": [6, 6, 6],
    "n_all": [0, 2, 0], "n_four_plus": [2, 5, 0],
    "share_all": [0.0, 100 * 2 / 6, 0.0], "share_four_plus": [100 * 2 / 6, 100 * 5 / 6, 0.0],
})


def test_district_chart_shows_both_shares_with_counts():
    figure = district_convergence_chart(SUMMARY, 5, "en")
    four, everything = figure.data
    assert four.name == "At least 4 projects" and everything.name == "All 5 projects"
    # Best first in the data = bottom of a horizontal bar chart: the laggard is on top.
    assert list(four.y) == ["Xamtay", "Hiem", "Sopbao"]
    assert list(four.x) == [100 * 5 / 6, 100 * 2 / 6, 0.0]
    assert list(everything.text) == ["33\u00a0% (2 of 6)", "0\u00a0% (0 of 6)", "0\u00a0% (0 of 6)"]
    assert figure.layout.xaxis.title.text == "% of the district's target villages"


def test_district_chart_in_lao():
    figure = district_convergence_chart(SUMMARY, 5, "lo")
    assert list(figure.data[0].y) == ["ຊຳໃຕ້", "ຫ້ຽມ", "ສົບເບົາ"]
    assert figure.data[1].name == "ທັງ 5 ໂຄງການ"
    assert figure.data[0].text[0] == "83\u00a0% (5 ໃນ 6)"
