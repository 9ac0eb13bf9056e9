"""Agreed actions overdue and due soon as alerts: the edges (due today, tomorrow, yesterday, a threshold
exactly), closed actions never alerted, the window from alert_rule, and the demo's Nov 2022 alerts."""
import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest

from data_access import alerts
from data_access.alerts import ACTION_DUE_SOON, ACTION_OVERDUE, DEFAULT_RULES, action_alerts, action_due_state, rank
from data_access.actions import list_actions
from data_access.queries.alerts import action_day, alert_rules, alerts_for

DAY = dt.date(2022, 11, 30)


def _actions(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"id": index + 1, "text_en": f"Action {index + 1}", "text_lo": f"ວຽກ {index + 1}",
                          "due_date": due, "status_then": status} for index, (due, status) in enumerate(rows)])


def _found(frame, rules=DEFAULT_RULES) -> dict[str, dict]:
    return {alert["rule"]: alert for alert in action_alerts(frame, "00", "2022-11", DAY, rules)}


@pytest.mark.parametrize("due, status, expected", [
    (DAY, "open", ("due", 0)),                                   # due today: not overdue yet
    (DAY + dt.timedelta(days=1), "in_progress", ("due", 1)),     # due tomorrow
    (DAY - dt.timedelta(days=1), "open", ("overdue", 1)),        # due yesterday
    (DAY - dt.timedelta(days=40), "done", None),                 # done late: not overdue
    (DAY - dt.timedelta(days=40), "dropped", None),              # dropped: not overdue
    (None, "open", None),
])
def test_due_state_at_the_edges(due, status, expected):
    assert action_due_state(status, due, DAY) == expected


@pytest.mark.parametrize("days_late, severity", [(1, "warning"), (30, "warning"), (31, "serious"), (90, "serious"),
                                                 (91, "critical")])
def test_overdue_is_graded_by_the_longest_overdue(days_late, severity):
    frame = _actions((DAY - dt.timedelta(days=days_late), "open"), (DAY - dt.timedelta(days=1), "in_progress"))
    alert = _found(frame)[ACTION_OVERDUE]
    assert (alert["severity"], alert["value"], alert["params"]["n"]) == (severity, days_late, 2)
    assert alert["params"]["text_en"] == "Action 1"
    assert alert["link"] == "/actions?scope=00&period=2022-11&view=overdue"


@pytest.mark.parametrize("due, alerted", [(DAY, True), (DAY + dt.timedelta(days=1), True),
                                          (DAY + dt.timedelta(days=30), True), (DAY + dt.timedelta(days=31), False)])
def test_due_soon_within_the_window_including_today(due, alerted):
    found = _found(_actions((due, "open")))
    assert ACTION_OVERDUE not in found
    assert (ACTION_DUE_SOON in found) is alerted
    if alerted:
        assert found[ACTION_DUE_SOON]["severity"] == "warning" and found[ACTION_DUE_SOON]["value"] == 1


def test_done_or_dropped_overdue_actions_raise_nothing():
    frame = _actions((DAY - dt.timedelta(days=100), "done"), (DAY - dt.timedelta(days=100), "dropped"),
                     (DAY + dt.timedelta(days=3), "done"))
    assert _found(frame) == {}


def test_the_window_and_the_switches_come_from_the_rules():
    frame = _actions((DAY + dt.timedelta(days=10), "open"), (DAY - dt.timedelta(days=5), "open"))
    narrow = dict(DEFAULT_RULES) | {ACTION_DUE_SOON: replace(DEFAULT_RULES[ACTION_DUE_SOON], warning=7)}
    assert set(_found(frame, narrow)) == {ACTION_OVERDUE}
    off = dict(DEFAULT_RULES) | {ACTION_OVERDUE: replace(DEFAULT_RULES[ACTION_OVERDUE], enabled=False),
                                 ACTION_DUE_SOON: replace(DEFAULT_RULES[ACTION_DUE_SOON], enabled=False)}
    assert _found(frame, off) == {}


def test_sentences_carry_the_number_in_both_languages():
    frame = _actions((DAY - dt.timedelta(days=61), "open"), (DAY + dt.timedelta(days=15), "open"))
    for lang, days_word in (("en", "61 days"), ("lo", "61 ມື້")):
        ranked = rank(action_alerts(frame, "00", "2022-11", DAY, DEFAULT_RULES), lang)
        sentences = dict(zip(ranked["rule"], ranked["sentence"]))
        assert days_word in sentences[ACTION_OVERDUE]
        assert ("Action 1" if lang == "en" else "ວຽກ 1") in sentences[ACTION_OVERDUE]
        assert ("within 30 days" if lang == "en" else "30 ມື້") in sentences[ACTION_DUE_SOON]


def test_the_day_of_a_month_is_its_end_or_today_while_it_runs():
    assert action_day("2022-11", today=dt.date(2026, 12, 1)) == dt.date(2022, 11, 30)
    assert action_day("2026-12", today=dt.date(2026, 12, 1)) == dt.date(2026, 12, 1)


def test_rules_merge_keeps_the_due_soon_window_only():
    merged = alerts.merge_rules([{"code": ACTION_DUE_SOON, "warning": 14, "serious": 99, "critical": None,
                                  "enabled": True}])
    assert (merged[ACTION_DUE_SOON].warning, merged[ACTION_DUE_SOON].serious) == (14, None)


# ------------------------------------------------------------------ the demo database


def test_demo_nov_2022_alerts_name_the_overdue_and_due_soon_actions(demo_engine):
    with demo_engine.connect() as conn:
        assert set(alert_rules(conn)) >= {ACTION_OVERDUE, ACTION_DUE_SOON}
        national = alerts_for(conn, None, "2022-11", "en")
        houaphan = alerts_for(conn, "07", "2022-11", "en")
        later = alerts_for(conn, None, "2023-03", "en")
        demo_actions = list_actions(conn)
    assert len(demo_actions) == 7 and demo_actions["is_demo"].all()
    assert set(demo_actions["mission"]) == {"2022-05 mid-term review mission", "2022-11 supervision mission"}
    overdue = national[national["rule"] == ACTION_OVERDUE].iloc[0]
    # The mid-term review's PMT survey (due 30 Sep 2022, in progress then): 61 days late, serious.
    assert (overdue["severity"], overdue["value"]) == ("serious", 61)
    assert "Agreed actions overdue: 2" in overdue["sentence"]
    assert overdue["link"] == "/actions?scope=00&period=2022-11&view=overdue"
    soon = houaphan[houaphan["rule"] == ACTION_DUE_SOON].iloc[0]
    assert "the first on 15 Dec 2022" in soon["sentence"] and soon["value"] == 1
    assert soon["link"] == "/actions?scope=07&period=2022-11&view=due_soon"
    assert ACTION_OVERDUE not in set(houaphan["rule"])
    # By March 2023 the PMT survey and the grievance training are done: they are no longer overdue.
    late = later[later["rule"] == ACTION_OVERDUE].iloc[0]
    assert late["params"]["text_en"].startswith("Fix urgently the shortcomings")


def test_the_alerts_command_prints_the_action_alerts(sqlite_demo_url, monkeypatch, capsys):
    from dashboard.cli import main

    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    assert main(["alerts", "--as-of", "2022-11", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "[Serious] Agreed actions overdue: 2; the longest by 61 days, due 30 Sept 2022" in out
    assert "/actions?scope=00&period=2022-11&view=overdue" in out
    assert "[Warning] Agreed actions due within 30 days: 1; the first on 15 Dec 2022" in out
