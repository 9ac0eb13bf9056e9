"""Phase II figures and page builders on a hand-made scored frame."""
import pandas as pd

from layouts.figures.phase2 import phase2_map, score_breakdown_figure
from layouts.phase2 import explanation, ranking_grid, selection_summary, weight_shares

GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": code, "properties": {"code": code},
     "geometry": {"type": "Polygon", "coordinates": [[[x, 20], [x + 1, 20], [x + 1, 21], [x, 21], [x, 20]]]}}
    for x, code in ((101, "0201"), (102, "0202"), (103, "0101"))]}


def _scored():
    return pd.DataFrame({
        "district_code": ["0201", "0202", "0101"], "name_en": ["Phongsaly", "May", "Chanthabuly"],
        "name_lo": ["ຜົ້ງສາລີ", "ໃໝ່", "ຈັນທະບູລີ"], "province_name_en": ["Phongsaly", "Phongsaly", "Vientiane Capital"],
        "province_name_lo": ["ຜົ້ງສາລີ", "ຜົ້ງສາລີ", "ນະຄອນຫຼວງວຽງຈັນ"], "is_target": [False, True, False],
        "stunting": [44.1, 41.3, None], "stunting_level": ["province", "district", None],
        "coverage": [0.0, 66.7, None], "score": [90.0, 40.0, None], "rank": pd.array([1, pd.NA, pd.NA], dtype="Int64"),
        "partial": [False, False, False], "selected": [True, False, False],
        "part_stunting": [60.0, 30.0, None], "part_coverage": [30.0, 10.0, None],
    })


def test_map_colours_scored_districts_and_outlines_selection_and_phase1():
    figure = phase2_map(_scored(), GEOJSON, "en", ["stunting", "coverage"])
    names = [trace.name for trace in figure.data]
    assert names[0] == "no score (no data for the weighted parts)"
    assert list(figure.data[0].locations) == ["0101"]
    scored = figure.data[1]
    assert list(scored.locations) == ["0201", "0202"] and list(scored.z) == [90.0, 40.0]
    assert scored.zmin == 0 and scored.zmax == 100
    phase1 = next(trace for trace in figure.data if trace.name.endswith("Phase I target district (1)"))
    selected = next(trace for trace in figure.data if trace.name.endswith("Selected for Phase II (1)"))
    assert list(phase1.locations) == ["0202"] and list(selected.locations) == ["0201"]
    assert selected.marker.line.width > phase1.marker.line.width
    first, second = (" ".join(parts) for parts in zip(scored.text, scored.customdata, scored.hovertext))
    assert "rank 1, score 90.0" in first and "(province estimate)" in first
    assert "already a Phase I target district" in second
    # Name, rank and the rest apart (a moved weight resends only the ranks); the outlines let the mouse
    # through to the fill, so they carry no hover of their own.
    assert scored.customdata[0].startswith("rank 1, score 90.0")
    assert scored.hovertemplate == "%{text}<br>%{customdata}%{hovertext}<extra></extra>"
    assert phase1.hoverinfo == "skip" and selected.hoverinfo == "skip" and phase1.customdata is None
    assert figure.layout.map.style == "white-bg"


def test_breakdown_bars_add_up_to_the_score_for_ranked_districts_only():
    figure = score_breakdown_figure(_scored(), ["stunting", "coverage"], "lo", top_n=5)
    assert [trace.name for trace in figure.data] == ["ຈາກອັດຕາເດັກເຕ້ຍ", "ຈາກຊ່ອງຫວ່າງການລວມສູນ"]
    assert list(figure.data[0].y) == ["1. ຜົ້ງສາລີ"]
    assert figure.data[0].x[0] + figure.data[1].x[0] == 90.0
    assert figure.layout.barmode == "stack"


def test_weights_are_shown_as_shares_of_the_weights_that_count():
    available = {"stunting": True, "poverty": False, "coverage": True}
    text = weight_shares({"stunting": 50, "poverty": 25, "coverage": 25}, available, "en")
    assert text == "Weights in force: stunting 67 %, villages reached by four or five projects 33 %"
    assert "zero" in weight_shares({"stunting": 0, "poverty": 10, "coverage": 0}, available, "en")
    words = str(explanation({"stunting": 50, "poverty": 25, "coverage": 25}, available, "2025-12", "en"))
    assert "No data loaded" in words and "December 2025" in words and "0–100" in words


def test_ranking_grid_and_summary():
    columns, rows = ranking_grid(_scored(), ["stunting", "coverage"], "en")
    assert [row["rank"] for row in rows] == [1, None, None]
    assert rows[0]["stunting__text"] == "44.1 % ᴾ" and rows[0]["stunting__tip"] == "province estimate"
    assert rows[1]["phase1"] == "yes" and rows[0]["selected"] == "☑" and rows[1]["selected"] == "☐"
    assert rows[2]["score__text"] == "not scored: no data for the weighted parts"
    partial = _scored().assign(partial=[True, False, False])
    _columns, rows = ranking_grid(partial, ["stunting", "coverage"], "en")
    assert rows[0]["score__text"] == "90.0 *"
    assert rows[0]["score__tip"].startswith("partial")
    assert [column["field"] for column in columns][:5] == ["selected", "rank", "district", "province", "score"]
    summary = str(selection_summary(_scored(), "en"))
    assert "1 districts selected, in 1 provinces: Phongsaly." in summary
