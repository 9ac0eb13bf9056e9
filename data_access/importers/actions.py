"""Loading an aide-memoire's agreed-actions table from Excel: check the whole file, then write it all or nothing.

The workbook is read by the importers' hardened reader (readers.read_table: the zip's inflated
size bounded before parsing, read-only streaming, formulas kept as text and never evaluated, a
bounded sheet size); a workbook that links to other files is refused. Every problem names the
file, the row as the spreadsheet shows it, the column as headed in the file, and the value.
A row with an id (as the export writes) updates that action; a row without one updates the action
of the same mission with the same English text, else adds an action. Only fields that differ are
written, each with its history row, so importing the same file twice changes nothing.
"""
import io
import zipfile
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, text

from data_access.actions import ActionError, EDITABLE_FIELDS, apply_changes, checked_fields, insert_action
from data_access.importers.fields import Formula, clean_text, date_value, indicator_code, is_blank
from data_access.importers.fields import admin_code as normal_admin_code
from data_access.importers.readers import match_columns, read_table
from data_access.schema import ACTION_STATUSES
from data_access.store import bump_data_version
from i18n import t

COLUMNS = ("id",) + EDITABLE_FIELDS
# The columns an export adds for reading; an import ignores them.
EXPORT_ONLY = ("due_state", "indicator_name", "latest_value", "latest_period", "place_name", "updated_by",
               "updated_at")
REQUIRED_COLUMNS = ("mission", "mission_date", "text_en", "text_lo", "responsible_unit", "due_date")
DATE_COLUMNS = ("mission_date", "due_date")
DEFAULT_MAX_MB = 20.0
KEEP_STATUS = "_keep_status"


def header(name: str, lang: str) -> str:
    """The column's header in the template and the export, in the reader's language."""
    return t(f"actions.col_{name}", lang)


def column_aliases() -> dict[str, tuple[str, ...]]:
    """Each canonical column with its English and Lao headers: a file in either language reads."""
    return {name: (header(name, "en"), header(name, "lo")) for name in COLUMNS + EXPORT_ONLY}


def status_code(value) -> str | None:
    """"in_progress", "In progress" or "ກຳລັງດຳເນີນການ" -> "in_progress"; None when it is none of them."""
    cleaned = clean_text(value).casefold()
    for status in ACTION_STATUSES:
        if cleaned in {status, status.replace("_", " "), t(f"actions.status_{status}", "en").casefold(),
                       t(f"actions.status_{status}", "lo").casefold()}:
            return status
    return None


@dataclass
class ActionProblem:
    """One broken rule: rule names the sentence (actions.rule_<rule>); row None = the whole file."""

    rule: str
    file: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict = field(default_factory=dict)
    text: str | None = None  # a reader problem's own sentence (language-independent parts only)
    reader_problem: object = None

    def message(self, lang: str) -> str:
        detail = (self.reader_problem.message(lang) if self.reader_problem is not None
                  else t(f"actions.rule_{self.rule}", lang, value=self.value or "", **self.params))
        if self.row is None:
            return t("actions.problem_file", lang, file=self.file, message=detail)
        return t("actions.problem_cell", lang, file=self.file, row=self.row, column=self.column or "",
                 message=detail)


@dataclass
class ActionImport:
    """What an import found and did. problems empty and written True: the file is in the register."""

    file_name: str
    problems: list[ActionProblem] = field(default_factory=list)
    rows: list[tuple[int, int | None, dict]] = field(default_factory=list)  # (row, action id or None, fields)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _file_problems(data: bytes, file_name: str, max_mb: float) -> list[ActionProblem]:
    if len(data) > max_mb * 1024 * 1024:
        return [ActionProblem("file_too_large", file_name, params={"size_mb": f"{len(data) / 1048576:.1f}",
                                                                   "max_mb": f"{max_mb:g}"})]
    if not file_name.lower().endswith(".xlsx"):
        return [ActionProblem("not_xlsx", file_name)]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [name.lower() for name in archive.namelist()]
    except (zipfile.BadZipFile, ValueError, OSError):
        return [ActionProblem("not_xlsx", file_name)]
    # A link to another workbook could be refreshed by whoever opens an export made from this one.
    if any(name.startswith("xl/externallinks/") for name in names):
        return [ActionProblem("external_links", file_name)]
    return []


def _cell_text(value) -> str:
    return "" if is_blank(value) else str(value)


def _row_fields(cells: dict, number: int, problems: list[ActionProblem], file_name: str,
                headers: dict[str, str]) -> tuple[int | None, dict]:
    """The row's id and fields as actions.checked_fields takes them; problems appended (with the file's headers)."""
    fields: dict = {}
    action_id = None

    def problem(rule: str, name: str, value, **params) -> None:
        problems.append(ActionProblem(rule, file_name, number, headers[name], _cell_text(value), params))

    for name, value in cells.items():
        if isinstance(value, Formula):
            problem("formula", name, value)
            continue
        if name == "id":
            if is_blank(value):
                continue
            try:
                number_value = float(str(value).strip())
            except ValueError:
                number_value = -1.0
            if not number_value.is_integer() or number_value <= 0:
                problem("invalid_id", name, value)
            else:
                action_id = int(number_value)
        elif name in DATE_COLUMNS:
            if is_blank(value):
                fields[name] = None
                continue
            day = date_value(value)
            if day is None:
                problem("invalid_date", name, value)
            fields[name] = day
        elif name == "status":
            if is_blank(value):
                fields[name] = None
                continue
            code = status_code(value)
            if code is None:
                problem("invalid_status", name, value, statuses=", ".join(
                    t(f"actions.status_{status}", "en") for status in ACTION_STATUSES))
            fields[name] = code
        elif name == "indicator_code":
            fields[name] = indicator_code(value) if not is_blank(value) else None
        elif name == "admin_code":
            fields[name] = normal_admin_code(value) if not is_blank(value) else None
        else:
            fields[name] = None if is_blank(value) else clean_text(value)
    return action_id, fields


_RULE_OF_ERROR = {"missing": "missing_value", "invalid_date": "invalid_date", "too_long": "too_long",
                  "invalid_status": "invalid_status", "unknown_indicator": "unknown_indicator",
                  "unknown_place": "unknown_place"}


def check_actions_file(conn: Connection, data: bytes, file_name: str,
                       max_mb: float = DEFAULT_MAX_MB) -> ActionImport:
    """Read and check the whole file without writing: ActionImport with its rows or its problems."""
    result = ActionImport(file_name)
    result.problems = _file_problems(data, file_name, max_mb)
    if result.problems:
        return result
    table = read_table(data, file_name)
    for reader_problem in table.problems:
        result.problems.append(ActionProblem(reader_problem.rule, file_name, reader_problem.row,
                                             reader_problem.column, reader_problem.value,
                                             reader_problem=reader_problem))
    if result.problems:
        return result
    matched = match_columns(table.headers, column_aliases())
    headers = {name: table.headers[position] for name, position in matched.positions.items()}
    for name in REQUIRED_COLUMNS:
        if name not in matched.positions:
            result.problems.append(ActionProblem("missing_column", file_name, None, header(name, "en"),
                                                 params={"column": f"{header(name, 'en')} / {header(name, 'lo')}"}))
    for position in matched.duplicates:
        result.problems.append(ActionProblem("duplicate_column", file_name, table.header_row, table.headers[position]))
    if result.problems:
        return result
    if not table.rows:
        result.problems.append(ActionProblem("no_rows", file_name))
        return result
    seen: dict = {}
    for number, cells in table.rows:
        values = {name: cells[position] for name, position in matched.positions.items() if name in COLUMNS}
        before = len(result.problems)
        action_id, fields = _row_fields(values, number, result.problems, file_name, headers)
        if len(result.problems) > before:
            continue
        if action_id is not None and conn.execute(text("SELECT 1 FROM agreed_action WHERE id = :id"),
                                                  {"id": action_id}).first() is None:
            result.problems.append(ActionProblem("unknown_id", file_name, number, headers["id"], str(action_id)))
            continue
        status_blank = fields.get("status") is None
        try:
            fields = checked_fields(conn, fields, creating=True)
        except ActionError as error:
            result.problems.append(ActionProblem(_RULE_OF_ERROR.get(error.code, error.code), file_name, number,
                                                 headers.get(error.field, error.field),
                                                 "" if error.value is None else str(error.value),
                                                 {"column": headers.get(error.field, error.field)}))
            continue
        key = ("id", action_id) if action_id is not None else ("text", fields["mission"], fields["text_en"])
        if key in seen:
            result.problems.append(ActionProblem("duplicate_row", file_name, number, headers.get("text_en"),
                                                 fields["text_en"], {"first_row": seen[key]}))
            continue
        seen[key] = number
        # A blank status opens a new action but leaves an existing one's status as it is.
        result.rows.append((number, action_id, fields | ({KEEP_STATUS: True} if status_blank else {})))
    return result


def _existing_id(conn: Connection, fields: dict) -> int | None:
    row = conn.execute(text("SELECT id FROM agreed_action WHERE mission = :mission AND text_en = :text_en "
                            "ORDER BY id"), {"mission": fields["mission"], "text_en": fields["text_en"]}).first()
    return int(row[0]) if row else None


def import_actions(engine: Engine, data: bytes, file_name: str, by: str | None,
                   max_mb: float = DEFAULT_MAX_MB) -> ActionImport:
    """Check the file; when it has no problem, write every row (and the data-version bump) in one
    transaction. A file with any problem writes nothing."""
    with engine.connect() as conn:
        result = check_actions_file(conn, data, file_name, max_mb)
    if not result.ok:
        return result
    with engine.begin() as conn:
        for _number, action_id, fields in result.rows:
            keep_status = fields.pop(KEEP_STATUS, False)
            target = action_id if action_id is not None else _existing_id(conn, fields)
            if target is not None and keep_status:
                fields = {name: value for name, value in fields.items() if name != "status"}
            if target is None:
                insert_action(conn, fields, by)
                result.created += 1
            elif apply_changes(conn, target, fields, by):
                result.updated += 1
            else:
                result.unchanged += 1
        if result.created or result.updated:
            bump_data_version(conn)
    result.written = True
    return result
