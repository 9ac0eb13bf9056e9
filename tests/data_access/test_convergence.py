"""The convergence counts: which projects reach a village, how many, and the target-village shares."""
import pytest
from sqlalchemy import insert

from data_access.periods import period_start
from data_access.queries.convergence import (
    convergence_by_district,
    target_village_share_all_projects,
    village_reach,
)
from data_access.schema import AdminUnit, Indicator, Observation, Project, TargetArea

PROJECTS = ["RRPM", "HANSA", "SUWASH", "AFN", "ECE"]


def _unit(code, level, parent):
    return {"code": code, "level": level, "parent_code": parent,
            "province_code": code[:2] if level != "national" else None,
            "district_code": code[:4] if level in ("district", "village") else None,
            "name_en": f"Unit {code}", "name_lo": f"ໜ່ວຍ {code}", "lon": 103.0, "lat": 20.0, "is_demo": False}


def _reach(village, project, period, value=1.0, numerator=None):
    return {"indicator_code": f"{project}_COVER", "admin_code": village, "period": period,
            "period_start": period_start(period), "value": value, "numerator": numerator,
            "denominator": None if numerator is None else 10.0}


@pytest.fixture
def villages(empty_engine):
    """Target district 0701 (villages 001-004) and non-target district 0702 (village 001)."""
    units = [_unit("00", "national", None), _unit("07", "province", "00"), _unit("0701", "district", "07"),
             _unit("0702", "district", "07")]
    units += [_unit(f"0701{serial:03d}", "village", "0701") for serial in range(1, 5)]
    units += [_unit("0702001", "village", "0702")]
    projects = [{"code": code, "name_en": code, "name_lo": code, "sector_en": "s", "sector_lo": "s",
                 "ministry_en": "m", "ministry_lo": "m", "coverage_indicator": f"{code}_COVER", "sort_order": i}
                for i, code in enumerate(PROJECTS)]
    indicators = [{"code": f"{code}_COVER", "project_code": code, "name_en": code, "name_lo": code, "unit": "people",
                   "period_type": "month", "level": "village", "direction": "higher", "aggregation": "sum",
                   "multiplier": 1.0, "cumulative": False} for code in PROJECTS]
    observations = (
        # 0701001: all five within the window (one by numerator only).
        [_reach("0701001", code, "2025-03") for code in PROJECTS[:4]] + [_reach("0701001", "ECE", "2025-06", None, 4.0)]
        # 0701002: four reach; ECE reported zero, which is not reaching.
        + [_reach("0701002", code, "2025-01") for code in PROJECTS[:4]] + [_reach("0701002", "ECE", "2025-05", 0.0)]
        # 0701003: all five, but ECE only before the 12-month window (June 2024).
        + [_reach("0701003", code, "2025-02") for code in PROJECTS[:4]] + [_reach("0701003", "ECE", "2024-06")]
        # 0701004: nothing at all. 0702001 (not a target district): all five.
        + [_reach("0702001", code, "2025-04") for code in PROJECTS]
    )
    with empty_engine.begin() as conn:
        conn.execute(insert(AdminUnit), units)
        conn.execute(insert(Project), projects)
        conn.execute(insert(Indicator), indicators)
        conn.execute(insert(Observation), observations)
        conn.execute(insert(TargetArea), [{"project_code": "RRPM", "admin_code": "0701", "phase": "I"}])
    return empty_engine


def test_reach_counts_positive_coverage_in_the_window_only(villages):
    with villages.connect() as conn:
        reach = village_reach(conn, "2025-06").set_index("code")
    assert reach["n_projects"].to_dict() == {"0701001": 5, "0701002": 4, "0701003": 4, "0701004": 0, "0702001": 5}
    assert reach.loc["0701002", "ECE"] == 0 and reach.loc["0701002", "AFN"] == 1
    assert reach["is_target"].to_dict() == {"0701001": 1, "0701002": 1, "0701003": 1, "0701004": 1, "0702001": 0}


def test_a_longer_window_reaches_back_further(villages):
    with villages.connect() as conn:
        reach = village_reach(conn, "2025-06", months=13).set_index("code")
    assert reach.loc["0701003", "n_projects"] == 5


def test_district_summary_all_five_and_at_least_four(villages):
    with villages.connect() as conn:
        summary = convergence_by_district(conn, "2025-06").set_index("district_code")
    target = summary.loc["0701"]
    assert (target["n_villages"], target["n_all"], target["n_four_plus"]) == (4, 1, 3)
    assert target["share_all"] == pytest.approx(25.0) and target["share_four_plus"] == pytest.approx(75.0)
    assert summary.loc["0702", "is_target"] == 0


def test_headline_share_counts_target_villages_only(villages):
    with villages.connect() as conn:
        headline = target_village_share_all_projects(conn, "2025-06")
        elsewhere = target_village_share_all_projects(conn, "2025-06", within="0702")
    assert headline == {"n_target_villages": 4, "n_all": 1, "share": 25.0, "reported": True}
    assert elsewhere == {"n_target_villages": 0, "n_all": 0, "share": None, "reported": False}


def test_no_coverage_report_in_the_window_is_missing_not_zero(villages):
    with villages.connect() as conn:
        # July 2022 - June 2023: not one report of any project's coverage.
        nothing = target_village_share_all_projects(conn, "2023-06")
        # May 2025 alone: one village reported zero ECE coverage. A report of zero is a 0 %, not missing.
        only_zero = target_village_share_all_projects(conn, "2025-05", months=1)
        # June 2025 alone: a report outside the target districts says nothing of the target villages.
        conn.execute(insert(Observation), [_reach("0702001", "RRPM", "2025-07")])
        elsewhere_only = target_village_share_all_projects(conn, "2025-07", months=1)
    assert nothing == {"n_target_villages": 4, "n_all": 0, "share": None, "reported": False}
    assert only_zero == {"n_target_villages": 4, "n_all": 0, "share": 0.0, "reported": True}
    assert elsewhere_only["share"] is None and elsewhere_only["reported"] is False


def test_overview_convergence_is_missing_where_no_target_village_reported(demo_engine):
    from sqlalchemy import text

    from data_access.queries.overview import headline_figures
    from data_access.rollup import rebuild_rollups

    with demo_engine.connect() as conn:
        before = headline_figures(conn, "07", "2022-11")["convergence"]
        assert before["reported"] and before["share"] is not None
        try:  # rolled back: the demo database is shared by the session
            conn.execute(text("DELETE FROM observation WHERE admin_code LIKE '07%' AND indicator_code IN "
                              "(SELECT coverage_indicator FROM project) AND period_start > :first"),
                         {"first": period_start("2021-11")})
            rebuild_rollups(conn)  # as an import or a rollback does after changing observations
            gone = headline_figures(conn, "07", "2022-11")["convergence"]
            # The country still has reports elsewhere: its share is a number.
            national = headline_figures(conn, None, "2022-11")["convergence"]
        finally:
            conn.rollback()
    assert gone == {"n_target_villages": before["n_target_villages"], "n_all": 0, "share": None, "reported": False}
    assert national["reported"] and national["share"] is not None


def test_a_project_without_coverage_indicator_reaches_nobody_and_a_shared_indicator_reaches_for_both(villages):
    from sqlalchemy import update

    with villages.begin() as conn:
        conn.execute(update(Project).where(Project.code == "ECE").values(coverage_indicator=None))
        conn.execute(update(Project).where(Project.code == "AFN").values(coverage_indicator="HANSA_COVER"))
    with villages.connect() as conn:
        reach = village_reach(conn, "2025-06").set_index("code")
    assert list(reach.columns[-5:]) == PROJECTS
    assert reach["ECE"].eq(0).all()
    # AFN now counts HANSA's coverage: 0702001 is reached by RRPM, HANSA, SUWASH and AFN (through HANSA_COVER).
    assert reach.loc["0702001", PROJECTS].tolist() == [1, 1, 1, 1, 0]
    assert reach["n_projects"].to_dict() == {"0701001": 4, "0701002": 4, "0701003": 4, "0701004": 0, "0702001": 4}


def test_no_coverage_indicator_at_all_gives_every_village_none(villages):
    from sqlalchemy import update

    with villages.begin() as conn:
        conn.execute(update(Project).values(coverage_indicator=None))
    with villages.connect() as conn:
        reach = village_reach(conn, "2025-06")
    assert len(reach) == 5 and reach["n_projects"].eq(0).all() and reach[PROJECTS].eq(0).all().all()
