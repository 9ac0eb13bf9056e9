"""Reading single cells: codes, numbers, periods and dates as people and spreadsheets write them."""
import datetime as dt
import re
import unicodedata

from data_access.periods import PeriodError, period_containing, period_start, period_type_of

# Lao digits ໐-໙ (U+0ED0..U+0ED9) mean the same as 0-9.
_LAO_DIGITS = {0x0ED0 + i: str(i) for i in range(10)}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xa0"), None)


class Formula:
    """A spreadsheet cell holding a formula: kept as written, never evaluated."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


def is_blank(value) -> bool:
    if value is None:
        return True
    if type(value) is str:
        # The common case, a million times per large file: ASCII needs no normalising.
        return not (value.strip() if value.isascii() else clean_text(value))
    if isinstance(value, float) and value != value:  # NaN from a spreadsheet library
        return True
    return isinstance(value, str) and not clean_text(value)


def clean_text(value) -> str:
    """Text in NFC without zero-width characters, no-break spaces or surrounding blanks."""
    if type(value) is str and value.isascii():
        # NFC leaves ASCII alone and every invisible character removed below is not ASCII.
        return value.strip()
    return unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE).strip()


def ascii_digits(text: str) -> str:
    return text.translate(_LAO_DIGITS)


# ---------------------------------------------------------------- codes

_ADMIN_CODE = re.compile(r"^(\d{2}|\d{4}|\d{7})$")
_CODE_LENGTHS = {1: 2, 3: 4, 5: 7, 6: 7}


def admin_code(value) -> str:
    """Our code for a place: "LA0703" -> "0703"; a number that lost its leading zero (703) -> "0703".

    Returns the normalised text; whether it names a real place is the caller's check.
    Only lengths that no official code has (1, 3, 5, 6 digits) are padded, so padding
    never turns one valid code into another.
    """
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = ascii_digits(clean_text(value)).replace(" ", "")
    if text[:2].upper() == "LA" and text[2:].isdigit():
        text = text[2:]
    if text.isdigit() and len(text) in _CODE_LENGTHS:
        text = text.zfill(_CODE_LENGTHS[len(text)])
    return text


def looks_like_admin_code(text: str) -> bool:
    return bool(_ADMIN_CODE.match(text))


def indicator_code(value) -> str:
    return clean_text(value).upper().replace(" ", "_")


# ---------------------------------------------------------------- numbers

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class NotANumber(ValueError):
    pass


def number(value) -> float | None:
    """A cell as a float; None when blank. "1,234" and "85 %" are read; anything else raises NotANumber."""
    if is_blank(value):
        return None
    if isinstance(value, bool) or isinstance(value, Formula):
        raise NotANumber(str(value))
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise NotANumber(str(value))
        return float(value)
    text = ascii_digits(clean_text(value)).replace(" ", "")
    if text.endswith("%"):
        text = text[:-1]
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        result = float(text)
    except ValueError:
        raise NotANumber(str(value)) from None
    if result != result or result in (float("inf"), float("-inf")):
        raise NotANumber(str(value))
    return result


# ---------------------------------------------------------------- dates

def date_value(value) -> dt.date | None:
    """An Excel date cell, or text "2023-05-31" / "31/05/2023"; None when it is not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = ascii_digits(clean_text(value))
    # Regular expressions, not strptime: this runs for every period cell of large files.
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, map(int, match.groups()[:3])))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
    return None


_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"), "ymd"),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$"), "dmy"),
)


# ---------------------------------------------------------------- periods

_MONTH_NAMES_EN = ["january", "february", "march", "april", "may", "june", "july", "august",
                   "september", "october", "november", "december"]
_MONTH_NAMES_LO = ["ມັງກອນ", "ກຸມພາ", "ມີນາ", "ເມສາ", "ພຶດສະພາ", "ມິຖຸນາ", "ກໍລະກົດ", "ສິງຫາ",
                   "ກັນຍາ", "ຕຸລາ", "ພະຈິກ", "ທັນວາ"]
_MONTH_WORDS: dict[str, int] = {}
for _number, _name in enumerate(_MONTH_NAMES_EN, start=1):
    _MONTH_WORDS[_name] = _number
    _MONTH_WORDS[_name[:3]] = _number
for _number, _name in enumerate(_MONTH_NAMES_LO, start=1):
    _MONTH_WORDS[_name] = _number
    _MONTH_WORDS["ເດືອນ" + _name] = _number

_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "ym"),
    (re.compile(r"^(\d{4})/(\d{1,2})$"), "ym"),
    (re.compile(r"^(\d{4})(\d{2})$"), "ym"),          # DHIS2 monthly: 202305
    (re.compile(r"^(\d{1,2})[/-](\d{4})$"), "my"),
    (re.compile(r"^(\d{4})-?Q([1-4])$"), "yq"),        # 2023-Q2, DHIS2 quarterly: 2023Q2
    (re.compile(r"^Q([1-4])[ /-]?(\d{4})$"), "qy"),
    (re.compile(r"^ໄຕມາດ ?([1-4])[ /-]?(\d{4})$"), "qy"),
    (re.compile(r"^(\d{4})$"), "y"),
]


class PeriodProblem(ValueError):
    """rule: invalid_period, period_type_mismatch or period_out_of_range; found: the period type the text has."""

    def __init__(self, rule: str, found: str | None = None, **params):
        super().__init__(rule)
        self.rule = rule
        self.found = found
        self.params = params


# The program's data start after 2000; a period starting more than a year after today is a typo
# (9999, 2203 for 2023), not a plan: plans are targets, imported with their own year rule.
FIRST_PERIOD_YEAR = 2000
FUTURE_DAYS_ALLOWED = 365


def check_period_range(code: str, today: dt.date | None = None) -> None:
    """PeriodProblem("period_out_of_range") unless the period starts in 2000 or later and within a year of today."""
    last = (today or dt.date.today()) + dt.timedelta(days=FUTURE_DAYS_ALLOWED)
    year = int(code[:4])
    # The year is compared first: period_start cannot even build year 0.
    if year < FIRST_PERIOD_YEAR or year > last.year or period_start(code) > last:
        # {"date": ...}: the report shows it as a date in the reader's language.
        raise PeriodProblem("period_out_of_range", first=FIRST_PERIOD_YEAR, last={"date": last.isoformat()})


def _period_text(value) -> str | None:
    """The period a cell names, as one of our codes, or None if it names none."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = ascii_digits(clean_text(value)).upper()
    text = re.sub(r"\s+", " ", text)
    for pattern, shape in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        if shape == "ym":
            year, month = int(match.group(1)), int(match.group(2))
        elif shape == "my":
            month, year = int(match.group(1)), int(match.group(2))
        elif shape == "yq":
            return f"{match.group(1)}-Q{match.group(2)}"
        elif shape == "qy":
            return f"{match.group(2)}-Q{match.group(1)}"
        else:
            return match.group(1)
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    # "May 2023", "ພຶດສະພາ 2023", "ເດືອນ ພຶດສະພາ 2023"
    words = clean_text(ascii_digits(str(value))).casefold().replace(",", " ").split()
    if len(words) >= 2 and words[-1].isdigit() and len(words[-1]) == 4:
        month = _MONTH_WORDS.get("".join(words[:-1])) or _MONTH_WORDS.get(words[-2])
        if month:
            return f"{words[-1]}-{month:02d}"
    return None


def period(value, period_type: str | None) -> str:
    """The period code ("2023-05", "2023-Q2", "2023") a cell gives for an indicator of period_type.

    A date (an Excel date cell or an ISO date) stands for the period containing it. Text
    must name a period of the indicator's own type: "2023-Q2" for a monthly indicator
    raises PeriodProblem("period_type_mismatch"), never a guess.
    """
    day = date_value(value)
    if day is not None:
        code = period_containing(day, period_type or "month")
        check_period_range(code)
        return code
    code = _period_text(value)
    if code is None:
        raise PeriodProblem("invalid_period")
    try:
        period_start(code)
        found = period_type_of(code)
    except (PeriodError, ValueError):  # ValueError: year 0, which no calendar has
        if code[:4].isdigit():
            check_period_range(code[:4])
        raise PeriodProblem("invalid_period") from None
    if period_type and found != period_type:
        raise PeriodProblem("period_type_mismatch", found)
    check_period_range(code)
    return code
