"""Downloadable .xlsx templates per project, built from the indicator catalogue, with Lao and English help."""
import io

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import Connection, text

from data_access.queries.catalogue import indicators as catalogue_indicators
from data_access.queries.catalogue import projects as catalogue_projects
from i18n import t

# Indicators without a project (survey estimates such as stunting) get a template of their own.
SURVEY_TEMPLATE = "SURVEYS"
DATA_SHEET = "data"
TEMPLATE_COLUMNS = ("indicator_code", "admin_code", "period", "value", "numerator", "denominator", "std_error",
                    "source", "admin_name", "comment")
REQUIRED_COLUMNS = ("indicator_code", "admin_code", "period")
TEXT_COLUMNS = ("indicator_code", "admin_code", "period", "source", "admin_name", "comment")
EXAMPLES = {"indicator_code": "CCT_COMPLY_ALL", "admin_code": "0703001", "period": "2023-05", "value": "",
            "numerator": "41", "denominator": "45", "std_error": "", "source": "RRPM MIS",
            "admin_name": "Ban Nakham", "comment": ""}
EMPTY_ROWS_FORMATTED = 2000
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def template_projects(conn: Connection) -> list[dict]:
    """The projects a template can be downloaded for (code, name_en, name_lo), plus one for surveys."""
    frame = catalogue_projects(conn)
    rows = [{"code": r.code, "name_en": r.name_en, "name_lo": r.name_lo} for r in frame.itertuples(index=False)]
    has_surveys = conn.execute(text("SELECT COUNT(*) FROM indicator WHERE project_code IS NULL")).scalar_one()
    if has_surveys:
        rows.append({"code": SURVEY_TEMPLATE, "name_en": t("importer.template.surveys", "en"),
                     "name_lo": t("importer.template.surveys", "lo")})
    return rows


def _set(cell, value) -> None:
    """Write text as text: openpyxl would store a string starting with "=" as a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def _both(key: str, **params) -> str:
    return f"{t(key, 'lo', **params)}\n{t(key, 'en', **params)}"


def _what_to_fill(meta) -> str:
    if meta.aggregation == "ratio":
        return "numerator + denominator"
    if meta.aggregation == "survey":
        return "value + std_error"
    return "value"


def build_template(conn: Connection, project_code: str) -> bytes:
    """The .xlsx a project fills in: a "data" sheet to fill, help, its indicators and the place codes.

    Raises KeyError for an unknown project. Cells are plain text and numbers: no
    formulas, so the file imports exactly as written.
    """
    project_filter = None if project_code == SURVEY_TEMPLATE else project_code
    catalogue = catalogue_indicators(conn, project_filter)
    if project_filter is None:
        catalogue = catalogue[catalogue["project_code"].isna()]
    elif not conn.execute(text("SELECT 1 FROM project WHERE code = :code"), {"code": project_code}).first():
        raise KeyError(f"unknown project {project_code!r}")

    workbook = openpyxl.Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    for position, column in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = data.cell(row=1, column=position)
        _set(cell, column)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        required = t("importer.template.required" if column in REQUIRED_COLUMNS else "importer.template.optional", "lo")
        required_en = t("importer.template.required" if column in REQUIRED_COLUMNS else "importer.template.optional",
                        "en")
        cell.comment = Comment(
            f"{required}: {t(f'importer.template.column.{column}', 'lo')}\n\n"
            f"{required_en}: {t(f'importer.template.column.{column}', 'en')}", "convergence monitor",
            width=320, height=220)
        letter = cell.column_letter
        data.column_dimensions[letter].width = 18 if column not in ("source", "comment", "admin_name") else 26
        if column in TEXT_COLUMNS:
            # Text format keeps "0703" and "2023-05" as typed instead of becoming 703 and a date.
            for row in range(2, EMPTY_ROWS_FORMATTED + 2):
                data.cell(row=row, column=position).number_format = "@"
    data.freeze_panes = "A2"

    help_sheet = workbook.create_sheet("help - ຄຳແນະນຳ")
    headers = [t("importer.template.help_column", "lo") + " / " + t("importer.template.help_column", "en"),
               t("importer.template.help_required", "lo") + " / " + t("importer.template.help_required", "en"),
               "ພາສາລາວ", "English", t("importer.template.help_example", "lo") + " / " +
               t("importer.template.help_example", "en")]
    help_sheet.append(headers)
    for column in TEMPLATE_COLUMNS:
        required = "importer.template.required" if column in REQUIRED_COLUMNS else "importer.template.optional"
        help_sheet.append([column, _both(required).replace("\n", " / "),
                           t(f"importer.template.column.{column}", "lo"),
                           t(f"importer.template.column.{column}", "en"), EXAMPLES[column]])
    help_sheet.append([])
    command = f"python -m dashboard import {template_file_name(project_code)} --dry-run"
    for message_key, params in (("importer.template.rule_one_row", {"sheet": DATA_SHEET}),
                                ("importer.template.rule_codes", {}), ("importer.template.rule_periods", {}),
                                ("importer.template.rule_ratio", {}), ("importer.template.rule_no_formulas", {}),
                                ("importer.template.rule_sheet", {"command": command})):
        help_sheet.append(["", "", t(message_key, "lo", **params), t(message_key, "en", **params)])
    for row in help_sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for letter, width in zip("ABCDE", (18, 22, 60, 60, 18)):
        help_sheet.column_dimensions[letter].width = width

    indicator_sheet = workbook.create_sheet("indicators - ຕົວຊີ້ວັດ")
    indicator_sheet.append(["indicator_code", "ຊື່ຕົວຊີ້ວັດ", "indicator name", "unit", "period type / ໄລຍະເວລາ",
                            "level / ລະດັບ", "aggregation", "fill / ໃຫ້ປ້ອນ", "min", "max"])
    for meta in catalogue.itertuples(index=False):
        row = [meta.code, meta.name_lo, meta.name_en, meta.unit,
               f"{t(f'importer.period_type.{meta.period_type}', 'lo')} / {meta.period_type}",
               f"{t(f'importer.level.{meta.level}', 'lo')} / {meta.level}", meta.aggregation, _what_to_fill(meta),
               None if meta.min_value != meta.min_value else meta.min_value,
               None if meta.max_value != meta.max_value else meta.max_value]
        indicator_sheet.append([None] * len(row))
        for position, value in enumerate(row, start=1):
            _set(indicator_sheet.cell(row=indicator_sheet.max_row, column=position), value)
    for cell in indicator_sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for letter, width in zip("ABCDEFGHIJ", (26, 50, 50, 10, 22, 22, 12, 26, 8, 8)):
        indicator_sheet.column_dimensions[letter].width = width
    if len(catalogue):
        choice = DataValidation(type="list", allow_blank=True,
                                formula1=f"='indicators - ຕົວຊີ້ວັດ'!$A$2:$A${len(catalogue) + 1}")
        choice.add(f"A2:A{EMPTY_ROWS_FORMATTED + 1}")
        data.add_data_validation(choice)

    places = workbook.create_sheet("places - ສະຖານທີ່")
    places.append(["admin_code", "level / ລະດັບ", "ຊື່", "name", "parent_code"])
    units = conn.execute(text(
        "SELECT code, level, name_lo, name_en, parent_code FROM admin_unit ORDER BY code")).all()
    for code, level, name_lo, name_en, parent in units:
        places.append([None] * 5)
        for position, value in enumerate((code, t(f"importer.level.{level}", "lo") + f" / {level}", name_lo, name_en,
                                          parent), start=1):
            _set(places.cell(row=places.max_row, column=position), value)
    for cell in places[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for letter, width in zip("ABCDE", (12, 22, 40, 40, 12)):
        places.column_dimensions[letter].width = width

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_file_name(project_code: str) -> str:
    return f"import-template-{project_code.lower()}.xlsx"
