"""Alert rules at their edges: thresholds (30 vs 31 days), scope, as-of before and after a cycle is paid."""
import datetime as dt
import math

import pandas as pd
import pytest

from data_access import alerts
from data_access.alerts import CRITICAL, DEFAULT_RULES, SERIOUS, WARNING
from data_access.payment_delay import days_waiting, summarise

RULES = DEFAULT_RULES


@pytest.mark.parametrize("days, expected", [
    (None, None), (math.nan, None), (0, None), (30, None), (30.5, WARNING), (31, WARNING), (60, WARNING),
    (61, SERIOUS), (90, SERIOUS), (91, CRITICAL), (10_000, CRITICAL),
])
def test_payment_wait_is_graded_on_longer_than(days, expected):
    assert alerts.grade(days, RULES[alerts.PAYMENT_WAIT]) == expected


@pytest.mark.parametrize("months, expected", [(0, None), (2, None), (3, WARNING), (5, WARNING), (6, SERIOUS),
                                              (12, CRITICAL)])
def test_silent_months_count_from_the_threshold_itself(months, expected):
    assert alerts.grade(months, RULES[alerts.DISTRICT_SILENT]) == expected


def test_a_disabled_or_edited_rule():
    rules = alerts.merge_rules([{"code": "payment_wait", "warning": 10, "serious": None, "critical": 20, "enabled": 1},
                                {"code": "gone_rule", "warning": 1, "serious": 2, "critical": 3, "enabled": 1},
                                {"code": "off_track", "warning": 5, "serious": 5, "critical": 5, "enabled": 0}])
    assert alerts.grade(15, rules["payment_wait"]) == WARNING  # no serious threshold: 15 stays a warning
    assert alerts.grade(21, rules["payment_wait"]) == CRITICAL
    assert "gone_rule" not in rules
    assert not rules["off_track"].enabled and rules["off_track"].warning is None  # status rules take no numbers
    assert rules["district_silent"] == DEFAULT_RULES["district_silent"]


def _cycles(*rows):
    return pd.DataFrame([{"district_code": code, "verified_on": pd.Timestamp(verified), "approved_on": None,
                          "funds_sent_on": None, "paid_on": pd.Timestamp(paid) if paid else None,
                          "beneficiaries": people} for code, verified, paid, people in rows])


@pytest.mark.parametrize("as_of, paid, expected_days, expected", [
    # Verified 31 Oct 2022: 30 days waiting at the end of November is not yet "longer than 30".
    ("2022-11", None, 30, None),
    ("2022-12", None, 61, SERIOUS),
    # Paid on 5 Dec: as of November it was still waiting; as of December it is paid, no open cycle.
    ("2022-11", "2022-12-05", 30, None),
    ("2022-12", "2022-12-05", None, None),
])
def test_payment_alert_follows_the_one_delay_rule(as_of, paid, expected_days, expected):
    cycles = _cycles(("0701", "2022-10-31", paid, 120))
    end = (pd.Timestamp(as_of + "-01") + pd.offsets.MonthEnd(0)).date()
    delay = summarise(days_waiting(cycles, end))
    assert delay["longest_open_days"] == expected_days
    found = alerts.payment_alerts(delay, "07", as_of, RULES)
    assert [a["severity"] for a in found if a["rule"] == alerts.PAYMENT_WAIT] == ([expected] if expected else [])


def test_a_cycle_verified_a_day_earlier_crosses_the_threshold():
    delay = summarise(days_waiting(_cycles(("0701", "2022-10-30", None, 120)), dt.date(2022, 11, 30)))
    (alert,) = alerts.payment_alerts(delay, "07", "2022-11", RULES)
    assert (alert["severity"], alert["value"], alert["scope_code"]) == (WARNING, 31, "07")
    assert alert["link"] == "/trends?scope=07&period=2022-11#trends-delay-parts"
    assert "31" in alerts.sentence(alert, "en") and "31" in alerts.sentence(alert, "lo")


@pytest.mark.parametrize("people, expected", [(None, None), (500, None), (501, WARNING), (1001, SERIOUS),
                                              (5001, CRITICAL)])
def test_beneficiaries_waiting(people, expected):
    delay = {"longest_open_days": 5.0, "beneficiaries_waiting": people, "n_open": 2}
    found = alerts.payment_alerts(delay, "00", "2022-11", RULES)
    assert [a["severity"] for a in found] == ([expected] if expected else [])


def test_silent_districts_count_months_to_as_of():
    last = pd.DataFrame([
        {"district_code": "0701", "name_en": "Xam Neua", "name_lo": "ຊຳເໜືອ", "last_period": "2022-11"},
        {"district_code": "0702", "name_en": "Xiengkhor", "name_lo": "ຊຽງຄໍ້", "last_period": "2022-09"},
        {"district_code": "0703", "name_en": "Hiam", "name_lo": "ຮ້ຽມ", "last_period": "2022-08"},
        {"district_code": "0704", "name_en": "Viengxay", "name_lo": "ວຽງໄຊ", "last_period": "2021-11"},
        {"district_code": "0705", "name_en": "Houameuang", "name_lo": "ຫົວເມືອງ", "last_period": None},
    ])
    found = {a["scope_code"]: a for a in alerts.silent_district_alerts(last, "2022-11", RULES)}
    assert {code: a["severity"] for code, a in found.items()} == {"0703": WARNING, "0704": CRITICAL}
    assert found["0703"]["value"] == 3
    assert found["0703"]["link"] == "/map?scope=0703&period=2022-11#map-quality"
    assert "Hiam" in alerts.sentence(found["0703"], "en") and "ຮ້ຽມ" in alerts.sentence(found["0703"], "lo")
    # As of an earlier month the district was still reporting.
    assert alerts.silent_district_alerts(last[last["district_code"] == "0703"], "2022-10", RULES) == []


def _row(code="HANSA_ANC4", status="on_track", actual=50.0, eop=65.0, year_target=None, target_level="own",
         reason=None, high=None, flow=False, unit="percent"):
    return {"indicator_code": code, "name_en": code, "name_lo": code, "unit": unit, "status": status,
            "actual": actual, "eop_target": eop, "year_target": year_target, "target_level": target_level,
            "reason": reason, "projection_high": high, "flow": flow, "deadline_value": None}


@pytest.mark.parametrize("actual, expected", [(60.0, None), (59.9, WARNING), (50.0, WARNING), (49.9, SERIOUS),
                                              (None, None)])
def test_compliance_gap_against_the_year_target(actual, expected):
    table = pd.DataFrame([_row("CCT_COMPLY_ALL", actual=actual, eop=80.0, year_target=70.0)])
    found = [a for a in alerts.progress_alerts(table, "00", "2022-11", RULES) if a["rule"] == alerts.COMPLIANCE_GAP]
    assert [a["severity"] for a in found] == ([expected] if expected else [])


def test_status_rules_judge_only_targets_at_the_scope():
    table = pd.DataFrame([
        _row("HANSA_PENTA3", status="off_track", actual=76.5, eop=90.0),
        _row("HANSA_ANC4", status="off_track", actual=40.0, eop=65.0, target_level="national"),
        _row("CCT_REGISTERED", status="at_risk", actual=1837, eop=2800, reason="projection_short", high=2564.85,
             unit="people"),
        _row("SUWASH_ODF", status="on_track", actual=39, eop=47, unit="villages"),
    ])
    found = alerts.progress_alerts(table, "00", "2022-11", RULES)
    assert [(a["rule"], a["indicator_code"], a["severity"]) for a in found] == [
        ("off_track", "HANSA_PENTA3", SERIOUS), ("projection_short", "CCT_REGISTERED", WARNING)]
    short = found[1]
    assert short["value"] == pytest.approx(2800 - 2564.85)
    assert "235" in alerts.sentence(short, "en") and "2,565" in alerts.sentence(short, "en")
    assert short["link"] == "/targets?scope=00&period=2022-11&indicator=CCT_REGISTERED#targets-progress"
    assert alerts.progress_alerts(pd.DataFrame(columns=list(_row())), "00", "2022-11", RULES) == []


def test_ranked_by_severity_then_size():
    found = [
        alerts._alert("projection_short", WARNING, "00", 5, 0.5, "/t", {}),
        alerts._alert("payment_wait", WARNING, "00", 40, 40 / 30, "/t", {}),
        alerts._alert("district_silent", CRITICAL, "0703", 12, 4, "/m", {}),
        alerts._alert("off_track", SERIOUS, "00", 1, 0.1, "/t", {}),
    ]
    for alert in found:  # sentences are not under test here
        alert["params"] = {"n_open": 1, "days": 1, "threshold": 1, "months": 1, "last_period": "2022-01",
                           "name_en": "x", "name_lo": "x", "status": "off_track", "actual": 1, "target": 2,
                           "unit": "percent", "high": 1, "short": 1}
    frame = alerts.rank(found)
    assert list(frame["rule"]) == ["district_silent", "off_track", "payment_wait", "projection_short"]
    assert list(frame.columns) == alerts.ALERT_COLUMNS
    assert alerts.rank([]).empty


@pytest.mark.parametrize("scope, expected", [
    # The country is said explicitly: opened in a tab where Houaphan is chosen, it still opens the country.
    (None, "/trends?scope=00&period=2022-11"), ("00", "/trends?scope=00&period=2022-11"),
    ("07", "/trends?scope=07&period=2022-11"), ("0703", "/trends?scope=0703&period=2022-11"),
])
def test_links_carry_the_scope_and_month(scope, expected):
    assert alerts.link("/trends", scope, "2022-11") == expected


@pytest.mark.parametrize("page, scope, anchor, extra", [
    ("/trends", None, "trends-delay-parts", {}), ("/map", "0703", "map-quality", {}),
    ("/targets", "07", "targets-progress", {"indicator": "CCT_COMPLY_ALL"}),
    ("/actions", "00", None, {"view": "overdue"}), ("/actions", "0703", None, {"view": "due_soon"}),
])
def test_alert_links_are_the_addresses_the_app_writes_and_reads(page, scope, anchor, extra):
    # data_access may not import layouts, so the alerts write their own links: held here to the
    # address layouts/url_state.py writes for the same view, and read back to the same place.
    from layouts.url_state import link as view_link, parse_choice, parse_scope, query_of

    written = alerts.link(page, scope, "2022-11", anchor, **extra)
    assert written == view_link(page, scope, "2022-11", anchor=anchor, **extra)
    query = query_of(written)
    assert "province" not in query and "district" not in query
    place = parse_scope(query, ["07"], ["0703"])
    code = scope if scope not in (None, "00") else None
    assert place == {"province": code[:2] if code else None, "district": code if code and len(code) == 4 else None}
    assert parse_choice(query, "period", ["2022-11"]) == "2022-11"
