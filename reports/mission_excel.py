"""The mission report's matching Excel workbook: a cover sheet, then one sheet per table of the PDF."""
import pandas as pd
from openpyxl import Workbook

from i18n import format_period, t
from layouts.targets import grid_rows
from reports.context import place_name
from reports.exports import Column, ExportContext, add_notes_sheet, add_table_sheet, workbook_bytes
from reports.mission_actions import actions_sheet
from reports.mission_alerts import sheet as alerts_sheet
from reports.mission_phase2 import parameters_sheet, selection_sheet
from reports.mission_sections import completeness_lines
from reports.tables import backlog_table, cycles_table, disbursement_table


def _headline_frame(data: dict, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    now, before = data["headline"], data["headline_previous"]

    def value(figures: dict, key: str):
        item = figures.get(key)
        if key == "stunting":
            return item["latest"]["value"] if item["latest"] else None
        if key == "convergence":
            return item["share"]
        if key in ("delay_days", "n_open"):
            return figures["payment_delay"][key]
        return item.get("value") if isinstance(item, dict) else item

    rows = []
    for key, label, kind in (("registered", "overview.card_registered", "integer"),
                             ("compliance", "overview.card_compliance", "percent"),
                             ("stunting", "overview.card_stunting", "percent"),
                             ("convergence", "overview.card_convergence", "percent"),
                             ("delay_days", "overview.card_delay", "days"),
                             ("n_open", "report.cycles_unpaid", "integer")):
        old, new = value(before, key), value(now, key)
        change = None if old is None or new is None or pd.isna(old) or pd.isna(new) else new - old
        rows.append({"indicator": t(label, lang), "previous": old, "now": new, "change": change, "kind": kind})
    frame = pd.DataFrame(rows)
    return frame, [
        Column("indicator", t("common.indicator", lang)),
        Column("previous", format_period(data["previous"], lang), "number"),
        Column("now", format_period(data["as_of"], lang), "number"),
        Column("change", t("report.change", lang), "number"),
    ]


def _framework_frame(data: dict, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    place = place_name(data["place"], lang)
    frame = pd.DataFrame(grid_rows(data["framework"], place, lang))
    year = data["as_of"][:4]
    return frame, [
        Column("indicator_code", t("export.col_indicator_code", lang), "code"),
        Column("project", t("targets.col_project", lang)),
        Column("indicator", t("targets.col_indicator", lang), width=50),
        Column("baseline", t("targets.col_baseline", lang), "number"),
        Column("actual", t("targets.col_actual", lang), "number"),
        Column("period", t("targets.col_period", lang)),
        Column("year_target", t("targets.col_year_target", lang, year=year), "number"),
        Column("eop_target", t("targets.col_eop", lang), "number"),
        Column("progress", t("targets.col_progress", lang), "percent"),
        Column("status", t("targets.col_status", lang), width=28),
        Column("target_scope", t("targets.col_target_scope", lang), width=28),
    ]


def _completeness_frame(data: dict, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    names = data["units"].set_index("code")
    pieces = []
    for code, frame in data["completeness"].items():
        piece = frame.assign(indicator_code=code)
        pieces.append(piece)
    frame = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(
        columns=["code", "n_reporting", "n_expected", "indicator_code"])
    frame["name"] = frame["code"].map(lambda code: names.loc[code, "name_lo" if lang == "lo" else "name_en"]
                                      if code in names.index else code)
    return frame, [
        Column("code", t("export.col_place_code", lang), "code"),
        Column("name", t("export.col_place", lang)),
        Column("indicator_code", t("export.col_indicator_code", lang), "code"),
        Column("n_reporting", t("report.col_reporting", lang), "integer"),
        Column("n_expected", t("report.col_expected", lang), "integer"),
    ]


def mission_workbook(data: dict, lang: str) -> bytes:
    """The report's tables with a filled cover sheet (scope, period, sources, completeness, demo, time)."""
    place = place_name(data["place"], lang)
    context = ExportContext(
        title=t("report.title", lang), place=place, place_file_name=data["place"]["name_en"], period=data["as_of"],
        lang=lang, topic="mission-report", sources=data["sources"],
        completeness=" · ".join(completeness_lines(data, lang)),
        filters=[(t("report.review_period", lang), t("report.period_range", lang,
                                                     previous=format_period(data["previous"], lang),
                                                     as_of=format_period(data["as_of"], lang)))],
        is_demo=data["is_demo"])
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_notes_sheet(workbook, context)
    sheets = [
        (t("mission.sheet_alerts", lang), alerts_sheet(data, lang)),
        (t("report.section_headline", lang), _headline_frame(data, lang)),
        (t("report.section_framework", lang), _framework_frame(data, lang)),
        (t("trends.backlog_card", lang), backlog_table(data["pipeline"], lang)),
        (t("report.section_pipeline", lang), cycles_table(data["pipeline"], lang)),
        (t("report.section_budget", lang), disbursement_table(data["management"], lang)),
        (t("export.note_completeness", lang), _completeness_frame(data, lang)),
        (t("report.phase2_sheet", lang), selection_sheet(data["phase2"], lang)),
        (t("report.phase2_parameters_sheet", lang), parameters_sheet(data["phase2"], lang)),
        (t("actions.report_section", lang), actions_sheet(data["actions"], lang)),
    ]
    for title, (frame, columns) in sheets:
        add_table_sheet(workbook, title, frame, columns)
    return workbook_bytes(workbook)

