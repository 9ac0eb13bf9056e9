"""Numbers, months, quarters and days as a reader of each language writes them; missing is the "no data" word."""
import datetime as dt
import math

import pytest

from i18n import format_day, format_number, format_period, format_value, t

LAO_MONTHS = ["ມັງກອນ", "ກຸມພາ", "ມີນາ", "ເມສາ", "ພຶດສະພາ", "ມິຖຸນາ",
              "ກໍລະກົດ", "ສິງຫາ", "ກັນຍາ", "ຕຸລາ", "ພະຈິກ", "ທັນວາ"]
ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June",
                  "July", "August", "September", "October", "November", "December"]
LAO_DIGITS = set("໐໑໒໓໔໕໖໗໘໙")


@pytest.mark.parametrize("value, decimals, lang, expected", [
    (1234567, 0, "en", "1,234,567"),
    (1234567, 0, "lo", "1.234.567"),
    (42000.4, 0, "en", "42,000"),
    (42000.4, 0, "lo", "42.000"),
    (1234.56, 1, "en", "1,234.6"),
    (1234.56, 1, "lo", "1.234,6"),
    (999, 0, "lo", "999"),
    (0, 0, "lo", "0"),
    (-1500, 0, "en", "-1,500"),
])
def test_thousands_separators_and_decimal_marks_per_language(value, decimals, lang, expected):
    assert format_number(value, lang, decimals) == expected


@pytest.mark.parametrize("lang", ["lo", "en"])
def test_numbers_use_the_digits_lao_reports_use(lang):
    assert not LAO_DIGITS & set(format_number(9876543.21, lang, 2) + format_period("2023-09", lang))


@pytest.mark.parametrize("missing", [None, math.nan, float("nan")])
@pytest.mark.parametrize("lang, word", [("lo", "ບໍ່ມີຂໍ້ມູນ"), ("en", "no data")])
def test_missing_is_the_no_data_word_never_zero(missing, lang, word):
    assert format_number(missing, lang) == word
    assert format_value(missing, "percent", lang) == word
    assert format_value(missing, "people", lang) == word
    assert t("common.no_data", lang) == word


@pytest.mark.parametrize("lang, word", [("lo", "ບໍ່ມີຂໍ້ມູນ"), ("en", "no data")])
def test_missing_periods_and_days_are_the_no_data_word(lang, word):
    assert format_period(None, lang) == word
    assert format_period("", lang) == word
    assert format_day(None, lang) == word


def test_zero_is_shown_as_zero_not_as_no_data():
    assert format_value(0, "percent", "lo") == "0,0 %"
    assert format_value(0, "people", "en") == "0"


@pytest.mark.parametrize("value, unit, lang, expected", [
    (45.26, "percent", "en", "45.3 %"),
    (45.26, "percent", "lo", "45,3 %"),
    (12, "days", "en", "12 days"),
    (12, "days", "lo", "12 ມື້"),
    (41980, "people", "lo", "41.980"),
    (41980, "people", "en", "41,980"),
])
def test_values_carry_their_unit_in_the_readers_language(value, unit, lang, expected):
    assert format_value(value, unit, lang) == expected


def test_money_in_lao_uses_the_lao_currency_word():
    assert format_value(100000, "LAK", "lo") == "100.000 ກີບ"
    assert format_value(12, "USD", "lo") == "12 ໂດລາ"


def test_money_in_english_keeps_the_currency_code():
    assert format_value(100000, "LAK", "en") == "100,000 LAK"


@pytest.mark.parametrize("month", range(1, 13))
def test_months_are_named_in_lao_and_in_english(month):
    period = f"2023-{month:02d}"
    assert format_period(period, "lo") == f"{LAO_MONTHS[month - 1]} 2023"
    assert format_period(period, "en") == f"{ENGLISH_MONTHS[month - 1]} 2023"


def test_short_month_names_are_lao_abbreviations():
    short = [format_period(f"2024-{month:02d}", "lo", short=True) for month in range(1, 13)]
    assert short[0] == "ມ.ກ. 2024"
    assert len(set(short)) == 12
    for text in short:
        name, year = text.rsplit(" ", 1)
        assert year == "2024" and all("\u0e80" <= char <= "\u0eff" or char == "." for char in name)
    assert format_period("2024-01", "en", short=True) == "Jan 2024"


@pytest.mark.parametrize("period, lang, expected", [
    ("2023-Q2", "lo", "ໄຕມາດ 2/2023"),
    ("2023-Q2", "en", "Q2 2023"),
    ("2024-Q4", "lo", "ໄຕມາດ 4/2024"),
    ("2022", "lo", "2022"),
    ("2022", "en", "2022"),
])
def test_quarters_and_years(period, lang, expected):
    assert format_period(period, lang) == expected


@pytest.mark.parametrize("lang, expected", [("lo", "5 ມ.ກ. 2024"), ("en", "5 Jan 2024")])
def test_days_are_day_month_year(lang, expected):
    assert format_day(dt.date(2024, 1, 5), lang) == expected


# Shown values round half up (away from zero); Python's round() and Babel would give 22 and 0.0.
@pytest.mark.parametrize("value, decimals, lang, expected", [
    (22.5, 0, "en", "23"),
    (23.5, 0, "en", "24"),
    (22.4999, 0, "en", "22"),
    (-0.5, 0, "en", "-1"),
    (-0.4, 0, "en", "0"),
    (-0.04, 1, "lo", "0,0"),
    (0.05, 1, "en", "0.1"),
    (0.05, 1, "lo", "0,1"),
    (0.25, 1, "en", "0.3"),
    (2.675, 2, "en", "2.68"),
    (1234567.5, 0, "lo", "1.234.568"),
    (7, 1, "en", "7.0"),
    (10**15 + 1, 0, "en", "1,000,000,000,000,001"),
])
def test_shown_numbers_round_half_up(value, decimals, lang, expected):
    assert format_number(value, lang, decimals) == expected


@pytest.mark.parametrize("value, unit, lang, expected", [
    (22.5, "days", "en", "23 days"),
    (12.25, "percent", "en", "12.3 %"),
    (12.35, "percent", "lo", "12,4 %"),
    (0.05, "percent", "en", "0.1 %"),
    (-0.05, "percent", "en", "-0.1 %"),
    (99.95, "percent", "en", "100.0 %"),
    (1500.5, "LAK", "en", "1,501 " + t("unit.LAK", "en")),
])
def test_shown_values_with_units_round_half_up(value, unit, lang, expected):
    assert format_value(value, unit, lang) == expected


def test_rounding_for_display_leaves_the_value_itself_alone():
    from i18n import round_half_up

    value = 22.5
    assert str(round_half_up(value)) == "23"
    assert value == 22.5
    assert str(round_half_up(0.05, 1)) == "0.1"


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_numbers_read_as_babel_writes_them_after_rounding_half_up(lang):
    """format_number groups and punctuates by hand (speed); Babel's own formatter is the reference."""
    import random

    from babel.numbers import format_decimal

    from i18n import _babel_locale, round_half_up

    rng = random.Random(20190621)
    values = [0, 1, -1, 0.5, 22.5, -22.5, 999.95, 1000, -1000, 1234567.85, 0.05, 2.675, 10**12 + 0.5, -0.04,
              *[rng.uniform(-1e7, 1e7) for _ in range(300)], *[rng.randint(-10**9, 10**9) for _ in range(100)]]
    for value in values:
        for decimals in (0, 1, 2):
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            expected = format_decimal(round_half_up(value, decimals), format=pattern, locale=_babel_locale(lang),
                                      decimal_quantization=True)
            assert format_number(value, lang, decimals) == expected, (value, decimals)


@pytest.mark.parametrize("text, expected", [
    ("Joint plan signed by the four provinces (demo).", "en"),
    ("ຈັດຝຶກອົບຮົມແລ້ວ ຢູ່ສາມເມືອງ, ພະນັກງານເຂົ້າຮ່ວມ 46 ຄົນ", "lo"),
    ("PAFO ຫົວພັນ", "lo"),  # a Lao note that names an office in Latin letters is still Lao
    ("2023-02-27", None), ("", None), (None, None),
])
def test_written_language_reads_the_script(text, expected):
    from i18n import written_language

    assert written_language(text) == expected


def test_localized_names_match_localized_row_by_row():
    import math

    import pandas as pd

    from i18n import localized, localized_names

    frame = pd.DataFrame({"name_en": ["Xamneua", None, "", "Viengxay", math.nan],
                          "name_lo": ["ຊຳເໜືອ", "ຊຽງຄໍ້", "ວຽງໄຊ", None, None],
                          "code": ["0701", "0702", "0703", "0704", "0705"]})
    for lang in ("en", "lo"):
        expected = [localized(record, lang) for record in frame.to_dict("records")]
        assert localized_names(frame, lang) == expected
    assert localized_names(frame, "en")[:3] == ["Xamneua", "ຊຽງຄໍ້", "ວຽງໄຊ"]
    assert localized_names(frame, "lo")[3] == "Viengxay"
    assert localized_names(frame.iloc[0:0], "en") == []
