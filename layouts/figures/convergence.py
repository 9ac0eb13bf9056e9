"""Convergence figures: villages by number of projects reaching them, and the per-district summary."""
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo.served import source_of
from i18n import format_number, localized, localized_names, t
from layouts.figures.maps import discrete_colourscale, halo_spec, legend_colorbar, map_layout, place_names
from layouts.figures.theme import NEUTRAL, OUTLINE, WORSE_TO_BETTER

FOUR_PLUS_COLOUR = "#9ecae1"
TARGET_POINT_SIZE = 12
OTHER_POINT_SIZE = 8
DETAILED_HOVER_LIMIT = 3000


def project_count_colours(n_total: int) -> list[str]:
    """Colour for 0..n_total projects: red for none, through to blue for all of them."""
    return [WORSE_TO_BETTER[round(i * (len(WORSE_TO_BETTER) - 1) / max(n_total, 1))] for i in range(n_total + 1)]


def project_count_labels(n_total: int, lang: str) -> list[str]:
    """Legend text for 0..n_total projects ("none", "1 of 5", ..., "all 5")."""
    labels = [t("map.conv_none", lang)]
    labels += [t("map.conv_count", lang, n=n, total=n_total) for n in range(1, n_total)]
    labels.append(t("map.conv_all", lang, total=n_total))
    return labels


def _project_label(project, lang: str) -> str:
    # The program writes its own project's Lao abbreviation (ລພຊ); the partners keep their acronyms.
    if lang == "lo" and project.get("short_lo"):
        return project["short_lo"]
    return project["code"]


def _village_hover(record: dict, projects: list[dict], n_total: int, lang: str) -> list[str]:
    reached = [_project_label(p, lang) for p in projects if record.get(p["code"]) == 1]
    missing = [_project_label(p, lang) for p in projects if record.get(p["code"]) != 1]
    lines = [t("map.conv_hover_count", lang, n=int(record["n_projects"]), total=n_total)]
    if reached:
        lines.append(t("map.conv_hover_reached", lang, projects=", ".join(reached)))
    if missing:
        lines.append(t("map.conv_hover_missing", lang, projects=", ".join(missing)))
    lines.append(t("map.conv_target" if record.get("is_target") == 1 else "map.conv_not_target", lang))
    return [record["code"], place_names(record, lang), lines[0], "<br>".join(lines[1:])]


HOVER = "%{customdata[1]}<br><b>%{customdata[2]}</b><br>%{customdata[3]}<extra></extra>"


def convergence_map(
    villages: pd.DataFrame,
    projects: pd.DataFrame,
    lang: str,
    *,
    areas: pd.DataFrame | None = None,
    areas_geojson: dict | None = None,
    map_style: str = "white-bg",
    height: int = 600,
    context_layers: list[dict] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    uirevision: str | None = None,
) -> go.Figure:
    """Villages coloured by how many of the projects reach them (0..n), with a legend per count.

    villages: code, name_en, name_lo, lon, lat, is_target, n_projects, and one 0/1 column per
    project code (data_access.queries.convergence.village_reach). projects: code, name_en,
    name_lo, short_lo, in the program's order. areas (code, name_en, name_lo) with
    areas_geojson: places drawn under the points, transparent, so that a click on them drills down.
    Traces: the areas if given, then a dark halo, then the villages (always last).
    """
    project_rows = projects.to_dict("records")
    n_total = len(project_rows)
    placed = villages[villages["lon"].notna() & villages["lat"].notna()].reset_index(drop=True)
    # float32 keeps a metre or so (plotly sends typed arrays): half the bytes of float64.
    placed = placed.assign(lon=placed["lon"].astype("float32"), lat=placed["lat"].astype("float32"))
    colours = project_count_colours(n_total)
    counts = placed["n_projects"].astype(int).clip(0, n_total).to_numpy()
    if len(placed) <= DETAILED_HOVER_LIMIT:
        hover = dict(customdata=np.array([_village_hover(record, project_rows, n_total, lang)
                                          for record in placed.to_dict("records")], dtype=object).reshape(len(placed), 4),
                     hovertemplate=HOVER)
    else:
        # Thousands of villages (a national map): the hover gives name and count only, from
        # per-point values, to keep the response small; from province level down it also
        # says which projects are missing.
        hover = dict(text=localized_names(placed, lang),
                     hovertemplate="<b>%{text}</b><br>" + t("map.conv_hover_count", lang, n="%{marker.color}",
                                                            total=n_total) + "<extra></extra>")
    sizes = np.where(placed["is_target"] == 1, TARGET_POINT_SIZE, OTHER_POINT_SIZE)
    villages_trace = dict(
        type="scattermap", lon=placed["lon"], lat=placed["lat"], mode="markers",
        marker=dict(color=counts, cmin=-0.5, cmax=n_total + 0.5, colorscale=discrete_colourscale(colours),
                    size=sizes, opacity=1.0,
                    colorbar=legend_colorbar(t("map.conv_legend_title", lang), project_count_labels(n_total, lang))),
        name=t("map.conv_legend_title", lang), **hover,
    )
    traces = [halo_spec(placed["lon"], placed["lat"], sizes), villages_trace]
    if areas is not None and areas_geojson is not None and not areas.empty:
        # Under the points: transparent fills that catch clicks and hover with the place's name.
        counts_by_area = _village_counts(placed, areas, lang)
        traces.insert(0, dict(
            type="choroplethmap", geojson=source_of(areas_geojson), featureidkey="id", locations=areas["code"],
            z=np.zeros(len(areas)), colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
            marker=dict(line=dict(color=OUTLINE, width=0.8), opacity=1.0),
            customdata=np.array([[row["code"], place_names(row, lang), counts_by_area.get(row["code"], "")]
                                 for row in areas.to_dict("records")], dtype=object).reshape(len(areas), 3),
            hovertemplate="%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
            name="areas",
        ))
    if bounds is None and not placed.empty:
        bounds = (placed["lon"].min(), placed["lat"].min(), placed["lon"].max(), placed["lat"].max())
    # One construction (plotly draws traces in order: the areas, the halo, the villages on top): adding
    # traces one by one and reordering them validated the 8,500 points again each time.
    return go.Figure(data=traces, layout=map_layout(map_style=map_style, height=height, bounds=bounds,
                                                    layers=list(context_layers or []), uirevision=uirevision))


def _village_counts(villages: pd.DataFrame, areas: pd.DataFrame, lang: str) -> dict[str, str]:
    """Hover line per area: how many villages it has, and how many are in target districts."""
    if villages.empty:
        return {}
    length = len(str(areas["code"].iloc[0]))
    grouped = villages.assign(area=villages["code"].str[:length]).groupby("area").agg(
        villages=("code", "size"), target=("is_target", "sum"))
    return {code: t("map.conv_area_hover", lang, villages=format_number(row.villages, lang),
                    target=format_number(row.target, lang))
            for code, row in grouped.iterrows()}


def district_convergence_chart(summary: pd.DataFrame, n_projects: int, lang: str, height: int | None = None) -> go.Figure:
    """Per target district: share of its villages reached by all projects and by at least n-1.

    summary: district_code, name_en, name_lo, n_villages, n_all, n_four_plus, share_all,
    share_four_plus (data_access.queries.convergence.convergence_by_district, target districts).
    Bars sorted so that the district lagging most is at the top; labels give the counts.
    """
    frame = summary.sort_values(["share_four_plus", "share_all", "district_code"], ascending=[False, False, True])
    names = [localized(row, lang) for row in frame.to_dict("records")]
    four = n_projects - 1

    def texts(share_column: str, count_column: str) -> list[str]:
        return [t("map.conv_bar_text", lang, share=format_number(row[share_column], lang),
                  n=format_number(row[count_column], lang), villages=format_number(row["n_villages"], lang))
                for row in frame.to_dict("records")]

    figure = go.Figure()
    figure.add_trace(go.Bar(
        y=names, x=frame["share_four_plus"], orientation="h", name=t("map.conv_series_four", lang, four=four),
        marker_color=FOUR_PLUS_COLOUR, text=texts("share_four_plus", "n_four_plus"), textposition="outside",
        customdata=frame["district_code"], hovertemplate="%{y}: %{text}<extra>%{fullData.name}</extra>",
        cliponaxis=False,
    ))
    figure.add_trace(go.Bar(
        y=names, x=frame["share_all"], orientation="h", name=t("map.conv_series_all", lang, total=n_projects),
        marker_color=NEUTRAL, text=texts("share_all", "n_all"), textposition="outside",
        customdata=frame["district_code"], hovertemplate="%{y}: %{text}<extra>%{fullData.name}</extra>",
        cliponaxis=False,
    ))
    figure.update_layout(
        barmode="group", height=height or max(220, 70 + 46 * len(frame)),
        xaxis=dict(title=t("map.conv_axis", lang), range=[0, 118], ticksuffix=" %", tickvals=[0, 20, 40, 60, 80, 100]),
        yaxis=dict(automargin=True), margin=dict(l=10, r=10, t=40, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, traceorder="reversed"),
        bargap=0.25,
    )
    return figure
