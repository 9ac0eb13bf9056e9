"""The one template: registered as plotly's default, so that figures get it without naming it."""
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from layouts.figures import theme
from layouts.figures.trends import compliance_figure

FIGURES_DIR = Path(__file__).resolve().parents[2] / "layouts" / "figures"


def _template_json(figure: go.Figure) -> dict:
    return figure.to_plotly_json()["layout"]["template"]


def test_the_dashboard_template_is_plotlys_default():
    assert pio.templates.default == theme.TEMPLATE_NAME
    assert _template_json(go.Figure()) == pio.templates[theme.TEMPLATE_NAME].to_plotly_json()


def test_a_builder_figure_carries_the_dashboard_template():
    series = pd.DataFrame({
        "indicator_code": ["CCT_COMPLY_ALL"] * 2, "name_en": ["All conditions"] * 2, "name_lo": ["ທັງໝົດ"] * 2,
        "period": ["2023-01", "2023-02"], "period_start": pd.to_datetime(["2023-01-01", "2023-02-01"]),
        "value": [80.0, 82.5], "numerator": [80.0, 165.0], "denominator": [100.0, 200.0], "n_units": [3, 4],
    })
    figure = compliance_figure(series, "en")
    assert _template_json(figure) == pio.templates[theme.TEMPLATE_NAME].to_plotly_json()
    assert theme.FONT_FAMILY in figure.layout.template.layout.font.family
    assert _template_json(theme.empty_figure("nothing")) == _template_json(figure)


def test_no_builder_names_the_template():
    """Naming it deep-copies the whole template into each figure (~5 ms each); the default is the same one."""
    offenders = [path.name for path in sorted(FIGURES_DIR.glob("*.py"))
                 if path.name != "theme.py" and re.search(r"\btemplate\s*=", path.read_text(encoding="utf-8"))]
    assert offenders == []
