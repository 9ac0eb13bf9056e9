"""Indicator maps over our own boundaries: stable classes, red = worse, missing hatched grey."""
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo.levels import bounds as geojson_bounds
from geo.levels import hatch_geojson
from geo.served import source_of
from i18n import catalog, format_number, format_period, format_value, localized, t
from layouts.carried import CARRIED_COLUMNS, carried_note
from layouts.figures.payment_delay import PAY_DELAY_PARTS, delay_parts
from layouts.figures.theme import NO_DATA, OUTLINE, WORSE_TO_BETTER

LAOS_CENTER = {"lon": 103.8, "lat": 18.2}
LAOS_BOUNDS = (100.08, 13.91, 107.64, 22.5)
HATCH_COLOUR = "#8c8c8c"
HATCH_LAYER = "no-data-hatching"
NEUTRAL_SEQUENCE = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"]
N_QUANTILE_CLASSES = 5
# Room under a map for its legend (title, colour bands, labels); plotly adds more if labels tilt.
LEGEND_HEIGHT = 70

# Fixed breaks, chosen per kind of indicator so that a colour means the same thing on every
# map, at every level and in every month.
# Percentages: 0-100 with finer classes where program values live (coverage and compliance
# are judged in tens above 60 %); anything under 40 % is plainly poor.
PERCENT_BREAKS = (0.0, 40.0, 60.0, 70.0, 80.0, 90.0, 100.0)
# Days of delay: months waited, the way the program talks about payment delays.
DAYS_BREAKS = (0.0, 30.0, 60.0, 90.0, 120.0, math.inf)
# Prevalence thresholds of WHO/UNICEF (de Onis et al. 2019); for stunting the top class
# starts at 40 %, the program's own targeting threshold for provinces.
INDICATOR_BREAKS = {
    "STUNTING": (0.0, 10.0, 20.0, 30.0, 40.0, 100.0),
    "WASTING": (0.0, 2.5, 5.0, 10.0, 15.0, 100.0),
    "UNDERWEIGHT": (0.0, 10.0, 20.0, 30.0, 100.0),
}


@dataclass(frozen=True)
class ClassScheme:
    """Class edges for one indicator (n classes -> n + 1 edges; the last may be +inf).

    method: "fixed" (breaks chosen for the indicator) | "quantile" (of the national
    reference values at the map's level) | "categories" (few distinct values, one class each).
    """

    edges: tuple[float, ...]
    method: str
    direction: str
    unit: str
    categories: tuple[float, ...] = ()

    @property
    def n_classes(self) -> int:
        return len(self.categories) if self.categories else max(len(self.edges) - 1, 0)


def _nice(value: float) -> float:
    """Round to two significant digits so that legend edges read as plain numbers."""
    if value == 0 or not math.isfinite(value):
        return value
    magnitude = 10 ** (math.floor(math.log10(abs(value))) - 1)
    return round(value / magnitude) * magnitude


def class_scheme(indicator: dict, reference: pd.Series | None = None) -> ClassScheme:
    """The classes for an indicator.

    Fixed breaks for percentages, days and survey prevalences (so maps of different months,
    provinces and levels compare); otherwise quantiles of `reference`, the values of every
    unit of the map's level in the whole country, so classes do not jump when drilling down.
    """
    direction = indicator.get("direction") or "higher"
    unit = indicator.get("unit") or ""
    code = indicator.get("code")
    if code in INDICATOR_BREAKS:
        return ClassScheme(INDICATOR_BREAKS[code], "fixed", direction, unit)
    if unit == "percent":
        edges = PERCENT_BREAKS
        if indicator.get("max_value") is None or indicator["max_value"] > 100:
            edges = edges[:-1] + (math.inf,)
        return ClassScheme(edges, "fixed", direction, unit)
    if unit == "days":
        return ClassScheme(DAYS_BREAKS, "fixed", direction, unit)
    clean = pd.to_numeric(reference if reference is not None else pd.Series(dtype=float), errors="coerce").dropna()
    distinct = np.unique(clean.to_numpy())
    if 0 < len(distinct) <= N_QUANTILE_CLASSES:
        return ClassScheme((), "categories", direction, unit, tuple(float(v) for v in distinct))
    if clean.empty:
        return ClassScheme((), "quantile", direction, unit)
    quantiles = np.quantile(clean, np.linspace(0, 1, N_QUANTILE_CLASSES + 1))
    inner = sorted({_nice(float(q)) for q in quantiles[1:-1]} - {_nice(float(quantiles[0]))})
    inner = [edge for edge in inner if quantiles[0] < edge <= quantiles[-1]]
    edges = (float(quantiles[0]), *inner, float(quantiles[-1]))
    if len(edges) == 2 and edges[0] == edges[1]:
        edges = (edges[0], edges[0] + 1.0)
    return ClassScheme(tuple(edges), "quantile", direction, unit)


def classify(values: pd.Series, scheme: ClassScheme) -> pd.Series:
    """Class index 0..n-1 per value (0 = lowest values); missing stays NaN, never a class.

    Values beyond the outer edges fall in the first / last class.
    """
    numeric = pd.to_numeric(values, errors="coerce")
    if scheme.n_classes == 0:
        return pd.Series(np.nan, index=values.index)
    if scheme.categories:
        points = np.asarray(scheme.categories)
        inner = (points[1:] + points[:-1]) / 2
    else:
        inner = np.asarray(scheme.edges[1:-1])
    classes = np.searchsorted(inner, numeric.to_numpy(dtype=float), side="right").astype(float)
    classes[numeric.isna().to_numpy()] = np.nan
    return pd.Series(classes, index=values.index)


def class_colours(scheme: ClassScheme) -> list[str]:
    """One colour per class, class 0 first. Red marks the worse end whatever the direction."""
    n = scheme.n_classes
    if n == 0:
        return []
    if scheme.direction == "neutral":
        palette = NEUTRAL_SEQUENCE
        return [palette[round(i * (len(palette) - 1) / max(n - 1, 1))] for i in range(n)]
    worse_to_better = [WORSE_TO_BETTER[round(i * (len(WORSE_TO_BETTER) - 1) / max(n - 1, 1))] for i in range(n)]
    # Class 0 holds the lowest values: worst when higher is better, best when lower is better.
    return worse_to_better if scheme.direction != "lower" else worse_to_better[::-1]


def _edge_text(value: float, lang: str) -> str:
    decimals = 1 if not float(value).is_integer() else 0
    return format_number(value, lang, decimals)


def class_labels(scheme: ClassScheme, lang: str) -> list[str]:
    """Legend text per class in the reader's language ("60–70 %", "90 days or more")."""
    suffix = {"percent": " %", "days": " " + t("unit.days", lang)}.get(scheme.unit, "")
    if scheme.categories:
        return [_edge_text(value, lang) + suffix for value in scheme.categories]
    labels = []
    for low, high in zip(scheme.edges[:-1], scheme.edges[1:]):
        if math.isinf(high):
            labels.append(t("map.class_at_least", lang, low=_edge_text(low, lang) + suffix))
        else:
            labels.append(f"{_edge_text(low, lang)}–{_edge_text(high, lang)}{suffix}")
    return labels


def discrete_colourscale(colours: list[str]) -> list[list]:
    """Colour bands of equal height for z = 0..len-1 (plotly interpolates otherwise)."""
    n = len(colours)
    scale = []
    for index, colour in enumerate(colours):
        scale.append([index / n, colour])
        scale.append([(index + 1) / n, colour])
    return scale


def legend_colorbar(title: str, labels: list[str]) -> dict:
    return dict(
        title=dict(text=title, side="top"), tickmode="array", tickvals=list(range(len(labels))),
        # Below the map, across its width: on a phone a legend beside the map left it a third of
        # the screen, and a legend on top of the map hides places. Plotly grows the bottom margin
        # to fit it and tilts the labels when they would overlap.
        ticktext=labels, orientation="h", x=0.0, xanchor="left", y=-0.02, yanchor="top", len=1.0,
        thickness=14, outlinewidth=0, ticks="", tickfont=dict(size=12),
    )


def unit_title(unit: str, lang: str) -> str:
    """Short legend title naming what the colours measure ("Percent", "Number of people")."""
    if unit in ("percent", "days"):
        return t(f"map.unit_{unit}", lang)
    if f"unit.{unit}" in catalog():
        return t("map.legend_count", lang, unit=t(f"unit.{unit}", lang))
    return t("map.legend_value", lang)


def place_names(row, lang: str) -> str:
    first = localized(row, lang)
    other = row.get("name_en") if lang == "lo" else row.get("name_lo")
    return f"<b>{first}</b>" + (f"<br>{other}" if other and other != first else "")


def _hover_details(row, indicator: dict, lang: str, unit_word: str | None) -> str:
    parts = []
    aggregation = indicator.get("aggregation")
    numerator, denominator = row.get("numerator"), row.get("denominator")
    if aggregation == "ratio" and not _missing(denominator):
        parts.append(t("map.hover_ratio", lang, numerator=format_number(numerator, lang),
                       denominator=format_number(denominator, lang)))
    std_error = row.get("std_error")
    if aggregation == "survey" and not _missing(std_error) and not _missing(row.get("value")):
        parts.append(t("map.hover_ci", lang, low=format_number(row["value"] - 1.96 * std_error, lang, 1),
                       high=format_number(row["value"] + 1.96 * std_error, lang, 1)))
    period = row.get("period")
    if isinstance(period, str) and period:
        key = "map.hover_survey_round" if aggregation == "survey" else "map.hover_period"
        parts.append(t(key, lang, period=format_period(period, lang)))
    if "n_open" in row and not _missing(row.get("value")) and isinstance(period, str):
        # Payment delay: the figure includes cycles still waiting; name both parts.
        summary = {key: (None if _missing(row.get(key)) else row.get(key)) for key in PAY_DELAY_PARTS}
        parts.extend(delay_parts(summary, period, lang))
    n_reporting, n_expected = row.get("n_reporting"), row.get("n_expected")
    if unit_word and not _missing(n_expected) and n_expected > 0:
        parts.append(t("map.hover_reporting", lang, reporting=format_number(0 if _missing(n_reporting) else n_reporting, lang),
                       expected=format_number(n_expected, lang), units=unit_word))
    note = carried_note(row, lang)
    if note:
        parts.append(note)
    return "<br>".join(parts)


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))


def _join(values: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    value_columns = [column for column in ("value", "numerator", "denominator", "std_error", "period",
                                           "n_reporting", "n_expected", "n_units", *CARRIED_COLUMNS,
                                           *PAY_DELAY_PARTS)
                     if column in values.columns]
    right = values.rename(columns={"admin_code": "code"})[["code", *value_columns]]
    frame = units.merge(right, on="code", how="left")
    for column in ("value", "numerator", "denominator", "std_error", "period", "n_reporting", "n_expected"):
        if column not in frame.columns:
            frame[column] = np.nan
    return frame


def _hover_rows(frame: pd.DataFrame, indicator: dict, lang: str, unit_word: str | None) -> np.ndarray:
    rows = []
    for record in frame.to_dict("records"):
        rows.append([record["code"], place_names(record, lang),
                     f"{localized(indicator, lang)}: <b>{format_value(record['value'], indicator['unit'], lang)}</b>",
                     _hover_details(record, indicator, lang, unit_word)])
    return np.array(rows, dtype=object).reshape(len(rows), 4)


HOVER = "%{customdata[1]}<br>%{customdata[2]}<br>%{customdata[3]}<extra></extra>"
# Places drawn as areas: their names in `text` (they stay when a month or an indicator changes, so a
# Patch leaves them out), the code, value line and details in customdata.
AREA_HOVER = "%{text}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>"


def outline_layer(geojson: dict, colour: str = OUTLINE, width: float = 1.0) -> dict:
    """A context layer drawing the features' outlines (our own boundaries, no tiles needed)."""
    return dict(sourcetype="geojson", source=source_of(geojson), type="line", color=colour, line=dict(width=width))


def fill_layer(geojson: dict, colour: str, opacity: float = 0.25) -> dict:
    """A context layer shading the features (e.g. the district whose villages are shown)."""
    return dict(sourcetype="geojson", source=source_of(geojson), type="fill", color=colour, opacity=opacity,
                below="traces")


def map_view(bounds: tuple[float, float, float, float] | None, height: int, width: int = 760) -> tuple[dict, float]:
    """Centre and zoom that fit the bounds in a map of about width x height pixels."""
    if bounds is None:
        bounds = LAOS_BOUNDS
    min_lon, min_lat, max_lon, max_lat = bounds
    span_lon = max(max_lon - min_lon, 0.02)
    mercator = [math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) for lat in (min_lat, max_lat)]
    span_y = max(mercator[1] - mercator[0], 0.0004)
    zoom_lon = math.log2(width * 360 / (512 * span_lon))
    zoom_lat = math.log2(height * 2 * math.pi / (512 * span_y))
    zoom = float(np.clip(min(zoom_lon, zoom_lat) - 0.1, 3, 13))
    return {"lon": (min_lon + max_lon) / 2, "lat": (min_lat + max_lat) / 2}, zoom


def map_fit(bounds, zoom: float) -> dict:
    """What assets/js/map-fit.js needs to zoom out a map drawn narrower than `map_view` assumed
    (a phone): the bounds to fit and the zoom the server chose (a different zoom is the user's)."""
    return {"bounds": [float(value) for value in (bounds or LAOS_BOUNDS)], "zoom": zoom}


def map_layout(*, map_style: str, height: int, bounds, layers: list, uirevision) -> dict:
    """The layout every map figure has, as a dict for go.Figure(data, layout) (one construction)."""
    center, zoom = map_view(bounds, height - LEGEND_HEIGHT)
    return dict(
        height=height, margin=dict(l=0, r=0, t=0, b=LEGEND_HEIGHT),
        map=dict(style=map_style, center=center, zoom=zoom, layers=layers, uirevision=uirevision),
        uirevision=uirevision, showlegend=False, clickmode="event", meta={"fit": map_fit(bounds, zoom)},
    )


def apply_map_layout(figure: go.Figure, *, map_style: str, height: int, bounds, layers: list, uirevision) -> None:
    figure.update_layout(**map_layout(map_style=map_style, height=height, bounds=bounds, layers=layers,
                                      uirevision=uirevision))


def indicator_choropleth(
    values: pd.DataFrame,
    units: pd.DataFrame,
    geojson: dict,
    indicator: dict,
    lang: str,
    map_style: str = "white-bg",
    height: int = 460,
    *,
    scheme: ClassScheme | None = None,
    context_layers: list[dict] | None = None,
    unit_word: str | None = None,
    uirevision: str | None = None,
) -> go.Figure:
    """Units coloured by the indicator's class; units without data grey, hatched, "no data".

    values: admin_code, value, numerator, denominator, period (from indicator_values), and
    optionally std_error, n_reporting, n_expected, n_units and the carried columns of a
    stock (shown in the hover).
    units: code, name_en, name_lo (every unit to draw, with or without data).
    geojson: features with id = code. indicator: catalogue row (code, name_en/lo, unit,
    direction, aggregation, max_value). scheme: classes (default: class_scheme over `values`).
    unit_word: what reports are counted in ("villages"), for the completeness line.
    One trace: z = class + 1, z = 0 for "no data", so a new month or indicator over the
    same places changes only z, customdata, colour scale and legend (Patch-friendly).
    """
    frame = _join(values, units)
    scheme = scheme or class_scheme(indicator, values["value"] if "value" in values else None)
    classes = classify(frame["value"], scheme)
    colours = [NO_DATA, *class_colours(scheme)]
    labels = [t("common.no_data", lang), *class_labels(scheme, lang)]
    z = (classes + 1).fillna(0).to_numpy()
    missing_codes = frame.loc[classes.isna(), "code"].tolist()
    figure = go.Figure(
        go.Choroplethmap(
            geojson=source_of(geojson), featureidkey="id", locations=frame["code"], z=z,
            zmin=-0.5, zmax=len(colours) - 0.5, colorscale=discrete_colourscale(colours),
            colorbar=legend_colorbar(unit_title(indicator["unit"], lang), labels),
            marker=dict(line=dict(color=OUTLINE, width=0.8), opacity=0.9),
            text=[place_names(record, lang) for record in frame[["name_en", "name_lo"]].to_dict("records")],
            customdata=_hover_rows(frame, indicator, lang, unit_word)[:, [0, 2, 3]], hovertemplate=AREA_HOVER,
            name=localized(indicator, lang),
        )
    )
    view_bounds = geojson_bounds(geojson, frame["code"].tolist())
    layers = list(context_layers or [])
    layers.append(hatch_layer(geojson, missing_codes, view_bounds))
    apply_map_layout(figure, map_style=map_style, height=height, bounds=view_bounds, layers=layers, uirevision=uirevision)
    return figure


def hatch_layer(geojson: dict, codes: list[str], view_bounds) -> dict:
    """Hatching over the "no data" places: about 90 lines across the map's width."""
    span = (view_bounds[2] - view_bounds[0]) if view_bounds else 7.5
    return outline_layer(hatch_geojson(geojson, codes, spacing=max(span / 90, 0.002)), HATCH_COLOUR, 0.8) | {
        "name": HATCH_LAYER}


def village_points(
    values: pd.DataFrame,
    villages: pd.DataFrame,
    indicator: dict,
    lang: str,
    *,
    scheme: ClassScheme,
    map_style: str = "white-bg",
    height: int = 600,
    context_layers: list[dict] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    uirevision: str | None = None,
) -> go.Figure:
    """Villages as points coloured by class; villages without data small and grey ("no data").

    Trace 0 is a dark halo under the points, trace 1 the villages.

    values: admin_code, value, numerator, denominator, period. villages: code, name_en,
    name_lo, lon, lat (villages without coordinates are left out: they cannot be placed).
    """
    frame = _join(values, villages)
    frame = frame[frame["lon"].notna() & frame["lat"].notna()].reset_index(drop=True)
    # float32 keeps a metre or so (plotly sends typed arrays): half the bytes of float64.
    frame = frame.assign(lon=frame["lon"].astype("float32"), lat=frame["lat"].astype("float32"))
    classes = classify(frame["value"], scheme)
    colours = [NO_DATA, *class_colours(scheme)]
    labels = [t("common.no_data", lang), *class_labels(scheme, lang)]
    z = (classes + 1).fillna(0).to_numpy()
    sizes = np.where(classes.isna(), 8, 12)
    figure = go.Figure([
        halo_trace(frame["lon"], frame["lat"], sizes),
        go.Scattermap(
            lon=frame["lon"], lat=frame["lat"], mode="markers",
            marker=dict(color=z, cmin=-0.5, cmax=len(colours) - 0.5, colorscale=discrete_colourscale(colours),
                        size=sizes, opacity=1.0,
                        colorbar=legend_colorbar(unit_title(indicator["unit"], lang), labels)),
            customdata=_hover_rows(frame, indicator, lang, None), hovertemplate=HOVER,
            name=localized(indicator, lang),
        ),
    ])
    if bounds is None and not frame.empty:
        bounds = (frame["lon"].min(), frame["lat"].min(), frame["lon"].max(), frame["lat"].max())
    apply_map_layout(figure, map_style=map_style, height=height, bounds=bounds, layers=list(context_layers or []),
            uirevision=uirevision)
    return figure


def halo_trace(lon, lat, sizes) -> go.Scattermap:
    """Dark discs under the points: MapLibre circles have no outline, and pale classes vanish on white."""
    return go.Scattermap(halo_spec(lon, lat, sizes))


def halo_spec(lon, lat, sizes) -> dict:
    """halo_trace as a dict (for a figure built in one construction)."""
    return dict(type="scattermap", lon=lon, lat=lat, mode="markers", hoverinfo="skip", showlegend=False,
                marker=dict(color=OUTLINE, size=np.asarray(sizes) + 3, opacity=0.9), name="halo")


def patch_parts(figure: go.Figure) -> dict:
    """What changes when the same places get new values: per trace, and the map layers.

    Returns {"traces": [{property: value}], "layers": {index: layer}} (only the layers that
    depend on the values: the "no data" hatching); a callback copies these into a dash
    Patch so that geometry and context outlines are not sent again (VERIFIED.md).
    """
    traces = []
    for trace in figure.data:
        parts = {"customdata": trace.customdata, "hovertemplate": trace.hovertemplate, "name": trace.name}
        if isinstance(trace, go.Choroplethmap):
            # The places' names (text) are the same for another month or indicator over the same places.
            parts |= {"z": trace.z, "zmin": trace.zmin, "zmax": trace.zmax, "colorscale": trace.colorscale,
                      "colorbar": trace.colorbar.to_plotly_json()}
        else:
            parts |= {"text": trace.text, "marker": trace.marker.to_plotly_json()}
        traces.append(parts)
    layers = {index: layer.to_plotly_json() for index, layer in enumerate(figure.layout.map.layers)
              if layer.name == HATCH_LAYER}
    return {"traces": traces, "layers": layers}
