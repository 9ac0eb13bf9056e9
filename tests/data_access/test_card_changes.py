"""The cards' change since the month before: differences of shown figures; survey rounds judged by significance."""
import math

import pytest

from data_access.card_changes import compare


def _figures(registered=100.0, compliance=70.0, share=18.0, delay=40.0, stunting=None):
    return {"registered": {"value": registered}, "compliance": {"value": compliance},
            "convergence": {"share": share}, "payment_delay": {"delay_days": delay},
            "stunting": stunting or {"level_code": "00", "latest": None}}


def _round(period, value, se):
    return {"level_code": "00", "latest": {"period": period, "value": value, "std_error": se}}


def test_differences_and_direction():
    changes = compare(_figures(registered=137, compliance=69.9, delay=35), _figures())
    assert changes["registered"] == {"current": 137, "previous": 100.0, "change": 37.0, "verdict": "better"}
    assert changes["compliance"]["verdict"] == "worse" and changes["compliance"]["change"] == pytest.approx(-0.1)
    assert changes["delay"]["verdict"] == "better"  # a shorter wait is better
    assert changes["convergence"]["verdict"] == "same"


@pytest.mark.parametrize("previous", [None, _figures(registered=None, delay=math.nan)])
def test_missing_month_before_is_no_change_not_zero(previous):
    changes = compare(_figures(), previous)
    assert changes["registered"]["change"] is None and changes["registered"]["verdict"] is None
    assert changes["delay"]["change"] is None


@pytest.mark.parametrize("now, before, expected", [
    (_round("2017", 33.1, 1.0), _round("2017", 33.1, 1.0), "same_round"),
    (_round("2022", 32.0, 1.0), _round("2017", 33.1, 1.0), "no_change"),   # within the uncertainty
    (_round("2022", 25.0, 1.0), _round("2017", 33.1, 1.0), "better"),
    (_round("2022", 40.0, 1.0), _round("2017", 33.1, 1.0), "worse"),
    (_round("2022", 25.0, None), _round("2017", 33.1, 1.0), "untested"),
    (_round("2022", 25.0, 1.0), None, None),
    ({"level_code": None, "latest": None}, _round("2017", 33.1, 1.0), None),
])
def test_stunting_changes_only_with_a_significant_new_round(now, before, expected):
    previous = _figures(stunting=before) if before else _figures()
    assert compare(_figures(stunting=now), previous)["stunting"]["verdict"] == expected
