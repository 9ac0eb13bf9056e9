"""Who may change the alert thresholds: for now, only a request made on this machine and not relayed."""
import flask
import pytest

from callbacks.alert_rules import can_edit_alert_rules


def test_no_request_may_not_edit():
    assert can_edit_alert_rules() is False


@pytest.mark.parametrize("address, headers, allowed", [
    ("127.0.0.1", {}, True), ("::1", {}, True), ("10.0.0.5", {}, False), ("192.168.1.20", {}, False),
    ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, False), ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}, False),
])
def test_only_local_unrelayed_requests(address, headers, allowed):
    app = flask.Flask(__name__)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": address}, headers=headers):
        assert can_edit_alert_rules() is allowed
