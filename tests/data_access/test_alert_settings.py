"""Saving thresholds: checked whole, written all or nothing, on both backends."""
import pytest
from sqlalchemy import text

from data_access.alert_settings import RuleError, checked, save_alert_rules
from data_access.queries.alerts import alert_rules
from data_access.store import current_data_version


@pytest.mark.parametrize("change, error", [
    ({"payment_wait": {"warning": "abc", "enabled": True}}, ("not_a_number", "warning")),
    ({"payment_wait": {"warning": -1, "enabled": True}}, ("negative", "warning")),
    ({"payment_wait": {"warning": "nan", "enabled": True}}, ("not_a_number", "warning")),
    ({"payment_wait": {"warning": 60, "serious": 30, "enabled": True}}, ("not_rising", None)),
    ({"payment_wait": {"warning": 30, "serious": 30, "enabled": True}}, ("not_rising", None)),
    ({"payment_wait": {"warning": None, "serious": "", "enabled": True}}, ("no_threshold", None)),
    ({"<script>": {"warning": 1}}, ("unknown_rule", None)),
])
def test_bad_changes_are_refused(change, error):
    with pytest.raises(RuleError) as raised:
        checked(change)
    assert (raised.value.code, raised.value.level) == error


def test_good_changes():
    rows = checked({"payment_wait": {"warning": "45", "serious": None, "critical": 1e3, "enabled": True},
                    "district_silent": {"warning": None, "enabled": False},
                    "off_track": {"warning": 99, "enabled": False}})
    assert rows == [
        {"code": "payment_wait", "enabled": True, "warning": 45.0, "serious": None, "critical": 1000.0},
        {"code": "district_silent", "enabled": False, "warning": None, "serious": None, "critical": None},
        {"code": "off_track", "enabled": False, "warning": None, "serious": None, "critical": None},
    ]


def test_save_writes_all_or_nothing_and_bumps_the_version(empty_engine):
    with empty_engine.connect() as conn:
        before = current_data_version(conn)
    assert save_alert_rules(empty_engine, {"payment_wait": {"warning": 45, "serious": 70, "critical": None,
                                                            "enabled": True}}) == 1
    with empty_engine.connect() as conn:
        rules = alert_rules(conn)
        assert (rules["payment_wait"].warning, rules["payment_wait"].serious, rules["payment_wait"].critical) == \
            (45.0, 70.0, None)
        assert current_data_version(conn) != before
    with pytest.raises(RuleError):
        save_alert_rules(empty_engine, {"district_silent": {"warning": 1, "enabled": True},
                                        "payment_wait": {"warning": 9, "serious": 3, "enabled": True}})
    with empty_engine.connect() as conn:
        assert alert_rules(conn)["district_silent"].warning == 3.0  # the good half was not written either
        conn.execute(text("DELETE FROM alert_rule WHERE code = 'beneficiaries_waiting'"))
        conn.commit()
    assert save_alert_rules(empty_engine, {"beneficiaries_waiting": {"warning": 10, "enabled": True}}) == 1
    with empty_engine.connect() as conn:
        assert alert_rules(conn)["beneficiaries_waiting"].warning == 10.0
