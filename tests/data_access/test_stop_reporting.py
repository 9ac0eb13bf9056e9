"""End to end: district 0703 stops reporting in Sep 2025; every page's stock agrees with plain SQL."""
import pytest
from sqlalchemy import text

from data_access.database import make_engine
from data_access.demo import generate_demo
from data_access.periods import add_months
from data_access.queries.districts import district_trends
from data_access.queries.maps import map_data
from data_access.queries.observations import indicator_series
from data_access.queries.overview import headline_figures
from data_access.queries.targets import progress_table
from layouts.carried import carried_note
from layouts.figures.maps import indicator_choropleth
from tests.conftest import TemporaryPostgresDatabase, require_postgres

STOPPED, PROVINCE, FIRST_SILENT = "0703", "07", "2025-09"
CAP = 12
REGISTERED = "CCT_REGISTERED"


def _generate(engine) -> None:
    generate_demo(engine, scale="test", stop_reporting={STOPPED: FIRST_SILENT}, carry_forward_months=CAP)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stopped_engine(request, tmp_path_factory):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('stopped') / 'stopped.sqlite'}")
        _generate(engine)
        yield engine
        engine.dispose()
        return
    require_postgres()
    with TemporaryPostgresDatabase() as url:
        engine = make_engine(url)
        _generate(engine)
        yield engine
        engine.dispose()


# The rule, written again as plain SQL over the raw village rows, independent of the rollup:
# each village's latest report up to the month, if it is at most CAP months old.
_STOCK_SQL = """
    SELECT COALESCE(SUM(o.value), 0) AS total,
           COALESCE(SUM(CASE WHEN o.period < :as_of THEN o.value END), 0) AS carried,
           SUM(CASE WHEN o.period = :as_of THEN 1 ELSE 0 END) AS reporting,
           MIN(CASE WHEN o.period < :as_of THEN o.period END) AS oldest
    FROM observation o JOIN admin_unit a ON a.code = o.admin_code
    WHERE o.indicator_code = :indicator AND a.level = 'village' AND a.code LIKE :prefix
      AND o.value IS NOT NULL AND o.period >= :oldest_allowed
      AND o.period = (SELECT MAX(o2.period) FROM observation o2
                      WHERE o2.indicator_code = o.indicator_code AND o2.admin_code = o.admin_code
                        AND o2.value IS NOT NULL AND o2.period <= :as_of)
"""


def _plain(conn, prefix: str, as_of: str, indicator: str = REGISTERED) -> dict:
    row = conn.execute(text(_STOCK_SQL), {"indicator": indicator, "prefix": prefix + "%", "as_of": as_of,
                                          "oldest_allowed": add_months(as_of, -CAP)}).mappings().one()
    return {"total": float(row["total"]), "carried": float(row["carried"]), "reporting": int(row["reporting"] or 0),
            "oldest": row["oldest"]}


def test_the_stopped_district_has_no_report_after_august(stopped_engine):
    with stopped_engine.connect() as conn:
        latest = conn.execute(text("SELECT MAX(period_start) FROM observation WHERE admin_code LIKE :p"),
                              {"p": STOPPED + "%"}).scalar_one()
        others = conn.execute(text("SELECT MAX(period) FROM observation WHERE indicator_code = :i"),
                              {"i": REGISTERED}).scalar_one()
    # A quarter that began before September (2025-Q3) is still reported; nothing starts later.
    assert str(latest)[:10] < f"{FIRST_SILENT}-01" and FIRST_SILENT <= others


@pytest.mark.parametrize("as_of", ["2025-08", "2025-09", "2025-12"])
def test_overview_stock_and_reporting_match_plain_sql(stopped_engine, as_of):
    with stopped_engine.connect() as conn:
        for scope, prefix in ((None, ""), (PROVINCE, PROVINCE), (STOPPED, STOPPED)):
            expected = _plain(conn, prefix, as_of)
            figures = headline_figures(conn, scope, as_of)
            registered = figures["registered"]
            assert registered["value"] == pytest.approx(expected["total"]), (scope, as_of)
            assert float(registered["carried_value"] or 0) == pytest.approx(expected["carried"]), (scope, as_of)
            assert registered["oldest_carried_period"] == expected["oldest"], (scope, as_of)
            # Villages that reported in the month, never the ones whose August report is carried.
            assert figures["registered_reporting"] == expected["reporting"], (scope, as_of)
    if as_of >= FIRST_SILENT:
        assert expected["reporting"] == 0 and expected["carried"] == expected["total"] > 0


def test_stopped_district_says_zero_of_its_villages_reporting(stopped_engine):
    with stopped_engine.connect() as conn:
        figures = headline_figures(conn, STOPPED, "2025-12")
        expected_villages = conn.execute(text(
            "SELECT COUNT(DISTINCT admin_code) FROM observation WHERE indicator_code = :i AND admin_code LIKE :p "
            "AND period BETWEEN '2025-01' AND '2025-12'"), {"i": REGISTERED, "p": STOPPED + "%"}).scalar_one()
    assert figures["registered_reporting"] == 0
    assert figures["registered_expected"] == expected_villages > 0
    note = carried_note(figures["registered"], "en")
    assert note.startswith("no report this month") and "Aug 2025" in note


def test_map_value_and_hover_match_plain_sql(stopped_engine):
    with stopped_engine.connect() as conn:
        data = map_data(conn, REGISTERED, PROVINCE, "2025-12")
        expected = {code: _plain(conn, code, "2025-12") for code in data["units"]["code"]}
    values = data["values"].set_index("admin_code")
    for code, plain in expected.items():
        if plain["total"] == 0:
            assert code not in values.index or pd_isna(values.loc[code, "value"])
            continue
        assert values.loc[code, "value"] == pytest.approx(plain["total"]), code
        assert int(values.loc[code, "n_reporting"]) == plain["reporting"], code
    figure = indicator_choropleth(data["values"], data["units"], {"type": "FeatureCollection", "features": []},
                                  data["indicator"], "en", unit_word="villages")
    hover = {row[0]: row[2] for row in figure.data[0].customdata}  # code, value line, details
    assert "carried from earlier reports (oldest Aug 2025)" in hover[STOPPED]
    assert "0 of" in hover[STOPPED]


def pd_isna(value) -> bool:
    return value is None or value != value


def test_district_comparison_trend_and_targets_row_match_plain_sql(stopped_engine):
    with stopped_engine.connect() as conn:
        trends = district_trends(conn, REGISTERED, [STOPPED], "2025-12")["series"]
        rows = {scope: progress_table(conn, scope, "2025-12").set_index("indicator_code").loc[REGISTERED]
                for scope in (None, PROVINCE, STOPPED)}
        plain = {scope: _plain(conn, scope or "", "2025-12") for scope in (None, PROVINCE, STOPPED)}
        # The district's value every month of its silence, not only the as-of month.
        months = {month: _plain(conn, STOPPED, month)["total"] for month in ("2025-08", "2025-10", "2025-12")}
    by_month = trends.set_index("period")["value"]
    for month, total in months.items():
        assert by_month[month] == pytest.approx(total), month
    for scope, row in rows.items():
        assert row["actual"] == pytest.approx(plain[scope]["total"]), scope
        assert row["actual_period"] == "2025-12", scope
        assert float(row["carried_value"] or 0) == pytest.approx(plain[scope]["carried"]), scope


def test_national_cumulative_line_never_falls(stopped_engine):
    with stopped_engine.connect() as conn:
        series = indicator_series(conn, REGISTERED, None, "2019-07", "2025-12")
        plain_before = _plain(conn, "", "2025-08")["total"]
    values = series["value"].tolist()
    falls = [(a, b) for a, b in zip(series["period"], series["period"][1:]) if
             values[list(series["period"]).index(b)] < values[list(series["period"]).index(a)]]
    assert not falls, f"the national registered line falls: {falls}"
    assert series.set_index("period").loc["2025-12", "value"] >= plain_before
