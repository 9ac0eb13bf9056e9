"""Trends, district comparison and Phase II queries on the test-scale demo, on SQLite and PostgreSQL."""
import datetime as dt
import json
import math

import pandas as pd
import pytest
from sqlalchemy import text

from data_access.phase2_score import phase2_scores
from data_access.queries.districts import (
    comparison_districts,
    comparison_indicators,
    district_comparison,
    district_trends,
    survey_with_fallback,
)
from data_access.queries.phase2 import COMPONENTS, phase2_inputs
from data_access.queries.trends import (
    compliance_trends,
    management_trends,
    operations_trends,
    payment_pipeline,
    quarterly_exchange_rates,
    rollup_series,
    survey_trends,
)

AS_OF = "2025-12"


def _scalar(conn, sql, **params):
    return conn.execute(text(sql), params).scalar()


def _demo_report(conn) -> dict:
    return json.loads(_scalar(conn, "SELECT report_json FROM import_batch WHERE kind = 'demo'"))


def _target_districts(conn) -> list[str]:
    return [code for (code,) in conn.execute(text("SELECT admin_code FROM target_area ORDER BY admin_code"))]


# ------------------------------------------------------------------ ratios at every level


@pytest.mark.parametrize("scope", [None, "07", "0703"])
def test_compliance_is_ratio_of_village_sums_at_the_selected_level(demo_engine, scope):
    with demo_engine.connect() as conn:
        series = compliance_trends(conn, scope, AS_OF)["series"]
        prefix = (scope or "") + "%"
        for code in ("CCT_COMPLY_ALL", "CCT_COMPLY_ANC"):
            row = series[(series["indicator_code"] == code) & (series["period"] == "2023-06")].iloc[0]
            numerator, denominator = conn.execute(text(
                "SELECT SUM(o.numerator), SUM(o.denominator) FROM observation o "
                "JOIN admin_unit a ON a.code = o.admin_code AND a.level = 'village' "
                "WHERE o.indicator_code = :code AND o.period = '2023-06' AND o.admin_code LIKE :prefix "
                "AND o.numerator IS NOT NULL AND o.denominator IS NOT NULL"), {"code": code, "prefix": prefix}).one()
            assert row["numerator"] == numerator and row["denominator"] == denominator
            assert row["value"] == pytest.approx(100.0 * numerator / denominator)
            village_rates = conn.execute(text(
                "SELECT AVG(100.0 * o.numerator / o.denominator) FROM observation o "
                "JOIN admin_unit a ON a.code = o.admin_code AND a.level = 'village' "
                "WHERE o.indicator_code = :code AND o.period = '2023-06' AND o.admin_code LIKE :prefix "
                "AND o.denominator > 0"), {"code": code, "prefix": prefix}).scalar()
            assert row["value"] != pytest.approx(float(village_rates), abs=1e-9)


def test_compliance_has_one_line_per_condition_and_overall_up_to_as_of(demo_engine):
    with demo_engine.connect() as conn:
        result = compliance_trends(conn, None, "2023-06")
    series = result["series"]
    assert list(dict.fromkeys(series["indicator_code"])) == [
        "CCT_COMPLY_ALL", "CCT_COMPLY_ANC", "CCT_COMPLY_GMP", "CCT_COMPLY_SBCC"]
    assert series["period"].max() == "2023-06"
    assert result["target"] is not None and result["target"]["value"] > 0
    assert series["name_lo"].str.contains("ເງື່ອນໄຂ").all()


def test_a_province_without_the_program_has_no_compliance_rather_than_zero(demo_engine):
    with demo_engine.connect() as conn:
        series = compliance_trends(conn, "01", AS_OF)["series"]
        assert series.empty
        assert compliance_trends(conn, "01", AS_OF)["target"] is None


def test_operations_stocks_are_the_sum_of_reporting_villages(demo_engine):
    with demo_engine.connect() as conn:
        series = operations_trends(conn, "09", AS_OF)
        row = series[(series["indicator_code"] == "CCT_REGISTERED") & (series["period"] == "2024-03")].iloc[0]
        total, villages = conn.execute(text(
            "SELECT SUM(value), COUNT(*) FROM observation WHERE indicator_code = 'CCT_REGISTERED' "
            "AND period = '2024-03' AND admin_code LIKE '09%' AND value IS NOT NULL")).one()
    assert row["value"] == total and row["n_units"] == villages
    assert set(series["indicator_code"]) == {"CCT_REGISTERED", "CCT_ACTIVE", "CCT_NEW_REG", "CCT_PAID"}


def test_rollup_series_never_reads_levels_it_was_not_asked_for(demo_engine):
    with demo_engine.connect() as conn:
        frame = rollup_series(conn, ["CCT_COMPLY_ALL"], "district", ["0703", "0706"],
                              dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    assert set(frame["admin_code"]) == {"0703", "0706"}
    assert set(frame["level"]) == {"district"}
    assert sorted(frame["period"].unique()) == ["2024-01", "2024-02", "2024-03"]


# ------------------------------------------------------------------ surveys


def test_district_without_its_own_estimate_shows_its_province_labelled(demo_engine):
    with demo_engine.connect() as conn:
        targets = set(_target_districts(conn))
        units = comparison_districts(conn, province="07")
        other = next(code for code in units["code"] if code not in targets and code[:2] == "07")
        result = survey_trends(conn, "STUNTING", other, AS_OF)
        own = _scalar(conn, "SELECT COUNT(*) FROM observation WHERE indicator_code = 'STUNTING' AND admin_code = :c",
                      c=other)
    assert own == 0
    assert result["fallback"] is True
    scope_rows = result["series"][result["series"]["role"] == "scope"]
    assert set(scope_rows["admin_code"]) == {"07"} and result["scope"]["level"] == "province"
    assert result["requested"]["code"] == other


def test_target_district_shows_its_own_estimates_with_bands_and_references(demo_engine):
    with demo_engine.connect() as conn:
        district = _target_districts(conn)[0]
        result = survey_trends(conn, "STUNTING", district, AS_OF)
        rows = conn.execute(text(
            "SELECT period, value, std_error FROM observation WHERE indicator_code = 'STUNTING' "
            "AND admin_code = :c ORDER BY period"), {"c": district}).all()
    series = result["series"]
    own = series[series["role"] == "scope"]
    assert not result["fallback"]
    assert list(own["period"]) == [period for period, _, _ in rows]
    for (_, value, error), (_, row) in zip(rows, own.iterrows()):
        assert row["low"] == pytest.approx(value - 1.96 * error)
        assert row["high"] == pytest.approx(value + 1.96 * error)
    assert set(series["role"]) >= {"scope", "province", "national", "target_area"}
    assert district[:2] not in set(series.loc[series["role"] == "target_area", "admin_code"])


def test_survey_rounds_after_as_of_are_not_shown(demo_engine):
    with demo_engine.connect() as conn:
        series = survey_trends(conn, "STUNTING", "07", "2022-06")["series"]
    assert series["year"].max() <= 2022


def test_survey_with_fallback_labels_the_level(demo_engine):
    with demo_engine.connect() as conn:
        targets = _target_districts(conn)
        estimates = survey_with_fallback(conn, "STUNTING", [targets[0], "0101"], AS_OF).set_index("district_code")
        latest = conn.execute(text(
            "SELECT value FROM observation WHERE indicator_code = 'STUNTING' AND admin_code = '01' "
            "ORDER BY period DESC")).scalar()
    assert estimates.loc[targets[0], "value_level"] == "district"
    assert estimates.loc["0101", "value_level"] == "province" and estimates.loc["0101", "value_code"] == "01"
    assert estimates.loc["0101", "value"] == latest


# ------------------------------------------------------------------ payment pipeline


def test_pipeline_backlog_matches_the_cycle_table_as_of_a_month(demo_engine):
    as_of_date = dt.date(2022, 9, 30)
    with demo_engine.connect() as conn:
        result = payment_pipeline(conn, None, "2022-09")
        awaiting_approval = _scalar(conn, "SELECT COUNT(*) FROM payment_cycle WHERE verified_on <= :d "
                                    "AND (approved_on IS NULL OR approved_on > :d)", d=as_of_date)
        approved_unpaid = _scalar(conn, "SELECT COUNT(*) FROM payment_cycle WHERE approved_on <= :d "
                                  "AND (paid_on IS NULL OR paid_on > :d)", d=as_of_date)
        verified = _scalar(conn, "SELECT COUNT(*) FROM payment_cycle WHERE verified_on <= :d", d=as_of_date)
    backlog = result["backlog_by_district"]
    assert int(backlog["awaiting_approval"].sum()) == awaiting_approval > 0
    assert int(backlog["approved_unpaid"].sum()) == approved_unpaid
    assert len(result["pipeline"]) == verified
    assert result["overall"].loc[0, "n_open"] == awaiting_approval + approved_unpaid
    assert backlog["longest_wait_days"].is_monotonic_decreasing
    assert backlog["name_en"].notna().all()


def test_2022_delays_are_longer_than_2021_in_the_demo(demo_engine):
    with demo_engine.connect() as conn:
        by_period = payment_pipeline(conn, None, AS_OF)["by_period"].set_index("period")
    median_2021 = by_period.loc[by_period.index.str.startswith("2021"), "median_days"].median()
    median_2022 = by_period.loc[by_period.index.str.startswith("2022"), "median_days"].median()
    assert median_2022 > median_2021 + 30


def test_payments_per_cycle_add_up_to_the_paid_cycles(demo_engine):
    with demo_engine.connect() as conn:
        payments = payment_pipeline(conn, "07", AS_OF)["payments"]
        paid, amount = conn.execute(text(
            "SELECT SUM(beneficiaries), SUM(amount_lak) FROM payment_cycle WHERE district_code LIKE '07%' "
            "AND paid_on <= :d"), {"d": dt.date(2025, 12, 31)}).one()
    assert payments["beneficiaries_paid"].sum() == paid
    assert payments["amount_lak_paid"].sum() == pytest.approx(amount)
    assert (payments["amount_usd_paid"].dropna() < payments["amount_lak_paid"].dropna() / 5000).all()


def test_a_place_without_cycles_has_an_empty_pipeline(demo_engine):
    with demo_engine.connect() as conn:
        result = payment_pipeline(conn, "01", AS_OF)
    assert result["pipeline"].empty and result["backlog"].empty and result["payments"].empty
    assert result["overall"].loc[0, "n_cycles"] == 0


# ------------------------------------------------------------------ program management


def test_disbursement_shows_usd_parts_rate_and_lak_at_the_quarter_rate(demo_engine):
    with demo_engine.connect() as conn:
        result = management_trends(conn, None, AS_OF)
        disbursed, planned = conn.execute(text(
            "SELECT SUM(numerator), SUM(denominator) FROM observation WHERE indicator_code = 'FM_DISBURSEMENT' "
            "AND period = '2023-Q2'")).one()
        rate = _scalar(conn, "SELECT AVG(lak_per_usd) FROM exchange_rate WHERE period IN ('2023-04','2023-05','2023-06')")
    row = result["disbursement"].set_index("period").loc["2023-Q2"]
    assert row["disbursed_usd"] == disbursed and row["planned_usd"] == planned
    assert row["rate"] == pytest.approx(100.0 * disbursed / planned)
    assert row["lak_per_usd"] == pytest.approx(rate)
    assert row["disbursed_lak"] == pytest.approx(disbursed * rate)


def test_management_indicators_come_from_the_level_they_are_reported_at(demo_engine):
    with demo_engine.connect() as conn:
        district = _target_districts(conn)[0]
        result = management_trends(conn, district, "2025-11")
    shown = result["rates"].groupby("indicator_code")["shown_code"].first().to_dict()
    assert shown == {"PMT_COVERAGE": district, "PROCUREMENT_ON_TIME": "00", "ES_COMPLIANCE": district[:2]}
    assert result["disbursement_place"]["code"] == district[:2]
    # as of November the fourth quarter is not over yet
    assert result["disbursement"]["period"].max() == "2025-Q3"


def test_quarterly_exchange_rates_average_the_months(demo_engine):
    with demo_engine.connect() as conn:
        rates = quarterly_exchange_rates(conn).set_index("period")
        months = conn.execute(text("SELECT lak_per_usd FROM exchange_rate WHERE period BETWEEN '2022-07' AND '2022-09'")).scalars().all()
    assert rates.loc["2022-Q3", "lak_per_usd"] == pytest.approx(sum(months) / 3)


# ------------------------------------------------------------------ district comparison


def test_comparison_offers_rates_delays_and_surveys_not_counts(demo_engine):
    with demo_engine.connect() as conn:
        codes = set(comparison_indicators(conn)["code"])
    assert {"CCT_COMPLY_ALL", "CCT_PAY_DELAY", "STUNTING", "HANSA_PENTA3"} <= codes
    assert not codes & {"CCT_REGISTERED", "SBCC_SESSIONS", "FM_DISBURSEMENT", "PROCUREMENT_ON_TIME"}


def test_district_comparison_values_ranks_and_province_median(demo_engine):
    with demo_engine.connect() as conn:
        province = comparison_districts(conn, province="07")
        result = district_comparison(conn, list(province["code"]), "2024-06", reference="median")
        cells = result["cells"]
        compliance = cells[cells["indicator_code"] == "CCT_COMPLY_ALL"].set_index("district_code")
        sums = conn.execute(text(
            "SELECT a.district_code, SUM(o.numerator), SUM(o.denominator) FROM observation o "
            "JOIN admin_unit a ON a.code = o.admin_code WHERE o.indicator_code = 'CCT_COMPLY_ALL' "
            "AND o.period = '2024-06' AND a.province_code = '07' AND o.numerator IS NOT NULL "
            "AND o.denominator IS NOT NULL GROUP BY a.district_code")).all()
    expected = {code: 100.0 * num / den for code, num, den in sums}
    assert {code for code in compliance.index if pd.notna(compliance.loc[code, "value"])} == set(expected)
    for code, value in expected.items():
        assert compliance.loc[code, "value"] == pytest.approx(value)
    median = pd.Series(list(expected.values())).median()
    assert compliance["province_median"].tolist() == pytest.approx([median] * len(compliance))
    # Shares of small denominators tie within their uncertainty (Agresti-Coull standard error,
    # two-sided z-test at 95 %), recomputed here from the raw counts.
    counts = {code: (num, den) for code, num, den in sums}

    def se(code):
        num, den = counts[code]
        p = (num + 2) / (den + 4)
        return 100 * math.sqrt(p * (1 - p) / (den + 4))

    def better(a, b):
        return (expected[a] - expected[b]) / math.sqrt(se(a) ** 2 + se(b) ** 2) >= 1.959964

    for code in expected:
        assert compliance.loc[code, "rank"] == 1 + sum(better(other, code) for other in expected if other != code)
    best = max(expected, key=expected.get)
    assert compliance.loc[best, "rank"] == 1
    beaten = {code for code in expected if any(better(other, code) for other in expected)}
    if beaten:
        assert compliance.loc[best, "is_best"] == (best in {c for c in expected if any(better(c, o) for o in expected)})
    else:
        # nobody is significantly better than anybody: no best and no worst
        assert not compliance["is_best"].any() and not compliance["is_worst"].any()
    # districts where the CCT does not run are not stale: they never reported
    silent = [code for code in compliance.index if code not in expected]
    assert silent and (compliance.loc[silent, "status"] == "never").all()
    assert compliance.loc[silent, "rank"].isna().all()


def test_delay_is_judged_lower_is_better(demo_engine):
    with demo_engine.connect() as conn:
        targets = _target_districts(conn)
        cells = district_comparison(conn, targets, "2022-10", reference="median")["cells"]
    delay = cells[(cells["indicator_code"] == "CCT_PAY_DELAY") & cells["value"].notna()]
    fastest = delay.loc[delay["value"].idxmin()]
    assert fastest["rank"] == 1 and fastest["is_best"]
    assert (delay.loc[delay["value"] < delay["province_median"], "performance"] > 0).all()


def test_stale_district_is_flagged_after_n_periods(demo_engine):
    with demo_engine.connect() as conn:
        stale = _demo_report(conn)["stale_district"]
        last = _scalar(conn, "SELECT MAX(period) FROM observation_rollup WHERE level = 'district' "
                       "AND indicator_code = 'CCT_COMPLY_ALL' AND admin_code = :c AND n_units > 0", c=stale)
        codes = list(comparison_districts(conn, province=stale[:2])["code"])
        short = district_comparison(conn, codes, AS_OF, stale_periods=3)["cells"]
        long = district_comparison(conn, codes, AS_OF, stale_periods=12)["cells"]
    def status(cells):
        return cells[(cells["district_code"] == stale) & (cells["indicator_code"] == "CCT_COMPLY_ALL")].iloc[0]
    assert status(short)["status"] == "stale" and pd.isna(status(short)["value"])
    assert status(short)["last_period"] == last
    # with a 12-month window its last report still counts, and is shown with its month
    assert status(long)["status"] == "current" and status(long)["period"] == last


def test_a_borrowed_survey_estimate_is_shown_but_not_ranked(demo_engine):
    with demo_engine.connect() as conn:
        codes = list(comparison_districts(conn, province="02")["code"])
        cells = district_comparison(conn, codes, AS_OF)["cells"]
    stunting = cells[cells["indicator_code"] == "STUNTING"]
    borrowed = stunting[stunting["value_level"] == "province"]
    own = stunting[stunting["value_level"] == "district"]
    assert len(borrowed) and len(own)
    assert borrowed["value"].notna().all() and borrowed["rank"].isna().all() and borrowed["performance"].isna().all()
    assert own["rank"].notna().all()
    assert stunting["province_median"].iloc[0] == pytest.approx(own["value"].median())


def test_auto_reference_uses_the_target_and_says_where_it_is_from(demo_engine):
    with demo_engine.connect() as conn:
        targets = _target_districts(conn)
        cells = district_comparison(conn, targets[:3], "2023-06")["cells"]
        national = _scalar(conn, "SELECT value FROM target WHERE indicator_code = 'CCT_COMPLY_ALL' "
                           "AND admin_code = '00' AND kind = 'annual' AND year = 2023")
    compliance = cells[cells["indicator_code"] == "CCT_COMPLY_ALL"]
    assert (compliance["reference_kind"] == "target").all()
    assert (compliance["target"] == national).all() and (compliance["target_code"] == "00").all()


def test_several_districts_from_different_provinces(demo_engine):
    with demo_engine.connect() as conn:
        targets = _target_districts(conn)
        chosen = [targets[0], targets[-1]]
        result = district_comparison(conn, chosen, AS_OF)
        trends = district_trends(conn, "CCT_COMPLY_ALL", chosen, AS_OF)
    assert set(result["cells"]["district_code"]) == set(chosen)
    assert set(result["districts"]["province_code"]) == {chosen[0][:2], chosen[1][:2]}
    assert set(trends["series"]["admin_code"]) <= set(chosen)
    assert set(trends["provinces"]["admin_code"]) == {chosen[0][:2], chosen[1][:2]}
    assert trends["series"]["period"].nunique() <= 24 and trends["series"]["period"].max() <= AS_OF


def test_nothing_chosen_gives_empty_results(demo_engine):
    with demo_engine.connect() as conn:
        assert district_comparison(conn, [], AS_OF)["cells"].empty
        assert district_trends(conn, "CCT_COMPLY_ALL", [], AS_OF)["series"].empty


# ------------------------------------------------------------------ Phase II


def test_phase2_inputs_cover_every_district_with_labelled_stunting(demo_engine):
    with demo_engine.connect() as conn:
        result = phase2_inputs(conn, AS_OF)
        n_districts = _scalar(conn, "SELECT COUNT(*) FROM admin_unit WHERE level = 'district'")
        targets = set(_target_districts(conn))
    frame = result["districts"]
    assert len(frame) == n_districts == 148
    assert set(frame.loc[frame["stunting_level"] == "district", "district_code"]) == targets
    assert frame["stunting"].notna().all()
    assert set(frame.loc[frame["is_target"], "district_code"]) == targets
    assert result["available"]["stunting"] and result["available"]["coverage"]
    # villages exist only where the demo put them: elsewhere coverage is unknown, not 0
    with_villages = frame[frame["n_villages"].notna()]
    assert with_villages["coverage"].notna().all()
    assert frame.loc[frame["n_villages"].isna(), "coverage"].isna().all()


def test_phase2_ranking_on_real_inputs_puts_phase1_gaps_last_when_coverage_weighs(demo_engine):
    with demo_engine.connect() as conn:
        frame = phase2_inputs(conn, AS_OF)["districts"]
    scored = phase2_scores(frame, COMPONENTS, {"stunting": 0, "poverty": 0, "coverage": 1})
    best_covered = scored.loc[scored["coverage"].idxmax()]
    assert best_covered["score"] == scored["score"].min()
    assert scored["rank"].notna().sum() == frame["coverage"].notna().sum()
