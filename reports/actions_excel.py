"""Agreed actions as Excel: the register's export (with its notes sheet) and the empty template to fill in.

Both use the importer's headers (data_access.importers.actions.header), so an exported file,
edited and imported again, updates the same actions (by their id), and a filled template adds them.
"""
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from data_access.importers.actions import COLUMNS, REQUIRED_COLUMNS, header
from data_access.schema import ACTION_STATUSES
from i18n import format_period, localized, t
from layouts.actions import due_text
from reports.exports import Column, formula_safe, workbook_bytes

DATA_SHEET = "data"  # the name the importer's reader looks for first
_KINDS = {"id": "integer", "mission_date": "date", "due_date": "date", "indicator_code": "code", "admin_code": "code"}
_WIDTHS = {"text_en": 50, "text_lo": 50, "evidence": 40, "mission": 28, "responsible_unit": 26}


def register_table(register: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """queries.actions.action_register() as the importer's columns, then the reading columns."""
    records = []
    for row in register.to_dict("records"):
        records.append({name: row.get(name) for name in COLUMNS} | {
            "status": t(f"actions.status_{row['status']}", lang) if row.get("status") else None,
            "due_state": due_text(row, lang),
            "indicator_name": localized(row, lang, "indicator_name") if row.get("indicator_code") else None,
            "latest_value": row.get("latest_value"),
            "latest_period": format_period(row["latest_period"], lang) if row.get("latest_period") else None,
            "place_name": localized(row, lang, "admin_name") if row.get("admin_code") else None,
            "updated_by": row.get("updated_by"), "updated_at": row.get("updated_at")})
    columns = [Column(name, header(name, lang), _KINDS.get(name, "text"), _WIDTHS.get(name)) for name in COLUMNS]
    columns += [Column("due_state", header("due_state", lang)),
                Column("indicator_name", header("indicator_name", lang), width=34),
                Column("latest_value", header("latest_value", lang), "number"),
                Column("latest_period", header("latest_period", lang)),
                Column("place_name", header("place_name", lang)),
                Column("updated_by", header("updated_by", lang)),
                Column("updated_at", header("updated_at", lang), "text")]
    frame = pd.DataFrame(records, columns=[column.field for column in columns])
    if not frame.empty:
        frame["updated_at"] = frame["updated_at"].map(lambda v: v.strftime("%Y-%m-%d %H:%M") + " UTC" if v else None)
    return frame, columns


def template_workbook(lang: str) -> bytes:
    """An empty "data" sheet with the headers, and a sheet saying what each column takes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    bold = Font(bold=True)
    for index, name in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=formula_safe(header(name, lang)))
        cell.font = bold
        sheet.column_dimensions[cell.column_letter].width = _WIDTHS.get(name, 18)
        # Codes typed into a text cell keep their leading zero (0706, not 706).
        for row in range(2, 202):
            if _KINDS.get(name) == "code" or name not in _KINDS:
                sheet.cell(row=row, column=index).number_format = "@"
            elif _KINDS.get(name) == "date":
                sheet.cell(row=row, column=index).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(t("actions.template_help_sheet", lang))
    statuses = ", ".join(t(f"actions.status_{status}", lang) for status in ACTION_STATUSES)
    rows = [(t("actions.template_column", lang), t("actions.template_required", lang),
             t("actions.template_what", lang))]
    for name in COLUMNS:
        rows.append((header(name, lang), t("actions.template_yes", lang) if name in REQUIRED_COLUMNS else "",
                     t(f"actions.help_{name}", lang, statuses=statuses)))
    for row_number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = help_sheet.cell(row=row_number, column=column, value=formula_safe(value))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if row_number == 1:
                cell.font = bold
    help_sheet.column_dimensions["A"].width = 26
    help_sheet.column_dimensions["B"].width = 12
    help_sheet.column_dimensions["C"].width = 90
    return workbook_bytes(workbook)
