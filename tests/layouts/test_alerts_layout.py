"""The alert list, the rules in force and the navbar count, as built for the page."""
import pandas as pd
import pytest

from data_access.alerts import DEFAULT_RULES, RULE_ORDER
from layouts.alerts import about_alerts, alert_list, badge_props, thresholds_text
from layouts.card_change import card_statuses, change_line, tone_of


def _rules():
    frame = pd.DataFrame([vars(DEFAULT_RULES[code]) for code in RULE_ORDER]).astype(object)
    return frame.where(frame.notna(), None)


@pytest.mark.parametrize("lang, code, expected", [
    ("en", "payment_wait", "Warning: more than 30 days; Serious: more than 60 days; Critical: more than 90 days"),
    ("en", "district_silent", "Warning: 3 months or more; Serious: 6 months or more; Critical: 12 months or more"),
    ("en", "compliance_gap", "Warning: more than 10 points; Serious: more than 20 points"),
    ("en", "off_track", "always Serious"),
    ("lo", "payment_wait", "ເຕືອນ: ເກີນ 30 ມື້; ຮ້າຍແຮງ: ເກີນ 60 ມື້; ຮ້າຍແຮງຫຼາຍ: ເກີນ 90 ມື້"),
])
def test_thresholds_in_words(lang, code, expected):
    rule = _rules().set_index("code").loc[code].to_dict() | {"code": code}
    assert thresholds_text(rule, lang) == expected
    assert thresholds_text(rule | {"enabled": False}, "en") == "switched off"


def test_about_lists_every_rule():
    about = about_alerts(_rules(), "en")
    rows = about.children[2].children.children
    assert [row.to_plotly_json()["props"]["data-rule"] for row in rows] == RULE_ORDER


def test_empty_list_and_badge():
    assert "No alert" in alert_list(pd.DataFrame(), "en").children.children
    assert badge_props(None, "en")[3] is True
    frame = pd.DataFrame([{"severity": "critical", "rule": "payment_wait", "scope_code": "00", "sentence": "s",
                           "link": "/trends?period=2022-11"}])
    text, colour, title, hidden = badge_props(frame, "en")
    assert (text, colour, hidden) == ("1", "danger", False)
    item = alert_list(frame, "en").children.children[0]
    assert item.children[3].href == "/trends?period=2022-11"


def test_tone_only_where_the_place_has_a_target():
    progress = pd.DataFrame([
        {"indicator_code": "CCT_PAY_DELAY", "target_level": "own", "status": "off_track"},
        {"indicator_code": "CCT_COMPLY_ALL", "target_level": "national", "status": "not_rated"},
        {"indicator_code": "CCT_REGISTERED", "target_level": "own", "status": "not_rated"},
    ])
    statuses = card_statuses(progress)
    assert tone_of("delay", statuses) == "off-target"
    assert tone_of("compliance", statuses) is None and tone_of("registered", statuses) is None


@pytest.mark.parametrize("card, change, expected", [
    ("registered", {"current": 137, "previous": 100, "change": 37.0, "verdict": "better"}, "↑ up 37 since October 2022"),
    ("compliance", {"current": 69.9, "previous": 70, "change": -0.1, "verdict": "worse"},
     "↓ down 0.1 points since October 2022"),
    ("delay", {"current": 40, "previous": 40, "change": 0.0, "verdict": "same"}, "→ unchanged since October 2022"),
    ("delay", {"current": 40, "previous": None, "change": None, "verdict": None},
     "no figure for October 2022 to compare with"),
])
def test_change_lines(card, change, expected):
    assert change_line(card, change, "2022-10", "en").children == expected
