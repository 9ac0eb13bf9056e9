"""The Phase II proposal as an Excel workbook: ranked districts with every component and source, parameters, costs, notes."""
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from i18n import format_number, localized, t

VIENTIANE = ZoneInfo("Asia/Vientiane")
# (column of the proposal frame, message key of its header); a district code column is text.
DISTRICT_COLUMNS = (
    ("rank", "phase2.col_rank"), ("district_code", "phase2.xl_code"), ("district", "common.district"),
    ("province", "common.province"), ("selected", "phase2.col_selected"), ("phase1", "phase2.col_phase1"),
    ("score", "phase2.col_score"), ("reason", "phase2.xl_reason"),
    ("stunting", "phase2.col_stunting"), ("stunting_level", "phase2.xl_level"), ("stunting_period", "phase2.xl_year"),
    ("stunting_source", "phase2.xl_source"),
    ("poverty", "phase2.col_poverty"), ("poverty_level", "phase2.xl_level"), ("poverty_period", "phase2.xl_year"),
    ("poverty_source", "phase2.xl_source"),
    ("population", "phase2.xl_population"), ("population_period", "phase2.xl_year"),
    ("population_source", "phase2.xl_source"),
    ("coverage", "phase2.col_coverage"), ("n_villages", "phase2.kpi_villages"),
    ("part_stunting", "phase2.part_stunting"), ("part_poverty", "phase2.part_poverty"),
    ("part_coverage", "phase2.part_coverage"),
    ("eligible_households", "phase2.col_households"), ("beneficiaries", "phase2.xl_beneficiaries"),
    ("transfers_lak", "phase2.xl_transfers_lak"), ("delivery_lak", "phase2.xl_delivery_lak"),
    ("cost_lak", "phase2.kpi_cost_lak"), ("cost_usd", "phase2.col_cost_usd"),
    ("robust_share", "phase2.xl_robust"), ("depends_on", "phase2.xl_depends"),
)
TEXT_COLUMNS = {"district_code"}


def file_name(as_of: str) -> str:
    return f"phase2-proposal-{as_of}.xlsx"


def _cell(value):
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _district_rows(proposal: dict, lang: str) -> list[list]:
    frame = proposal["districts"].sort_values(["rank", "score", "district_code"], ascending=[True, False, True],
                                              na_position="last")
    rows = []
    for record in frame.to_dict("records"):
        record["district"] = localized(record, lang)
        record["province"] = localized(record, lang, "province_name")
        record["selected"] = t("phase2.yes", lang) if record["selected"] else ""
        record["phase1"] = t("phase2.yes", lang) if record["is_target"] else ""
        reason = record.get("reason")
        record["reason"] = t(f"phase2.not_scored_{reason}", lang) if isinstance(reason, str) else None
        record["depends_on"] = ", ".join(t(f"phase2.weightname_{name}", lang) for name in record["depends_on"] or ())
        for column in ("stunting_level", "poverty_level"):
            level = record.get(column)
            record[column] = t(f"phase2.level_{level}", lang) if level in ("district", "province") else None
        for column in ("rank",):
            record[column] = None if pd.isna(record[column]) else int(record[column])
        rows.append([_cell(record.get(column)) for column, _ in DISTRICT_COLUMNS])
    return rows


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list], text_columns: set[int] = frozenset()):
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index in text_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
            # Stored as text so 0101 keeps its leading zero in Excel.
            cell.value = None if cell.value is None else str(cell.value)
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    return sheet


def proposal_workbook(proposal: dict, settings: pd.DataFrame, as_of: str, lang: str, demo: bool,
                      now: dt.datetime | None = None) -> bytes:
    """The proposal as .xlsx bytes: sheets proposal (every district, ranked), parameters, costs, notes."""
    book = Workbook()
    book.remove(book.active)
    header = [t(key, lang) for _, key in DISTRICT_COLUMNS]
    text_columns = {i for i, (column, _) in enumerate(DISTRICT_COLUMNS) if column in TEXT_COLUMNS}
    _sheet(book, t("phase2.xl_sheet_districts", lang), header, _district_rows(proposal, lang), text_columns)

    params = proposal["parameters"]
    parameter_rows = [[t(f"phase2.setting_{row.key}", lang), _cell(row.value), row.source,
                       None if pd.isna(row.year) else int(row.year)] for row in settings.itertuples()]
    parameter_rows += [
        [t("phase2.xl_rate_used", lang), params.lak_per_usd,
         t("phase2.xl_rate_override", lang) if params.rate_source == "override" else t("phase2.xl_rate_table", lang),
         params.rate_period],
        *[[t(f"phase2.weight_{name}", lang), weight, None, None] for name, weight in proposal["weights"].items()],
        [t("phase2.select_count", lang), proposal["n"], None, None],
        [t("phase2.xl_mode", lang), t("phase2.mode_top", lang, n=proposal["n"]) if proposal["mode"] == "top"
         else t("phase2.mode_hand", lang), None, None],
        [t("phase2.exclude_phase1", lang), t("phase2.yes", lang) if proposal["exclude_phase1"] else "", None, None],
    ]
    _sheet(book, t("phase2.xl_sheet_parameters", lang),
           [t("phase2.field_setting", lang), t("phase2.field_value", lang), t("phase2.field_source", lang),
            t("phase2.field_year", lang)], parameter_rows)

    totals, budget = proposal["totals"], proposal["budget"]
    cost_rows = [[t(f"phase2.xl_total_{key}", lang), _cell(totals[key])] for key in
                 ("n_districts", "villages", "eligible_households", "beneficiaries", "transfers_lak", "delivery_lak",
                  "cost_lak", "cost_usd")]
    if budget:
        cost_rows += [[t("phase2.setting_budget_usd", lang), budget["budget_usd"]],
                      [t("phase2.xl_budget_fit", lang), budget["n_fit"]]]
        if budget["marginal"]:
            cost_rows.append([t("phase2.xl_budget_marginal", lang), budget["marginal"]["district_code"]])
    sheet = _sheet(book, t("phase2.xl_sheet_costs", lang), [t("phase2.field_setting", lang),
                                                            t("phase2.field_value", lang)], cost_rows)
    if budget and budget["marginal"]:
        sheet.cell(row=sheet.max_row, column=2).number_format = "@"

    stamp = (now or dt.datetime.now(dt.timezone.utc)).astimezone(VIENTIANE)
    rate = (format_number(params.lak_per_usd, lang, 2) if params.lak_per_usd else t("common.no_data", lang))
    notes = [[t("phase2.xl_note_scope", lang, period=as_of)],
             [t("phase2.xl_note_parameters", lang, transfer=format_number(params.transfer_lak, lang, 0),
                take_up=format_number(params.take_up_pct, lang, 0), months=params.months,
                delivery=format_number(params.delivery_share_pct, lang, 0), rate=rate,
                rate_period=params.rate_period or t("phase2.xl_rate_override", lang),
                budget=format_number(params.budget_usd, lang, 0),
                weights=", ".join(f"{t(f'phase2.weightname_{name}', lang)} {format_number(weight, lang, 0)}"
                                  for name, weight in proposal["weights"].items()),
                n=proposal["n"])],
             [t("phase2.method_households", lang)], [t("phase2.method_cost", lang)],
             [t("phase2.method_not_scored", lang)],
             [t("phase2.robust_method", lang, n=proposal["n"])],
             [t("phase2.xl_note_exported", lang, time=stamp.strftime("%Y-%m-%d %H:%M"))]]
    if demo:
        notes.insert(0, [t("phase2.demo_note", lang)])
    _sheet(book, t("phase2.xl_sheet_notes", lang), [t("phase2.xl_notes", lang)], notes)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
