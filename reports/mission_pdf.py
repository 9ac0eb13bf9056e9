"""The mission report as PDF: the sections' HTML set in A4 by WeasyPrint (Pango shapes Lao), charts drawn by kaleido."""
import datetime as dt
from collections.abc import Callable
from html import escape
from pathlib import Path

from i18n import format_period, localized, t
from layouts.districts import stale_flags
from layouts.figures.targets import projection_chart
from layouts.figures.trends import compliance_figure, disbursement_figure, pipeline_steps_figure, survey_trend_figure
from reports import mission_sections as sections
from reports.mission_actions import section as actions_section
from reports.mission_phase2 import section as phase2_section
from reports.context import place_name
from reports.exports import LAO_TIME
from reports.images import ImageContext, figure_image
from reports.mission_data import PROJECTION_INDICATOR
from reports.static_html import render

REPO = Path(__file__).resolve().parents[1]
FONT_DIR = REPO / "assets" / "fonts"
STYLESHEET = Path(__file__).with_name("mission.css")
CHART_WIDTH = 1000


def chart_figures(data: dict, lang: str) -> dict:
    """name -> (the page's figure, its title): the same builders and inputs the pages use."""
    figures = {}
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
    images = {}
    for name, (figure, title) in chart_figures(data, lang).items():
        context = ImageContext(title=title, place=place, period=period, source=source, is_demo=data["is_demo"],
                               lang=lang)
        images[name] = figure_image(figure, context, "png", width=CHART_WIDTH, scale=1.3)
    return images


def report_html(data: dict, lang: str, images: dict[str, bytes], exported_at: dt.datetime | None = None) -> str:
    moment = (exported_at or dt.datetime.now(dt.timezone.utc)).astimezone(LAO_TIME)
    exported = moment.strftime("%Y-%m-%d %H:%M") + " " + t("export.lao_time", lang)
    place = place_name(data["place"], lang)
    header = t("report.running_header", lang, place=place, period=format_period(data["as_of"], lang))
    demo = t("shell.demo_badge", lang) if data["is_demo"] else ""
    body = "".join([
        sections.cover(data, lang, exported),
        sections.headline(data, lang),
        sections.framework(data, lang),
        sections.charts(images, lang),
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
    from weasyprint import HTML

    return HTML(string=html_text, base_url=str(REPO)).write_pdf()


def mission_pdf(data: dict, lang: str, source: str, progress: Callable[[str, int], None] | None = None) -> bytes:
    step = progress or (lambda name, percent: None)
    step("charts", 88)
    images = chart_images(data, lang, source)
    step("pdf", 94)
    return pdf_bytes(report_html(data, lang, images))
