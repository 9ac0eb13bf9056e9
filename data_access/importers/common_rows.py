"""The common indicator row, validated from memos: the short way through indicators._validate_one.

A million-row file names a few indicators, a few thousand places and periods and repeats the
same numbers over and over, and nearly every row breaks no rule. CommonRows.record returns
the record _validate_one would return for a row that has nothing to report, reading each
distinct cell text once; for anything else (a problem, a warning, a formula, a release date,
a cell that is not text) it returns None and the row takes the full way, which reports it.
tests/data_access/test_common_rows.py holds the two ways to the same answers.
"""
from data_access.importers import fields
from data_access.importers.indicators import (LEVEL_RANK, MAX_MAGNITUDE, MAX_SOURCE_LENGTH, SURVEY_LEVELS,
                                              is_count, is_proportion)
from data_access.importers.lookup import Lookup
from data_access.periods import period_start

# Memos of number and source texts stop growing here (a file of all-distinct values stays flat in memory).
MEMO_LIMIT = 200_000
_FULL = object()  # memo entry: this text needs the full way
_NUMBERS = ("value", "numerator", "denominator", "std_error")


class CommonRows:
    """The memos of one file: positions maps canonical columns to cell positions, headers to headers as written."""

    def __init__(self, lookup: Lookup, file_name: str, positions: dict[str, int], headers: dict[str, str]):
        self.lookup = lookup
        self.file = file_name
        self.positions = positions
        self.indicator_at = positions["indicator_code"]
        self.admin_at = positions["admin_code"]
        self.period_at = positions["period"]
        self.number_at = [positions.get(column) for column in _NUMBERS]
        self.source_at = positions.get("source")
        self.released_at = positions.get("released_on")
        header = lambda column: headers.get(column, column)  # noqa: E731 - Candidate.header
        self.columns = {"admin_column": header("admin_code"), "indicator_column": header("indicator_code")}
        # As _validate_one names it: the value column when the row has a value cell (even an empty one;
        # a short row has none), else the numerator's.
        self.value_at = positions.get("value")
        self.numerator_column = header("numerator")
        self.value_column = header("value") if self.value_at is not None else self.numerator_column
        self._indicators: dict[str, object] = {}
        self._admins: dict[str, object] = {}
        self._periods: dict[tuple, object] = {}
        self._numbers: dict[str, object] = {}
        self._sources: dict[str, object] = {}
        self._levels: dict[tuple, bool] = {}

    def record(self, number: int, cells: list) -> dict | None:
        """The observation record of the row, or None: take the full way."""
        meta = self._indicator(cells[self.indicator_at])
        if meta is None:
            return None
        admin = self._admin(cells[self.admin_at])
        if admin is None:
            return None
        period = self._period(cells[self.period_at], meta["period_type"])
        if period is None or not self._level_allowed(meta, admin[1]):
            return None
        numbers = []
        for position in self.number_at:
            parsed = None if position is None else self._number(cells[position])
            if parsed is _FULL:
                return None
            numbers.append(parsed)
        value = _checked_value(meta, *numbers)
        if value is _FULL:
            return None
        source = None if self.source_at is None else self._source(cells[self.source_at])
        if source is _FULL:
            return None
        if self.released_at is not None:
            released = cells[self.released_at]
            if released is not None and (type(released) is not str or not fields.is_blank(released)):
                return None
        value_column = self.value_column if self.value_at is None or cells[self.value_at] is not None \
            else self.numerator_column
        return {"indicator_code": meta["code"], "admin_code": admin[0], "period": period[0],
                "period_start": period[1], "source": source, "row": number, "file": self.file, **self.columns,
                "value_column": value_column, "value": value, "numerator": numbers[1],
                "denominator": numbers[2], "std_error": numbers[3]}

    # ------------------------------------------------------------ cells, each text read once

    def _indicator(self, raw) -> dict | None:
        found = self._indicators.get(raw) if type(raw) is str else None
        if found is None:
            if type(raw) is not str or fields.is_blank(raw):
                return None
            found = self._indicators[raw] = self.lookup.indicators.get(fields.indicator_code(raw)) or _FULL
        return None if found is _FULL else found

    def _admin(self, raw) -> tuple[str, str] | None:
        found = self._admins.get(raw) if type(raw) is str else None
        if found is None:
            if type(raw) is not str or fields.is_blank(raw):
                return None
            code = fields.admin_code(raw)
            level = self.lookup.levels.get(code)
            found = self._admins[raw] = _FULL if level is None else (code, level)
        return None if found is _FULL else found

    def _period(self, raw, period_type: str) -> tuple | None:
        if type(raw) is not str:
            return None
        key = (raw, period_type)
        found = self._periods.get(key)
        if found is None:
            found = _FULL
            if not fields.is_blank(raw):
                try:
                    code = fields.period(raw, period_type)
                    found = (code, period_start(code))
                except fields.PeriodProblem:
                    pass
            self._periods[key] = found
        return None if found is _FULL else found

    def _level_allowed(self, meta: dict, level: str) -> bool:
        key = (meta["code"], level)
        allowed = self._levels.get(key)
        if allowed is None:
            levels = SURVEY_LEVELS if meta["aggregation"] == "survey" else tuple(
                name for name, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[meta["level"]])
            allowed = self._levels[key] = level in levels
        return allowed

    def _number(self, raw):
        """fields.number of a text cell (None when blank), _FULL when it is not one or too large to be plausible."""
        if raw is None:
            return None
        if type(raw) is not str:
            return _FULL
        found = self._numbers.get(raw)
        if found is None and raw not in self._numbers:
            try:
                found = fields.number(raw)
            except fields.NotANumber:
                found = _FULL
            if found is not None and found is not _FULL and abs(found) > MAX_MAGNITUDE:
                found = _FULL
            if len(self._numbers) < MEMO_LIMIT:
                self._numbers[raw] = found
        return found

    def _source(self, raw):
        if raw is None:
            return None
        if type(raw) is not str:
            return _FULL
        found = self._sources.get(raw)
        if found is None and raw not in self._sources:
            found = None if fields.is_blank(raw) else fields.clean_text(raw)
            if found is not None and len(found) > MAX_SOURCE_LENGTH:
                found = _FULL
            if len(self._sources) < MEMO_LIMIT:
                self._sources[raw] = found
        return found


def _checked_value(meta: dict, value, numerator, denominator, std_error):
    """The value indicators._check_numbers stores for numbers that break none of its rules, else _FULL.

    Any branch in which _check_numbers reports something (an error or a warning) is _FULL.
    """
    if (numerator is not None and numerator < 0) or (denominator is not None and denominator < 0):
        return _FULL
    if value is not None and value < 0 and is_count(meta):
        return _FULL
    if std_error is not None and std_error < 0:
        return _FULL
    is_ratio = meta["aggregation"] == "ratio"
    checked = value
    if numerator is not None or denominator is not None:
        if not is_ratio or numerator is None or denominator is None:
            return _FULL  # parts_ignored, or one part missing
        if denominator == 0 and numerator > 0:
            return _FULL
        if is_proportion(meta) and numerator > denominator:
            return _FULL
        if denominator > 0:
            checked = numerator / denominator * meta["multiplier"]
            if value is not None and abs(value - checked) > max(0.05, abs(checked) * 0.001):
                return _FULL
    elif value is None or is_ratio:
        return _FULL  # missing_value, ratio_without_parts
    low, high = meta["min_value"], meta["max_value"]
    if checked is not None and ((low is not None and checked < low) or (high is not None and checked > high)):
        return _FULL
    return value if value is not None else (checked if is_ratio else None)
