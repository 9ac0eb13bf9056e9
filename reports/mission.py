"""The mission report, PDF and Excel, for a scope and a review month: one entry for the CLI and the page."""
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from reports.exports import file_name
from reports.images import warm_up
from reports.mission_data import collect
from reports.mission_excel import mission_workbook
from reports.mission_pdf import chart_images, mission_pdf, warm_up_pdf


@dataclass
class MissionReport:
    pdf: bytes
    xlsx: bytes
    pdf_name: str
    xlsx_name: str


def _image_source(sources: list[str]) -> str:
    # Every chart names where its data came from; the first (newest) source, kept to one line.
    source = sources[0] if sources else "–"
    return source if len(source) <= 90 else source[:87] + "…"


def make_report(read: Callable, scope: str | None, as_of: str, lang: str,
                progress: Callable[[str, int], None] | None = None, phase2: dict | None = None) -> MissionReport:
    """Read the pages' query results through `read` (store.read or a plain connection reader),
    then build the PDF and the workbook from them. progress(step, percent) follows along;
    phase2: the Phase II page's choices for its section (None: the page's defaults)."""
    # Work overlaps where it can (two cores): Chromium (kaleido) and WeasyPrint's fonts start while
    # the queries run side by side; Chromium draws the charts while this thread writes the workbook.
    warm_up()
    warm_up_pdf()
    data = collect(read, scope, as_of, lang, progress, phase2)
    if progress:
        progress("charts", 82)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-charts") as pool:
        charts = pool.submit(chart_images, data, lang, _image_source(data["sources"]))
        xlsx = mission_workbook(data, lang)
        images = charts.result()
    pdf = mission_pdf(data, lang, _image_source(data["sources"]), progress, images)
    if progress:
        progress("done", 100)
    place = data["place"]["name_en"]
    fallback = data["place"]["code"]
    return MissionReport(pdf=pdf, xlsx=xlsx,
                         pdf_name=file_name(place, as_of, f"mission-report-{lang}", "pdf", fallback),
                         xlsx_name=file_name(place, as_of, f"mission-report-{lang}", "xlsx", fallback))
