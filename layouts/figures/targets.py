"""Progress against targets: bullet chart per indicator, actual vs target path, projection to closing."""
import datetime as dt
import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from i18n import format_day, format_number, format_period, format_value, localized, t
from layouts.figures.theme import BETTER, NEUTRAL, NO_DATA, WORSE, empty_figure, legend_above

# Red is "worse": off track is red, at risk amber, on track and met green.
AT_RISK = "#d68910"
MET = "#145a32"
# Past the target date: met on time as "met", met late in the on-track green (reached, but not
# by the date), not met in red.
STATUS_COLOURS = {"met": MET, "on_track": BETTER, "at_risk": AT_RISK, "off_track": WORSE,
                  "no_data": NO_DATA, "not_rated": NO_DATA,
                  "met_on_time": MET, "met_late": BETTER, "not_met": WORSE}
STATUS_ORDER = ("not_met", "off_track", "at_risk", "on_track", "met_late", "met", "met_on_time",
                "not_rated", "no_data")
FRAMEWORK_LEVELS = ("PDO", "intermediate", "context")
ACTUAL_COLOUR = NEUTRAL
TARGET_COLOUR = "#555555"
BAND_COLOUR = "rgba(44, 127, 184, 0.18)"
# Bars are clipped to this range so that one indicator far off its path does not squash the rest;
# the label still gives the true percentage.
PROGRESS_AXIS = (-20.0, 130.0)
EXPECTED_SYMBOL = dict(symbol="line-ns", size=22, line=dict(width=3, color="#222"))
# Plotly writes month names in English only: time axes are labelled by year (the same in Lao),
# and hover labels carry the localised month.
YEAR_TICKS = dict(dtick="M12", tickformat="%Y", ticklabelmode="period")
# Each indicator's name is written above its bar, across the chart's width, not left of it: a
# 460 px label margin left a phone no room for the bars. Pixels per indicator row, the label's
# characters per line, and how far above the bar's middle the label starts.
ROW_HEIGHT = 68
LABEL_CHARACTERS = 50
LABEL_LIFT = 14
LABEL_NAME = "indicator-label"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def status_text(status: str, target_level: str | None, lang: str, reason: str | None = None) -> str:
    """The word for a status; a scope whose targets are set elsewhere says where instead, and
    "not rated" says why when the reason is known (progress_table's reason column)."""
    if target_level in ("national", "province", "finer") and status != "no_data":
        return t(f"targets.targets_{target_level}_only", lang)
    if status == "not_rated" and reason in ("no_target", "no_year_target", "no_baseline"):
        return t(f"targets.status_not_rated_{reason}", lang)
    if status == "no_data" and reason == "since_baseline":
        return t("targets.status_no_data_since_baseline", lang)
    return t(f"targets.status_{status}", lang)


def status_label(row, lang: str) -> str:
    """status_text with what the status rests on, for a table cell: "Met late (March 2025)",
    "Not met by the target date (82.0 % then)", "At risk (projection falls short)"."""
    status, level = row.get("status"), row.get("target_level")
    if level == "own" or level is None:
        if status == "met_late" and isinstance(row.get("met_period"), str):
            return t("targets.status_met_late_when", lang, period=format_period(row["met_period"], lang))
        if status == "not_met":
            if _missing(row.get("deadline_value")):
                return t("targets.status_not_met_no_report", lang)
            return t("targets.status_not_met_then", lang,
                     value=format_value(row["deadline_value"], row.get("unit") or "", lang))
        if status == "at_risk" and row.get("reason") == "projection_short":
            return t("targets.status_at_risk_projection", lang)
    return status_text(status, level, lang, row.get("reason"))


def framework_level_text(level: str | None, lang: str, short: bool = False) -> str:
    """"Project development objective (PDO)", or "PDO" when short (table cells)."""
    key = level if level in FRAMEWORK_LEVELS else "other"
    return t(f"targets.level_{'short_' if short else ''}{key}", lang)


def actual_period_text(row, lang: str) -> str:
    """The period a latest actual describes; for yearly-target counts the months summed."""
    last = row.get("actual_period")
    if _missing(last) or not last:
        return ""
    first = row.get("actual_first_period")
    if row.get("flow") and isinstance(first, str) and first != last:
        return t("targets.period_span", lang, first=format_period(first, lang, short=True),
                 last=format_period(last, lang, short=True))
    return format_period(last, lang)


def percent_text(value, lang: str) -> str:
    if _missing(value):
        return t("common.no_data", lang)
    return format_number(value, lang, 0) + " %"


def _wrap(text: str, width: int = 42) -> str:
    # Lao writes words without spaces between them: break only at spaces, never inside a word.
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _empty(message: str, height: int = 320) -> go.Figure:
    return empty_figure(message, height)


def project_title(row: dict, lang: str) -> str:
    """"RRPM – Reducing Rural ..." for a row of progress_table; indicators of no project are "context"."""
    code = row.get("project_code")
    if _missing(code) or not code:
        return t("targets.context_group", lang)
    name = row.get("project_name_lo") if lang == "lo" else row.get("project_name_en")
    return f"{code} – {name}" if isinstance(name, str) and name else code


def progress_chart(rows: pd.DataFrame, lang: str) -> go.Figure:
    """A bullet chart: one panel per project, one bar per indicator grouped by results-framework level.

    The bar is progress (% of the way from baseline to target) coloured by status, the black
    tick is where the target path stands at the same date, the dashed line is the target.
    rows (from progress_table, in framework order): project_code, project_name_en/lo,
    framework_level, name_en, name_lo, progress, expected, status, target_level, unit, actual,
    actual_period, actual_first_period, flow, eop_target, year_target.
    Indicators without a progress figure get a label instead of a bar.
    """
    if rows.empty:
        return _empty(t("targets.no_indicators", lang), height=160)
    records = rows.to_dict("records")
    projects = list(dict.fromkeys("" if _missing(row["project_code"]) else row["project_code"] for row in records))
    panels = [[row for row in records if ("" if _missing(row["project_code"]) else row["project_code"]) == code]
              for code in projects]
    figure = make_subplots(
        rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=min(0.3 / len(panels), 0.12) if len(panels) > 1 else 0,
        row_heights=[len(panel) for panel in panels],
        # Wrapped: a project's full name is wider than a phone.
        subplot_titles=[_wrap(project_title(panel[0], lang), 44) for panel in panels],
    )
    low, high = PROGRESS_AXIS
    statuses_drawn = set()
    any_expected = False
    # Collected and added once: plotly validates and copies the whole layout on every add_annotation,
    # add_vline and add_trace, which made this chart cost a third of a second.
    traces, trace_rows, labels, shapes = [], [], [], []
    for number, panel in enumerate(panels, start=1):
        axis = "" if number == 1 else str(number)
        y = [[_wrap(framework_level_text(row["framework_level"], lang), 20) for row in panel],
             [_wrap(localized(row, lang), 40) for row in panel]]
        progress = [None if _missing(row["progress"]) else float(row["progress"]) for row in panel]
        shown = [None if value is None else min(max(value, low), high) for value in progress]
        hover = [_progress_hover(row, lang) for row in panel]
        for index, row in enumerate(panel):
            level = framework_level_text(row["framework_level"], lang, short=True)
            labels.append(dict(
                name=LABEL_NAME, text=_wrap(f"{localized(row, lang)} · {level}", LABEL_CHARACTERS),
                x=0, xref=f"x{axis} domain", xanchor="left", align="left",
                y=index, yref=f"y{axis}", yanchor="bottom", yshift=LABEL_LIFT,
                showarrow=False, font=dict(size=12, color="#222")))
        panel_traces = [go.Bar(
            x=[100.0] * len(panel), y=y, orientation="h", marker_color="#eeeeee", hoverinfo="skip",
            showlegend=False, name="scale", width=0.42,
        ), go.Bar(
            x=shown, y=y, orientation="h", name=t("targets.chart_progress", lang),
            marker_color=[STATUS_COLOURS.get(row["status"], NO_DATA) for row in panel],
            text=["" if value is None else percent_text(value, lang) for value in progress],
            # A bar cut at the edge of the axis carries its true value inside it.
            textposition=["inside" if value is not None and not low <= value <= high else "outside" for value in progress],
            insidetextanchor="middle", cliponaxis=False, customdata=hover, width=0.28,
            hovertemplate="%{customdata}<extra></extra>", showlegend=False,
        )]
        expected = [None if _missing(row["expected"]) else min(max(row["expected"], low), high) for row in panel]
        panel_traces.append(go.Scatter(
            x=expected, y=y, mode="markers", name=t("targets.chart_expected", lang), showlegend=False,
            marker=dict(symbol=EXPECTED_SYMBOL["symbol"], size=EXPECTED_SYMBOL["size"], line=EXPECTED_SYMBOL["line"]),
            customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        ))
        any_expected = any_expected or any(value is not None for value in expected)
        unrated = [i for i, value in enumerate(shown) if value is None]
        if unrated:
            panel_traces.append(go.Scatter(
                x=[0.0] * len(unrated), y=[[y[0][i] for i in unrated], [y[1][i] for i in unrated]], mode="text",
                text=["  " + status_text(panel[i]["status"], panel[i]["target_level"], lang, panel[i].get("reason")) for i in unrated],
                textposition="middle right", textfont=dict(color="#6c757d"), showlegend=False,
                name=t("targets.chart_unrated", lang), customdata=[hover[i] for i in unrated],
                hovertemplate="%{customdata}<extra></extra>",
            ))
        traces.extend(panel_traces)
        trace_rows.extend([number] * len(panel_traces))
        statuses_drawn |= {row["status"] for row, value in zip(panel, shown) if value is not None}
        for x, line in ((100, dict(color=TARGET_COLOUR, dash="dash", width=1.5)), (0, dict(color="#999", width=1))):
            shapes.append(dict(type="line", x0=x, x1=x, xref=f"x{axis}", y0=0, y1=1, yref=f"y{axis} domain", line=line))
        # Reversed (first indicator on top), with room above the first bar for its label.
        figure.update_yaxes(range=[len(panel) - 0.5, -0.95], showticklabels=False, automargin=False, row=number, col=1)
    if any_expected:
        traces.append(go.Scatter(x=[None], y=[None], mode="markers", name=t("targets.chart_expected", lang),
                                 marker=EXPECTED_SYMBOL, hoverinfo="skip"))
        trace_rows.append(1)
    for status in STATUS_ORDER:
        if status in statuses_drawn:
            traces.append(go.Scatter(
                x=[None], y=[None], mode="markers", name=t(f"targets.status_{status}", lang),
                marker=dict(symbol="square", size=12, color=STATUS_COLOURS[status]), hoverinfo="skip",
            ))
            trace_rows.append(1)
    figure.add_traces(traces, rows=trace_rows, cols=[1] * len(traces))
    titles = []
    for annotation in figure.layout.annotations:  # the panels' titles, from make_subplots
        title = annotation.to_plotly_json()
        titles.append(title | dict(x=0, xanchor="left", align="left", font=dict(size=14, color="#222"),
                                   text=f"<b>{title.get('text', '')}</b>"))
    figure.layout.annotations = titles + labels
    figure.layout.shapes = shapes
    figure.update_xaxes(range=[low - 5, high + 12], ticksuffix=" %", zeroline=False, showticklabels=True)
    figure.update_xaxes(title=t("targets.chart_progress_axis", lang), row=len(panels), col=1)
    figure.update_layout(
        barmode="overlay", height=130 + ROW_HEIGHT * len(records) + 70 * len(panels),
        margin=dict(l=10, r=10, t=40, b=60),
        # Above the first panel's title (which sits just above y = 1); plotly grows the top margin to fit it.
        legend=legend_above(y=1.0 + 64 / (ROW_HEIGHT * len(records) + 70 * len(panels)), traceorder="normal"),
    )
    return figure


def _progress_hover(row: dict, lang: str) -> str:
    lines = [f"<b>{localized(row, lang)}</b>"]
    if not _missing(row.get("actual")):
        lines.append(t("targets.hover_actual", lang, value=format_value(row["actual"], row["unit"], lang),
                       period=actual_period_text(row, lang)))
    if row.get("flow") and not _missing(row.get("year_target")):
        lines.append(t("targets.hover_year_target", lang, value=format_value(row["year_target"], row["unit"], lang)))
    elif not _missing(row.get("eop_target")):
        lines.append(t("targets.hover_eop", lang, value=format_value(row["eop_target"], row["unit"], lang)))
    if not _missing(row.get("progress")):
        lines.append(t("targets.hover_progress", lang, progress=percent_text(row["progress"], lang),
                       expected=percent_text(row.get("expected"), lang)))
    lines.append(status_text(row["status"], row.get("target_level"), lang, row.get("reason")))
    return "<br>".join(lines)


def _unit_axis_title(indicator: dict, lang: str) -> str:
    unit = indicator.get("unit")
    key = f"unit.{unit}"
    return t(key, lang) if unit else ""


def actual_vs_target_chart(series: pd.DataFrame, path: pd.DataFrame, annual: pd.DataFrame, indicator: dict,
                           lang: str, as_of_day: dt.date | None = None, baseline: dict | None = None,
                           eop: dict | None = None) -> go.Figure:
    """Reported values over time next to the target path.

    series: period, period_middle (the day the value describes: a survey of 2022 is drawn in the
    middle of 2022), value, std_error (surveys: drawn as a 95 % interval). path: date, value (corners of the target path: baseline, annual targets,
    end-of-project target). annual: year, date, value. baseline / eop: {value, year, date} or None.
    indicator: catalogue row (name_en/lo, unit, aggregation).
    """
    unit = indicator.get("unit", "")
    reported = series[series["value"].notna()] if not series.empty else series
    if reported.empty and path.empty:
        return _empty(t("common.no_data", lang))
    figure = go.Figure()
    if not path.empty:
        figure.add_trace(go.Scatter(
            x=list(path["date"]), y=list(path["value"]), mode="lines", name=t("targets.chart_target_path", lang),
            line=dict(color=TARGET_COLOUR, dash="dash", width=2),
            customdata=[format_value(v, unit, lang) for v in path["value"]],
            hovertemplate=t("targets.chart_target_path", lang) + ": %{customdata}<extra></extra>",
        ))
    if not annual.empty:
        figure.add_trace(go.Scatter(
            x=list(annual["date"]), y=list(annual["value"]), mode="markers", name=t("targets.chart_annual_target", lang),
            marker=dict(symbol="diamond-open", size=11, color=TARGET_COLOUR, line=dict(width=2)),
            customdata=[[str(year), format_value(v, unit, lang)] for year, v in zip(annual["year"], annual["value"])],
            hovertemplate=t("targets.chart_annual_target", lang) + " %{customdata[0]}: %{customdata[1]}<extra></extra>",
        ))
    if eop:
        figure.add_trace(go.Scatter(
            x=[eop["date"]], y=[eop["value"]], mode="markers", name=t("targets.chart_eop", lang),
            marker=dict(symbol="star", size=15, color=TARGET_COLOUR),
            customdata=[format_value(eop["value"], unit, lang)],
            hovertemplate=t("targets.chart_eop", lang) + ": %{customdata}<extra></extra>",
        ))
    if baseline:
        figure.add_trace(go.Scatter(
            x=[baseline["date"]], y=[baseline["value"]], mode="markers", name=t("common.baseline", lang),
            marker=dict(symbol="circle-open", size=11, color=TARGET_COLOUR, line=dict(width=2)),
            customdata=[[str(baseline["year"]), format_value(baseline["value"], unit, lang)]],
            hovertemplate=t("common.baseline", lang) + " %{customdata[0]}: %{customdata[1]}<extra></extra>",
        ))
    if not reported.empty:
        is_survey = indicator.get("aggregation") == "survey"
        error = None
        if is_survey and "std_error" in reported and reported["std_error"].notna().any():
            error = dict(type="data", array=list(1.96 * reported["std_error"].fillna(0)), color=ACTUAL_COLOUR, width=4)
        figure.add_trace(go.Scatter(
            x=list(reported["period_middle"]), y=list(reported["value"]), name=t("targets.chart_actual", lang),
            mode="markers" if is_survey or len(reported) < 3 else "lines+markers",
            line=dict(color=ACTUAL_COLOUR, width=2.5), marker=dict(size=8 if is_survey else 4, color=ACTUAL_COLOUR),
            error_y=error,
            customdata=[[format_period(p, lang), format_value(v, unit, lang)]
                        for p, v in zip(reported["period"], reported["value"])],
            hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
        ))
    if as_of_day:
        _as_of_line(figure, as_of_day, lang)
    figure.update_layout(height=380, margin=dict(l=60, r=20, t=50, b=40), hovermode="closest",
                         xaxis=YEAR_TICKS, yaxis=dict(title=_unit_axis_title(indicator, lang), rangemode="tozero"))
    return figure


def _as_of_line(figure: go.Figure, day: dt.date, lang: str) -> None:
    figure.add_shape(type="line", x0=day, x1=day, y0=0, y1=1, yref="paper",
                     line=dict(color="#888", width=1, dash="dot"))
    figure.add_annotation(x=day, y=1, yref="paper", text=t("targets.chart_as_of", lang), showarrow=False,
                          xanchor="right", yanchor="top", xshift=-4, font=dict(size=11, color="#666"))


def yearly_totals_chart(yearly: pd.DataFrame, annual: pd.DataFrame, indicator: dict, lang: str) -> go.Figure:
    """Counts with yearly targets (sessions held): the total of each year next to its target.

    yearly: year, value, last_period (the last month counted: a year in progress is partial).
    annual: year, date, value (yearly targets).
    """
    if yearly.empty and annual.empty:
        return _empty(t("common.no_data", lang))
    unit = indicator.get("unit", "")
    figure = go.Figure()
    if not yearly.empty:
        labels = [t("targets.year_to", lang, year=str(year), period=format_period(last, lang, short=True))
                  if not str(last).endswith("-12") else str(year)
                  for year, last in zip(yearly["year"], yearly["last_period"])]
        figure.add_trace(go.Bar(
            x=[str(year) for year in yearly["year"]], y=list(yearly["value"]), name=t("targets.chart_actual", lang),
            marker_color=ACTUAL_COLOUR,
            customdata=[[label, format_value(v, unit, lang)] for label, v in zip(labels, yearly["value"])],
            hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
        ))
    if not annual.empty:
        figure.add_trace(go.Scatter(
            x=[str(year) for year in annual["year"]], y=list(annual["value"]), mode="markers",
            name=t("targets.chart_annual_target", lang),
            marker=dict(symbol="line-ew", size=34, line=dict(width=3, color=TARGET_COLOUR)),
            customdata=[[str(year), format_value(v, unit, lang)] for year, v in zip(annual["year"], annual["value"])],
            hovertemplate=t("targets.chart_annual_target", lang) + " %{customdata[0]}: %{customdata[1]}<extra></extra>",
        ))
    figure.update_layout(height=380, margin=dict(l=60, r=20, t=50, b=40),
                         xaxis=dict(type="category", title=t("targets.chart_year", lang)),
                         yaxis=dict(title=_unit_axis_title(indicator, lang), rangemode="tozero"))
    return figure


def projection_chart(series: pd.DataFrame, band: pd.DataFrame, indicator: dict, lang: str,
                     closing_date: dt.date | None, eop_target: float | None = None,
                     at_closing: tuple[dt.date, float] | None = None) -> go.Figure:
    """A cumulative indicator, its projection to the closing date with a 95 % band, and the target.

    series: period_end, period, value (reports up to the as-of month; a stock counts at the end
    of its month). band: period_end, period, centre, low, high (the projection from the as-of month to closing;
    empty when nothing is projected). eop_target: the end-of-project target at this scope, or
    None (no line is drawn). at_closing: (date, value) of the actual at closing, shown when the
    as-of month is past closing.
    """
    reported = series[series["value"].notna()] if not series.empty else series
    if reported.empty:
        return _empty(t("common.no_data", lang))
    unit = indicator.get("unit", "")
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        x=list(reported["period_end"]), y=list(reported["value"]), mode="lines", name=t("targets.chart_actual", lang),
        line=dict(color=ACTUAL_COLOUR, width=2.5),
        customdata=[[format_period(p, lang), format_value(v, unit, lang)]
                    for p, v in zip(reported["period"], reported["value"])],
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
    ))
    if not band.empty:
        range_name = t("targets.chart_band", lang)
        figure.add_trace(go.Scatter(
            x=list(band["period_end"]), y=list(band["high"]), mode="lines", line=dict(width=0),
            name=range_name, showlegend=False, hoverinfo="skip",
        ))
        figure.add_trace(go.Scatter(
            x=list(band["period_end"]), y=list(band["low"]), mode="lines", line=dict(width=0),
            fill="tonexty", fillcolor=BAND_COLOUR, name=range_name, hoverinfo="skip",
        ))
        figure.add_trace(go.Scatter(
            x=list(band["period_end"]), y=list(band["centre"]), mode="lines", name=t("targets.chart_projection", lang),
            line=dict(color=ACTUAL_COLOUR, dash="dash", width=2),
            customdata=[[format_period(p, lang), format_value(c, unit, lang), format_value(lo, unit, lang),
                         format_value(hi, unit, lang)]
                        for p, c, lo, hi in zip(band["period"], band["centre"], band["low"], band["high"])],
            hovertemplate=t("targets.hover_projection", lang, period="%{customdata[0]}", value="%{customdata[1]}",
                            low="%{customdata[2]}", high="%{customdata[3]}") + "<extra></extra>",
        ))
    if at_closing:
        figure.add_trace(go.Scatter(
            x=[at_closing[0]], y=[at_closing[1]], mode="markers", name=t("targets.chart_at_closing", lang),
            marker=dict(symbol="circle", size=12, color=ACTUAL_COLOUR, line=dict(width=2, color="#fff")),
            customdata=[format_value(at_closing[1], unit, lang)],
            hovertemplate=t("targets.chart_at_closing", lang) + ": %{customdata}<extra></extra>",
        ))
    if eop_target is not None:
        start = reported["period_end"].iloc[0]
        end = closing_date or (band["period_end"].iloc[-1] if not band.empty else reported["period_end"].iloc[-1])
        figure.add_trace(go.Scatter(
            x=[start, end], y=[eop_target, eop_target], mode="lines", name=t("targets.chart_eop", lang),
            line=dict(color=TARGET_COLOUR, dash="dot", width=2),
            customdata=[format_value(eop_target, unit, lang)] * 2,
            hovertemplate=t("targets.chart_eop", lang) + ": %{customdata}<extra></extra>",
        ))
    if closing_date:
        figure.add_shape(type="line", x0=closing_date, x1=closing_date, y0=0, y1=1, yref="paper",
                         line=dict(color="#888", width=1, dash="dot"))
        figure.add_annotation(x=closing_date, y=0, yref="paper", showarrow=False, xanchor="right", yanchor="bottom",
                              text=t("targets.chart_closing", lang, date=format_day(closing_date, lang)),
                              xshift=-4, font=dict(size=11, color="#666"))
    figure.update_layout(height=400, margin=dict(l=60, r=20, t=50, b=40), hovermode="closest",
                         legend=legend_above(traceorder="normal"), xaxis=YEAR_TICKS,
                         yaxis=dict(title=_unit_axis_title(indicator, lang), rangemode="tozero"))
    return figure

