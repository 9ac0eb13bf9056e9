"""What every export and report says about itself: place, period, sources and their dates, completeness, demo."""
from collections.abc import Callable

from data_access.database import dataset_info
from data_access.queries.catalogue import admin_unit
from data_access.queries.quality import reporting_completeness
from data_access.queries.sources import data_sources
from i18n import format_day, format_number, format_period, localized, t
from reports.exports import ExportContext

SOURCE_KINDS = ("demo", "indicators", "dhis2", "targets", "villages")
# The indicator whose reporting says how complete a period's routine data is: every
# RRPM village reports registrations monthly.
COMPLETENESS_INDICATOR = "CCT_REGISTERED"


def place_names(read: Callable, scope: str | None) -> dict:
    """{"code", "name_en", "name_lo"} of the scope (None or "00" = the country)."""
    unit = read(admin_unit, scope) if scope and scope != "00" else None
    if not unit:
        return {"code": "00", "name_en": t("common.national", "en"), "name_lo": t("common.national", "lo")}
    return {"code": unit["code"], "name_en": unit["name_en"], "name_lo": unit["name_lo"]}


def place_name(place: dict, lang: str) -> str:
    return localized(place, lang) or place["code"]


def source_lines(read: Callable, lang: str) -> list[str]:
    """One line per kind of data loaded: what, which file, imported when."""
    lines = []
    for row in read(data_sources).itertuples():
        kind = t(f"export.source_{row.kind}", lang) if row.kind in SOURCE_KINDS else row.kind
        day = format_day(row.imported_at.date(), lang) if row.imported_at is not None else "–"
        lines.append(t("export.source_line", lang, kind=kind, file=row.file_name, day=day,
                       n=format_number(row.n_batches, lang)))
    return lines


def completeness_line(read: Callable, scope: str | None, period: str, lang: str) -> str | None:
    """"Reporting: 48 of 72 villages reported registrations for Nov 2022" (the map's completeness query)."""
    within = scope if scope and scope != "00" else None
    level = "district" if within and len(within) >= 4 else "province"
    frame = read(reporting_completeness, COMPLETENESS_INDICATOR, level, period, period, within)
    expected = int(frame["n_expected"].sum()) if not frame.empty else 0
    if not expected:
        return None
    reporting = int(frame["n_reporting"].sum())
    return t("export.completeness_line", lang, reporting=format_number(reporting, lang),
             expected=format_number(expected, lang), share=format_number(100.0 * reporting / expected, lang, 0),
             period=format_period(period, lang))


def is_demo(read: Callable) -> bool:
    return read(_dataset_facts).get("is_demo") == "1"


def _dataset_facts(conn) -> dict:
    return dataset_info(conn)


def export_context(read: Callable, scope: str | None, period: str | None, lang: str, title: str, topic: str,
                   filters: list[tuple[str, str]] | None = None, notes: list[str] | None = None,
                   with_completeness: bool = True) -> ExportContext:
    """The notes-sheet facts for a table of `scope` as of `period`, read through `read` (store.read)."""
    place = place_names(read, scope)
    return ExportContext(
        title=title, place=place_name(place, lang), place_file_name=place["name_en"], period=period, lang=lang,
        topic=topic, filters=filters or [], sources=source_lines(read, lang),
        completeness=completeness_line(read, scope, period, lang) if with_completeness and period else None,
        notes=notes or [], is_demo=is_demo(read),
    )
