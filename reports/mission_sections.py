"""The mission report's sections as HTML, built from mission_data.collect() with the pages' own builders."""
import base64
import math
from html import escape

import pandas as pd

from i18n import format_number, format_period, format_value, localized, t
from layouts.overview import headline_cards
from layouts.targets import grid_rows, projection_summary
from layouts.trends import backlog_table, pipeline_summary
from reports.context import place_name
from reports.static_html import render, text_of
from reports.tables import disbursement_table


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        not isinstance(value, (str, dict, list)) and bool(pd.isna(value)))


def table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None, css: str = "") -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="{"num" if index in numeric else ""}">{escape(str(cell))}</td>'
                         for index, cell in enumerate(row)) + "</tr>"
        for row in rows)
    return f'<table class="data {css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def image(png: bytes | None, alt: str) -> str:
    if not png:
        return f'<p class="muted">{escape(t("common.no_data", "en") if not alt else alt)}</p>'
    encoded = base64.b64encode(png).decode("ascii")
    return f'<img class="chart" alt="{escape(alt)}" src="data:image/png;base64,{encoded}">'


def cover(data: dict, lang: str, exported: str) -> str:
    place = place_name(data["place"], lang)
    period = t("report.period_range", lang, previous=format_period(data["previous"], lang),
               as_of=format_period(data["as_of"], lang))
    parts = [f'<section class="cover"><h1>{escape(t("report.title", lang))}</h1>',
             f'<p class="place">{escape(place)}</p><p class="period">{escape(period)}</p>']
    if data["is_demo"]:
        parts.append(f'<p class="demo">{escape(t("export.demo_text", lang))}</p>')
    parts.append(f'<h2>{escape(t("report.sources", lang))}</h2><ul>'
                 + "".join(f"<li>{escape(line)}</li>" for line in data["sources"]) + "</ul>")
    parts.append(f'<h2>{escape(t("export.note_completeness", lang))}</h2>' + completeness_summary(data, lang))
    parts.append(f'<p class="muted">{escape(t("report.generated", lang, time=exported))}</p></section>')
    return "".join(parts)


def completeness_summary(data: dict, lang: str) -> str:
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in completeness_lines(data, lang)) + "</ul>"


def completeness_lines(data: dict, lang: str) -> list[str]:
    """One sentence per indicator: villages reporting in the review month out of those expected."""
    lines = []
    for code, frame in data["completeness"].items():
        expected = int(frame["n_expected"].sum()) if not frame.empty else 0
        if not expected:
            lines.append(t("report.completeness_none", lang, indicator=_indicator_name(data, code, lang)))
            continue
        reporting = int(frame["n_reporting"].sum())
        lines.append(t("report.completeness_line", lang, indicator=_indicator_name(data, code, lang),
                       reporting=format_number(reporting, lang), expected=format_number(expected, lang),
                       share=format_number(100.0 * reporting / expected, lang, 0),
                       period=format_period(data["as_of"], lang)))
    return lines


def _indicator_name(data: dict, code: str, lang: str) -> str:
    frame = data["framework"]
    rows = frame[frame["indicator_code"] == code]
    if not rows.empty:
        return localized(rows.iloc[0].to_dict(), lang)
    series = data["compliance"]["series"]
    rows = series[series["indicator_code"] == code] if not series.empty else series
    return localized(rows.iloc[0].to_dict(), lang) if not rows.empty else code


def _signed(value: float, lang: str, decimals: int = 0, suffix: str = "") -> str:
    if _missing(value):
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + format_number(abs(value), lang, decimals) + suffix


def headline(data: dict, lang: str) -> str:
    """The Overview's cards as of the review month, and what changed since the previous review."""
    now, before = data["headline"], data["headline_previous"]
    place = place_name(data["place"], lang)
    cards = render(headline_cards(now, place, lang, data["as_of"]))
    points = " " + t("report.points", lang)
    rows = []

    def add(label: str, old, new, text, decimals: int = 0, suffix: str = ""):
        change = (new - old) if not (_missing(old) or _missing(new)) else None
        rows.append([label, text(old), text(new), _signed(change, lang, decimals, suffix)])

    add(t("overview.card_registered", lang), now_value(before["registered"]), now_value(now["registered"]),
        lambda v: format_number(v, lang))
    add(t("overview.card_compliance", lang), now_value(before["compliance"]), now_value(now["compliance"]),
        lambda v: format_value(v, "percent", lang), 1, points)
    latest_old, latest_new = before["stunting"]["latest"], now["stunting"]["latest"]
    add(t("overview.card_stunting", lang), latest_old["value"] if latest_old else None,
        latest_new["value"] if latest_new else None, lambda v: format_value(v, "percent", lang), 1, points)
    add(t("overview.card_convergence", lang), before["convergence"]["share"], now["convergence"]["share"],
        lambda v: format_value(v, "percent", lang), 1, points)
    # The Overview's one payment-delay definition (open and paid cycles): queries.payments.payment_delay.
    add(t("overview.card_delay", lang), before["payment_delay"]["delay_days"], now["payment_delay"]["delay_days"],
        lambda v: format_value(v, "days", lang))
    add(t("report.cycles_unpaid", lang), before["payment_delay"]["n_open"], now["payment_delay"]["n_open"],
        lambda v: format_number(v, lang))
    headers = [t("common.indicator", lang), format_period(data["previous"], lang), format_period(data["as_of"], lang),
               t("report.change", lang)]
    return (f'<section><h2>{escape(t("report.section_headline", lang))}</h2>{cards}'
            f'<h3>{escape(t("report.change_title", lang))}</h3>' + table(headers, rows, {1, 2, 3})
            + f'<p class="muted">{escape(t("report.change_note", lang))}</p></section>')


def now_value(value: dict) -> float | None:
    return None if not value or _missing(value.get("value")) else value["value"]


def framework(data: dict, lang: str) -> str:
    """The Targets page's grid rows (same texts), one table per project, with each projection sentence."""
    place = place_name(data["place"], lang)
    year = int(data["as_of"][:4])
    frame = data["framework"]
    headers = [t("targets.col_indicator", lang), t("targets.col_baseline", lang), t("targets.col_actual", lang),
               t("targets.col_period", lang), t("targets.col_year_target", lang, year=str(year)),
               t("targets.col_eop", lang), t("targets.col_progress", lang), t("targets.col_status", lang)]
    parts = [f'<section class="break"><h2>{escape(t("report.section_framework", lang))}</h2>']
    keys = frame["project_code"].fillna("").tolist()
    for key in dict.fromkeys(keys):
        rows = grid_rows(frame[frame["project_code"].fillna("") == key], place, lang)
        if not rows:
            continue
        parts.append(f"<h3>{escape(rows[0]['project'])}</h3>")
        parts.append(table(headers, [[row["indicator"], row["baseline_text"], row["actual_text"], row["period"],
                                      row["year_target_text"], row["eop_target_text"], row["progress_text"],
                                      row["status"]] for row in rows], {1, 2, 4, 5, 6}, "framework"))
        for result in data["projections"]:
            if (result["indicator"].get("project_code") or "") == key:
                sentences = " ".join(text_of(projection_summary(result, place, lang)))
                parts.append(f'<p class="projection"><b>{escape(localized(result["indicator"], lang))}:</b> '
                             f"{escape(sentences)}</p>")
    parts.append("</section>")
    return "".join(parts)


def charts(images: dict, lang: str, period: str = "") -> str:
    """The key map (the Overview's), then the key trends, each image with its title drawn in."""
    parts = [f'<section class="break"><h2>{escape(t("report.section_charts", lang))}</h2>']
    if "map" in images:
        parts.append(f'<div class="figure map">{image(images["map"], t("overview.map_title", lang, period=period))}'
                     f'<p class="muted">{escape(t("mission.map_note", lang))}</p></div>')
    for key in ("stunting", "compliance", "registrations"):
        if key in images:
            parts.append(f'<div class="figure">{image(images[key], t(f"report.chart_{key}", lang))}</div>')
    parts.append("</section>")
    return "".join(parts)


def pipeline(data: dict, images: dict, lang: str) -> str:
    """The Trends page's waiting facts and open-cycle table, and the delays of paid cycles per district."""
    result = data["pipeline"]
    parts = [f'<section class="break"><h2>{escape(t("report.section_pipeline", lang))}</h2>',
             render(pipeline_summary(result["overall"], result["backlog_by_district"], result["delay"],
                                     result["as_of_date"], data["as_of"], lang)),
             f'<h3>{escape(t("trends.backlog_card", lang))}</h3>']
    waiting = render(backlog_table(result["backlog"], lang, limit=20))
    parts.append(waiting or f'<p class="muted">{escape(t("report.nobody_waiting", lang))}</p>')
    by_district = result["by_district"]
    headers = [t("common.district", lang), t("report.col_paid_cycles", lang), t("report.col_median_days", lang),
               t("report.col_p90_days", lang), t("report.col_max_days", lang), t("report.col_open_cycles", lang),
               t("report.col_longest_open", lang)]
    rows = [[localized(row, lang), format_number(row["n_paid"], lang), _days(row["median_days"], lang),
             _days(row["p90_days"], lang), _days(row["max_days"], lang), format_number(row["n_open"], lang),
             _days(row.get("longest_open_days"), lang)] for row in by_district.to_dict("records")]
    parts.append(f'<h3>{escape(t("report.paid_delays", lang))}</h3>' + table(headers, rows, {1, 2, 3, 4, 5, 6}))
    if "steps" in images:
        parts.append(f'<div class="figure">{image(images["steps"], t("trends.steps_card", lang))}</div>')
    parts.append("</section>")
    return "".join(parts)


def _days(value, lang: str) -> str:
    return "–" if _missing(value) else format_value(value, "days", lang)


def budget(data: dict, images: dict, lang: str) -> str:
    frame, _columns = disbursement_table(data["management"], lang)
    headers = [t("export.col_quarter", lang), t("export.col_planned_usd", lang), t("export.col_disbursed_usd", lang),
               t("export.col_rate", lang), t("export.col_cum_planned_usd", lang), t("export.col_cum_disbursed_usd", lang)]
    recent = frame.tail(8)
    rows = [[row["quarter"], _money(row["planned_usd"], lang), _money(row["disbursed_usd"], lang),
             "–" if _missing(row["rate"]) else format_value(row["rate"], "percent", lang),
             _money(row["cum_planned_usd"], lang), _money(row["cum_disbursed_usd"], lang)]
            for row in recent.to_dict("records")]
    place = data["management"]["disbursement_place"]
    shown = t("common.national", lang) if place["code"] == "00" else (localized(place, lang) or place["code"])
    parts = [f'<section class="break"><h2>{escape(t("report.section_budget", lang))}</h2>',
             f'<p class="muted">{escape(t("trends.disbursement_note", lang, place=shown))}</p>',
             table(headers, rows, {1, 2, 3, 4, 5}) if rows else f'<p>{escape(t("common.no_data", lang))}</p>']
    if "budget" in images:
        parts.append(f'<div class="figure">{image(images["budget"], t("trends.disbursement_card", lang))}</div>')
    parts.append("</section>")
    return "".join(parts)


def _money(value, lang: str) -> str:
    return "–" if _missing(value) else format_number(value, lang)


def completeness(data: dict, lang: str, stale_flags_html: str) -> str:
    names = {row.code: localized(row, lang) for row in data["units"].itertuples()}
    codes = sorted({code for frame in data["completeness"].values() for code in frame["code"]})
    headers = [t("common.province", lang) if not data["scope"] else t("common.district", lang)]
    headers += [_indicator_name(data, code, lang) for code in data["completeness"]]
    rows = []
    for unit in codes:
        row = [names.get(unit, unit)]
        for frame in data["completeness"].values():
            match = frame[frame["code"] == unit]
            if match.empty or not int(match["n_expected"].iloc[0]):
                row.append("–")
                continue
            reporting, expected = int(match["n_reporting"].iloc[0]), int(match["n_expected"].iloc[0])
            row.append(t("report.reporting_cell", lang, reporting=format_number(reporting, lang),
                         expected=format_number(expected, lang),
                         share=format_number(100.0 * reporting / expected, lang, 0)))
        rows.append(row)
    return (f'<section class="break"><h2>{escape(t("report.section_completeness", lang))}</h2>'
            f'<p class="muted">{escape(t("report.completeness_note", lang))}</p>'
            + table(headers, rows, set(range(1, len(headers))))
            + f'<h3>{escape(t("report.stale_title", lang))}</h3>{stale_flags_html}</section>')
