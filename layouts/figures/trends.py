"""Trend figures: survey rounds with confidence bands, compliance, CCT operations, the payment pipeline, program management."""
import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from i18n import format_day, format_number, format_period, format_value, localized, t
from layouts.figures.theme import (BETTER, NEUTRAL, SERIES_COLOURS, WORSE, empty_figure,  # noqa: F401 (re-exported)
                                   legend_above)

OVERALL_COLOUR = "#222222"
NATIONAL_COLOUR = "#7f7f7f"
PROVINCE_COLOUR = "#8c564b"
TARGET_AREA_COLOUR = "#b0b0b0"
TARGET_COLOUR = "#555555"
BAND_ALPHA = 0.18
# One colour per pipeline step, the same in every figure: the step that waits is the story.
STEP_COLOURS = {"approval": "#c0392b", "funds": "#e67e22", "cash_out": "#f1c40f"}
PAID_COLOUR = NEUTRAL
WAITING_COLOUR = WORSE
# Days verified -> paid: green up to a month, red from five months (DOMAIN: 30-150 days in 2022).
DELAY_SCALE = [[0.0, BETTER], [0.2, "#a9d18e"], [0.4, "#fddbc7"], [0.7, "#ef8a62"], [1.0, "#b2182b"]]
DELAY_SCALE_MAX = 150


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _rgba(hex_colour: str, alpha: float) -> str:
    hex_colour = hex_colour.lstrip("#")
    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red}, {green}, {blue}, {alpha})"




def _percent(value, lang: str) -> str:
    return format_value(value, "percent", lang)


# ------------------------------------------------------------------ surveys


def survey_trend_figure(series: pd.DataFrame, indicator: dict, lang: str, target: dict | None = None,
                        fallback_for: str | None = None, height: int = 380) -> go.Figure:
    """Survey estimates by round with a 95 % band (value ± 1.96 SE) for the chosen place.

    series (survey_trends): role ("scope" | "province" | "national" | "target_area"),
    admin_code, name_en, name_lo, level, period, year, value, std_error, low, high.
    The chosen place gets a band; its province and the nation are reference lines; the
    target-area provinces are thin lines, hidden until clicked unless the place is national.
    fallback_for: the district's name when the scope line is its province's estimate.
    target: {"value", "year"} end-of-project target at the shown scope, drawn as a marker.
    """
    if series.empty:
        return empty_figure(t("trends.no_survey", lang), height)
    figure = go.Figure()
    unit = indicator.get("unit", "percent") if indicator else "percent"
    scope = series[series["role"] == "scope"]
    scope_is_national = not scope.empty and scope["level"].iloc[0] == "national"
    if not scope.empty:
        name = localized(scope.iloc[0], lang)
        if fallback_for:
            name = t("trends.province_estimate_for", lang, province=name, district=fallback_for)
        band = scope.dropna(subset=["std_error"])
        if not band.empty:
            figure.add_trace(go.Scatter(x=band["year"], y=band["high"], mode="lines", line=dict(width=0),
                                        hoverinfo="skip", showlegend=False, legendgroup="scope"))
            figure.add_trace(go.Scatter(
                x=band["year"], y=band["low"], mode="lines", line=dict(width=0), fill="tonexty",
                fillcolor=_rgba(SERIES_COLOURS[0], BAND_ALPHA), hoverinfo="skip", legendgroup="scope",
                name=t("trends.band_95", lang)))
        line = _survey_line(scope, name, SERIES_COLOURS[0], unit, lang, width=3, group="scope")
        # Error bars too: a single round has no band to draw, but still has its interval.
        line.error_y = dict(type="data", symmetric=False, array=(scope["high"] - scope["value"]).tolist(),
                            arrayminus=(scope["value"] - scope["low"]).tolist(), color=SERIES_COLOURS[0],
                            thickness=1.2, width=5)
        figure.add_trace(line)
    for role, colour, dash in (("province", PROVINCE_COLOUR, "dash"), ("national", NATIONAL_COLOUR, "dot")):
        rows = series[series["role"] == role]
        if not rows.empty:
            figure.add_trace(_survey_line(rows, localized(rows.iloc[0], lang), colour, unit, lang, width=2,
                                          dash=dash, group=role))
    target_area = series[series["role"] == "target_area"]
    for index, (code, rows) in enumerate(target_area.groupby("admin_code", sort=True)):
        name = t("trends.target_area_province", lang, province=localized(rows.iloc[0], lang))
        trace = _survey_line(rows, name, TARGET_AREA_COLOUR, unit, lang, width=1.2, group="target_area")
        trace.visible = True if scope_is_national else "legendonly"
        figure.add_trace(trace)
    if target and not _missing(target.get("value")):
        label = t("trends.eop_target", lang, value=format_value(target["value"], unit, lang), year=target["year"])
        figure.add_trace(go.Scatter(
            x=[int(target["year"])], y=[target["value"]], mode="markers", name=label,
            marker=dict(symbol="star", size=14, color=TARGET_COLOUR), hovertemplate=label + "<extra></extra>"))
    figure.update_layout(height=height, hovermode="closest",
                         legend=legend_above(height))
    figure.update_xaxes(title_text=t("trends.axis_survey_year", lang), tickformat="d", dtick=1)
    figure.update_yaxes(title_text=localized(indicator, lang) if indicator else "", rangemode="tozero")
    return figure


def _survey_line(rows: pd.DataFrame, name: str, colour: str, unit: str, lang: str, width: float,
                 dash: str = "solid", group: str | None = None) -> go.Scatter:
    hover = []
    for row in rows.itertuples():
        parts = [f"<b>{name}</b>", f"{row.year}: {format_value(row.value, unit, lang)}"]
        if not _missing(row.std_error):
            parts.append(t("trends.ci_text", lang, low=format_number(row.low, lang, 1),
                           high=format_number(row.high, lang, 1), se=format_number(row.std_error, lang, 1)))
        parts.append(t(f"trends.estimate_level_{row.level}", lang))
        hover.append("<br>".join(parts))
    return go.Scatter(x=rows["year"], y=rows["value"], mode="lines+markers", name=name, legendgroup=group,
                      line=dict(color=colour, width=width, dash=dash), marker=dict(size=7, color=colour),
                      customdata=hover, hovertemplate="%{customdata}<extra></extra>")


# ------------------------------------------------------------------ compliance


def compliance_figure(series: pd.DataFrame, lang: str, target: dict | None = None, height: int = 380) -> go.Figure:
    """Monthly compliance, one line per condition and a thicker one for all conditions.

    series (compliance_trends): indicator_code, name_en, name_lo, period, period_start, value,
    numerator, denominator, n_units. The first indicator listed is "overall". Months without
    a report are gaps, not zeros. target: {"value", "year"} drawn as a dashed line.
    """
    if series.empty:
        return empty_figure(t("trends.no_compliance", lang), height)
    figure = go.Figure()
    codes = list(dict.fromkeys(series["indicator_code"]))
    for index, code in enumerate(codes):
        rows = series[series["indicator_code"] == code]
        overall = index == 0
        colour = OVERALL_COLOUR if overall else SERIES_COLOURS[(index - 1) % len(SERIES_COLOURS)]
        name = localized(rows.iloc[0], lang)
        hover = [
            "<br>".join([f"<b>{name}</b>", f"{format_period(row.period, lang)}: {_percent(row.value, lang)}",
                         t("trends.complied_of", lang, numerator=format_number(row.numerator, lang),
                           denominator=format_number(row.denominator, lang)),
                         t("trends.villages_reporting", lang, count=format_number(row.n_units, lang))])
            for row in rows.itertuples()
        ]
        figure.add_trace(go.Scatter(
            x=rows["period_start"], y=rows["value"], mode="lines", name=name, connectgaps=False,
            line=dict(color=colour, width=3.5 if overall else 1.8), customdata=hover,
            hovertemplate="%{customdata}<extra></extra>"))
    if target and not _missing(target.get("value")):
        # A legend entry rather than an annotation, which would sit on top of the lines.
        label = t("trends.eop_target", lang, value=_percent(target["value"], lang), year=target["year"])
        ends = [series["period_start"].min(), series["period_start"].max()]
        figure.add_trace(go.Scatter(x=ends, y=[target["value"]] * 2, mode="lines", name=label,
                                    line=dict(color=TARGET_COLOUR, dash="dash", width=1.5),
                                    hovertemplate=label + "<extra></extra>"))
    figure.update_layout(height=height, hovermode="closest",
                         legend=legend_above(height))
    figure.update_yaxes(title_text=t("trends.axis_percent_complied", lang), range=[0, 100])
    return figure


# ------------------------------------------------------------------ CCT operations


def operations_figure(series: pd.DataFrame, lang: str, height: int = 460) -> go.Figure:
    """Registrations and active beneficiaries (top), new registrations and beneficiaries paid per
    month (bottom). series (operations_trends): indicator_code, name_en, name_lo, period,
    period_start, value, n_units. Stocks are summed over the villages that reported that month."""
    if series.empty:
        return empty_figure(t("trends.no_operations", lang), height)
    styles = {"CCT_REGISTERED": (1, "line", SERIES_COLOURS[0]), "CCT_ACTIVE": (1, "line", SERIES_COLOURS[2]),
              "CCT_NEW_REG": (2, "bar", SERIES_COLOURS[1]), "CCT_PAID": (2, "bar", SERIES_COLOURS[4])}
    traces = []
    for code in dict.fromkeys(series["indicator_code"]):
        if code not in styles:
            continue
        row_index, kind, colour = styles[code]
        rows = series[series["indicator_code"] == code]
        name = localized(rows.iloc[0], lang)
        hover = ["<br>".join([f"<b>{name}</b>", f"{format_period(row.period, lang)}: {format_number(row.value, lang)}",
                              t("trends.villages_reporting", lang, count=format_number(row.n_units, lang))])
                 for row in rows.itertuples()]
        axes = {"xaxis": "x" if row_index == 1 else "x2", "yaxis": "y" if row_index == 1 else "y2"}
        common = dict(x=rows["period_start"], y=rows["value"], name=name, customdata=hover,
                      hovertemplate="%{customdata}<extra></extra>", **axes)
        if kind == "line":
            traces.append(dict(type="scatter", mode="lines", line=dict(color=colour, width=2.5), **common))
        else:
            traces.append(dict(type="bar", marker_color=colour, **common))
    # Two panels sharing the months (make_subplots' layout for rows=2, row_heights 0.6 / 0.4, spacing 0.08),
    # built in one go: make_subplots, add_trace and update_yaxes each validated the whole figure again.
    layout = dict(
        height=height, barmode="group", hovermode="closest", legend=legend_above(height),
        xaxis=dict(anchor="y", domain=[0.0, 1.0], matches="x2", showticklabels=False),
        xaxis2=dict(anchor="y2", domain=[0.0, 1.0]),
        yaxis=dict(anchor="x", domain=[0.448, 1.0], title=dict(text=t("trends.axis_beneficiaries", lang)),
                   rangemode="tozero"),
        yaxis2=dict(anchor="x2", domain=[0.0, 0.368], title=dict(text=t("trends.axis_per_month", lang)),
                    rangemode="tozero"),
    )
    return go.Figure(data=traces, layout=layout)


def payments_figure(payments: pd.DataFrame, lang: str, currency: str = "LAK", height: int = 340) -> go.Figure:
    """Beneficiaries paid and still waiting, per payment cycle (the month whose compliance is paid).

    payments (analytics.payments_by_cycle): period, n_cycles, n_paid, beneficiaries_paid,
    beneficiaries_waiting, amount_lak_paid, amount_usd_paid. currency: "LAK" or "USD" for
    the amounts in the hover.
    """
    if payments.empty:
        return empty_figure(t("trends.no_cycles", lang), height)
    amount_column = "amount_usd_paid" if currency == "USD" else "amount_lak_paid"
    x = [format_period(period, lang, short=True) for period in payments["period"]]
    paid_hover = [
        "<br>".join([f"<b>{t('trends.cycle_of', lang, period=format_period(row.period, lang))}</b>",
                     t("trends.paid_people", lang, count=format_number(row.beneficiaries_paid, lang)),
                     t("trends.amount_paid", lang, amount=format_value(getattr(row, amount_column), currency, lang)),
                     t("trends.districts_paid", lang, paid=format_number(row.n_paid, lang),
                       total=format_number(row.n_cycles, lang))])
        for row in payments.itertuples()
    ]
    waiting_hover = [
        "<br>".join([f"<b>{t('trends.cycle_of', lang, period=format_period(row.period, lang))}</b>",
                     t("trends.waiting_people", lang, count=format_number(row.beneficiaries_waiting, lang))])
        for row in payments.itertuples()
    ]
    figure = go.Figure()
    figure.add_trace(go.Bar(x=x, y=payments["beneficiaries_paid"], name=t("trends.legend_paid", lang),
                            marker_color=PAID_COLOUR, customdata=paid_hover,
                            hovertemplate="%{customdata}<extra></extra>"))
    figure.add_trace(go.Bar(x=x, y=payments["beneficiaries_waiting"], name=t("trends.legend_waiting", lang),
                            marker_color=WAITING_COLOUR, customdata=waiting_hover,
                            hovertemplate="%{customdata}<extra></extra>"))
    figure.update_layout(height=height, barmode="stack", hovermode="closest",
                         legend=legend_above(height, traceorder="normal"))
    figure.update_xaxes(title_text=t("trends.axis_cycle", lang), type="category")
    figure.update_yaxes(title_text=t("trends.axis_beneficiaries", lang), rangemode="tozero")
    return figure


# ------------------------------------------------------------------ payment pipeline


def _step_lines(row, lang: str) -> list[str]:
    """The steps of one cycle in words: what took how long, and what it still waits for."""
    lines = []
    for label_key, days in (("trends.step_approval", row.days_to_approval),
                            ("trends.step_funds", row.days_approval_to_funds),
                            ("trends.step_cash_out", row.days_funds_to_paid)):
        if not _missing(days):
            lines.append(f"{t(label_key, lang)}: {format_value(days, 'days', lang)}")
    if row.stage != "paid":
        lines.append("<b>" + t(f"trends.stage_{row.stage}", lang) + ": " +
                     format_value(row.days_waiting, "days", lang) + "</b>")
    return lines


def pipeline_heatmap(pipeline: pd.DataFrame, lang: str, height: int | None = None) -> go.Figure:
    """Districts x payment cycles, each cell the days from compliance verification to payment,
    or, for a cycle not yet paid, the days waited so far (marked "+").

    pipeline (analytics.pipeline_days): district_code, name_en, name_lo, period, stage,
    days_since_verified, days_to_approval, days_approval_to_funds, days_funds_to_paid,
    days_waiting, verified_on. Green is quick, red is months of waiting.
    """
    if pipeline.empty:
        return empty_figure(t("trends.no_cycles", lang), height or 300)
    districts = pipeline.drop_duplicates("district_code").sort_values("district_code", ascending=False)
    periods = sorted(pipeline["period"].unique())
    row_of = {code: index for index, code in enumerate(districts["district_code"])}
    column_of = {period: index for index, period in enumerate(periods)}
    z = np.full((len(districts), len(periods)), np.nan)
    labels = np.full(z.shape, "", dtype=object)
    hover = np.full(z.shape, "", dtype=object)
    for row in pipeline.itertuples():
        i, j = row_of[row.district_code], column_of[row.period]
        z[i, j] = row.days_since_verified
        still_open = row.stage != "paid"
        labels[i, j] = format_number(row.days_since_verified, lang) + ("+" if still_open else "")
        head = t("trends.cycle_in", lang, district=localized(row, lang), period=format_period(row.period, lang))
        total = (t("trends.waited_so_far", lang, days=format_number(row.days_since_verified, lang)) if still_open
                 else t("trends.verified_to_paid", lang, days=format_number(row.days_since_verified, lang)))
        hover[i, j] = "<br>".join([f"<b>{head}</b>", t("trends.verified_on", lang, day=format_day(
            row.verified_on.date(), lang)), total] + _step_lines(row, lang))
    figure = go.Figure(go.Heatmap(
        z=z, x=[format_period(period, lang, short=True) for period in periods],
        y=[localized(row, lang) for row in districts.itertuples()],
        text=labels, texttemplate="%{text}", textfont=dict(size=10),
        customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        colorscale=DELAY_SCALE, zmin=0, zmax=DELAY_SCALE_MAX, xgap=1, ygap=1,
        colorbar=dict(title=dict(text=t("unit.days", lang)), thickness=12),
    ))
    figure.update_layout(height=height or max(260, 90 + 26 * len(districts)),
                         margin=dict(l=110, r=20, t=20, b=60))
    figure.update_xaxes(title_text=t("trends.axis_cycle", lang), type="category", tickangle=-45)
    return figure


def pipeline_steps_figure(by_period: pd.DataFrame, lang: str, target_days: float | None = None,
                          height: int = 340) -> go.Figure:
    """Median days in each step per payment cycle: approval, funds transfer, cash-out (stacked).

    by_period (delay_statistics by period): period, n_cycles, n_paid,
    median_to_approval, median_approval_to_funds, median_funds_to_paid, median_days.
    target_days: the payment-delay target, a dashed line.
    """
    frame = by_period.dropna(subset=["median_to_approval"])
    if frame.empty:
        return empty_figure(t("trends.no_cycles", lang), height)
    x = [format_period(period, lang, short=True) for period in frame["period"]]
    figure = go.Figure()
    for column, step, key in (("median_to_approval", "approval", "trends.step_approval"),
                              ("median_approval_to_funds", "funds", "trends.step_funds"),
                              ("median_funds_to_paid", "cash_out", "trends.step_cash_out")):
        name = t(key, lang)
        hover = [f"<b>{t('trends.cycle_of', lang, period=format_period(row.period, lang))}</b><br>"
                 f"{name}: {format_value(getattr(row, column), 'days', lang)}<br>"
                 + t("trends.median_of_cycles", lang, count=format_number(row.n_cycles, lang))
                 for row in frame.itertuples()]
        figure.add_trace(go.Bar(x=x, y=frame[column], name=name, marker_color=STEP_COLOURS[step],
                                customdata=hover, hovertemplate="%{customdata}<extra></extra>"))
    if not _missing(target_days):
        label = t("trends.delay_target", lang, days=format_number(target_days, lang))
        figure.add_trace(go.Scatter(x=x, y=[target_days] * len(x), mode="lines", name=label,
                                    line=dict(color=TARGET_COLOUR, dash="dash", width=1.5),
                                    hovertemplate=label + "<extra></extra>"))
    figure.update_layout(height=height, barmode="stack", hovermode="closest",
                         legend=legend_above(height, traceorder="normal"))
    figure.update_xaxes(title_text=t("trends.axis_cycle", lang), type="category")
    figure.update_yaxes(title_text=t("trends.axis_median_days", lang), rangemode="tozero")
    return figure


def backlog_timeline(backlog: pd.DataFrame, as_of_date: dt.date, lang: str, height: int | None = None) -> go.Figure:
    """Every cycle still open on as_of_date as a bar from its verification to that day,
    split into the waits for approval, for the funds transfer and for cash-out.

    backlog (analytics.payment_backlog): district_code, name_en, name_lo, period,
    verified_on, approved_on, funds_sent_on, stage, days_since_verified, beneficiaries.
    No open cycle gives a chart saying so.
    """
    if backlog.empty:
        return empty_figure(t("trends.no_backlog", lang, day=format_day(as_of_date, lang)), height or 200)
    frame = backlog.sort_values("days_since_verified").reset_index(drop=True)
    limit = pd.Timestamp(as_of_date)
    labels = [t("trends.cycle_in", lang, district=localized(row, lang), period=format_period(row.period, lang, short=True))
              for row in frame.itertuples()]
    figure = go.Figure()
    steps = (
        ("approval", "verified_on", "approved_on", "trends.wait_approval"),
        ("funds", "approved_on", "funds_sent_on", "trends.wait_funds"),
        ("cash_out", "funds_sent_on", None, "trends.wait_cash_out"),
    )
    for step, start_column, end_column, key in steps:
        starts = frame[start_column]
        ends = frame[end_column].fillna(limit) if end_column else pd.Series(limit, index=frame.index)
        shown = starts.notna()
        if not shown.any():
            continue
        days = (ends[shown] - starts[shown]).dt.days
        hover = [
            "<br>".join([f"<b>{labels[i]}</b>", f"{t(key, lang)}: {format_value(d, 'days', lang)}",
                         t("trends.waited_so_far", lang, days=format_number(frame.loc[i, 'days_since_verified'], lang)),
                         t("trends.waiting_people", lang, count=format_number(frame.loc[i, 'beneficiaries'], lang))])
            for i, d in zip(frame.index[shown], days)
        ]
        figure.add_trace(go.Bar(
            y=[labels[i] for i in frame.index[shown]], x=days * 86_400_000, base=starts[shown],
            orientation="h", name=t(key, lang), marker_color=STEP_COLOURS[step],
            customdata=hover, hovertemplate="%{customdata}<extra></extra>"))
    figure.add_trace(go.Scatter(
        x=[limit] * len(frame), y=labels, mode="text", showlegend=False, hoverinfo="skip",
        text=[" " + format_value(days, "days", lang) for days in frame["days_since_verified"]],
        textposition="middle right", textfont=dict(size=11)))
    figure.add_vline(x=limit, line=dict(color=TARGET_COLOUR, dash="dot"))
    # Tick labels written by us: plotly's own month names would stay English in Lao.
    ticks = pd.date_range(frame["verified_on"].min(), limit, periods=6).normalize()
    figure.update_layout(barmode="overlay", hovermode="closest",
                         height=height or max(220, 110 + 24 * len(frame)), margin=dict(l=150, r=70, t=40, b=40),
                         legend=legend_above(height or max(220, 110 + 24 * len(frame))))
    figure.update_xaxes(type="date", title_text=t("trends.axis_date", lang), tickvals=list(ticks),
                        ticktext=[format_day(tick.date(), lang) for tick in ticks])
    figure.update_yaxes(type="category", categoryorder="array", categoryarray=labels)
    return figure


# ------------------------------------------------------------------ program management


def disbursement_figure(disbursement: pd.DataFrame, lang: str, currency: str = "USD", height: int = 340) -> go.Figure:
    """Planned and disbursed budget per quarter, with the disbursement rate on the bars.

    disbursement (management_trends): period, planned_usd, disbursed_usd, rate, lak_per_usd,
    planned_lak, disbursed_lak. currency "LAK" shows amounts at each quarter's mean rate.
    """
    if disbursement.empty:
        return empty_figure(t("trends.no_disbursement", lang), height)
    suffix = "lak" if currency == "LAK" else "usd"
    x = [format_period(period, lang) for period in disbursement["period"]]
    figure = go.Figure()
    for column, key, colour in ((f"planned_{suffix}", "trends.legend_planned", "#b7c9e2"),
                                (f"disbursed_{suffix}", "trends.legend_disbursed", NEUTRAL)):
        name = t(key, lang)
        hover = []
        for row in disbursement.itertuples():
            parts = [f"<b>{format_period(row.period, lang)}</b>", f"{name}: {format_value(getattr(row, column), currency, lang)}",
                     t("trends.disbursement_rate", lang, rate=_percent(row.rate, lang))]
            if currency == "LAK":
                parts.append(t("trends.exchange_rate", lang, rate=format_number(row.lak_per_usd, lang)))
            hover.append("<br>".join(parts))
        is_disbursed = column.startswith("disbursed")
        figure.add_trace(go.Bar(
            x=x, y=disbursement[column], name=name, marker_color=colour, customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            text=[format_number(rate, lang, 0) + " %" if not _missing(rate) else "" for rate in disbursement["rate"]]
            if is_disbursed else None,
            textposition="outside" if is_disbursed else None, textfont=dict(size=10)))
    figure.update_layout(height=height, barmode="group", hovermode="closest",
                         uniformtext=dict(minsize=9, mode="show"))
    figure.update_xaxes(type="category", tickangle=-45)
    figure.update_yaxes(title_text=t(f"unit.{currency}", lang), rangemode="tozero")
    return figure


def management_rates_figure(rates: pd.DataFrame, lang: str, scope_code: str | None = None,
                            height: int = 340) -> go.Figure:
    """PMT survey coverage (monthly), procurement on time and E&S compliance (quarterly), in %.

    rates (management_trends): indicator_code, name_en, name_lo, period, period_start, value,
    numerator, denominator, shown_code, shown_name_en, shown_name_lo. A line read at another
    place than scope_code (a province's or the nation's) names that place.
    """
    if rates.empty:
        return empty_figure(t("trends.no_management", lang), height)
    figure = go.Figure()
    for index, (code, rows) in enumerate(rates.groupby("indicator_code", sort=False)):
        first = rows.iloc[0]
        name = localized(first, lang)
        if first["shown_code"] != (scope_code or "00"):
            name = t("trends.read_at", lang, name=name, place=localized(first, lang, "shown_name"))
        hover = ["<br>".join([f"<b>{name}</b>", f"{format_period(row.period, lang)}: {_percent(row.value, lang)}",
                              f"{format_number(row.numerator, lang)} / {format_number(row.denominator, lang)}"])
                 for row in rows.itertuples()]
        quarterly = "-Q" in str(first["period"])
        figure.add_trace(go.Scatter(
            x=rows["period_start"], y=rows["value"], name=name, mode="lines+markers" if quarterly else "lines",
            line=dict(color=SERIES_COLOURS[(index + 2) % len(SERIES_COLOURS)], width=2,
                      shape="hv" if quarterly else "linear"),
            marker=dict(size=5), customdata=hover, hovertemplate="%{customdata}<extra></extra>"))
    figure.update_layout(height=height, hovermode="closest")
    figure.update_yaxes(title_text="%", range=[0, 105])
    return figure

