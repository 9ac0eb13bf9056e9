"""Who may change the alert thresholds: administrators with accounts on; without accounts, only a
request made on this machine and not relayed by a proxy."""
import flask
import pytest

from access.roles import Account
from callbacks.alert_rules import can_edit_alert_rules


def test_no_request_may_not_edit():
    assert can_edit_alert_rules() is False


@pytest.mark.parametrize("address, headers, allowed", [
    ("127.0.0.1", {}, True), ("::1", {}, True), ("10.0.0.5", {}, False), ("192.168.1.20", {}, False),
    ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, False), ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}, False),
])
def test_without_accounts_only_local_unrelayed_requests(address, headers, allowed):
    app = flask.Flask(__name__)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": address}, headers=headers):
        flask.g.auth_on = False
        assert can_edit_alert_rules() is allowed


@pytest.mark.parametrize("account, allowed", [
    (None, False),
    (Account(1, "ad", "Admin", "admin"), True),
    (Account(2, "old", "Former admin", "admin", active=False), False),
    (Account(3, "co", "Coordinator", "coordinator", frozenset({"07"})), False),
    (Account(4, "vi", "Viewer", "viewer"), False),
])
def test_with_accounts_only_active_administrators(account, allowed):
    app = flask.Flask(__name__)
    # Local and unrelayed: with accounts on, being on this machine is not enough.
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        flask.g.auth_on = True
        flask.g.account = account
        assert can_edit_alert_rules() is allowed
