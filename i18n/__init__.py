"""The one translation layer: message catalogs (en, lo) and language-aware number/date formatting."""
import datetime as dt
import decimal
import logging
import math
import numbers
import tomllib
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

LANGUAGES = ("lo", "en")
FALLBACK_LANGUAGE = "en"
CATALOG_DIR = Path(__file__).parent / "catalogs"
log = logging.getLogger(__name__)


class MissingTranslation(KeyError):
    """A message key that is in no catalog, or lacks one of the languages."""


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """All messages: key -> {"en": ..., "lo": ...}, merged from i18n/catalogs/*.toml.

    One file per area (shell, overview, map, ...) so that pages own their messages;
    a key defined in two files is an error, not a silent override.
    """
    messages: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOG_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            entries = tomllib.load(handle)
        for key, texts in entries.items():
            if key in messages:
                raise ValueError(f"{path.name}: message key {key!r} is already defined in another catalog")
            messages[key] = texts
    return messages


def normalise_language(lang: str | None, default: str = "lo") -> str:
    lang = (lang or "").strip().lower()[:2]
    return lang if lang in LANGUAGES else default


def translate(key: str, lang: str, **params) -> str:
    """The message for key in lang, with {named} parameters filled in."""
    texts = catalog().get(key)
    if texts is None:
        log.error("missing translation key %r", key)
        return key
    text = texts.get(lang) or texts.get(FALLBACK_LANGUAGE) or key
    return text.format(**params) if params else text


t = translate


def written_language(text: str | None) -> str | None:
    """The language a person's free text is written in, by its script: "lo" when it has Lao letters,
    "en" when it has Latin ones only (the program's notes are in Lao or English), None with no
    letters (a number, a date). Free text is shown as written, never translated: this only marks it."""
    text = text or ""
    if any("\u0e80" <= char <= "\u0eff" for char in text):
        return "lo"
    if any(char.isascii() and char.isalpha() for char in text):
        return "en"
    return None


def name_column(lang: str) -> str:
    """The database column holding names in this language (name_lo / name_en)."""
    return "name_lo" if lang == "lo" else "name_en"


def _language_columns(lang: str, field: str) -> tuple[str, str]:
    """The field's column in the reader's language, then the other one (the fallback)."""
    return (f"{field}_lo", f"{field}_en") if lang == "lo" else (f"{field}_en", f"{field}_lo")


def localized(row, lang: str, field: str = "name") -> str:
    """row[field_lo] or row[field_en], falling back to the other language when empty."""
    first, second = _language_columns(lang, field)
    value = row.get(first) if hasattr(row, "get") else getattr(row, first, None)
    if _is_missing(value) or value == "":
        value = row.get(second) if hasattr(row, "get") else getattr(row, second, None)
    return value or ""


def localized_names(frame, lang: str, field: str = "name") -> list[str]:
    """localized(row, lang, field) for every row of a DataFrame, read from its two columns only:
    a national map names 8,500 villages, and turning each whole row into a dict cost ~100 ms."""
    first, second = _language_columns(lang, field)
    firsts = frame[first].tolist() if first in frame else [None] * len(frame)
    seconds = frame[second].tolist() if second in frame else [None] * len(frame)
    return [(other if _is_missing(value) or value == "" else value) or "" for value, other in zip(firsts, seconds)]


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def round_half_up(value, decimals: int = 0) -> decimal.Decimal:
    """value rounded to `decimals` places, halves away from zero: 22.5 -> 23, 0.05 -> 0.1 (1 place),
    -0.5 -> -1. Python's round() and Babel round half to even (22.5 -> 22), which readers take for
    a mistake. The float's shortest repr is rounded, not its binary expansion, so 0.05 (stored as
    0.05000000000000000277) and 2.675 (stored as 2.67499999999999982236) both round as written.
    A result of zero is plain 0, never "-0". Only for display: stored values keep their precision.
    """
    if isinstance(value, decimal.Decimal):
        exact = value
    elif isinstance(value, numbers.Integral):
        exact = decimal.Decimal(int(value))
    else:
        exact = decimal.Decimal(repr(float(value)))
    rounded = exact.quantize(decimal.Decimal(1).scaleb(-max(decimals, 0)), rounding=decimal.ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def format_number(value, lang: str, decimals: int = 0) -> str:
    """1234567.8 -> "1,234,568" (en) / "1.234.568" (lo); missing -> the "no data" word.

    Rounds half up (round_half_up); the grouping and symbols are the locale's (Babel's CLDR data),
    applied here rather than through Babel's pattern formatter, which cost ~50 µs a number and a
    page shows thousands (tests/i18n check both give the same text).
    """
    if _is_missing(value):
        return translate("common.no_data", lang)
    if isinstance(value, float) and math.isinf(value):
        return format_decimal(value, locale=_babel_locale(lang))
    decimals = max(int(decimals), 0)
    if isinstance(value, numbers.Integral) or (isinstance(value, float) and value.is_integer()):
        # Whole numbers (counts, days): nothing to round, and no Decimal needed (thousands of them per chart).
        text = f"{int(value):,}" + ("." + "0" * decimals if decimals else "")
    else:
        text = f"{round_half_up(value, decimals):,.{decimals}f}"
    group, point, minus = _number_symbols(lang)
    if (group, point) != (",", "."):
        text = text.replace(",", "\0").replace(".", point).replace("\0", group)
    return minus + text[1:] if text.startswith("-") else text


@lru_cache(maxsize=4)
def _number_symbols(lang: str) -> tuple[str, str, str]:
    locale = _babel_locale(lang)
    return get_group_symbol(locale), get_decimal_symbol(locale), get_minus_sign_symbol(locale)


def format_value(value, unit: str, lang: str) -> str:
    """A value with its unit, as a reader expects it (percent with one decimal, counts whole)."""
    if _is_missing(value):
        return translate("common.no_data", lang)
    if unit == "percent":
        return format_number(value, lang, 1) + " %"
    if unit == "days":
        return format_number(value, lang, 0) + " " + translate("unit.days", lang)
    if unit in ("LAK", "USD"):
        return format_number(value, lang, 0) + " " + translate(f"unit.{unit}", lang)
    return format_number(value, lang, 0)


@lru_cache(maxsize=4096)
def format_period(period: str | None, lang: str, short: bool = False) -> str:
    """"2023-05" -> "May 2023" / "ພຶດສະພາ 2023"; "2023-Q2" -> "Q2 2023" / "ໄຕມາດ 2/2023";
    "2022-S2" -> "Jul–Dec 2022"."""
    if not period:
        return translate("common.no_data", lang)
    if "-Q" in period:
        year, quarter = period.split("-Q")
        return translate("period.quarter", lang, quarter=quarter, year=year)
    if "-S" in period:
        # A semester (a review period of the shared filter): "Jul–Dec 2022".
        year, half = period.split("-S")
        return translate(f"period.semester_{half}", lang, year=year)
    if len(period) == 4:
        return period
    year, month = period.split("-")
    pattern = "MMM yyyy" if short else "MMMM yyyy"
    return format_date(dt.date(int(year), int(month), 1), pattern, locale=_babel_locale(lang))


@lru_cache(maxsize=8192)
def format_day(day: dt.date | None, lang: str) -> str:
    if day is None:
        return translate("common.no_data", lang)
    return format_date(day, "d MMM yyyy", locale=_babel_locale(lang))


def _babel_locale(lang: str) -> str:
    return "lo_LA" if lang == "lo" else "en_GB"
