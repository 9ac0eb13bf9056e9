"""One baseline for the Overview and the Targets page: the results framework's where it sets
one, else the oldest survey round (and said so); change coloured only when significant."""
import math

import pytest
from sqlalchemy import text

from data_access.periods import period_end
from data_access.queries.baselines import reference_baseline
from data_access.queries.overview import survey_latest_and_baseline
from data_access.queries.targets import progress_table

AS_OF = "2025-12"


def _framework(conn, code):
    return conn.execute(text(
        "SELECT year, value FROM target WHERE indicator_code = 'STUNTING' AND kind = 'baseline' AND admin_code = :c "
        "ORDER BY year"), {"c": code}).first()


def test_a_province_with_a_framework_baseline_uses_it_on_both_pages(demo_engine):
    with demo_engine.connect() as conn:
        province = conn.execute(text(
            "SELECT MIN(admin_code) FROM target WHERE indicator_code = 'STUNTING' AND kind = 'baseline' "
            "AND admin_code <> '00'")).scalar()
        framework = _framework(conn, province)
        oldest = conn.execute(text(
            "SELECT MIN(period) FROM observation WHERE indicator_code = 'STUNTING' AND admin_code = :c"),
            {"c": province}).scalar()
        overview = survey_latest_and_baseline(conn, "STUNTING", province, AS_OF)
        targets = progress_table(conn, province, AS_OF).set_index("indicator_code").loc["STUNTING"]
    base = overview["baseline"]
    assert base["source"] == "framework"
    assert (base["year"], base["value"]) == (framework.year, pytest.approx(framework.value))
    # The demo province also has an older survey round: it is not the baseline.
    assert oldest < str(framework.year)
    assert (targets["baseline_year"], targets["baseline"]) == (base["year"], pytest.approx(base["value"]))
    # The framework baseline is that year's survey estimate, so its error comes along.
    assert base["std_error"] is not None and base["std_error"] > 0


def test_a_district_without_a_framework_baseline_falls_back_to_its_oldest_round(demo_engine):
    with demo_engine.connect() as conn:
        district = conn.execute(text(
            "SELECT MIN(o.admin_code) FROM observation o WHERE o.indicator_code = 'STUNTING' "
            "AND LENGTH(o.admin_code) = 4 AND NOT EXISTS (SELECT 1 FROM target t WHERE t.admin_code = o.admin_code "
            "AND t.indicator_code = 'STUNTING' AND t.kind = 'baseline')")).scalar()
        rounds = conn.execute(text(
            "SELECT period, value, std_error FROM observation WHERE indicator_code = 'STUNTING' AND admin_code = :c "
            "ORDER BY period"), {"c": district}).all()
        overview = survey_latest_and_baseline(conn, "STUNTING", district, AS_OF)
        direct = reference_baseline(conn, "STUNTING", district, period_end(AS_OF))
    assert overview["level_code"] == district
    assert overview["baseline"] == direct
    assert direct["source"] == "survey"
    assert (direct["period"], direct["value"], direct["std_error"]) == tuple(rounds[0])


def test_the_change_is_coloured_only_when_significant(demo_engine):
    with demo_engine.connect() as conn:
        for code in ("00", "07"):
            overview = survey_latest_and_baseline(conn, "STUNTING", code, AS_OF)
            latest, base = overview["latest"], overview["baseline"]
            z = (latest["value"] - base["value"]) / math.sqrt(latest["std_error"] ** 2 + base["std_error"] ** 2)
            expected = "no_change" if abs(z) < 1.959964 else ("better" if z < 0 else "worse")
            assert overview["change"] == expected, code


def test_no_baseline_anywhere_is_none(empty_engine):
    with empty_engine.connect() as conn:
        assert reference_baseline(conn, "STUNTING", "07", period_end(AS_OF)) is None
        assert survey_latest_and_baseline(conn, "STUNTING", "07", AS_OF)["latest"] is None
