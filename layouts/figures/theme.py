"""The one Plotly template every figure uses: Lao-capable fonts, colours, hover labels.

It is registered as plotly's default, so builders never name it: a figure built without a template gets
the default one as it is constructed (~0.5 ms), while `template=TEMPLATE_NAME` deep-copied the whole
template once per figure and again per update_layout naming it (~5 ms each, a dozen per page).
"""
import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE_NAME = "convergence"
# Hover labels do not inherit layout.font, so the family is set on both (VERIFIED.md).
FONT_FAMILY = "'Noto Sans Lao', 'Open Sans', Arial, sans-serif"
WORSE = "#c0392b"
BETTER = "#1e8449"
NEUTRAL = "#2c7fb8"
NO_DATA = "#d9d9d9"
OUTLINE = "#555555"
# Red is always "worse": sequential scales run from worse (red) to better (green).
WORSE_TO_BETTER = ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"]
PROJECT_COLOURS = {"RRPM": "#1f77b4", "HANSA": "#d62728", "SUWASH": "#17becf", "AFN": "#2ca02c", "ECE": "#9467bd"}
SERIES_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


# Every legend sits above its plot, left-aligned, in rows: below the plot it covered the x axis's dates,
# beside it a phone had a third of its width left for the data. Plotly grows the top margin to fit it.
# y: high enough that the legend clears the top y tick label, which stands half above the plot.
LEGEND_ABOVE = dict(orientation="h", x=0, xanchor="left", y=1.06, yanchor="bottom")


def legend_above(height: int | None = None, **extra) -> dict:
    """The legend placement every chart uses, with `extra` (traceorder, ...) added.

    height: the figure's height in px, to keep about 20 px between the plot and the legend
    (paper units shrink with the plot, and on a phone the legend rows take much of the figure).
    """
    placement = dict(LEGEND_ABOVE)
    if height:
        placement["y"] = 1 + max(0.04, 20 / max(height - 140, 80))
    return {**placement, **extra}


def empty_figure(message: str, height: int = 300) -> go.Figure:
    """A blank chart that says why it is blank (no data is not a zero line)."""
    figure = go.Figure(layout=dict(height=height))
    figure.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                          font=dict(size=14, color="#6c757d"))
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


# What of plotly_white the dashboard's charts use: its axes, backgrounds, hover and defaults of the
# trace types we draw. The rest (3-D scenes, polar and ternary axes, geo, default colour scales: every
# chart sets its own) went into every figure: 7 kB of JSON and ~10 ms of validation per chart.
_LAYOUT_LEFT_OUT = ("polar", "ternary", "scene", "geo", "colorscale", "coloraxis")
_TRACES_KEPT = ("scatter", "bar", "scattermap", "choroplethmap")


def _lean_white() -> dict:
    white = pio.templates["plotly_white"].to_plotly_json()
    return {"layout": {key: value for key, value in white["layout"].items() if key not in _LAYOUT_LEFT_OUT},
            "data": {key: value for key, value in white["data"].items() if key in _TRACES_KEPT}}


def register_template() -> None:
    """Register (idempotently) and make default the dashboard's template."""
    template = go.layout.Template(_lean_white())
    template.layout.font = dict(family=FONT_FAMILY, size=13, color="#222")
    template.layout.hoverlabel = dict(font=dict(family=FONT_FAMILY, size=13))
    template.layout.colorway = SERIES_COLOURS
    template.layout.margin = dict(l=40, r=20, t=40, b=40)
    template.layout.legend = LEGEND_ABOVE
    pio.templates[TEMPLATE_NAME] = template
    pio.templates.default = TEMPLATE_NAME


register_template()
