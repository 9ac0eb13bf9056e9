"""District comparison figures: performance colours for the heatmap table and small-multiple trend lines."""
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from i18n import format_period, format_value, localized, t
from layouts.figures.theme import NEUTRAL, WORSE_TO_BETTER
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
    grid = shared_grid(n_rows, n_columns, titles, horizontal_spacing=0.03,
                       vertical_spacing=0.12 if n_rows > 1 else 0.1)
    unit = indicator.get("unit", "percent")
    is_survey = indicator.get("aggregation") == "survey"
    x_column = "period_start"
    shown_provinces: set[str] = set()
    # Traces as dicts, validated once with the layout (below).
    traces = []
    by_province = {code: group for code, group in provinces.groupby("admin_code", sort=False)}
    by_district = {code: group for code, group in series.groupby("admin_code", sort=False)}
    for index, row in enumerate(districts.itertuples()):
        grid_row, grid_column = index // n_columns + 1, index % n_columns + 1
        province = by_province.get(row.province_code, provinces.iloc[0:0])
        if not province.empty:
            province_name = localized(province.iloc[0], lang)
            traces.append(dict(
                type="scatter", xaxis=_axis("x", grid_row, grid_column, n_columns),
                yaxis=_axis("y", grid_row, grid_column, n_columns),
                x=province[x_column], y=province["value"], mode="lines+markers" if is_survey else "lines",
                line=dict(color=PROVINCE_LINE, dash="dash", width=1.2), marker=dict(size=4),
                name=t("districts.province_line", lang, province=province_name),
                legendgroup=f"province-{row.province_code}", showlegend=row.province_code not in shown_provinces,
                customdata=[f"{province_name}<br>{format_period(p, lang)}: {format_value(v, unit, lang)}"
                            for p, v in zip(province["period"], province["value"])],
                hovertemplate="%{customdata}<extra></extra>"))
            shown_provinces.add(row.province_code)
        rows = by_district.get(row.code, series.iloc[0:0])
        if rows.empty:
            continue
        name = localized(row, lang)
        traces.append(dict(
            type="scatter", xaxis=_axis("x", grid_row, grid_column, n_columns),
            yaxis=_axis("y", grid_row, grid_column, n_columns),
            x=rows[x_column], y=rows["value"], mode="lines+markers" if is_survey else "lines",
            line=dict(color=NEUTRAL, width=2.2), marker=dict(size=5), name=name, showlegend=False,
            customdata=[f"<b>{name}</b><br>{format_period(p, lang)}: {format_value(v, unit, lang)}"
                        for p, v in zip(rows["period"], rows["value"])],
            hovertemplate="%{customdata}<extra></extra>"))
    x_extra, y_extra = {}, {}
    if not is_survey:
        # Month labels written by us: plotly's own month names stay English in Lao.
        starts = pd.concat([series["period_start"], provinces["period_start"]]).dropna()
        ticks = sorted({day for day in pd.to_datetime(starts) if day.month in (1, 7)})
        x_extra = {"tickvals": ticks,
                   "ticktext": [format_period(f"{day.year}-{day.month:02d}", lang, short=True) for day in ticks]}
    if unit == "percent":
        y_extra = {"rangemode": "tozero"}
    layout = dict(height=90 + 190 * n_rows, hovermode="closest",
                  margin=dict(l=50, r=20, t=60, b=40), legend=dict(orientation="h", y=1.0 + 0.25 / n_rows, x=0),
                  annotations=[title | {"font": {"size": 12}} for title in grid["annotations"]])
    for name, axis in grid["axes"].items():
        layout[name] = axis | (x_extra if name.startswith("x") else y_extra)
    # One construction: make_subplots, add_traces and update_*axes each validated the whole figure again.
    return go.Figure(data=traces, layout=layout)


def _axis(kind: str, row: int, column: int, n_columns: int) -> str:
    number = (row - 1) * n_columns + column
    return kind if number == 1 else f"{kind}{number}"


def shared_grid(n_rows: int, n_columns: int, titles: list[str], horizontal_spacing: float,
                vertical_spacing: float) -> dict:
    """make_subplots(rows, cols, shared_xaxes=True, shared_yaxes=True, subplot_titles=...)'s layout, as dicts:
    {"axes": {"xaxis": ..., "yaxis2": ...}, "annotations": [title, ...]}. x axes are shared by column (the
    bottom row shows the ticks), y axes by row (the first column shows them)."""
    width = (1.0 - horizontal_spacing * (n_columns - 1)) / n_columns
    height = (1.0 - vertical_spacing * (n_rows - 1)) / n_rows
    axes, annotations = {}, []
    for row in range(1, n_rows + 1):
        top = 1.0 - (row - 1) * (height + vertical_spacing)
        y_domain = [max(top - height, 0.0), top]
        for column in range(1, n_columns + 1):
            left = (column - 1) * (width + horizontal_spacing)
            x_domain = [left, min(left + width, 1.0)]
            x_name, y_name = _axis("x", row, column, n_columns), _axis("y", row, column, n_columns)
            x_axis = {"anchor": y_name, "domain": x_domain}
            if row < n_rows:
                x_axis |= {"matches": _axis("x", n_rows, column, n_columns), "showticklabels": False}
            y_axis = {"anchor": x_name, "domain": y_domain}
            if column > 1:
                y_axis |= {"matches": _axis("y", row, 1, n_columns), "showticklabels": False}
            axes[x_name.replace("x", "xaxis", 1)] = x_axis
            axes[y_name.replace("y", "yaxis", 1)] = y_axis
            index = (row - 1) * n_columns + column - 1
            if index < len(titles):
                annotations.append({"text": titles[index], "x": (x_domain[0] + x_domain[1]) / 2, "y": top,
                                    "xref": "paper", "yref": "paper", "xanchor": "center", "yanchor": "bottom",
                                    "showarrow": False})
    return {"axes": axes, "annotations": annotations}
