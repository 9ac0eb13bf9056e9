"""District comparison: performance colours, the grid builder, stale flags and the small multiples."""
import pandas as pd
import pytest

from layouts.districts import comparison_grid, stale_flags
from layouts.figures.districts import district_small_multiples, performance_colour, text_colour
from layouts.figures.theme import WORSE_TO_BETTER


def test_performance_colour_is_red_for_worse_blue_for_better_white_at_the_reference():
    assert performance_colour(-0.5) == WORSE_TO_BETTER[0]
    assert performance_colour(0.5) == WORSE_TO_BETTER[-1]
    assert performance_colour(0.0) == "#ffffff"
    assert performance_colour(None) is None and performance_colour(float("nan")) is None
    worse, less_worse = performance_colour(-0.25), performance_colour(-0.05)
    assert int(worse[1:3], 16) > int(worse[5:7], 16)  # reddish
    assert worse != less_worse
    assert text_colour(WORSE_TO_BETTER[0]) == "#ffffff" and text_colour("#ffffff") == "#222222"


def _result():
    districts = pd.DataFrame({
        "code": ["0701", "0702", "0703"], "name_en": ["Xamneua", "Xiengkho", "Hiem"],
        "name_lo": ["ຊຳເໜືອ", "ຊຽງຄໍ້", "ຫ້ຽມ"], "province_code": ["07"] * 3,
        "province_name_en": ["Houaphan"] * 3, "province_name_lo": ["ຫົວພັນ"] * 3,
        "is_target": [False, False, True],
    })
    indicators = pd.DataFrame({
        "code": ["CCT_COMPLY_ALL", "STUNTING"], "name_en": ["Compliance", "Stunting"],
        "name_lo": ["ການປະຕິບັດຕາມເງື່ອນໄຂ", "ອັດຕາເດັກເຕ້ຍ"], "unit": ["percent", "percent"],
        "period_type": ["month", "year"], "level": ["village", "province"], "direction": ["higher", "lower"],
        "aggregation": ["ratio", "survey"], "multiplier": [100.0, 1.0],
    })
    base = {"province_code": "07", "numerator": None, "denominator": None, "std_error": None, "n_units": None,
            "target": None, "target_code": None, "province_median": None, "reference": None,
            "reference_kind": None, "performance": None, "rank": pd.NA, "is_best": False, "is_worst": False,
            "earlier": False, "value_code": None, "value_level": "district", "last_period": None}
    cells = pd.DataFrame([
        base | {"district_code": "0701", "indicator_code": "CCT_COMPLY_ALL", "period": None, "value": None,
                "status": "never"},
        base | {"district_code": "0702", "indicator_code": "CCT_COMPLY_ALL", "period": None, "value": None,
                "status": "stale", "last_period": "2025-08"},
        base | {"district_code": "0703", "indicator_code": "CCT_COMPLY_ALL", "period": "2025-11", "value": 64.6,
                "numerator": 42.0, "denominator": 65.0, "status": "current", "target": 80.0, "target_code": "00",
                "reference": 80.0, "reference_kind": "target", "performance": -0.1925, "rank": 1,
                "earlier": True},
        base | {"district_code": "0701", "indicator_code": "STUNTING", "period": "2024", "value": 41.2,
                "value_level": "province", "status": "current"},
        base | {"district_code": "0702", "indicator_code": "STUNTING", "period": "2024", "value": 38.0,
                "status": "current", "reference": 40.0, "reference_kind": "province_median",
                "performance": 0.05, "rank": 1, "is_best": True},
        base | {"district_code": "0703", "indicator_code": "STUNTING", "period": "2024", "value": 42.0,
                "status": "current", "reference": 40.0, "reference_kind": "province_median",
                "performance": -0.05, "rank": 2, "is_worst": True},
    ])
    cells["rank"] = cells["rank"].astype("Int64")
    return {"districts": districts, "indicators": indicators, "cells": cells, "as_of": "2025-12",
            "stale_periods": 3}


def test_grid_rows_are_sorted_by_rank_with_missing_last():
    columns, rows = comparison_grid(_result(), "en", rank_by="STUNTING")
    assert [row["code"] for row in rows] == ["0702", "0703", "0701"]
    assert [row["rank"] for row in rows] == [1, 2, None]
    assert [row["rank_order__text"] for row in rows] == ["1", "2", ""]
    assert columns[0]["field"] == "rank_order" and columns[0]["sort"] == "asc"
    assert [row["rank_order"] for row in rows] == sorted(row["rank_order"] for row in rows)
    assert "Stunting" in columns[0]["headerTooltip"]
    fields = [column["field"] for column in columns]
    assert fields[-2:] == ["CCT_COMPLY_ALL", "STUNTING"]


def test_grid_cells_carry_number_text_colour_marks_and_explanations():
    _columns, rows = comparison_grid(_result(), "en", rank_by="CCT_COMPLY_ALL")
    by_code = {row["code"]: row for row in rows}
    hiem = by_code["0703"]
    assert hiem["CCT_COMPLY_ALL"] == pytest.approx(64.6)
    assert hiem["CCT_COMPLY_ALL__text"] == "64.6 %"
    assert hiem["CCT_COMPLY_ALL__bg"] == performance_colour(-0.1925)
    assert hiem["CCT_COMPLY_ALL__italic"]  # November's report, as of December
    tip = hiem["CCT_COMPLY_ALL__tip"]
    assert "national target: 80.0 %" in tip and "19 % worse" in tip and "42 / 65" in tip and "November 2025" in tip
    assert hiem["STUNTING__text"] == "▼ 42.0 %" and hiem["STUNTING__mark"] == "worst"
    assert by_code["0702"]["STUNTING__text"] == "▲ 38.0 %"
    assert hiem["district"] == "Hiem ●"
    # a province estimate is shown in brackets, in italics, uncoloured
    xamneua = by_code["0701"]
    assert xamneua["STUNTING__text"] == "(41.2 %)" and xamneua["STUNTING__italic"]
    assert xamneua["STUNTING__bg"] is None
    assert xamneua["CCT_COMPLY_ALL"] is None and xamneua["CCT_COMPLY_ALL__text"] == "–"


def test_grid_status_flags_stale_districts():
    _columns, rows = comparison_grid(_result(), "lo")
    by_code = {row["code"]: row for row in rows}
    assert by_code["0702"]["status"] == "ຂໍ້ມູນເກົ່າ 1 ຕົວຊີ້ວັດ"
    assert by_code["0702"]["CCT_COMPLY_ALL__text"] == "ຂໍ້ມູນເກົ່າ"
    assert "ການປະຕິບັດຕາມເງື່ອນໄຂ" in by_code["0702"]["status__tip"]
    assert by_code["0703"]["status"] == "ລາຍງານທັນເວລາ"
    # a survey estimate is no report: a district with nothing else has no reports
    assert by_code["0701"]["status"] == "ບໍ່ມີລາຍງານ"


def test_stale_flags_name_the_districts():
    flags = str(stale_flags(_result(), "en"))
    assert "Xiengkho: indicators without a report in the chosen window: 1" in flags and "August 2025" in flags
    assert "No reports at all from: Xamneua." in flags


def test_small_multiples_one_panel_per_district_with_the_province_line():
    series = pd.DataFrame({
        "admin_code": ["0702", "0702", "0703"], "name_en": ["Xiengkho", "Xiengkho", "Hiem"],
        "name_lo": ["ຊຽງຄໍ້", "ຊຽງຄໍ້", "ຫ້ຽມ"], "period": ["2025-11", "2025-12", "2025-12"],
        "period_start": pd.to_datetime(["2025-11-01", "2025-12-01", "2025-12-01"]),
        "value": [70.0, 72.0, 65.0], "value_level": ["district"] * 3})
    provinces = pd.DataFrame({"admin_code": ["07", "07"], "name_en": ["Houaphan"] * 2, "name_lo": ["ຫົວພັນ"] * 2,
                              "period": ["2025-11", "2025-12"], "period_start": pd.to_datetime(["2025-11-01", "2025-12-01"]),
                              "value": [71.0, 69.0]})
    districts = _result()["districts"]
    figure = district_small_multiples(series, provinces, {"unit": "percent", "aggregation": "ratio"}, "en", districts)
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles == ["Xamneua – no data", "Xiengkho", "Hiem"]
    district_lines = [trace for trace in figure.data if trace.name in ("Xiengkho", "Hiem")]
    assert [list(trace.y) for trace in district_lines] == [[70.0, 72.0], [65.0]]
    province_lines = [trace for trace in figure.data if trace.name == "Houaphan (province)"]
    assert len(province_lines) == 3 and sum(bool(trace.showlegend) for trace in province_lines) == 1
    assert list(province_lines[0].y) == [71.0, 69.0]


def test_small_multiples_write_month_ticks_in_the_reader_language():
    series = pd.DataFrame({"admin_code": ["0703"] * 3, "name_en": ["Hiem"] * 3, "name_lo": ["ຫ້ຽມ"] * 3,
                           "period": ["2024-12", "2025-01", "2025-07"],
                           "period_start": pd.to_datetime(["2024-12-01", "2025-01-01", "2025-07-01"]),
                           "value": [1.0, 2.0, 3.0], "value_level": ["district"] * 3})
    provinces = series.iloc[0:0].drop(columns=["value_level"]).assign(admin_code=pd.Series(dtype=str))
    figure = district_small_multiples(series, provinces, {"unit": "percent", "aggregation": "ratio"}, "lo")
    assert list(figure.layout.xaxis.ticktext) == ["ມ.ກ. 2025", "ກ.ລ. 2025"]


@pytest.mark.parametrize("ranks, tips", [
    ([1, 2], ["rank 1", "rank 2"]),
    ([1, 1], ["rank 1, shared by 2 districts whose differences are within the margin of error (95\u00a0%)"] * 2),
])
def test_a_rank_shared_within_the_uncertainty_says_so(ranks, tips):
    result = _result()
    cells = result["cells"]
    stunting = cells.index[(cells["indicator_code"] == "STUNTING") & cells["rank"].notna()]
    cells.loc[stunting, "rank"] = pd.array(ranks, dtype="Int64")
    _columns, rows = comparison_grid(result, "en", rank_by="STUNTING")
    by_code = {row["code"]: row for row in rows}
    for code, tip in zip(("0702", "0703"), tips):
        assert by_code[code]["STUNTING__tip"].endswith(tip)
    lo_rows = {row["code"]: row for row in comparison_grid(result, "lo", rank_by="STUNTING")[1]}
    assert ("ຮ່ວມກັນ" in lo_rows["0702"]["STUNTING__tip"]) == (ranks == [1, 1])


def test_district_names_link_to_the_map_drilled_to_them():
    columns, rows = comparison_grid(_result(), "en", rank_by="STUNTING", scope="07", period="2025-12")
    name_column = next(column for column in columns if column["field"] == "district")
    assert name_column["cellRenderer"] == "markdown"
    by_code = {row["code"]: row for row in rows}
    text, href = by_code["0703"]["district_md"][1:-1].split("](")
    assert text.rstrip(" ●") == by_code["0703"]["district"].rstrip(" ●")
    assert href == "/map?scope=07&period=2025-12&drill=0703&indicator=STUNTING"
    # Without a month (no data yet) the names stay plain text.
    columns, rows = comparison_grid(_result(), "en", rank_by="STUNTING")
    assert "cellRenderer" not in next(column for column in columns if column["field"] == "district")
    assert "district_md" not in rows[0]


def test_markdown_in_a_name_stays_text():
    from layouts.districts import markdown_link

    assert markdown_link("Ban [x](javascript:alert(1))", "/map") == "[Ban \\[x\\]\\(javascript:alert\\(1\\)\\)](/map)"
