"""Lao inside charts: every figure's text and hover labels use the bundled Lao font first."""
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from layouts.figures import maps
from layouts.figures.theme import FONT_FAMILY, TEMPLATE_NAME

FIGURES_DIR = Path(__file__).resolve().parents[2] / "layouts" / "figures"
LAO_FONT = "Noto Sans Lao"


def _effective_font_families(figure: go.Figure) -> tuple[str, str]:
    """layout.font.family and layout.hoverlabel.font.family as plotly will use them (figure, else template)."""
    layout, template = figure.layout, figure.layout.template.layout
    font = layout.font.family or template.font.family
    hover = layout.hoverlabel.font.family or template.hoverlabel.font.family
    return font, hover


def test_the_theme_puts_the_lao_font_first_with_latin_fallbacks():
    assert FONT_FAMILY.split(",")[0].strip(" '\"") == LAO_FONT
    assert "sans-serif" in FONT_FAMILY
    font, hover = _effective_font_families(go.Figure(layout=dict(template=TEMPLATE_NAME)))
    assert LAO_FONT in font and LAO_FONT in hover


def _square(code: str, lon: float, lat: float) -> dict:
    ring = [[lon, lat], [lon + 0.5, lat], [lon + 0.5, lat + 0.5], [lon, lat + 0.5], [lon, lat]]
    return {"type": "Feature", "id": code, "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_a_lao_map_uses_the_lao_font_for_text_and_hover_labels():
    geojson = {"type": "FeatureCollection", "features": [_square("0701", 103.5, 20.0), _square("0702", 104.0, 20.0)]}
    units = pd.DataFrame({"code": ["0701", "0702"], "name_en": ["Xamneua", "Xiengkho"], "name_lo": ["ຊຳເໜືອ", "ຊຽງຄໍ້"]})
    values = pd.DataFrame({"admin_code": ["0701"], "value": [81.5], "numerator": [163.0], "denominator": [200.0],
                           "period": ["2023-05"]})
    indicator = {"code": "CCT_COMPLY_ALL", "name_en": "Compliance with all CCT conditions",
                 "name_lo": "ການປະຕິບັດຕາມເງື່ອນໄຂ CCT ທັງໝົດ", "unit": "percent", "direction": "higher",
                 "aggregation": "ratio", "max_value": 100}
    figure = maps.indicator_choropleth(values, units, geojson, indicator, "lo")
    font, hover = _effective_font_families(figure)
    assert LAO_FONT in font
    assert LAO_FONT in hover
    for trace in figure.data:
        trace_font = trace.hoverlabel.font.family if "hoverlabel" in trace else None
        assert trace_font is None or LAO_FONT in trace_font, f"{trace.name}: hover font {trace_font!r}"
    hover_text = " ".join([*figure.data[0].text, *(str(cell) for row in figure.data[0].customdata for cell in row)])
    assert "ຊຳເໜືອ" in hover_text


def test_no_figure_builder_overrides_the_font_with_one_lacking_lao():
    offenders = []
    for path in sorted(FIGURES_DIR.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r"""family["']?\s*[=:]\s*(["'])(.*?)\1""", source):
            if LAO_FONT not in match.group(2):
                offenders.append(f"{path.name}: {match.group(0)}")
    assert not offenders, "font families without Noto Sans Lao (use theme.FONT_FAMILY):\n" + "\n".join(offenders)
