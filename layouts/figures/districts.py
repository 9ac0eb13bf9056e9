"""District comparison figures: performance colours for the heatmap table and small-multiple trend lines."""
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from i18n import format_period, format_value, localized, t
from layouts.figures.theme import NEUTRAL, TEMPLATE_NAME, WORSE_TO_BETTER
from layouts.figures.trends import empty_figure

# Relative performance is shown up to +/- 30 % of the yardstick; beyond that the colour is full.
PERFORMANCE_SPAN = 0.30
NEUTRAL_CELL = "#ffffff"
PROVINCE_LINE = "#7f7f7f"
STALE_COLOUR = "#d68910"
MULTIPLE_COLUMNS = 4


def _hex_to_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def performance_colour(performance: float | None) -> str | None:
    """Cell colour for a relative performance (> 0 better, < 0 worse): red for worse, blue for
    better, white at the yardstick (within 2 %), full colour from +/- PERFORMANCE_SPAN.
    None when unknown."""
    if performance is None or performance is pd.NA or (isinstance(performance, float) and math.isnan(performance)):
        return None
    if abs(performance) < 0.02:
        return NEUTRAL_CELL
    position = (float(np.clip(performance, -PERFORMANCE_SPAN, PERFORMANCE_SPAN)) + PERFORMANCE_SPAN) / (
        2 * PERFORMANCE_SPAN)
    palette = [_hex_to_rgb(colour) for colour in WORSE_TO_BETTER]
    scaled = position * (len(palette) - 1)
    index = min(int(scaled), len(palette) - 2)
    share = scaled - index
    rgb = [round(a + (b - a) * share) for a, b in zip(palette[index], palette[index + 1])]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def text_colour(background: str | None) -> str:
    """Black or white, whichever reads on the background."""
    if not background:
        return "#222222"
    red, green, blue = _hex_to_rgb(background)
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#ffffff" if luminance < 140 else "#222222"


def district_small_multiples(series: pd.DataFrame, provinces: pd.DataFrame, indicator: dict, lang: str,
                             districts: pd.DataFrame | None = None, columns: int = MULTIPLE_COLUMNS) -> go.Figure:
    """One small panel per district with the indicator over time and its province's line.

    series (district_trends): admin_code, name_en, name_lo, period, period_start, value,
    value_level ("district" | "province" when a survey estimate is the province's).
    provinces: admin_code, name_en, name_lo, period, period_start, value (each province's own
    figure, not a mean of districts). districts: code, name_en, name_lo, province_code
    (every district to draw, so that one without data gets an empty, labelled panel).
    All panels share the y axis so that heights compare.
    """
    if districts is None:
        districts = series.drop_duplicates("admin_code").rename(columns={"admin_code": "code"})
        districts["province_code"] = districts["code"].str[:2]
    if districts.empty:
        return empty_figure(t("districts.choose_districts", lang), 260)
    districts = districts.sort_values("code").reset_index(drop=True)
    n_columns = max(1, min(columns, len(districts)))
    n_rows = math.ceil(len(districts) / n_columns)
    titles = []
    series_by_district = {code: group for code, group in series.groupby("admin_code", sort=False)}
    for row in districts.itertuples():
        rows = series_by_district.get(row.code, series.iloc[0:0])
        title = localized(row, lang)
        if rows.empty:
            title += " – " + t("common.no_data", lang)
        elif (rows["value_level"] == "province").all():
            title += " – " + t("districts.province_estimate_short", lang)
        titles.append(title)
    figure = make_subplots(rows=n_rows, cols=n_columns, shared_xaxes=True, shared_yaxes=True,
                           subplot_titles=titles, horizontal_spacing=0.03, vertical_spacing=0.12 if n_rows > 1 else 0.1)
    unit = indicator.get("unit", "percent")
    is_survey = indicator.get("aggregation") == "survey"
    x_column = "period_start"
    shown_provinces: set[str] = set()
    # Added in one call: add_trace per panel re-validated the whole figure each time.
    traces, trace_rows, trace_columns = [], [], []
    by_province = {code: group for code, group in provinces.groupby("admin_code", sort=False)}
    by_district = {code: group for code, group in series.groupby("admin_code", sort=False)}
    for index, row in enumerate(districts.itertuples()):
        grid_row, grid_column = index // n_columns + 1, index % n_columns + 1
        province = by_province.get(row.province_code, provinces.iloc[0:0])
        if not province.empty:
            province_name = localized(province.iloc[0], lang)
            traces.append(go.Scatter(
                x=province[x_column], y=province["value"], mode="lines+markers" if is_survey else "lines",
                line=dict(color=PROVINCE_LINE, dash="dash", width=1.2), marker=dict(size=4),
                name=t("districts.province_line", lang, province=province_name),
                legendgroup=f"province-{row.province_code}", showlegend=row.province_code not in shown_provinces,
                customdata=[f"{province_name}<br>{format_period(p, lang)}: {format_value(v, unit, lang)}"
                            for p, v in zip(province["period"], province["value"])],
                hovertemplate="%{customdata}<extra></extra>"))
            trace_rows.append(grid_row)
            trace_columns.append(grid_column)
            shown_provinces.add(row.province_code)
        rows = by_district.get(row.code, series.iloc[0:0])
        if rows.empty:
            continue
        name = localized(row, lang)
        traces.append(go.Scatter(
            x=rows[x_column], y=rows["value"], mode="lines+markers" if is_survey else "lines",
            line=dict(color=NEUTRAL, width=2.2), marker=dict(size=5), name=name, showlegend=False,
            customdata=[f"<b>{name}</b><br>{format_period(p, lang)}: {format_value(v, unit, lang)}"
                        for p, v in zip(rows["period"], rows["value"])],
            hovertemplate="%{customdata}<extra></extra>"))
        trace_rows.append(grid_row)
        trace_columns.append(grid_column)
    if traces:
        figure.add_traces(traces, rows=trace_rows, cols=trace_columns)
    figure.update_layout(template=TEMPLATE_NAME, height=90 + 190 * n_rows, hovermode="closest",
                         margin=dict(l=50, r=20, t=60, b=40), legend=dict(orientation="h", y=1.0 + 0.25 / n_rows, x=0))
    figure.update_annotations(font_size=12)
    if not is_survey:
        # Month labels written by us: plotly's own month names stay English in Lao.
        starts = pd.concat([series["period_start"], provinces["period_start"]]).dropna()
        ticks = sorted({day for day in pd.to_datetime(starts) if day.month in (1, 7)})
        figure.update_xaxes(tickvals=ticks, ticktext=[format_period(f"{day.year}-{day.month:02d}", lang, short=True)
                                                      for day in ticks])
    if unit == "percent":
        figure.update_yaxes(rangemode="tozero")
    return figure
