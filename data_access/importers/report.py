"""Import problems and reports: each problem names the file, row, column, value and the rule broken."""
import csv
import datetime as dt
import io
import json
import re
from dataclasses import asdict, dataclass, field

from i18n import format_day, format_number, t

ERROR = "error"
WARNING = "warning"

# Every rule an importer can report, with its severity. An error keeps the row (or, for
# file-level rules, the whole file) out of the database; a warning is shown but imports.
RULES: dict[str, str] = {
    # whole file
    "file_too_large": ERROR,
    "unsupported_format": ERROR,
    "unreadable_file": ERROR,
    "not_utf8": ERROR,
    "empty_file": ERROR,
    "missing_column": ERROR,
    "duplicate_column": ERROR,
    "unknown_column": WARNING,
    "archive_too_large": ERROR,
    "workbook_too_large": ERROR,
    "several_layers": ERROR,
    "no_layer": ERROR,
    "missing_crs": ERROR,
    "field_not_found": ERROR,
    "code_field_not_found": ERROR,
    "code_field_ambiguous": ERROR,
    "name_field_not_found": ERROR,
    "mapping_required": ERROR,
    "not_dhis2": ERROR,
    "unclosed_quote": ERROR,
    "cell_too_long": ERROR,
    "nul_character": ERROR,
    "sheet_too_large": ERROR,
    "too_many_rows": ERROR,
    "nested_too_deep": ERROR,
    "invalid_json": ERROR,
    "refers_to_other_files": ERROR,
    "wrong_content": ERROR,
    "unknown_crs": ERROR,
    "coordinates_look_like_metres": ERROR,
    "import_busy": ERROR,
    "internal_error": ERROR,
    # one row
    "formula_not_allowed": ERROR,
    "missing_value": ERROR,
    "unknown_indicator": ERROR,
    "unknown_admin_code": ERROR,
    "wrong_level": ERROR,
    "invalid_period": ERROR,
    "period_type_mismatch": ERROR,
    "not_a_number": ERROR,
    "negative_count": ERROR,
    "out_of_range": ERROR,
    "numerator_exceeds_denominator": ERROR,
    "zero_denominator": ERROR,
    "value_mismatch": ERROR,
    "ratio_without_parts": WARNING,
    "parts_ignored": WARNING,
    "duplicate_key": ERROR,
    "mixed_levels": ERROR,
    "invalid_kind": ERROR,
    "invalid_year": ERROR,
    "invalid_date": ERROR,
    "release_date_not_survey": ERROR,
    "release_date_before_period": ERROR,
    "release_date_conflict": ERROR,
    "value_too_long": ERROR,
    "invalid_village_code": ERROR,
    "unknown_district": ERROR,
    "village_outside_district": WARNING,
    "missing_geometry": ERROR,
    "mapping_invalid_type": ERROR,
    "mapping_invalid_part": ERROR,
    "dhis2_unmapped_data_element": WARNING,
    "dhis2_unmapped_org_unit": WARNING,
    "dhis2_deleted_value": WARNING,
    "period_out_of_range": ERROR,
    "implausible_number": ERROR,
    "outside_laos": ERROR,
    "invalid_geometry": ERROR,
    "geometry_repaired": WARNING,
    "implausible_change": WARNING,
}

# Rules about the file as a whole: nothing can be imported, not even with accept_valid_rows.
FILE_RULES = frozenset({
    "file_too_large", "unsupported_format", "unreadable_file", "not_utf8", "empty_file", "missing_column",
    "duplicate_column", "archive_too_large", "workbook_too_large", "several_layers", "no_layer", "missing_crs", "field_not_found",
    "code_field_not_found", "code_field_ambiguous", "name_field_not_found", "mapping_required", "not_dhis2",
    "unclosed_quote", "cell_too_long", "nul_character", "sheet_too_large", "too_many_rows", "nested_too_deep",
    "invalid_json", "refers_to_other_files", "wrong_content", "unknown_crs", "coordinates_look_like_metres",
    "import_busy", "internal_error",
})
STATUSES = ("dry_run", "applied", "rejected", "unchanged")


def translatable(key: str) -> dict:
    """A message parameter that is itself translated when the message is shown (e.g. a period type)."""
    return {"key": key}


def quantity(value: int | float) -> dict:
    """A message parameter that is a quantity, formatted in the reader's language when shown (1,048,576)."""
    return {"number": value}


def format_figure(value: float, lang: str) -> str:
    """A number in the reader's language with the decimals it has (42.1 -> "42,1" in Lao, 1048576 -> "1,048,576")."""
    value = float(value)
    decimals = 0 if value.is_integer() else min(len(f"{value:.6g}".partition(".")[2]), 3)
    return format_number(value, lang, decimals)


def _render_param(value, lang: str):
    if isinstance(value, dict) and set(value) == {"key"}:
        return t(value["key"], lang)
    if isinstance(value, dict) and set(value) == {"number"}:
        return format_figure(value["number"], lang)
    if isinstance(value, dict) and set(value) == {"date"}:
        return format_day(dt.date.fromisoformat(value["date"]), lang)
    if isinstance(value, list):
        return ", ".join(str(_render_param(item, lang)) for item in value)
    return value


@dataclass
class Problem:
    """One broken rule. row: the row as a person sees it (spreadsheet row, header = 1; None = the whole file)."""

    rule: str
    file: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict = field(default_factory=dict)
    severity: str = ""

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown import rule {self.rule!r}")
        if not self.severity:
            self.severity = RULES[self.rule]
        if self.value is not None and not isinstance(self.value, str):
            self.value = display_value(self.value)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def message(self, lang: str) -> str:
        params = {key: _render_param(value, lang) for key, value in self.params.items() if key != "variant"}
        # Some rules have more than one wording (a suggestion to offer, only a lower bound).
        key = f"importer.rule.{self.rule}" + (f".{self.params['variant']}" if self.params.get("variant") else "")
        return t(key, lang, value=self.value if self.value is not None else "", column=self.column or "",
                 row=self.row if self.row is not None else "", **params)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Problem":
        return cls(**data)


def display_value(value) -> str:
    """A cell value as text for a report: whole floats without ".0", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class ImportReport:
    """What an import found and did; stored as JSON in import_batch.report_json and shown on the page."""

    file_name: str
    kind: str
    checksum: str = ""
    status: str = "dry_run"
    dry_run: bool = True
    accept_valid_rows: bool = False
    rows_total: int = 0
    rows_valid: int = 0
    rows_inserted: int = 0
    rows_replaced: int = 0
    rows_unchanged: int = 0
    rows_skipped: int = 0
    batch_id: int | None = None
    previous_batch_id: int | None = None
    previous_imported_at: str | None = None
    sheet: str | None = None
    indicators: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, rule: str, file: str | None = None, row: int | None = None, column: str | None = None,
            value=None, **params) -> Problem:
        problem = Problem(rule=rule, file=file or self.file_name, row=row, column=column,
                          value=None if value is None else display_value(value), params=params)
        self.problems.append(problem)
        return problem

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def errors_since(self, position: int) -> bool:
        """True when a problem added after len(problems) was `position` is an error (cheap per row)."""
        return any(problem.is_error for problem in self.problems[position:])

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.is_error]

    @property
    def has_file_errors(self) -> bool:
        """An error about the whole file: nothing can be imported, not even the valid rows."""
        return any(problem.is_error and (problem.row is None or problem.rule in FILE_RULES)
                   for problem in self.problems)

    @property
    def rows_rejected(self) -> int:
        return max(self.rows_total - self.rows_valid - self.rows_skipped, 0)

    @property
    def can_import(self) -> bool:
        """True when confirming would write something: no errors, or the user accepts the valid rows."""
        if self.status != "dry_run" or self.has_file_errors or self.rows_valid == 0:
            return False
        return not self.errors or self.accept_valid_rows

    def sort_problems(self) -> None:
        self.problems.sort(key=lambda p: (p.file != self.file_name, p.file, p.row is not None, p.row or 0))

    def headline(self, lang: str) -> str:
        """One sentence saying what happened (translated)."""
        params = {
            "file": self.file_name, "rows": self.rows_total, "valid": self.rows_valid,
            "errors": len(self.errors), "warnings": len(self.warnings), "inserted": self.rows_inserted,
            "replaced": self.rows_replaced, "unchanged": self.rows_unchanged, "batch": self.batch_id or "",
            "previous": self.previous_batch_id or "", "when": self.previous_imported_at or "",
            "skipped": self.rows_skipped, "rejected": self.rows_rejected,
        }
        key = self.status
        if self.status in ("dry_run", "rejected") and self.has_file_errors:
            key = "file_errors"
        elif self.status == "dry_run":
            key = "dry_run_errors" if self.errors else "dry_run_ok"
        elif self.status == "rejected" and not self.errors:
            key = "rejected_empty"
        elif self.status == "applied" and self.rows_rejected:
            key = "applied_partial"
        elif self.status == "unchanged" and self.previous_batch_id is None:
            key = "unchanged_same_data"
        return t(f"importer.status.{key}", lang, **params)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["problems"] = [problem.to_dict() for problem in self.problems]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        data = dict(data)
        problems = [Problem.from_dict(problem) for problem in data.pop("problems", [])]
        known = {name for name in cls.__dataclass_fields__}
        report = cls(**{key: value for key, value in data.items() if key in known})
        report.problems = problems
        return report

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    def problem_rows(self, lang: str, limit: int | None = None) -> list[dict]:
        """Rows for a table: file, row, column, value, rule, severity, message (translated)."""
        problems = self.problems if limit is None else self.problems[:limit]
        return [
            {"file": p.file, "row": p.row, "column": p.column or "", "value": p.value or "",
             "rule": p.rule, "severity": p.severity, "message": p.message(lang)}
            for p in problems
        ]

    def to_csv(self, lang: str) -> str:
        """The problem list as CSV, safe to open in a spreadsheet (see neutralise_csv)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["file", "row", "column", "value", "rule", "severity", "message"])
        for row in self.problem_rows(lang):
            writer.writerow([neutralise_csv(row[key]) for key in
                             ("file", "row", "column", "value", "rule", "severity", "message")])
        return buffer.getvalue()


_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_csv(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV injection).

    Cells starting with = + - @ (or tab / carriage return) are formulas to Excel and
    LibreOffice; file names, codes and values in reports come from uploaded files, so
    they are untrusted. Plain numbers such as "-5" are left alone.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value
