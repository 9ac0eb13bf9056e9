"""The tables the pages show, as (frame, columns) for export: built from the pages' own query results.

Nothing here computes a number: each function renames, translates and orders what the
page's query returned, so an export and the page it came from always agree.
"""
import pandas as pd

from i18n import format_period, localized, t
from reports.exports import Column

STAGE_KEYS = {"awaiting_approval", "awaiting_funds", "awaiting_payment"}


def _names(frame: pd.DataFrame, lang: str, field: str = "name") -> pd.Series:
    if frame.empty:
        return pd.Series(dtype=object)
    return frame.apply(lambda row: localized(row, lang, field), axis=1)


def _stage_text(stage, lang: str) -> str:
    if stage in STAGE_KEYS:
        return t(f"trends.stage_{stage}", lang)
    return t("export.stage_paid", lang) if stage == "paid" else str(stage or "")


def _period_text(series: pd.Series, lang: str) -> pd.Series:
    return series.map(lambda period: format_period(period, lang) if isinstance(period, str) and period else None)


def backlog_table(pipeline: dict, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """Who waits, since when: the open cycles of payment_pipeline(), longest wait first."""
    backlog = pipeline["backlog"]
    frame = pd.DataFrame({
        "district_code": backlog.get("district_code"),
        "district": _names(backlog, lang),
        "period": backlog.get("period"),
        "cycle": _period_text(backlog.get("period", pd.Series(dtype=object)), lang),
        "stage": backlog.get("stage", pd.Series(dtype=object)).map(lambda stage: _stage_text(stage, lang)),
        "verified_on": backlog.get("verified_on"),
        "days": backlog.get("days_since_verified"),
        "beneficiaries": backlog.get("beneficiaries"),
    })
    return frame, [
        Column("district_code", t("export.col_district_code", lang), "code"),
        Column("district", t("common.district", lang)),
        Column("period", t("export.col_cycle_code", lang), "code"),
        Column("cycle", t("trends.col_cycle", lang)),
        Column("stage", t("trends.col_stage", lang)),
        Column("verified_on", t("trends.col_verified", lang), "date"),
        Column("days", t("trends.col_days_waited", lang), "days"),
        Column("beneficiaries", t("trends.col_beneficiaries", lang), "integer"),
    ]


def cycles_table(pipeline: dict, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """Every payment cycle of payment_pipeline() with its four dates, where it is and the days so far."""
    cycles = pipeline["pipeline"]
    frame = pd.DataFrame({
        "district_code": cycles.get("district_code"),
        "district": _names(cycles, lang),
        "period": cycles.get("period"),
        "verified_on": cycles.get("verified_on"),
        "approved_on": cycles.get("approved_on"),
        "funds_sent_on": cycles.get("funds_sent_on"),
        "paid_on": cycles.get("paid_on"),
        "stage": cycles.get("stage", pd.Series(dtype=object)).map(lambda stage: _stage_text(stage, lang)),
        "days_to_paid": cycles.get("days_verified_to_paid"),
        "days_since_verified": cycles.get("days_since_verified"),
        "beneficiaries": cycles.get("beneficiaries"),
        "amount_lak": cycles.get("amount_lak"),
    })
    if not frame.empty:
        frame = frame.sort_values(["period", "district_code"], ascending=[False, True])
    return frame, [
        Column("district_code", t("export.col_district_code", lang), "code"),
        Column("district", t("common.district", lang)),
        Column("period", t("export.col_cycle_code", lang), "code"),
        Column("verified_on", t("trends.col_verified", lang), "date"),
        Column("approved_on", t("export.col_approved_on", lang), "date"),
        Column("funds_sent_on", t("export.col_funds_sent_on", lang), "date"),
        Column("paid_on", t("export.col_paid_on", lang), "date"),
        Column("stage", t("export.col_where", lang)),
        Column("days_to_paid", t("export.col_days_to_paid", lang), "days"),
        Column("days_since_verified", t("export.col_days_since_verified", lang), "days"),
        Column("beneficiaries", t("trends.col_beneficiaries", lang), "integer"),
        Column("amount_lak", t("export.col_amount_lak", lang), "money"),
    ]


def disbursement_table(management: dict, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """Budget planned and disbursed per quarter (management_trends()["disbursement"]), with the running totals."""
    money = management["disbursement"]
    frame = pd.DataFrame({
        "period": money.get("period"),
        "quarter": _period_text(money.get("period", pd.Series(dtype=object)), lang),
        "planned_usd": money.get("planned_usd"),
        "disbursed_usd": money.get("disbursed_usd"),
        "rate": money.get("rate"),
        "lak_per_usd": money.get("lak_per_usd"),
        "planned_lak": money.get("planned_lak"),
        "disbursed_lak": money.get("disbursed_lak"),
    })
    # Running totals are sums of the page's own quarterly figures; a missing quarter makes
    # every later total missing instead of quietly smaller.
    for column in ("planned_usd", "disbursed_usd"):
        values = pd.to_numeric(frame[column], errors="coerce")
        frame[f"cum_{column}"] = values.cumsum().where(values.notna().cummin())
    return frame, [
        Column("period", t("export.col_quarter_code", lang), "code"),
        Column("quarter", t("export.col_quarter", lang)),
        Column("planned_usd", t("export.col_planned_usd", lang), "money"),
        Column("disbursed_usd", t("export.col_disbursed_usd", lang), "money"),
        Column("rate", t("export.col_rate", lang), "percent"),
        Column("cum_planned_usd", t("export.col_cum_planned_usd", lang), "money"),
        Column("cum_disbursed_usd", t("export.col_cum_disbursed_usd", lang), "money"),
        Column("lak_per_usd", t("export.col_lak_per_usd", lang), "money"),
        Column("planned_lak", t("export.col_planned_lak", lang), "money"),
        Column("disbursed_lak", t("export.col_disbursed_lak", lang), "money"),
    ]


def series_table(series: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """A monthly indicator series (compliance_trends()["series"]): value with its numerator and denominator."""
    frame = pd.DataFrame({
        "indicator_code": series.get("indicator_code"),
        "indicator": _names(series, lang),
        "period": series.get("period"),
        "month": _period_text(series.get("period", pd.Series(dtype=object)), lang),
        "value": series.get("value"),
        "numerator": series.get("numerator"),
        "denominator": series.get("denominator"),
        "n_units": series.get("n_units"),
    })
    return frame, [
        Column("indicator_code", t("export.col_indicator_code", lang), "code"),
        Column("indicator", t("common.indicator", lang)),
        Column("period", t("export.col_period_code", lang), "code"),
        Column("month", t("common.period", lang)),
        Column("value", t("export.col_value_percent", lang), "percent"),
        Column("numerator", t("common.numerator", lang), "integer"),
        Column("denominator", t("common.denominator", lang), "integer"),
        Column("n_units", t("export.col_n_units", lang), "integer"),
    ]


def survey_table(survey: dict, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """Survey estimates by round (survey_trends()["series"]) with their 95 % confidence interval."""
    series = survey["series"]
    frame = pd.DataFrame({
        "admin_code": series.get("admin_code"),
        "place": _names(series, lang),
        "period": series.get("period"),
        "value": series.get("value"),
        "std_error": series.get("std_error"),
        "low": series.get("low"),
        "high": series.get("high"),
    })
    return frame, [
        Column("admin_code", t("export.col_place_code", lang), "code"),
        Column("place", t("export.col_place", lang)),
        Column("period", t("export.col_survey_round", lang), "code"),
        Column("value", t("export.col_value_percent", lang), "percent"),
        Column("std_error", t("export.col_std_error", lang), "number"),
        Column("low", t("export.col_ci_low", lang), "percent"),
        Column("high", t("export.col_ci_high", lang), "percent"),
    ]


def comparison_table(result: dict, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """District comparison (district_comparison()) in long form: one row per district and indicator."""
    cells, districts, indicators = result["cells"], result["districts"], result["indicators"]
    names = {row.code: (localized(row, lang), localized(row, lang, "province_name")) for row in districts.itertuples()}
    indicator_names = {row.code: localized(row, lang) for row in indicators.itertuples()}
    frame = cells.copy()
    frame["district"] = frame["district_code"].map(lambda code: names.get(code, (code, ""))[0])
    frame["province"] = frame["district_code"].map(lambda code: names.get(code, ("", ""))[1])
    frame["indicator"] = frame["indicator_code"].map(indicator_names)
    frame["status_text"] = frame["status"].map(lambda status: t(f"export.cell_status_{status}", lang)
                                               if status in ("current", "stale", "never") else status)
    frame["level_text"] = frame["value_level"].map(
        lambda level: t("export.level_province", lang) if level == "province" else t("export.level_own", lang))
    return frame, [
        Column("district_code", t("export.col_district_code", lang), "code"),
        Column("district", t("common.district", lang)),
        Column("province", t("common.province", lang)),
        Column("indicator_code", t("export.col_indicator_code", lang), "code"),
        Column("indicator", t("common.indicator", lang)),
        Column("period", t("export.col_period_code", lang), "code"),
        Column("value", t("common.value", lang), "number"),
        Column("level_text", t("export.col_value_level", lang)),
        Column("reference", t("export.col_reference", lang), "number"),
        Column("rank", t("districts.col_rank", lang), "integer"),
        Column("status_text", t("districts.col_status", lang)),
        Column("last_period", t("export.col_last_period", lang), "code"),
    ]


def problems_table(rows: list[dict], lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """An import check's problem list (ImportReport.problem_rows(lang))."""
    frame = pd.DataFrame(rows, columns=["file", "row", "column", "value", "rule", "severity", "message"])
    return frame, [
        Column("file", t("export.col_file", lang)),
        Column("row", t("export.col_row", lang), "integer"),
        Column("column", t("export.col_column", lang)),
        Column("value", t("common.value", lang), "text"),
        Column("rule", t("export.col_rule", lang), "code"),
        Column("severity", t("export.col_severity", lang), "code"),
        Column("message", t("export.col_message", lang)),
    ]
