"""Indicator files in the documented long format (CSV or .xlsx): one row per indicator, place and period."""
from dataclasses import dataclass, field

from data_access.importers import fields, survey_rounds
from data_access.importers.lookup import Lookup
from data_access.importers.readers import Table, match_columns, read_table
from data_access.importers.report import ImportReport, quantity, translatable
from data_access.periods import period_start
from data_access.schema import NATIONAL_CODE

# Canonical column -> other headers accepted for it (English variants and Lao).
COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator_code": ("indicator", "indicator_id", "ລະຫັດຕົວຊີ້ວັດ", "ຕົວຊີ້ວັດ"),
    "admin_code": ("place_code", "pcode", "p_code", "area_code", "location_code", "admin", "village_code",
                   "district_code", "province_code", "ລະຫັດສະຖານທີ່", "ລະຫັດບ້ານ", "ລະຫັດເມືອງ", "ລະຫັດແຂວງ"),
    "period": ("reporting_period", "month", "quarter", "year", "date", "ໄລຍະເວລາ", "ງວດ", "ເດືອນ"),
    "value": ("ຄ່າ", "ຈຳນວນ"),
    "numerator": ("num", "ຕົວເສດ"),
    "denominator": ("den", "denom", "ຕົວພູດ"),
    "std_error": ("standard_error", "se", "ຄວາມຄາດເຄື່ອນມາດຕະຖານ"),
    "source": ("data_source", "ແຫຼ່ງຂໍ້ມູນ"),
    # Survey estimates: the day the round became known (fieldwork end or release).
    "released_on": ("release_date", "fieldwork_end", "available_on", "ວັນທີເຜີຍແຜ່"),
    # Read for people, not imported: the code decides, never the name.
    "admin_name": ("place_name", "village_name", "district_name", "ຊື່ສະຖານທີ່", "ຊື່ບ້ານ", "ຊື່ເມືອງ"),
    "indicator_name": ("ຊື່ຕົວຊີ້ວັດ",),
    "comment": ("note", "notes", "remarks", "ໝາຍເຫດ"),
}
REQUIRED = ("indicator_code", "admin_code", "period")
NUMBER_COLUMNS = ("value", "numerator", "denominator", "std_error")
LEVEL_RANK = {"village": 0, "district": 1, "province": 2, "national": 3}
SURVEY_LEVELS = ("national", "province", "district")
MAX_SOURCE_LENGTH = 100
# No figure of the program (people, households, days summed over cycles, percentages) comes near a
# thousand million, some 130 times the population of Lao PDR: above it a number is a typo or 1e308.
MAX_MAGNITUDE = 1e9


@dataclass
class Candidate:
    """A row on its way to becoming an observation: raw cells by canonical column."""

    row: int | None
    file: str
    cells: dict[str, object]
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


def candidates_from_table(table: Table, report: ImportReport, columns=COLUMNS, required=REQUIRED) -> list[Candidate]:
    """Rows of the table keyed by canonical column; file-level problems go to the report."""
    headers = _checked_headers(table, report, columns, required)
    if headers is None:
        return []
    if not table.rows:
        report.add("empty_file")
        return []
    positions = list(match_columns(table.headers, columns).positions.items())
    return [Candidate(number, table.file_name, {column: cells[position] for column, position in positions}, headers)
            for number, cells in table.rows]


def _checked_headers(table: Table, report: ImportReport, columns, required) -> dict[str, str] | None:
    """Canonical column -> header as written; None (after reporting why) when no row can be read."""
    report.extend(table.problems)
    report.sheet = table.sheet
    if table.problems:
        return None
    if not table.headers:
        report.add("empty_file")
        return None
    matched = match_columns(table.headers, columns)
    for position in matched.duplicates:
        report.add("duplicate_column", row=table.header_row, column=table.headers[position],
                   value=table.headers[position])
    for position in matched.unmatched:
        if table.headers[position]:
            report.add("unknown_column", row=table.header_row, column=table.headers[position],
                       value=table.headers[position])
    for column in required:
        if column not in matched.positions:
            report.add("missing_column", column=column, alternatives=list(columns[column][:4]))
    if any(problem.rule in ("duplicate_column", "missing_column") for problem in report.problems):
        return None
    return {column: table.headers[position] for column, position in matched.positions.items()}


def _formulas(candidate: Candidate, report: ImportReport) -> bool:
    found = False
    for column, raw in candidate.cells.items():
        if isinstance(raw, fields.Formula):
            report.add("formula_not_allowed", file=candidate.file, row=candidate.row,
                       column=candidate.header(column), value=raw.text)
            found = True
    return found


def is_count(meta: dict) -> bool:
    """Counts (people, sessions, latrines ...) are summed or taken as a stock; they are never negative."""
    return meta["aggregation"] in ("sum", "latest", "max")


def is_proportion(meta: dict) -> bool:
    """A ratio that cannot exceed its denominator (a percentage of people reached, not days per cycle)."""
    return meta["aggregation"] == "ratio" and meta["max_value"] is not None and meta["max_value"] <= meta["multiplier"]


def validate_observations(candidates: list[Candidate], lookup: Lookup, report: ImportReport) -> list[dict]:
    """Check every candidate against every rule; return the valid ones as observation rows.

    All problems of all rows are collected (the report lists every one); a row with an
    error is left out. A key (indicator, place, period) given twice is left out entirely:
    which of the two rows is right is for the user to say.
    """
    valid: list[dict] = []
    first_row_of_key: dict[tuple, Candidate] = {}
    duplicated_keys: set[tuple] = set()
    for candidate in candidates:
        record = _validate_one(candidate, lookup, report)
        if record is None:
            continue
        key = (record["indicator_code"], record["admin_code"], record["period"])
        if key in first_row_of_key:
            first = first_row_of_key[key]
            report.add("duplicate_key", file=candidate.file, row=candidate.row,
                       column=candidate.header("indicator_code"),
                       value=f"{key[0]} / {key[1]} / {key[2]}", first_row=first.row)
            duplicated_keys.add(key)
            continue
        first_row_of_key[key] = candidate
        valid.append(record)
    return [record for record in valid
            if (record["indicator_code"], record["admin_code"], record["period"]) not in duplicated_keys]


def _validate_one(candidate: Candidate, lookup: Lookup, report: ImportReport, memo: dict | None = None) -> dict | None:
    problems_before = len(report.problems)
    row, file = candidate.row, candidate.file
    _formulas(candidate, report)
    cells = {column: (None if isinstance(raw, fields.Formula) else raw) for column, raw in candidate.cells.items()}

    for column in REQUIRED:
        if fields.is_blank(cells.get(column)) and not isinstance(candidate.cells.get(column), fields.Formula):
            report.add("missing_value", file=file, row=row, column=candidate.header(column), value="")

    meta = None
    if not fields.is_blank(cells.get("indicator_code")):
        code = fields.indicator_code(cells["indicator_code"])
        meta = lookup.indicators.get(code)
        if meta is None:
            report.add("unknown_indicator", file=file, row=row, column=candidate.header("indicator_code"),
                       value=cells["indicator_code"])

    admin = None
    if not fields.is_blank(cells.get("admin_code")):
        admin = check_admin_code(cells["admin_code"], candidate, lookup, report)

    period = None
    if not fields.is_blank(cells.get("period")):
        try:
            period = _period(cells["period"], meta["period_type"] if meta else None, memo)
        except fields.PeriodProblem as problem:
            params = dict(problem.params)
            if problem.rule == "period_type_mismatch":
                params = {"expected": translatable(f"importer.period_type.{meta['period_type']}"),
                          "found": translatable(f"importer.period_type.{problem.found}")}
            report.add(problem.rule, file=file, row=row, column=candidate.header("period"), value=cells["period"],
                       **params)

    if meta and admin:
        level = lookup.levels[admin]
        allowed = SURVEY_LEVELS if meta["aggregation"] == "survey" else tuple(
            name for name, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[meta["level"]])
        if level not in allowed:
            report.add("wrong_level", file=file, row=row, column=candidate.header("admin_code"), value=cells["admin_code"],
                       level=translatable(f"importer.level.{level}"),
                       expected=[translatable(f"importer.level.{name}") for name in allowed])

    numbers: dict[str, float | None] = {}
    unreadable: set[str] = set()
    for column in NUMBER_COLUMNS:
        raw = candidate.cells.get(column)
        if isinstance(raw, fields.Formula):
            unreadable.add(column)
            numbers[column] = None
            continue
        try:
            numbers[column] = fields.number(raw)
        except fields.NotANumber:
            report.add("not_a_number", file=file, row=row, column=candidate.header(column), value=raw)
            unreadable.add(column)
            numbers[column] = None
    record = _check_numbers(candidate, meta, numbers, unreadable, report) if meta is not None else None

    source = cells.get("source")
    source = fields.clean_text(source) if not fields.is_blank(source) else None
    if source and len(source) > MAX_SOURCE_LENGTH:
        report.add("value_too_long", file=file, row=row, column=candidate.header("source"), value=source[:40] + "…",
                   limit=MAX_SOURCE_LENGTH)

    released_on = _released_on(candidate, cells, meta, period, report)

    if report.errors_since(problems_before) or record is None or admin is None or period is None:
        return None
    extra = {"released_on": released_on, "released_on_column": candidate.header("released_on")} if released_on else {}
    return {
        "indicator_code": meta["code"], "admin_code": admin, "period": period,
        "period_start": period_start(period) if memo is None else _start(period, memo), "source": source, "row": row, "file": file,
        "admin_column": candidate.header("admin_code"), "indicator_column": candidate.header("indicator_code"),
        "value_column": candidate.header("value" if candidate.cells.get("value") is not None else "numerator"),
        **record, **extra,
    }


def _period(raw, period_type: str | None, memo: dict | None) -> str:
    """fields.period, remembered per cell text within one file (a million rows name a few hundred periods)."""
    if memo is None:
        return fields.period(raw, period_type)
    key = ("period", type(raw), raw, period_type)
    found = memo.get(key)
    if found is None:
        try:
            found = fields.period(raw, period_type)
        except fields.PeriodProblem as problem:
            found = problem
        memo[key] = found
    if isinstance(found, fields.PeriodProblem):
        raise found
    return found


def _released_on(candidate: Candidate, cells: dict, meta: dict | None, period: str | None, report: ImportReport):
    """The optional released_on date (survey indicators only, not before the period starts)."""
    raw = cells.get("released_on")
    if fields.is_blank(raw):
        return None
    row, file, column = candidate.row, candidate.file, candidate.header("released_on")
    day = fields.date_value(raw)
    if day is None:
        report.add("invalid_date", file=file, row=row, column=column, value=raw)
        return None
    if meta is not None and meta["aggregation"] != "survey":
        report.add("release_date_not_survey", file=file, row=row, column=column, value=raw)
        return None
    if period is not None and day < period_start(period):
        report.add("release_date_before_period", file=file, row=row, column=column, value=raw, period=period)
        return None
    return day


def _start(period: str, memo: dict):
    key = ("start", period)
    if key not in memo:
        memo[key] = period_start(period)
    return memo[key]


def check_admin_code(raw, candidate: Candidate, lookup: Lookup, report: ImportReport) -> str | None:
    """The place code of a cell, or None after reporting it (with a suggestion when it is a known name)."""
    admin = fields.admin_code(raw)
    if admin in lookup.levels:
        return admin
    suggestion = None if admin.isdigit() else lookup.suggest_place(fields.clean_text(raw))
    if suggestion:
        report.add("unknown_admin_code", file=candidate.file, row=candidate.row, column=candidate.header("admin_code"),
                   value=raw, variant="suggestion", suggestion=suggestion[0], suggestion_name=suggestion[1])
    else:
        report.add("unknown_admin_code", file=candidate.file, row=candidate.row, column=candidate.header("admin_code"),
                   value=raw)
    return None


def range_params(low: float | None, high: float | None) -> dict:
    """Message parameters for out_of_range: which bound applies decides the wording."""
    if high is None:
        return {"variant": "at_least", "low": fields_display(low)}
    if low is None:
        return {"variant": "at_most", "high": fields_display(high)}
    return {"low": fields_display(low), "high": fields_display(high)}


def _check_numbers(candidate: Candidate, meta: dict, numbers: dict, unreadable: set[str],
                   report: ImportReport) -> dict | None:
    """Value / numerator / denominator / std_error rules for one row; None when a rule is broken."""
    row, file = candidate.row, candidate.file
    value, numerator, denominator, std_error = (numbers[c] for c in NUMBER_COLUMNS)
    ok = not unreadable

    def problem(rule: str, column: str, raw_value, **params) -> None:
        nonlocal ok
        added = report.add(rule, file=file, row=row, column=candidate.header(column), value=raw_value, **params)
        if added.is_error:
            ok = False

    for column in NUMBER_COLUMNS:
        if numbers[column] is not None and abs(numbers[column]) > MAX_MAGNITUDE:
            problem("implausible_number", column, candidate.cells[column], limit=quantity(MAX_MAGNITUDE))
    if not ok:
        return None
    for column, number in (("numerator", numerator), ("denominator", denominator)):
        if number is not None and number < 0:
            problem("negative_count", column, candidate.cells[column])
    if value is not None and value < 0 and is_count(meta):
        problem("negative_count", "value", candidate.cells["value"])

    is_ratio = meta["aggregation"] == "ratio"
    if not is_ratio and (numerator is not None or denominator is not None):
        present = "numerator" if numerator is not None else "denominator"
        problem("parts_ignored", present, candidate.cells[present])
        numerator = denominator = None

    checked_value = value
    has_parts = numerator is not None or denominator is not None or {"numerator", "denominator"} & unreadable
    if is_ratio and has_parts:
        if (numerator is None and "numerator" not in unreadable) or (
                denominator is None and "denominator" not in unreadable):
            problem("missing_value", "numerator" if numerator is None else "denominator", "")
        elif ok:
            if denominator == 0 and numerator > 0:
                problem("zero_denominator", "denominator", candidate.cells["denominator"])
            elif is_proportion(meta) and numerator > denominator:
                problem("numerator_exceeds_denominator", "numerator", candidate.cells["numerator"],
                        denominator=fields_display(denominator))
            elif denominator > 0:
                computed = numerator / denominator * meta["multiplier"]
                if value is not None and abs(value - computed) > max(0.05, abs(computed) * 0.001):
                    problem("value_mismatch", "value", candidate.cells["value"], computed=round(computed, 2))
                checked_value = computed
    elif value is None and "value" not in unreadable:
        problem("missing_value", "value", "")
    elif is_ratio and value is not None:
        problem("ratio_without_parts", "value", candidate.cells["value"])

    if ok and checked_value is not None:
        low, high = meta["min_value"], meta["max_value"]
        if (low is not None and checked_value < low) or (high is not None and checked_value > high):
            if value is not None:
                problem("out_of_range", "value", candidate.cells["value"], **range_params(low, high))
            else:
                problem("out_of_range", "numerator", round(checked_value, 2), **range_params(low, high))
    if std_error is not None and std_error < 0:
        problem("out_of_range", "std_error", candidate.cells["std_error"], **range_params(0, None))
    if not ok:
        return None
    # A ratio given only as numerator/denominator gets its value too, as the rollups and the demo store it.
    stored_value = value if value is not None else (checked_value if is_ratio else None)
    return {"value": stored_value, "numerator": numerator, "denominator": denominator, "std_error": std_error}


def fields_display(number: float | None) -> str:
    if number is None:
        return "—"
    return str(int(number)) if float(number).is_integer() else str(number)


def _ancestors(code: str) -> list[str]:
    return {7: [code[:4], code[:2], NATIONAL_CODE], 4: [code[:2], NATIONAL_CODE], 2: [NATIONAL_CODE]}.get(len(code), [])


def check_mixed_levels(records: list[dict], existing: dict[tuple[str, str], set[str]], lookup: Lookup,
                       report: ImportReport) -> list[dict]:
    """Leave out rows that would be counted twice: a place and a place inside it, same indicator and period.

    Rollups add village and district rows into the district total, so a district row
    next to village rows of that district (in the file or already in the database)
    would double the figure. Survey estimates are never added up and may coexist.
    existing: admin codes already in the database per (indicator, period).
    """
    by_pair: dict[tuple[str, str], set[str]] = {}
    for record in records:
        by_pair.setdefault((record["indicator_code"], record["period"]), set()).add(record["admin_code"])
    # Per pair: every code that has something reported inside it -> one such place (for the message).
    inner: dict[tuple[str, str], dict[str, str]] = {}
    reported: dict[tuple[str, str], set[str]] = {}
    for pair, codes in by_pair.items():
        reported[pair] = codes | existing.get(pair, set())
        contained: dict[str, str] = {}
        for code in sorted(reported[pair]):
            for ancestor in _ancestors(code):
                contained.setdefault(ancestor, code)
        inner[pair] = contained
    kept = []
    for record in records:
        pair = (record["indicator_code"], record["period"])
        code = record["admin_code"]
        clash = None
        if lookup.indicators[record["indicator_code"]]["aggregation"] != "survey":
            clash = next((other for other in _ancestors(code) if other in reported[pair]), None) or inner[pair].get(code)
        if clash is None:
            kept.append(record)
            continue
        report.add("mixed_levels", file=record.get("file") or report.file_name, row=record["row"],
                   column=record.get("admin_column") or "admin_code", value=code, other=clash,
                   indicator=record["indicator_code"], period=record["period"])
    return kept


def read_indicator_file(data: bytes, file_name: str, lookup: Lookup, report: ImportReport) -> list[dict]:
    """Validate a long-format file; returns the valid observation rows (the report holds the rest)."""
    table = read_table(data, file_name)
    candidates = candidates_from_table(table, report)
    report.rows_total = len(candidates)
    records = survey_rounds.check(validate_observations(candidates, lookup, report), report)
    report.rows_valid = len(records)
    return records
