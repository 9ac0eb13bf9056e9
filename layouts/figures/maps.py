"""Choropleth maps of an indicator over our own boundaries (offline: white-bg, no tiles)."""
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from i18n import format_period, format_value, localized, t
from layouts.figures.theme import NO_DATA, OUTLINE, TEMPLATE_NAME, WORSE_TO_BETTER

LAOS_CENTER = {"lon": 103.8, "lat": 18.2}


def class_breaks(values: pd.Series, n_classes: int = 5) -> list[float]:
    """Quantile class edges (n_classes + 1 numbers), de-duplicated; [] when nothing to classify."""
    clean = pd.to_numeric(values, errors="coerce").dropna()
    if clean.empty:
        return []
    edges = np.unique(np.quantile(clean, np.linspace(0, 1, n_classes + 1)))
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0] + 1e-9])
    return [float(edge) for edge in edges]


def classify(values: pd.Series, edges: list[float]) -> pd.Series:
    """Class index (0..len(edges)-2) per value; NaN stays NaN (drawn as "no data")."""
    numeric = pd.to_numeric(values, errors="coerce")
    if not edges:
        return pd.Series(np.nan, index=values.index)
    inner = np.asarray(edges[1:-1])
    classes = np.searchsorted(inner, numeric.to_numpy(), side="right").astype(float)
    classes[numeric.isna().to_numpy()] = np.nan
    return pd.Series(classes, index=values.index)


def _class_colours(n_classes: int, direction: str) -> list[str]:
    """Colours from worse to better for the direction; class 0 holds the lowest values."""
    palette = [WORSE_TO_BETTER[round(i * (len(WORSE_TO_BETTER) - 1) / max(n_classes - 1, 1))] for i in range(n_classes)]
    return palette[::-1] if direction == "lower" else palette


def _view(geojson: dict, codes: list[str]) -> tuple[dict, float]:
    """Centre and zoom that fit the features with these codes."""
    xs, ys = [], []
    wanted = set(codes)
    for feature in geojson["features"]:
        if feature["id"] not in wanted:
            continue
        coords = np.array(_flatten(feature["geometry"]["coordinates"]))
        xs.extend([coords[:, 0].min(), coords[:, 0].max()])
        ys.extend([coords[:, 1].min(), coords[:, 1].max()])
    if not xs:
        return LAOS_CENTER, 4.6
    span = max(max(xs) - min(xs), (max(ys) - min(ys)) * 1.3, 0.05)
    zoom = float(np.clip(np.log2(360 / span) - 0.9, 3, 12))
    return {"lon": (min(xs) + max(xs)) / 2, "lat": (min(ys) + max(ys)) / 2}, zoom


def _flatten(coordinates) -> list:
    if isinstance(coordinates[0], (int, float)):
        return [coordinates]
    points = []
    for part in coordinates:
        points.extend(_flatten(part))
    return points


def indicator_choropleth(
    values: pd.DataFrame,
    units: pd.DataFrame,
    geojson: dict,
    indicator: dict,
    lang: str,
    map_style: str = "white-bg",
    height: int = 460,
) -> go.Figure:
    """Units coloured by class of the indicator value; units without data in grey, "no data".

    values: admin_code, value, numerator, denominator, period (from indicator_values).
    units: code, name_en, name_lo (every unit to draw, with or without data).
    indicator: catalogue row (name_en/lo, unit, direction, aggregation).
    """
    frame = units[["code", "name_en", "name_lo"]].merge(
        values.rename(columns={"admin_code": "code"})[["code", "value", "numerator", "denominator", "period"]],
        on="code", how="left",
    )
    edges = class_breaks(frame["value"])
    frame["class"] = classify(frame["value"], edges)
    n_classes = max(len(edges) - 1, 1)
    colours = _class_colours(n_classes, indicator.get("direction", "higher"))
    names_lo_en = [f"{row.name_lo} / {row.name_en}" for row in frame.itertuples()]
    value_text = [format_value(v, indicator["unit"], lang) for v in frame["value"]]
    detail = []
    for row in frame.itertuples():
        parts = []
        if indicator.get("aggregation") == "ratio" and not pd.isna(row.denominator):
            parts.append(f"{t('common.numerator', lang)}: {row.numerator:,.0f} / "
                         f"{t('common.denominator', lang)}: {row.denominator:,.0f}")
        parts.append(format_period(row.period, lang) if isinstance(row.period, str) else "")
        detail.append("<br>".join(part for part in parts if part))
    customdata = np.stack([frame["code"], names_lo_en, value_text, detail], axis=-1)
    hover = "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>%{customdata[3]}<extra></extra>"

    figure = go.Figure()
    missing = frame[frame["class"].isna()]
    figure.add_trace(
        go.Choroplethmap(
            geojson=geojson, featureidkey="id", locations=missing["code"],
            z=np.zeros(len(missing)), colorscale=[[0, NO_DATA], [1, NO_DATA]], showscale=False,
            marker=dict(line=dict(color="#999999", width=0.6), opacity=0.85),
            customdata=customdata[frame["class"].isna().to_numpy()], hovertemplate=hover,
            name=t("common.no_data", lang), showlegend=True,
        )
    )
    for index in range(n_classes):
        members = frame[frame["class"] == index]
        if members.empty:
            continue
        low, high = edges[index], edges[index + 1]
        label = f"{format_value(low, indicator['unit'], lang)} – {format_value(high, indicator['unit'], lang)}"
        figure.add_trace(
            go.Choroplethmap(
                geojson=geojson, featureidkey="id", locations=members["code"],
                z=np.full(len(members), index), colorscale=[[0, colours[index]], [1, colours[index]]],
                showscale=False, marker=dict(line=dict(color=OUTLINE, width=0.8), opacity=0.9),
                customdata=customdata[(frame["class"] == index).to_numpy()], hovertemplate=hover,
                name=label, showlegend=True,
            )
        )
    center, zoom = _view(geojson, frame["code"].tolist())
    figure.update_layout(
        template=TEMPLATE_NAME, height=height, margin=dict(l=0, r=0, t=30, b=0),
        map=dict(style=map_style, center=center, zoom=zoom),
        legend=dict(title=dict(text=localized(indicator, lang)), orientation="v", y=0.98, x=0.01,
                    bgcolor="rgba(255,255,255,0.85)"),
    )
    return figure
