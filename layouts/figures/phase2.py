"""Phase II targeting figures: the map of the selection and what each district's score is made of."""
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo.served import source_of
from i18n import format_number, localized, t
from layouts.figures.maps import LAOS_BOUNDS, LAOS_CENTER, LEGEND_HEIGHT, map_fit
from layouts.figures.theme import NO_DATA
from layouts.figures.trends import empty_figure

# The whole country in a map about 760 px wide (assets/js/map-fit.js zooms out on a narrower one).
LAOS_ZOOM = 5.15

# More need is redder: red means "worse" everywhere in the dashboard.
NEED_SCALE = [[0.0, "#fff5eb"], [0.35, "#fdd0a2"], [0.65, "#f16913"], [1.0, "#7f2704"]]
SELECTED_OUTLINE = "#111111"
PHASE1_OUTLINE = "#2166ac"
COMPONENT_COLOURS = {"stunting": "#b2182b", "poverty": "#8c6d31", "coverage": "#2c7fb8"}
TRANSPARENT = [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]]


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _component_value(row, component: str, lang: str) -> str:
    value = getattr(row, component)
    if _missing(value):
        return t("common.no_data", lang)
    text = f"{format_number(value, lang, 1)} %"
    level = getattr(row, f"{component}_level", None) if component != "coverage" else None
    if level == "province":
        text += " (" + t("phase2.province_estimate", lang) + ")"
    return text


def hover_parts(scored: pd.DataFrame, components: list[str], lang: str) -> dict[str, list[str]]:
    """Each district's hover in three parts, so that a moved weight resends only what it changes:
    text (name and province), customdata (rank and score, and how robust the selection is to the weights
    around the ones in force) and hovertext (each component's value and source level, then Phase I,
    partial score, why not scored; each line after a <br>)."""
    names, ranks, details = [], [], []
    for row in scored.itertuples():
        names.append(f"<b>{localized(row, lang)}</b> ({localized(row, lang, 'province_name')})")
        rank = (t("phase2.rank_score", lang, rank=int(row.rank), score=format_number(row.score, lang, 1))
                if not _missing(row.rank) else t("phase2.no_score", lang))
        share = getattr(row, "robust_share", None)
        if not _missing(share):
            rank += "<br>" + t("phase2.robust_hover", lang, share=format_number(share, lang, 0))
        ranks.append(rank)
        lines = [f"{t(f'phase2.component_{component}', lang)}: {_component_value(row, component, lang)}"
                 for component in components]
        if row.is_target:
            lines.append(t("phase2.phase1_district", lang))
        if getattr(row, "partial", False) and not _missing(row.score):
            lines.append(t("phase2.partial", lang))
        reason = getattr(row, "reason", None)
        if isinstance(reason, str):
            lines.append(t("phase2.not_scored", lang, why=t(f"phase2.not_scored_{reason}", lang)))
        details.append("".join("<br>" + line for line in lines))
    return {"text": names, "customdata": ranks, "hovertext": details}


HOVER_TEMPLATE = "%{text}<br>%{customdata}%{hovertext}<extra></extra>"
# What a weight leaves as it was: sent again only when it changed (hover_key).
STEADY_PARTS = ("text", "hovertext")


def hover_key(trace_values: list[dict]) -> str:
    """A short fingerprint of the parts of the hover a weight does not change, trace by trace."""
    import hashlib

    steady = [[trace.get(part) for part in STEADY_PARTS] for trace in trace_values]
    return hashlib.sha256(repr(steady).encode("utf-8")).hexdigest()[:16]


def map_trace_values(scored: pd.DataFrame, components: list[str], lang: str) -> list[dict]:
    """What changes between two states of the Phase II map, trace by trace (MAP_TRACES order).

    Each dict holds locations, z, the hover parts (hover_parts), name and showlegend: the callback
    patches these into the map already in the browser, so the boundaries are sent once, not on every
    move. Only the fills (no score, score) answer the mouse; the outlines above them let it through
    (hoverinfo "skip"), so their districts' hover comes from the fill and is sent once.
    """
    hover = hover_parts(scored, components, lang)
    unscored = scored["score"].isna().to_numpy()
    phase1 = scored["is_target"].to_numpy(dtype=bool)
    selected = scored["selected"].to_numpy(dtype=bool)

    def values(mask, z, name, legend, with_hover=True):
        parts = {part: [value for value, keep in zip(hover[part], mask) if keep] if with_hover else None
                 for part in ("text", "customdata", "hovertext")}
        return {"locations": list(scored.loc[mask, "district_code"]), "z": list(z), **parts,
                "name": name, "showlegend": bool(legend and mask.any())}

    def outline(colour, key, mask):
        # An outline has no fill for the legend to show: a coloured mark says which is which.
        return f'<span style="color:{colour}">▣</span> ' + t(key, lang, count=int(mask.sum()))

    return [
        values(unscored, np.zeros(int(unscored.sum())), t("phase2.no_score", lang), True),
        values(~unscored, scored.loc[~unscored, "score"].astype(float), t("phase2.legend_score", lang), False),
        values(phase1, np.zeros(int(phase1.sum())), outline(PHASE1_OUTLINE, "phase2.legend_phase1", phase1), True,
               with_hover=False),
        values(selected, np.zeros(int(selected.sum())), outline(SELECTED_OUTLINE, "phase2.legend_selected", selected),
               True, with_hover=False),
    ]


def phase2_map(scored: pd.DataFrame, geojson: dict, lang: str, components: list[str],
               map_style: str = "white-bg", height: int = 560) -> go.Figure:
    """Every district coloured by its score (redder = more need and gap), the selection outlined
    in black, Phase I target districts outlined in blue.

    Always four traces (no score, score, Phase I outline, selection outline; an empty one has no
    legend entry), so that map_trace_values can update it in place.
    scored: district_code, name_en, name_lo, province_name_en, province_name_lo, is_target,
    score, rank, partial, selected, and the component columns (stunting, stunting_level, ...).
    geojson: district FeatureCollection whose features' id is the district code.
    """
    if scored.empty:
        return empty_figure(t("common.no_data", lang), height)
    unscored, scores, phase1, selected = map_trace_values(scored, components, lang)
    common = dict(geojson=source_of(geojson), featureidkey="id", hovertemplate=HOVER_TEMPLATE)
    figure = go.Figure()
    figure.add_trace(go.Choroplethmap(**common, **unscored, colorscale=[[0, NO_DATA], [1, NO_DATA]], showscale=False,
                                      marker=dict(line=dict(color="#999999", width=0.5))))
    figure.add_trace(go.Choroplethmap(
        **common, **scores, zmin=0, zmax=100, colorscale=NEED_SCALE,
        marker=dict(line=dict(color="#888888", width=0.5), opacity=0.9),
        # Below the map and the outline legend above it: beside or on the map they took a phone's width.
        colorbar=dict(title=dict(text=t("phase2.legend_score", lang), side="top"), thickness=12, orientation="h",
                      x=0.0, xanchor="left", y=-0.02, yanchor="top", len=1.0)))
    for values, colour, width in ((phase1, PHASE1_OUTLINE, 2.0), (selected, SELECTED_OUTLINE, 3.0)):
        figure.add_trace(go.Choroplethmap(**common, **values, colorscale=TRANSPARENT, showscale=False,
                                          hoverinfo="skip", marker=dict(line=dict(color=colour, width=width))))
    figure.update_layout(
        height=height, margin=dict(l=0, r=0, t=10, b=LEGEND_HEIGHT),
        map=dict(style=map_style, center=LAOS_CENTER, zoom=LAOS_ZOOM),
        legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom"),
        meta={"fit": map_fit(LAOS_BOUNDS, LAOS_ZOOM)},
    )
    return figure


def score_breakdown_figure(scored: pd.DataFrame, components: list[str], lang: str, top_n: int = 20,
                           height: int | None = None) -> go.Figure:
    """The top-ranked districts as bars split into what each component adds to the score.

    scored: district_code, name_en, name_lo, rank, score, and part_<component> columns (the
    parts add up to the score). Bars run from the highest score at the top.
    """
    ranked = scored.dropna(subset=["rank"]).sort_values(["rank", "district_code"]).head(top_n)
    if ranked.empty:
        return empty_figure(t("phase2.no_score", lang), height or 300)
    labels = [f"{int(row.rank)}. {localized(row, lang)}" for row in ranked.itertuples()]
    figure = go.Figure()
    for component in components:
        column = f"part_{component}"
        if column not in ranked or ranked[column].isna().all():
            continue
        name = t(f"phase2.part_{component}", lang)
        hover = [f"<b>{label}</b><br>{name}: {format_number(part, lang, 1)}<br>"
                 + t("phase2.score_is", lang, score=format_number(score, lang, 1))
                 for label, part, score in zip(labels, ranked[column], ranked["score"])]
        figure.add_trace(go.Bar(y=labels, x=ranked[column], orientation="h", name=name,
                                marker_color=COMPONENT_COLOURS.get(component), customdata=hover,
                                hovertemplate="%{customdata}<extra></extra>"))
    figure.update_layout(barmode="stack", hovermode="closest",
                         height=height or 120 + 22 * len(ranked), margin=dict(l=160, r=20, t=40, b=40),
                         legend=dict(traceorder="normal"))
    figure.update_yaxes(type="category", categoryorder="array", categoryarray=labels[::-1])
    figure.update_xaxes(title_text=t("phase2.axis_score", lang), range=[0, 100])
    return figure


# Villages by how many of the five projects reach them: grey for none, then darker blue.
MIX_COLOURS = ["#bdbdbd", "#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]


def project_mix_figure(mix: pd.DataFrame, names: dict[str, str], lang: str, height: int | None = None) -> go.Figure:
    """Villages of each proposed district split by how many of the five projects reach them (0-5).

    mix: district_code, v0..v5, n_villages (selection_project_mix, in the order to show);
    names: district_code -> name. A district with no village known gets no bar and says so
    in its label, rather than a bar of zeros.
    """
    if mix.empty:
        return empty_figure(t("phase2.mix_none", lang), height or 260)
    labels = [names.get(code, code) + ("" if total else " — " + t("phase2.mix_no_villages", lang))
              for code, total in zip(mix["district_code"], mix["n_villages"])]
    figure = go.Figure()
    for k, colour in enumerate(MIX_COLOURS):
        column = f"v{k}"
        if column not in mix:
            continue
        name = t("phase2.mix_projects", lang, count=k)
        figure.add_trace(go.Bar(
            y=labels, x=mix[column], orientation="h", name=name, marker_color=colour,
            customdata=[[label, name] for label in labels],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}: %{x}<extra></extra>"))
    figure.update_layout(barmode="stack", height=height or 120 + 24 * len(mix),
                         margin=dict(l=200, r=20, t=30, b=40), legend=dict(orientation="h", y=1.08))
    figure.update_yaxes(type="category", categoryorder="array", categoryarray=labels[::-1])
    figure.update_xaxes(title_text=t("phase2.mix_axis", lang))
    return figure
