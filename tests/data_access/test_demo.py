"""Behaviour of the seeded demo dataset on SQLite and, when a server is reachable, PostgreSQL."""
import datetime as dt
import hashlib
import json
from collections import defaultdict

import pytest
import shapely
from sqlalchemy import Engine, select, text

from data_access.database import dataset_info, make_engine
from data_access.demo import DEMO_SEED, STALE_MONTHS, generate_demo
from data_access.periods import add_months
from data_access.schema import AdminUnit

LAST_MONTH = "2025-12"
COVERAGE = {
    "RRPM": "CCT_ACTIVE",
    "HANSA": "HANSA_GM_SESSIONS",
    "SUWASH": "SUWASH_LATRINES_BUILT",
    "AFN": "AFN_HOME_GARDEN_HH",
    "ECE": "ECE_PLAYGROUP_SESSIONS",
}


@pytest.fixture(params=["sqlite", "postgres"])
def built(request) -> tuple[Engine, dict]:
    """The shared test-scale dataset (tests/conftest.py) on each backend, with its generation report."""
    engine = make_engine(request.getfixturevalue(f"{request.param}_demo_url"))
    (report,) = rows(engine, "SELECT report_json FROM import_batch WHERE kind = 'demo'")[0]
    yield engine, json.loads(report)
    engine.dispose()


@pytest.fixture(scope="module")
def demo_scale(tmp_path_factory) -> tuple[Engine, dict]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo-scale') / 'demo.db'}")
    yield engine, generate_demo(engine, scale="demo")
    engine.dispose()


def rows(engine: Engine, sql: str, **params) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


def scalar(engine: Engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def table_checksum(engine: Engine, table: str, order_by: str, columns: str = "*") -> str:
    """Hash of a table's rows in a fixed order, comparable across SQLite and PostgreSQL."""
    digest = hashlib.sha256()
    for row in rows(engine, f"SELECT {columns} FROM {table} ORDER BY {order_by}"):
        digest.update(repr(tuple(v if isinstance(v, (int, float, type(None))) else str(v) for v in row)).encode())
    return digest.hexdigest()


OBSERVATION_COLUMNS = ("indicator_code, admin_code, period, period_start, value, numerator, denominator, "
                       "std_error, source")


def observation_checksum(engine: Engine) -> str:
    return table_checksum(engine, "observation", "indicator_code, admin_code, period", OBSERVATION_COLUMNS)


def target_districts(engine: Engine) -> set[str]:
    return {code for (code,) in rows(engine, "SELECT admin_code FROM target_area WHERE project_code = 'RRPM'")}


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_data_and_another_seed_differs(tmp_path):
    checksums = []
    for run, seed in enumerate((DEMO_SEED, DEMO_SEED, DEMO_SEED + 1)):
        engine = make_engine(f"sqlite:///{tmp_path / f'run{run}.db'}")
        generate_demo(engine, scale="test", seed=seed)
        checksums.append((
            observation_checksum(engine),
            table_checksum(engine, "payment_cycle", "district_code, cycle_no"),
            table_checksum(engine, "target", "indicator_code, admin_code, kind, year"),
            table_checksum(engine, "admin_unit", "code", "code, name_en, lon, lat, is_demo"),
            table_checksum(engine, "dataset_info", "key"),
            table_checksum(engine, "import_batch", "id"),
        ))
        engine.dispose()
    assert checksums[0] == checksums[1]
    assert checksums[0][0] != checksums[2][0]
    assert checksums[0][3] != checksums[2][3]


def test_postgresql_holds_the_same_observations_as_sqlite(sqlite_demo_url, postgres_demo_url):
    sqlite, postgres = make_engine(sqlite_demo_url), make_engine(postgres_demo_url)
    try:
        assert observation_checksum(postgres) == observation_checksum(sqlite)
        assert table_checksum(postgres, "target", "indicator_code, admin_code, kind, year",
                              "indicator_code, admin_code, kind, year, target_date, value") == \
            table_checksum(sqlite, "target", "indicator_code, admin_code, kind, year",
                           "indicator_code, admin_code, kind, year, target_date, value")
    finally:
        sqlite.dispose()
        postgres.dispose()


def test_summary_counts_what_was_written(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'summary.db'}")
    summary = generate_demo(engine, scale="test", first_month="2021-01", last_month="2023-06")
    assert summary["observations"] == scalar(engine, "SELECT COUNT(*) FROM observation")
    assert summary["observations"] == sum(summary["observations_by_indicator"].values())
    assert summary["villages"] == scalar(engine, "SELECT COUNT(*) FROM admin_unit WHERE level = 'village'") == 96
    assert summary["payment_cycles"] == scalar(engine, "SELECT COUNT(*) FROM payment_cycle")
    assert summary["targets"] == scalar(engine, "SELECT COUNT(*) FROM target")
    assert summary["exchange_rates"] == scalar(engine, "SELECT COUNT(*) FROM exchange_rate") == 30
    assert summary["rollup_rows"] == scalar(engine, "SELECT COUNT(*) FROM observation_rollup") > 0
    assert summary["seconds"] > 0
    # A later window keeps the stocks built up before it.
    assert rows(engine, "SELECT MIN(period), MAX(period) FROM observation o JOIN indicator i "
                        "ON i.code = o.indicator_code WHERE i.period_type = 'month'") == \
        [("2021-01", "2023-06")]
    assert scalar(engine, "SELECT MIN(value) FROM observation WHERE indicator_code = 'CCT_REGISTERED' "
                          "AND period = '2021-01'") > 0
    engine.dispose()


# --------------------------------------------------------------------------- labelling


def test_dataset_and_villages_are_labelled_demo(built):
    engine, _ = built
    info = dataset_info(engine)
    assert info["is_demo"] == "1"
    assert info["scale"] == "test"
    assert info["seed"] == str(DEMO_SEED)
    assert (info["first_month"], info["last_month"]) == ("2019-07", LAST_MONTH)
    assert info["generated_from"]
    assert rows(engine, "SELECT DISTINCT is_demo FROM admin_unit WHERE level = 'village'") == [(True,)]
    assert rows(engine, "SELECT kind, file_name FROM import_batch") == [("demo", f"demo:test:{DEMO_SEED}")]


def test_every_demo_row_references_the_demo_batch(built):
    engine, _ = built
    (batch_id,) = rows(engine, "SELECT id FROM import_batch")[0]
    for table in ("observation", "target", "payment_cycle"):
        assert rows(engine, f"SELECT DISTINCT batch_id FROM {table}") == [(batch_id,)], table


def test_villages_are_coded_under_their_district(built):
    engine, _ = built
    bad = rows(engine, """
        SELECT code FROM admin_unit WHERE level = 'village'
        AND (parent_code <> district_code OR substr(code, 1, 4) <> district_code
             OR substr(code, 1, 2) <> province_code OR lon IS NULL OR lat IS NULL)""")
    assert bad == []


def test_villages_lie_inside_their_district_polygon(built):
    engine, _ = built
    with engine.connect() as conn:
        units = conn.execute(
            select(AdminUnit.code, AdminUnit.level, AdminUnit.parent_code, AdminUnit.geometry)
            .where(AdminUnit.level.in_(["district", "village"]))
        ).all()
    # Selecting the column on PostgreSQL currently yields WKT text rather than a shapely
    # geometry (ST_AsText's result type loses GeometryType's processor); accept both here.
    units = [(code, level, parent, shapely.from_wkt(g) if isinstance(g, str) else g) for code, level, parent, g in units]
    districts = {code: geometry for code, level, _, geometry in units if level == "district"}
    villages = [(code, parent, geometry) for code, level, parent, geometry in units if level == "village"]
    assert villages
    outside = [code for code, parent, point in villages if not districts[parent].contains(point)]
    assert outside == []
    assert all(isinstance(point, shapely.Point) for _, _, point in villages)


# --------------------------------------------------------------------------- value rules


def test_ratio_rows_have_integer_counts_and_percentages_never_exceed_the_whole(built):
    engine, _ = built
    ratio_rows = rows(engine, """
        SELECT o.indicator_code, o.numerator, o.denominator, i.max_value, i.multiplier
        FROM observation o JOIN indicator i ON i.code = o.indicator_code
        WHERE i.aggregation = 'ratio'""")
    assert ratio_rows
    for code, numerator, denominator, max_value, multiplier in ratio_rows:
        assert numerator is not None and denominator is not None, code
        assert numerator >= 0 and denominator >= 0, code
        assert numerator == int(numerator) and denominator == int(denominator), code
        # Payment delay (days) and disbursement (may exceed plan) are ratios but not shares.
        if max_value is not None and max_value <= multiplier:
            assert numerator <= denominator, code


def test_ratio_value_is_numerator_over_denominator(built):
    engine, _ = built
    for code, value, numerator, denominator, multiplier in rows(engine, """
            SELECT o.indicator_code, o.value, o.numerator, o.denominator, i.multiplier
            FROM observation o JOIN indicator i ON i.code = o.indicator_code
            WHERE i.aggregation = 'ratio'"""):
        if denominator == 0:
            assert value is None, code
        else:
            assert value == pytest.approx(numerator / denominator * multiplier), code


def test_cumulative_stocks_never_decrease_per_village(built):
    engine, _ = built
    series: dict[tuple[str, str], list[float]] = defaultdict(list)
    for code, admin, value in rows(engine, """
            SELECT o.indicator_code, o.admin_code, o.value
            FROM observation o JOIN indicator i ON i.code = o.indicator_code
            JOIN admin_unit a ON a.code = o.admin_code
            WHERE i.cumulative AND a.level = 'village'
            ORDER BY o.indicator_code, o.admin_code, o.period"""):
        series[(code, admin)].append(value)
    assert {code for code, _ in series} == {"CCT_REGISTERED", "SUWASH_ODF", "AFN_HOME_GARDEN_HH"}
    for key, values in series.items():
        assert all(b >= a for a, b in zip(values, values[1:])), key
    odf = {v for (code, _), values in series.items() if code == "SUWASH_ODF" for v in values}
    assert odf == {0.0, 1.0}


def test_active_beneficiaries_never_exceed_registered(built):
    engine, _ = built
    bad = rows(engine, """
        SELECT a.admin_code, a.period FROM observation a
        JOIN observation r ON r.admin_code = a.admin_code AND r.period = a.period
        WHERE a.indicator_code = 'CCT_ACTIVE' AND r.indicator_code = 'CCT_REGISTERED'
          AND a.value > r.value""")
    assert bad == []


def test_compliance_with_all_conditions_is_below_each_condition(built):
    engine, _ = built
    rates = dict(rows(engine, """
        SELECT indicator_code, SUM(numerator) / SUM(denominator) FROM observation
        WHERE indicator_code LIKE 'CCT_COMPLY_%' GROUP BY indicator_code"""))
    assert rates["CCT_COMPLY_ALL"] < min(rates["CCT_COMPLY_ANC"], rates["CCT_COMPLY_GMP"], rates["CCT_COMPLY_SBCC"])
    assert all(0.55 <= rate <= 0.95 for rate in rates.values()), rates


# --------------------------------------------------------------------------- coverage and missing data


REGISTRY_INDICATORS = ("CCT_REGISTERED", "CCT_ACTIVE", "CCT_NEW_REG")


def test_a_project_has_rows_exactly_where_its_coverage_indicator_is_positive(built):
    """Not reached means no rows at all (not zeros), and reached means coverage > 0."""
    engine, _ = built
    assert scalar(engine, f"""
        SELECT COUNT(*) FROM observation
        WHERE indicator_code IN {tuple(COVERAGE.values())} AND NOT value > 0""") == 0
    for project, coverage in COVERAGE.items():
        keys = rows(engine, """
            SELECT o.indicator_code, COUNT(*) FROM observation o
            JOIN indicator i ON i.code = o.indicator_code JOIN admin_unit a ON a.code = o.admin_code
            WHERE i.project_code = :project AND a.level = 'village'
            GROUP BY o.indicator_code""", project=project)
        counts = dict(keys)
        # The MIS registry (RRPM stocks) has every enrolled village every month; monthly
        # reports may be missing, so they have at most as many rows.
        registry = {code: counts.pop(code) for code in REGISTRY_INDICATORS if code in counts}
        # Payments come from U-Money records: a village paid in a month it did not report has one.
        paid = counts.pop("CCT_PAID", None)
        assert len(set(counts.values())) == 1, (project, counts)
        if paid is not None:
            assert max(counts.values()) <= paid <= min(registry.values()), (paid, counts, registry)
        if registry:
            assert len(set(registry.values())) == 1, registry
            assert min(registry.values()) > max(counts.values()), (registry, counts)
        unmatched = scalar(engine, """
            SELECT COUNT(*) FROM observation o
            JOIN indicator i ON i.code = o.indicator_code JOIN admin_unit a ON a.code = o.admin_code
            WHERE i.project_code = :project AND a.level = 'village'
              -- a payment for an earlier cycle reaches a village whose reports have stopped
              AND o.indicator_code <> 'CCT_PAID'
              AND NOT EXISTS (SELECT 1 FROM observation c WHERE c.indicator_code = :coverage
                              AND c.admin_code = o.admin_code AND c.period = o.period)""",
                           project=project, coverage=coverage)
        assert unmatched == 0, project


def test_cct_village_data_only_in_target_districts(built):
    engine, _ = built
    districts = {code for (code,) in rows(engine, """
        SELECT DISTINCT a.district_code FROM observation o JOIN admin_unit a ON a.code = o.admin_code
        WHERE o.indicator_code = 'CCT_ACTIVE'""")}
    assert districts == target_districts(engine)


def test_one_district_stops_reporting_cct_and_its_last_months_are_absent(built):
    engine, summary = built
    stale = summary["stale_district"]
    assert stale in target_districts(engine)
    cutoff = add_months(LAST_MONTH, -STALE_MONTHS + 1)
    latest = dict(rows(engine, """
        SELECT a.district_code, MAX(o.period) FROM observation o JOIN admin_unit a ON a.code = o.admin_code
        WHERE o.indicator_code = 'CCT_REGISTERED' GROUP BY a.district_code"""))
    assert latest.pop(stale) < cutoff
    assert set(latest.values()) == {LAST_MONTH}
    # Compliance is verified from those reports: no cycle pays a month the district did not report.
    assert scalar(engine, "SELECT MAX(period) FROM payment_cycle WHERE district_code = :d", d=stale) < cutoff


def _missing_share(engine, indicator: str) -> float:
    present = scalar(engine, "SELECT COUNT(*) FROM observation WHERE indicator_code = :i", i=indicator)
    first = dict(rows(engine, """
        SELECT admin_code, MIN(period) FROM observation WHERE indicator_code = :i GROUP BY admin_code""", i=indicator))
    possible = sum(
        (int(LAST_MONTH[:4]) - int(start[:4])) * 12 + int(LAST_MONTH[5:]) - int(start[5:]) + 1
        for start in first.values()
    )
    return 1 - present / possible


def test_some_village_months_are_missing_at_random(built):
    engine, _ = built
    assert 0.02 < _missing_share(engine, "CCT_COMPLY_ALL") < 0.09


def test_registry_stocks_have_no_random_gaps(built):
    """Outside the stale district, every enrolled village has its MIS registry count every month."""
    engine, summary = built
    first_and_count = rows(engine, """
        SELECT o.admin_code, MIN(o.period), COUNT(*) FROM observation o JOIN admin_unit a ON a.code = o.admin_code
        WHERE o.indicator_code = 'CCT_REGISTERED' AND a.district_code <> :d GROUP BY o.admin_code""",
                           d=summary["stale_district"])
    assert first_and_count
    for _code, start, count in first_and_count:
        months = (int(LAST_MONTH[:4]) - int(start[:4])) * 12 + int(LAST_MONTH[5:]) - int(start[5:]) + 1
        assert count == months


def test_one_reached_village_never_reports_hansa(built):
    engine, summary = built
    district = summary["hansa_silent_district"]
    assert district in target_districts(engine)
    reporting = scalar(engine, """
        SELECT COUNT(DISTINCT o.admin_code) FROM observation o JOIN admin_unit a ON a.code = o.admin_code
        WHERE o.indicator_code = 'HANSA_GM_SESSIONS' AND a.district_code = :d""", d=district)
    assert reporting < 6


# --------------------------------------------------------------------------- surveys


def test_poverty_map_covers_every_district_once(built):
    engine, _ = built
    poverty = rows(engine, """
        SELECT o.admin_code, a.level, o.period, o.value, o.std_error FROM observation o
        JOIN admin_unit a ON a.code = o.admin_code WHERE o.indicator_code = 'POVERTY_HEADCOUNT'""")
    assert len(poverty) == 148
    assert {r[1] for r in poverty} == {"district"} and {r[2] for r in poverty} == {"2019"}
    assert all(3 <= r[3] <= 65 and 2 <= r[4] <= 5 for r in poverty)
    northern = [r[3] for r in poverty if r[0][:2] in ("02", "04", "07", "09")]
    capital = [r[3] for r in poverty if r[0][:2] == "01"]
    assert sum(northern) / len(northern) > sum(capital) / len(capital)


def test_survey_estimates_carry_plausible_standard_errors_and_no_counts(built):
    engine, _ = built
    survey = rows(engine, """
        SELECT o.indicator_code, o.admin_code, a.level, o.period, o.value, o.std_error, o.numerator, o.denominator
        FROM observation o JOIN indicator i ON i.code = o.indicator_code JOIN admin_unit a ON a.code = o.admin_code
        WHERE i.aggregation = 'survey' AND i.code <> 'POVERTY_HEADCOUNT'""")
    assert {r[0] for r in survey} == {"STUNTING", "WASTING", "UNDERWEIGHT"}
    for code, admin, level, period, value, se, numerator, denominator in survey:
        assert 1.5 <= se <= 6, (code, admin, period)
        assert numerator is None and denominator is None
        assert 0 < value < 100
    district_units = {r[1] for r in survey if r[2] == "district"}
    assert district_units == target_districts(engine)
    assert {r[3] for r in survey if r[2] == "district"} == {"2020", "2022", "2024"}
    assert {r[1] for r in survey if r[2] == "province" and r[3] == "2017"} == {f"{n:02d}" for n in range(1, 19)}
    assert rows(engine, "SELECT value FROM observation WHERE indicator_code = 'STUNTING' "
                        "AND admin_code = '00' AND period = '2017'") == [(33.1,)]


def test_district_survey_errors_are_larger_than_province_errors(built):
    engine, _ = built
    mean_se = dict(rows(engine, """
        SELECT a.level, AVG(o.std_error) FROM observation o JOIN admin_unit a ON a.code = o.admin_code
        WHERE o.indicator_code = 'STUNTING' GROUP BY a.level"""))
    assert mean_se["district"] > mean_se["province"] > mean_se["national"]


def test_stunting_in_the_rrpm_provinces_starts_high_and_falls_slowly(built):
    engine, _ = built
    by_year = dict(rows(engine, """
        SELECT period, AVG(value) FROM observation WHERE indicator_code = 'STUNTING'
        AND admin_code IN ('02', '04', '07', '09') GROUP BY period"""))
    assert 40 <= by_year["2020"] <= 55
    assert 1 <= by_year["2020"] - by_year["2024"] <= 8


# --------------------------------------------------------------------------- payments


def test_payment_cycle_dates_are_in_order(built):
    engine, _ = built
    cycles = rows(engine, """
        SELECT district_code, cycle_no, period, verified_on, approved_on, funds_sent_on, paid_on
        FROM payment_cycle ORDER BY district_code, cycle_no""")
    assert cycles
    for district, cycle_no, period, *dates in cycles:
        present = [d for d in dates if d is not None]
        # Stages happen in order and a missing stage has no later stage after it.
        assert dates[: len(present)] == present, (district, cycle_no)
        assert present == sorted(present), (district, cycle_no)


def test_a_payment_backlog_remains_at_the_end(built):
    engine, _ = built
    unpaid = rows(engine, "SELECT district_code, cycle_no FROM payment_cycle WHERE paid_on IS NULL")
    assert unpaid
    last_paid = dict(rows(engine, "SELECT district_code, MAX(cycle_no) FROM payment_cycle "
                                  "WHERE paid_on IS NOT NULL GROUP BY district_code"))
    # Unpaid cycles are the latest ones of their district: a backlog, not holes.
    assert all(cycle_no > last_paid[district] for district, cycle_no in unpaid)
    backlog = defaultdict(int)
    for district, _ in unpaid:
        backlog[district] += 1
    assert max(backlog.values()) <= 3


def test_2022_approval_delays_are_longer_than_2021(built):
    engine, _ = built
    delays = defaultdict(list)
    for verified, approved in rows(engine, "SELECT verified_on, approved_on FROM payment_cycle "
                                           "WHERE approved_on IS NOT NULL"):
        verified, approved = (d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in (verified, approved))
        delays[verified.year].append((approved - verified).days)
    mean = {year: sum(days) / len(days) for year, days in delays.items()}
    assert mean[2022] > mean[2021] + 30
    assert 30 <= min(delays[2022]) and max(delays[2022]) <= 150
    assert mean[2025] < mean[2022]


def test_payment_delay_is_derived_from_the_cycles_not_stored_twice(built):
    engine, _ = built
    assert scalar(engine, "SELECT COUNT(*) FROM observation WHERE indicator_code = 'CCT_PAY_DELAY'") == 0
    with_cycles = {code for (code,) in rows(engine, "SELECT DISTINCT district_code FROM payment_cycle "
                                                    "WHERE verified_on IS NOT NULL")}
    in_rollup = {code for (code,) in rows(engine, "SELECT DISTINCT admin_code FROM observation_rollup "
                                                  "WHERE indicator_code = 'CCT_PAY_DELAY' AND level = 'district'")}
    assert in_rollup == with_cycles


def test_no_cycle_is_verified_for_a_month_without_compliance_reports(built):
    engine, report = built
    cycles = rows(engine, """
        SELECT c.district_code, c.period, c.verified_on, c.paid_on, c.beneficiaries,
               (SELECT SUM(o.numerator) FROM observation o JOIN admin_unit v ON v.code = o.admin_code
                WHERE o.indicator_code = 'CCT_COMPLY_ALL' AND v.level = 'village'
                  AND v.district_code = c.district_code AND o.period = c.period) AS verified_compliers
        FROM payment_cycle c ORDER BY c.district_code, c.cycle_no""")
    verified = [cycle for cycle in cycles if cycle[2] is not None]
    assert any(cycle[3] is not None for cycle in verified)
    for district, period, _, _, beneficiaries, compliers in verified:
        # Verified from the village reports of the cycle's month, and only from them.
        assert compliers is not None, (district, period)
        assert beneficiaries == compliers, (district, period)
    # The district whose reports stopped has no cycle for the months it did not report.
    silent_from = add_months(LAST_MONTH, -(STALE_MONTHS - 1))
    district_cycles = [cycle for cycle in cycles if cycle[0] == report["stale_district"]]
    assert district_cycles and max(cycle[1] for cycle in district_cycles) < silent_from


def test_beneficiaries_paid_in_village_reports_agree_with_the_payment_cycles(built):
    engine, _ = built
    from_cycles = dict(((district, month), int(total)) for district, month, total in rows(engine, """
        SELECT district_code, SUBSTR(CAST(paid_on AS TEXT), 1, 7), SUM(beneficiaries) FROM payment_cycle
        WHERE paid_on IS NOT NULL GROUP BY district_code, SUBSTR(CAST(paid_on AS TEXT), 1, 7)"""))
    from_villages = dict(((district, month), int(total)) for district, month, total in rows(engine, """
        SELECT v.district_code, o.period, SUM(o.value) FROM observation o JOIN admin_unit v ON v.code = o.admin_code
        WHERE o.indicator_code = 'CCT_PAID' AND v.level = 'village'
        GROUP BY v.district_code, o.period HAVING SUM(o.value) > 0"""))
    assert from_cycles and from_villages == from_cycles


def test_payment_amounts_follow_the_transfer_size(built):
    engine, _ = built
    for beneficiaries, amount in rows(engine, "SELECT beneficiaries, amount_lak FROM payment_cycle "
                                              "WHERE beneficiaries IS NOT NULL"):
        assert amount == beneficiaries * 100_000 * 2


# --------------------------------------------------------------------------- program facts


def test_registrations_at_closing_fall_short_of_the_target(built):
    engine, _ = built
    registered = scalar(engine, "SELECT SUM(value) FROM observation "
                                "WHERE indicator_code = 'CCT_REGISTERED' AND period = '2024-08'")
    target = scalar(engine, "SELECT value FROM target WHERE indicator_code = 'CCT_REGISTERED' "
                            "AND admin_code = '00' AND kind = 'end_of_project'")
    assert 0.7 * target <= registered < target
    provinces = scalar(engine, "SELECT SUM(value) FROM target WHERE indicator_code = 'CCT_REGISTERED' "
                               "AND admin_code IN ('02', '04', '07', '09') AND kind = 'end_of_project'")
    assert provinces == target


def test_registrations_ramp_up_in_2020_and_2021(built):
    engine, _ = built
    total = dict(rows(engine, """
        SELECT period, value_sum FROM observation_rollup
        WHERE indicator_code = 'CCT_REGISTERED' AND level = 'national'
          AND period IN ('2019-12', '2020-12', '2021-12', '2024-08')"""))
    assert "2019-12" not in total
    assert total["2020-12"] < 0.5 * total["2024-08"] < total["2021-12"]


def test_targets_cover_the_results_framework(built):
    engine, _ = built
    scopes = defaultdict(set)
    for code, admin in rows(engine, "SELECT indicator_code, admin_code FROM target"):
        scopes[code].add(admin)
    for code in ("CCT_COMPLY_ALL", "CCT_PAY_DELAY", "PMT_COVERAGE", "SBCC_SESSIONS", "GRIEVANCE_RESOLVED",
                 "HANSA_ANC4", "HANSA_PENTA3", "SUWASH_ODF", "AFN_HOME_GARDEN_HH", "ECE_ENROLMENT"):
        assert scopes[code] == {"00"}, code
    assert {"00", "02", "04", "07", "09"} <= scopes["CCT_REGISTERED"]
    assert scopes["STUNTING"] == {"00", "02", "04", "07", "09"}
    eop = rows(engine, "SELECT target_date, value FROM target WHERE indicator_code = 'CCT_PAY_DELAY' "
                       "AND kind = 'end_of_project'")
    assert [(str(day), value) for day, value in eop] == [("2024-08-31", 30.0)]


def test_pmt_survey_completes_during_2020(built):
    engine, _ = built
    coverage = dict(rows(engine, """
        SELECT period, 100.0 * SUM(numerator) / SUM(denominator) FROM observation
        WHERE indicator_code = 'PMT_COVERAGE' AND period IN ('2019-10', '2020-09') GROUP BY period"""))
    assert coverage["2019-10"] < 10
    assert 95 <= coverage["2020-09"] <= 100


def test_exchange_rate_every_month_along_the_published_anchors(built):
    engine, _ = built
    rates = dict(rows(engine, "SELECT period, lak_per_usd FROM exchange_rate ORDER BY period"))
    assert len(rates) == 78
    assert rates["2025-02"] == 21734
    assert 8500 < rates["2019-07"] < 8800
    assert 9300 <= rates["2021-06"] <= 9700
    assert 16000 < rates["2022-11"] < 18000
    assert 19000 < rates["2024-01"] < 22000


# --------------------------------------------------------------------------- demo scale


def test_demo_scale_villages_convergence_and_registrations(demo_scale):
    engine, summary = demo_scale
    assert 1800 <= summary["villages"] <= 2300
    first = add_months(LAST_MONTH, -11)
    reached = defaultdict(set)
    for project, coverage in COVERAGE.items():
        for (village,) in rows(engine, """
                SELECT DISTINCT o.admin_code FROM observation o JOIN admin_unit a ON a.code = o.admin_code
                WHERE a.level = 'village' AND o.indicator_code = :coverage AND o.period >= :first
                  AND o.value > 0""", coverage=coverage, first=first):
            reached[village].add(project)
    villages = [code for (code,) in rows(engine, "SELECT code FROM admin_unit WHERE level = 'village'")]
    counts = {len(reached.get(code, ())) for code in villages}
    assert counts == {0, 1, 2, 3, 4, 5}
    registered = scalar(engine, "SELECT SUM(value) FROM observation "
                                "WHERE indicator_code = 'CCT_REGISTERED' AND period = '2024-08'")
    assert 20_000 <= registered <= 35_000
