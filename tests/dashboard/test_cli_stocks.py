"""`demo --stop-reporting` and `rebuild-rollups` carry the CARRY_FORWARD_MONTHS setting to the rollup."""
import pytest
from sqlalchemy import text

from dashboard.cli import main
from data_access.database import make_engine
from data_access.stocks import stored_cap


def test_demo_stops_a_district_and_rebuild_applies_a_new_cap(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CARRY_FORWARD_MONTHS", "3")
    assert main(["demo", "--scale", "test", "--stop-reporting", "0703:2025-09"]) == 0
    engine = make_engine(url)
    carried_sql = text("SELECT MAX(period) FROM observation_rollup WHERE level = 'district' "
                       "AND admin_code = '0703' AND indicator_code = 'CCT_REGISTERED'")
    with engine.connect() as conn:
        assert stored_cap(conn) == 3
        silent = conn.execute(text("SELECT COUNT(*) FROM observation WHERE admin_code LIKE '0703%' "
                                   "AND period_start >= '2025-09-01'")).scalar_one()
        # August's reports are carried three months: to November, not into December.
        assert silent == 0 and conn.execute(carried_sql).scalar_one() == "2025-11"
    monkeypatch.setenv("CARRY_FORWARD_MONTHS", "12")
    assert main(["rebuild-rollups"]) == 0
    with engine.connect() as conn:
        assert stored_cap(conn) == 12 and conn.execute(carried_sql).scalar_one() == "2025-12"


@pytest.mark.parametrize("argument", ["0703", "703:2025-09", "0703:2025-9", "abcd:2025-09", "0703:2025-13"])
def test_malformed_stop_reporting_is_refused_with_a_sentence(tmp_path, monkeypatch, argument):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    with pytest.raises(SystemExit, match="DISTRICT:YYYY-MM"):
        main(["demo", "--scale", "test", "--stop-reporting", argument])


@pytest.mark.parametrize("command", [["demo", "--scale", "test"], ["rebuild-rollups"]])
def test_a_bad_cap_setting_is_a_sentence_not_a_traceback(tmp_path, monkeypatch, command):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setenv("CARRY_FORWARD_MONTHS", "a year")
    with pytest.raises(SystemExit, match="CARRY_FORWARD_MONTHS must be a whole number"):
        main(command)
