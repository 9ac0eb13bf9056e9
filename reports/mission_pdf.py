"""The mission report as PDF: the sections' HTML set in A4 by WeasyPrint (Pango shapes Lao), charts drawn by kaleido."""
import datetime as dt
import threading
from collections.abc import Callable
from html import escape
from pathlib import Path

from geo.levels import layer_geojson
from i18n import format_period, localized, t
from layouts.districts import stale_flags
from layouts.figures.maps import indicator_choropleth
from layouts.figures.targets import projection_chart
from layouts.figures.trends import compliance_figure, disbursement_figure, pipeline_steps_figure, survey_trend_figure
from reports import mission_sections as sections
from reports.mission_actions import section as actions_section
from reports.mission_phase2 import section as phase2_section
from reports.context import place_name
from reports.exports import LAO_TIME
from reports.images import ImageContext, figure_images
from reports.mission_alerts import section as alerts_section
from reports.mission_data import PROJECTION_INDICATOR
from reports.static_html import render

REPO = Path(__file__).resolve().parents[1]
FONT_DIR = REPO / "assets" / "fonts"
STYLESHEET = Path(__file__).with_name("mission.css")
CHART_WIDTH = 1000
MAP_HEIGHT = 560
_pdf_ready = threading.Event()


def map_figure(data: dict, lang: str):
    """The Overview's map for the scope (same query, boundaries and builder as callbacks/overview.py)."""
    result, scope = data["map"], data["scope"]
    geojson = layer_geojson("district", "province" if scope else "national", scope[:2] if scope else None)
    return indicator_choropleth(result["values"], result["units"], geojson, result["indicator"], lang,
                                height=MAP_HEIGHT)


def chart_figures(data: dict, lang: str) -> dict:
    """name -> (the page's figure, its title): the same builders and inputs the pages use."""
    figures = {}
    if data.get("map") is not None:
        figures["map"] = (map_figure(data, lang),
                          t("overview.map_title", lang, period=format_period(data["as_of"], lang)))
    stunting = data["stunting"]
    if stunting["indicator"] is not None:
        fallback_for = localized(stunting["requested"], lang) if stunting["fallback"] else None
        figures["stunting"] = (survey_trend_figure(stunting["series"], stunting["indicator"], lang,
                                                   stunting["target"], fallback_for),
                               t("report.chart_stunting", lang))
    compliance = data["compliance"]
    figures["compliance"] = (compliance_figure(compliance["series"], lang, compliance["target"]),
                             t("report.chart_compliance", lang))
    for result in data["projections"]:
        if result["indicator"]["code"] != PROJECTION_INDICATOR or result["projection"]["state"] == "no_data":
            continue
        at_closing = (result["closing_date"], result["projection"]["value"]) \
            if result["projection"]["state"] == "closed" else None
        figures["registrations"] = (projection_chart(result["series"], result["band"], result["indicator"], lang,
                                                     result["closing_date"],
                                                     result["eop"]["value"] if result["eop"] else None, at_closing),
                                    t("report.chart_registrations", lang))
    pipeline = data["pipeline"]
    figures["steps"] = (pipeline_steps_figure(pipeline["by_period"], lang, pipeline["target_days"]),
                        t("trends.steps_card", lang))
    figures["budget"] = (disbursement_figure(data["management"]["disbursement"], lang, "USD"),
                         t("trends.disbursement_card", lang))
    return figures


def chart_images(data: dict, lang: str, source: str) -> dict[str, bytes]:
    place = place_name(data["place"], lang)
    period = format_period(data["as_of"], lang)
    figures = chart_figures(data, lang)
    items = [(figure, ImageContext(title=title, place=place, period=period, source=source, is_demo=data["is_demo"],
                                   lang=lang)) for figure, title in figures.values()]
    # One batch: Chromium draws them while this process goes on (the workbook), two at a time.
    return dict(zip(figures, figure_images(items, "png", width=CHART_WIDTH, scale=1.3)))


def report_html(data: dict, lang: str, images: dict[str, bytes], exported_at: dt.datetime | None = None) -> str:
    moment = (exported_at or dt.datetime.now(dt.timezone.utc)).astimezone(LAO_TIME)
    exported = moment.strftime("%Y-%m-%d %H:%M") + " " + t("export.lao_time", lang)
    place = place_name(data["place"], lang)
    header = t("report.running_header", lang, place=place, period=format_period(data["as_of"], lang))
    demo = t("shell.demo_badge", lang) if data["is_demo"] else ""
    body = "".join([
        sections.cover(data, lang, exported),
        alerts_section(data, lang),
        sections.headline(data, lang),
        sections.framework(data, lang),
        sections.charts(images, lang, format_period(data["as_of"], lang)),
        sections.pipeline(data, images, lang),
        sections.budget(data, images, lang),
        sections.completeness(data, lang, render(stale_flags(data["comparison"], lang))),
        phase2_section(data["phase2"], lang),
        actions_section(data["actions"], lang),
    ])
    css = STYLESHEET.read_text(encoding="utf-8").replace("FONT_DIR", FONT_DIR.as_uri())
    css = css.replace("RUNNING_HEADER", _css_string(header)).replace("DEMO_LABEL", _css_string(demo)) \
        .replace("EXPORTED_AT", _css_string(exported))
    # Without the charset WeasyPrint reads the page as Latin-1 and Lao turns to mojibake (VERIFIED.md).
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(t('report.title', lang))} – {escape(place)}</title><style>{css}</style></head>"
            f"<body>{body}</body></html>")


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pdf_bytes(html_text: str) -> bytes:
    _pdf_ready.wait(timeout=120)  # the warm-up, if one runs, finishes first: one WeasyPrint at a time
    from weasyprint import HTML

    return HTML(string=html_text, base_url=str(REPO)).write_pdf()


def warm_up_pdf() -> threading.Thread:
    """Import WeasyPrint and set a line of Lao with the report's fonts in the background: the first
    document of a process pays seconds for the import and for fontconfig, here while the data is read."""
    _pdf_ready.clear()

    def start():
        try:
            from weasyprint import HTML

            css = STYLESHEET.read_text(encoding="utf-8").replace("FONT_DIR", FONT_DIR.as_uri())
            css = css.replace("RUNNING_HEADER", '""').replace("DEMO_LABEL", '""').replace("EXPORTED_AT", '""')
            HTML(string=f'<html lang="lo"><head><meta charset="utf-8"><style>{css}</style></head>'
                        f"<body><h2>ເງື່ອນໄຂ</h2><p>ເງື່ອນໄຂ 1,234 <b>ເງື່ອນໄຂ</b></p></body></html>",
                 base_url=str(REPO)).write_pdf()
        finally:
            _pdf_ready.set()

    thread = threading.Thread(target=start, daemon=True, name="weasyprint-warm-up")
    thread.start()
    return thread


_pdf_ready.set()  # no warm-up running yet: nothing to wait for


def mission_pdf(data: dict, lang: str, source: str, progress: Callable[[str, int], None] | None = None,
                images: dict[str, bytes] | None = None) -> bytes:
    step = progress or (lambda name, percent: None)
    if images is None:
        step("charts", 88)
        images = chart_images(data, lang, source)
    step("pdf", 94)
    return pdf_bytes(report_html(data, lang, images))
