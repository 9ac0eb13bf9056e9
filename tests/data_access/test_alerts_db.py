"""alerts_for on both backends: the numbers are those of the pages, the table's thresholds apply."""
import datetime as dt

import pytest
from sqlalchemy import text

from data_access import alerts
from data_access.queries.alerts import alert_rules, alerts_for, rules_in_force
from data_access.queries.payments import payment_delay
from i18n import format_value

AS_OF = "2022-11"
FIRST, LAST = dt.date(2022, 11, 1), dt.date(2022, 11, 30)


def _longest_open_wait(conn, prefix: str) -> float | None:
    """Plain SQL over payment_cycle: the longest wait, verified -> end of month, of cycles unpaid then."""
    rows = conn.execute(text("""
        SELECT verified_on FROM payment_cycle
        WHERE district_code LIKE :prefix AND verified_on <= :last AND (paid_on IS NULL OR paid_on > :last)
    """), {"prefix": prefix + "%", "last": LAST}).all()
    days = [(LAST - (row[0] if isinstance(row[0], dt.date) else dt.date.fromisoformat(str(row[0])[:10]))).days
            for row in rows]
    return max(days) if days else None


def _expected_severity(days):
    return next((name for name, limit in (("critical", 90), ("serious", 60), ("warning", 30))
                 if days is not None and days > limit), None)


@pytest.mark.parametrize("scope, prefix", [(None, ""), ("07", "07")])
def test_payment_alert_reads_the_longest_wait(demo_engine, scope, prefix):
    with demo_engine.connect() as conn:
        frame = alerts_for(conn, scope, AS_OF)
        longest = _longest_open_wait(conn, prefix)
        delay = payment_delay(conn, scope, AS_OF)
    assert longest is not None
    assert delay["longest_open_days"] == longest
    payment = frame[frame["rule"] == alerts.PAYMENT_WAIT]
    assert list(payment["severity"]) == [_expected_severity(longest)]
    assert payment["value"].iloc[0] == longest
    assert format_value(longest, "days", "en") in payment["sentence"].iloc[0]
    assert payment["link"].iloc[0].startswith(f"/trends?scope={prefix or '00'}&period=2022-11")
    ranks = frame["severity"].map(alerts.SEVERITY_RANK).tolist()
    assert ranks == sorted(ranks, reverse=True)


def test_sentences_in_lao(demo_engine):
    with demo_engine.connect() as conn:
        frame = alerts_for(conn, "07", AS_OF, "lo")
    assert not frame.empty
    assert all("ມື້" in s for s in frame.loc[frame["rule"] == alerts.PAYMENT_WAIT, "sentence"])


def test_the_table_thresholds_apply(demo_engine):
    with demo_engine.connect() as conn:
        assert alert_rules(conn) == alerts.DEFAULT_RULES  # seeded from the code's defaults
        longest = _longest_open_wait(conn, "07")
        try:  # changes are rolled back: the demo database is shared by the session
            conn.execute(text("UPDATE alert_rule SET warning = :w, serious = NULL, critical = NULL "
                              "WHERE code = 'payment_wait'"), {"w": longest})
            assert alerts.PAYMENT_WAIT not in set(alerts_for(conn, "07", AS_OF)["rule"])  # not "longer than" itself
            conn.execute(text("UPDATE alert_rule SET warning = :w WHERE code = 'payment_wait'"), {"w": longest - 1})
            frame = alerts_for(conn, "07", AS_OF)
            assert list(frame.loc[frame["rule"] == alerts.PAYMENT_WAIT, "severity"]) == ["warning"]
            conn.execute(text("UPDATE alert_rule SET enabled = :off WHERE code = 'payment_wait'"), {"off": False})
            assert alerts.PAYMENT_WAIT not in set(alerts_for(conn, "07", AS_OF)["rule"])
        finally:
            conn.rollback()


def test_a_district_that_stops_reporting(demo_engine):
    with demo_engine.connect() as conn:
        district = conn.execute(text("SELECT MIN(admin_code) FROM observation_rollup WHERE level = 'district' "
                                     "AND admin_code LIKE '07%' AND period = :p AND n_units > 0"),
                                {"p": AS_OF}).scalar()
        assert district is not None
        before = alerts_for(conn, "07", AS_OF)
        assert district not in set(before["scope_code"])
        try:  # changes are rolled back: the demo database is shared by the session
            # Nothing reported after August: Sep, Oct, Nov without a report is 3 months.
            conn.execute(text("UPDATE observation_rollup SET n_units = 0 WHERE admin_code = :d AND period > '2022-08'"),
                         {"d": district})
            silent = alerts_for(conn, "07", AS_OF)
            silent = silent[silent["rule"] == alerts.DISTRICT_SILENT]
            assert list(silent["scope_code"]) == [district]
            assert list(silent["value"]) == [3] and list(silent["severity"]) == ["warning"]
            assert f"scope={district}&" in silent["link"].iloc[0]
            assert alerts.DISTRICT_SILENT not in set(alerts_for(conn, "07", "2022-10")["rule"])
            # Another province's scope does not see it; the country does.
            assert district not in set(alerts_for(conn, "04", AS_OF)["scope_code"])
            assert district in set(alerts_for(conn, None, AS_OF)["scope_code"])


        finally:
            conn.rollback()
def test_without_the_table_the_defaults_apply(empty_engine):
    with empty_engine.begin() as conn:
        assert len(rules_in_force(conn)) == len(alerts.DEFAULT_RULES)
        conn.execute(text("DROP TABLE alert_rule"))
        assert alert_rules(conn) == alerts.DEFAULT_RULES
        assert alerts_for(conn, None, AS_OF).empty  # no data: no alert, and no error


def test_migration_0008_creates_and_seeds_the_table_on_an_older_database(empty_engine):
    from data_access.database import init_db, migration_head

    with empty_engine.begin() as conn:
        conn.execute(text("DROP TABLE alert_rule"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    init_db(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == migration_head()
        assert alert_rules(conn) == alerts.DEFAULT_RULES
        assert conn.execute(text("SELECT COUNT(*) FROM alert_rule")).scalar_one() == len(alerts.DEFAULT_RULES)
    init_db(empty_engine)  # idempotent: seeding twice adds nothing
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM alert_rule")).scalar_one() == len(alerts.DEFAULT_RULES)


@pytest.mark.parametrize("scope", [None, "07", "0703"])
@pytest.mark.parametrize("as_of", ["2019-06", "2020-03", "2022-11", "2025-12"])
def test_each_districts_last_report_is_what_grouping_the_whole_rollup_finds(demo_engine, scope, as_of):
    """The alerts find most districts in the as-of month itself and look back only for the others."""
    from sqlalchemy import text as sql

    from data_access.periods import period_end
    from data_access.queries.alerts import last_district_reports

    with demo_engine.connect() as conn:
        expected = conn.execute(sql(
            "SELECT r.admin_code, MAX(r.period) FROM observation_rollup r JOIN indicator i ON i.code = r.indicator_code "
            "WHERE r.level = 'district' AND r.n_units > 0 AND r.period_start <= :last AND i.period_type = 'month' "
            "AND i.aggregation <> 'survey' AND r.indicator_code <> 'CCT_PAY_DELAY' AND r.admin_code LIKE :prefix "
            "GROUP BY r.admin_code ORDER BY r.admin_code"),
            {"last": period_end(as_of), "prefix": (scope or "") + "%"}).fetchall()
        found = last_district_reports(conn, scope, as_of)
    assert list(zip(found["district_code"], found["last_period"])) == [tuple(row) for row in expected]
